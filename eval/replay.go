package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/ragteam/rag/rag"
)

// Recording holds a model's replies to an eval set's questions, so the
// model path can be tested again without the model.
type Recording struct {
	Model   string            `json:"model"`
	Note    string            `json:"note,omitempty"`
	Replies map[string]string `json:"replies"` // question → reply

	mu sync.Mutex
}

// LoadRecording reads a recording file.
func LoadRecording(path string) (*Recording, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read recording: %w", err)
	}
	var r Recording
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("parse recording %s: %w", path, err)
	}
	if r.Model == "" || len(r.Replies) == 0 {
		return nil, fmt.Errorf("recording %s names no model or holds no replies", path)
	}
	return &r, nil
}

// Save writes the recording; its questions come out sorted, so that a
// re-recording diffs cleanly.
func (r *Recording) Save(path string) error {
	r.mu.Lock()
	b, err := json.MarshalIndent(r, "", "  ")
	r.mu.Unlock()
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Record wraps a model so that each reply to an answer prompt is kept in r.
func Record(m rag.Model, r *Recording) rag.Model {
	r.Model = m.Name
	if r.Replies == nil {
		r.Replies = map[string]string{}
	}
	inner := m.Generate
	m.Generate = func(ctx context.Context, msgs []rag.Message, onToken func(string)) (string, error) {
		reply, err := inner(ctx, msgs, onToken)
		if q, ok := rag.QuestionOf(ctx); ok && err == nil {
			r.mu.Lock()
			r.Replies[q] = reply
			r.mu.Unlock()
		}
		return reply, err
	}
	return m
}

// Replay returns a model that answers with the recorded replies, streamed
// in pieces; a question with no recording fails like a model outage.
func Replay(r *Recording) rag.Model {
	return rag.Model{
		Name: "llm:replay/" + strings.TrimPrefix(r.Model, "llm:"),
		Generate: func(ctx context.Context, _ []rag.Message, onToken func(string)) (string, error) {
			q, _ := rag.QuestionOf(ctx)
			reply, ok := r.Replies[q]
			if !ok {
				return "", fmt.Errorf("no recorded reply for %q", q)
			}
			if onToken != nil {
				for _, w := range strings.SplitAfter(reply, " ") {
					onToken(w)
				}
			}
			return reply, nil
		},
	}
}
