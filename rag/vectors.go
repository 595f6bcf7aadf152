package rag

import (
	"container/heap"
	"math"
	"runtime"
	"sync"
)

// blockRows is how many vectors one block of the matrix holds. Blocks are
// never reallocated, so the vectors handed to chromem-go stay shared with
// the matrix instead of being copied.
const blockRows = 4096

// matrix holds unit vectors by slot, in fixed blocks of contiguous
// float32s, for a scan that runs at memory speed.
type matrix struct {
	dim    int
	blocks [][]float32
	rows   int    // slots allocated
	live   []bool // by slot
}

// add stores v (normalised in place) as the next slot's row and returns
// the row, which aliases the matrix.
func (m *matrix) add(v []float32) []float32 {
	if m.dim == 0 {
		m.dim = len(v)
	}
	b, r := m.rows/blockRows, m.rows%blockRows
	if b == len(m.blocks) {
		m.blocks = append(m.blocks, make([]float32, blockRows*m.dim))
	}
	row := m.blocks[b][r*m.dim : (r+1)*m.dim : (r+1)*m.dim]
	copy(row, v)
	normalizeInPlace(row)
	m.rows++
	m.live = append(m.live, true)
	return row
}

func (m *matrix) row(slot int) []float32 {
	b, r := slot/blockRows, slot%blockRows
	return m.blocks[b][r*m.dim : (r+1)*m.dim]
}

func (m *matrix) remove(slot int) {
	if slot < len(m.live) {
		m.live[slot] = false
		clear(m.row(slot))
	}
}

func normalizeInPlace(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 || math.Abs(s-1) < 1e-6 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}

// dot is the inner product, unrolled by four.
func dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	n := len(a)
	b = b[:n]
	i := 0
	for ; i+4 <= n; i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// topK keeps the k best scores seen, as a min-heap.
type topK struct {
	k     int
	items []scored
}

func (h *topK) Len() int           { return len(h.items) }
func (h *topK) Less(i, j int) bool { return h.items[i].score < h.items[j].score }
func (h *topK) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *topK) Push(x any)         { h.items = append(h.items, x.(scored)) }
func (h *topK) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

func (h *topK) offer(slot int, score float64) {
	if len(h.items) < h.k {
		heap.Push(h, scored{slot: slot, score: score})
	} else if score > h.items[0].score {
		h.items[0] = scored{slot: slot, score: score}
		heap.Fix(h, 0)
	}
}

// minParallelRows is the smallest matrix worth splitting over goroutines.
const minParallelRows = 8192

// search scores every live row against the unit query q and returns the
// best limit, best first. Large matrices are split over the CPUs.
func (m *matrix) search(q []float32, limit int) Ranked {
	if m.rows == 0 || limit <= 0 {
		return nil
	}
	workers := 1
	if m.rows >= minParallelRows {
		workers = min(runtime.GOMAXPROCS(0), (m.rows+minParallelRows-1)/minParallelRows)
	}
	parts := make([]topK, workers)
	var wg sync.WaitGroup
	per := (m.rows + workers - 1) / workers
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			h := &parts[w]
			h.k = limit
			h.items = make([]scored, 0, limit)
			for slot := w * per; slot < min(m.rows, (w+1)*per); slot++ {
				if m.live[slot] {
					h.offer(slot, float64(dot(q, m.row(slot))))
				}
			}
		}(w)
	}
	wg.Wait()
	all := &topK{k: limit}
	for _, p := range parts {
		for _, it := range p.items {
			all.offer(it.slot, it.score)
		}
	}
	out := make(Ranked, len(all.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(all).(scored)
	}
	return out
}
