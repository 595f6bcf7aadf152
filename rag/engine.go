package rag

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Query is a question put to the [Engine], with the conversation before
// it, if any. OnToken receives the answer text as it is written.
type Query struct {
	Question string
	TopK     int
	History  []Turn
	OnToken  func(string)
	// OnPassages, when set, receives the passages before the answer is written.
	OnPassages func([]Passage)
	// DocIDs, when set, restrict the search to these documents.
	DocIDs []string
	// Instructions are the asker's own directions to a model (an
	// OpenAI-compatible client's system messages); the offline answerer
	// has no use for them.
	Instructions string
}

// Engine answers questions: it retrieves passages from the index and hands
// them to the answerer. The CLI, the API, Slack and eval all ask through it.
type Engine struct {
	Index  *Index
	Answer AnswerFunc
	// TopK is the number of passages retrieved when a query sets none.
	TopK int
	// MaxQuestion is the longest question accepted, in characters.
	MaxQuestion int
	// Rewrite turns a follow-up into a standalone question; RuleRewrite
	// when nil.
	Rewrite RewriteFunc
	// Streaming says the answerer writes through OnToken as it goes (a
	// model); the offline answerer writes its answer at once.
	Streaming bool
	// Chat, when a model is configured, has it answer messages as they
	// are, without the corpus: for a chat front end's chores about the
	// conversation itself (a title, tags).
	Chat func(ctx context.Context, msgs []Message) (string, error)
}

// Defaults for an [Engine].
const (
	DefaultTopK        = 5
	DefaultMaxQuestion = 2000
)

// NewEngine returns an engine over ix with the extractive answerer.
func NewEngine(ix *Index) *Engine {
	return &Engine{
		Index:       ix,
		Answer:      Extractive(DefaultExtractiveOptions),
		TopK:        DefaultTopK,
		MaxQuestion: DefaultMaxQuestion,
	}
}

// Validate checks a query without running it. It returns EINVALID for an
// empty question or a top-k out of range, and ETOOLARGE for an over-long
// question.
func (e *Engine) Validate(q Query) error {
	if err := validateHistory(q.History); err != nil {
		return err
	}
	return e.validate("question", q.Question, q.TopK)
}

func (e *Engine) validate(what, text string, k int) error {
	if !utf8.ValidString(text) {
		return Errorf(EINVALID, "the %s is not valid UTF-8", what)
	}
	text = strings.TrimSpace(cleanQuestion(text))
	if text == "" {
		return Errorf(EINVALID, "the %s is empty", what)
	}
	if n := utf8.RuneCountInString(text); n > e.maxQuestion() {
		return Errorf(ETOOLARGE, "the %s is %d characters long; the limit is %d", what, n, e.maxQuestion())
	}
	if k < 0 || k > MaxTopK {
		return Errorf(EINVALID, "top_k must be between 1 and %d, got %d", MaxTopK, k)
	}
	return nil
}

// Search returns the passages that best match query, k of them or the
// engine's default when k is 0. Errors are those of [Engine.Validate].
func (e *Engine) Search(ctx context.Context, query string, k int, docIDs ...string) ([]Passage, error) {
	if err := e.validate("query", query, k); err != nil {
		return nil, err
	}
	if k == 0 {
		k = e.TopK
	}
	ps, _, err := e.Index.search(ctx, strings.TrimSpace(cleanQuestion(query)), k, docIDs)
	return ps, err
}

// cleanQuestion drops control characters (NUL, escapes) from user text;
// line breaks and tabs become spaces.
func cleanQuestion(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r) || r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
}

func (e *Engine) maxQuestion() int {
	if e.MaxQuestion > 0 {
		return e.MaxQuestion
	}
	return DefaultMaxQuestion
}

// Ask answers a question. A follow-up is first rewritten into a standalone
// question, which retrieval uses and the answer reports. When a model
// part fails — the embedder or the rewrite — the answer still comes, and
// its Fallback field says what was left out. Errors carry the codes of
// [Engine.Validate] and [Index.Search].
func (e *Engine) Ask(ctx context.Context, q Query) (*Answer, error) {
	start := time.Now()
	if err := e.Validate(q); err != nil {
		return nil, err
	}
	k := q.TopK
	if k == 0 {
		k = e.TopK
	}
	text := strings.TrimSpace(cleanQuestion(q.Question))
	var notes []string
	standalone := text
	if len(q.History) > 0 {
		standalone, notes = e.standalone(ctx, text, q.History)
	}
	passages, degraded, err := e.Index.search(ctx, standalone, k, q.DocIDs)
	if err != nil {
		return nil, err
	}
	if degraded != "" {
		notes = append(notes, degraded)
	}
	if q.OnPassages != nil {
		q.OnPassages(passages)
	}
	retrieved := time.Now()
	analysis := e.Index.AnalyzeQuestion(standalone)
	if standalone != text {
		analysis = analysis.typedAs(text, q.History)
	}
	ans, err := e.Answer(ctx, AnswerRequest{Question: standalone, Analysis: analysis, Passages: passages, OnToken: q.OnToken, Instructions: q.Instructions})
	if err != nil {
		return nil, err
	}
	done := time.Now()
	ans.Question = text
	if standalone != text {
		ans.Standalone = standalone
	}
	ans.Passages = passages
	if ans.Citations == nil {
		ans.Citations = []Citation{}
	}
	if ans.Fallback != "" {
		notes = append([]string{ans.Fallback}, notes...)
	}
	ans.Fallback = strings.Join(notes, "; ")
	ans.TimingsMS = map[string]float64{
		"retrieve": millis(retrieved.Sub(start)),
		"answer":   millis(done.Sub(retrieved)),
		"total":    millis(done.Sub(start)),
	}
	return ans, nil
}

// standalone rewrites a follow-up; when the rewriter fails, the offline
// rule does it and the failure is noted.
func (e *Engine) standalone(ctx context.Context, question string, history []Turn) (string, []string) {
	if e.Rewrite != nil {
		s, err := e.Rewrite(ctx, question, history)
		if err == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s), nil
		}
		rule, _ := RuleRewrite(ctx, question, history)
		reason := "empty rewrite"
		if err != nil {
			reason = failureReason(err)
		}
		return rule, []string{"follow-up rewritten by rule (" + reason + ")"}
	}
	s, _ := RuleRewrite(ctx, question, history)
	return s, nil
}

func millis(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }
