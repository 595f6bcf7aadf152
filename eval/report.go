package eval

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"
)

// Thresholds are the gate: each metric at least its min, at most its max.
type Thresholds struct {
	Min map[string]float64 `yaml:"min"`
	Max map[string]float64 `yaml:"max"`
}

// LoadThresholds reads thresholds from YAML and rejects unknown metrics.
func LoadThresholds(path string) (Thresholds, error) {
	var t Thresholds
	data, err := os.ReadFile(path)
	if err != nil {
		return t, fmt.Errorf("read thresholds: %w", err)
	}
	if err := yaml.Unmarshal(data, &t); err != nil {
		return t, fmt.Errorf("parse thresholds %s: %w", path, err)
	}
	known := Report{}.Metrics()
	for _, m := range []map[string]float64{t.Min, t.Max} {
		for k := range m {
			if _, ok := known[k]; !ok {
				return t, fmt.Errorf("thresholds %s: unknown metric %q", path, k)
			}
		}
	}
	return t, nil
}

// Check returns one line per metric outside its bounds, in name order.
func (t Thresholds) Check(r Report) []string {
	got := r.Metrics()
	var out []string
	for k, v := range t.Min {
		if got[k] < v {
			out = append(out, fmt.Sprintf("%s = %.4f, below the minimum %.4f", k, got[k], v))
		}
	}
	for k, v := range t.Max {
		if got[k] > v {
			out = append(out, fmt.Sprintf("%s = %.4f, above the maximum %.4f", k, got[k], v))
		}
	}
	sort.Strings(out)
	return out
}

// WriteTable prints one line per item and then the summary.
func WriteTable(w io.Writer, r Report) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tRESULT\tCONF\tRANK\tCITES\tMS\tANSWER")
	for _, it := range r.Items {
		verdict := map[int]string{outcomeOK: "ok", outcomeError: "ERROR", outcomeAnswered: "ANSWERED", outcomeAbstained: "ABSTAINED", outcomeWrong: "WRONG"}[outcome(it)]
		text := it.Answer
		if it.Error != "" {
			text = it.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%d\t%d/%d\t%.1f\t%s\n", it.ID, verdict, it.Confidence, it.Rank, it.CitedSources, it.Citations, it.LatencyMS, oneLine(text, 90))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nanswered by %s: %d answerable, %d unanswerable\n", r.Answerers(), r.Answerable, r.Unanswerable)
	fmt.Fprintf(w, "answer_recall %.3f  answer_retrieved %.3f  hit_at_k %.3f  mrr %.3f  citation_precision %.3f  cited_support %.3f\n",
		r.AnswerRecall, r.AnswerRetrieved, r.HitAtK, r.MRR, r.CitationPrecision, r.CitedSupport)
	fmt.Fprintf(w, "abstention_accuracy %.3f  false_abstention_rate %.3f  lead_precision %s  p50 %.1f ms  p95 %.1f ms\n",
		r.AbstentionAccuracy, r.FalseAbstentionRate, r.leadPrecision(), r.P50MS, r.P95MS)
}

// leadPrecision formats LeadPrecision, or says that no answer led with a
// short answer (a model's answers may have none): 0 would read as every
// lead wrong.
func (r Report) leadPrecision() string {
	if r.Leads == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", r.LeadPrecision)
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// WriteJUnit writes the items as JUnit test cases, and the thresholds'
// failures as one more, so CI shows both.
func WriteJUnit(w io.Writer, suite string, r Report, failures []string) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name    string   `xml:"name,attr"`
		Class   string   `xml:"classname,attr"`
		Time    float64  `xml:"time,attr"`
		Failure *failure `xml:"failure,omitempty"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	ts := testsuite{Name: suite}
	for _, it := range r.Items {
		tc := testcase{Name: it.ID, Class: suite, Time: it.LatencyMS / 1000}
		if !it.Pass() {
			msg := "expected an abstention"
			if !it.Unanswerable {
				msg = "expected an answer containing one of the listed answers"
			}
			if it.Error != "" {
				msg = "error"
			}
			tc.Failure = &failure{Message: msg, Text: "Q: " + it.Question + "\nA: " + it.Answer + it.Error}
			ts.Failures++
		}
		ts.Cases = append(ts.Cases, tc)
	}
	gate := testcase{Name: "thresholds", Class: suite}
	if len(failures) > 0 {
		gate.Failure = &failure{Message: "metrics below thresholds", Text: strings.Join(failures, "\n")}
		ts.Failures++
	}
	ts.Cases = append(ts.Cases, gate)
	ts.Tests = len(ts.Cases)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(ts); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Answerers says which paths answered the items, with counts when more
// than one did and how many fell back: "llm:ollama/llama3.2" or
// "extractive 60, llm:ollama/llama3.2 5 (5 fallbacks)".
func (r Report) Answerers() string {
	counts := map[string]int{}
	fallbacks := 0
	for _, it := range r.Items {
		if it.Error == "" {
			counts[it.Answerer]++
		}
		if it.Fallback != "" {
			fallbacks++
		}
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	out := strings.Join(names, ", ")
	if len(names) > 1 {
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s %d", n, counts[n])
		}
		out = strings.Join(parts, ", ")
	}
	if fallbacks > 0 {
		out += fmt.Sprintf(" (%d fallbacks)", fallbacks)
	}
	return out
}
