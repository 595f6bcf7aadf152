package api

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ragteam/rag/eval"
	"github.com/ragteam/rag/rag"
)

// Cross-site pages can send text/plain, forms and typeless bodies without
// a preflight; JSON routes take none of them, and feedback never says who
// it is from.
func TestJSONRoutesRefuseSimpleRequestsAndFeedbackCannotForgeItsSource(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "feedback.jsonl")
	_, srv := newTestServer(t, Config{FeedbackPath: path})
	body := `{"question":"Who?","answer":"Jalali [1]","rating":"up","source":"slack","user":"U0ADMIN"}`
	for _, ct := range []string{"", "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		for _, route := range []string{"/v1/feedback", "/v1/ask", "/v1/search"} {
			if resp, out := do(t, srv, call{method: "POST", path: route, ctype: ct, body: body}); resp.StatusCode != 415 {
				t.Errorf("%s as %q: %d %s", route, ct, resp.StatusCode, out)
			}
		}
	}
	postJSON(t, srv, "/v1/feedback", body)
	do(t, srv, call{method: "POST", path: "/v1/feedback", ctype: "application/json", body: body, header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	lines := readLines(t, path)
	if len(lines) != 2 {
		t.Fatalf("%d feedback lines, want the two JSON ones", len(lines))
	}
	for i, want := range []string{"api", "web"} {
		var f Feedback
		json.Unmarshal([]byte(lines[i]), &f)
		if f.Source != want || f.User != "" {
			t.Errorf("line %d: source %q user %q, want %q and no user", i, f.Source, f.User, want)
		}
	}
}

func TestDocumentIDsAreDecodedOnceAndLookAlikesHandled(t *testing.T) {
	t.Parallel()
	e := rag.NewEngine(seedIndex(t))
	_, srv := newTestServer(t, Config{Engine: e, AdminToken: "tok", UploadLimit: "64K"})
	auth := map[string]string{"Authorization": "Bearer tok"}
	upload := func(id string) int {
		b, _ := json.Marshal(UploadText{ID: id, Text: "Harbour notes\n\nThe ferry runs twelve routes across the bay every day."})
		resp, _ := do(t, srv, call{method: "POST", path: "/v1/documents", ctype: "application/json", body: string(b), header: auth})
		return resp.StatusCode
	}
	for _, id := range []string{"pctA", "pct%41"} {
		if code := upload(id); code != 201 {
			t.Fatalf("upload %q: %d", id, code)
		}
	}
	// "pct%2541" is the id "pct%41", decoded once.
	if resp, out := do(t, srv, call{method: "DELETE", path: "/v1/documents/pct%2541", header: auth}); resp.StatusCode != 204 {
		t.Fatalf("delete pct%%41: %d %s", resp.StatusCode, out)
	}
	if _, err := e.Index.Document("pctA"); err != nil {
		t.Errorf("deleting pct%%41 deleted pctA: %v", err)
	}
	if _, err := e.Index.Document("pct%41"); rag.ErrorCode(err) != rag.ENOTFOUND {
		t.Errorf("pct%%41 still there: %v", err)
	}
	// A decomposed "café" is the composed one.
	if upload("cafe\u0301.txt") != 201 {
		t.Fatal("upload decomposed")
	}
	if resp, _ := do(t, srv, call{method: "GET", path: "/v1/documents/caf%C3%A9.txt"}); resp.StatusCode != 200 {
		t.Errorf("composed form of a decomposed id: %d", resp.StatusCode)
	}
	// Invisible and direction-changing characters are refused.
	for _, id := range []string{"notes\u200b.txt", "\u202etxt.exe", "bom\ufeff.txt"} {
		if code := upload(id); code != 422 {
			t.Errorf("upload %q: %d, want 422", id, code)
		}
	}
	// Case stays significant, as in file names.
	if upload("Notes.txt") != 201 || upload("notes.txt") != 201 {
		t.Fatal("upload case twins")
	}
	if n := len(e.Index.Documents()); !strings.Contains(strings.Join(ids(e), ","), "Notes.txt,") || n < 2 {
		t.Errorf("case twins: %v", ids(e))
	}
}

func ids(e *rag.Engine) []string {
	var out []string
	for _, d := range e.Index.Documents() {
		out = append(out, d.ID)
	}
	return out
}

func TestFeedbackThatTeaches(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "feedback.jsonl")
	_, srv := newTestServer(t, Config{FeedbackPath: path, AdminToken: "tok"})
	for _, tc := range []struct {
		body string
		code int
	}{
		{`{"question":"When was the treaty signed?","answer":"The corpus does not say","rating":"down","reason":"missed","expected":"January 17","doc_ids":["003_6f711b8ee9a9380c.txt"]}`, 201},
		{`{"question":"What is the capital of Peru?","answer":"Moscow [1]","rating":"down","reason":"wrong","unanswerable":true}`, 201},
		{`{"question":"Who?","answer":"Jalali [1]","rating":"up"}`, 201},
		{`{"question":"q","answer":"a","rating":"down","reason":"meh"}`, 422},
		{`{"question":"q","answer":"a","rating":"up","reason":"wrong"}`, 422},
		{`{"question":"q","answer":"a","rating":"down","unanswerable":true,"expected":"x"}`, 422},
		{`{"question":"q","answer":"a","rating":"down","doc_ids":["../etc/passwd"]}`, 422},
	} {
		if resp, body := postJSON(t, srv, "/v1/feedback", tc.body); resp.StatusCode != tc.code {
			t.Errorf("%s: %d %s", tc.body, resp.StatusCode, body)
		}
	}
	list := func(query string, header map[string]string) (int, FeedbackList) {
		resp, body := do(t, srv, call{method: "GET", path: "/v1/feedback" + query, header: header})
		var l FeedbackList
		json.Unmarshal(body, &l)
		return resp.StatusCode, l
	}
	admin := map[string]string{"Authorization": "Bearer tok"}
	if code, _ := list("", nil); code != 401 {
		t.Errorf("without the token: %d", code)
	}
	if code, l := list("?rating=down", admin); code != 200 || l.Total != 2 || l.Feedback[0].Question != "What is the capital of Peru?" {
		t.Errorf("down, newest first: %d %+v", code, l)
	}
	if code, l := list("?reason=missed&limit=1", admin); code != 200 || l.Total != 1 || l.Feedback[0].Expected != "January 17" || l.Feedback[0].DocIDs[0] != "003_6f711b8ee9a9380c.txt" {
		t.Errorf("missed: %d %+v", code, l)
	}
	if code, _ := list("?reason=bogus", admin); code != 422 {
		t.Errorf("bad filter: %d", code)
	}
	// The candidates download is an eval set of the 👎 that say what was
	// expected or that the corpus cannot answer, and nothing else.
	resp, body := do(t, srv, call{method: "GET", path: "/v1/feedback/candidates", header: admin})
	items, err := eval.ParseSet(body)
	if resp.StatusCode != 200 || err != nil || len(items) != 2 {
		t.Fatalf("candidates %d %v: %s", resp.StatusCode, err, body)
	}
	byQ := map[string]eval.Item{}
	for _, it := range items {
		byQ[it.Question] = it
	}
	if it := byQ["When was the treaty signed?"]; fmt.Sprint(it.Answers) != "[January 17]" || fmt.Sprint(it.Sources) != "[003_6f711b8ee9a9380c.txt]" {
		t.Errorf("missed item %+v", it)
	}
	if it := byQ["What is the capital of Peru?"]; !it.Unanswerable {
		t.Errorf("unanswerable item %+v", it)
	}
	if resp, _ := do(t, srv, call{method: "GET", path: "/v1/feedback/candidates"}); resp.StatusCode != 401 {
		t.Errorf("candidates without the token: %d", resp.StatusCode)
	}
}
