package rag

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

const (
	docA = "Harbour Authority Opens New Ferry Terminal in the North\n\nThe new terminal opened on Tuesday after three years of building. It serves twelve routes across the bay."
	docB = "City Council Approves a Larger Budget for Parks\n\nThe council voted nine to two for the budget. Three new parks will open next spring."
)

func TestSyncIsIncremental(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "a.txt"), docA)
	mustWrite(t, filepath.Join(dir, "nested", "deeper", "b.TXT"), docB)
	mustWrite(t, filepath.Join(dir, "ignored.bin"), "binary")
	mustWrite(t, filepath.Join(dir, ".hidden", "c.txt"), docB)
	var embedded atomic.Int64
	ix := NewIndex(IndexOptions{Embedder: countingEmbedder(&embedded)})

	rep, err := ix.Sync(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.txt", "nested/deeper/b.TXT"}; !reflect.DeepEqual(rep.Added, want) {
		t.Fatalf("added %v, want %v", rep.Added, want)
	}
	first := embedded.Load()
	if first == 0 || first != int64(ix.Stats().Chunks) {
		t.Fatalf("embedded %d passages for %d chunks", first, ix.Stats().Chunks)
	}

	// Unchanged: no embedding work at all.
	rep, err = ix.Sync(ctx, dir, nil)
	if err != nil || rep.Changed() || rep.Unchanged != 2 || embedded.Load() != first {
		t.Fatalf("resync: %+v, %v, embedded %d more", rep, err, embedded.Load()-first)
	}

	// Changed: only that document is re-embedded, and its old chunks go.
	mustWrite(t, filepath.Join(dir, "a.txt"), strings.Replace(docA, "twelve routes", "fifteen routes", 1))
	rep, err = ix.Sync(ctx, dir, nil)
	if err != nil || !reflect.DeepEqual(rep.Updated, []string{"a.txt"}) {
		t.Fatalf("update: %+v %v", rep, err)
	}
	a, _ := ix.Document("a.txt")
	if got := embedded.Load() - first; got != int64(len(a.Chunks)) {
		t.Errorf("update embedded %d passages, want %d", got, len(a.Chunks))
	}
	if ps, _ := ix.Search(ctx, "twelve routes", 5); len(ps) > 0 && strings.Contains(ps[0].Text, "twelve") {
		t.Errorf("old text still found: %+v", ps[0])
	}
	if ps, _ := ix.Search(ctx, "fifteen routes", 1); len(ps) != 1 || !strings.Contains(ps[0].Text, "fifteen") {
		t.Errorf("new text not found: %+v", ps)
	}

	// Removed: the file's document and chunks leave the index.
	if err := os.Remove(filepath.Join(dir, "nested", "deeper", "b.TXT")); err != nil {
		t.Fatal(err)
	}
	rep, err = ix.Sync(ctx, dir, nil)
	if err != nil || !reflect.DeepEqual(rep.Removed, []string{"nested/deeper/b.TXT"}) {
		t.Fatalf("remove: %+v %v", rep, err)
	}
	if _, err := ix.Document("nested/deeper/b.TXT"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("removed document still there: %v", err)
	}
	if st := ix.Stats(); st.Documents != 1 || st.Chunks != len(a.Chunks) || ix.coll.Count() != st.Chunks {
		t.Errorf("stats %+v, vectors %d", st, ix.coll.Count())
	}
	if ps, _ := ix.Search(ctx, "council budget parks", 5); len(ps) != 0 && ps[0].DocID != "a.txt" {
		t.Errorf("removed document found: %+v", ps)
	}
}

func TestSyncReportsUnreadableFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "good.txt"), docA)
	mustWrite(t, filepath.Join(dir, "broken.pdf"), "not a pdf")
	mustWrite(t, filepath.Join(dir, "empty.md"), "   \n")
	ix := NewIndex(IndexOptions{})
	rep, err := ix.Sync(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Added) != 1 || len(rep.Skipped) != 2 {
		t.Errorf("report %+v", rep)
	}
	if _, err := ix.Sync(context.Background(), filepath.Join(dir, "missing"), nil); ErrorCode(err) != EINVALID {
		t.Errorf("missing corpus: %v", err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "index.gob")
	src := mustSeedIndex(t)
	if err := src.Save(path); err != nil {
		t.Fatal(err)
	}
	var embedded atomic.Int64
	opts := IndexOptions{Embedder: countingEmbedder(&embedded)}
	loaded, reembedded, err := LoadIndex(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if reembedded || embedded.Load() != 0 {
		t.Errorf("load re-embedded %d passages", embedded.Load())
	}
	if loaded.Stats() != src.Stats() || loaded.CorpusDir() != src.CorpusDir() {
		t.Errorf("stats %+v vs %+v", loaded.Stats(), src.Stats())
	}
	for _, q := range []string{"Caspian drills", "Who wrote the analysis?", "Shahed drones"} {
		a, _ := src.Search(ctx, q, 5)
		b, _ := loaded.Search(ctx, q, 5)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%q: results differ after reload", q)
		}
	}
	// A sync against the same corpus finds nothing to do.
	rep, err := loaded.Sync(ctx, "../seeds", nil)
	if err != nil || rep.Changed() || embedded.Load() != 0 {
		t.Errorf("sync after load: %+v %v, embedded %d", rep, err, embedded.Load())
	}
	// No temporary files are left beside the snapshot.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries", len(entries))
	}
}

func TestLoadWithAnotherEmbedderReembeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "index.gob")
	src := mustSeedIndex(t)
	if err := src.Save(path); err != nil {
		t.Fatal(err)
	}
	var embedded atomic.Int64
	other := countingEmbedder(&embedded)
	other.Name = "other-model"
	ix, reembedded, err := LoadIndex(ctx, path, IndexOptions{Embedder: other})
	if err != nil {
		t.Fatal(err)
	}
	if !reembedded || embedded.Load() != int64(src.Stats().Chunks) {
		t.Errorf("reembedded=%v, %d passages for %d chunks", reembedded, embedded.Load(), src.Stats().Chunks)
	}
	var ids []string
	for _, d := range ix.Documents() {
		ids = append(ids, d.ID)
	}
	if !sort.StringsAreSorted(ids) || len(ids) != 5 {
		t.Errorf("documents %v", ids)
	}
	// Changing the chunking re-chunks too.
	ix2, reembedded, err := LoadIndex(ctx, path, IndexOptions{Chunk: ChunkOptions{Size: 300, Overlap: 50}})
	if err != nil || !reembedded || ix2.Stats().Chunks <= src.Stats().Chunks {
		t.Errorf("rechunk: %v %v %+v", reembedded, err, ix2.Stats())
	}
}

// TestStaleSnapshot: a snapshot made with another layout, text analysis,
// embedder or chunking is indexed again from its documents rather than
// trusted.
func TestStaleSnapshot(t *testing.T) {
	t.Parallel()
	opts := IndexOptions{Embedder: Embedder{Name: "e"}, Chunk: ChunkOptions{Size: 800, Overlap: 150}}
	fresh := snapshotHeader{Version: snapshotVersion, Analysis: textAnalysis, Embedder: "e", Chunk: opts.Chunk}
	if fresh.stale(opts) {
		t.Error("a snapshot of this build is stale")
	}
	for name, change := range map[string]func(*snapshotHeader){
		"layout":   func(h *snapshotHeader) { h.Version-- },
		"analysis": func(h *snapshotHeader) { h.Analysis = 0 },
		"embedder": func(h *snapshotHeader) { h.Embedder = "other" },
		"chunking": func(h *snapshotHeader) { h.Chunk.Size = 300 },
	} {
		h := fresh
		change(&h)
		if !h.stale(opts) {
			t.Errorf("another %s: not stale", name)
		}
	}
}

// TestLoadOlderAnalysisReindexes: a snapshot whose postings another text
// analysis made is indexed again when loaded, not trusted.
func TestLoadOlderAnalysisReindexes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "index.gob")
	src := mustSeedIndex(t)
	src.mu.RLock()
	snap := src.snapshot()
	src.mu.RUnlock()
	snap.Analysis = textAnalysis - 1
	if err := writeAtomic(path, snap.encode); err != nil {
		t.Fatal(err)
	}
	ix, reindexed, err := LoadIndex(context.Background(), path, IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reindexed || ix.Stats().Chunks != src.Stats().Chunks {
		t.Errorf("reindexed=%v, %d chunks for %d", reindexed, ix.Stats().Chunks, src.Stats().Chunks)
	}
	// Saved and loaded again, it is this build's and trusted.
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, reindexed, err := LoadIndex(context.Background(), path, IndexOptions{}); err != nil || reindexed {
		t.Errorf("second load: reindexed=%v, err %v", reindexed, err)
	}
}

func TestLoadCorruptSnapshot(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "index.gob")
	mustWrite(t, path, "garbage")
	if _, _, err := LoadIndex(context.Background(), path, IndexOptions{}); err == nil || !strings.Contains(err.Error(), "rag repair") || strings.Contains(err.Error(), "delete") {
		t.Errorf("corrupt snapshot: %v", err)
	}
	ix, _, err := LoadIndex(context.Background(), filepath.Join(t.TempDir(), "none.gob"), IndexOptions{})
	if err != nil || ix.Stats().Documents != 0 {
		t.Errorf("missing snapshot: %v", err)
	}
}

func TestUpsertEmbedderFailureLeavesIndexUnchanged(t *testing.T) {
	t.Parallel()
	e := LocalEmbedder()
	e.Documents = func(context.Context, []string) ([][]float32, error) { return nil, os.ErrDeadlineExceeded }
	ix := NewIndex(IndexOptions{Embedder: e})
	if _, err := ix.Upsert(context.Background(), []*Document{NewDocument("a", docA)}, nil); err == nil {
		t.Fatal("no error from failing embedder")
	}
	if st := ix.Stats(); st.Documents != 0 || st.Chunks != 0 {
		t.Errorf("index changed: %+v", st)
	}
}
