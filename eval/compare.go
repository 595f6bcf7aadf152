package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// LoadReport reads a report written with `rag eval --json`.
func LoadReport(path string) (Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Report{}, fmt.Errorf("read baseline: %w", err)
	}
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return Report{}, fmt.Errorf("baseline %s is no eval report: %w", path, err)
	}
	if len(r.Items) == 0 {
		return Report{}, fmt.Errorf("baseline %s has no items", path)
	}
	return r, nil
}

// Comparison is a run beside a baseline run, item by item (by id).
type Comparison struct {
	// NewlyFailing passed in the baseline and fail now: regressions,
	// which thresholds alone let hide behind a fix elsewhere.
	NewlyFailing []Result
	// NewlyPassing failed in the baseline and pass now.
	NewlyPassing []Result
	// New are items the baseline did not have; Gone, baseline ids not run.
	New  []Result
	Gone []string
}

// Compare sets a run beside its baseline.
func Compare(baseline, current Report) Comparison {
	before := map[string]Result{}
	for _, it := range baseline.Items {
		before[it.ID] = it
	}
	var c Comparison
	for _, it := range current.Items {
		old, ok := before[it.ID]
		switch {
		case !ok:
			c.New = append(c.New, it)
		case old.Pass() && !it.Pass():
			c.NewlyFailing = append(c.NewlyFailing, it)
		case !old.Pass() && it.Pass():
			c.NewlyPassing = append(c.NewlyPassing, it)
		}
		delete(before, it.ID)
	}
	for id, old := range before {
		c.Gone = append(c.Gone, id)
		if old.Pass() {
			// An item that passed and is gone hides whatever it would
			// show now: it counts as a regression until the baseline is
			// rewritten.
			old.Error = "no longer in the sets run"
			c.NewlyFailing = append(c.NewlyFailing, old)
		}
	}
	sort.Strings(c.Gone)
	sort.Slice(c.NewlyFailing, func(i, j int) bool { return c.NewlyFailing[i].ID < c.NewlyFailing[j].ID })
	return c
}

// WriteComparison prints the regressions and the fixes, one line each.
func WriteComparison(w io.Writer, c Comparison) {
	fmt.Fprintf(w, "against the baseline: %d newly failing, %d newly passing, %d new, %d gone\n",
		len(c.NewlyFailing), len(c.NewlyPassing), len(c.New), len(c.Gone))
	for _, it := range c.NewlyFailing {
		fmt.Fprintf(w, "  REGRESSION %s (%s): %s\n", it.ID, verdict(it), oneLine(it.Question, 80))
	}
	for _, it := range c.NewlyPassing {
		fmt.Fprintf(w, "  fixed      %s: %s\n", it.ID, oneLine(it.Question, 80))
	}
}

// How an item went: the table prints these as codes, the summaries as
// words.
const (
	outcomeOK = iota
	outcomeError
	outcomeAnswered // an unanswerable question answered
	outcomeAbstained
	outcomeWrong
)

func outcome(it Result) int {
	switch {
	case it.Error != "":
		return outcomeError
	case it.Unanswerable && it.Answered:
		return outcomeAnswered
	case !it.Unanswerable && !it.Answered:
		return outcomeAbstained
	case !it.Unanswerable && !it.Correct:
		return outcomeWrong
	}
	return outcomeOK
}

// verdict says in words how an item went.
func verdict(it Result) string {
	if outcome(it) == outcomeError {
		return it.Error
	}
	return map[int]string{outcomeOK: "ok", outcomeAnswered: "answered an unanswerable question", outcomeAbstained: "abstained", outcomeWrong: "wrong answer"}[outcome(it)]
}

// WriteMarkdown writes a short summary for a CI job summary or a pull
// request comment: the figures (beside the baseline's and the
// thresholds'), the regressions, and the worst items.
func WriteMarkdown(w io.Writer, title string, r Report, t Thresholds, failures []string, baseline *Report) {
	fmt.Fprintf(w, "## %s\n\n", title)
	status := "passed"
	if len(failures) > 0 {
		status = "**failed**"
	}
	var cmp Comparison
	if baseline != nil {
		cmp = Compare(*baseline, r)
		if len(cmp.NewlyFailing) > 0 {
			status = "**failed**"
		}
	}
	fmt.Fprintf(w, "%d answerable and %d unanswerable questions, answered by %s: %s.\n\n", r.Answerable, r.Unanswerable, r.Answerers(), status)
	fmt.Fprintln(w, "| metric | value | baseline | bound |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	now := r.Metrics()
	var base map[string]float64
	if baseline != nil {
		base = baseline.Metrics()
	}
	for _, k := range []string{"answer_recall", "answer_retrieved", "hit_at_k", "mrr", "citation_precision", "cited_support", "abstention_accuracy", "false_abstention_rate", "lead_precision", "p50_ms", "p95_ms"} {
		b, bound := "", ""
		if base != nil {
			b = fmt.Sprintf("%.3f", base[k])
		}
		if v, ok := t.Min[k]; ok {
			bound = fmt.Sprintf("≥ %.3f", v)
		}
		if v, ok := t.Max[k]; ok {
			bound = fmt.Sprintf("≤ %.3f", v)
		}
		v := fmt.Sprintf("%.3f", now[k])
		if k == "lead_precision" {
			v = r.leadPrecision()
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", k, v, b, bound)
	}
	if len(failures) > 0 {
		fmt.Fprintln(w, "\nOutside the thresholds:")
		for _, f := range failures {
			fmt.Fprintf(w, "- %s\n", f)
		}
	}
	if baseline != nil {
		fmt.Fprintf(w, "\nAgainst the baseline: %d newly failing, %d newly passing, %d new, %d gone.\n", len(cmp.NewlyFailing), len(cmp.NewlyPassing), len(cmp.New), len(cmp.Gone))
		for _, it := range cmp.NewlyFailing {
			fmt.Fprintf(w, "- regression `%s` (%s): %s\n", it.ID, verdict(it), mdText(it.Question, 120))
		}
		for _, it := range cmp.NewlyPassing {
			fmt.Fprintf(w, "- fixed `%s`: %s\n", it.ID, mdText(it.Question, 120))
		}
	}
	// The worst items: failures, the most confident first (a confident
	// wrong answer misleads most).
	var worst []Result
	for _, it := range r.Items {
		if !it.Pass() {
			worst = append(worst, it)
		}
	}
	sort.SliceStable(worst, func(i, j int) bool { return worst[i].Confidence > worst[j].Confidence })
	if len(worst) > 0 {
		fmt.Fprintf(w, "\nWorst items (%d failing; the most confident first):\n\n", len(worst))
		fmt.Fprintln(w, "| item | how | confidence | question | answer |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
		for _, it := range worst[:min(len(worst), 10)] {
			fmt.Fprintf(w, "| `%s` | %s | %.2f | %s | %s |\n", it.ID, verdict(it), it.Confidence, mdText(it.Question, 80), mdText(it.Answer, 100))
		}
	}
}

// mdText is text for a Markdown table cell: one line, pipes escaped.
func mdText(s string, n int) string {
	return strings.ReplaceAll(oneLine(s, n), "|", `\|`)
}
