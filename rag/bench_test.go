package rag

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/ragteam/rag/internal/synth"
)

var (
	benchOnce sync.Once
	benchIx   *Index
)

// benchIndex is a synthetic index of about 10,000 chunks.
func benchIndex(b *testing.B) *Index {
	benchOnce.Do(func() {
		c := synth.New(1, 30000)
		docs := make([]*Document, 2500)
		for i := range docs {
			docs[i] = NewDocument(fmt.Sprintf("doc%05d.txt", i), c.Document(3000))
		}
		benchIx = NewIndex(IndexOptions{})
		if _, err := benchIx.Upsert(context.Background(), docs, nil); err != nil {
			panic(err)
		}
	})
	return benchIx
}

func BenchmarkIngest(b *testing.B) {
	c := synth.New(2, 30000)
	docs := make([]*Document, 250)
	for i := range docs {
		docs[i] = NewDocument(fmt.Sprintf("doc%05d.txt", i), c.Document(3000))
	}
	b.ResetTimer()
	chunks := 0
	for b.Loop() {
		ix := NewIndex(IndexOptions{})
		for _, d := range docs {
			d.Hash += "x" // force re-embedding
		}
		ix.Upsert(context.Background(), docs, nil)
		chunks += ix.Stats().Chunks
	}
	b.ReportMetric(float64(chunks)/b.Elapsed().Seconds(), "chunks/s")
}

func BenchmarkSearch(b *testing.B) {
	ix := benchIndex(b)
	c := synth.New(3, 30000)
	queries := make([]string, 256)
	for i := range queries {
		queries[i] = c.Query()
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		ix.Search(context.Background(), queries[i%len(queries)], 5)
		i++
	}
}

// BenchmarkSearchQuestions searches with questions shaped as users type
// them, whose question words the synthetic corpus lacks and resolves.
func BenchmarkSearchQuestions(b *testing.B) {
	ix := benchIndex(b)
	c := synth.New(3, 30000)
	queries := make([]string, 4096)
	for i := range queries {
		queries[i] = c.Question()
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ix.Search(context.Background(), queries[i%len(queries)], 5)
		i++
	}
}

// BenchmarkDense is the dense part (the int8 pass and the float32
// rescoring) beside BenchmarkDenseExact, every float32 row scored, and
// BenchmarkScan, the int8 kernel alone.
func BenchmarkDense(b *testing.B) {
	ix := benchIndex(b)
	q, _ := ix.opts.Embedder.Query(context.Background(), "harbour report", nil)
	for b.Loop() {
		ix.DenseScan(q, 20)
	}
}

func BenchmarkDenseExact(b *testing.B) {
	ix := benchIndex(b)
	q, _ := ix.opts.Embedder.Query(context.Background(), "harbour report", nil)
	for b.Loop() {
		ix.ExactScan(q, 20)
	}
}

func BenchmarkScan(b *testing.B) {
	ix := benchIndex(b)
	q, _ := ix.opts.Embedder.Query(context.Background(), "harbour report", nil)
	var read int64
	for b.Loop() {
		_, read = ix.BareScan(q)
	}
	b.SetBytes(read)
}

// BenchmarkReplayFullChangeLog loads a snapshot-less index from a change
// log at its folding size (maxLogBytes) of 3,000-word uploads: the most a
// restart replays before the log is folded into a snapshot.
func BenchmarkReplayFullChangeLog(b *testing.B) {
	path := b.TempDir() + "/index.gob"
	ix := NewIndex(IndexOptions{})
	c := synth.New(4, 30000)
	var logged int64
	for i := 0; logged < maxLogBytes*95/100; i++ {
		if _, err := ix.upsert(context.Background(), path, []*Document{NewDocument(fmt.Sprintf("u%05d.txt", i), c.Document(3000))}, nil); err != nil {
			b.Fatal(err)
		}
		if st, err := os.Stat(logPath(path)); err == nil {
			logged = st.Size()
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := LoadIndex(context.Background(), path, IndexOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(logged)/(1<<20), "log-MB")
}
