// Package fakeprovider serves the wire protocols of model providers from
// an httptest server, for tests that must not reach a network: Ollama's
// /api/chat (NDJSON stream) and /api/embed, OpenAI's /v1/chat/completions
// (SSE stream) and /v1/embeddings, Anthropic's /v1/messages (SSE stream).
// It records what clients send and can fail on purpose.
package fakeprovider

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Failure modes.
const (
	OK    = ""
	Fail  = "500"   // answer HTTP 500
	Hang  = "hang"  // answer nothing until the client gives up
	Reset = "reset" // drop the connection
	Empty = "empty" // reply with no text
)

// Request is one call as the server received it.
type Request struct {
	Path   string
	Header http.Header
	Body   map[string]any
}

// Chat is what a chat request asked, for Reply.
type Chat struct {
	Model    string
	System   string
	Messages []Message
	Stream   bool
}

// Message is a chat message as sent.
type Message struct {
	Role    string
	Content string
}

// Server is a fake provider.
type Server struct {
	*httptest.Server
	kind string

	mu       sync.Mutex
	requests []Request
	failures []string // failure modes for the next calls, in order
	// Reply writes the model's answer; the default echoes the last message.
	Reply func(Chat) string
	// Dim is the embedding dimension.
	Dim int
	// PieceDelay is the pause before each piece of a streamed reply: a
	// model that writes slowly.
	PieceDelay time.Duration
}

// New starts a fake server of kind "ollama", "openai" or "anthropic".
func New(kind string) *Server {
	s := &Server{kind: kind, Dim: 8, Reply: func(c Chat) string { return "echo: " + c.Messages[len(c.Messages)-1].Content }}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// BaseURL is what a client is configured with: the server root for
// Ollama, the /v1 prefix for OpenAI and Anthropic.
func (s *Server) BaseURL() string {
	if s.kind == "ollama" {
		return s.URL
	}
	return s.URL + "/v1"
}

// FailNext makes the next calls fail in the given modes, one each.
func (s *Server) FailNext(modes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, modes...)
}

// Requests returns the calls received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	json.Unmarshal(raw, &body)
	s.mu.Lock()
	s.requests = append(s.requests, Request{Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	mode := OK
	if len(s.failures) > 0 {
		mode, s.failures = s.failures[0], s.failures[1:]
	}
	s.mu.Unlock()
	switch mode {
	case Fail:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		switch s.kind {
		case "ollama":
			io.WriteString(w, `{"error":"internal server error"}`)
		case "anthropic":
			io.WriteString(w, `{"type":"error","error":{"type":"api_error","message":"internal server error"}}`)
		default:
			io.WriteString(w, `{"error":{"message":"internal server error","type":"server_error"}}`)
		}
		return
	case Hang:
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		return
	case Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0)
				}
				conn.Close()
			}
		}
		return
	}
	switch {
	case s.kind == "ollama" && r.URL.Path == "/api/chat":
		s.ollamaChat(w, body, mode)
	case s.kind == "ollama" && r.URL.Path == "/api/embed":
		s.ollamaEmbed(w, body)
	case s.kind == "openai" && r.URL.Path == "/v1/chat/completions":
		s.openaiChat(w, body, mode)
	case s.kind == "openai" && r.URL.Path == "/v1/embeddings":
		s.openaiEmbed(w, body)
	case s.kind == "anthropic" && r.URL.Path == "/v1/messages":
		s.anthropicMessages(w, body, mode)
	default:
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
	}
}

func chatOf(body map[string]any) Chat {
	c := Chat{}
	c.Model, _ = body["model"].(string)
	c.Stream, _ = body["stream"].(bool)
	c.System, _ = body["system"].(string)
	if sys, ok := body["system"].([]any); ok { // Anthropic's block form
		for _, b := range sys {
			if m, ok := b.(map[string]any); ok {
				t, _ := m["text"].(string)
				c.System += t
			}
		}
	}
	msgs, _ := body["messages"].([]any)
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		role, _ := mm["role"].(string)
		c.Messages = append(c.Messages, Message{Role: role, Content: contentText(mm["content"])})
	}
	return c
}

// contentText reads a message's content: a string, or a list of parts.
func contentText(v any) string {
	switch c := v.(type) {
	case string:
		return c
	case []any:
		var b strings.Builder
		for _, p := range c {
			if m, ok := p.(map[string]any); ok {
				if t, ok := m["text"].(string); ok {
					b.WriteString(t)
				}
			}
		}
		return b.String()
	}
	return ""
}

func (s *Server) reply(body map[string]any, mode string) (Chat, string) {
	c := chatOf(body)
	if mode == Empty {
		return c, ""
	}
	s.mu.Lock()
	reply := s.Reply
	s.mu.Unlock()
	return c, reply(c)
}

// SetReply sets Reply while the server may be serving.
func (s *Server) SetReply(f func(Chat) string) {
	s.mu.Lock()
	s.Reply = f
	s.mu.Unlock()
}

// SetPieceDelay sets PieceDelay while the server may be serving.
func (s *Server) SetPieceDelay(d time.Duration) {
	s.mu.Lock()
	s.PieceDelay = d
	s.mu.Unlock()
}

// pause waits PieceDelay before a piece of a stream.
func (s *Server) pause() {
	s.mu.Lock()
	d := s.PieceDelay
	s.mu.Unlock()
	time.Sleep(d)
}

// pieces cuts text into a few stream chunks, with an empty one among them
// as real servers sometimes send.
func pieces(text string) []string {
	if text == "" {
		return []string{""}
	}
	var out []string
	words := strings.SplitAfter(text, " ")
	for i := 0; i < len(words); i += 3 {
		out = append(out, strings.Join(words[i:min(i+3, len(words))], ""))
		if i == 0 {
			out = append(out, "")
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) ollamaChat(w http.ResponseWriter, body map[string]any, mode string) {
	c, text := s.reply(body, mode)
	if !c.Stream {
		writeJSON(w, map[string]any{"model": c.Model, "created_at": time.Now().Format(time.RFC3339),
			"message": map[string]string{"role": "assistant", "content": text}, "done": true})
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for _, p := range pieces(text) {
		s.pause()
		enc.Encode(map[string]any{"model": c.Model, "created_at": time.Now().Format(time.RFC3339),
			"message": map[string]string{"role": "assistant", "content": p}, "done": false})
		flush(w)
	}
	enc.Encode(map[string]any{"model": c.Model, "created_at": time.Now().Format(time.RFC3339),
		"message": map[string]string{"role": "assistant", "content": ""}, "done": true, "done_reason": "stop"})
}

// Vector is the fake embedding of a text: deterministic, and texts that
// share words share dimensions.
func (s *Server) Vector(text string) []float32 {
	v := make([]float32, s.Dim)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		h := 0
		for _, r := range w {
			h = h*31 + int(r)
		}
		v[(h%s.Dim+s.Dim)%s.Dim]++
	}
	v[0] += 0.5
	return v
}

func inputs(body map[string]any) []string {
	switch in := body["input"].(type) {
	case string:
		return []string{in}
	case []any:
		out := make([]string, 0, len(in))
		for _, x := range in {
			s, _ := x.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func (s *Server) ollamaEmbed(w http.ResponseWriter, body map[string]any) {
	var vs [][]float32
	for _, t := range inputs(body) {
		vs = append(vs, s.Vector(t))
	}
	writeJSON(w, map[string]any{"model": body["model"], "embeddings": vs})
}

func (s *Server) openaiChat(w http.ResponseWriter, body map[string]any, mode string) {
	c, text := s.reply(body, mode)
	if !c.Stream {
		writeJSON(w, map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "model": c.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]string{"role": "assistant", "content": text}}}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	for _, p := range pieces(text) {
		s.pause()
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": c.Model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]string{"content": p}}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		flush(w)
	}
	b, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": c.Model,
		"choices": []any{map[string]any{"index": 0, "delta": map[string]string{}, "finish_reason": "stop"}}})
	fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", b)
}

func (s *Server) openaiEmbed(w http.ResponseWriter, body map[string]any) {
	var data []any
	for i, t := range inputs(body) {
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": s.Vector(t)})
	}
	writeJSON(w, map[string]any{"object": "list", "data": data, "model": body["model"],
		"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
}

func (s *Server) anthropicMessages(w http.ResponseWriter, body map[string]any, mode string) {
	c, text := s.reply(body, mode)
	if !c.Stream {
		writeJSON(w, map[string]any{"id": "msg_1", "type": "message", "role": "assistant", "model": c.Model,
			"content": []any{map[string]string{"type": "text", "text": text}}, "stop_reason": "end_turn",
			"usage": map[string]int{"input_tokens": 1, "output_tokens": 1}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	event := func(name string, v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
		flush(w)
	}
	event("message_start", map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_1", "type": "message",
		"role": "assistant", "model": c.Model, "content": []any{}, "usage": map[string]int{"input_tokens": 1, "output_tokens": 0}}})
	event("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]string{"type": "text", "text": ""}})
	event("ping", map[string]string{"type": "ping"})
	for _, p := range pieces(text) {
		s.pause()
		event("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]string{"type": "text_delta", "text": p}})
	}
	event("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	event("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn"}, "usage": map[string]int{"output_tokens": 5}})
	event("message_stop", map[string]string{"type": "message_stop"})
}
