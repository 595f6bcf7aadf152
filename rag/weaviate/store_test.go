//go:build weaviate

package weaviate

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ragteam/rag/rag"
)

// testStore connects to the server `make weaviate-test` started, in a
// collection of the test's own.
func testStore(t *testing.T, name string) *Store {
	t.Helper()
	url := os.Getenv("RAG_WEAVIATE_TEST_URL")
	if url == "" {
		t.Fatal("RAG_WEAVIATE_TEST_URL is not set: run these tests with `make weaviate-test`, which starts Weaviate")
	}
	s, err := New(context.Background(), Config{URL: url, Collection: fmt.Sprintf("%s%d", name, time.Now().UnixNano()), Fusion: "weighted", Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unit(dim, hot int) []float32 {
	v := make([]float32, dim)
	v[hot] = 1
	return v
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := testStore(t, "RoundTrip")
	chunks := []rag.RemoteChunk{
		{Key: "a#0\x00h1\x00A", ChunkID: "a#0", DocID: "a.txt", Title: "A", Start: 0, End: 20, Text: "harbour cranes idle", Terms: "harbour crane idl", Vector: unit(8, 0)},
		{Key: "a#1\x00h1\x00A", ChunkID: "a#1", DocID: "a.txt", Title: "A", Start: 15, End: 40, Text: "for loops range over", Terms: "for loop rang", Vector: unit(8, 1)},
		{Key: "b#0\x00h2\x00B", ChunkID: "b#0", DocID: "b.txt", Title: "B", Start: 0, End: 30, Text: "the harbour master", Terms: "harbour master", Vector: unit(8, 2)},
	}
	if err := s.Put(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if want := []string{chunks[0].Key, chunks[1].Key, chunks[2].Key}; !slices.Equal(keys, want) {
		t.Fatalf("keys %q, want %q", keys, want)
	}

	for _, tc := range []struct {
		name  string
		q     rag.RemoteQuery
		first string
		n     int
	}{
		{"hybrid", rag.RemoteQuery{Terms: "harbour master", Vector: unit(8, 2), Limit: 3}, "b#0", 3},
		{"keywords alone, a word English lists call a stop word", rag.RemoteQuery{Terms: "for", Limit: 3}, "a#1", 1},
		{"vector alone", rag.RemoteQuery{Vector: unit(8, 1), Limit: 1}, "a#1", 1},
		{"filtered to a document", rag.RemoteQuery{Terms: "harbour", Vector: unit(8, 2), Limit: 3, Docs: []string{"a.txt"}}, "a#0", 1},
	} {
		hits, err := s.Search(ctx, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(hits) < tc.n || hits[0].ChunkID != tc.first {
			t.Fatalf("%s: hits %+v, want %s first", tc.name, hits, tc.first)
		}
		for _, h := range hits {
			if tc.q.Docs != nil && h.DocID != tc.q.Docs[0] {
				t.Fatalf("%s: hit %s outside the filter", tc.name, h.ChunkID)
			}
		}
	}
	hits, _ := s.Search(ctx, rag.RemoteQuery{Terms: "harbour master", Vector: unit(8, 2), Limit: 1})
	h := hits[0]
	if h.Key != chunks[2].Key || h.DocID != "b.txt" || h.Title != "B" || h.Start != 0 || h.End != 30 || h.Text != "the harbour master" || h.Score <= 0 {
		t.Fatalf("hit not as stored: %+v", h)
	}

	if err := s.Delete(ctx, []string{chunks[0].Key, chunks[1].Key}); err != nil {
		t.Fatal(err)
	}
	if keys, _ = s.Keys(ctx); !slices.Equal(keys, []string{chunks[2].Key}) {
		t.Fatalf("after delete: keys %q", keys)
	}
}

// TestKeysPagesThroughLargeCollections stores more chunks than one page
// of the cursor holds.
func TestKeysPagesThroughLargeCollections(t *testing.T) {
	ctx := context.Background()
	s := testStore(t, "Pages")
	var chunks []rag.RemoteChunk
	for i := range 2345 {
		chunks = append(chunks, rag.RemoteChunk{Key: fmt.Sprintf("d#%d", i), ChunkID: fmt.Sprintf("d#%d", i), DocID: "d.txt", Text: "x", Terms: "x", Vector: unit(4, i%4)})
	}
	if err := s.Put(ctx, chunks); err != nil {
		t.Fatal(err)
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(chunks) {
		t.Fatalf("%d keys, stored %d", len(keys), len(chunks))
	}
}
