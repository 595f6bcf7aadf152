package rag

import (
	"context"
	"sort"
	"strings"
)

// Answer is the one shape of an answer, shared by the CLI, the API, Slack
// and eval. Every [n] marker in Text refers to Citations[n-1], and every
// citation is referred to.
type Answer struct {
	Question   string             `json:"question"`
	Standalone string             `json:"standalone_question,omitempty"`
	Answered   bool               `json:"answered"`
	Answer     string             `json:"answer"`
	Citations  []Citation         `json:"citations"`
	Passages   []Passage          `json:"passages"`
	Answerer   string             `json:"answerer"`
	Fallback   string             `json:"fallback"`
	Grounded   bool               `json:"grounded"`
	TimingsMS  map[string]float64 `json:"timings_ms"`
}

// Citation is a quoted span of a document: Quote == document text[Start:End].
type Citation struct {
	N       int     `json:"n"`
	DocID   string  `json:"doc_id"`
	Title   string  `json:"title"`
	ChunkID string  `json:"chunk_id"`
	Start   int     `json:"start"`
	End     int     `json:"end"`
	Quote   string  `json:"quote"`
	Score   float64 `json:"score"`
}

// AnswerRequest is what an answerer gets: the question to answer and the
// retrieved passages, best first. OnToken, when set, receives the answer
// text as it is produced.
type AnswerRequest struct {
	Question string
	Passages []Passage
	OnToken  func(string)
}

// AnswerFunc writes an answer from passages. It sets Answered, Answer,
// Citations, Grounded, Answerer and Fallback; the engine sets the rest.
type AnswerFunc func(ctx context.Context, req AnswerRequest) (*Answer, error)

// candidate is a sentence of a retrieved passage, scored against the question.
type candidate struct {
	passage  int // index into the request's passages
	span     Span
	text     string
	stems    map[string]bool
	coverage float64 // weighted share of the question's terms in the sentence
	context  float64 // the same share in its whole passage
	score    float64
}

// sentenceCandidates returns the quotable sentences of the passages, each
// once, with document offsets.
func sentenceCandidates(passages []Passage) []candidate {
	type key struct {
		doc   string
		start int
	}
	seen := map[key]bool{}
	var out []candidate
	for i, p := range passages {
		for _, s := range sentences(p.Text, 0, len(p.Text)) {
			k := key{p.DocID, p.Start + s.Start}
			if !s.Quotable || seen[k] {
				continue
			}
			seen[k] = true
			text := p.Text[s.Start:s.End]
			out = append(out, candidate{
				passage: i,
				span:    Span{Start: p.Start + s.Start, End: p.Start + s.End, Quotable: true},
				text:    text,
				stems:   stemSet(text),
			})
		}
	}
	return out
}

func stemSet(text string) map[string]bool {
	m := map[string]bool{}
	for _, t := range terms(text) {
		m[t] = true
	}
	return m
}

// citeSentences numbers the chosen sentences in order and writes the
// answer text with a marker after each.
func citeSentences(chosen []candidate, passages []Passage) (string, []Citation) {
	var b strings.Builder
	cites := make([]Citation, 0, len(chosen))
	for i, c := range chosen {
		p := passages[c.passage]
		n := i + 1
		cites = append(cites, Citation{
			N: n, DocID: p.DocID, Title: p.Title, ChunkID: p.ChunkID,
			Start: c.span.Start, End: c.span.End, Quote: c.text, Score: round3(c.score),
		})
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.TrimSpace(c.text))
		b.WriteString(" [")
		b.WriteString(itoa(n))
		b.WriteString("]")
	}
	return b.String(), cites
}

func sortCandidates(cs []candidate) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
}
