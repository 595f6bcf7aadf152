// Package eval runs question/answer sets through the engine and scores
// retrieval, answers, citations and abstention.
package eval

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/ragteam/rag/rag"
	"gopkg.in/yaml.v3"
)

// Item is one question of a set.
type Item struct {
	ID           string   `yaml:"id" json:"id"`
	Question     string   `yaml:"question" json:"question"`
	Answers      []string `yaml:"answers,omitempty" json:"answers,omitempty"`
	Sources      []string `yaml:"sources,omitempty" json:"sources,omitempty"`
	Unanswerable bool     `yaml:"unanswerable,omitempty" json:"unanswerable,omitempty"`
	// History lists the user's earlier questions, oldest first: the item
	// is a follow-up, asked after the engine answered each of them.
	History []string `yaml:"history,omitempty" json:"history,omitempty"`
}

// LoadSet reads a YAML list of items and checks each: an id, a question,
// and either answers or unanswerable. Ids are unique within the set.
func LoadSet(path string) ([]Item, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read eval set: %w", err)
	}
	return ParseSet(data)
}

// ParseSet parses a set from YAML; see [LoadSet].
func ParseSet(data []byte) ([]Item, error) {
	var items []Item
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&items); err != nil {
		return nil, fmt.Errorf("parse eval set: %w", err)
	}
	seen := map[string]bool{}
	for i, it := range items {
		where := fmt.Sprintf("item %d", i+1)
		if it.ID != "" {
			where += " (" + it.ID + ")"
		}
		switch {
		case strings.TrimSpace(it.ID) == "":
			return nil, fmt.Errorf("%s: no id", where)
		case seen[it.ID]:
			return nil, fmt.Errorf("%s: id used twice", where)
		case strings.TrimSpace(it.Question) == "":
			return nil, fmt.Errorf("%s: no question", where)
		case it.Unanswerable && len(it.Answers) > 0:
			return nil, fmt.Errorf("%s: unanswerable items take no answers", where)
		case !it.Unanswerable && len(it.Answers) == 0:
			return nil, fmt.Errorf("%s: give answers, or mark it unanswerable", where)
		}
		for _, a := range it.Answers {
			if Normalize(a) == "" {
				return nil, fmt.Errorf("%s: answer %q is empty once normalised", where, a)
			}
		}
		seen[it.ID] = true
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("parse eval set: no items")
	}
	return items, nil
}

// Result is how the engine did on one item.
type Result struct {
	ID           string  `json:"id"`
	Question     string  `json:"question"`
	Unanswerable bool    `json:"unanswerable"`
	Answered     bool    `json:"answered"`
	Answer       string  `json:"answer"`
	ShortAnswer  string  `json:"short_answer,omitempty"`
	Confidence   float64 `json:"confidence"`
	Answerer     string  `json:"answerer"`
	Fallback     string  `json:"fallback,omitempty"`
	Correct      bool    `json:"correct"`
	// LeadRight: the short answer an answer leads with holds an expected
	// answer, as a right answer does, or is the end of one without its
	// digits: a surname of the full name ("Wolgemut" of "Michael
	// Wolgemut"), not "May" of "3 May 1999" nor "12" of "12 minutes".
	LeadRight bool `json:"lead_right,omitempty"`
	// AnswerRetrieved: a retrieved passage holds an expected answer, so
	// the answerer had it to find.
	AnswerRetrieved bool     `json:"answer_retrieved"`
	Rank            int      `json:"rank"` // of the first passage from a listed source; 0 when none
	Citations       int      `json:"citations"`
	CitedSources    int      `json:"cited_from_sources"`
	Supported       bool     `json:"supported"`
	Retrieved       []string `json:"retrieved"`
	LatencyMS       float64  `json:"latency_ms"`
	Error           string   `json:"error,omitempty"`
}

// Pass reports whether the item went right: an unanswerable question
// abstained, an answerable one answered with an expected answer.
func (r Result) Pass() bool {
	if r.Error != "" {
		return false
	}
	if r.Unanswerable {
		return !r.Answered
	}
	return r.Answered && r.Correct
}

// Report is a run's summary and its items. Its JSON has exactly the
// summary keys at the top level, plus items.
type Report struct {
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	AnswerRecall float64 `json:"answer_recall"`
	// AnswerRetrieved is the share of answerable questions whose retrieved
	// passages hold an expected answer: the most answer recall could be
	// with this retrieval. The gap between the two is the answerer's.
	AnswerRetrieved     float64 `json:"answer_retrieved"`
	HitAtK              float64 `json:"hit_at_k"`
	MRR                 float64 `json:"mrr"`
	CitationPrecision   float64 `json:"citation_precision"`
	CitedSupport        float64 `json:"cited_support"`
	AbstentionAccuracy  float64 `json:"abstention_accuracy"`
	FalseAbstentionRate float64 `json:"false_abstention_rate"`
	// LeadPrecision is the share of short answers, among the answerable
	// questions answered with one (Leads of them), that are right (see
	// Result.LeadRight): an answer may cite the right sentence and still
	// lead with the wrong name or number, in bold.
	LeadPrecision float64  `json:"lead_precision"`
	Leads         int      `json:"leads"`
	P50MS         float64  `json:"p50_ms"`
	P95MS         float64  `json:"p95_ms"`
	Items         []Result `json:"items"`
}

// Metrics returns the summary as a map by JSON key, for thresholds.
func (r Report) Metrics() map[string]float64 {
	return map[string]float64{
		"answerable": float64(r.Answerable), "unanswerable": float64(r.Unanswerable),
		"answer_recall": r.AnswerRecall, "answer_retrieved": r.AnswerRetrieved, "hit_at_k": r.HitAtK, "mrr": r.MRR,
		"citation_precision": r.CitationPrecision, "cited_support": r.CitedSupport,
		"abstention_accuracy": r.AbstentionAccuracy, "false_abstention_rate": r.FalseAbstentionRate, "lead_precision": r.LeadPrecision, "leads": float64(r.Leads),
		"p50_ms": r.P50MS, "p95_ms": r.P95MS,
	}
}

// Run asks every item through the engine, as the API would, with k
// passages, and scores the answers.
func Run(ctx context.Context, engine *rag.Engine, items []Item, k int) Report {
	var rep Report
	for _, it := range items {
		rep.Items = append(rep.Items, runItem(ctx, engine, it, k))
	}
	rep.summarise()
	return rep
}

func runItem(ctx context.Context, engine *rag.Engine, it Item, k int) Result {
	res := Result{ID: it.ID, Question: it.Question, Unanswerable: it.Unanswerable}
	var history []rag.Turn
	for _, q := range it.History {
		prev, err := engine.Ask(ctx, rag.Query{Question: q, TopK: k, History: history})
		if err != nil {
			res.Error = "history: " + err.Error()
			return res
		}
		history = append(history, rag.Turn{Role: "user", Content: q}, rag.Turn{Role: "assistant", Content: prev.Answer})
	}
	ans, err := engine.Ask(ctx, rag.Query{Question: it.Question, TopK: k, History: history})
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Answered, res.Answer, res.Answerer, res.Fallback = ans.Answered, ans.Answer, ans.Answerer, ans.Fallback
	res.ShortAnswer, res.Confidence = ans.ShortAnswer, ans.Confidence
	res.LatencyMS = ans.TimingsMS["total"]
	sources := map[string]bool{}
	for _, s := range it.Sources {
		sources[s] = true
	}
	for i, p := range ans.Passages {
		res.Retrieved = append(res.Retrieved, p.DocID)
		if res.Rank == 0 && sources[p.DocID] {
			res.Rank = i + 1
		}
	}
	if it.Unanswerable {
		return res
	}
	for _, p := range ans.Passages {
		if len(matchedAliases(p.Text, it.Answers)) > 0 {
			res.AnswerRetrieved = true
		}
	}
	matched := matchedAliases(ans.Answer, it.Answers)
	res.Correct = ans.Answered && len(matched) > 0
	if ans.Answered && ans.ShortAnswer != "" {
		for _, a := range it.Answers {
			res.LeadRight = res.LeadRight || containsNormalized(ans.ShortAnswer, a) || endsAlias(a, ans.ShortAnswer)
		}
	}
	res.Citations = len(ans.Citations)
	for _, c := range ans.Citations {
		if sources[c.DocID] {
			res.CitedSources++
		}
		for _, a := range matched {
			if containsNormalized(c.Quote, a) {
				res.Supported = ans.Answered
			}
		}
	}
	return res
}

func (r *Report) summarise() {
	var correct, retrieved, hits, supported, abstainedRight, falseAbstain, cites, citedSrc, leadsRight int
	var rr float64
	var lat []float64
	for _, it := range r.Items {
		if it.Error == "" {
			lat = append(lat, it.LatencyMS)
		}
		if it.Unanswerable {
			r.Unanswerable++
			if it.Error == "" && !it.Answered {
				abstainedRight++
			}
			continue
		}
		r.Answerable++
		if it.Correct {
			correct++
		}
		if it.AnswerRetrieved {
			retrieved++
		}
		if it.Rank > 0 {
			hits++
			rr += 1 / float64(it.Rank)
		}
		if it.Supported {
			supported++
		}
		if it.Error == "" && !it.Answered {
			falseAbstain++
		}
		if it.Answered && it.ShortAnswer != "" {
			r.Leads++
			if it.LeadRight {
				leadsRight++
			}
		}
		cites += it.Citations
		citedSrc += it.CitedSources
	}
	r.AnswerRecall = ratio(correct, r.Answerable)
	r.AnswerRetrieved = ratio(retrieved, r.Answerable)
	r.HitAtK = ratio(hits, r.Answerable)
	r.MRR = round(rr / math.Max(1, float64(r.Answerable)))
	r.CitationPrecision = ratio(citedSrc, cites)
	r.CitedSupport = ratio(supported, r.Answerable)
	r.AbstentionAccuracy = ratio(abstainedRight, r.Unanswerable)
	r.FalseAbstentionRate = ratio(falseAbstain, r.Answerable)
	r.LeadPrecision = ratio(leadsRight, r.Leads)
	r.P50MS, r.P95MS = percentile(lat, 50), percentile(lat, 95)
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return round(float64(n) / float64(d))
}

func round(f float64) float64 { return math.Round(f*10000) / 10000 }

// percentile is the nearest-rank percentile of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return round(s[max(0, min(i, len(s)-1))])
}

var (
	asciiPunct  = regexp.MustCompile(`[!-/:-@\[-` + "`" + `{-~]`)
	otherPunct  = regexp.MustCompile(`[^\p{L}\p{N}\s]`)
	apostrophes = strings.NewReplacer("’", "'", "‘", "'")
	articles    = regexp.MustCompile(`\b(a|an|the)\b`)
)

// Normalize is SQuAD's answer normalisation: lower case, no punctuation,
// no articles, single spaces. ASCII punctuation is dropped as SQuAD does
// ("U.S." → "us"); other punctuation, such as dashes, separates words.
func Normalize(s string) string {
	s = apostrophes.Replace(strings.ToLower(s))
	s = asciiPunct.ReplaceAllString(s, "")
	s = otherPunct.ReplaceAllString(s, " ")
	s = articles.ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(s), " ")
}

// containsNormalized reports whether alias appears in text as whole words
// once both are normalised.
func containsNormalized(text, alias string) bool {
	a := Normalize(alias)
	return a != "" && strings.Contains(" "+Normalize(text)+" ", " "+a+" ")
}

// endsAlias reports a lead without digits that ends the alias, once both
// are normalised: the surname of a full name.
func endsAlias(alias, lead string) bool {
	l := Normalize(lead)
	return l != "" && !strings.ContainsAny(l, "0123456789") && strings.HasSuffix(" "+Normalize(alias), " "+l)
}

func matchedAliases(answer string, aliases []string) []string {
	var out []string
	for _, a := range aliases {
		if containsNormalized(answer, a) {
			out = append(out, a)
		}
	}
	return out
}
