package rag

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// tinyEmbedder is fast and deterministic, for tests about storage at scale.
func tinyEmbedder() Embedder {
	vec := func(s string) []float32 {
		v := make([]float32, 8)
		for i, r := range s {
			v[(i+int(r))%8] += float32(r % 7)
		}
		v[0]++
		return v
	}
	return Embedder{
		Name: "tiny-8",
		Documents: func(_ context.Context, texts []string) ([][]float32, error) {
			out := make([][]float32, len(texts))
			for i, t := range texts {
				out[i] = vec(t)
			}
			return out, nil
		},
		Query: func(_ context.Context, text string, _ TermWeight) ([]float32, error) { return vec(text), nil },
	}
}

func TestChangeLogReplaysAfterSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "index.gob")
	ix := NewIndex(IndexOptions{})
	a, b := NewDocument("a.txt", docA), NewDocument("b.txt", docB)
	ix.Upsert(ctx, []*Document{a}, nil)
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	b.Origin = OriginUpload
	if _, err := ix.upsert(ctx, path, []*Document{b}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.remove(ctx, path, "a.txt"); err != nil {
		t.Fatal(err)
	}
	got, _, err := LoadIndex(ctx, path, IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.Document("a.txt"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("deleted document came back: %v", err)
	}
	d, err := got.Document("b.txt")
	if err != nil || d.Origin != OriginUpload || got.Stats() != ix.Stats() {
		t.Fatalf("b.txt %v %+v; stats %+v vs %+v", err, d, got.Stats(), ix.Stats())
	}
	ps, _ := got.Search(ctx, "council budget parks", 1)
	if len(ps) != 1 || ps[0].DocID != "b.txt" {
		t.Errorf("search after replay: %+v", ps)
	}
	// A full save folds the log in and clears it.
	if err := got.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(logPath(path)); !os.IsNotExist(err) {
		t.Errorf("log still there: %v", err)
	}
}

func TestTornLogTailIsDropped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "index.gob")
	ix := NewIndex(IndexOptions{})
	for i, text := range []string{docA, docB} {
		d := NewDocument(fmt.Sprintf("d%d.txt", i), text)
		if _, err := ix.upsert(ctx, path, []*Document{d}, nil); err != nil {
			t.Fatal(err)
		}
	}
	full, _ := os.ReadFile(logPath(path))
	first, _, _ := LoadIndex(ctx, path, IndexOptions{})
	if first.Stats().Documents != 2 {
		t.Fatalf("replayed %d documents", first.Stats().Documents)
	}
	// Cut the file inside the second record, as a crash mid-append would.
	for _, cut := range []int{len(full) - 1, len(full) - 40, len(full)/2 + 20} {
		os.WriteFile(logPath(path), full[:cut], 0o644)
		got, _, err := LoadIndex(ctx, path, IndexOptions{})
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if got.Stats().Documents != 1 {
			t.Errorf("cut at %d of %d: %d documents", cut, len(full), got.Stats().Documents)
		}
		if _, err := got.Document("d0.txt"); err != nil {
			t.Errorf("cut at %d: the whole first record was lost", cut)
		}
		// The log is cut back to the end of the last whole record.
		if st, _ := os.Stat(logPath(path)); st.Size() >= int64(cut) {
			t.Errorf("cut at %d: torn tail left in place (%d bytes)", cut, st.Size())
		}
	}
}

func TestHundredThousandDocumentsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("large round trip")
	}
	ctx := context.Background()
	ix := NewIndex(IndexOptions{Embedder: tinyEmbedder()})
	const n = 100_000
	docs := make([]*Document, n)
	for i := range docs {
		docs[i] = &Document{ID: fmt.Sprintf("d/%06d.txt", i), Title: "t", Text: "note " + strconv.Itoa(i) + " harbour", Hash: strconv.Itoa(i), Origin: OriginUpload}
	}
	if _, err := ix.Upsert(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "index.gob")
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	got, reembedded, err := LoadIndex(ctx, path, IndexOptions{Embedder: tinyEmbedder()})
	if err != nil || reembedded {
		t.Fatal(err, reembedded)
	}
	if st := got.Stats(); st.Documents != n || st.Chunks != n || got.coll.Count() != n {
		t.Fatalf("stats %+v, vectors %d", st, got.coll.Count())
	}
	for _, i := range []int{0, 1, 4242, 77777, n - 1} {
		id := fmt.Sprintf("d/%06d.txt", i)
		d, err := got.Document(id)
		if err != nil || d.Text != docs[i].Text {
			t.Errorf("%s: %v %q", id, err, d.Text)
		}
		ps, err := got.Search(ctx, "note "+strconv.Itoa(i), 1)
		if err != nil || len(ps) != 1 || ps[0].DocID != id {
			t.Errorf("search for %s: %v %+v", id, err, ps)
		}
	}
}

// crashChild is run by TestCrashDuringSaveLeavesASnapshot in a child
// process: it saves and logs changes in a loop until it is killed.
func crashChild(dir string) {
	ctx := context.Background()
	path := filepath.Join(dir, "index.gob")
	ix, _, err := LoadIndex(ctx, path, IndexOptions{Embedder: tinyEmbedder()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	for i := 0; ; i++ {
		docs := make([]*Document, 200)
		for j := range docs {
			docs[j] = &Document{ID: fmt.Sprintf("r%d/%d.txt", i, j), Title: "t", Text: fmt.Sprintf("round %d document %d", i, j), Hash: "h", Origin: OriginUpload}
		}
		if i%3 == 0 {
			ix.Upsert(ctx, docs, nil)
			ix.Save(path)
		} else {
			ix.upsert(ctx, path, docs, nil)
		}
		// Tell the parent which rounds are acknowledged (durable).
		os.WriteFile(filepath.Join(dir, "acked"), []byte(strconv.Itoa(i)), 0o644)
	}
}

func TestMain(m *testing.M) {
	if dir := os.Getenv("RAG_CRASH_CHILD"); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

func TestCrashDuringSaveLeavesASnapshot(t *testing.T) {
	t.Parallel()
	for trial, delay := range []time.Duration{150, 400, 900} {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "RAG_CRASH_CHILD="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay * time.Millisecond)
		cmd.Process.Kill() // SIGKILL: no chance to finish a write
		cmd.Wait()
		ix, _, err := LoadIndex(context.Background(), filepath.Join(dir, "index.gob"), IndexOptions{Embedder: tinyEmbedder()})
		if err != nil {
			t.Fatalf("trial %d: the index does not load after a crash: %v", trial, err)
		}
		// Every document present is whole: its chunks and vectors agree.
		for _, d := range ix.Documents() {
			if len(d.Chunks) == 0 || d.Text == "" {
				t.Errorf("trial %d: half-written document %s", trial, d.ID)
			}
		}
		b, _ := os.ReadFile(filepath.Join(dir, "acked"))
		acked, err := strconv.Atoi(string(b))
		if err != nil {
			continue // killed before the first acknowledgement
		}
		// Round acked was made durable before it was acknowledged.
		for _, id := range []string{fmt.Sprintf("r%d/0.txt", acked), fmt.Sprintf("r%d/1.txt", acked)} {
			if _, err := ix.Document(id); err != nil {
				t.Errorf("trial %d: acknowledged %s lost: %v", trial, id, err)
			}
		}
		entries, _ := os.ReadDir(dir)
		t.Logf("trial %d: killed after round %d; %d documents load; files %d", trial, acked, ix.Stats().Documents, len(entries))
	}
}
