package rag

import (
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

// dot is the inner product of two vectors of the same length, unrolled
// by eight into independent sums (Go does not vectorise it for us).
func dot(a, b []float32) float32 {
	n := len(a)
	b = b[:n]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= n; i += 8 {
		x, y := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		s4 += x[4] * y[4]
		s5 += x[5] * y[5]
		s6 += x[6] * y[6]
		s7 += x[7] * y[7]
	}
	for ; i < n; i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7)
}

// topK keeps the k best scores seen: a min-heap once full, so a new
// score costs one comparison unless it beats the worst kept.
type topK struct {
	k     int
	items []scored
}

func (h *topK) offer(slot int, score float64) {
	if len(h.items) < h.k {
		h.items = append(h.items, scored{slot: slot, score: score})
		if len(h.items) == h.k {
			for i := h.k/2 - 1; i >= 0; i-- {
				h.down(i)
			}
		}
		return
	}
	if score > h.items[0].score {
		h.items[0] = scored{slot: slot, score: score}
		h.down(0)
	}
}

func (h *topK) down(i int) {
	n := len(h.items)
	for {
		small := i
		if l := 2*i + 1; l < n && h.items[l].score < h.items[small].score {
			small = l
		}
		if r := 2*i + 2; r < n && h.items[r].score < h.items[small].score {
			small = r
		}
		if small == i {
			return
		}
		h.items[i], h.items[small] = h.items[small], h.items[i]
		i = small
	}
}

// sorted returns the kept scores best first.
func (h *topK) sorted() Ranked {
	out := make(Ranked, len(h.items))
	copy(out, h.items)
	sortScored(out)
	return out
}

// minParallelRows is the smallest matrix worth splitting over goroutines.
const minParallelRows = 8192

// search scores every live row against the unit query q and returns the
// best limit, best first. Large matrices are split over the CPUs.
func (m *matrix) search(q []float32, limit int) Ranked {
	if m.rows == 0 || limit <= 0 {
		return nil
	}
	workers, per := m.scanParts()
	parts := make([]topK, workers)
	scan := func(w int) {
		h := &parts[w]
		h.k = limit
		h.items = make([]scored, 0, limit)
		for slot := w * per; slot < min(m.rows, (w+1)*per); slot++ {
			if m.live[slot] {
				h.offer(slot, float64(dot(q, m.row(slot))))
			}
		}
	}
	if workers == 1 {
		scan(0) // a small matrix: no goroutine to start and wait for
	} else {
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				scan(w)
			}(w)
		}
		wg.Wait()
	}
	if workers == 1 {
		return parts[0].sorted()
	}
	all := &topK{k: limit}
	for _, p := range parts {
		for _, it := range p.items {
			all.offer(it.slot, it.score)
		}
	}
	return all.sorted()
}

// scanParts splits the rows for a scan the way search does.
func (m *matrix) scanParts() (workers, per int) {
	workers = 1
	if m.rows >= minParallelRows {
		workers = min(runtime.GOMAXPROCS(0), (m.rows+minParallelRows-1)/minParallelRows)
	}
	return workers, (m.rows + workers - 1) / workers
}

// DenseScan is the dense part of a search for a query vector already
// made: the matrix scan and its top limit.
func (ix *Index) DenseScan(q []float32, limit int) Ranked {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	v := append([]float32(nil), q...)
	normalizeInPlace(v)
	return ix.vecs.search(v, limit)
}

// BareScan is the floor under the dense part, for benchmarks: the dot
// product of q with every vector, over the same goroutines, keeping
// nothing but a sum.
func (ix *Index) BareScan(q []float32) float32 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	m := &ix.vecs
	workers, per := m.scanParts()
	sums := make([]float32, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var sum float32 // a local sum: workers writing neighbouring words would slow each other
			for slot := w * per; slot < min(m.rows, (w+1)*per); slot++ {
				sum += dot(q, m.row(slot))
			}
			sums[w] = sum
		}(w)
	}
	wg.Wait()
	var s float32
	for _, x := range sums {
		s += x
	}
	return s
}
