package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// The OpenAI-compatible surface: chat completions and model discovery, so
// that chat front ends and OpenAI client libraries can use the service.
//
// In a completion's text, [n] is passage n of the retrieval, the same
// numbering as the "citations" array of URLs (the widespread convention;
// a URL opens the passage in the chat page). The service's own citation
// objects, renumbered the same way, ride in "rag_citations", and the whole
// answer in "rag". A stream sends the citations on its first chunk.

// chatModelID is the one model the service offers.
const chatModelID = "rag"

// ChatRequest is the OpenAI chat completions request, as far as the
// service reads it. Parameters it cannot honour are refused, not ignored.
type ChatRequest struct {
	Model         string        `json:"model"`
	Messages      []ChatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	N              *int            `json:"n"`
	Tools          json.RawMessage `json:"tools"`
	Functions      json.RawMessage `json:"functions"`
	ResponseFormat *struct {
		Type string `json:"type"`
	} `json:"response_format"`
}

// ChatMessage is an OpenAI chat message; content is a string or a list
// of parts.
type ChatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

func (m ChatMessage) text() (string, error) {
	var s string
	if err := json.Unmarshal(m.Content, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(m.Content, &parts); err != nil {
		return "", rag.Errorf(rag.EINVALID, "message content must be a string or a list of text parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), nil
}

// openAIError is an error in OpenAI's shape, for the OpenAI-compatible
// routes: clients read its type, param and code.
type openAIError struct {
	status                     int
	Message, Type, Param, Code string
}

func (e *openAIError) Error() string { return e.Message }

func (e *openAIError) body() map[string]any {
	var param, code any
	if e.Param != "" {
		param = e.Param
	}
	if e.Code != "" {
		code = e.Code
	}
	return map[string]any{"error": map[string]any{"message": e.Message, "type": e.Type, "param": param, "code": code}}
}

func unsupported(param, message string) error {
	return &openAIError{status: http.StatusBadRequest, Message: message, Type: "invalid_request_error", Param: param, Code: "unsupported_parameter"}
}

func invalidMessages(param, message string) error {
	return &openAIError{status: http.StatusBadRequest, Message: message, Type: "invalid_request_error", Param: param, Code: rag.EINVALID}
}

// asOpenAIError turns any error of the chat routes into OpenAI's shape,
// with the status and code the service's own shape would have.
func (s *Server) asOpenAIError(err error) *openAIError {
	if oe, ok := err.(*openAIError); ok {
		return oe
	}
	status, body := s.errorResponse(err)
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest // OpenAI's clients know bad input as 400
	}
	typ := "invalid_request_error"
	switch {
	case status == http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case status >= 500:
		typ = "server_error"
	}
	return &openAIError{status: status, Message: body.Error.Message, Type: typ, Code: body.Error.Code}
}

// chatQuery checks the request and reads the question (the last user
// message), the history before it, and the system messages.
func chatQuery(req ChatRequest) (rag.Query, error) {
	switch {
	case req.N != nil && *req.N != 1:
		return rag.Query{}, unsupported("n", "only one choice is answered (n must be 1)")
	case present(req.Tools):
		return rag.Query{}, unsupported("tools", "tools are not supported: answers come from the documents")
	case present(req.Functions):
		return rag.Query{}, unsupported("functions", "functions are not supported: answers come from the documents")
	case req.ResponseFormat != nil && req.ResponseFormat.Type != "" && req.ResponseFormat.Type != "text":
		return rag.Query{}, unsupported("response_format", fmt.Sprintf("response_format %q is not supported; answers are text", req.ResponseFormat.Type))
	}
	var turns []rag.Turn
	var system []string
	for i, m := range req.Messages {
		text, err := m.text()
		if err != nil {
			return rag.Query{}, invalidMessages(fmt.Sprintf("messages[%d].content", i), rag.ErrorMessage(err))
		}
		switch m.Role {
		case "system", "developer":
			system = append(system, text)
		case "user", "assistant":
			turns = append(turns, rag.Turn{Role: m.Role, Content: text})
		default:
			return rag.Query{}, invalidMessages(fmt.Sprintf("messages[%d].role", i), fmt.Sprintf("role %q is not supported: use system, developer, user or assistant", m.Role))
		}
	}
	if len(turns) == 0 || turns[len(turns)-1].Role != "user" {
		return rag.Query{}, invalidMessages("messages", "messages must end with a user message")
	}
	last := turns[len(turns)-1]
	return rag.Query{Question: last.Content, History: turns[:len(turns)-1], Instructions: strings.Join(system, "\n\n")}, nil
}

// present reports a JSON value other than null or empty.
func present(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != "[]" && s != "{}"
}

var marker = regexp.MustCompile(`\[(\d+)\]`)

// byPassage renumbers an answer's markers and citations by the passages
// they quote: [n] in the result is passage n.
func byPassage(a *rag.Answer) (string, []rag.Citation) {
	index := map[string]int{}
	for i, p := range a.Passages {
		index[p.ChunkID] = i + 1
	}
	renumber := map[int]int{}
	cites := make([]rag.Citation, 0, len(a.Citations))
	for _, c := range a.Citations {
		if p, ok := index[c.ChunkID]; ok {
			renumber[c.N] = p
			c.N = p
		}
		cites = append(cites, c)
	}
	text := marker.ReplaceAllStringFunc(a.Answer, func(m string) string {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		if p, ok := renumber[n]; ok {
			return "[" + strconv.Itoa(p) + "]"
		}
		return m
	})
	return text, cites
}

// footnotes lists the cited passages under the text, by passage number,
// for clients that show only the message text.
func footnotes(cites []rag.Citation) string {
	if len(cites) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nSources:")
	for _, c := range cites {
		fmt.Fprintf(&b, "\n[%d] %s (%s): “%s”", c.N, c.Title, c.DocID, shorten(c.Quote, 300))
	}
	return b.String()
}

// closestPassages lists, under an answer that says the corpus does not
// hold one, the passages it refers to: the best of each document, with
// its title and a snippet.
func closestPassages(a *rag.Answer) []rag.Passage {
	if a.Answered {
		return nil
	}
	seen := map[string]bool{}
	var out []rag.Passage
	for _, p := range a.Passages {
		if !seen[p.DocID] && len(out) < maxClosest {
			seen[p.DocID] = true
			out = append(out, p)
		}
	}
	return out
}

// maxClosest is how many documents' passages an abstention lists.
const maxClosest = 3

// snippet is the start of a passage's text on one line.
func snippet(p rag.Passage) string { return shorten(strings.Join(strings.Fields(p.Text), " "), 160) }

// closestText is closestPassages for a chat client's text.
func closestText(a *rag.Answer) string {
	ps := closestPassages(a)
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nClosest passages:")
	for _, p := range ps {
		fmt.Fprintf(&b, "\n- %s (%s): “%s”", p.Title, p.DocID, snippet(p))
	}
	return b.String()
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// passageURLs are the chat page's links to the passages, by passage
// number, built from the configured public URL (never from the request's
// Host header, which the client chooses); none without one.
func (s *Server) passageURLs(ps []rag.Passage) []string {
	if s.cfg.PublicURL == "" {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = documentLink(s.cfg.PublicURL, p.DocID, p.Start, p.End)
	}
	return out
}

// tokenPattern counts usage: words and punctuation marks, not a model's
// tokens (the service runs no tokenizer of its own).
var tokenPattern = regexp.MustCompile(`[\p{L}\p{N}]+|[^\s\p{L}\p{N}]`)

func countTokens(texts ...string) int {
	n := 0
	for _, t := range texts {
		n += len(tokenPattern.FindAllStringIndex(t, -1))
	}
	return n
}

func usage(req ChatRequest, completion string) map[string]int {
	var prompt []string
	for _, m := range req.Messages {
		if t, err := m.text(); err == nil {
			prompt = append(prompt, t)
		}
	}
	p, c := countTokens(prompt...), countTokens(completion)
	return map[string]int{"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
}

// listModels and getModel answer model discovery (GET /v1/models), which
// front ends and the SDKs call first.
func (s *Server) listModels(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"object": "list", "data": []any{s.model()}})
}

func (s *Server) getModel(c echo.Context) error {
	if id := c.Param("id"); id != chatModelID {
		return &openAIError{status: http.StatusNotFound, Type: "invalid_request_error", Param: "model", Code: "model_not_found",
			Message: fmt.Sprintf("no model %q: this service offers %q", id, chatModelID)}
	}
	return c.JSON(http.StatusOK, s.model())
}

func (s *Server) model() map[string]any {
	return map[string]any{"id": chatModelID, "object": "model", "created": s.started.Unix(), "owned_by": "rag"}
}

// chatCompletions answers in OpenAI's chat completions format, streamed
// or not.
func (s *Server) chatCompletions(c echo.Context) error {
	var req ChatRequest
	if err := decodeJSON(c, &req); err != nil {
		return s.asOpenAIError(err)
	}
	q, err := chatQuery(req)
	if err != nil {
		return err
	}
	e, err := s.ready()
	if err != nil {
		return s.asOpenAIError(err)
	}
	id := "chatcmpl-" + requestIDOf(c)
	created := time.Now().Unix()
	// A chore carries the conversation: it is bounded by the body limit,
	// not the question's.
	if task, ok := conversationTask(q.Question); ok {
		text, answerer := answerTask(c.Request().Context(), e, task, q)
		return s.chatReply(c, req, id, created, text, map[string]any{"rag_task": map[string]string{"task": task, "answerer": answerer}})
	}
	if err := e.Validate(q); err != nil {
		return s.asOpenAIError(err)
	}
	if req.Stream {
		return s.chatStream(c, e, q, req, id, created)
	}
	ans, err := e.Ask(c.Request().Context(), q)
	if err != nil {
		return s.asOpenAIError(err)
	}
	s.metrics.observe(ans)
	text, cites := byPassage(ans)
	content := text + footnotes(cites) + closestText(ans)
	out := map[string]any{
		"id": id, "object": "chat.completion", "created": created, "model": chatModelID,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]string{"role": "assistant", "content": content}}},
		"rag_citations": cites,
		"rag":           ans,
		"usage":         usage(req, content),
	}
	if urls := s.passageURLs(ans.Passages); urls != nil {
		out["citations"] = urls
	}
	return c.JSON(http.StatusOK, out)
}

// chatStream sends chat.completion.chunk events: the first, as soon as the
// passages are found, with the role and the citations; then the text as
// the answerer writes it (a model streams it; the offline answerer writes
// it at once); then the footnotes, a last chunk with the whole answer, a
// usage chunk when asked, and [DONE].
func (s *Server) chatStream(c echo.Context, e *rag.Engine, q rag.Query, req ChatRequest, id string, created int64) error {
	// Shutdown ends the stream with an error chunk and [DONE], as it ends
	// /v1/ask's streams.
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	defer context.AfterFunc(s.closing, cancel)()
	st, stop := startStream(c, s.cfg.KeepAlive)
	defer stop()
	var mu sync.Mutex // the callbacks and the handler write chunks in turn
	var streamed strings.Builder
	out := chunks{st: st, id: id, created: created}
	chunk := out.send
	started := false
	first := func(ps []rag.Passage) {
		mu.Lock()
		defer mu.Unlock()
		if started {
			return
		}
		started = true
		extra := map[string]any{}
		if urls := s.passageURLs(ps); urls != nil {
			extra["citations"] = urls
		}
		chunk(map[string]string{"role": "assistant", "content": ""}, nil, extra)
	}
	q.OnPassages = first
	if e.Streaming {
		// A model cites passages by their numbers, as the citations do.
		q.OnToken = func(text string) {
			mu.Lock()
			defer mu.Unlock()
			streamed.WriteString(text)
			chunk(map[string]string{"content": text}, nil, nil)
		}
	}
	ans, err := e.Ask(ctx, q)
	if err != nil {
		first(nil)
		b, _ := json.Marshal(s.asOpenAIError(err).body())
		st.sendData(string(b))
		st.sendData("[DONE]")
		return nil
	}
	s.metrics.observe(ans)
	mu.Lock()
	defer mu.Unlock()
	text, cites := byPassage(ans)
	var tail string
	switch {
	case streamed.Len() == 0:
		tail = text
	case ans.Answerer == rag.ExtractiveName:
		// The model failed part-way; what it wrote stands, and the
		// offline answer follows.
		tail = "\n\n(The model stopped; answered from the passages instead.) " + text
	}
	tail += footnotes(cites) + closestText(ans)
	if tail != "" {
		chunk(map[string]string{"content": tail}, nil, nil)
	}
	chunk(map[string]string{}, "stop", map[string]any{"rag_citations": cites, "rag": ans})
	out.end(req, streamed.String()+tail)
	return nil
}

// chunks writes chat.completion.chunk events of one completion.
type chunks struct {
	st      *eventStream
	id      string
	created int64
}

// send writes a chunk with one choice's delta, and fields of our own.
func (c chunks) send(delta map[string]string, finish any, extra map[string]any) {
	obj := map[string]any{"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
	for k, v := range extra {
		obj[k] = v
	}
	c.write(obj)
}

// end writes the usage chunk when the request asked for it, then [DONE].
func (c chunks) end(req ChatRequest, completion string) {
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		c.write(map[string]any{"choices": []any{}, "usage": usage(req, completion)})
	}
	c.st.sendData("[DONE]")
}

func (c chunks) write(obj map[string]any) {
	obj["id"], obj["object"], obj["created"], obj["model"] = c.id, "chat.completion.chunk", c.created, chatModelID
	b, _ := json.Marshal(obj)
	c.st.sendData(string(b))
}

// chatReply sends a finished text as a completion, streamed or not.
func (s *Server) chatReply(c echo.Context, req ChatRequest, id string, created int64, text string, extra map[string]any) error {
	if !req.Stream {
		out := map[string]any{"id": id, "object": "chat.completion", "created": created, "model": chatModelID,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]string{"role": "assistant", "content": text}}},
			"usage":   usage(req, text)}
		for k, v := range extra {
			out[k] = v
		}
		return c.JSON(http.StatusOK, out)
	}
	st, stop := startStream(c, s.cfg.KeepAlive)
	defer stop()
	out := chunks{st: st, id: id, created: created}
	out.send(map[string]string{"role": "assistant", "content": text}, nil, nil)
	out.send(map[string]string{}, "stop", extra)
	out.end(req, text)
	return nil
}
