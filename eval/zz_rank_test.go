package eval

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/ragteam/rag/rag"
)

func TestZRank(t *testing.T) {
	spec := os.Getenv("ZRANK") // corpus:set,corpus:set
	if spec == "" {
		t.Skip()
	}
	model := rag.DefaultSelector()
	hist := map[int]int{}
	total := 0
	for _, cs := range strings.Split(spec, ",") {
		p := strings.SplitN(cs, ":", 2)
		set, err := LoadSet(p[1])
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		ix := rag.NewIndex(rag.IndexOptions{})
		if _, err := ix.Sync(ctx, p[0], nil); err != nil {
			t.Fatal(err)
		}
		for _, it := range set {
			if it.Unanswerable {
				continue
			}
			question := it.Question
			if len(it.History) > 0 {
				var turns []rag.Turn
				for _, h := range it.History {
					turns = append(turns, rag.Turn{Role: "user", Content: h})
				}
				question, _ = rag.RuleRewrite(ctx, question, turns)
			}
			passages, _ := ix.Search(ctx, question, selectorTopK)
			q := ix.AnalyzeQuestion(question)
			cs := rag.CandidateSentences(q, passages)
			type sc struct {
				s  float64
				ok bool
				q  string
			}
			var all []sc
			for _, c := range cs {
				all = append(all, sc{model.Score(c.Features), len(matchedAliases(c.Quote, it.Answers)) > 0, c.Quote})
			}
			sort.Slice(all, func(i, j int) bool { return all[i].s > all[j].s })
			r := -1
			for i, a := range all {
				if a.ok {
					r = i
					break
				}
			}
			if r > 5 {
				r = 6
			}
			hist[r]++
			total++
			if os.Getenv("ZSHOW") != "" && r >= 1 && r <= 2 {
				fmt.Printf("r%d %s\n   1: %.120q\n   ok: %.120q\n", r, it.Question, all[0].q, all[r].q)
			}
		}
	}
	for r := -1; r <= 6; r++ {
		fmt.Printf("rank %d: %d (%.3f)\n", r, hist[r], float64(hist[r])/float64(total))
	}
}
