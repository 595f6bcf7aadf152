package api

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

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
