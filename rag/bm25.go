package rag

import (
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// BM25 parameters: the usual values for prose.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

type posting struct {
	slot int32 // chunk slot in the index
	tf   int32
}

// lexicon is a BM25 index over chunk slots. Removing a slot leaves stale
// postings behind, skipped at search time until the next compaction.
type lexicon struct {
	sortedMu sync.Mutex
	sorted   []string // the vocabulary in order, built on demand; nil when stale

	postings map[string][]posting
	dfs      map[string]int // live chunks per term
	lengths  []int32        // terms per slot; -1 for a removed slot
	total    int64          // terms over live slots
	live     int
}

func newLexicon() *lexicon {
	return &lexicon{postings: map[string][]posting{}, dfs: map[string]int{}}
}

// add indexes the terms of the chunk in slot, which must be the next slot.
func (l *lexicon) add(slot int, terms []string) {
	for len(l.lengths) <= slot {
		l.lengths = append(l.lengths, -1)
	}
	tf := map[string]int32{}
	for _, t := range terms {
		tf[t]++
	}
	for t, n := range tf {
		l.postings[t] = append(l.postings[t], posting{slot: int32(slot), tf: n})
		l.dfs[t]++
	}
	l.lengths[slot] = int32(len(terms))
	l.total += int64(len(terms))
	l.live++
	l.sorted = nil
}

// remove drops the chunk in slot; terms are the ones it was added with.
func (l *lexicon) remove(slot int, terms []string) {
	if slot >= len(l.lengths) || l.lengths[slot] < 0 {
		return
	}
	seen := map[string]bool{}
	for _, t := range terms {
		if !seen[t] {
			seen[t] = true
			if l.dfs[t]--; l.dfs[t] <= 0 {
				delete(l.dfs, t)
			}
		}
	}
	l.total -= int64(l.lengths[slot])
	l.lengths[slot] = -1
	l.live--
	l.sorted = nil
	if dead := len(l.lengths) - l.live; dead > 1024 && dead > l.live {
		l.compact()
	}
}

// compact drops the postings of removed slots.
func (l *lexicon) compact() {
	for t, ps := range l.postings {
		kept := ps[:0]
		for _, p := range ps {
			if l.lengths[p.slot] >= 0 {
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			delete(l.postings, t)
		} else {
			l.postings[t] = kept
		}
	}
}

// df returns the number of live chunks that contain term.
func (l *lexicon) df(term string) int { return l.dfs[term] }

// idf is BM25's inverse document frequency, always positive.
func (l *lexicon) idf(df int) float64 {
	n := float64(l.live)
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

type scored struct {
	slot  int
	score float64
}

// accumulators are reused score arrays, one per concurrent search: a
// free list rather than a sync.Pool, which every collection empties; a
// serving process collects often (GOGC 5) and would allocate a score
// array per search again (4 MB at 1M chunks). Searches at once are
// bounded by searchSlots, so the list holds at most that many.
var accumulators = make(chan *accumulator, cap(searchSlots))

func getAccumulator() *accumulator {
	select {
	case a := <-accumulators:
		return a
	default:
		return new(accumulator)
	}
}

func putAccumulator(a *accumulator) {
	select {
	case accumulators <- a:
	default:
	}
}

type accumulator struct {
	score   []float32
	touched []int32
}

// search returns up to limit slots by BM25 score for the query terms,
// each term's idf replaced by its query weight; best first, ties to the
// earlier slot.
func (l *lexicon) search(query []QueryTerm, limit int) []scored {
	return l.searchWhere(query, limit, nil)
}

// searchWhere is search over the slots keep accepts (all when nil).
func (l *lexicon) searchWhere(query []QueryTerm, limit int, keep func(slot int) bool) []scored {
	if l.live == 0 || limit <= 0 {
		return nil
	}
	acc := getAccumulator()
	defer putAccumulator(acc)
	if len(acc.score) < len(l.lengths) {
		acc.score = make([]float32, len(l.lengths))
	}
	acc.touched = acc.touched[:0]
	avg := float64(l.total) / float64(l.live)
	seen := map[string]bool{}
	for _, t := range query {
		if seen[t.Stem] || !t.Known {
			continue
		}
		seen[t.Stem] = true
		idf := t.Weight
		for _, p := range l.postings[t.Stem] {
			length := l.lengths[p.slot]
			if length < 0 {
				continue
			}
			tf := float64(p.tf)
			if acc.score[p.slot] == 0 {
				acc.touched = append(acc.touched, p.slot)
			}
			acc.score[p.slot] += float32(idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*float64(length)/avg)))
		}
	}
	h := &topK{k: limit, items: make([]scored, 0, limit)}
	for _, slot := range acc.touched {
		if keep == nil || keep(int(slot)) {
			h.offer(int(slot), float64(acc.score[slot]))
		}
		acc.score[slot] = 0
	}
	return h.sorted()
}

// sortScored orders best first, ties to the earlier slot.
func sortScored(s []scored) {
	slices.SortFunc(s, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return a.slot - b.slot
	})
}

// variant returns a term of the vocabulary that is another form of an
// unseen term — one is the other plus one letter, sharing at least five
// ("american" finds "america") — or "" when there is none.
func (l *lexicon) variant(term string) string {
	if len(term) < 5 {
		return ""
	}
	vocab := l.vocabulary()
	best := ""
	prefix := term[:len(term)-1]
	for i := sort.SearchStrings(vocab, prefix); i < len(vocab) && strings.HasPrefix(vocab[i], prefix); i++ {
		t := vocab[i]
		if t == prefix || strings.HasPrefix(t, term) && len(t) == len(term)+1 {
			if best == "" || l.dfs[t] > l.dfs[best] {
				best = t
			}
		}
	}
	return best
}

// extension returns the most frequent term of the vocabulary that starts
// with prefix and is longer, or "".
func (l *lexicon) extension(prefix string) string {
	vocab := l.vocabulary()
	best := ""
	for i := sort.SearchStrings(vocab, prefix); i < len(vocab) && strings.HasPrefix(vocab[i], prefix); i++ {
		if t := vocab[i]; t != prefix && (best == "" || l.dfs[t] > l.dfs[best]) {
			best = t
		}
	}
	return best
}

// extends reports a term of the vocabulary that begins with prefix and is
// at least two letters longer: the first one found will do.
func (l *lexicon) extends(prefix string) bool {
	vocab := l.vocabulary()
	for i := sort.SearchStrings(vocab, prefix); i < len(vocab) && strings.HasPrefix(vocab[i], prefix); i++ {
		if len(vocab[i]) >= len(prefix)+2 {
			return true
		}
	}
	return false
}

// vocabulary returns the live terms in order, built on demand.
func (l *lexicon) vocabulary() []string {
	l.sortedMu.Lock()
	defer l.sortedMu.Unlock()
	if l.sorted == nil {
		l.sorted = make([]string, 0, len(l.dfs))
		for t := range l.dfs {
			l.sorted = append(l.sorted, t)
		}
		sort.Strings(l.sorted)
	}
	return l.sorted
}
