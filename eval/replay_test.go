package eval

import (
	"context"
	"flag"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ragteam/rag/internal/fakeprovider"
	"github.com/ragteam/rag/prompts"
	"github.com/ragteam/rag/rag"
	"github.com/ragteam/rag/rag/provider"
)

var update = flag.Bool("update", false, "re-record qa.replay.json from the scripted model server")

const replayFile = "qa.replay.json"

var (
	promptQuestion = regexp.MustCompile(`(?m)^Question: (.*)$`)
	promptPassage  = regexp.MustCompile(`(?s)<passage number="(\d+)"[^>]*>\n(.*?)\n</passage>`)
)

// scriptedReply stands in for a model when recording: it answers with the
// passage sentence sharing most words with the question and cites its
// passage — "[1, 3]" when another passage matches as well — or gives the
// not-found reply when no sentence shares two words.
func scriptedReply(c fakeprovider.Chat) string {
	user := c.Messages[len(c.Messages)-1].Content
	m := promptQuestion.FindStringSubmatch(user)
	if m == nil {
		return prompts.NotFound
	}
	want := map[string]bool{}
	for _, w := range strings.Fields(strings.ToLower(m[1])) {
		if w = strings.Trim(w, "?,.'’"); len(w) > 3 {
			want[w] = true
		}
	}
	best, bestN := "", 0
	var cites []string
	for _, p := range promptPassage.FindAllStringSubmatch(user, -1) {
		top, topSentence := 0, ""
		for _, s := range strings.SplitAfter(p[2], ". ") {
			k := 0
			for _, w := range strings.Fields(strings.ToLower(s)) {
				if want[strings.Trim(w, "?,.'’“”")] {
					k++
				}
			}
			if k > top {
				top, topSentence = k, strings.TrimSpace(s)
			}
		}
		switch {
		case top > bestN:
			best, bestN, cites = topSentence, top, []string{p[1]}
		case top == bestN && top > 0 && len(cites) < 2:
			cites = append(cites, p[1])
		}
	}
	if bestN < 2 {
		return prompts.NotFound
	}
	return strings.TrimSuffix(best, ".") + " [" + strings.Join(cites, ", ") + "]."
}

func replayEngine(t *testing.T, model rag.Model) *rag.Engine {
	t.Helper()
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(context.Background(), "../seeds", nil); err != nil {
		t.Fatal(err)
	}
	p, err := prompts.Load("")
	if err != nil {
		t.Fatal(err)
	}
	e := rag.NewEngine(ix)
	e.Answer = rag.LLM(rag.LLMOptions{Model: model, Prompts: p, Timeout: 10 * time.Second, Fallback: e.Answer})
	return e
}

// TestReplay is the model path's regression test: the recorded replies go
// through retrieval, the prompt, citation checking and renumbering, and
// must meet thresholds.replay.yaml. Run with -update to re-record from the
// scripted server (a real model can be recorded with rag eval --record).
func TestReplay(t *testing.T) {
	items, err := LoadSet("qa.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		srv := fakeprovider.New(provider.OpenAI)
		defer srv.Close()
		srv.SetReply(scriptedReply)
		model, _, err := provider.NewModel(provider.Config{LLM: provider.OpenAI, LLMBaseURL: srv.BaseURL(), LLMModel: "scripted"})
		if err != nil {
			t.Fatal(err)
		}
		rec := &Recording{}
		Run(context.Background(), replayEngine(t, Record(model, rec)), items, rag.DefaultTopK)
		rec.Note = "Recorded from the scripted test server in eval/replay_test.go through the OpenAI wire protocol, not from a real model. Re-record with a real one: rag eval --llm ollama --record eval/qa.replay.json"
		if err := rec.Save(replayFile); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := LoadRecording(replayFile)
	if err != nil {
		t.Fatal(err)
	}
	rep := Run(context.Background(), replayEngine(t, Replay(rec)), items, rag.DefaultTopK)
	if got := rep.Answerers(); got != "llm:replay/openai/scripted" {
		t.Errorf("answered by %s, want the replayed model alone with no fallback", got)
	}
	th, err := LoadThresholds("thresholds.replay.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range th.Check(rep) {
		t.Error(f)
	}
	t.Logf("replay: answer_recall %.3f hit_at_k %.3f citation_precision %.3f cited_support %.3f abstention_accuracy %.3f false_abstention_rate %.3f",
		rep.AnswerRecall, rep.HitAtK, rep.CitationPrecision, rep.CitedSupport, rep.AbstentionAccuracy, rep.FalseAbstentionRate)
}
