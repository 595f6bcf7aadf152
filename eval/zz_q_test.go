package eval

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ragteam/rag/rag"
)

// DIAG_CORPUS=dir DIAG_Q="q1|q2" go test ./eval -run TestQDiag -v
func TestQDiag(t *testing.T) {
	corpus := os.Getenv("DIAG_CORPUS")
	if corpus == "" {
		t.Skip()
	}
	ctx := context.Background()
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(ctx, corpus, nil); err != nil {
		t.Fatal(err)
	}
	e := rag.NewEngine(ix)
	for _, qs := range strings.Split(os.Getenv("DIAG_Q"), "|") {
		q := ix.AnalyzeQuestion(qs)
		ans, _ := e.Ask(ctx, rag.Query{Question: qs})
		fmt.Printf("Q %q kind=%v focus=%q core=%q conf=%.3f answered=%v\n", qs, q.Kind, q.Focus, qs[q.Core:], ans.Confidence, ans.Answered)
		for _, t := range q.Terms {
			fmt.Printf("   %-14s stem=%-12s own=%-10s w=%.2f known=%v sim=%.2f key=%v name=%v clip=%v\n", t.Surface, t.Stem, t.Own, t.Weight, t.Known, t.Sim, t.Key, t.Name, t.Clipped)
		}
		fmt.Printf("   A=%.160q\n", ans.Answer)
	}
}

func TestQHard(t *testing.T) {
	corpus := os.Getenv("DIAG_CORPUS")
	if os.Getenv("DIAG_HARD") == "" {
		t.Skip()
	}
	ctx := context.Background()
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(ctx, corpus, nil); err != nil {
		t.Fatal(err)
	}
	wv := rag.EmbeddedWordVectors()
	var items []Item
	for _, s := range strings.Split(os.Getenv("DIAG_SETS"), ",") {
		it, _ := LoadSet(s)
		items = append(items, it...)
	}
	for _, it := range items {
		q := ix.AnalyzeQuestion(it.Question)
		ps, _ := ix.Search(ctx, it.Question, 5)
		if !q.Unanswerable(ps) {
			continue
		}
		cs := rag.CandidateSentences(q, ps)
		m := rag.DefaultSelector()
		b1, b2 := -1e9, -1e9
		bi := -1
		for i, c := range cs {
			sc := m.Score(c.Features)
			if sc > b1 {
				b2, b1, bi = b1, sc, i
			} else if sc > b2 {
				b2 = sc
			}
		}
		if bi >= 0 {
			fmt.Printf("CONF unans=%v conf=%.3f missingName=%v\n", it.Unanswerable, m.Confidence(cs[bi].Features, b1, b1-b2), false)
		}
		for _, tm := range q.Terms {
			if tm.Key && !tm.Known {
				fmt.Printf("HARD unans=%v name=%v word=%s pos=%d rank=%d cap=%v\n", it.Unanswerable, tm.Name, tm.Surface, wv.Info(tm.Surface).POS, wv.Rank(tm.Surface), strings.Contains(it.Question, strings.ToUpper(tm.Surface[:1])+tm.Surface[1:]))
			}
		}
	}
}

// DIAG_CORPUS=dir DIAG_H="q1;q2" DIAG_Q="follow" go test ./eval -run TestQConv -v
func TestQConv(t *testing.T) {
	corpus := os.Getenv("DIAG_CORPUS")
	if corpus == "" || os.Getenv("DIAG_H") == "" {
		t.Skip()
	}
	ctx := context.Background()
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(ctx, corpus, nil); err != nil {
		t.Fatal(err)
	}
	e := rag.NewEngine(ix)
	var hist []rag.Turn
	for _, h := range strings.Split(os.Getenv("DIAG_H"), ";") {
		a, _ := e.Ask(ctx, rag.Query{Question: h, History: hist})
		fmt.Printf("H %q -> %.100q\n", h, a.Answer)
		hist = append(hist, rag.Turn{Role: "user", Content: h}, rag.Turn{Role: "assistant", Content: a.Answer})
	}
	for _, qs := range strings.Split(os.Getenv("DIAG_Q"), "|") {
		a, _ := e.Ask(ctx, rag.Query{Question: qs, History: hist})
		fmt.Printf("Q %q conf=%.3f -> %.160q\n", qs, a.Confidence, a.Answer)
	}
}
