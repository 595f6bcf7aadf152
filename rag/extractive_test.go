package rag

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var marker = regexp.MustCompile(`\[(\d+)\]`)

// checkAnswer asserts the answer invariants: every marker refers to a
// listed citation, every citation is used, numbered 1..n, and each quote
// is exactly its document's text at [start,end).
func checkAnswer(t *testing.T, ix *Index, a *Answer) {
	t.Helper()
	used := map[int]bool{}
	for _, m := range marker.FindAllStringSubmatch(a.Answer, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(a.Citations) {
			t.Errorf("marker [%d] has no citation (%d listed)", n, len(a.Citations))
		}
		used[n] = true
	}
	for i, c := range a.Citations {
		if c.N != i+1 {
			t.Errorf("citation %d numbered %d", i, c.N)
		}
		if !used[c.N] {
			t.Errorf("citation [%d] is never used in %q", c.N, a.Answer)
		}
		d, err := ix.Document(c.DocID)
		if err != nil {
			t.Fatalf("citation of unknown doc %s", c.DocID)
		}
		if c.Start < 0 || c.End > len(d.Text) || d.Text[c.Start:c.End] != c.Quote {
			t.Errorf("quote [%d] is not %s[%d:%d]: %q", c.N, c.DocID, c.Start, c.End, c.Quote)
		}
		if c.Title != d.Title || !strings.HasPrefix(c.ChunkID, c.DocID+"#") {
			t.Errorf("citation [%d] title %q chunk %q", c.N, c.Title, c.ChunkID)
		}
	}
	if a.Answered != (len(a.Citations) > 0) {
		t.Errorf("answered=%v with %d citations", a.Answered, len(a.Citations))
	}
}

func TestExtractiveAnswers(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	e := NewEngine(ix)
	tests := []struct {
		question string
		want     string // in the answer; "" for an abstention
	}{
		{"What was the joint naval drill in the Caspian called?", "CASAREX 2025"},
		{"Which fighter jets has Iran sought from Russia?", "Su-35"},
		{"When did Russia and Iran sign their wide-ranging new treaty?", "January 17"},
		{"How many Geran-2 drones did Russia set out to make at home?", "6,000"},
		{"Who is Iran's ambassador to Russia?", "Kazem Jalali"},
		{"What will the weather be in Baku tomorrow?", ""},
		{"How do I bake sourdough bread?", ""},
		{"What is the population of Moscow?", ""},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			a, err := e.Ask(context.Background(), Query{Question: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, ix, a)
			if a.Answerer != ExtractiveName || a.Fallback != "" {
				t.Errorf("answerer %q fallback %q", a.Answerer, a.Fallback)
			}
			if tt.want == "" {
				if a.Answered || !strings.HasPrefix(a.Answer, "The corpus does not say") {
					t.Errorf("want an abstention, got %q", a.Answer)
				}
				return
			}
			if !a.Answered || !strings.Contains(a.Answer, tt.want) {
				t.Errorf("answer %q lacks %q", a.Answer, tt.want)
			}
			if a.TimingsMS["total"] < a.TimingsMS["retrieve"] {
				t.Errorf("timings %v", a.TimingsMS)
			}
		})
	}
}

func TestAbstentionNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	a, err := NewEngine(mustSeedIndex(t)).Ask(context.Background(), Query{Question: "What will the weather be in Baku tomorrow?"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Answer, "“baku”") || !strings.Contains(a.Answer, "“weather”") {
		t.Errorf("abstention %q does not name the missing words", a.Answer)
	}
}

func TestEngineValidates(t *testing.T) {
	t.Parallel()
	e := NewEngine(mustSeedIndex(t))
	e.MaxQuestion = 20
	for _, tt := range []struct {
		q    Query
		code string
	}{
		{Query{Question: ""}, EINVALID},
		{Query{Question: "  \n\t "}, EINVALID},
		{Query{Question: strings.Repeat("long ", 10)}, ETOOLARGE},
		{Query{Question: "ok question", TopK: -1}, EINVALID},
		{Query{Question: "ok question", TopK: MaxTopK + 1}, EINVALID},
		{Query{Question: "caf\xe9"}, EINVALID},
	} {
		if _, err := e.Ask(context.Background(), tt.q); ErrorCode(err) != tt.code {
			t.Errorf("%q: err %v, want %s", tt.q.Question, err, tt.code)
		}
	}
}
