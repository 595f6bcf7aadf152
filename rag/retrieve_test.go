package rag

import (
	"context"
	"fmt"
	"math"
	"testing"
)

func TestFusion(t *testing.T) {
	t.Parallel()
	dense := Ranked{{slot: 1, score: 0.9}, {slot: 2, score: 0.45}}
	lexical := Ranked{{slot: 2, score: 10}, {slot: 3, score: 5}}
	rrf := RRF(60)(dense, lexical)
	if want := 1/61.0 + 0; math.Abs(rrf[1]-want) > 1e-12 {
		t.Errorf("rrf[1] = %v, want %v", rrf[1], want)
	}
	if want := 1/62.0 + 1/61.0; math.Abs(rrf[2]-want) > 1e-12 {
		t.Errorf("rrf[2] = %v, want %v", rrf[2], want)
	}
	w := Weighted(0.3)(dense, lexical)
	for slot, want := range map[int]float64{1: 0.3, 2: 0.3*0.5 + 0.7, 3: 0.7 * 0.5} {
		if math.Abs(w[slot]-want) > 1e-12 {
			t.Errorf("weighted[%d] = %v, want %v", slot, w[slot], want)
		}
	}
	if _, err := ParseFusion("weighted:2"); ErrorCode(err) != EINVALID {
		t.Errorf("weighted:2: %v", err)
	}
	if _, err := ParseFusion("magic"); ErrorCode(err) != EINVALID {
		t.Errorf("magic: %v", err)
	}
	for _, ok := range []string{"weighted", "weighted:0.7", "rrf", "rrf:10", "dense", "lexical"} {
		if _, err := ParseFusion(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

func TestSearchSeeds(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	ctx := context.Background()
	ps, err := ix.Search(ctx, "Which trainer aircraft did Iran order?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[0].DocID != "002_205ed1443b1eb88e.txt" {
		t.Fatalf("passages = %+v", ps)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Score > ps[i-1].Score {
			t.Errorf("passages out of order: %v then %v", ps[i-1].Score, ps[i].Score)
		}
	}
	// More passages than chunks: chromem-go must not be asked for more than it holds.
	all, err := ix.Search(ctx, "Iran Russia", MaxTopK)
	if err != nil || len(all) == 0 || len(all) > ix.Stats().Chunks {
		t.Errorf("top-k over the chunk count: %d passages, %v", len(all), err)
	}
	for _, bad := range []int{0, -1, MaxTopK + 1} {
		if _, err := ix.Search(ctx, "Iran", bad); ErrorCode(err) != EINVALID {
			t.Errorf("k=%d: err %v", bad, err)
		}
	}
	if _, err := ix.Search(ctx, "  ", 3); ErrorCode(err) != EINVALID {
		t.Errorf("empty query: %v", err)
	}
	if ps, err := ix.Search(ctx, "the of and", 3); err != nil || len(ps) != 0 {
		t.Errorf("stop words only: %v %v", ps, err)
	}
}

func TestSearchEmptyIndex(t *testing.T) {
	t.Parallel()
	ps, err := NewIndex(IndexOptions{}).Search(context.Background(), "anything", 5)
	if err != nil || len(ps) != 0 {
		t.Errorf("empty index: %v %v", ps, err)
	}
}

// The hybrid ranking finds what either part alone would: a misspelt word
// reaches its passage through the embedder's character n-grams.
func TestSearchToleratesTypos(t *testing.T) {
	t.Parallel()
	ps, err := mustSeedIndex(t).Search(context.Background(), "Kazem Jalaly ambassader", 3)
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].DocID != "001_d85a46f5a13e0507.txt" {
		t.Errorf("top passage %s", ps[0].ChunkID)
	}
}

// A search restricted to documents finds passages of those alone, its
// dense side through chromem-go's metadata filter.
func TestSearchRestrictedToDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := mustSeedIndex(t)
	all, _ := ix.Search(ctx, "Caspian naval drills", 5)
	only := "003_6f711b8ee9a9380c.txt"
	if len(all) == 0 || all[0].DocID == only {
		t.Fatalf("the unrestricted search should lead elsewhere: %+v", all)
	}
	ps, _, err := ix.search(ctx, "Caspian naval drills", 5, []string{only})
	if err != nil || len(ps) == 0 {
		t.Fatalf("%v %+v", err, ps)
	}
	for _, p := range ps {
		if p.DocID != only {
			t.Errorf("passage of %s in a search restricted to %s", p.DocID, only)
		}
	}
	ix.mu.RLock()
	dense, err := ix.denseIn(ctx, mustVector(t, ix, "Caspian naval drills"), []string{only}, 5)
	ix.mu.RUnlock()
	if err != nil || len(dense) == 0 {
		t.Errorf("chromem-go's filtered ranking: %v %v", err, dense)
	}
	for _, r := range dense {
		if d := ix.slots[r.slot].doc.ID; d != only {
			t.Errorf("chromem-go's filter let a chunk of %s through", d)
		}
	}
	if _, _, err := ix.search(ctx, "drills", 5, []string{"none.txt"}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("unknown document: %v", err)
	}
	e := NewEngine(ix)
	a, err := e.Ask(ctx, Query{Question: "What did Russia and Iran agree on?", DocIDs: []string{only}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.Citations {
		if c.DocID != only {
			t.Errorf("citation of %s in an answer restricted to %s", c.DocID, only)
		}
	}
}

func mustVector(t *testing.T, ix *Index, q string) []float32 {
	t.Helper()
	v, err := ix.opts.Embedder.Query(context.Background(), q, nil)
	if err != nil {
		t.Fatal(err)
	}
	normalizeInPlace(v)
	return v
}

// More chunks than one batch to chromem-go: every batch reaches it, so
// a restricted search finds a document from the last one.
func TestCollectionHoldsEveryBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ix := NewIndex(IndexOptions{})
	var docs []*Document
	for i := range collectionBatch + collectionBatch/2 {
		docs = append(docs, NewDocument(fmt.Sprintf("note-%04d.txt", i), fmt.Sprintf("Field note %d: the heron count at pond %d was %d.", i, i%37, i%11)))
	}
	if _, err := ix.Upsert(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := ix.coll.Count(), ix.Stats().Chunks; got != want || want < len(docs) {
		t.Fatalf("chromem-go holds %d chunks, the index %d", got, want)
	}
	last := docs[len(docs)-1].ID
	ps, _, err := ix.search(ctx, "heron count", 3, []string{last})
	if err != nil || len(ps) == 0 || ps[0].DocID != last {
		t.Fatalf("restricted to %s: %v %+v", last, err, ps)
	}
}
