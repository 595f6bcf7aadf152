package api

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ragteam/rag/rag"
)

func TestRateLimitPerClient(t *testing.T) {
	t.Parallel()
	_, trusted, _ := net.ParseCIDR("127.0.0.0/8")
	_, srv := newTestServer(t, Config{RateLimit: 1, Burst: 2, TrustedProxies: []*net.IPNet{trusted}})
	from := func(ip string) int {
		resp, _ := do(t, srv, call{method: "POST", path: "/v1/search", ctype: "application/json", body: `{"query":"drills"}`,
			header: map[string]string{"X-Forwarded-For": ip}})
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		return resp.StatusCode
	}
	got := []int{from("10.0.0.1"), from("10.0.0.1"), from("10.0.0.1")}
	if got[0] != 200 || got[1] != 200 || got[2] != 429 {
		t.Errorf("one client: %v", got)
	}
	if s := from("10.0.0.2"); s != 200 {
		t.Errorf("another client was limited too: %d", s)
	}
	// Health and metrics are not limited.
	for i := 0; i < 5; i++ {
		if resp, _ := do(t, srv, call{method: "GET", path: "/healthz"}); resp.StatusCode != 200 {
			t.Fatalf("healthz limited: %d", resp.StatusCode)
		}
	}
}

func TestUntrustedForwardedForIsIgnored(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{RateLimit: 1, Burst: 1})
	codes := []int{}
	for _, ip := range []string{"10.0.0.1", "10.0.0.2"} {
		resp, _ := do(t, srv, call{method: "POST", path: "/v1/search", ctype: "application/json", body: `{"query":"drills"}`,
			header: map[string]string{"X-Forwarded-For": ip}})
		codes = append(codes, resp.StatusCode)
	}
	if codes[1] != 429 {
		t.Errorf("a client escaped its limit by naming another IP: %v", codes)
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	_, open := newTestServer(t, Config{CORSOrigins: []string{"https://app.example"}})
	resp, _ := do(t, open, call{method: "OPTIONS", path: "/v1/ask", header: map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}})
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("allowed origin: %v", resp.Header)
	}
	resp, _ = do(t, open, call{method: "OPTIONS", path: "/v1/ask", header: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed: %v", resp.Header)
	}
	_, closed := newTestServer(t, Config{})
	resp, _ = postJSON(t, closed, "/v1/search", `{"query":"x"}`)
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS header without an allow-list")
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	resp, _ := do(t, srv, call{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": "abc-123"}})
	if resp.Header.Get("X-Request-Id") != "abc-123" {
		t.Errorf("id %q", resp.Header.Get("X-Request-Id"))
	}
	resp, _ = do(t, srv, call{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": "bad id\twith <junk>"}})
	if id := resp.Header.Get("X-Request-Id"); id == "" || strings.ContainsAny(id, " <\t") {
		t.Errorf("unsafe id echoed: %q", id)
	}
}

// slowEngine answers only when its context ends.
func slowEngine(t *testing.T) *rag.Engine {
	e := *sharedSeeds(t)
	e.Answer = func(ctx context.Context, req rag.AnswerRequest) (*rag.Answer, error) {
		if req.OnToken != nil {
			req.OnToken("thinking")
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &e
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{Engine: slowEngine(t), RequestTimeout: 100 * time.Millisecond})
	resp, body := postJSON(t, srv, "/v1/ask", `{"question":"Caspian drills"}`)
	if resp.StatusCode != 503 || !strings.Contains(string(body), rag.ETIMEOUT) {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

func TestStreamKeepAliveAndShutdown(t *testing.T) {
	t.Parallel()
	s, srv := newTestServer(t, Config{Engine: slowEngine(t), KeepAlive: 20 * time.Millisecond})
	go func() {
		time.Sleep(150 * time.Millisecond)
		s.Closing()
	}()
	resp, body := postJSON(t, srv, "/v1/ask", `{"question":"Caspian drills","stream":true}`)
	events, comments := readSSE(t, bytes.NewReader(body))
	if resp.StatusCode != 200 || comments < 3 {
		t.Errorf("status %d, %d comments", resp.StatusCode, comments)
	}
	last := events[len(events)-1]
	if last.name != "error" || !strings.Contains(last.data["error"].(map[string]any)["message"].(string), "shutting down") {
		t.Errorf("events %v", events)
	}
}

func TestAccessLogKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	_, srv := newTestServer(t, Config{AdminToken: "tok-SECRET-1", Log: slog.New(slog.NewJSONHandler(&logs, nil))})
	do(t, srv, call{method: "DELETE", path: "/v1/documents/x.txt?token=QUERY-SECRET", header: map[string]string{"Authorization": "Bearer tok-SECRET-1"}})
	do(t, srv, call{method: "POST", path: "/v1/ask", ctype: "application/json", body: `{"question":"what is QUESTION-SECRET"}`})
	out := logs.String()
	if !strings.Contains(out, `"path":"/v1/documents/x.txt"`) || !strings.Contains(out, `"status":404`) {
		t.Errorf("access log lacks the request:\n%s", out)
	}
	for _, secret := range []string{"SECRET"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds a secret:\n%s", out)
		}
	}
}

// Each API key has a rate limit of its own, apart from the addresses of
// keyless requests; an unknown key is refused only when the server has
// keys (OpenAI clients always send a placeholder).
func TestAPIKeysHaveTheirOwnRateLimit(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{RateLimit: 1, Burst: 1, APIKeys: map[string]string{"webui": "k-webui-0123456789", "cli": "k-cli-0123456789ab"}})
	ask := func(key string) int {
		h := map[string]string{}
		if key != "" {
			h["Authorization"] = "Bearer " + key
		}
		resp, _ := do(t, srv, call{method: "POST", path: "/v1/search", ctype: "application/json", body: `{"query":"drones"}`, header: h})
		return resp.StatusCode
	}
	if got := []int{ask("k-webui-0123456789"), ask("k-webui-0123456789"), ask("k-cli-0123456789ab"), ask("")}; fmt.Sprint(got) != "[200 429 200 200]" {
		t.Errorf("key, same key, other key, no key: %v", got)
	}
	if code := ask("sk-wrong-key-000000"); code != 401 {
		t.Errorf("unknown key: %d", code)
	}
	_, open := newTestServer(t, Config{})
	resp, _ := do(t, open, call{method: "POST", path: "/v1/search", ctype: "application/json", body: `{"query":"drones"}`, header: map[string]string{"Authorization": "Bearer sk-placeholder"}})
	if resp.StatusCode != 200 {
		t.Errorf("placeholder key on a server without keys: %d", resp.StatusCode)
	}
}
