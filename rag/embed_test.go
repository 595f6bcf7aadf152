package rag

import (
	"context"
	"math"
	"testing"
)

func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestLocalEmbedderDeterministicAndUnitLength(t *testing.T) {
	t.Parallel()
	e := LocalEmbedder()
	texts := []string{"Iran and Russia held naval drills in the Caspian Sea.", "", "the of and", "日本語のテキスト"}
	a, err := e.Documents(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.Documents(context.Background(), texts)
	for i := range texts {
		if len(a[i]) != HashDim+EmbeddedWordVectors().Dim() {
			t.Fatalf("dim %d", len(a[i]))
		}
		if n := math.Sqrt(dot64(a[i], a[i])); math.Abs(n-1) > 1e-5 {
			t.Errorf("%q: norm %v", texts[i], n)
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("%q: not deterministic at %d", texts[i], j)
			}
		}
	}
}

func TestLocalEmbedderRanksRelatedTextsCloser(t *testing.T) {
	t.Parallel()
	e := LocalEmbedder()
	vs, _ := e.Documents(context.Background(), []string{
		"The navies held joint drills in the Caspian Sea.",
		"Naval drilling exercises took place on the Caspian.",
		"The bakery sells fresh bread and pastries every morning.",
	})
	q, _ := e.Query(context.Background(), "Caspian naval drill", nil)
	if !(dot64(q, vs[0]) > dot64(q, vs[2]) && dot64(q, vs[1]) > dot64(q, vs[2])) {
		t.Errorf("similarities %.3f %.3f %.3f", dot64(q, vs[0]), dot64(q, vs[1]), dot64(q, vs[2]))
	}
	// A misspelt word still shares character n-grams.
	typo, _ := e.Query(context.Background(), "Caspain", nil)
	if dot64(typo, vs[0]) <= dot64(typo, vs[2]) {
		t.Errorf("typo: %.3f vs %.3f", dot64(typo, vs[0]), dot64(typo, vs[2]))
	}
}

func TestLocalEmbedderQueryWeights(t *testing.T) {
	t.Parallel()
	e := LocalEmbedder()
	vs, _ := e.Documents(context.Background(), []string{"apple orchard", "banana plantation"})
	heavyApple := func(s string) float64 {
		if s == "appl" {
			return 5
		}
		return 0.1
	}
	q, _ := e.Query(context.Background(), "apple banana", heavyApple)
	if dot64(q, vs[0]) <= dot64(q, vs[1]) {
		t.Errorf("weighted query: %.3f vs %.3f", dot64(q, vs[0]), dot64(q, vs[1]))
	}
}

func TestLocalEmbedderMatchesParaphrases(t *testing.T) {
	t.Parallel()
	e := LocalEmbedder()
	vs, err := e.Documents(t.Context(), []string{
		"Moscow pledged to help rebuild the nuclear facilities.",
		"Russia promised assistance with the atomic sites.",
		"The football team won the championship final.",
	})
	if err != nil {
		t.Fatal(err)
	}
	if same, other := dot64(vs[0], vs[1]), dot64(vs[0], vs[2]); same <= other {
		t.Errorf("paraphrase %.3f not above unrelated %.3f", same, other)
	}
}
