package rag

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

var (
	seedOnce  sync.Once
	seedIndex *Index
	seedErr   error
)

// mustSeedIndex returns an index of the seeds corpus, built once per test
// binary. Tests must not change it.
func mustSeedIndex(tb testing.TB) *Index {
	tb.Helper()
	seedOnce.Do(func() {
		seedIndex = NewIndex(IndexOptions{})
		_, seedErr = seedIndex.Sync(context.Background(), "../seeds", nil)
	})
	if seedErr != nil {
		tb.Fatalf("index seeds: %v", seedErr)
	}
	return seedIndex
}

// countingEmbedder wraps the local embedder and counts the passages it
// embeds.
func countingEmbedder(n *atomic.Int64) Embedder {
	e := LocalEmbedder()
	inner := e.Documents
	e.Documents = func(ctx context.Context, texts []string) ([][]float32, error) {
		n.Add(int64(len(texts)))
		return inner(ctx, texts)
	}
	return e
}

func mustWrite(tb testing.TB, path, text string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func mustReadSeed(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("../seeds", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
