package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ragteam/rag/rag"
)

var (
	engineOnce sync.Once
	testEngine *rag.Engine
)

func mustEngine(t *testing.T) *rag.Engine {
	t.Helper()
	engineOnce.Do(func() {
		ix := rag.NewIndex(rag.IndexOptions{})
		if _, err := ix.Sync(context.Background(), "../seeds", nil); err != nil {
			panic(err)
		}
		testEngine = rag.NewEngine(ix)
	})
	return testEngine
}

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(New(Config{Engine: mustEngine(t), BodyLimit: "4K"}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, method, path, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestAsk(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	resp, body := do(t, srv, "POST", "/v1/ask", "application/json", `{"question":"What was the joint naval drill in the Caspian called?","top_k":4}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var a rag.Answer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Answer, "CASAREX") || len(a.Citations) == 0 || len(a.Passages) != 4 || a.Answerer != "extractive" {
		t.Errorf("answer %+v", a)
	}
	var raw map[string]any
	json.Unmarshal(body, &raw)
	for _, k := range []string{"answered", "answer", "citations", "answerer", "fallback", "timings_ms"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("answer JSON lacks %q", k)
		}
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	resp, body := do(t, srv, "POST", "/v1/search", "application/json", `{"query":"Shahed drones","top_k":2}`)
	var sr SearchResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &sr) != nil || len(sr.Passages) != 2 {
		t.Errorf("status %d: %s", resp.StatusCode, body)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		code                            string
	}{
		{"malformed json", "POST", "/v1/ask", "application/json", `{"question":`, 400, codeBadJSON},
		{"not an object", "POST", "/v1/ask", "application/json", `"hello"`, 400, codeBadJSON},
		{"wrong type", "POST", "/v1/ask", "application/json", `{"question":42}`, 400, codeBadJSON},
		{"two values", "POST", "/v1/ask", "application/json", `{"question":"a"}{"question":"b"}`, 400, codeBadJSON},
		{"empty body", "POST", "/v1/ask", "application/json", ``, 400, codeBadJSON},
		{"empty question", "POST", "/v1/ask", "application/json", `{"question":"   "}`, 422, rag.EINVALID},
		{"long question", "POST", "/v1/ask", "application/json", `{"question":"` + strings.Repeat("a ", 1100) + `"}`, 422, rag.ETOOLARGE},
		{"bad top_k", "POST", "/v1/ask", "application/json", `{"question":"drills","top_k":1000}`, 422, rag.EINVALID},
		{"too large", "POST", "/v1/ask", "application/json", `{"question":"` + strings.Repeat("a", 5000) + `"}`, 413, codeBodyTooBig},
		{"wrong content type", "POST", "/v1/ask", "application/xml", `<q/>`, 415, codeBadType},
		{"unknown route", "GET", "/v1/nothing", "", "", 404, codeNoRoute},
		{"wrong method", "GET", "/v1/ask", "", "", 405, codeBadMethod},
		{"empty query", "POST", "/v1/search", "application/json", `{"query":""}`, 422, rag.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, tt.method, tt.path, tt.ctype, tt.body)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			var e ErrorBody
			if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != tt.code || e.Error.Message == "" {
				t.Errorf("error body %s (code want %s)", body, tt.code)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	resp, body := do(t, newTestServer(t), "GET", "/healthz", "", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "ok") {
		t.Errorf("healthz %d %s", resp.StatusCode, body)
	}
}

// A panic in a handler becomes a 500 with the generic message, not a
// crash, and its details stay out of the response.
func TestRecoverHidesInternalErrors(t *testing.T) {
	t.Parallel()
	e := *mustEngine(t)
	e.Answer = func(context.Context, rag.AnswerRequest) (*rag.Answer, error) { panic("secret detail") }
	srv := httptest.NewServer(New(Config{Engine: &e}))
	defer srv.Close()
	resp, body := do(t, srv, "POST", "/v1/ask", "application/json", `{"question":"Caspian drills"}`)
	if resp.StatusCode != 500 || strings.Contains(string(body), "secret") || !strings.Contains(string(body), "internal error") {
		t.Errorf("status %d body %s", resp.StatusCode, body)
	}
}
