package rag

import (
	"context"
	"regexp"
	"sort"
	"strings"
)

// Answer is the one shape of an answer, shared by the CLI, the API, Slack
// and eval. Every [n] marker in Text refers to Citations[n-1], and every
// citation is referred to.
type Answer struct {
	Question   string     `json:"question"`
	Standalone string     `json:"standalone_question,omitempty"`
	Answered   bool       `json:"answered"`
	Answer     string     `json:"answer"`
	Citations  []Citation `json:"citations"`
	Passages   []Passage  `json:"passages"`
	Answerer   string     `json:"answerer"`
	Fallback   string     `json:"fallback"`
	Grounded   bool       `json:"grounded"`
	// ShortAnswer is the name, place, date or number asked for, as it
	// stands in the first citation's quote; empty for other questions.
	ShortAnswer string `json:"short_answer"`
	// Confidence is the extractive answerer's estimate, 0–1, that the
	// corpus answers the question; 0 from answerers that give none.
	Confidence float64            `json:"confidence"`
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
	// Analysis is the question as the index read it; the engine sets it.
	Analysis *Question
	Passages []Passage
	OnToken  func(string)
	// Instructions are the asker's directions to a model, if any.
	Instructions string
}

// AnswerFunc writes an answer from passages. It sets Answered, Answer,
// Citations, Grounded, Answerer and Fallback; the engine sets the rest.
type AnswerFunc func(ctx context.Context, req AnswerRequest) (*Answer, error)

// candidate is a sentence of a retrieved passage, scored against the question.
type candidate struct {
	passage    int // index into the request's passages
	docID      string
	span       Span
	text       string
	words      []Word
	stems      map[string]bool
	prev, next int // neighbouring sentences of the same passage; -1 when none
	features   []float64
	score      float64 // the selector's score: higher holds the answer more likely
	spans      []typedSpan
	spansDone  bool
	offTopic   bool // its passage lacks key topic words others hold
	// matchWords are the words the question is matched against: the
	// sentence's and, for a table's row, its header row's, which say what
	// its cells are ("Duration", "Water"); headerStems are the latter's
	// stems. A header is matched, never quoted, and makes no two rows
	// alike.
	matchWords  []Word
	headerStems map[string]bool
	// headerCells are a table row's header cells by their bars, empty
	// ones too (tableCells drops those); an escaped bar ("\|") is text.
	headerCells []string
}

// holds reports a stem of the sentence, or of a table row's header.
func (c *candidate) holds(stem string) bool { return c.stems[stem] || c.headerStems[stem] }

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
		last := -1
		for _, s := range sentences(p.Text, 0, len(p.Text)) {
			k := key{p.DocID, p.Start + s.Start}
			if !s.Quotable || seen[k] {
				last = -1
				continue
			}
			seen[k] = true
			text := p.Text[s.Start:s.End]
			ws := words(text)
			c := candidate{
				passage: i,
				docID:   p.DocID,
				span:    Span{Start: p.Start + s.Start, End: p.Start + s.End, Quotable: true},
				text:    text,
				words:   ws,
				stems:   map[string]bool{},
				prev:    last,
				next:    -1,
			}
			for _, w := range ws {
				if !w.Stop {
					c.stems[w.Stem] = true
				}
			}
			for _, a := range initialisms(text, ws) {
				c.stems[a] = true
			}
			c.matchWords = ws
			if h := tableHeader(p.Text, s.Start); h != "" {
				header := words(h)
				c.headerCells = strings.Split(strings.ReplaceAll(h, `\|`, ""), "|")
				c.matchWords = append(ws[:len(ws):len(ws)], header...)
				c.headerStems = map[string]bool{}
				for _, w := range header {
					if !w.Stop {
						c.headerStems[w.Stem] = true
					}
				}
			}
			if last >= 0 {
				out[last].next = len(out)
			}
			last = len(out)
			out = append(out, c)
		}
	}
	return out
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
		b.WriteString(defuseSentence(strings.TrimSpace(c.text)))
		b.WriteString(" [")
		b.WriteString(itoa(n))
		b.WriteString("]")
	}
	return b.String(), cites
}

// byScore returns the indices of the candidates on the topic, best first.
func byScore(cs []candidate) []int {
	order := make([]int, 0, len(cs))
	for i := range cs {
		if !cs[i].offTopic {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return cs[order[a]].score > cs[order[b]].score })
	return order
}

// forgedMarker is a bracketed number in document text ("… Industries [2]"),
// which an answer would otherwise show as a citation of its own.
var forgedMarker = regexp.MustCompile(`\[(\d+(?:\s*[,–-]\s*\d+)*)\]`)

// defuseSentence makes a document sentence safe to put in an answer: its
// bracketed numbers become parenthesised, and a sentence that reads like
// the service's own not-found message is put in quotation marks. The
// citation's quote keeps the document's exact text.
func defuseSentence(s string) string {
	s = forgedMarker.ReplaceAllString(s, "($1)")
	if strings.HasPrefix(strings.ToLower(s), strings.ToLower(notFoundPrefix)) {
		s = "“" + s + "”"
	}
	return s
}

// notFoundPrefix opens every abstention of the extractive answerer.
const notFoundPrefix = "The corpus does not say"
