package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ragteam/rag/prompts"
	"github.com/ragteam/rag/rag"
	"github.com/ragteam/rag/rag/provider"
)

// chatChunk is one chunk of a streamed completion.
type chatChunk struct {
	Model   string
	Choices []struct {
		Delta        struct{ Role, Content string }
		FinishReason *string `json:"finish_reason"`
	}
	Citations    []string
	RagCitations []rag.Citation `json:"rag_citations"`
	Usage        *struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	}
}

// readChunks splits a completion stream into its chunks and checks it ends
// with [DONE].
func readChunks(t *testing.T, body []byte) []chatChunk {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(body)), "\n\n")
	if lines[len(lines)-1] != "data: [DONE]" {
		t.Fatalf("stream does not end with [DONE]: %q", body)
	}
	var out []chatChunk
	for _, l := range lines[:len(lines)-1] {
		if strings.HasPrefix(l, ":") {
			continue
		}
		var c chatChunk
		if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "data: ")), &c); err != nil {
			t.Fatalf("chunk %q: %v", l, err)
		}
		out = append(out, c)
	}
	return out
}

func TestChatCompletions(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{PublicURL: "https://rag.example.com/"})
	resp, body := postJSON(t, srv, "/v1/chat/completions", `{"model":"rag","messages":[
		{"role":"system","content":"be brief"},
		{"role":"user","content":[{"type":"text","text":"Who is Iran's ambassador to Russia?"}]}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var out struct {
		Object, Model string
		Choices       []struct {
			Message      struct{ Role, Content string }
			FinishReason string `json:"finish_reason"`
		}
		Citations    []string
		RagCitations []rag.Citation `json:"rag_citations"`
		Rag          rag.Answer
		Usage        struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		}
	}
	json.Unmarshal(body, &out)
	if out.Object != "chat.completion" || out.Model != "rag" || len(out.Choices) != 1 || out.Choices[0].FinishReason != "stop" {
		t.Fatalf("%s", body)
	}
	content := out.Choices[0].Message.Content
	// [n] is passage n: the citations array holds a URL per passage, and
	// each marker's URL opens the passage its citation quotes.
	if !strings.Contains(content, "Kazem Jalali") || !strings.Contains(content, "\n\nSources:\n[") || len(out.RagCitations) == 0 {
		t.Fatalf("content %q citations %d", content, len(out.RagCitations))
	}
	if len(out.Citations) != len(out.Rag.Passages) {
		t.Fatalf("%d citation URLs for %d passages", len(out.Citations), len(out.Rag.Passages))
	}
	for _, c := range out.RagCitations {
		p := out.Rag.Passages[c.N-1]
		if !strings.Contains(content, fmt.Sprintf("[%d]", c.N)) || p.ChunkID != c.ChunkID ||
			out.Citations[c.N-1] != fmt.Sprintf("https://rag.example.com/#doc=%s&end=%d&start=%d", url.QueryEscape(p.DocID), p.End, p.Start) {
			t.Errorf("citation %+v does not match passage %d (%s)", c, c.N, out.Citations[c.N-1])
		}
	}
	if out.Usage.PromptTokens < 10 || out.Usage.CompletionTokens < 5 || out.Usage.TotalTokens != out.Usage.PromptTokens+out.Usage.CompletionTokens {
		t.Errorf("usage %+v", out.Usage)
	}
	// Streamed: the first chunk carries the role and the citations, the
	// text adds up to the same content, the model is the same, and usage
	// comes last when asked for.
	resp, body = postJSON(t, srv, "/v1/chat/completions", `{"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Who is Iran's ambassador to Russia?"}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("stream %d %s", resp.StatusCode, body)
	}
	chunks := readChunks(t, body)
	if chunks[0].Choices[0].Delta.Role != "assistant" || len(chunks[0].Citations) != len(out.Citations) {
		t.Errorf("first chunk %+v", chunks[0])
	}
	var text strings.Builder
	for _, c := range chunks {
		if c.Model != "rag" {
			t.Errorf("chunk model %q", c.Model)
		}
		if len(c.Choices) > 0 {
			text.WriteString(c.Choices[0].Delta.Content)
		}
	}
	if text.String() != content {
		t.Errorf("streamed %q\nwant %q", text.String(), content)
	}
	if last := chunks[len(chunks)-1]; len(last.Choices) != 0 || last.Usage == nil || last.Usage.CompletionTokens != out.Usage.CompletionTokens {
		t.Errorf("usage chunk %+v", last)
	}
}

// An answer that says the corpus does not hold one lists the passages it
// speaks of, on every surface.
func TestNotFoundListsTheClosestPassages(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	resp, body := postJSON(t, srv, "/v1/chat/completions", `{"messages":[{"role":"user","content":"What is the population of Moscow?"}]}`)
	var out struct {
		Choices []struct{ Message struct{ Content string } }
		Rag     rag.Answer
	}
	json.Unmarshal(body, &out)
	if resp.StatusCode != 200 || out.Rag.Answered || len(out.Choices) == 0 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	content := out.Choices[0].Message.Content
	if !strings.Contains(content, "\n\nClosest passages:\n- ") || !strings.Contains(content, out.Rag.Passages[0].Title) {
		t.Errorf("content lists no passages: %q", content)
	}
	blocks, _ := json.Marshal(answerBlocks("q", &out.Rag, ""))
	if !strings.Contains(string(blocks), "Closest passages") || !strings.Contains(string(blocks), escapeMrkdwn(out.Rag.Passages[0].Title)) {
		t.Errorf("Slack blocks list no passages: %s", blocks)
	}
}

func TestChatCompletionsRefuseWhatTheyCannotHonour(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	user := `{"role":"user","content":"Who is Iran's ambassador to Russia?"}`
	for _, tc := range []struct{ body, param string }{
		{`{"n":2,"messages":[` + user + `]}`, "n"},
		{`{"tools":[{"type":"function","function":{"name":"f"}}],"messages":[` + user + `]}`, "tools"},
		{`{"response_format":{"type":"json_object"},"messages":[` + user + `]}`, "response_format"},
		{`{"messages":[{"role":"tool","content":"x"},` + user + `]}`, "messages[0].role"},
		{`{"messages":[{"role":"assistant","content":"hi"}]}`, "messages"},
	} {
		resp, body := postJSON(t, srv, "/v1/chat/completions", tc.body)
		var e struct {
			Error struct{ Message, Type, Param string }
		}
		json.Unmarshal(body, &e)
		if resp.StatusCode != 400 || e.Error.Type != "invalid_request_error" || e.Error.Param != tc.param || e.Error.Message == "" {
			t.Errorf("%s: %d %s", tc.body, resp.StatusCode, body)
		}
	}
	// n=1, no tools, text format: fine.
	if resp, body := postJSON(t, srv, "/v1/chat/completions", `{"n":1,"tools":[],"response_format":{"type":"text"},"messages":[`+user+`]}`); resp.StatusCode != 200 {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

func TestModelDiscovery(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	resp, body := do(t, srv, call{method: "GET", path: "/v1/models"})
	var list struct {
		Object string
		Data   []struct{ ID, Object string }
	}
	json.Unmarshal(body, &list)
	if resp.StatusCode != 200 || list.Object != "list" || len(list.Data) != 1 || list.Data[0].ID != "rag" || list.Data[0].Object != "model" {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, srv, call{method: "GET", path: "/v1/models/rag"}); resp.StatusCode != 200 || !strings.Contains(string(body), `"id":"rag"`) {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, srv, call{method: "GET", path: "/v1/models/gpt-4"}); resp.StatusCode != 404 || !strings.Contains(string(body), "model_not_found") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

// A slowly streaming model's text reaches the client as it is written,
// with the client's system message passed on to the model.
func TestChatCompletionsStreamAsTheModelWrites(t *testing.T) {
	t.Parallel()
	p, err := prompts.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var sawSystem atomic.Bool
	slow := rag.Model{Name: "slow", Generate: func(ctx context.Context, msgs []rag.Message, onToken func(string)) (string, error) {
		for _, m := range msgs {
			if m.Role == "system" && strings.Contains(m.Content, "answer in French") {
				sawSystem.Store(true)
			}
		}
		words := []string{"Kazem ", "Jalali ", "is ", "the ", "ambassador ", "[1]."}
		for _, w := range words {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(150 * time.Millisecond):
			}
			if onToken != nil {
				onToken(w)
			}
		}
		return strings.Join(words, ""), nil
	}}
	e := rag.NewEngine(seedIndex(t))
	e.Answer = rag.LLM(rag.LLMOptions{Model: slow, Prompts: p, Fallback: e.Answer})
	e.Streaming = true
	_, srv := newTestServer(t, Config{Engine: e})
	req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions", strings.NewReader(`{"stream":true,"messages":[{"role":"system","content":"answer in French"},{"role":"user","content":"Who is Iran's ambassador to Russia?"}]}`))
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var firstContent, total time.Duration
	var all bytes.Buffer
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		all.WriteString(sc.Text() + "\n")
		if firstContent == 0 && strings.Contains(sc.Text(), `"content":"Kazem `) {
			firstContent = time.Since(start)
		}
	}
	total = time.Since(start)
	if firstContent == 0 || firstContent > total/2 {
		t.Errorf("first content at %v of %v: not streamed\n%s", firstContent, total, all.String())
	}
	if !sawSystem.Load() {
		t.Error("the client's system message did not reach the model")
	}
	t.Logf("first content after %v, stream done after %v", firstContent.Round(time.Millisecond), total.Round(time.Millisecond))
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

// A front end's chores about the conversation (title, tags, follow-ups)
// are answered from the conversation, never with "the corpus does not say".
func TestChatFrontEndChoresAreNotCorpusQuestions(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	history := `### Chat History:\n<chat_history>\nUSER: Who is Iran's ambassador to Russia?\nASSISTANT: Kazem Jalali [1]\n</chat_history>`
	for _, tc := range []struct{ prompt, want string }{
		{`### Task:\nGenerate a concise, 3-5 word title with an emoji summarizing the chat history.\n### Output:\nJSON format: { \"title\": \"your concise title here\" }\n` + history, `{\"title\":\"`},
		{`### Task:\nGenerate 1-3 broad tags categorizing the main themes of the chat history.\n### Output:\nJSON format: { \"tags\": [\"tag1\"] }\n` + history, `{\"tags\":[\"`},
		{`### Task:\nSuggest 3-5 relevant follow-up questions the user might ask next, based on the chat history.\n### Output:\nJSON format: { \"follow_ups\": [\"Question 1?\"] }\n` + history, `{\"follow_ups\":[\"`},
		{`Please generate a concise, 5-word-or-less title for the conversation, using its same language, with no punctuation.\n\nConversation:\nUser: Who is Iran's ambassador to Russia?\nAI: Kazem Jalali [1]`, `Ambassador`},
	} {
		resp, body := postJSON(t, srv, "/v1/chat/completions", `{"messages":[{"role":"user","content":"`+tc.prompt+`"}]}`)
		var out struct {
			Choices []struct{ Message struct{ Content string } }
		}
		json.Unmarshal(body, &out)
		if resp.StatusCode != 200 || len(out.Choices) == 0 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		got := out.Choices[0].Message.Content
		if strings.Contains(got, "does not say") || !strings.Contains(got, strings.ReplaceAll(tc.want, `\"`, `"`)) {
			t.Errorf("chore %.60q answered %q, want %q", tc.prompt, got, tc.want)
		}
	}
	// Ordinary questions that mention a title or the conversation are
	// still questions.
	for _, q := range []string{"What is the title of Iran's ambassador to Russia?", "What is the title of the conversation between the ambassador and Putin?"} {
		resp, body := postJSON(t, srv, "/v1/chat/completions", `{"messages":[{"role":"user","content":"`+q+`"}]}`)
		if resp.StatusCode != 200 || strings.Contains(string(body), "rag_task") {
			t.Errorf("%q was taken for a chore: %s", q, body)
		}
	}
	// A chore carrying a long conversation is not held to the question's length.
	long := "### Task:\nGenerate a concise title.\n### Chat History:\n<chat_history>\nUSER: Who is Iran's ambassador to Russia?\nASSISTANT: " + strings.Repeat("Kazem Jalali. ", 180) + "\n</chat_history>"
	chore, _ := json.Marshal(map[string]any{"messages": []map[string]string{{"role": "user", "content": long}}})
	if resp, body := postJSON(t, srv, "/v1/chat/completions", string(chore)); resp.StatusCode != 200 || !strings.Contains(string(body), "rag_task") {
		t.Errorf("a long chore: %d %.200s", resp.StatusCode, body)
	}
}
