package rag

import (
	"strings"
	"sync"
)

// QueryTerm is a content word of a question as the index sees it.
type QueryTerm struct {
	Stem    string  // the index's term: the word's stem, or a known variant of it
	Own     string  // the word's own stem
	Surface string  // the word as written
	Weight  float64 // how much the word says about what is asked
	Known   bool    // whether any chunk holds the term
}

// Weights of generic words relative to topical ones (see lightWords).
const (
	lightKnownWeight   = 0.5
	lightUnknownWeight = 0.3
)

// QueryTerms returns the distinct content words of text, in order. A word
// the index has never seen is matched to a known variant of it when there
// is one; otherwise it is unknown and weighs as much as the rarest term —
// unless it is a generic word, which weighs little either way.
//
// A question just searched for is taken from the prepared-query cache, so
// the answerer does not analyse it again.
func (ix *Index) QueryTerms(text string) []QueryTerm {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if pq := ix.queries.get(text, ix.gen); pq != nil {
		return pq.terms
	}
	return ix.queryTerms(text)
}

// queryTerms is [Index.QueryTerms]; the caller holds ix.mu.
func (ix *Index) queryTerms(text string) []QueryTerm {
	var out []QueryTerm
	seen := map[string]bool{}
	for _, w := range words(text) {
		if w.Stop || seen[w.Stem] {
			continue
		}
		seen[w.Stem] = true
		t := QueryTerm{Stem: w.Stem, Own: w.Stem, Surface: w.Lower}
		df := ix.lex.df(t.Stem)
		if df == 0 {
			if v := ix.lex.variant(t.Stem); v != "" {
				t.Stem, df = v, ix.lex.df(v)
			}
		}
		t.Known = df > 0
		t.Weight = ix.lex.idf(df)
		if lightWords[w.Lower] || lightWords[w.Stem] || (!t.Known && looksVerbal(w.Lower)) {
			if t.Known {
				t.Weight *= lightKnownWeight
			} else {
				t.Weight *= lightUnknownWeight
			}
		}
		out = append(out, t)
	}
	return out
}

// termWeights returns a [TermWeight] that gives the query's own terms their
// weights and any other stem its idf; the caller holds ix.mu.
func (ix *Index) termWeights(ts []QueryTerm) TermWeight {
	m := make(map[string]float64, 2*len(ts))
	for _, t := range ts {
		m[t.Own], m[t.Stem] = t.Weight, t.Weight
	}
	return func(stem string) float64 {
		if w, ok := m[stem]; ok {
			return w
		}
		return ix.weight(stem)
	}
}

// looksVerbal reports a word whose ending marks a verb form ("sparked",
// "mirroring"): an unseen verb usually rephrases the question rather than
// naming its subject.
func looksVerbal(w string) bool {
	return len(w) > 5 && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing"))
}

// queryCacheSize bounds the prepared queries kept.
const queryCacheSize = 1024

// preparedQuery is a query's terms and embedding, valid while the index
// is at generation gen (term weights change with the index).
type preparedQuery struct {
	gen   uint64
	terms []QueryTerm
	vec   []float32 // unit length; nil when the embedder failed
	err   error
}

// queryCache keeps prepared queries: a repeated question skips analysis
// and embedding.
type queryCache struct {
	mu sync.Mutex
	m  map[string]*preparedQuery
}

func (c *queryCache) get(q string, gen uint64) *preparedQuery {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.m[q]; ok && p.gen == gen {
		return p
	}
	return nil
}

func (c *queryCache) put(q string, p *preparedQuery) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= queryCacheSize {
		c.m = make(map[string]*preparedQuery, queryCacheSize) // start afresh rather than track recency
	}
	c.m[q] = p
}
