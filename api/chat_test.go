package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ragteam/rag/rag"
	"github.com/ragteam/rag/rag/provider"
)

func TestChatCompletions(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	resp, body := postJSON(t, srv, "/v1/chat/completions", `{"model":"any","messages":[
		{"role":"system","content":"be brief"},
		{"role":"user","content":[{"type":"text","text":"Who is Iran's ambassador to Russia?"}]}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var out struct {
		Object  string
		Choices []struct {
			Message      struct{ Role, Content string }
			FinishReason string `json:"finish_reason"`
		}
		Citations []rag.Citation
	}
	json.Unmarshal(body, &out)
	if out.Object != "chat.completion" || len(out.Choices) != 1 || out.Choices[0].FinishReason != "stop" {
		t.Fatalf("%s", body)
	}
	content := out.Choices[0].Message.Content
	if !strings.Contains(content, "Kazem Jalali") || !strings.Contains(content, "\n\nSources:\n[1] ") || len(out.Citations) == 0 {
		t.Errorf("content %q citations %d", content, len(out.Citations))
	}
	// Streamed: chunks, then a final one with the citations, then [DONE].
	resp, body = postJSON(t, srv, "/v1/chat/completions", `{"stream":true,"messages":[{"role":"user","content":"Who is Iran's ambassador to Russia?"}]}`)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n\n")
	if resp.StatusCode != 200 || lines[len(lines)-1] != "data: [DONE]" {
		t.Fatalf("stream %d %q", resp.StatusCode, body)
	}
	var text strings.Builder
	var sawCitations bool
	for _, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(l, ":") {
			continue
		}
		var chunk struct {
			Choices []struct {
				Delta struct{ Content string }
			}
			Citations []rag.Citation
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "data: ")), &chunk); err != nil {
			t.Fatalf("chunk %q: %v", l, err)
		}
		text.WriteString(chunk.Choices[0].Delta.Content)
		sawCitations = sawCitations || len(chunk.Citations) > 0
	}
	if text.String() != content || !sawCitations {
		t.Errorf("streamed %q\nwant %q (citations %v)", text.String(), content, sawCitations)
	}
}

// An OpenAI client library — langchaingo's, as the provider layer uses
// it — talks to the service as it would to OpenAI, streamed and not.
func TestChatCompletionsWithAnOpenAIClient(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	model, _, err := provider.NewModel(provider.Config{LLM: provider.OpenAI, LLMBaseURL: srv.URL + "/v1", LLMModel: "rag"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs := []rag.Message{{Role: "user", Content: "Which fighter jets has Iran sought from Russia?"}}
	reply, err := model.Generate(ctx, msgs, nil)
	if err != nil || !strings.Contains(reply, "Su-35") || !strings.Contains(reply, "Sources:") {
		t.Fatalf("reply %q, %v", reply, err)
	}
	var streamed bytes.Buffer
	reply2, err := model.Generate(ctx, msgs, func(s string) { streamed.WriteString(s) })
	if err != nil || reply2 != reply || streamed.String() != reply {
		t.Errorf("streamed %q / %q, %v", streamed.String(), reply2, err)
	}
}
