package rag

import (
	"sort"
	"sync"
)

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

// queryCacheSize bounds the prepared queries kept.
const queryCacheSize = 1024

// preparedQuery is a query's analysis and embedding, valid while the index
// is at generation gen (term weights change with the index).
type preparedQuery struct {
	gen      uint64
	question *Question
	vec      []float32 // unit length; nil when the embedder failed
	err      error
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

// resolveKey is what a word's resolution depends on.
type resolveKey struct {
	lower, stem        string
	capInside, meaning bool
}

type resolution struct {
	term string
	sim  float64
}

// resolveCache keeps the resolutions of words the corpus lacks for one
// index generation: finding the nearest corpus word by spelling and
// meaning compares it with thousands of terms, and users' questions
// share their words far more than their wording.
type resolveCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[resolveKey]resolution
}

// resolveCacheSize bounds the words kept; past it the cache starts afresh.
const resolveCacheSize = 20000

// resolveCached is [Index.resolve] through the cache; the caller holds
// ix.mu for reading.
func (ix *Index) resolveCached(w Word, byMeaning bool) (string, float64) {
	key := resolveKey{w.Lower, w.Stem, w.Cap && w.Start > 0, byMeaning}
	c := &ix.resolved
	c.mu.Lock()
	if r, ok := c.m[key]; ok && c.gen == ix.gen {
		c.mu.Unlock()
		return r.term, r.sim
	}
	c.mu.Unlock()
	term, sim := ix.resolve(w, byMeaning)
	c.mu.Lock()
	if c.m == nil || c.gen != ix.gen || len(c.m) >= resolveCacheSize {
		c.m, c.gen = make(map[resolveKey]resolution), ix.gen
	}
	c.m[key] = resolution{term, sim}
	c.mu.Unlock()
	return term, sim
}

// corpusRows returns the rows of the word vectors whose words the corpus
// holds (by stem), for finding a corpus word of close meaning. It is
// computed once per index generation; the caller holds ix.mu for reading.
func (ix *Index) corpusRows() []int32 {
	ix.rowsMu.Lock()
	defer ix.rowsMu.Unlock()
	if ix.rows != nil && ix.rowsGen == ix.gen {
		return ix.rows
	}
	stems := ix.opts.Words.stems()
	rows := make([]int32, 0, 1024)
	for i, s := range stems {
		if ix.lex.df(s) > 0 {
			rows = append(rows, int32(i))
		}
	}
	ix.rows, ix.rowsGen = rows, ix.gen
	return rows
}

// stems returns the stem of every word, computed on first use.
func (wv *WordVectors) stems() []string {
	wv.stemsOnce.Do(func() {
		wv.stemOf = make([]string, len(wv.words))
		for i, w := range wv.words {
			wv.stemOf[i] = stem(w)
		}
	})
	return wv.stemOf
}

// nearestSpelling returns the closest term of the vocabulary within
// edits letters of term, the most frequent among equals, or "". Terms are stems, so a misspelt word's
// stem may run past the stem of the word meant ("hibernaton" for
// "hibern"): a tail of up to three letters past a stem of five or more is
// let through.
func (l *lexicon) nearestSpelling(term string, edits int) string {
	best, bestDist := "", edits+1
	// A misspelling seldom gets its first letter wrong: only the terms
	// that share it, a contiguous run of the sorted vocabulary, are tried.
	vocab := l.vocabulary()
	lo := sort.SearchStrings(vocab, term[:1])
	hi := sort.SearchStrings(vocab, string(rune(term[0])+1))
	for _, t := range vocab[lo:hi] {
		d := len(term) - len(t)
		if d < -edits || d > edits+3 || len(t) < 4 {
			continue
		}
		dist := editDistance(term, t, edits)
		if dist > edits && d > 0 && len(t) >= 5 && editDistance(term[:len(t)], t, 1) <= 1 {
			dist = edits // the stem's tail: never closer than a whole-word match
		}
		if dist > edits && len(t) >= 5 && sameUndoubled(term, t) {
			dist = edits // doubled letters written single or in the wrong place count as one slip: "rabitt"
		}
		if dist < bestDist || dist == bestDist && dist <= edits && l.dfs[t] > l.dfs[best] {
			best, bestDist = t, dist
		}
	}
	if bestDist > edits {
		return ""
	}
	return best
}

// sameUndoubled reports a and b equal once each run of one letter is
// written once ("rabitt", "rabbit"); it allocates nothing, as it runs for
// every vocabulary term tried.
func sameUndoubled(a, b string) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] != b[j] {
			return false
		}
		c := a[i]
		for i < len(a) && a[i] == c {
			i++
		}
		for j < len(b) && b[j] == c {
			j++
		}
	}
	return i == len(a) && j == len(b)
}

// editDistance is the edit distance of a and b in bytes, counting a swap
// of two neighbouring letters as one edit ("sustian"), or limit+1 once it
// must exceed limit.
func editDistance(a, b string, limit int) int {
	// Three rows; on the stack for words of ordinary length, as a question
	// word missing from the corpus is compared with thousands of terms.
	var buf [3 * 40]int
	n := len(b) + 1
	rows := buf[:0]
	if 3*n <= len(buf) {
		rows = buf[:3*n]
	} else {
		rows = make([]int, 3*n)
	}
	prev2, prev, cur := rows[:n], rows[n:2*n], rows[2*n:]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			low = min(low, cur[j])
		}
		if low > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
