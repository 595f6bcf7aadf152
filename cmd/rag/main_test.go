package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ragteam/rag/internal/fakeprovider"
	"github.com/ragteam/rag/rag"
)

// seedsDir is the repository's default corpus.
func seedsDir(t *testing.T) string {
	dir, err := filepath.Abs("../../seeds")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBinaryAskJSON(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	data := t.TempDir()
	cmd := exec.Command(bin, "ask", "--json", "--data", data, "--corpus", seedsDir(t), "Who is Iran's ambassador to Russia?")
	cmd.Env = append(os.Environ(), "RAG_TOP_K=4")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rag ask: %v\n%s", err, stderr.String())
	}
	var a rag.Answer
	if err := json.Unmarshal(out, &a); err != nil {
		t.Fatalf("output is not an answer: %v\n%s", err, out)
	}
	if !a.Answered || !strings.Contains(a.Answer, "Kazem Jalali") || !strings.Contains(a.Answer, "[1]") || len(a.Passages) != 4 {
		t.Errorf("answer %+v", a)
	}
	for _, c := range a.Citations {
		raw, _ := os.ReadFile(filepath.Join(seedsDir(t), c.DocID))
		if !strings.Contains(string(raw), c.Quote) {
			t.Errorf("quote [%d] is not in %s: %q", c.N, c.DocID, c.Quote)
		}
	}
	// The index persisted; a second run loads it and answers the same.
	if _, err := os.Stat(filepath.Join(data, "index.gob")); err != nil {
		t.Fatal(err)
	}
	out2, err := exec.Command(bin, "ask", "--json", "--data", data, "--corpus", seedsDir(t), "--top-k", "4", "Who is Iran's ambassador to Russia?").Output()
	var a2 rag.Answer
	if err != nil || json.Unmarshal(out2, &a2) != nil || a2.Answer != a.Answer {
		t.Errorf("second run: %v %q", err, a2.Answer)
	}
	// The human form lists the sources.
	human, err := exec.Command(bin, "ask", "--data", data, "--corpus", seedsDir(t), "Who is Iran's ambassador to Russia?").Output()
	if err != nil || !strings.Contains(string(human), "Sources:") || !strings.Contains(string(human), "answered by extractive") {
		t.Errorf("human output: %v\n%s", err, human)
	}
}

func TestBinaryServe(t *testing.T) {
	t.Parallel()
	bin := binary(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--corpus", seedsDir(t))
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	urlRe := regexp.MustCompile(`listening on (http://[^\s(]+)`)
	lines := bufio.NewScanner(stdout)
	var base string
	for lines.Scan() {
		if m := urlRe.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		t.Fatal("serve printed no URL")
	}
	go io.Copy(io.Discard, stdout)
	resp, err := http.Post(base+"/v1/ask", "application/json", strings.NewReader(`{"question":"Which fighter jets has Iran sought from Russia?"}`))
	if err != nil {
		t.Fatal(err)
	}
	var a rag.Answer
	json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(a.Answer, "Su-35") {
		t.Errorf("ask: %d %+v", resp.StatusCode, a)
	}
	resp, err = http.Post(base+"/v1/ask", "application/json", strings.NewReader(`{"question":`))
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("malformed: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	// SIGTERM shuts it down cleanly.
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("serve did not stop on SIGTERM")
	}
}

func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestSettings(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	corpus := seedsDir(t)
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, nil, 2, "usage"},
		{"unknown command", nil, []string{"fly"}, 2, "unknown command"},
		{"bad env number", map[string]string{"RAG_TOP_K": "five"}, []string{"search", "--data", data, "--corpus", corpus, "x"}, 2, "RAG_TOP_K"},
		{"bad fusion", nil, []string{"search", "--fusion", "magic", "--data", data, "x"}, 2, "fusion"},
		{"bad chunk overlap", nil, []string{"ingest", "--chunk-size", "100", "--chunk-overlap", "200", "--data", data}, 2, "overlap"},
		{"no question", nil, []string{"ask", "--data", data}, 2, "give a question"},
		{"missing corpus", nil, []string{"ingest", "--data", data, filepath.Join(data, "nope")}, 1, "corpus directory"},
		{"unknown store", map[string]string{"RAG_STORE": "redis"}, []string{"search", "--data", data, "x"}, 2, "choose memory or weaviate"},
		{"bad weaviate url", map[string]string{"RAG_STORE": "weaviate", "RAG_WEAVIATE_URL": "localhost:8080"}, []string{"search", "--data", data, "x"}, 2, "weaviate-url"},
		{"bad weaviate collection", map[string]string{"RAG_STORE": "weaviate", "RAG_WEAVIATE_COLLECTION": "chunks"}, []string{"search", "--data", data, "x"}, 2, "capitalised"},
		{"bad eval set", nil, []string{"eval", "--set", filepath.Join(data, "none.yaml"), "--data", data}, 2, "eval set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, stderr, tt.stderr)
			}
		})
	}
}

func TestIngestAndSearchInProcess(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	code, out, stderr := run(t, map[string]string{"RAG_DATA_DIR": data}, "ingest", seedsDir(t))
	if code != 0 || !strings.Contains(out, "5 added") {
		t.Fatalf("ingest: %d %s %s", code, out, stderr)
	}
	code, out, _ = run(t, map[string]string{"RAG_DATA_DIR": data}, "ingest", seedsDir(t))
	if code != 0 || !strings.Contains(out, "0 added, 0 updated, 0 removed, 5 unchanged") {
		t.Errorf("re-ingest: %s", out)
	}
	// Without --corpus, search uses the directory the index mirrors.
	code, out, _ = run(t, map[string]string{"RAG_DATA_DIR": data}, "search", "--top-k", "2", "Mahsa Amini")
	if code != 0 || !strings.Contains(out, "002_205ed1443b1eb88e.txt") || strings.Count(out, "\n1. ")+strings.Count(out, "\n2. ") > 2 {
		t.Errorf("search: %s", out)
	}
}

func TestEvalCommand(t *testing.T) {
	t.Parallel()
	junit := filepath.Join(t.TempDir(), "eval.xml")
	set := filepath.Join(t.TempDir(), "set.yaml")
	os.WriteFile(set, []byte("- id: a\n  question: Who is Iran's ambassador to Russia?\n  answers: [Kazem Jalali]\n  sources: [001_d85a46f5a13e0507.txt]\n- id: b\n  question: How do I bake sourdough bread?\n  unanswerable: true\n"), 0o644)
	code, out, stderr := run(t, nil, "eval", "--json", "--set", set, "--thresholds", "../../eval/thresholds.yaml",
		"--junit", junit, "--data", t.TempDir(), "--corpus", seedsDir(t))
	if code != 0 {
		t.Fatalf("eval exit %d: %s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep["answer_recall"] != 1.0 || rep["abstention_accuracy"] != 1.0 {
		t.Errorf("report %v %v", rep, err)
	}
	if b, err := os.ReadFile(junit); err != nil || !strings.Contains(string(b), `<testsuite name="eval" tests="3" failures="0"`) {
		t.Errorf("junit %v %s", err, b)
	}
	// Below a threshold, eval exits 1.
	strict := filepath.Join(t.TempDir(), "strict.yaml")
	os.WriteFile(strict, []byte("max:\n  p50_ms: 0\n"), 0o644)
	code, _, stderr = run(t, nil, "eval", "--set", set, "--thresholds", strict, "--data", t.TempDir(), "--corpus", seedsDir(t))
	if code != 1 || !strings.Contains(stderr, "p50_ms") {
		t.Errorf("strict gate: exit %d %s", code, stderr)
	}
	// Against a baseline in which item b passed and a failed: a fix and a
	// regression, which the thresholds alone would not see.
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	os.WriteFile(baseline, []byte(`{"answer_recall":0,"items":[{"id":"a","answered":true,"correct":false},{"id":"b","unanswerable":true,"answered":false}]}`), 0o644)
	worse := filepath.Join(t.TempDir(), "worse.yaml")
	os.WriteFile(worse, []byte("- id: a\n  question: Who is Iran's ambassador to Russia?\n  answers: [Kazem Jalali]\n- id: b\n  question: Who is Iran's ambassador to Russia?\n  unanswerable: true\n"), 0o644)
	md := filepath.Join(t.TempDir(), "summary.md")
	code, _, stderr = run(t, nil, "eval", "--set", worse, "--thresholds", "", "--baseline", baseline, "--markdown", md, "--data", t.TempDir(), "--corpus", seedsDir(t))
	if code != 1 || !strings.Contains(stderr, "REGRESSION b") || !strings.Contains(stderr, "fixed      a") {
		t.Errorf("baseline: exit %d %s", code, stderr)
	}
	if b, err := os.ReadFile(md); err != nil || !strings.Contains(string(b), "regression `b`") || !strings.Contains(string(b), "| answer_recall |") {
		t.Errorf("markdown %v %s", err, b)
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	if got := progressLine("embedding", 5, 10); got != "\rembedding [###############...............]  50% 5/10 chunks" {
		t.Errorf("progress line %q", got)
	}
	if got := progressLine("x", 0, 0); !strings.Contains(got, "100%") {
		t.Errorf("empty progress %q", got)
	}
}

func TestProviderStartupErrors(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	badPrompts := t.TempDir()
	os.WriteFile(filepath.Join(badPrompts, "answer.user.tmpl"), []byte("{{.Question}} {{.Missing}}"), 0o644)
	tests := []struct {
		env  map[string]string
		args []string
		code int
		want string
	}{
		{map[string]string{"RAG_LLM": "ollama", "RAG_LLM_BASE_URL": "::bad"}, []string{"ask", "--data", data, "q?"}, 2, "RAG_LLM_BASE_URL"},
		{map[string]string{"RAG_LLM": "anthropic"}, []string{"ask", "--data", data, "q?"}, 2, "ANTHROPIC_API_KEY"},
		{map[string]string{"RAG_EMBEDDER": "openai"}, []string{"ingest", "--data", data}, 2, "OPENAI_API_KEY"},
		{map[string]string{"RAG_LLM": "gpt"}, []string{"serve", "--data", data}, 2, "RAG_LLM"},
		{map[string]string{"SLACK_SIGNING_SECRET": "s"}, []string{"serve", "--data", data}, 2, "SLACK_BOT_TOKEN"},
		{map[string]string{"SLACK_APP_TOKEN": "xoxb-wrong", "SLACK_BOT_TOKEN": "xoxb-1"}, []string{"serve", "--data", data}, 2, "SLACK_APP_TOKEN"},
		{map[string]string{"RAG_PUBLIC_URL": "rag.example.com"}, []string{"serve", "--data", data}, 2, "public-url"},
		{map[string]string{"RAG_API_KEYS": "webui:short"}, []string{"serve", "--data", data}, 2, "RAG_API_KEYS"},
		{map[string]string{"SLACK_SIGNING_SECRET": "s", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "slack.example.com"}, []string{"serve", "--data", data}, 2, "SLACK_API_URL"},
		{map[string]string{"RAG_LLM": "ollama", "RAG_TIMEOUT": "30s", "RAG_LLM_TIMEOUT": "20s"}, []string{"serve", "--data", data}, 2, "llm-timeout 20s: 2 attempts"},
		{map[string]string{"RAG_PROMPTS_DIR": badPrompts}, []string{"ask", "--data", data, "--corpus", seedsDir(t), "q?"}, 1, "Missing"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.env, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want %d and %q", tt.env, tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

func TestAskStreamsFromModel(t *testing.T) {
	t.Parallel()
	srv := fakeprovider.New("openai")
	defer srv.Close()
	srv.SetReply(func(fakeprovider.Chat) string { return "The drill was called CASAREX 2025 [1]." })
	env := map[string]string{"RAG_LLM": "openai", "RAG_LLM_BASE_URL": srv.BaseURL(), "OPENAI_API_KEY": "k", "RAG_LLM_MODEL": "m"}
	code, out, stderr := run(t, env, "ask", "--stream", "--data", t.TempDir(), "--corpus", seedsDir(t), "What was the Caspian drill called?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(out, "The drill was called CASAREX 2025 [1].\n\n") || !strings.Contains(out, "Sources:") || !strings.Contains(out, "answered by llm:openai/m") {
		t.Errorf("output:\n%s", out)
	}
}

func TestEvalRecordAndReplay(t *testing.T) {
	t.Parallel()
	srv := fakeprovider.New("ollama")
	defer srv.Close()
	srv.SetReply(func(fakeprovider.Chat) string { return "Kazem Jalali is the ambassador [1]." })
	set := filepath.Join(t.TempDir(), "set.yaml")
	os.WriteFile(set, []byte("- id: a\n  question: Who is Iran's ambassador to Russia?\n  answers: [Kazem Jalali]\n  sources: [001_d85a46f5a13e0507.txt]\n"), 0o644)
	recording := filepath.Join(t.TempDir(), "rec.json")
	env := map[string]string{"RAG_LLM": "ollama", "RAG_LLM_BASE_URL": srv.BaseURL()}
	data := t.TempDir()
	code, out, stderr := run(t, env, "eval", "--json", "--set", set, "--thresholds", "", "--record", recording, "--data", data, "--corpus", seedsDir(t))
	if code != 0 || !strings.Contains(stderr, "recorded 1 replies") {
		t.Fatalf("record: exit %d %s", code, stderr)
	}
	var recorded map[string]any
	json.Unmarshal([]byte(out), &recorded)
	srv.Close() // the replay must not need the model
	code, out, stderr = run(t, nil, "eval", "--json", "--set", set, "--thresholds", "", "--replay", recording, "--data", data, "--corpus", seedsDir(t))
	if code != 0 {
		t.Fatalf("replay: exit %d %s", code, stderr)
	}
	var replayed struct {
		AnswerRecall float64 `json:"answer_recall"`
		Items        []struct{ Answer, Answerer, Fallback string }
	}
	json.Unmarshal([]byte(out), &replayed)
	if replayed.AnswerRecall != 1 || replayed.Items[0].Answerer != "llm:replay/ollama/llama3.2" || replayed.Items[0].Fallback != "" ||
		replayed.Items[0].Answer != recorded["items"].([]any)[0].(map[string]any)["answer"] {
		t.Errorf("replayed %+v\nrecorded %v", replayed, recorded["items"])
	}
	if code, _, stderr := run(t, nil, "eval", "--set", set, "--thresholds", "", "--record", recording, "--data", data); code != 2 || !strings.Contains(stderr, "needs a model") {
		t.Errorf("record without a model: %d %s", code, stderr)
	}
}
