package eval

import (
	"bytes"
	"strings"
	"testing"
)

func TestCompareFindsRegressionsThatThresholdsHide(t *testing.T) {
	t.Parallel()
	base := Report{Items: []Result{
		{ID: "a", Answered: true, Correct: true},
		{ID: "b", Answered: true, Correct: false},
		{ID: "c", Unanswerable: true, Answered: false},
		{ID: "gone", Answered: true, Correct: true},
	}}
	// One regression (a) and one fix (b): the same recall, a hidden loss.
	now := Report{Items: []Result{
		{ID: "a", Question: "Who signed it?", Answered: false, Confidence: 0.1},
		{ID: "b", Answered: true, Correct: true},
		{ID: "c", Unanswerable: true, Answered: true, Answer: "a | guess", Confidence: 0.9},
		{ID: "new", Answered: true, Correct: true},
	}}
	c := Compare(base, now)
	ids := func(rs []Result) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return strings.Join(out, ",")
	}
	if ids(c.NewlyFailing) != "a,c,gone" || ids(c.NewlyPassing) != "b" || ids(c.New) != "new" || strings.Join(c.Gone, ",") != "gone" {
		t.Fatalf("%+v", c)
	}
	var md bytes.Buffer
	WriteMarkdown(&md, "Eval: seeds", now, Thresholds{Min: map[string]float64{"answer_recall": 0.5}}, []string{"answer_recall = 0.3333, below the minimum 0.5000"}, &base)
	for _, want := range []string{"## Eval: seeds", "**failed**", "| answer_recall |", "≥ 0.500", "regression `a` (abstained)", "fixed `b`",
		"| `c` | answered an unanswerable question | 0.90 |", `a \| guess`} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	// The most confident failure leads the worst items.
	if strings.Index(md.String(), "| `c` |") > strings.Index(md.String(), "| `a` |") {
		t.Errorf("worst items not by confidence:\n%s", md.String())
	}
}
