package rag

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ragteam/rag/prompts"
)

// Message is one chat message sent to a model.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// GenerateFunc asks a model for a reply to messages. When onToken is set,
// the model streams and onToken receives each piece of text.
type GenerateFunc func(ctx context.Context, msgs []Message, onToken func(string)) (string, error)

// Model is a chat model behind a provider.
type Model struct {
	// Name is how answers name the path, e.g. "llm:ollama/llama3.2".
	Name     string
	Generate GenerateFunc
}

// LLMOptions configure the model answerer.
type LLMOptions struct {
	Model   Model
	Prompts *prompts.Set
	// Timeout bounds one model call; the default is 60 s.
	Timeout time.Duration
	// Fallback answers when the model fails twice.
	Fallback AnswerFunc
}

// LLM returns an answerer that has a model write the answer from the
// numbered passages. The reply's [n] markers are checked against the
// passages: markers that point to no passage are dropped, the passages
// cited are renumbered in order of first use, and each citation quotes the
// passage sentence that best matches the claims citing it. A reply with no
// valid citation is answered but not grounded; the prompt's not-found
// reply is an abstention. A failed call (refused, 5xx, timeout, empty
// output) is retried once, then the fallback answers and names the reason.
func LLM(opts LLMOptions) AnswerFunc {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	return func(ctx context.Context, req AnswerRequest) (*Answer, error) {
		if len(req.Passages) == 0 {
			return &Answer{Answerer: opts.Model.Name, Citations: []Citation{},
				Answer: "The corpus does not say: no passage matches the question."}, nil
		}
		system, user, err := opts.Prompts.Answer(prompts.AnswerData{Question: req.Question, Passages: promptPassages(req.Passages)})
		if err != nil {
			return nil, fmt.Errorf("render answer prompt: %w", err)
		}
		msgs := []Message{{Role: "system", Content: system}}
		if req.Instructions != "" {
			// The client's own directions come after the service's rules,
			// which say how to use the passages and cite them.
			msgs = append(msgs, Message{Role: "system", Content: "The asker adds: " + req.Instructions})
		}
		msgs = append(msgs, Message{Role: "user", Content: user})
		reply, err := generateWithRetry(context.WithValue(ctx, questionKey{}, req.Question), opts.Model, opts.Timeout, msgs, req.OnToken)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			ans, ferr := opts.Fallback(ctx, AnswerRequest{Question: req.Question, Analysis: req.Analysis, Passages: req.Passages})
			if ferr != nil {
				return nil, ferr
			}
			ans.Fallback = failureReason(err)
			return ans, nil
		}
		return citeReply(opts.Model.Name, reply, req.Passages), nil
	}
}

// promptPassages numbers passages for the prompt. Passage text is data:
// anything that could close the passage's delimiter is defused.
func promptPassages(ps []Passage) []prompts.Passage {
	defuse := func(s string) string { return passageTag.ReplaceAllString(s, "‹$1") }
	attr := func(s string) string { return strings.ReplaceAll(defuse(s), `"`, "”") }
	out := make([]prompts.Passage, len(ps))
	for i, p := range ps {
		out[i] = prompts.Passage{N: i + 1, Title: attr(p.Title), DocID: attr(p.DocID), Text: defuse(p.Text)}
	}
	return out
}

// passageTag is the prompt's passage delimiter in any case ("</PASSAGE>"),
// which document text must not be able to close or open.
var passageTag = regexp.MustCompile(`(?i)<(/?\s*passage)`)

type questionKey struct{}

// QuestionOf returns the question a model call answers, when the call
// comes from the [LLM] answerer; recorders key replies by it.
func QuestionOf(ctx context.Context) (string, bool) {
	q, ok := ctx.Value(questionKey{}).(string)
	return q, ok
}

// errEmptyReply is a model reply with no text.
var errEmptyReply = errors.New("empty reply")

// generateWithRetry calls the model with a deadline, and once more if the
// first call fails. Tokens of a failed attempt may already have been
// streamed; the final answer object is what counts.
// ModelAttempts is how many times a model is asked before the answer
// falls back; FallbackReserve is the time kept from the request's deadline
// for the offline answer when it does.
const (
	ModelAttempts   = 2
	FallbackReserve = 2 * time.Second
)

func generateWithRetry(ctx context.Context, m Model, timeout time.Duration, msgs []Message, onToken func(string)) (string, error) {
	var err error
	streamed := false
	stream := onToken
	if onToken != nil {
		stream = func(s string) {
			streamed = true
			onToken(s)
		}
	}
	for attempt := 0; attempt < ModelAttempts; attempt++ {
		if attempt > 0 && streamed {
			// What the failed attempt wrote cannot be taken back from a
			// client; say that the answer starts again.
			onToken("\n\n(The model was interrupted; its answer again:)\n\n")
		}
		var reply string
		reply, err = generateOnce(ctx, m, attemptTimeout(ctx, timeout, ModelAttempts-attempt), msgs, stream)
		if err == nil {
			return reply, nil
		}
		if ctx.Err() != nil {
			return "", err
		}
	}
	return "", err
}

// attemptTimeout shares what is left of the request's deadline, less the
// fallback's reserve, between the attempts still to come, up to timeout
// each: a hanging model then leaves time for the offline answer.
func attemptTimeout(ctx context.Context, timeout time.Duration, attemptsLeft int) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return timeout
	}
	share := (time.Until(deadline) - FallbackReserve) / time.Duration(attemptsLeft)
	return max(min(timeout, share), time.Millisecond)
}

func generateOnce(ctx context.Context, m Model, timeout time.Duration, msgs []Message, onToken func(string)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var stream func(string)
	if onToken != nil {
		stream = func(s string) {
			if s != "" {
				onToken(s)
			}
		}
	}
	reply, err := m.Generate(ctx, msgs, stream)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("%w after %s", context.DeadlineExceeded, timeout)
		}
		return "", err
	}
	if strings.TrimSpace(reply) == "" {
		return "", errEmptyReply
	}
	return reply, nil
}

// failureReason says briefly why the model path failed, for the answer's
// fallback field.
func failureReason(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "model timed out"
	case errors.Is(err, errEmptyReply):
		return "model returned an empty reply"
	case strings.Contains(msg, "connection refused"), strings.Contains(msg, "failed to reach"), strings.Contains(msg, "no such host"):
		return "model server unreachable"
	case strings.Contains(msg, "connection reset") || strings.Contains(msg, "EOF"):
		return "model server dropped the connection"
	}
	if m := statusPattern.FindStringSubmatch(msg); m != nil {
		return "model server answered HTTP " + m[1]
	}
	return "model call failed: " + shorten(msg, 120)
}

var statusPattern = regexp.MustCompile(`\b(4\d\d|5\d\d)\b`)

// markerGroup matches [1], [1, 3], [1-2] and runs such as [1][3].
var markerGroup = regexp.MustCompile(`\[(\d+(?:\s*[,;–-]\s*\d+)*)\]`)

var notFoundReply = regexp.MustCompile(`(?i)(cannot|can't|can not|unable to) answer (this )?(question )?from the (corpus|passages)|passages do not (contain|say|mention|provide)|not (contained|mentioned|stated) in the passages|corpus does not say`)

// citeReply turns a model reply into an answer: markers checked and
// renumbered, citations quoting the passages.
func citeReply(name, reply string, passages []Passage) *Answer {
	reply = strings.TrimSpace(reply)
	ans := &Answer{Answerer: name, Citations: []Citation{}}
	if notFoundReply.MatchString(reply) && len(markerGroup.FindAllString(reply, -1)) == 0 {
		ans.Answer = "The corpus does not say: " + reply
		return ans
	}
	renumber := map[int]int{} // passage number → citation number
	var order []int
	claims := map[int][]string{} // passage number → sentences citing it
	text := markerGroup.ReplaceAllStringFunc(reply, func(m string) string {
		var out []string
		for _, n := range markerNumbers(m) {
			if n < 1 || n > len(passages) {
				continue // points to no passage
			}
			if _, ok := renumber[n]; !ok {
				renumber[n] = len(order) + 1
				order = append(order, n)
			}
			out = append(out, "["+strconv.Itoa(renumber[n])+"]")
		}
		return strings.Join(dedupe(out), "")
	})
	text = markerRun.ReplaceAllStringFunc(text, func(run string) string {
		return strings.Join(dedupe(markerOne.FindAllString(run, -1)), "")
	})
	// A marker vouches for the text since the marker before it.
	from := 0
	for _, loc := range markerGroup.FindAllStringIndex(reply, -1) {
		for _, n := range markerNumbers(reply[loc[0]:loc[1]]) {
			claims[n] = append(claims[n], reply[from:loc[0]])
		}
		from = loc[1]
	}
	ans.Answer = tidyMarkers(text)
	for _, n := range order {
		p := passages[n-1]
		span := bestQuote(p, strings.Join(claims[n], " "))
		ans.Citations = append(ans.Citations, Citation{
			N: renumber[n], DocID: p.DocID, Title: p.Title, ChunkID: p.ChunkID,
			Start: span.Start, End: span.End, Quote: p.Text[span.Start-p.Start : span.End-p.Start], Score: round3(p.Score),
		})
	}
	ans.Answered = true
	ans.Grounded = len(ans.Citations) > 0
	return ans
}

// markerNumbers reads the numbers of one marker group: "[1, 3]" → 1, 3;
// "[2-4]" → 2, 3, 4.
func markerNumbers(m string) []int {
	var out []int
	for _, part := range markerSeparator.Split(strings.Trim(m, "[]"), -1) {
		lo, hi, isRange := strings.Cut(strings.ReplaceAll(part, "–", "-"), "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil || b < a || b-a > 20 {
				b = a
			}
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	return out
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

var (
	markerRun       = regexp.MustCompile(`(?:\[\d+\])+`)
	markerOne       = regexp.MustCompile(`\[\d+\]`)
	markerSeparator = regexp.MustCompile(`\s*[,;]\s*`)
	spaceBeforeStop = regexp.MustCompile(`[ \t]+([.,;:!?])`)
	doubleSpace     = regexp.MustCompile(`[ \t]{2,}`)
)

// tidyMarkers removes the spaces left where dropped markers stood.
func tidyMarkers(s string) string {
	return doubleSpace.ReplaceAllString(spaceBeforeStop.ReplaceAllString(s, "$1"), " ")
}

// bestQuote picks what of the passage the claims citing it rest on: the
// sentence sharing most words with them, widened to the neighbouring
// sentences the claims also repeat (a model often quotes several), or
// the whole passage when no sentence shares two words. Offsets are the
// document's.
func bestQuote(p Passage, claims string) Span {
	whole := Span{Start: p.Start, End: p.End, Quotable: true}
	want := stemSet(claims)
	if len(want) == 0 {
		return whole
	}
	type sentence struct {
		span     Span
		shared   int
		repeated bool // most of its words are in the claims
	}
	var ss []sentence
	best := -1
	for _, s := range sentences(p.Text, 0, len(p.Text)) {
		if !s.Quotable {
			continue
		}
		stems := stemSet(p.Text[s.Start:s.End])
		n := 0
		for t := range stems {
			if want[t] {
				n++
			}
		}
		ss = append(ss, sentence{Span{Start: p.Start + s.Start, End: p.Start + s.End, Quotable: true}, n, n*10 >= len(stems)*7})
		if best < 0 || n > ss[best].shared {
			best = len(ss) - 1
		}
	}
	if best < 0 || ss[best].shared < 2 {
		return whole
	}
	lo, hi := best, best
	for lo > 0 && ss[best].repeated && ss[lo-1].repeated {
		lo--
	}
	for hi+1 < len(ss) && ss[best].repeated && ss[hi+1].repeated {
		hi++
	}
	return Span{Start: ss[lo].span.Start, End: ss[hi].span.End, Quotable: true}
}
