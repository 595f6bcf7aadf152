package rag

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestReplacingADocumentGivesItsMemoryBack(t *testing.T) {
	// Not parallel: the heap it measures is the whole process's, and other
	// tests allocate (and fill shared caches) while they run.
	ctx := context.Background()
	ix := NewIndex(IndexOptions{Embedder: tinyEmbedder()})
	ix.Upsert(ctx, []*Document{NewDocument("other.txt", docA)}, nil)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var h0 uint64
	const rounds = 600
	for i := range rounds {
		var b strings.Builder
		for j := range 250 {
			fmt.Fprintf(&b, "Paragraph %d of version %d speaks of ferries and harbours. ", j, i)
			if j%5 == 4 {
				b.WriteString("\n\n")
			}
		}
		if _, err := ix.Upsert(ctx, []*Document{NewDocument("same.txt", b.String())}, nil); err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			h0 = heap()
		}
	}
	st := ix.Stats()
	ix.mu.RLock()
	slots, live := len(ix.slots), ix.lex.live
	ix.mu.RUnlock()
	if slots > 2*live+compactMinDead {
		t.Errorf("%d slots held for %d live chunks after %d replacements", slots, live, rounds)
	}
	if ix.coll.Count() != st.Chunks {
		t.Errorf("vector store holds %d rows for %d chunks", ix.coll.Count(), st.Chunks)
	}
	ps, err := ix.Search(ctx, fmt.Sprintf("version %d ferries", rounds-1), 3)
	if err != nil || len(ps) == 0 || ps[0].DocID != "same.txt" {
		t.Errorf("search after compaction: %v %+v", err, ps)
	}
	if _, err := ix.Document("other.txt"); err != nil {
		t.Error(err)
	}
	// Without compaction the old versions' text and vectors stay: about
	// 9 MB here. With it the heap stays where it was after ten.
	if after := heap(); after > h0+4<<20 {
		t.Errorf("heap grew from %.1f MB to %.1f MB over %d replacements", float64(h0)/(1<<20), float64(after)/(1<<20), rounds)
	}
	t.Logf("%d replacements of a document (%d chunks in the index): %d slots held; heap %.1f MB after 10, %.1f MB after all",
		rounds, st.Chunks, slots, float64(h0)/(1<<20), float64(heap())/(1<<20))
}
