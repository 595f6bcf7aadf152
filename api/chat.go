package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// ChatRequest is the OpenAI chat completions request, as far as the
// service reads it.
type ChatRequest struct {
	Model    string        `json:"model"`
	Messages []ChatMessage `json:"messages"`
	Stream   bool          `json:"stream"`
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

// chatQuery reads the question (the last user message) and the history
// before it; system messages are the service's business and are ignored.
func chatQuery(req ChatRequest) (rag.Query, error) {
	var turns []rag.Turn
	for _, m := range req.Messages {
		if m.Role != "user" && m.Role != "assistant" {
			continue
		}
		text, err := m.text()
		if err != nil {
			return rag.Query{}, err
		}
		turns = append(turns, rag.Turn{Role: m.Role, Content: text})
	}
	if len(turns) == 0 || turns[len(turns)-1].Role != "user" {
		return rag.Query{}, rag.Errorf(rag.EINVALID, "messages must end with a user message")
	}
	last := turns[len(turns)-1]
	return rag.Query{Question: last.Content, History: turns[:len(turns)-1]}, nil
}

// footnotes lists an answer's sources under it, for clients that show
// only the message text.
func footnotes(a *rag.Answer) string {
	if len(a.Citations) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nSources:")
	for _, c := range a.Citations {
		fmt.Fprintf(&b, "\n[%d] %s (%s): “%s”", c.N, c.Title, c.DocID, shorten(c.Quote, 300))
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

// chatModel is the model name the service answers as.
func chatModel(req ChatRequest, a *rag.Answer) string {
	if a != nil {
		return "rag/" + a.Answerer
	}
	if req.Model != "" {
		return req.Model
	}
	return "rag"
}

// chatCompletions answers in OpenAI's chat completions format, streamed
// or not, so chat front ends and OpenAI client libraries can use the
// service. Sources come as numbered footnotes in the text and as a
// "citations" field.
func (s *Server) chatCompletions(c echo.Context) error {
	var req ChatRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	q, err := chatQuery(req)
	if err != nil {
		return err
	}
	e, err := s.ready()
	if err != nil {
		return err
	}
	if err := e.Validate(q); err != nil {
		return err
	}
	id := "chatcmpl-" + requestIDOf(c)
	created := time.Now().Unix()
	if req.Stream {
		return s.chatStream(c, e, q, req, id, created)
	}
	ans, err := e.Ask(c.Request().Context(), q)
	if err != nil {
		return err
	}
	s.metrics.observe(ans)
	return c.JSON(http.StatusOK, map[string]any{
		"id": id, "object": "chat.completion", "created": created, "model": chatModel(req, ans),
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]string{"role": "assistant", "content": ans.Answer + footnotes(ans)}}},
		"citations": ans.Citations,
		"rag":       ans,
		"usage":     map[string]int{"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
	})
}

// chatStream sends chat.completion.chunk events. The checked answer is
// sent once the engine is done (a model's raw stream may hold markers
// that do not survive checking), then the footnotes, then [DONE].
func (s *Server) chatStream(c echo.Context, e *rag.Engine, q rag.Query, req ChatRequest, id string, created int64) error {
	st, stop := startStream(c, s.cfg.KeepAlive)
	defer stop()
	chunk := func(delta map[string]string, finish any, extra map[string]any) {
		obj := map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": chatModel(req, nil),
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
		for k, v := range extra {
			obj[k] = v
		}
		b, _ := json.Marshal(obj)
		st.sendData(string(b))
	}
	chunk(map[string]string{"role": "assistant", "content": ""}, nil, nil)
	ans, err := e.Ask(c.Request().Context(), q)
	if err != nil {
		b, _ := json.Marshal(s.streamError(err))
		st.sendData(string(b))
		st.sendData("[DONE]")
		return nil
	}
	s.metrics.observe(ans)
	for _, piece := range strings.SplitAfter(ans.Answer, " ") {
		chunk(map[string]string{"content": piece}, nil, nil)
	}
	if f := footnotes(ans); f != "" {
		chunk(map[string]string{"content": f}, nil, nil)
	}
	chunk(map[string]string{}, "stop", map[string]any{"citations": ans.Citations})
	st.sendData("[DONE]")
	return nil
}
