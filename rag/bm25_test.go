package rag

import "testing"

func lexTerms(stems ...string) []QueryTerm {
	out := make([]QueryTerm, len(stems))
	for i, s := range stems {
		out[i] = QueryTerm{Stem: s, Own: s, Weight: 1, Known: true}
	}
	return out
}

func TestLexiconRanksByBM25(t *testing.T) {
	t.Parallel()
	l := newLexicon()
	docs := [][]string{
		terms("caspian naval drills with russia"),
		terms("caspian caspian caspian sea"),
		terms("bread bakery"),
		terms("naval drills naval drills naval review of the caspian fleet"),
	}
	for i, d := range docs {
		l.add(i, d)
	}
	if got := l.df("caspian"); got != 3 {
		t.Errorf("df(caspian) = %d", got)
	}
	res := l.search(lexTerms("naval", "drill"), 10)
	if len(res) != 2 || res[0].slot != 3 || res[1].slot != 0 {
		t.Errorf("search = %+v", res)
	}
	// Rarer terms weigh more.
	if l.idf(l.df("bakeri")) <= l.idf(l.df("caspian")) {
		t.Errorf("idf(bakeri) %.3f <= idf(caspian) %.3f", l.idf(1), l.idf(3))
	}
	// Removal takes a chunk out of results and document frequencies.
	l.remove(3, docs[3])
	res = l.search(lexTerms("naval"), 10)
	if len(res) != 1 || res[0].slot != 0 {
		t.Errorf("after removal: %+v", res)
	}
	if l.df("caspian") != 2 || l.live != 3 {
		t.Errorf("df %d live %d", l.df("caspian"), l.live)
	}
	if got := l.search(lexTerms("zzz"), 10); len(got) != 0 {
		t.Errorf("unknown term found %+v", got)
	}
}

func TestLexiconVariant(t *testing.T) {
	t.Parallel()
	l := newLexicon()
	l.add(0, []string{"america", "militar"})
	for term, want := range map[string]string{"american": "america", "militari": "militar", "amer": "", "banana": ""} {
		if got := l.variant(term); got != want {
			t.Errorf("variant(%q) = %q, want %q", term, got, want)
		}
	}
}

func TestLexiconCompacts(t *testing.T) {
	t.Parallel()
	l := newLexicon()
	for i := 0; i < 3000; i++ {
		l.add(i, []string{"common", "x"})
	}
	for i := 0; i < 2500; i++ {
		l.remove(i, []string{"common", "x"})
	}
	if n := len(l.postings["common"]); n != 500 {
		t.Errorf("postings after compaction = %d, want 500", n)
	}
	if res := l.search(lexTerms("common"), 1000); len(res) != 500 {
		t.Errorf("search found %d", len(res))
	}
}
