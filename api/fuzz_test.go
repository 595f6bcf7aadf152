package api

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ragteam/rag/rag"
)

var (
	fuzzOnce   sync.Once
	fuzzServer *Server
)

// FuzzAskDecoding: whatever the body and content type, /v1/ask answers
// 200 or a 4xx with the JSON error shape — never a 5xx, never a panic.
func FuzzAskDecoding(f *testing.F) {
	for _, seed := range []string{`{"question":"Who is Iran's ambassador to Russia?"}`, `{"question":`, `[]`, `{"question":"a","top_k":-1}`,
		`{"question":"x","history":[{"role":"user","content":"y"}]}`, "{\"question\":\"\x00\"}", `{"question":"\ud800"}`} {
		f.Add([]byte(seed), "application/json")
	}
	f.Add([]byte("question=x"), "text/plain")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		fuzzOnce.Do(func() { fuzzServer = New(Config{Engine: sharedSeedsF(), RateLimit: 1e9, Burst: 1 << 30}) })
		req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(string(body)))
		if ctype != "" && !strings.ContainsAny(ctype, "\r\n") {
			req.Header.Set("Content-Type", ctype)
		}
		w := httptest.NewRecorder()
		fuzzServer.ServeHTTP(w, req)
		if w.Code >= 500 || (w.Code != 200 && !strings.Contains(w.Body.String(), `"error":{"code"`)) {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body.String())
		}
	})
}

// FuzzSlackSignature: a request is let through only with the signature of
// its exact body and a fresh timestamp.
func FuzzSlackSignature(f *testing.F) {
	now := time.Now().Unix()
	f.Add([]byte(`{"type":"url_verification","challenge":"c"}`), sign(`{"type":"url_verification","challenge":"c"}`, now), strconv.FormatInt(now, 10))
	f.Add([]byte(`{}`), "v0=00", "0")
	f.Add([]byte(``), "", "")
	f.Fuzz(func(t *testing.T, body []byte, signature, timestamp string) {
		fuzzOnce.Do(func() { fuzzServer = New(Config{Engine: sharedSeedsF(), RateLimit: 1e9, Burst: 1 << 30}) })
		s := slackFuzzServer()
		req := httptest.NewRequest("POST", "/slack/events", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if !strings.ContainsAny(signature+timestamp, "\r\n") {
			req.Header.Set("X-Slack-Signature", signature)
			req.Header.Set("X-Slack-Request-Timestamp", timestamp)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		ts, _ := strconv.ParseInt(timestamp, 10, 64)
		valid := signature == sign(string(body), ts) && time.Since(time.Unix(ts, 0)).Abs() <= 5*time.Minute
		if !valid && w.Code != 401 {
			t.Fatalf("let through: %d for signature %q timestamp %q", w.Code, signature, timestamp)
		}
		if valid && w.Code == 401 {
			t.Fatalf("a valid signature was refused")
		}
		if w.Code >= 500 {
			t.Fatalf("status %d", w.Code)
		}
	})
}

var (
	slackOnce sync.Once
	slackSrv  *Server
)

func slackFuzzServer() *Server {
	slackOnce.Do(func() {
		slackSrv = New(Config{Engine: sharedSeedsF(), RateLimit: 1e9, Burst: 1 << 30,
			Slack: SlackConfig{SigningSecret: testSecret, BotToken: "xoxb-test", APIURL: "http://127.0.0.1:9/api"}})
	})
	return slackSrv
}

// sharedSeedsF is the shared seeds engine, built without a *testing.T.
func sharedSeedsF() *rag.Engine {
	sharedOnce.Do(func() {
		ix := rag.NewIndex(rag.IndexOptions{})
		if _, err := ix.Sync(context.Background(), "../seeds", nil); err != nil {
			panic(err)
		}
		sharedEngine = rag.NewEngine(ix)
	})
	return sharedEngine
}
