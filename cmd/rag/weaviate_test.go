//go:build weaviate

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ragteam/rag/rag"
	"github.com/ragteam/rag/rag/weaviate"
)

// The tests of this file run against the real Weaviate server that
// `make weaviate-test` builds and starts; they fail, not skip, without it.

func weaviateURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("RAG_WEAVIATE_TEST_URL")
	if url == "" {
		t.Fatal("RAG_WEAVIATE_TEST_URL is not set: run these tests with `make weaviate-test`, which starts Weaviate")
	}
	return url
}

// weaviateEnv is the environment that points the binary at a collection.
func weaviateEnv(t *testing.T, collection string) []string {
	return []string{"RAG_STORE=weaviate", "RAG_WEAVIATE_URL=" + weaviateURL(t), "RAG_WEAVIATE_COLLECTION=" + collection}
}

func waitReady(t *testing.T, s *server) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("not ready in 60 s; stderr:\n%s", s.stderr.String())
}

// collection opens the test's collection directly, beside the binary.
func collection(t *testing.T, name string) *weaviate.Store {
	t.Helper()
	st, err := weaviate.New(context.Background(), weaviate.Config{URL: weaviateURL(t), Collection: name, Fusion: "weighted", Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func collectionKeys(t *testing.T, name string) []string {
	t.Helper()
	keys, err := collection(t, name).Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func ask(t *testing.T, base, question string) rag.Answer {
	t.Helper()
	resp, err := http.Post(base+"/v1/ask", "application/json", strings.NewReader(fmt.Sprintf(`{"question":%q}`, question)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a rag.Answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ask %q: %d %v", question, resp.StatusCode, err)
	}
	return a
}

// checkQuotes fetches each cited document and checks the quote is its
// text between the cited offsets.
func checkQuotes(t *testing.T, base string, a rag.Answer) {
	t.Helper()
	if len(a.Citations) == 0 {
		t.Fatalf("no citations: %+v", a)
	}
	for _, c := range a.Citations {
		resp, err := http.Get(base + "/v1/documents/" + c.DocID)
		if err != nil {
			t.Fatal(err)
		}
		var d struct{ Text string }
		json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if c.Start < 0 || c.End > len(d.Text) || d.Text[c.Start:c.End] != c.Quote {
			t.Fatalf("citation [%d] of %s at %d..%d is not the document's text: %q", c.N, c.DocID, c.Start, c.End, c.Quote)
		}
	}
}

func TestBinaryWithWeaviate(t *testing.T) {
	bin, data := binary(t), t.TempDir()
	coll := fmt.Sprintf("Serve%d", time.Now().UnixNano())
	env := append(weaviateEnv(t, coll), "RAG_ADMIN_TOKEN=tok", "RAG_RATE_LIMIT=100000")
	s := startServer(t, bin, data, env...)
	waitReady(t, s)
	seeded := len(collectionKeys(t, coll))
	if seeded == 0 {
		t.Fatal("the collection holds no chunks after start")
	}

	a := ask(t, s.base, "Who is Iran's ambassador to Russia?")
	if !strings.Contains(a.Answer, "Kazem Jalali") || a.Fallback != "" {
		t.Fatalf("ask through weaviate: %+v", a)
	}
	checkQuotes(t, s.base, a)

	// An upload is searchable at once, and its chunks are in the collection.
	body := `{"id":"ferry.txt","text":"The Caspian ferry line between Astrakhan and Anzali carried 4,200 containers in October, its port authority said."}`
	req, _ := http.NewRequest("POST", s.base+"/v1/documents", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	if n := len(collectionKeys(t, coll)); n != seeded+1 {
		t.Fatalf("after the upload the collection holds %d chunks, want %d", n, seeded+1)
	}
	a = ask(t, s.base, "How many containers did the Caspian ferry carry in October?")
	if !strings.Contains(a.Answer, "4,200") || a.Citations[0].DocID != "ferry.txt" {
		t.Fatalf("ask about the upload: %+v", a)
	}
	checkQuotes(t, s.base, a)

	// A deletion leaves the collection too.
	req, _ = http.NewRequest("DELETE", s.base+"/v1/documents/ferry.txt", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	if n := len(collectionKeys(t, coll)); n != seeded {
		t.Fatalf("after the delete the collection holds %d chunks, want %d", n, seeded)
	}
	for _, c := range ask(t, s.base, "How many containers did the Caspian ferry carry in October?").Citations {
		if c.DocID == "ferry.txt" {
			t.Fatal("a deleted document is still cited")
		}
	}

	// Restart: the collection is found in line with the index; one chunk
	// removed behind the service's back is put back before it is ready.
	s.cmd.Process.Kill()
	<-s.done
	keys := collectionKeys(t, coll)
	if err := collection(t, coll).Delete(context.Background(), keys[:1]); err != nil {
		t.Fatal(err)
	}
	s = startServer(t, bin, data, env...)
	waitReady(t, s)
	if !strings.Contains(s.stderr.String(), `"added":1`) {
		t.Fatalf("restart did not put the missing chunk back; stderr:\n%s", s.stderr.String())
	}
	if n := len(collectionKeys(t, coll)); n != seeded {
		t.Fatalf("after the restart the collection holds %d chunks, want %d", n, seeded)
	}
	a = ask(t, s.base, "Which fighter jets has Iran sought from Russia?")
	if !strings.Contains(a.Answer, "Su-35") {
		t.Fatalf("ask after restart: %+v", a)
	}
	checkQuotes(t, s.base, a)
}

// TestBinaryWithWeaviateDown starts the service against an address where
// no Weaviate answers: start fails with a message naming it.
func TestBinaryWithWeaviateDown(t *testing.T) {
	bin := binary(t)
	cmd := exec.Command(bin, "ask", "--data", t.TempDir(), "--corpus", seedsDir(t), "Who?")
	cmd.Env = append(os.Environ(), "RAG_STORE=weaviate", "RAG_WEAVIATE_URL=http://127.0.0.1:1", "RAG_TIMEOUT=5s")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "weaviate") {
		t.Fatalf("start against no Weaviate: %v\n%s", err, out)
	}
}

// TestEvalGateThroughWeaviate runs the eval gates with Weaviate as the
// store, against the same thresholds as the in-process store.
func TestEvalGateThroughWeaviate(t *testing.T) {
	bin := binary(t)
	root, _ := filepath.Abs("../..")
	gospec := t.TempDir()
	for _, f := range []string{"go_spec.html", "go_mem.html"} {
		b, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "doc", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(gospec, f), b, 0o644)
	}
	for _, g := range []struct {
		name, corpus, thresholds string
		sets                     []string
	}{
		{"seeds", filepath.Join(root, "seeds"), filepath.Join(root, "eval/thresholds.yaml"), []string{"eval/qa.yaml", "eval/users.yaml"}},
		{"gospec", gospec, filepath.Join(root, "eval/thresholds.gospec.yaml"), []string{"eval/gospec.yaml"}},
	} {
		args := []string{"eval", "--corpus", g.corpus, "--data", t.TempDir(), "--thresholds", g.thresholds}
		for _, set := range g.sets {
			args = append(args, "--set", filepath.Join(root, set))
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), weaviateEnv(t, fmt.Sprintf("Eval%s%d", strings.ToUpper(g.name[:1])+g.name[1:], time.Now().UnixNano()))...)
		out, err := cmd.CombinedOutput()
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		t.Logf("%s through weaviate:\n%s", g.name, strings.Join(lines[max(0, len(lines)-4):], "\n"))
		if err != nil {
			t.Errorf("%s gate through weaviate failed: %v", g.name, err)
		}
	}
}
