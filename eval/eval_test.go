package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ragteam/rag/rag"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"The CASAREX 2025!":     "casarex 2025",
		"  an   Apple, a pear ": "apple pear",
		"U.S.-Israeli":          "usisraeli",
		"Riyadh—in which":       "riyadh in which",
		"Iran’s":                "irans",
		"“Together for a Safe”": "together for safe",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	if !containsNormalized("They named it CASAREX 2025.", "casarex 2025") || containsNormalized("CASAREXES", "casarex") {
		t.Error("containsNormalized matches words wrongly")
	}
}

func TestParseSetRejectsBadItems(t *testing.T) {
	t.Parallel()
	for name, yaml := range map[string]string{
		"no id":         "- question: q?\n  answers: [a]\n",
		"duplicate id":  "- id: a\n  question: q?\n  answers: [a]\n- id: a\n  question: r?\n  answers: [b]\n",
		"no answers":    "- id: a\n  question: q?\n",
		"both":          "- id: a\n  question: q?\n  answers: [a]\n  unanswerable: true\n",
		"unknown field": "- id: a\n  question: q?\n  answer: [a]\n",
		"empty alias":   "- id: a\n  question: q?\n  answers: ['!!']\n",
		"empty set":     "[]\n",
		"not yaml":      "{{{",
	} {
		if _, err := ParseSet([]byte(yaml)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	items, err := ParseSet([]byte("- id: a\n  question: q?\n  answers: [x]\n  sources: [d.txt]\n- id: b\n  question: r?\n  unanswerable: true\n"))
	if err != nil || len(items) != 2 || !items[1].Unanswerable {
		t.Errorf("valid set: %v %+v", err, items)
	}
}

// fakeEngine answers from a fixed table through the real engine, so the
// metrics can be checked by hand.
func fakeEngine(t *testing.T, answers map[string]*rag.Answer) *rag.Engine {
	t.Helper()
	ix := rag.NewIndex(rag.IndexOptions{})
	e := rag.NewEngine(ix)
	e.Answer = func(_ context.Context, req rag.AnswerRequest) (*rag.Answer, error) {
		a := *answers[req.Question]
		return &a, nil
	}
	return e
}

// A lead is right when it holds an expected answer, or is a surname of
// one; a part of a date or of a number is not. Unanswerable questions and
// answers without a lead do not count.
func TestLeadPrecision(t *testing.T) {
	t.Parallel()
	items := []Item{
		{ID: "whole", Question: "q1", Answers: []string{"Paris"}},
		{ID: "surname", Question: "q2", Answers: []string{"Anna Berg"}},
		{ID: "part-of-date", Question: "q3", Answers: []string{"3 May 1999"}},
		{ID: "part-of-number", Question: "q4", Answers: []string{"12 minutes"}},
		{ID: "no-lead", Question: "q5", Answers: []string{"Oslo"}},
		{ID: "out", Question: "q6", Unanswerable: true},
	}
	answers := map[string]*rag.Answer{
		"q1": {Answered: true, ShortAnswer: "Paris", Answer: "Paris — in Paris [1]"},
		"q2": {Answered: true, ShortAnswer: "Berg", Answer: "Berg — Anna Berg said so [1]"},
		"q3": {Answered: true, ShortAnswer: "May", Answer: "May — on 3 May 1999 [1]"},
		"q4": {Answered: true, ShortAnswer: "12", Answer: "12 — it takes 12 minutes [1]"},
		"q5": {Answered: true, Answer: "Oslo is north [1]"},
		"q6": {Answered: true, ShortAnswer: "Rome", Answer: "Rome — Rome [1]"},
	}
	rep := Run(context.Background(), fakeEngine(t, answers), items, 5)
	if rep.LeadPrecision != 0.5 || rep.Leads != 4 {
		t.Errorf("lead precision %v of %d leads, want 0.5 of 4", rep.LeadPrecision, rep.Leads)
	}
	// Answers without leads (a model's) report none, not 0.
	for _, tt := range []struct {
		items []Item
		want  string
	}{
		{items, "lead_precision 0.500"},
		{items[4:], "lead_precision n/a"},
	} {
		var table bytes.Buffer
		WriteTable(&table, Run(context.Background(), fakeEngine(t, answers), tt.items, 5))
		if !strings.Contains(table.String(), tt.want) {
			t.Errorf("table lacks %q:\n%s", tt.want, table.String())
		}
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	items := []Item{
		{ID: "right", Question: "q1", Answers: []string{"Paris"}, Sources: []string{"a"}},
		{ID: "wrong", Question: "q2", Answers: []string{"Rome"}, Sources: []string{"b"}},
		{ID: "abstained", Question: "q3", Answers: []string{"Oslo"}, Sources: []string{"c"}},
		{ID: "out-ok", Question: "q4", Unanswerable: true},
		{ID: "out-bad", Question: "q5", Unanswerable: true},
	}
	cite := func(doc, quote string) rag.Citation { return rag.Citation{N: 1, DocID: doc, Quote: quote} }
	answers := map[string]*rag.Answer{
		"q1": {Answered: true, ShortAnswer: "Paris", Answer: "Paris — the capital is Paris [1]", Citations: []rag.Citation{cite("a", "the capital is Paris")}},
		"q2": {Answered: true, ShortAnswer: "Milan", Answer: "Milan — It is Milan [1]", Citations: []rag.Citation{cite("x", "Milan")}},
		"q3": {Answered: false, Answer: "The corpus does not say"},
		"q4": {Answered: false, Answer: "The corpus does not say"},
		"q5": {Answered: true, Answer: "Something [1]", Citations: []rag.Citation{cite("x", "Something")}},
	}
	rep := Run(context.Background(), fakeEngine(t, answers), items, 5)
	want := Report{Answerable: 3, Unanswerable: 2, AnswerRecall: 0.3333, CitationPrecision: 0.5,
		CitedSupport: 0.3333, AbstentionAccuracy: 0.5, FalseAbstentionRate: 0.3333, LeadPrecision: 0.5}
	got := rep
	got.Items, got.P50MS, got.P95MS, got.HitAtK, got.MRR = nil, 0, 0, 0, 0
	if got.AnswerRecall != want.AnswerRecall || got.CitationPrecision != want.CitationPrecision ||
		got.CitedSupport != want.CitedSupport || got.AbstentionAccuracy != want.AbstentionAccuracy ||
		got.FalseAbstentionRate != want.FalseAbstentionRate || got.LeadPrecision != want.LeadPrecision || got.Answerable != 3 || got.Unanswerable != 2 {
		t.Errorf("report %+v, want %+v", got, want)
	}
	// The JSON has exactly the summary keys plus items.
	b, _ := json.Marshal(rep)
	var top map[string]any
	json.Unmarshal(b, &top)
	keys := []string{"answerable", "unanswerable", "answer_recall", "answer_retrieved", "hit_at_k", "mrr", "citation_precision", "cited_support",
		"abstention_accuracy", "false_abstention_rate", "lead_precision", "leads", "p50_ms", "p95_ms", "items"}
	if len(top) != len(keys) {
		t.Errorf("top-level keys %v", top)
	}
	for _, k := range keys {
		if _, ok := top[k]; !ok {
			t.Errorf("missing key %s", k)
		}
	}
	// The gate fails on the low metrics and the JUnit report says so.
	th := Thresholds{Min: map[string]float64{"answer_recall": 0.85}, Max: map[string]float64{"false_abstention_rate": 0.1}}
	failures := th.Check(rep)
	if len(failures) != 2 {
		t.Errorf("failures %v", failures)
	}
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, "eval", rep, failures); err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(junit.Bytes(), &suite); err != nil || suite.Tests != 6 || suite.Failures != 4 {
		t.Errorf("junit %+v %v:\n%s", suite, err, junit.String())
	}
	var table bytes.Buffer
	WriteTable(&table, rep)
	for _, s := range []string{"right", "WRONG", "ABSTAINED", "ANSWERED", "answer_recall 0.333"} {
		if !strings.Contains(table.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, table.String())
		}
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	xs := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	if p := percentile(xs, 50); p != 5 {
		t.Errorf("p50 = %v", p)
	}
	if p := percentile(xs, 95); p != 10 {
		t.Errorf("p95 = %v", p)
	}
	if p := percentile(nil, 50); p != 0 {
		t.Errorf("empty p50 = %v", p)
	}
}

// The shipped sets parse and are big enough to mean something.
func TestShippedSets(t *testing.T) {
	t.Parallel()
	items, err := LoadSet("qa.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var answerable, unanswerable int
	for _, it := range items {
		if it.Unanswerable {
			unanswerable++
		} else {
			answerable++
		}
	}
	if answerable < 40 || unanswerable < 8 {
		t.Errorf("qa.yaml: %d answerable, %d unanswerable", answerable, unanswerable)
	}
	if _, err := LoadSet("holdout.yaml"); err != nil {
		t.Error(err)
	}
	if _, err := LoadThresholds("thresholds.yaml"); err != nil {
		t.Error(err)
	}
}

// TestGate is the eval regression gate: the offline default must meet
// eval/thresholds.yaml on the seeds (qa.yaml and users.yaml) and
// eval/thresholds.gospec.yaml on the Go specification and memory model,
// read from this Go installation.
func TestGate(t *testing.T) {
	t.Parallel()
	gates := []struct {
		name, corpus, thresholds string
		sets                     []string
	}{
		{"seeds", "../seeds", "thresholds.yaml", []string{"qa.yaml", "users.yaml"}},
		{"gospec", goSpecCorpus(t), "thresholds.gospec.yaml", []string{"gospec.yaml"}},
	}
	for _, g := range gates {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			ix := rag.NewIndex(rag.IndexOptions{})
			if _, err := ix.Sync(context.Background(), g.corpus, nil); err != nil {
				t.Fatal(err)
			}
			var items []Item
			for _, path := range g.sets {
				set, err := LoadSet(path)
				if err != nil {
					t.Fatal(err)
				}
				items = append(items, set...)
			}
			th, err := LoadThresholds(g.thresholds)
			if err != nil {
				t.Fatal(err)
			}
			rep := Run(context.Background(), rag.NewEngine(ix), items, rag.DefaultTopK)
			for _, f := range th.Check(rep) {
				t.Error(f)
			}
			t.Logf("answer_recall %.3f hit_at_k %.3f mrr %.3f citation_precision %.3f cited_support %.3f abstention_accuracy %.3f false_abstention_rate %.3f",
				rep.AnswerRecall, rep.HitAtK, rep.MRR, rep.CitationPrecision, rep.CitedSupport, rep.AbstentionAccuracy, rep.FalseAbstentionRate)
		})
	}
}

// goSpecCorpus copies the Go specification and memory model of this Go
// installation into a directory of their own.
func goSpecCorpus(t *testing.T) string {
	t.Helper()
	return goDocCorpus(t, "go_spec.html", "go_mem.html")
}

// goDocCorpus copies the named files of this Go installation's doc
// directory into a directory of their own.
func goDocCorpus(t *testing.T, names ...string) string {
	t.Helper()
	files := map[string]string{}
	for _, name := range names {
		files[name] = filepath.Join("doc", name)
	}
	return goRootCorpus(t, files)
}

// goTextCorpus copies the package docs of fmt and text/template, the
// corpus of gotext/questions.yaml, as the Makefile does.
func goTextCorpus(t *testing.T) string {
	t.Helper()
	return goRootCorpus(t, map[string]string{"fmt.txt": "src/fmt/doc.go", "template.txt": "src/text/template/doc.go"})
}

// goRootCorpus copies files of this Go installation, by their path under
// GOROOT, into a directory of their own under the names given.
func goRootCorpus(t *testing.T, files map[string]string) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	dir := t.TempDir()
	for name, path := range files {
		data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), path))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSetsAreWellFormed checks every eval and training set against its
// corpus: each answerable item lists sources the corpus holds, and some
// expected answer stands in one of them, as the index stores its text.
func TestSetsAreWellFormed(t *testing.T) {
	t.Parallel()
	sets := []struct {
		corpus string
		files  []string
	}{
		{"../seeds", []string{"qa.yaml", "users.yaml", "holdout.yaml"}},
		{goSpecCorpus(t), []string{"gospec.yaml"}},
		{"wiki/corpus", []string{"wiki/questions.yaml"}},
		{goDocCorpus(t, "asm.html", "godebug.md"), []string{"godoc/questions.yaml"}},
		{goTextCorpus(t), []string{"gotext/questions.yaml"}},
		{"train/corpus", append([]string{"train/typed.yaml", "train/messy.yaml"}, trainingSets...)},
		{techTrainingCorpus(t), techTrainingSets},
		{"newstrain/corpus", append([]string{"newstrain/messy.yaml"}, newsTrainingSets...)},
		{"fresh/corpus", []string{"fresh/questions.yaml"}},
		{"fresh2/corpus", []string{"fresh2/questions.yaml"}},
		{"fresh3/corpus", []string{"fresh3/questions.yaml"}},
		{"fresh4/corpus", []string{"fresh4/questions.yaml"}},
		{"fresh5/corpus", []string{"fresh5/questions.yaml"}},
		{"fresh6/corpus", []string{"fresh6/questions.yaml"}},
		{"devhome/corpus", []string{"devhome/questions.yaml"}},
		{"devorg/corpus", []string{"devorg/questions.yaml"}},
		{"devfest/corpus", []string{"devfest/questions.yaml"}},
	}
	ids := map[string]string{}
	for _, s := range sets {
		// A document normalised once for all its items' aliases: the Go
		// specification is 200 KB, and the race detector slows the regexps.
		normalized := map[string]string{}
		ix := rag.NewIndex(rag.IndexOptions{})
		if _, err := ix.Sync(context.Background(), s.corpus, nil); err != nil {
			t.Fatal(err)
		}
		for _, file := range s.files {
			items, err := LoadSet(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if other, dup := ids[it.ID]; dup {
					t.Errorf("%s: id %s also in %s", file, it.ID, other)
				}
				ids[it.ID] = file
				if it.Unanswerable {
					continue
				}
				found := false
				for _, src := range it.Sources {
					d, err := ix.Document(src)
					if err != nil {
						t.Errorf("%s %s: source %s is not in %s", file, it.ID, src, s.corpus)
						continue
					}
					text, ok := normalized[src]
					if !ok {
						text = " " + Normalize(d.Text) + " "
						normalized[src] = text
					}
					found = found || slices.ContainsFunc(it.Answers, func(a string) bool {
						a = Normalize(a)
						return a != "" && strings.Contains(text, " "+a+" ")
					})
				}
				if !found {
					t.Errorf("%s %s: no answer of %q stands in its sources", file, it.ID, it.Answers)
				}
			}
		}
	}
}

// TestAnswerRetrieved: an answer the passages hold counts as retrieved
// whether or not the answerer finds it, so the two rates tell retrieval's
// losses from the answerer's.
func TestAnswerRetrieved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rivers.md"), []byte("# Rivers\n\nThe Danube flows through ten countries and empties into the Black Sea.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	e := rag.NewEngine(ix)
	e.Answer = func(context.Context, rag.AnswerRequest) (*rag.Answer, error) {
		return &rag.Answer{Answered: true, Answer: "It flows east. [1]"}, nil
	}
	items := []Item{
		{ID: "held", Question: "Where does the Danube end?", Answers: []string{"Black Sea"}},
		{ID: "absent", Question: "How long is the Danube?", Answers: []string{"2,850 kilometres"}},
	}
	rep := Run(context.Background(), e, items, 3)
	if !rep.Items[0].AnswerRetrieved || rep.Items[1].AnswerRetrieved || rep.Items[0].Correct {
		t.Errorf("items %+v", rep.Items)
	}
	if rep.AnswerRetrieved != 0.5 || rep.AnswerRecall != 0 {
		t.Errorf("answer_retrieved %v, answer_recall %v; want 0.5 and 0", rep.AnswerRetrieved, rep.AnswerRecall)
	}
}
