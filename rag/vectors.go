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
// float32s, and beside them an int8 copy of each row (a scale per row) for
// a first pass that reads a quarter of the bytes; the float32 rows rescore
// the best candidates of that pass exactly.
type matrix struct {
	dim    int
	stride int // bytes per int8 row: dim rounded up to 16 for the SIMD kernel
	blocks [][]float32
	codes  [][]int8
	scales []float32 // by slot: a row's value of one int8 step
	rows   int       // slots allocated
	live   []bool    // by slot
}

// add stores v (normalised in place) as the next slot's row and returns
// the row, which aliases the matrix.
func (m *matrix) add(v []float32) []float32 {
	if m.dim == 0 {
		m.dim = len(v)
		m.stride = (m.dim + 15) &^ 15
	}
	b, r := m.rows/blockRows, m.rows%blockRows
	if b == len(m.blocks) {
		m.blocks = append(m.blocks, make([]float32, blockRows*m.dim))
		m.codes = append(m.codes, make([]int8, blockRows*m.stride))
	}
	row := m.blocks[b][r*m.dim : (r+1)*m.dim : (r+1)*m.dim]
	copy(row, v)
	normalizeInPlace(row)
	m.scales = append(m.scales, quantizeRow(row, m.codes[b][r*m.stride:(r+1)*m.stride]))
	m.rows++
	m.live = append(m.live, true)
	return row
}

// quantizeRow writes v as int8 steps of its largest magnitude / 127 into
// codes and returns the step.
func quantizeRow(v []float32, codes []int8) float32 {
	var top float32
	for _, x := range v {
		top = max(top, x, -x)
	}
	if top == 0 {
		clear(codes)
		return 0
	}
	step := top / 127
	for i, x := range v {
		codes[i] = int8(math.Round(float64(x / step)))
	}
	return step
}

func (m *matrix) row(slot int) []float32 {
	b, r := slot/blockRows, slot%blockRows
	return m.blocks[b][r*m.dim : (r+1)*m.dim]
}

func (m *matrix) remove(slot int) {
	if slot < len(m.live) {
		m.live[slot] = false
		clear(m.row(slot))
		m.scales[slot] = 0
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

// rescorePool is how many candidates of the int8 pass (at least) are
// rescored with the float32 rows; below that many rows the scan is exact.
// With 356-dimensional vectors, 100k rows and question-style queries it
// keeps recall@10 against the exact scan at 1.000 (make bench measures it).
func rescorePool(limit int) int { return max(16*limit, 256) }

// search scores every live row against the unit query q and returns the
// best limit, best first: an int8 pass over every row picks the
// candidates, and their float32 rows rank them. Large matrices are split
// over the CPUs.
func (m *matrix) search(q []float32, limit int) Ranked {
	if m.rows == 0 || limit <= 0 {
		return nil
	}
	pool := rescorePool(limit)
	if m.rows <= pool {
		return m.exact(q, limit)
	}
	qc, qstep := m.queryCodes(q)
	workers, per := m.scanParts()
	parts := make([]topK, workers)
	scan := func(w int) {
		h := &parts[w]
		h.k = pool
		h.items = make([]scored, 0, pool)
		m.scanCodes(qc, w*per, min(m.rows, (w+1)*per), func(slot int, dots []int32) {
			for i, d := range dots {
				score := float64(m.scales[slot+i] * qstep * float32(d))
				if len(h.items) == pool && score <= h.items[0].score {
					continue // the common case once the heap is full: no call
				}
				if m.live[slot+i] {
					h.offer(slot+i, score)
				}
			}
		})
	}
	m.run(workers, scan)
	pooled := &parts[0]
	if workers > 1 {
		pooled = &topK{k: pool, items: make([]scored, 0, pool)}
		for _, p := range parts {
			for _, it := range p.items {
				pooled.offer(it.slot, it.score)
			}
		}
	}
	best := &topK{k: limit, items: make([]scored, 0, limit)}
	for _, it := range pooled.items {
		best.offer(it.slot, float64(dot(q, m.row(it.slot))))
	}
	return best.sorted()
}

// scanCodes runs the int8 kernel over rows lo..hi, a block at a time,
// handing each run of dot products to use with its first slot.
func (m *matrix) scanCodes(qc *queryCode, lo, hi int, use func(slot int, dots []int32)) {
	dots := make([]int32, blockRows)
	for slot := lo; slot < hi; {
		b, r := slot/blockRows, slot%blockRows
		n := min(blockRows-r, hi-slot)
		dotsInt8(qc, m.codes[b][r*m.stride:(r+n)*m.stride], m.stride, dots[:n])
		use(slot, dots[:n])
		slot += n
	}
}

// exact ranks every live row by its float32 dot product with q.
func (m *matrix) exact(q []float32, limit int) Ranked {
	h := &topK{k: limit, items: make([]scored, 0, limit)}
	for slot := 0; slot < m.rows; slot++ {
		if m.live[slot] {
			h.offer(slot, float64(dot(q, m.row(slot))))
		}
	}
	return h.sorted()
}

// queryCode is a query quantised as the rows are, in the forms the
// kernels read.
type queryCode struct {
	codes []int8  // stride bytes, then zeros up to a multiple of 64
	wide  []int16 // the codes widened
	sum   int32   // Σ codes
}

// queryCodes quantises q as the rows are, for the kernel.
func (m *matrix) queryCodes(q []float32) (*queryCode, float32) {
	codes := make([]int8, m.stride)
	step := quantizeRow(q, codes)
	return newQueryCode(codes), step
}

// newQueryCode holds a quantised query in the kernels' forms.
func newQueryCode(codes []int8) *queryCode {
	qc := &queryCode{codes: make([]int8, (len(codes)+63)&^63), wide: make([]int16, len(codes))}
	copy(qc.codes, codes)
	for i, c := range codes {
		qc.wide[i] = int16(c)
		qc.sum += int32(c)
	}
	return qc
}

// run calls scan for each worker, on goroutines when there is more than one.
func (m *matrix) run(workers int, scan func(w int)) {
	if workers == 1 {
		scan(0) // a small matrix: no goroutine to start and wait for
		return
	}
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

// scanParts splits the rows for a scan the way search does.
func (m *matrix) scanParts() (workers, per int) {
	workers = 1
	if m.rows >= minParallelRows {
		workers = min(runtime.GOMAXPROCS(0), (m.rows+minParallelRows-1)/minParallelRows)
	}
	return workers, (m.rows + workers - 1) / workers
}

// ExactScan is the dense part without the int8 pass: every float32 row
// scored, for benchmarks to measure the pass's recall against.
func (ix *Index) ExactScan(q []float32, limit int) Ranked {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	v := append([]float32(nil), q...)
	normalizeInPlace(v)
	return ix.vecs.exact(v, limit)
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

// BareScan is the floor under the dense part, for benchmarks: the int8
// pass's kernel over every row, on the same goroutines, keeping nothing
// but a sum. It returns the sum and the bytes of codes read.
func (ix *Index) BareScan(q []float32) (int64, int64) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	m := &ix.vecs
	if m.rows == 0 {
		return 0, 0
	}
	qc, _ := m.queryCodes(q)
	workers, per := m.scanParts()
	sums := make([]int64, workers)
	m.run(workers, func(w int) {
		var sum int64 // a local sum: workers writing neighbouring words would slow each other
		m.scanCodes(qc, w*per, min(m.rows, (w+1)*per), func(_ int, dots []int32) {
			for _, d := range dots {
				sum += int64(d)
			}
		})
		sums[w] = sum
	})
	var s int64
	for _, x := range sums {
		s += x
	}
	return s, int64(m.rows * m.stride)
}

// int8Kernel computes out[r] = q · row r of codes (rows stride bytes
// apart) for each of the len(out) rows; codes holds at least that many.
type int8Kernel struct {
	name string
	run  func(q *queryCode, codes []int8, stride int, out []int32)
}

// dotsInt8Kernel is the fastest kernel this CPU runs.
var dotsInt8Kernel = int8Kernels()[0]

// dotsInt8 writes the dot product of q with each of the len(out) rows of
// codes (stride bytes apart) into out.
func dotsInt8(q *queryCode, codes []int8, stride int, out []int32) {
	if len(out) == 0 {
		return
	}
	_ = codes[len(out)*stride-1] // the assembly reads this far
	dotsInt8Kernel.run(q, codes, stride, out)
}

// dotsInt8Go is the portable kernel: out[r] = q · row r of codes.
func dotsInt8Go(q *queryCode, codes []int8, stride int, out []int32) {
	for r := range out {
		row := codes[r*stride : (r+1)*stride]
		var s int32
		for i, c := range row {
			s += int32(q.codes[i]) * int32(c)
		}
		out[r] = s
	}
}

// ChunkIDs names the chunks of a ranking, best first (removed ones left
// out), for benchmarks to compare rankings.
func (ix *Index) ChunkIDs(r Ranked) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]string, 0, len(r))
	for _, s := range r {
		if s.slot < len(ix.slots) && ix.slots[s.slot] != nil {
			out = append(out, ix.slots[s.slot].chunk.ID)
		}
	}
	return out
}
