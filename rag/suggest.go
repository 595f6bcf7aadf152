package rag

import (
	"sort"
	"strings"
)

// SuggestQuestions returns up to n questions a newcomer could ask, made
// from the corpus itself, so that they change when it does: for documents
// spread over the corpus, alternately a summary of the document by its
// title and a question about the name it mentions most that is rare in
// the rest of the corpus.
func (ix *Index) SuggestQuestions(n int) []string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ids := make([]string, 0, len(ix.docs))
	for id := range ix.docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(ids) && len(out) < n; i++ {
		// Spread over the corpus: every len/n-th document.
		d := ix.docs[ids[i*max(1, len(ids)/max(1, n))%len(ids)]]
		var q string
		if len(out)%2 == 0 {
			q = "Summarize “" + d.Title + "”"
		} else if name := ix.topName(d); name != "" {
			q = "What does the corpus say about " + name + "?"
		} else {
			q = "Summarize “" + d.Title + "”"
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
