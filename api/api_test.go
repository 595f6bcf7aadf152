package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ragteam/rag/rag"
)

// seedIndex returns a fresh index of the seeds; tests that change
// documents need their own.
func seedIndex(t *testing.T) *rag.Index {
	t.Helper()
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(context.Background(), "../seeds", nil); err != nil {
		t.Fatal(err)
	}
	return ix
}

var (
	sharedOnce   sync.Once
	sharedEngine *rag.Engine
)

// sharedSeeds is an engine over the seeds for tests that only read.
func sharedSeeds(t *testing.T) *rag.Engine {
	t.Helper()
	return sharedSeedsF()
}

func newTestServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	if cfg.Engine == nil {
		cfg.Engine = sharedSeeds(t)
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "4K"
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 1000
	}
	s := New(cfg)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

type call struct {
	method, path, ctype, body string
	header                    map[string]string
}

func do(t *testing.T, srv *httptest.Server, c call) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.ctype != "" {
		req.Header.Set("Content-Type", c.ctype)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func postJSON(t *testing.T, srv *httptest.Server, path, body string) (*http.Response, []byte) {
	return do(t, srv, call{method: "POST", path: path, ctype: "application/json", body: body})
}

func TestAsk(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	resp, body := postJSON(t, srv, "/v1/ask", `{"question":"What was the joint naval drill in the Caspian called?","top_k":4}`)
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
	if resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", resp.Header)
	}
	// A follow-up with history is rewritten, and the rewrite is returned.
	resp, body = postJSON(t, srv, "/v1/ask", `{"question":"What was its theme?","history":[{"role":"user","content":"What was the joint naval drill in the Caspian called?"},{"role":"assistant","content":"CASAREX 2025 [1]"}]}`)
	json.Unmarshal(body, &a)
	if resp.StatusCode != 200 || a.Standalone == "" || !strings.Contains(a.Answer, "Together for a Safe") {
		t.Errorf("follow-up: %d %q %q", resp.StatusCode, a.Standalone, a.Answer)
	}
}

type sseEvent struct {
	name string
	data map[string]any
}

func readSSE(t *testing.T, r io.Reader) (events []sseEvent, comments int) {
	t.Helper()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var name, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, ":"):
			comments++
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && data != "":
			var m map[string]any
			if err := json.Unmarshal([]byte(data), &m); err != nil {
				t.Fatalf("event %s data %q: %v", name, data, err)
			}
			events = append(events, sseEvent{name, m})
			name, data = "", ""
		}
	}
	return events, comments
}

func TestAskStream(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	for name, c := range map[string]call{
		"stream field":  {method: "POST", path: "/v1/ask", ctype: "application/json", body: `{"question":"Which fighter jets has Iran sought from Russia?","stream":true}`},
		"accept header": {method: "POST", path: "/v1/ask", ctype: "application/json", body: `{"question":"Which fighter jets has Iran sought from Russia?"}`, header: map[string]string{"Accept": "text/event-stream", "Accept-Encoding": "gzip"}},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := do(t, srv, c)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") || resp.Header.Get("Content-Encoding") != "" {
				t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
			}
			events, _ := readSSE(t, bytes.NewReader(body))
			if len(events) < 3 || events[0].name != "citations" || events[len(events)-1].name != "done" {
				t.Fatalf("events %v", events)
			}
			var text string
			for _, e := range events[1 : len(events)-1] {
				if e.name != "delta" {
					t.Errorf("unexpected event %s", e.name)
				}
				text += e.data["text"].(string)
			}
			done := events[len(events)-1].data
			if done["answer"] != text || !strings.Contains(text, "Su-35") {
				t.Errorf("deltas %q, done %q", text, done["answer"])
			}
			if ps := events[0].data["passages"].([]any); len(ps) != 5 {
				t.Errorf("%d passages", len(ps))
			}
		})
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	resp, body := postJSON(t, srv, "/v1/search", `{"query":"Shahed drones","top_k":2}`)
	var sr SearchResponse
	if resp.StatusCode != 200 || json.Unmarshal(body, &sr) != nil || len(sr.Passages) != 2 || sr.Passages[0].Text == "" {
		t.Errorf("status %d: %s", resp.StatusCode, body)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	tests := []struct {
		name   string
		c      call
		status int
		code   string
	}{
		{"malformed json", call{"POST", "/v1/ask", "application/json", `{"question":`, nil}, 400, codeBadJSON},
		{"not an object", call{"POST", "/v1/ask", "application/json", `"hello"`, nil}, 400, codeBadJSON},
		{"wrong type", call{"POST", "/v1/ask", "application/json", `{"question":42}`, nil}, 400, codeBadJSON},
		{"two values", call{"POST", "/v1/ask", "application/json", `{"question":"a"}{"question":"b"}`, nil}, 400, codeBadJSON},
		{"empty body", call{"POST", "/v1/ask", "application/json", ``, nil}, 400, codeBadJSON},
		{"empty question", call{"POST", "/v1/ask", "application/json", `{"question":"   "}`, nil}, 422, rag.EINVALID},
		{"long question", call{"POST", "/v1/ask", "application/json", `{"question":"` + strings.Repeat("a ", 1100) + `"}`, nil}, 422, rag.ETOOLARGE},
		{"bad top_k", call{"POST", "/v1/ask", "application/json", `{"question":"drills","top_k":1000}`, nil}, 422, rag.EINVALID},
		{"bad history", call{"POST", "/v1/ask", "application/json", `{"question":"drills","history":[{"role":"system","content":"x"}]}`, nil}, 422, rag.EINVALID},
		{"too large", call{"POST", "/v1/ask", "application/json", `{"question":"` + strings.Repeat("a", 5000) + `"}`, nil}, 413, codeBodyTooBig},
		{"wrong content type", call{"POST", "/v1/ask", "application/xml", `<q/>`, nil}, 415, codeBadType},
		{"unknown route", call{"GET", "/v1/nothing", "", "", nil}, 404, codeNoRoute},
		{"wrong method", call{"GET", "/v1/ask", "", "", nil}, 405, codeBadMethod},
		{"empty query", call{"POST", "/v1/search", "application/json", `{"query":""}`, nil}, 422, rag.EINVALID},
		{"unknown document", call{"GET", "/v1/documents/nope.txt", "", "", nil}, 404, rag.ENOTFOUND},
		{"document id escaping", call{"GET", "/v1/documents/..%2f..%2fetc%2fpasswd", "", "", nil}, 422, rag.EINVALID},
		{"bad rating", call{"POST", "/v1/feedback", "application/json", `{"question":"q","answer":"a","rating":"meh"}`, nil}, 422, rag.EINVALID},
		{"unknown asset", call{"GET", "/assets/../openapi.go", "", "", nil}, 404, codeNoRoute},
		{"chat without user message", call{"POST", "/v1/chat/completions", "application/json", `{"messages":[{"role":"system","content":"hi"}]}`, nil}, 400, rag.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, srv, tt.c)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			var e ErrorBody
			if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != tt.code || e.Error.Message == "" {
				t.Errorf("error body %s (code want %s)", body, tt.code)
			}
		})
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	s := New(Config{RateLimit: 1000})
	srv := httptest.NewServer(s)
	defer srv.Close()
	if resp, _ := do(t, srv, call{method: "GET", path: "/healthz"}); resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, call{method: "GET", path: "/readyz"}); resp.StatusCode != 503 {
		t.Errorf("readyz before the index: %d", resp.StatusCode)
	}
	resp, body := postJSON(t, srv, "/v1/ask", `{"question":"Caspian drills"}`)
	if resp.StatusCode != 503 || !strings.Contains(string(body), rag.EUNAVAILABLE) {
		t.Errorf("ask before the index: %d %s", resp.StatusCode, body)
	}
	s.SetEngine(sharedSeeds(t))
	resp, body = do(t, srv, call{method: "GET", path: "/readyz"})
	var st ReadyStatus
	json.Unmarshal(body, &st)
	if resp.StatusCode != 200 || !st.Ready || st.Documents != 5 || st.Chunks == 0 {
		t.Errorf("readyz %d %+v", resp.StatusCode, st)
	}
}

func TestDocumentsReadOnly(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	resp, body := do(t, srv, call{method: "GET", path: "/v1/documents"})
	var list DocumentList
	if resp.StatusCode != 200 || json.Unmarshal(body, &list) != nil || len(list.Documents) != 5 {
		t.Fatalf("list %d %s", resp.StatusCode, body)
	}
	d0 := list.Documents[0]
	if d0.ID != "000_ac3e3c5aafe1f63b.txt" || d0.Bytes == 0 || d0.Chunks == 0 || d0.Origin != "corpus" || d0.Title == "" {
		t.Errorf("summary %+v", d0)
	}
	resp, body = do(t, srv, call{method: "GET", path: "/v1/documents/" + d0.ID})
	var doc rag.Document
	if resp.StatusCode != 200 || json.Unmarshal(body, &doc) != nil || len(doc.Chunks) != d0.Chunks || len(doc.Text) != d0.Bytes {
		t.Fatalf("get %d %s", resp.StatusCode, body)
	}
	for _, c := range doc.Chunks {
		if c.End > len(doc.Text) || c.Start >= c.End {
			t.Errorf("chunk span %+v", c)
		}
	}
}

func TestDocumentChangesNeedTheAdminToken(t *testing.T) {
	t.Parallel()
	_, disabled := newTestServer(t, Config{Engine: rag.NewEngine(seedIndex(t))})
	resp, body := do(t, disabled, call{method: "POST", path: "/v1/documents", ctype: "application/json", body: `{"id":"x","text":"y"}`, header: map[string]string{"Authorization": "Bearer anything"}})
	if resp.StatusCode != 403 || !strings.Contains(string(body), "disabled") {
		t.Errorf("no token configured: %d %s", resp.StatusCode, body)
	}
	_, srv := newTestServer(t, Config{Engine: rag.NewEngine(seedIndex(t)), AdminToken: "s3cret"})
	for header, status := range map[string]int{"": 401, "Bearer": 401, "Basic czNjcmV0": 401, "Bearer wrong": 403, "Bearer s3cret-and-more": 403} {
		resp, _ := do(t, srv, call{method: "DELETE", path: "/v1/documents/a.txt", header: map[string]string{"Authorization": header}})
		if resp.StatusCode != status {
			t.Errorf("Authorization %q: %d, want %d", header, resp.StatusCode, status)
		}
	}
}

func TestUploadSearchDelete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	indexPath := filepath.Join(dir, "index.gob")
	ix, err := rag.OpenIndex(context.Background(), indexPath, rag.IndexOptions{}) // bound: changes durable when made
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), "../seeds", nil); err != nil {
		t.Fatal(err)
	}
	e := rag.NewEngine(ix)
	_, srv := newTestServer(t, Config{Engine: e, AdminToken: "s3cret", UploadLimit: "64K"})
	auth := map[string]string{"Authorization": "Bearer s3cret"}
	text := "Harbour Report on the Northern Ferry Terminal\n\nThe northern ferry terminal opened on Tuesday and serves twelve routes across the bay."
	body, _ := json.Marshal(UploadText{ID: "notes/ferry.txt", Text: text})
	resp, out := do(t, srv, call{method: "POST", path: "/v1/documents", ctype: "application/json", body: string(body), header: auth})
	var res UploadResult
	if resp.StatusCode != 201 || json.Unmarshal(out, &res) != nil || res.ID != "notes/ferry.txt" || res.Chunks == 0 || res.Replaced {
		t.Fatalf("upload %d %s", resp.StatusCode, out)
	}
	resp, out = postJSON(t, srv, "/v1/ask", `{"question":"How many routes does the northern ferry terminal serve?"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(out), "twelve routes") || !strings.Contains(string(out), "notes/ferry.txt") {
		t.Errorf("uploaded document not answered from: %s", out)
	}
	// Persisted before the 201: a fresh load holds it.
	loaded, _, err := rag.LoadIndex(context.Background(), indexPath, rag.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loaded.Document("notes/ferry.txt"); err != nil {
		t.Errorf("upload not persisted: %v", err)
	}
	// Multipart upload of an HTML file.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, _ := w.CreateFormFile("file", "page.HTML")
	fw.Write([]byte("<html><body><h1>Bridge Repairs Finish Early This Year</h1><p>The old bridge reopened on Friday after repairs.</p><script>alert(1)</script></body></html>"))
	w.Close()
	resp, out = do(t, srv, call{method: "POST", path: "/v1/documents", ctype: w.FormDataContentType(), body: mp.String(), header: auth})
	if resp.StatusCode != 201 || !strings.Contains(string(out), `"id":"page.HTML"`) || !strings.Contains(string(out), "Bridge Repairs") {
		t.Errorf("multipart %d %s", resp.StatusCode, out)
	}
	// The corpus's own files cannot be overwritten or deleted here.
	resp, _ = do(t, srv, call{method: "POST", path: "/v1/documents", ctype: "application/json", body: `{"id":"000_ac3e3c5aafe1f63b.txt","text":"x y z"}`, header: auth})
	if resp.StatusCode != 409 {
		t.Errorf("overwrite corpus file: %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, call{method: "DELETE", path: "/v1/documents/000_ac3e3c5aafe1f63b.txt", header: auth}); resp.StatusCode != 409 {
		t.Errorf("delete corpus file: %d", resp.StatusCode)
	}
	for _, bad := range []string{`{"id":"../escape.txt","text":"x"}`, `{"id":"ok.txt","text":"   "}`, `{"id":"ok.txt","text":"x","format":"exe"}`} {
		if resp, out := do(t, srv, call{method: "POST", path: "/v1/documents", ctype: "application/json", body: bad, header: auth}); resp.StatusCode != 422 {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, out)
		}
	}
	big := `{"id":"big.txt","text":"` + strings.Repeat("word ", 20000) + `"}`
	if resp, _ := do(t, srv, call{method: "POST", path: "/v1/documents", ctype: "application/json", body: big, header: auth}); resp.StatusCode != 413 {
		t.Errorf("upload over the limit: %d", resp.StatusCode)
	}
	// Delete, and it is gone from answers, the list and the saved index.
	if resp, out := do(t, srv, call{method: "DELETE", path: "/v1/documents/notes/ferry.txt", header: auth}); resp.StatusCode != 204 {
		t.Fatalf("delete %d %s", resp.StatusCode, out)
	}
	if resp, _ := do(t, srv, call{method: "GET", path: "/v1/documents/notes/ferry.txt"}); resp.StatusCode != 404 {
		t.Errorf("deleted document still served: %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, call{method: "DELETE", path: "/v1/documents/notes/ferry.txt", header: auth}); resp.StatusCode != 404 {
		t.Errorf("second delete: %d", resp.StatusCode)
	}
	loaded, _, _ = rag.LoadIndex(context.Background(), indexPath, rag.IndexOptions{})
	if _, err := loaded.Document("notes/ferry.txt"); rag.ErrorCode(err) != rag.ENOTFOUND {
		t.Errorf("delete not persisted: %v", err)
	}
}

func TestFeedback(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "feedback.jsonl")
	_, srv := newTestServer(t, Config{FeedbackPath: path})
	for _, rating := range []string{"up", "down"} {
		resp, body := postJSON(t, srv, "/v1/feedback", `{"question":"Who?","answer":"Jalali [1]","rating":"`+rating+`","comment":"thanks"}`)
		if resp.StatusCode != 201 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	}
	lines := readLines(t, path)
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var f Feedback
	if err := json.Unmarshal([]byte(lines[1]), &f); err != nil || f.Rating != "down" || f.Question != "Who?" || f.Time == "" || f.RequestID == "" || f.Source != "api" {
		t.Errorf("line %s", lines[1])
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestRecoverHidesInternalErrors(t *testing.T) {
	t.Parallel()
	e := *sharedSeeds(t)
	e.Answer = func(context.Context, rag.AnswerRequest) (*rag.Answer, error) { panic("secret detail") }
	var logs bytes.Buffer
	_, srv := newTestServer(t, Config{Engine: &e, Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	resp, body := postJSON(t, srv, "/v1/ask", `{"question":"Caspian drills"}`)
	if resp.StatusCode != 500 || strings.Contains(string(body), "secret") || !strings.Contains(string(body), "internal error") {
		t.Errorf("status %d body %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "secret detail") {
		t.Error("the panic was not logged")
	}
}
