package api

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ragteam/rag/rag"
)

// Every route is documented and every documented operation is a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	s, srv := newTestServer(t, Config{})
	resp, body := do(t, srv, call{method: "GET", path: "/openapi.json"})
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &spec) != nil || !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Fatalf("spec %d", resp.StatusCode)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	documented := map[string]bool{}
	for path, ops := range spec.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+param.ReplaceAllString(path, "*")] = true
		}
	}
	served := map[string]bool{}
	for _, r := range s.Echo().Routes() {
		if strings.HasPrefix(r.Name, "github.com/labstack/echo") { // echo's own 404/405 helpers
			continue
		}
		served[r.Method+" "+regexp.MustCompile(`:\w+`).ReplaceAllString(r.Path, "*")] = true
	}
	var missing, stale []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json: %v", missing)
	}
	if len(stale) > 0 {
		t.Errorf("documented operations with no route: %v", stale)
	}
	if len(served) < 14 {
		t.Errorf("only %d routes: %v", len(served), served)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	postJSON(t, srv, "/v1/ask", `{"question":"Who is Iran's ambassador to Russia?"}`)
	postJSON(t, srv, "/v1/ask", `{"question":""}`)
	resp, body := do(t, srv, call{method: "GET", path: "/metrics"})
	text := string(body)
	for _, want := range []string{
		`rag_http_requests_total{method="POST",route="/v1/ask",status="200"} 1`,
		`rag_http_requests_total{method="POST",route="/v1/ask",status="422"} 1`,
		`rag_http_request_duration_seconds_bucket{route="/v1/ask"`,
		`rag_answer_stage_seconds_count{stage="retrieve"} 1`,
		`rag_answer_stage_seconds_count{stage="answer"} 1`,
		`rag_answers_total{answered="true",answerer="extractive"} 1`,
		`rag_index_documents 5`,
		`rag_index_chunks `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
	// An answer the offline path gave for a failed model is counted.
	e := *sharedSeeds(t)
	inner := e.Answer
	e.Answer = func(ctx context.Context, req rag.AnswerRequest) (*rag.Answer, error) {
		a, err := inner(ctx, req)
		a.Fallback = "model timed out"
		return a, err
	}
	_, srv2 := newTestServer(t, Config{Engine: &e})
	postJSON(t, srv2, "/v1/ask", `{"question":"Who is Iran's ambassador to Russia?"}`)
	_, body = do(t, srv2, call{method: "GET", path: "/metrics"})
	if !strings.Contains(string(body), "rag_provider_fallbacks_total 1") {
		t.Error("fallback not counted")
	}
}

func TestChatPageAndAssets(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	resp, body := do(t, srv, call{method: "GET", path: "/"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `<script src="/assets/app.js" defer>`) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for path, ct := range map[string]string{"/assets/app.js": "text/javascript", "/assets/style.css": "text/css"} {
		resp, body := do(t, srv, call{method: "GET", path: path})
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ct) || len(body) < 100 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if resp, _ := do(t, srv, call{method: "GET", path: "/assets/index.html"}); resp.StatusCode != 404 {
		t.Errorf("index.html as an asset: %d", resp.StatusCode)
	}
}

// The metrics pass Prometheus' own linter, and every series a dashboard
// reads is there from the start.
func TestMetricsPassPromtool(t *testing.T) {
	t.Parallel()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool test skipped: no promtool on PATH (make test installs it: apt-get install -y prometheus)")
	}
	fake := newFakeSlack(t)
	_, srv := newTestServer(t, Config{FeedbackPath: filepath.Join(t.TempDir(), "f.jsonl"),
		Slack: SlackConfig{SigningSecret: testSecret, BotToken: "xoxb-test", APIURL: fake.URL + "/api"}})
	_, fresh := do(t, srv, call{method: "GET", path: "/metrics"})
	for _, want := range []string{"rag_build_info{", "rag_provider_fallbacks_total 0", `rag_answers_total{answered="false",answerer="extractive"} 0`,
		`rag_feedback_total{rating="down",source="slack"} 0`, "rag_slack_requests_rejected_total 0", "rag_slack_post_failures_total 0", "rag_slack_rate_limited_total 0"} {
		if !strings.Contains(string(fresh), want) {
			t.Errorf("a fresh server's metrics lack %q", want)
		}
	}
	postJSON(t, srv, "/v1/feedback", `{"question":"Who?","answer":"x","rating":"down"}`)
	do(t, srv, call{method: "POST", path: "/slack/commands", ctype: "application/x-www-form-urlencoded", body: "text=hi",
		header: map[string]string{"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=bad"}})
	_, body := do(t, srv, call{method: "GET", path: "/metrics"})
	for _, want := range []string{`rag_feedback_total{rating="down",source="api"} 1`, "rag_slack_requests_rejected_total 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
