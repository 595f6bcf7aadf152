package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ragteam/rag/eval"
	"github.com/ragteam/rag/internal/fakeprovider"
)

// server is a running rag binary.
type server struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
	done   chan struct{} // closed when the process has exited
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs `rag serve` on a free loopback port with env added and
// waits until it is ready.
func startServer(t *testing.T, bin, data string, env ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--corpus", seedsDir(t))
	cmd.Env = append(os.Environ(), env...)
	stdout, _ := cmd.StdoutPipe()
	s := &server{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-s.done })
	urlRe := regexp.MustCompile(`listening on (http://[^\s(]+)`)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if m := urlRe.FindStringSubmatch(lines.Text()); m != nil {
			s.base = m[1]
			break
		}
	}
	if s.base == "" {
		t.Fatalf("serve printed no URL; stderr:\n%s", s.stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	return s
}

func (s *server) metric(t *testing.T, name string) float64 {
	t.Helper()
	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

type badRequest struct {
	name, method, path, ctype string
	body                      []byte
	header                    map[string]string
}

func nested(depth int) []byte {
	return []byte(`{"question":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
}

// At least thirty kinds of malformed request each get a 4xx JSON error,
// none a 5xx, and the server stays healthy.
func TestBinaryRejectsBadInput(t *testing.T) {
	t.Parallel()
	s := startServer(t, binary(t), t.TempDir(), "RAG_RATE_LIMIT=100000", "RAG_ADMIN_TOKEN=adm1n-t0ken")
	j := "application/json"
	big := bytes.Repeat([]byte("a"), 10<<20)
	cases := []badRequest{
		{"invalid json", "POST", "/v1/ask", j, []byte(`{"question":`), nil},
		{"not json", "POST", "/v1/ask", j, []byte(`question=hi`), nil},
		{"array", "POST", "/v1/ask", j, []byte(`["hi"]`), nil},
		{"number", "POST", "/v1/ask", j, []byte(`42`), nil},
		{"null", "POST", "/v1/ask", j, []byte(`null`), nil},
		{"question is a number", "POST", "/v1/ask", j, []byte(`{"question":5}`), nil},
		{"question is an object", "POST", "/v1/ask", j, []byte(`{"question":{"a":1}}`), nil},
		{"top_k is a string", "POST", "/v1/ask", j, []byte(`{"question":"hi","top_k":"5"}`), nil},
		{"top_k negative", "POST", "/v1/ask", j, []byte(`{"question":"hi","top_k":-3}`), nil},
		{"top_k huge", "POST", "/v1/ask", j, []byte(`{"question":"hi","top_k":99999999999}`), nil},
		{"top_k float", "POST", "/v1/ask", j, []byte(`{"question":"hi","top_k":2.5}`), nil},
		{"empty question", "POST", "/v1/ask", j, []byte(`{"question":""}`), nil},
		{"blank question", "POST", "/v1/ask", j, []byte(`{"question":" \t\n "}`), nil},
		{"null bytes", "POST", "/v1/ask", j, []byte(`{"question":"\u0000\u0000"}`), nil},
		{"raw null byte", "POST", "/v1/ask", j, []byte("{\"question\":\"a\x00b\"}"), nil},
		{"invalid utf-8", "POST", "/v1/ask", j, []byte("{\"question\":\"caf\xe9\"}"), nil},
		{"control characters only", "POST", "/v1/ask", j, []byte(`{"question":"\u0001\u0002\u0003"}`), nil},
		{"deeply nested", "POST", "/v1/ask", j, nested(100000), nil},
		{"10 MB body", "POST", "/v1/ask", j, append(append([]byte(`{"question":"`), big...), '"', '}'), nil},
		{"very long single word", "POST", "/v1/ask", j, []byte(`{"question":"` + strings.Repeat("x", 5000) + `"}`), nil},
		{"xml content type", "POST", "/v1/ask", "application/xml", []byte(`<q>hi</q>`), nil},
		{"form content type", "POST", "/v1/ask", "application/x-www-form-urlencoded", []byte(`question=hi`), nil},
		{"bad content type", "POST", "/v1/ask", ";;;", []byte(`{}`), nil},
		{"history with a bad role", "POST", "/v1/ask", j, []byte(`{"question":"hi","history":[{"role":"root","content":"x"}]}`), nil},
		{"history not a list", "POST", "/v1/ask", j, []byte(`{"question":"hi","history":"x"}`), nil},
		{"two JSON values", "POST", "/v1/ask", j, []byte(`{"question":"a"} {"question":"b"}`), nil},
		{"search without query", "POST", "/v1/search", j, []byte(`{}`), nil},
		{"search top_k zero allowed but negative", "POST", "/v1/search", j, []byte(`{"query":"x","top_k":-1}`), nil},
		{"unknown route", "GET", "/v2/ask", "", nil, nil},
		{"unknown method", "PUT", "/v1/ask", j, []byte(`{}`), nil},
		{"get on post route", "GET", "/v1/search", "", nil, nil},
		{"document escaping its directory", "GET", "/v1/documents/..%2F..%2Fetc%2Fpasswd", "", nil, nil},
		{"unknown document", "GET", "/v1/documents/nope.txt", "", nil, nil},
		{"upload without token", "POST", "/v1/documents", j, []byte(`{"id":"a.txt","text":"x"}`), nil},
		{"upload with a wrong token", "POST", "/v1/documents", j, []byte(`{"id":"a.txt","text":"x"}`), map[string]string{"Authorization": "Bearer nope"}},
		{"upload with a traversal id", "POST", "/v1/documents", j, []byte(`{"id":"../../x.txt","text":"x"}`), map[string]string{"Authorization": "Bearer adm1n-t0ken"}},
		{"upload of a fake pdf", "POST", "/v1/documents", "multipart/form-data; boundary=X", []byte("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-junk\r\n--X--\r\n"), map[string]string{"Authorization": "Bearer adm1n-t0ken"}},
		{"feedback with a bad rating", "POST", "/v1/feedback", j, []byte(`{"question":"q","rating":"5 stars"}`), nil},
		{"chat completions without messages", "POST", "/v1/chat/completions", j, []byte(`{"model":"x"}`), nil},
		{"chat completions with bad content", "POST", "/v1/chat/completions", j, []byte(`{"messages":[{"role":"user","content":42}]}`), nil},
		{"slack without configuration", "POST", "/slack/events", j, []byte(`{}`), nil},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, s.base+c.path, bytes.NewReader(c.body))
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error struct{ Code, Message string }
		}
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || json.Unmarshal(body, &e) != nil || e.Error.Code == "" {
			t.Errorf("%s: %d %.200s", c.name, resp.StatusCode, body)
		}
	}
	if resp, err := http.Get(s.base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("not healthy after bad input: %v", err)
	}
	t.Logf("%d malformed requests, all 4xx with a JSON error", len(cases))
}

// Ten thousand mixed requests from 64 clients: no error, no 5xx, and the
// goroutine count and heap come back near where they started.
func TestBinaryUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	t.Parallel()
	s := startServer(t, binary(t), t.TempDir(), "RAG_RATE_LIMIT=1000000")
	goroutines0 := s.metric(t, "go_goroutines")
	heap0 := s.metric(t, "go_memstats_heap_alloc_bytes")
	type req struct{ method, path, body string }
	mix := []req{
		{"POST", "/v1/ask", `{"question":"What was the joint naval drill in the Caspian called?"}`},
		{"POST", "/v1/ask", `{"question":"Who is Iran's ambassador to Russia?","top_k":3}`},
		{"POST", "/v1/search", `{"query":"Shahed drones","top_k":5}`},
		{"GET", "/v1/documents", ``},
		{"GET", "/v1/documents/002_205ed1443b1eb88e.txt", ``},
		{"POST", "/v1/ask", `{"question":"Which fighter jets has Iran sought from Russia?","stream":true}`},
		{"POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"Where did Shoigu meet his Iranian counterpart?"}]}`},
	}
	const total, workers = 10000, 64
	var next, errors, fivexx atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= total {
					return
				}
				r := mix[i%int64(len(mix))]
				hreq, _ := http.NewRequest(r.method, s.base+r.path, strings.NewReader(r.body))
				if r.body != "" {
					hreq.Header.Set("Content-Type", "application/json")
				}
				resp, err := client.Do(hreq)
				if err != nil {
					errors.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 500 {
					fivexx.Add(1)
				} else if resp.StatusCode != 200 {
					errors.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	client.CloseIdleConnections()
	if errors.Load() != 0 || fivexx.Load() != 0 {
		t.Errorf("%d errors, %d 5xx", errors.Load(), fivexx.Load())
	}
	// Give idle connections time to close, then compare.
	var goroutines, heap float64
	for i := 0; i < 40; i++ {
		time.Sleep(250 * time.Millisecond)
		goroutines, heap = s.metric(t, "go_goroutines"), s.metric(t, "go_memstats_heap_alloc_bytes")
		if goroutines <= goroutines0+5 && heap <= heap0*3+32<<20 {
			break
		}
	}
	if goroutines > goroutines0+5 {
		t.Errorf("goroutines %v after load, %v before", goroutines, goroutines0)
	}
	if heap > heap0*3+32<<20 {
		t.Errorf("heap %.1f MB after load, %.1f MB before", heap/1e6, heap0/1e6)
	}
	t.Logf("load: %d requests from %d clients in %s (%.0f req/s), %d errors, %d 5xx; goroutines %v → %v, heap %.1f → %.1f MB",
		total, workers, elapsed.Round(time.Millisecond), total/elapsed.Seconds(), errors.Load(), fivexx.Load(), goroutines0, goroutines, heap0/1e6, heap/1e6)
}

// SIGKILL while documents are being uploaded: after a restart the index
// loads, and every document whose upload was acknowledged is there, whole.
func TestBinaryKilledDuringUploads(t *testing.T) {
	t.Parallel()
	bin, data := binary(t), t.TempDir()
	s := startServer(t, bin, data, "RAG_RATE_LIMIT=100000", "RAG_ADMIN_TOKEN=tok")
	var acked sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("up/%d-%d.txt", w, i)
				body := fmt.Sprintf(`{"id":%q,"text":"Upload %d of worker %d tells of the harbour ferry and its %d routes."}`, id, i, w, i)
				req, _ := http.NewRequest("POST", s.base+"/v1/documents", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer tok")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					acked.Store(id, true)
				}
			}
		}(w)
	}
	time.Sleep(1500 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	close(stop)
	wg.Wait()
	n := 0
	acked.Range(func(any, any) bool { n++; return true })
	if n == 0 {
		t.Fatal("no upload was acknowledged before the kill")
	}
	// Restart on the same data directory.
	s2 := startServer(t, bin, data, "RAG_RATE_LIMIT=100000")
	missing := 0
	acked.Range(func(id, _ any) bool {
		resp, err := http.Get(s2.base + "/v1/documents/" + id.(string))
		if err != nil || resp.StatusCode != 200 {
			missing++
		} else {
			var d struct {
				Text   string
				Chunks []any
			}
			json.NewDecoder(resp.Body).Decode(&d)
			if !strings.Contains(d.Text, "harbour ferry") || len(d.Chunks) == 0 {
				t.Errorf("%s half-written: %+v", id, d)
			}
		}
		if resp != nil {
			resp.Body.Close()
		}
		return true
	})
	if missing > 0 {
		t.Errorf("%d of %d acknowledged uploads lost", missing, n)
	}
	t.Logf("killed with SIGKILL after %d acknowledged uploads; after restart all %d present", n, n-missing)
}

func TestBinaryUnwritableDataDirectory(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		// root writes anywhere; use a path under a regular file instead.
		file := filepath.Join(t.TempDir(), "file")
		os.WriteFile(file, nil, 0o644)
		out, err := exec.Command(binary(t), "ask", "--data", filepath.Join(file, "data"), "--corpus", seedsDir(t), "hi?").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "data directory") {
			t.Errorf("exit %v, output %s", err, out)
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	out, err := exec.Command(binary(t), "ask", "--data", filepath.Join(dir, "data"), "--corpus", seedsDir(t), "hi?").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "data directory") {
		t.Errorf("exit %v, output %s", err, out)
	}
}

// The model failing in each way still yields answers, through the
// fallback, within the request timeout.
func TestBinaryModelFaults(t *testing.T) {
	t.Parallel()
	fake := fakeprovider.New("openai")
	defer fake.Close()
	fake.SetReply(func(fakeprovider.Chat) string { return "The drill was CASAREX 2025 [1]." })
	s := startServer(t, binary(t), t.TempDir(), "RAG_RATE_LIMIT=100000", "RAG_LLM=openai", "RAG_LLM_BASE_URL="+fake.BaseURL(),
		"OPENAI_API_KEY=sk-SECRET-KEY-123", "RAG_LLM_TIMEOUT=500ms", "RAG_TIMEOUT=5s")
	for _, mode := range []string{fakeprovider.Fail, fakeprovider.Hang, fakeprovider.Reset, fakeprovider.Empty} {
		fake.FailNext(mode, mode)
		start := time.Now()
		resp, err := http.Post(s.base+"/v1/ask", "application/json", strings.NewReader(`{"question":"What was the joint naval drill in the Caspian called?"}`))
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		var a struct {
			Answered                   bool
			Answer, Answerer, Fallback string
		}
		json.NewDecoder(resp.Body).Decode(&a)
		resp.Body.Close()
		if resp.StatusCode != 200 || !a.Answered || a.Answerer != "extractive" || a.Fallback == "" || time.Since(start) > 5*time.Second {
			t.Errorf("%s: %d %+v in %s", mode, resp.StatusCode, a, time.Since(start))
		}
	}
	// With the model back, it answers again.
	resp, _ := http.Post(s.base+"/v1/ask", "application/json", strings.NewReader(`{"question":"What was the joint naval drill in the Caspian called?"}`))
	var a struct{ Answerer string }
	json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if a.Answerer != "llm:openai/gpt-4o-mini" {
		t.Errorf("after recovery answered by %q", a.Answerer)
	}
	if strings.Contains(s.stderr.String(), "SECRET-KEY") {
		t.Error("the API key reached the logs")
	}
}

// No secret given to the service appears in what it logs, whatever is
// asked of it.
func TestBinaryLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"RAG_ADMIN_TOKEN":      "admin-SECRET-aaa",
		"OPENAI_API_KEY":       "sk-SECRET-bbb",
		"SLACK_SIGNING_SECRET": "slack-SECRET-ccc",
		"SLACK_BOT_TOKEN":      "xoxb-SECRET-ddd",
	}
	var env []string
	for k, v := range secrets {
		env = append(env, k+"="+v)
	}
	s := startServer(t, binary(t), t.TempDir(), append(env, "RAG_RATE_LIMIT=100000")...)
	for _, tok := range []string{"admin-SECRET-aaa", "wrong-SECRET-eee"} {
		req, _ := http.NewRequest("DELETE", s.base+"/v1/documents/x.txt?key="+tok, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	req, _ := http.NewRequest("POST", s.base+"/slack/events", strings.NewReader(`{"type":"url_verification","challenge":"c"}`))
	req.Header.Set("X-Slack-Signature", "v0=slack-SECRET-ccc")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(time.Now().Unix(), 10))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	http.Post(s.base+"/v1/ask", "application/json", strings.NewReader(`{"question":"what is sk-SECRET-bbb"}`))
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.done
	logs := s.stderr.String()
	if !strings.Contains(logs, `"path":"/v1/documents/x.txt"`) {
		t.Fatalf("expected access log lines, got:\n%s", logs)
	}
	if strings.Contains(logs, "SECRET") {
		t.Errorf("a secret reached the logs:\n%s", logs)
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the rag command once for all tests of this package.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rag-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "rag")
		out, err := exec.CommandContext(context.Background(), "go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// TestBinaryFullDiskThenDamage puts the data directory on a small tmpfs
// and fills it: uploads and deletes answer 507 and change nothing while
// questions are answered; once space is freed, uploads are stored and
// survive a restart. Then one byte of the change log is flipped: the
// binary refuses to start, naming the file and offset, and `rag repair`
// keeps every record that verifies. It needs to mount a tmpfs (root in a
// container that allows it).
func TestBinaryFullDiskThenDamage(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", data).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", data).Run() })
	bin := binary(t)
	s := startServer(t, bin, data, "RAG_RATE_LIMIT=100000", "RAG_ADMIN_TOKEN=tok")
	call := func(base, method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	upload := func(base string, i int) (int, string) {
		text := strings.Repeat(fmt.Sprintf("Upload %d tells of the harbour ferry and its many routes. ", i), 30)
		return call(base, "POST", "/v1/documents", fmt.Sprintf(`{"id":"up-%d.txt","text":%q}`, i, text))
	}
	// Leave about 200 KB free.
	var st syscall.Statfs_t
	syscall.Statfs(data, &st)
	free := int64(st.Bavail) * int64(st.Bsize)
	filler := filepath.Join(data, "filler")
	if err := os.WriteFile(filler, make([]byte, free-200<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	acked := map[int]bool{}
	full := 0
	for i := 0; i < 500 && full < 3; i++ {
		code, body := upload(s.base, i)
		switch code {
		case http.StatusCreated:
			acked[i] = true
		case http.StatusInsufficientStorage:
			full++
			if !strings.Contains(body, "full") {
				t.Errorf("507 without a clear message: %s", body)
			}
			if c, _ := call(s.base, "GET", fmt.Sprintf("/v1/documents/up-%d.txt", i), ""); c != http.StatusNotFound {
				t.Errorf("a refused upload is served: %d", c)
			}
		default:
			t.Fatalf("upload %d: %d %s", i, code, body)
		}
	}
	if full == 0 {
		t.Fatal("the disk never filled")
	}
	// Fill the last bytes too: even a deletion's small record cannot be written.
	last := filepath.Join(data, "last")
	f, _ := os.Create(last)
	for {
		if _, err := f.Write(make([]byte, 512)); err != nil {
			break
		}
	}
	f.Close()
	// (A deletion's record may still fit in the log's last page: then it
	// is stored. Either way the answer must match what happened.)
	deleted, refused := 0, false
	for i := range acked {
		code, body := call(s.base, "DELETE", fmt.Sprintf("/v1/documents/up-%d.txt", i), "")
		got, _ := call(s.base, "GET", fmt.Sprintf("/v1/documents/up-%d.txt", i), "")
		switch {
		case code == http.StatusNoContent && got == http.StatusNotFound:
			delete(acked, i)
			deleted++
			continue
		case code == http.StatusInsufficientStorage && got == 200:
			refused = true
		default:
			t.Fatalf("delete on a full disk: %d %s, then the document answers %d", code, body, got)
		}
		break
	}
	if !refused {
		t.Error("no deletion was refused on a full disk")
	}
	os.Remove(last)
	if code, body := call(s.base, "POST", "/v1/ask", `{"question":"Who is Iran's ambassador to Russia?"}`); code != 200 || !strings.Contains(body, "Jalali") {
		t.Errorf("ask on a full disk: %d %s", code, body)
	}
	before := len(acked) + deleted
	os.Remove(filler)
	for i := 1000; i < 1010; i++ {
		if code, body := upload(s.base, i); code != http.StatusCreated {
			t.Fatalf("upload after space was freed: %d %s", code, body)
		}
		acked[i] = true
	}
	s.cmd.Process.Kill()
	<-s.done
	s2 := startServer(t, bin, data, "RAG_RATE_LIMIT=100000")
	for i := range acked {
		if code, _ := call(s2.base, "GET", fmt.Sprintf("/v1/documents/up-%d.txt", i), ""); code != 200 {
			t.Errorf("acknowledged up-%d.txt lost after restart: %d", i, code)
		}
	}
	t.Logf("disk full: %d uploads stored, %d refused with 507; %d deletions fit the log's last page, the next answered 507 and changed nothing; after freeing space 10 more uploads; all %d there after a restart", before, full, deleted, len(acked))
	s2.cmd.Process.Kill()
	<-s2.done

	// One flipped byte in the middle of the change log.
	logFile := filepath.Join(data, "index.gob.log")
	b, err := os.ReadFile(logFile)
	if err != nil || len(b) < 1000 {
		t.Fatalf("change log: %v (%d bytes)", err, len(b))
	}
	b[len(b)/2] ^= 0xff
	os.WriteFile(logFile, b, 0o644)
	out, err := exec.Command(bin, "ask", "--data", data, "--corpus", seedsDir(t), "who?").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "index.gob.log is damaged at byte") || !strings.Contains(string(out), "rag repair") {
		t.Fatalf("start on a damaged log: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "repair", "--data", data, "--corpus", seedsDir(t)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "damaged file kept as") {
		t.Fatalf("repair: %v\n%s", err, out)
	}
	s3 := startServer(t, bin, data, "RAG_RATE_LIMIT=100000")
	lost := 0
	for i := range acked {
		if code, _ := call(s3.base, "GET", fmt.Sprintf("/v1/documents/up-%d.txt", i), ""); code != 200 {
			lost++
		}
	}
	if lost > 1 {
		t.Errorf("repair lost %d documents; only the damaged record may go", lost)
	}
	t.Logf("one byte flipped in the change log: start refused; repair kept %d of %d uploads\n%s", len(acked)-lost, len(acked), out)
}

// A body trickled a byte a second and an idle keep-alive connection are
// both closed at the request deadline.
func TestBinarySlowAndIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	s := startServer(t, binary(t), t.TempDir(), "RAG_TIMEOUT=2s")
	addr := strings.TrimPrefix(s.base, "http://")
	closedWithin := func(conn net.Conn, send func() error) time.Duration {
		start := time.Now()
		buf := make([]byte, 4096)
		for time.Since(start) < 20*time.Second {
			if send != nil && send() != nil {
				return time.Since(start)
			}
			conn.SetReadDeadline(time.Now().Add(time.Second))
			if _, err := conn.Read(buf); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				return time.Since(start)
			}
		}
		return time.Since(start)
	}
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	trickled := closedWithin(slow, func() error { _, err := slow.Write([]byte(" ")); return err })
	if trickled > 8*time.Second {
		t.Errorf("a trickled body kept its connection for %v", trickled)
	}
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	idled := closedWithin(idle, nil)
	if idled > 8*time.Second {
		t.Errorf("an idle keep-alive connection stayed open %v", idled)
	}
	t.Logf("with RAG_TIMEOUT=2s: a trickled body closed after %v, an idle keep-alive connection after %v", trickled.Round(100*time.Millisecond), idled.Round(100*time.Millisecond))
}

// openaiSDK finds the official openai npm package make installs into
// out/tools; the test skips, saying why, without it or without node.
func openaiSDK(t *testing.T) (node, sdk string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("OpenAI SDK test skipped: no node on PATH")
	}
	sdk, _ = filepath.Abs("../../out/tools/node_modules/openai")
	if _, err := os.Stat(sdk); err != nil {
		t.Skip("OpenAI SDK test skipped: make test installs the openai npm package into out/tools")
	}
	return node, sdk
}

// The official openai SDK, against the binary with a model that streams
// slowly: models, a plain and a streamed answer (its first words well
// before its end), a follow-up, and each error in OpenAI's shape.
func TestBinaryWithTheOpenAINodeSDK(t *testing.T) {
	t.Parallel()
	node, sdk := openaiSDK(t)
	fake := fakeprovider.New("openai")
	defer fake.Close()
	fake.SetPieceDelay(250 * time.Millisecond)
	fake.SetReply(func(c fakeprovider.Chat) string {
		last := c.Messages[len(c.Messages)-1].Content
		switch {
		case strings.Contains(last, "and what did he say"): // the follow-up, to be made standalone
			return "What did Iran's ambassador to Russia say the ministerial meeting centered on?"
		case strings.Contains(last, "say the ministerial meeting centered on"):
			return "He said it centered on military and defence cooperation [1]."
		}
		return "Iran's ambassador to Russia is Kazem Jalali [1], who spoke of the ministerial meeting [1]."
	})

	s := startServer(t, binary(t), t.TempDir(), "RAG_RATE_LIMIT=100000", "RAG_LLM=openai", "RAG_LLM_BASE_URL="+fake.BaseURL(),
		"OPENAI_API_KEY=sk-test", "RAG_PUBLIC_URL=https://rag.example.com")
	cmd := exec.Command(node, "testdata/openai_sdk.js")
	cmd.Env = append(os.Environ(), "OPENAI_SDK="+sdk, "RAG_BASE="+s.base)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("node: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	type failure struct {
		Status      int
		Type, Param string
	}
	var r struct {
		Models         []string
		Model, Content string
		ModelReply     string `json:"model_reply"`
		Citations      []string
		FirstMS        int `json:"first_ms"`
		TotalMS        int `json:"total_ms"`
		Streamed       string
		FirstCitations []string `json:"first_citations"`
		StreamUsage    *struct {
			TotalTokens int `json:"total_tokens"`
		} `json:"stream_usage"`
		Followup string
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var errs map[string]*failure
	json.Unmarshal(out, &errs)
	if fmt.Sprint(r.Models) != "[rag]" || r.Model != "rag" || r.ModelReply != "rag" {
		t.Errorf("models %v / %q / %q", r.Models, r.Model, r.ModelReply)
	}
	if !strings.Contains(r.Content, "Kazem Jalali [1]") || !strings.Contains(r.Content, "Sources:") || len(r.Citations) == 0 || !strings.HasPrefix(r.Citations[0], "https://rag.example.com/#") {
		t.Errorf("plain answer %q, citations %v", r.Content, r.Citations)
	}
	if r.Streamed != r.Content || len(r.FirstCitations) != len(r.Citations) || r.StreamUsage == nil || r.StreamUsage.TotalTokens == 0 {
		t.Errorf("streamed %q (first chunk citations %v, usage %v); plain %q", r.Streamed, r.FirstCitations, r.StreamUsage, r.Content)
	}
	if r.FirstMS == 0 || r.FirstMS > r.TotalMS/2 {
		t.Errorf("first content after %d ms of %d: not streamed as written", r.FirstMS, r.TotalMS)
	}
	if !strings.Contains(r.Followup, "military and defence") {
		t.Errorf("follow-up %q", r.Followup)
	}
	for name, want := range map[string]failure{
		"err_n": {400, "invalid_request_error", "n"}, "err_tools": {400, "invalid_request_error", "tools"},
		"err_role": {400, "invalid_request_error", "messages[0].role"}, "err_model": {404, "invalid_request_error", "model"},
		"err_empty": {400, "invalid_request_error", ""},
	} {
		got := errs[name]
		if got == nil || got.Status != want.Status || got.Type != want.Type || (want.Param != "" && got.Param != want.Param) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	t.Logf("openai SDK: first streamed content after %d ms, stream done after %d ms", r.FirstMS, r.TotalMS)
}

// A second rag process on a data directory in use is refused: it would
// replay and cut the change log the server appends to.
func TestBinaryDataDirectoryTakesOneProcess(t *testing.T) {
	t.Parallel()
	bin, data := binary(t), t.TempDir()
	s := startServer(t, bin, data, "RAG_RATE_LIMIT=100000")
	for _, args := range [][]string{{"ask", "who?"}, {"ingest"}, {"repair"}} {
		out, err := exec.Command(bin, append(append([]string{args[0]}, "--data", data, "--corpus", seedsDir(t)), args[1:]...)...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "is in use by another rag process") {
			t.Errorf("%v beside a running server: %v\n%s", args, err, out)
		}
	}
	s.cmd.Process.Kill()
	<-s.done
	if out, err := exec.Command(bin, "ask", "--data", data, "--corpus", seedsDir(t), "Who is Iran's ambassador to Russia?").CombinedOutput(); err != nil {
		t.Errorf("ask after the server stopped: %v\n%s", err, out)
	}
}

// SLACK_API_URL points the bot at a Slack-compatible Web API: a mention
// sent to the binary is answered there, in its thread.
func TestBinarySlackThroughSlackAPIURL(t *testing.T) {
	t.Parallel()
	posted := make(chan url.Values, 4)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			posted <- r.PostForm
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700000001.000200"}`)
	}))
	defer fake.Close()
	const secret = "slack-signing-secret"
	s := startServer(t, binary(t), t.TempDir(), "SLACK_SIGNING_SECRET="+secret, "SLACK_BOT_TOKEN=xoxb-test", "SLACK_API_URL="+fake.URL+"/api/")
	body := `{"type":"event_callback","team_id":"T1","event_id":"Ev1","event":{"type":"app_mention","user":"U1","channel":"C1","ts":"1700000000.000100","text":"<@U0BOT> <!channel> Who is Iran's ambassador to Russia?"}}`
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, _ := http.NewRequest("POST", s.base+"/slack/events", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("event: %v %v", err, resp)
	}
	resp.Body.Close()
	select {
	case form := <-posted:
		if form.Get("thread_ts") != "1700000000.000100" || !strings.Contains(form.Get("blocks"), "Kazem Jalali") {
			t.Errorf("posted %v", form)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing posted to SLACK_API_URL")
	}
}

// A 👎 with the expected answer becomes an eval case: feedback through the
// running binary, `rag feedback candidates`, then `rag eval` on the file.
func TestBinaryFeedbackBecomesAnEvalCase(t *testing.T) {
	t.Parallel()
	bin, data := binary(t), t.TempDir()
	s := startServer(t, bin, data, "RAG_RATE_LIMIT=100000")
	known, err := eval.LoadSet("../../eval/qa.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"question":"Who is Iran's envoy in Moscow?","answer":"The corpus does not say","rating":"down","reason":"missed","expected":"Kazem Jalali","doc_ids":["001_d85a46f5a13e0507.txt"]}`,
		`{"question":"What is the capital of Peru?","answer":"Moscow [1]","rating":"down","reason":"wrong","unanswerable":true}`,
		fmt.Sprintf(`{"question":%q,"answer":"x","rating":"down","reason":"wrong","expected":"y"}`, known[0].Question), // in an eval set already
		`{"question":"Who leads the talks?","answer":"x","rating":"down","reason":"other"}`,                            // nothing expected
	} {
		resp, err := http.Post(s.base+"/v1/feedback", "application/json", strings.NewReader(body))
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("feedback: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	s.cmd.Process.Kill()
	<-s.done
	cand := filepath.Join(t.TempDir(), "candidates.yaml")
	out, err := exec.Command(bin, "feedback", "candidates", "--data", data, "--out", cand, "--against", "../../eval/qa.yaml").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "2 candidate eval items from 4 feedback lines") {
		t.Fatalf("candidates: %v\n%s", err, out)
	}
	items, err := eval.LoadSet(cand)
	if err != nil || len(items) != 2 || !items[0].Unanswerable || items[1].Answers[0] != "Kazem Jalali" || items[1].Sources[0] != "001_d85a46f5a13e0507.txt" {
		t.Fatalf("candidates %v: %+v", err, items)
	}
	rep, err := exec.Command(bin, "eval", "--set", cand, "--thresholds", "", "--json", "--data", t.TempDir(), "--corpus", seedsDir(t)).Output()
	var r eval.Report
	if err != nil || json.Unmarshal(rep, &r) != nil || len(r.Items) != 2 {
		t.Fatalf("eval of the candidates: %v %s", err, rep)
	}
	t.Logf("2 candidates from 4 👎; rag eval on them: recall %.2f, abstention %.2f", r.AnswerRecall, r.AbstentionAccuracy)
}
