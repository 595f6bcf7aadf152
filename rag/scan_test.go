package rag

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestDotsInt8MatchesPortableKernel(t *testing.T) {
	var names []string
	for _, k := range int8Kernels() {
		names = append(names, k.name)
	}
	t.Logf("kernels this CPU runs, each checked: %v", names) // the others are not tested on this machine
	rng := rand.New(rand.NewPCG(1, 2))
	for _, stride := range []int{16, 32, 48, 64, 80, 128, 368} {
		rows := 37
		q := make([]int8, stride)
		codes := make([]int8, rows*stride)
		for i := range q {
			q[i] = int8(rng.IntN(255) - 127)
		}
		for i := range codes {
			codes[i] = int8(rng.IntN(255) - 127)
		}
		codes[0], q[0] = -127, -127 // the extremes multiply without overflow
		qc := newQueryCode(q)
		want := make([]int32, rows)
		dotsInt8Go(qc, codes, stride, want)
		for _, k := range int8Kernels() {
			got := make([]int32, rows)
			k.run(qc, codes, stride, got)
			for r := range got {
				if got[r] != want[r] {
					t.Fatalf("%s, stride %d row %d: kernel %d, portable %d", k.name, stride, r, got[r], want[r])
				}
			}
		}
	}
}

func TestQuantizedSearchRanksAsExactScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const dim, rows = 356, 20000
	var m matrix
	vec := func() []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	for range rows {
		m.add(vec())
	}
	for slot := 0; slot < rows; slot += 7 {
		m.remove(slot)
	}
	const k = 10
	hits, total := 0, 0
	for range 50 {
		// A query near a stored row, as a question near its passage.
		q := append([]float32(nil), m.row(1+rng.IntN(rows/7)*7)...)
		for i := range q {
			q[i] += 0.05 * float32(rng.NormFloat64())
		}
		normalizeInPlace(q)
		got, want := m.search(q, k), m.exact(q, k)
		in := map[int]bool{}
		for _, s := range want {
			in[s.slot] = true
		}
		for _, s := range got {
			if s.slot%7 == 0 {
				t.Fatalf("removed slot %d ranked", s.slot)
			}
			if in[s.slot] {
				hits++
			}
		}
		total += len(want)
		if got[0].slot != want[0].slot || got[0].score != want[0].score {
			t.Fatalf("best: quantized %+v, exact %+v", got[0], want[0])
		}
	}
	if recall := float64(hits) / float64(total); recall < 0.99 {
		t.Fatalf("recall@%d against the exact scan %.3f, want ≥ 0.99", k, recall)
	}
}

// BenchmarkDotsInt8 runs each kernel this CPU has over rows the size of
// the default embedder's, held in the caches and read from memory.
func BenchmarkDotsInt8(b *testing.B) {
	const stride = 368
	q := make([]int8, stride)
	for i := range q {
		q[i] = int8(i%200 - 100)
	}
	qc := newQueryCode(q)
	for _, rows := range []int{512, 1 << 18} {
		codes := make([]int8, rows*stride)
		for i := range codes {
			codes[i] = int8(i*7%250 - 125)
		}
		out := make([]int32, blockRows)
		for _, k := range int8Kernels() {
			b.Run(fmt.Sprintf("%s/rows=%d", k.name, rows), func(b *testing.B) {
				b.SetBytes(int64(rows * stride))
				for b.Loop() {
					for r := 0; r < rows; r += blockRows {
						n := min(blockRows, rows-r)
						k.run(qc, codes[r*stride:(r+n)*stride], stride, out[:n])
					}
				}
			})
		}
	}
}
