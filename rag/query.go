package rag

// QueryTerm is a content word of a question as the index sees it.
type QueryTerm struct {
	Stem    string  // the index's term: the word's stem, or a known variant of it
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
func (ix *Index) QueryTerms(text string) []QueryTerm {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var out []QueryTerm
	seen := map[string]bool{}
	for _, w := range words(text) {
		if w.Stop || seen[w.Stem] {
			continue
		}
		seen[w.Stem] = true
		t := QueryTerm{Stem: w.Stem, Surface: w.Lower}
		df := ix.lex.df(t.Stem)
		if df == 0 {
			if v := ix.lex.variant(t.Stem); v != "" {
				t.Stem, df = v, ix.lex.df(v)
			}
		}
		t.Known = df > 0
		t.Weight = ix.lex.idf(df)
		if lightWords[w.Lower] || lightWords[w.Stem] {
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

// queryStems returns the stems of terms.
func queryStems(ts []QueryTerm) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Stem
	}
	return out
}
