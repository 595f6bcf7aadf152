package rag

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// Passage is a retrieved chunk with its text and fused score.
type Passage struct {
	ChunkID string  `json:"chunk_id"`
	DocID   string  `json:"doc_id"`
	Title   string  `json:"title"`
	Start   int     `json:"start"`
	End     int     `json:"end"`
	Text    string  `json:"text"`
	Score   float64 `json:"score"`
}

// Ranked is one retriever's result: chunk slots with scores, best first.
type Ranked []scored

// Fusion merges the dense and lexical rankings into one score per slot.
type Fusion func(dense, lexical Ranked) map[int]float64

// RRF is reciprocal rank fusion: each list adds 1/(k+rank) for a slot.
// It needs no score calibration between the two retrievers.
func RRF(k float64) Fusion {
	return func(dense, lexical Ranked) map[int]float64 {
		out := make(map[int]float64, len(dense)+len(lexical))
		for _, list := range []Ranked{dense, lexical} {
			for rank, s := range list {
				out[s.slot] += 1 / (k + float64(rank+1))
			}
		}
		return out
	}
}

// Weighted adds the two retrievers' scores, each divided by its best, with
// the dense part weighted alpha and the lexical part 1-alpha.
func Weighted(alpha float64) Fusion {
	return func(dense, lexical Ranked) map[int]float64 {
		out := make(map[int]float64, len(dense)+len(lexical))
		for _, part := range []struct {
			list Ranked
			w    float64
		}{{dense, alpha}, {lexical, 1 - alpha}} {
			if len(part.list) == 0 || part.list[0].score <= 0 {
				continue
			}
			best := part.list[0].score
			for _, s := range part.list {
				out[s.slot] += part.w * max(0, s.score) / best
			}
		}
		return out
	}
}

// DefaultDenseWeight is the dense part's share in the default fusion,
// chosen by the eval numbers (see README).
const DefaultDenseWeight = 0.3

// DefaultFusion is the fusion the eval numbers favour.
var DefaultFusion = Weighted(DefaultDenseWeight)

// ParseFusion reads a fusion setting: "weighted" or "weighted:ALPHA" (the
// dense part's weight, 0..1), "rrf" or "rrf:K", "dense", "lexical".
func ParseFusion(spec string) (Fusion, error) {
	name, arg, hasArg := strings.Cut(spec, ":")
	num := func(def, lo, hi float64) (float64, error) {
		if !hasArg {
			return def, nil
		}
		v, err := strconv.ParseFloat(arg, 64)
		if err != nil || v < lo || v > hi {
			return 0, Errorf(EINVALID, "fusion %q: %s takes a number from %g to %g", spec, name, lo, hi)
		}
		return v, nil
	}
	switch name {
	case "weighted":
		a, err := num(DefaultDenseWeight, 0, 1)
		return Weighted(a), err
	case "rrf":
		k, err := num(60, 1, 1000)
		return RRF(k), err
	case "dense":
		return Weighted(1), nil
	case "lexical":
		return Weighted(0), nil
	}
	return nil, Errorf(EINVALID, "fusion %q: choose weighted[:alpha], rrf[:k], dense or lexical", spec)
}

// MaxTopK bounds how many passages one search returns.
const MaxTopK = 50

// candidates is how deep each retriever looks before fusion.
func candidates(k int) int { return max(4*k, 20) }

// Search returns the k passages that best match query, fusing the dense
// and lexical rankings. It returns EINVALID for an empty query or a k
// outside 1..[MaxTopK]. When the embedder fails, the lexical ranking
// alone answers.
func (ix *Index) Search(ctx context.Context, query string, k int) ([]Passage, error) {
	ps, _, err := ix.search(ctx, query, k, nil)
	return ps, err
}

// searchSlots bounds the searches running at once in this process.
var searchSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))

// MaxFilterDocs bounds how many documents a search may be restricted to.
const MaxFilterDocs = 50

// search is [Index.Search] that also says when the dense part was left
// out; with only, it searches those documents alone.
func (ix *Index) search(ctx context.Context, query string, k int, only []string) (_ []Passage, degraded string, _ error) {
	if strings.TrimSpace(query) == "" {
		return nil, "", Errorf(EINVALID, "the query is empty")
	}
	if k < 1 || k > MaxTopK {
		return nil, "", Errorf(EINVALID, "top_k must be between 1 and %d, got %d", MaxTopK, k)
	}
	if len(only) > MaxFilterDocs {
		return nil, "", Errorf(EINVALID, "a search may be restricted to at most %d documents, not %d", MaxFilterDocs, len(only))
	}
	// Searches beyond a few per core would only queue for the CPUs while
	// each holds its score arrays; they wait here instead. A search in an
	// engine mostly waits on the network and takes a slot only when it
	// falls back to the index in process.
	slot := func() error {
		select {
		case searchSlots <- struct{}{}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if ix.opts.Remote == nil {
		if err := slot(); err != nil {
			return nil, "", err
		}
		defer func() { <-searchSlots }()
	}
	ix.mu.RLock()
	locked := true
	defer func() {
		if locked {
			ix.mu.RUnlock()
		}
	}()
	pq, err := ix.prepare(ctx, query)
	if err != nil {
		return nil, "", err
	}
	if empty, err := ix.nothingToSearch(pq, only); empty || err != nil {
		return nothing(err)
	}
	if r := ix.opts.Remote; r != nil {
		// The engine is waited on without the lock, so that writes go on
		// meanwhile; afterwards the index is read again as it is then.
		rq := remoteQuery(pq, k, only)
		ix.mu.RUnlock()
		locked = false
		hits, engineErr := r.Search(ctx, rq)
		if engineErr != nil {
			engineErr = Errorf(EUNAVAILABLE, "search %s: %v", r.Name(), engineErr)
			if ctx.Err() != nil {
				return nil, "", engineErr
			}
			if err := slot(); err != nil { // the fallback below searches in process
				return nil, "", err
			}
			defer func() { <-searchSlots }()
		}
		ix.mu.RLock()
		locked = true
		pq = ix.reanalyzed(pq, query)
		if empty, err := ix.nothingToSearch(pq, only); empty || err != nil {
			return nothing(err)
		}
		if engineErr == nil {
			return ix.remotePassages(pq, hits, k), embedDegraded(pq), nil
		}
		// Everything the engine holds is here too: search it in process.
		degraded = "in-process search: " + shorten(engineErr.Error(), 120)
	}
	lexicalRanking := func() Ranked {
		if len(only) > 0 {
			return ix.lexicalIn(pq.question.Terms, only, candidates(k))
		}
		return ix.lex.search(pq.question.Terms, candidates(k))
	}
	var dense, lexical Ranked
	switch {
	case pq.err != nil:
		degraded = joinDegraded(degraded, embedDegraded(pq))
		lexical = lexicalRanking()
	case len(only) > 0:
		if dense, err = ix.denseIn(ctx, pq.vec, only, candidates(k)); err != nil {
			return nil, "", err
		}
		lexical = lexicalRanking()
	case ix.vecs.rows >= minParallelRows:
		// The dense scan waits on memory and BM25 on its postings: run
		// side by side, a large index answers in the longer of the two.
		done := make(chan struct{})
		go func() {
			defer close(done)
			lexical = lexicalRanking()
		}()
		dense = ix.vecs.search(pq.vec, candidates(k))
		<-done
	default:
		dense = ix.vecs.search(pq.vec, candidates(k))
		lexical = lexicalRanking()
	}
	out := make([]Passage, 0, k)
	for _, r := range ix.fuse(dense, lexical, k) {
		out = append(out, ix.passage(r.slot, r.score))
	}
	return out, degraded, nil
}

// fuse merges the two rankings with the index's fusion and returns the
// best k, best first.
func (ix *Index) fuse(dense, lexical Ranked, k int) Ranked {
	fused := ix.opts.Fusion(dense, lexical)
	ranked := make(Ranked, 0, len(fused))
	for slot, score := range fused {
		ranked = append(ranked, scored{slot: slot, score: score})
	}
	sortScored(ranked)
	return ranked[:min(k, len(ranked))]
}

// embedDegraded says when the query's vector was left out.
func embedDegraded(pq *preparedQuery) string {
	if pq.err == nil {
		return ""
	}
	return "lexical search only: " + shorten(pq.err.Error(), 120)
}

func joinDegraded(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}

func (ix *Index) passage(n int, score float64) Passage {
	s := ix.slots[n]
	return Passage{
		ChunkID: s.chunk.ID,
		DocID:   s.doc.ID,
		Title:   s.doc.Title,
		Start:   s.chunk.Start,
		End:     s.chunk.End,
		Text:    s.doc.Text[s.chunk.Start:s.chunk.End],
		Score:   score,
	}
}

// prepare analyses and embeds a query, or takes it from the cache. An
// embedder failure is kept in the result, for lexical search to go on.
// The caller holds ix.mu for reading.
func (ix *Index) prepare(ctx context.Context, query string) (*preparedQuery, error) {
	if pq := ix.queries.get(query, ix.gen); pq != nil {
		return pq, nil
	}
	pq := &preparedQuery{gen: ix.gen, question: ix.analyze(query)}
	if len(pq.question.Terms) > 0 && ix.lex.live > 0 {
		vec, err := ix.opts.Embedder.Query(ctx, query, ix.termWeights(pq.question.Terms))
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			pq.err = fmt.Errorf("embed query: %w", err)
		case len(vec) != ix.dim:
			pq.err = fmt.Errorf("embed query: %d dimensions, the index holds %d (re-ingest after changing the model)", len(vec), ix.dim)
		default:
			pq.vec = append([]float32(nil), vec...)
			normalizeInPlace(pq.vec)
		}
	}
	if pq.err == nil {
		ix.queries.put(query, pq) // failures are not kept: the embedder may recover
	}
	return pq, nil
}

// nothingToSearch reports a search that finds nothing (an empty index, a
// question without words to search for), or the error of one restricted to
// a document the index lacks. The caller holds ix.mu.
func (ix *Index) nothingToSearch(pq *preparedQuery, only []string) (bool, error) {
	for _, id := range only {
		if _, ok := ix.docs[id]; !ok {
			return false, Errorf(ENOTFOUND, "no document %q to search in", id)
		}
	}
	return ix.lex.live == 0 || len(pq.question.Terms) == 0, nil
}

// nothing is the result of a search that finds nothing, or fails with err.
func nothing(err error) ([]Passage, string, error) {
	if err != nil {
		return nil, "", err
	}
	return []Passage{}, "", nil
}

// reanalyzed is pq for the index as it is now: when it changed since pq
// was prepared, the question is read again against the corpus, and the
// query's vector, which does not depend on it, is kept (embedding again
// would mean a model call under the lock). The caller holds ix.mu.
func (ix *Index) reanalyzed(pq *preparedQuery, query string) *preparedQuery {
	if pq.gen == ix.gen {
		return pq
	}
	return &preparedQuery{gen: ix.gen, question: ix.analyze(query), vec: pq.vec, err: pq.err}
}

// ChromemSearch ranks chunks with chromem-go's own QueryEmbedding over the
// same vectors; the benchmark compares it with the index's scan.
func (ix *Index) ChromemSearch(ctx context.Context, qvec []float32, limit int) (int, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := min(limit, ix.coll.Count()) // chromem-go errors when asked for more than it holds
	if n == 0 {
		return 0, nil
	}
	res, err := ix.coll.QueryEmbedding(ctx, qvec, n, nil, nil)
	return len(res), err
}

// denseIn ranks the chunks of the given documents by the query vector
// through chromem-go's QueryEmbedding with a metadata filter on the
// document id; the caller holds ix.mu for reading.
func (ix *Index) denseIn(ctx context.Context, vec []float32, only []string, limit int) (Ranked, error) {
	var out Ranked
	n := min(limit, ix.coll.Count()) // chromem-go refuses more than it holds
	for _, id := range only {
		res, err := ix.coll.QueryEmbedding(ctx, vec, n, map[string]string{"doc": id}, nil)
		if err != nil {
			return nil, fmt.Errorf("filtered dense search: %w", err)
		}
		for _, r := range res {
			if slot, ok := ix.slotOf[r.ID]; ok {
				out = append(out, scored{slot: slot, score: float64(r.Similarity)})
			}
		}
	}
	sortScored(out)
	return out[:min(len(out), limit)], nil
}

// lexicalIn ranks the chunks of the given documents by BM25; the caller
// holds ix.mu for reading.
func (ix *Index) lexicalIn(terms []QueryTerm, only []string, limit int) Ranked {
	in := map[string]bool{}
	for _, id := range only {
		in[id] = true
	}
	return ix.lexicalWhere(terms, limit, func(slot int) bool {
		s := ix.slots[slot]
		return s != nil && in[s.doc.ID]
	})
}

// lexicalWhere ranks by BM25 the chunks keep accepts; the caller holds
// ix.mu for reading.
func (ix *Index) lexicalWhere(terms []QueryTerm, limit int, keep func(slot int) bool) Ranked {
	return ix.lex.searchWhere(terms, limit, keep)
}
