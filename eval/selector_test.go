package eval

import (
	"context"
	"encoding/json"
	"flag"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/ragteam/rag/rag"
)

var updateSelector = flag.Bool("update-selector", false, "refit the answer selector on eval/train and write rag/selector.json")

// trainingSets are the selector's training questions over eval/train/corpus
// (encyclopedia articles); techTrainingSets over techTrainingCorpus (Go
// package docs: reference prose, tables and syntax); newsTrainingSets over
// eval/newstrain/corpus (news reports).
var (
	trainingSets     = []string{"train/train.yaml", "train/train2.yaml"}
	techTrainingSets = []string{"techtrain/questions.yaml"}
	newsTrainingSets = []string{"newstrain/questions.yaml"}
)

// techTrainingCorpus copies the package docs techtrain/questions.yaml asks
// about from this Go installation.
func techTrainingCorpus(t *testing.T) string {
	t.Helper()
	return goRootCorpus(t, map[string]string{
		"gob.txt":    "src/encoding/gob/doc.go",
		"slog.txt":   "src/log/slog/doc.go",
		"signal.txt": "src/os/signal/doc.go",
		"regexp.txt": "src/regexp/syntax/doc.go",
	})
}

// Fitting settings of the selector.
const (
	selectorL2         = 1e-3
	selectorIterations = 4000
	selectorTopK       = 5
)

// TestSelectorFit fits the extractive answerer's sentence selector on the
// training set (eval/train: its own corpus and questions, apart from every
// gate set) and checks that the committed rag/selector.json is that fit.
// With -update-selector it writes the fit.
func TestSelectorFit(t *testing.T) {
	qs, items := trainingQuestions(t)
	m := rag.FitSelector(qs, selectorL2, selectorIterations)
	m.Trained = "eval/train/train.yaml and train2.yaml over eval/train/corpus, eval/techtrain/questions.yaml over Go package docs, eval/newstrain/questions.yaml over news reports: " + strconv.Itoa(items) + " questions"
	if *updateSelector {
		data, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("../rag/selector.json", append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		for i, w := range m.Weights {
			t.Logf("%-18s %+.3f", m.Features[i], w)
		}
		t.Logf("answerable %v threshold %.3f", m.Answerable, m.Threshold)
		return
	}
	committed := rag.DefaultSelector()
	if committed.Trained != m.Trained || math.Abs(committed.Threshold-m.Threshold) > 1e-6 || !slices.Equal(committed.Answerable, m.Answerable) {
		t.Fatalf("rag/selector.json is not the fit of the training set (run go test ./eval -run TestSelectorFit -update-selector):\ncommitted %+v\nfit       %+v", committed, m)
	}
	for i := range m.Weights {
		if math.Abs(committed.Weights[i]-m.Weights[i]) > 1e-6 {
			t.Fatalf("weight %s: committed %v, fit %v", m.Features[i], committed.Weights[i], m.Weights[i])
		}
	}
}

// trainingQuestions retrieves passages for every training question and
// labels each candidate sentence by whether it holds an expected answer.
func trainingQuestions(t *testing.T) ([]rag.TrainingQuestion, int) {
	t.Helper()
	var qs []rag.TrainingQuestion
	n := 0
	for _, c := range []struct {
		corpus string
		sets   []string
	}{
		{"train/corpus", trainingSets},
		{techTrainingCorpus(t), techTrainingSets},
		{"newstrain/corpus", newsTrainingSets},
	} {
		more, items := corpusQuestions(t, c.corpus, c.sets)
		qs = append(qs, more...)
		n += items
	}
	return qs, n
}

// corpusQuestions is trainingQuestions for sets over one corpus.
func corpusQuestions(t *testing.T, corpus string, sets []string) ([]rag.TrainingQuestion, int) {
	t.Helper()
	var items []Item
	for _, path := range sets {
		set, err := LoadSet(path)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, set...)
	}
	ctx := context.Background()
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(ctx, corpus, nil); err != nil {
		t.Fatal(err)
	}
	var qs []rag.TrainingQuestion
	for _, it := range items {
		question := it.Question
		if len(it.History) > 0 {
			var turns []rag.Turn
			for _, h := range it.History {
				turns = append(turns, rag.Turn{Role: "user", Content: h})
			}
			question, _ = rag.RuleRewrite(ctx, question, turns)
		}
		passages, err := ix.Search(ctx, question, selectorTopK)
		if err != nil {
			t.Fatalf("%s: %v", it.ID, err)
		}
		q := ix.AnalyzeQuestion(question)
		tq := rag.TrainingQuestion{Answerable: !it.Unanswerable, Unanswerable: q.Unanswerable(passages)}
		for _, s := range rag.CandidateSentences(q, passages) {
			tq.Features = append(tq.Features, s.Features)
			tq.Labels = append(tq.Labels, !it.Unanswerable && len(matchedAliases(s.Quote, it.Answers)) > 0)
		}
		qs = append(qs, tq)
	}
	return qs, len(items)
}
