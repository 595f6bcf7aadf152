package rag

import (
	"slices"
	"sort"
	"strings"
)

// SuggestQuestions returns up to n questions a newcomer could ask, made
// from the corpus itself, so that they change when it does: for documents
// spread over the corpus, alternately a summary of the document by its
// title and a question about the name it mentions most that is rare in
// the rest of the corpus.
//
// They are made once per change of the index: the chat page asks for them
// on every first screen.
func (ix *Index) SuggestQuestions(n int) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.suggestMu.Lock()
	defer ix.suggestMu.Unlock()
	if ix.suggested == nil || ix.suggestedGen != ix.gen || ix.suggestedN != n {
		ix.suggested, ix.suggestedGen, ix.suggestedN = ix.suggest(n), ix.gen, n
	}
	return slices.Clone(ix.suggested)
}

// suggest makes the questions; the caller holds ix.mu.
func (ix *Index) suggest(n int) []string {
	ids := make([]string, 0, len(ix.docs))
	for id := range ix.docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := []string{}
	seen := map[string]bool{}
	for i := 0; i < len(ids) && len(out) < n; i++ {
		// Spread over the corpus: every len/n-th document.
		d := ix.docs[ids[i*max(1, len(ids)/max(1, n))%len(ids)]]
		q := "Summarize “" + d.Title + "”"
		if name := ix.topName(d); len(out)%2 == 1 && name != "" {
			q = "What does the corpus say about " + name + "?"
		}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	return out
}

// topName is the capitalised name a document mentions most, weighed by
// its rarity in the index; the caller holds ix.mu.
func (ix *Index) topName(d *Document) string {
	counts := map[string]int{}
	surface := map[string]string{}
	for _, w := range words(d.Text) {
		if !w.Cap || w.Stop || w.Start == 0 || len(w.Lower) < 3 || hasDigit(w.Lower) || ix.opts.Words.Info(w.Lower).Class == ClassTime {
			continue
		}
		// A capital after a sentence's end says nothing about a name.
		if before := strings.TrimRight(d.Text[:w.Start], " \t\"“'‘("); before == "" || strings.ContainsAny(before[len(before)-1:], ".!?:\n") {
			continue
		}
		counts[w.Stem]++
		if _, ok := surface[w.Stem]; !ok {
			surface[w.Stem] = d.Text[w.Start:w.End]
		}
	}
	best, bestScore := "", 0.0
	for stem, c := range counts {
		if c < 2 {
			continue
		}
		if score := float64(c) * ix.lex.idf(ix.lex.df(stem)); score > bestScore || score == bestScore && stem < best {
			best, bestScore = stem, score
		}
	}
	return surface[best]
}
