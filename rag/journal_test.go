package rag

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// loggedIndex stores n uploads, one change-log record each, and returns
// the snapshot path and the log's bytes.
func loggedIndex(t *testing.T, n int) (string, []byte) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "index.gob")
	ix := NewIndex(IndexOptions{Embedder: tinyEmbedder()})
	for i := range n {
		d := NewDocument(fmt.Sprintf("u%02d.txt", i), fmt.Sprintf("Upload %d\n\nThe record number %d holds text of its own.", i, i))
		if _, err := ix.upsert(ctx, path, []*Document{d}, nil); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(logPath(path))
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// recordOffsets returns where each record of a change log starts.
func recordOffsets(data []byte) []int {
	var out []int
	for at := 0; at < len(data); {
		_, n, ok := readRecord(data[at:])
		if !ok {
			break
		}
		out = append(out, at)
		at += n
	}
	return out
}

func TestDamagedChangeLogStopsTheLoadAndRepairKeepsTheRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := IndexOptions{Embedder: tinyEmbedder()}
	for _, tc := range []struct {
		name    string
		damage  func(data []byte, offs []int) []byte
		keptMin int
	}{
		{"a flipped byte in record 16 of 30", func(d []byte, offs []int) []byte { d[offs[15]+40] ^= 0xff; return d }, 29},
		{"a flipped length byte in record 16", func(d []byte, offs []int) []byte { d[offs[15]+2] ^= 0x7f; return d }, 29},
		{"4 bytes of garbage at the start", func(d []byte, _ []int) []byte { return append([]byte{1, 2, 3, 4}, d...) }, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, data := loggedIndex(t, 30)
			os.WriteFile(logPath(path), tc.damage(data, recordOffsets(data)), 0o644)
			_, _, err := LoadIndex(ctx, path, opts)
			var damage *DamageError
			if !errors.As(err, &damage) || damage.File != logPath(path) || !strings.Contains(err.Error(), "rag repair") {
				t.Fatalf("load of a damaged log: %v", err)
			}
			rep, err := Repair(ctx, path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Records < tc.keptMin || len(rep.MovedAside) != 1 {
				t.Errorf("repair: %+v", rep)
			}
			ix, _, err := LoadIndex(ctx, path, opts)
			if err != nil {
				t.Fatalf("load after repair: %v", err)
			}
			if got := ix.Stats().Documents; got < tc.keptMin {
				t.Errorf("%d documents after repair, want at least %d", got, tc.keptMin)
			}
			if _, err := os.Stat(rep.MovedAside[0]); err != nil {
				t.Errorf("damaged file not kept: %v", err)
			}
		})
	}
}

func TestDamagedSnapshotIsRefusedAndRepaired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := IndexOptions{Embedder: tinyEmbedder()}
	path := filepath.Join(t.TempDir(), "index.gob")
	ix := NewIndex(opts)
	var docs []*Document
	for i := range 2500 { // three batches of documents
		docs = append(docs, &Document{ID: fmt.Sprintf("s%04d.txt", i), Title: "t", Text: fmt.Sprintf("snapshot document %d", i), Hash: "h", Origin: OriginUpload})
	}
	ix.Upsert(ctx, docs, nil)
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	for _, tc := range []struct {
		name string
		at   func([]byte) int
	}{
		{"a title byte", func(b []byte) int { return strings.Index(string(b), "s1500.txt") + 2 }},
		{"a vector byte", func(b []byte) int { return len(b) - 100 }},
		// The length of the first batch of documents: the batches after
		// it still verify and are kept.
		{"a batch's length", func(b []byte) int {
			header := int(binary.LittleEndian.Uint64(b[len(snapshotMagic):]))
			return len(snapshotMagic) + 12 + header + 3 // the first batch's length, made huge
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := append([]byte(nil), good...)
			bad[tc.at(bad)] ^= 0x01
			p := filepath.Join(t.TempDir(), "index.gob")
			os.WriteFile(p, bad, 0o644)
			_, _, err := LoadIndex(ctx, p, opts)
			var damage *DamageError
			if !errors.As(err, &damage) || strings.Contains(err.Error(), "delete") {
				t.Fatalf("damaged snapshot loaded or wrongly advised: %v", err)
			}
			rep, err := Repair(ctx, p, opts)
			if err != nil {
				t.Fatal(err)
			}
			fixed, _, err := LoadIndex(ctx, p, opts)
			if err != nil {
				t.Fatal(err)
			}
			// Only the damaged batch of 1,000 may be lost; a damaged array loses none.
			if n := fixed.Stats().Documents; n < 1500 || n != rep.Documents {
				t.Errorf("%d documents after repair (%+v)", n, rep)
			}
		})
	}
	// NaN vectors are refused even when the checksums hold.
	nan := NewIndex(opts)
	nan.Upsert(ctx, docs[:3], nil)
	nan.slots[0].vector[0] = float32(nanValue())
	p := filepath.Join(t.TempDir(), "index.gob")
	nan.Save(p)
	if _, _, err := LoadIndex(ctx, p, opts); err == nil || !strings.Contains(err.Error(), "not a number") {
		t.Errorf("NaN vector: %v", err)
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

// TestFullDiskLosesNothing fills a small tmpfs: uploads fail with EFULL
// and change nothing; once space is freed, later uploads are stored and
// survive a restart. It needs to mount a tmpfs (root in a container that
// allows it).
func TestFullDiskLosesNothing(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	ctx := context.Background()
	opts := IndexOptions{Embedder: tinyEmbedder()}
	path := filepath.Join(dir, "index.gob")
	ix := NewIndex(opts)
	// A filler file holds space the operator frees later.
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 128<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	upload := func(i int) error {
		d := NewDocument(fmt.Sprintf("f%04d.txt", i), fmt.Sprintf("Upload %d\n\n%s", i, strings.Repeat(fmt.Sprintf("Sentence %d of a longer document. ", i), 40)))
		_, err := ix.upsert(ctx, path, []*Document{d}, nil)
		return err
	}
	stored := map[string]bool{}
	full := 0
	for i := 0; full < 3 && i < 1000; i++ {
		err := upload(i)
		if err == nil {
			stored[fmt.Sprintf("f%04d.txt", i)] = true
			continue
		}
		if ErrorCode(err) != EFULL {
			t.Fatalf("upload %d: %v, want %s", i, err, EFULL)
		}
		full++
		if _, err := ix.Document(fmt.Sprintf("f%04d.txt", i)); err == nil {
			t.Errorf("a refused upload is served")
		}
	}
	if full == 0 {
		t.Fatal("the disk never filled")
	}
	// Searching still works on a full disk.
	if ps, err := ix.Search(ctx, "sentence of a longer document", 3); err != nil || len(ps) == 0 {
		t.Errorf("search on a full disk: %v", err)
	}
	// Space is freed; ten more uploads are acknowledged.
	before := len(stored)
	os.Remove(filler)
	for i := 2000; i < 2010; i++ {
		if err := upload(i); err != nil {
			t.Fatalf("upload after space was freed: %v", err)
		}
		stored[fmt.Sprintf("f%04d.txt", i)] = true
	}
	t.Logf("%d uploads stored before the disk filled, %d after", before, len(stored)-before)
	re, _, err := LoadIndex(ctx, path, opts)
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	for id := range stored {
		if _, err := re.Document(id); err != nil {
			t.Errorf("acknowledged %s lost after restart", id)
		}
	}
	if re.Stats().Documents != len(stored) {
		t.Errorf("%d documents after restart, %d acknowledged", re.Stats().Documents, len(stored))
	}
}

// Uploads logged under one embedder are indexed anew from their text when
// the index is opened with another, never dropped nor mixed in.
func TestLoggedUploadsSurviveAnEmbedderChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, _ := loggedIndex(t, 3)                                // tiny-8 vectors
	ix, reembedded, err := LoadIndex(ctx, path, IndexOptions{}) // the 356-dimensional local embedder
	if err != nil {
		t.Fatal(err)
	}
	if !reembedded || ix.Stats().Documents != 3 || ix.Stats().Dimensions == 8 {
		t.Errorf("reembedded %v, %+v", reembedded, ix.Stats())
	}
	ps, err := ix.Search(ctx, "record number 2 holds text", 1)
	if err != nil || len(ps) == 0 || ps[0].DocID != "u02.txt" {
		t.Errorf("search after the change: %v %+v", err, ps)
	}
}

// Only a tear — a record cut short at the end — is dropped; damage to the
// last whole record, or to the last few, stops the load.
func TestDamageAtTheEndIsNoTear(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := IndexOptions{Embedder: tinyEmbedder()}
	for _, tc := range []struct {
		name   string
		damage func(d []byte, offs []int) []byte
		torn   bool
	}{
		{"cut inside the last record", func(d []byte, offs []int) []byte { return d[:len(d)-5] }, true},
		{"zeros after the last record", func(d []byte, offs []int) []byte { return append(d, make([]byte, 300)...) }, true},
		{"a flipped byte in the last record", func(d []byte, offs []int) []byte { d[len(d)-3] ^= 1; return d }, false},
		{"the last two records damaged", func(d []byte, offs []int) []byte { d[offs[3]+20] ^= 1; d[offs[4]+20] ^= 1; return d }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, data := loggedIndex(t, 5)
			os.WriteFile(logPath(path), tc.damage(data, recordOffsets(data)), 0o644)
			ix, _, err := LoadIndex(ctx, path, opts)
			var damage *DamageError
			switch {
			case tc.torn && (err != nil || ix.TornTail() == 0):
				t.Errorf("a tear: %v (torn %d bytes)", err, ix.TornTail())
			case !tc.torn && !errors.As(err, &damage):
				t.Errorf("damage loaded: %v", err)
			}
		})
	}
}

// The log folds into a new snapshot in the background once it passes its
// size, while uploads and deletes go on; nothing acknowledged is lost.
func TestChangeLogFoldsInTheBackground(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := IndexOptions{Embedder: tinyEmbedder()}
	path := filepath.Join(t.TempDir(), "index.gob")
	ix := NewIndex(opts)
	ix.journal.foldAt = 4 << 10
	folds := make(chan error, 1000)
	ix.OnFold(func(err error) { folds <- err })
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				d := NewDocument(fmt.Sprintf("w%d/%02d.txt", w, i), fmt.Sprintf("Worker %d upload %d\n\nThe ferry runs %d routes.", w, i, i))
				if _, err := ix.upsert(ctx, path, []*Document{d}, nil); err != nil {
					t.Error(err)
				}
				if i%4 == 3 {
					if _, err := ix.remove(ctx, path, fmt.Sprintf("w%d/%02d.txt", w, i-1)); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	ix.journal.folding.Lock() // wait for a fold still running
	ix.journal.folding.Unlock()
	close(folds)
	n := 0
	for err := range folds {
		if err != nil {
			t.Errorf("fold: %v", err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("the log never folded")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no snapshot after %d folds: %v", n, err)
	}
	got, _, err := LoadIndex(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stats().Documents != 4*30 || got.Stats() != ix.Stats() {
		t.Errorf("after %d folds and a reload: %+v, want %+v (120 documents)", n, got.Stats(), ix.Stats())
	}
}

// A restart lists the corpus directory and reads only the files whose
// size or modification time changed, as build tools decide.
func TestSyncReadsOnlyChangedFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "Harbour Notes\n\nThe ferry runs twelve routes across the bay.")
	write("b.txt", "Bridge Notes\n\nThe bridge reopened on Friday after repairs.")
	ix := NewIndex(IndexOptions{Embedder: tinyEmbedder()})
	if rep, err := ix.Sync(ctx, dir, nil); err != nil || len(rep.Added) != 2 {
		t.Fatalf("first sync %+v %v", rep, err)
	}
	// Same size, same time, other text: not read, so not seen — the
	// trade-off every build tool makes.
	st, _ := os.Stat(filepath.Join(dir, "a.txt"))
	write("a.txt", "Harbour Notes\n\nThe ferry runs twelve routes across the sea.")
	os.Chtimes(filepath.Join(dir, "a.txt"), st.ModTime(), st.ModTime())
	rep, err := ix.Sync(ctx, dir, nil)
	if err != nil || rep.Unchanged != 2 || rep.Changed() {
		t.Errorf("unchanged stamps: %+v %v", rep, err)
	}
	// A new time: read, found changed.
	later := st.ModTime().Add(time.Second)
	os.Chtimes(filepath.Join(dir, "a.txt"), later, later)
	if rep, err := ix.Sync(ctx, dir, nil); err != nil || fmt.Sprint(rep.Updated) != "[a.txt]" || rep.Unchanged != 1 {
		t.Errorf("changed time: %+v %v", rep, err)
	}
	// Touched but the same: read once, the new stamp kept.
	later = later.Add(time.Second)
	os.Chtimes(filepath.Join(dir, "b.txt"), later, later)
	if rep, err := ix.Sync(ctx, dir, nil); err != nil || rep.Restamped != 1 || !rep.Changed() {
		t.Errorf("touched: %+v %v", rep, err)
	}
	if rep, err := ix.Sync(ctx, dir, nil); err != nil || rep.Restamped != 0 || rep.Unchanged != 2 {
		t.Errorf("after the touch: %+v %v", rep, err)
	}
}

// An opened index is bound to its path: Sync saves a snapshot, Upsert and
// Remove are in the change log when they return.
func TestOpenIndexIsDurableWhenChangesReturn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	opts := IndexOptions{Embedder: tinyEmbedder()}
	corpus := t.TempDir()
	os.WriteFile(filepath.Join(corpus, "a.txt"), []byte(docA), 0o644)
	path := filepath.Join(t.TempDir(), "index.gob")
	ix, err := OpenIndex(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := ix.Sync(ctx, corpus, nil); err != nil || len(rep.Added) != 1 {
		t.Fatalf("sync %+v %v", rep, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no snapshot after a sync that changed the index: %v", err)
	}
	b := NewDocument("b.txt", docB)
	b.Origin = OriginUpload
	if _, err := ix.Upsert(ctx, []*Document{b}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Remove(ctx, "a.txt"); err != nil {
		t.Fatal(err)
	}
	got, _, err := LoadIndex(ctx, path, opts) // as after a crash: no save since
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.Document("b.txt"); err != nil {
		t.Errorf("upsert not durable: %v", err)
	}
	if _, err := got.Document("a.txt"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("remove not durable: %v", err)
	}
}
