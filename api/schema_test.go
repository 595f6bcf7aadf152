package api

import (
	"context"
	"encoding/json"
	"mime"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/ragteam/rag/rag"
)

// Every route's real responses — successes and errors — have a status the
// description documents, a documented content type, and (for JSON) a body
// that validates against the documented schema.
func TestResponsesMatchTheirSchemas(t *testing.T) {
	t.Parallel()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the description itself: %v", err)
	}
	e := rag.NewEngine(seedIndex(t))
	_, srv := newTestServer(t, Config{Engine: e, AdminToken: "tok", UploadLimit: "64K", FeedbackPath: t.TempDir() + "/f.jsonl", PublicURL: "https://rag.example.com"})
	admin := map[string]string{"Authorization": "Bearer tok"}
	cases := []struct {
		template string
		c        call
	}{
		{"/", call{method: "GET", path: "/"}},
		{"/assets/{path}", call{method: "GET", path: "/assets/app.js"}},
		{"/assets/{path}", call{method: "GET", path: "/assets/none.js"}},
		{"/healthz", call{method: "GET", path: "/healthz"}},
		{"/readyz", call{method: "GET", path: "/readyz"}},
		{"/metrics", call{method: "GET", path: "/metrics"}},
		{"/openapi.json", call{method: "GET", path: "/openapi.json"}},
		{"/v1/ask", call{method: "POST", path: "/v1/ask", ctype: "application/json", body: `{"question":"Who is Iran's ambassador to Russia?"}`}},
		{"/v1/ask", call{method: "POST", path: "/v1/ask", ctype: "application/json", body: `{"question":"  "}`}},
		{"/v1/ask", call{method: "POST", path: "/v1/ask", ctype: "text/plain", body: `{}`}},
		{"/v1/ask", call{method: "POST", path: "/v1/ask", ctype: "application/json", body: `{`}},
		{"/v1/ask", call{method: "GET", path: "/v1/ask"}},
		{"/v1/search", call{method: "POST", path: "/v1/search", ctype: "application/json", body: `{"query":"drones"}`}},
		{"/v1/search", call{method: "POST", path: "/v1/search", ctype: "application/json", body: `{"query":"drones","doc_ids":["001_d85a46f5a13e0507.txt"]}`}},
		{"/v1/search", call{method: "POST", path: "/v1/search", ctype: "application/json", body: `{"query":"drones","doc_ids":["none.txt"]}`}},
		{"/v1/feedback", call{method: "POST", path: "/v1/feedback", ctype: "application/json", body: `{"question":"q","answer":"a","rating":"up"}`}},
		{"/v1/feedback", call{method: "POST", path: "/v1/feedback", ctype: "application/json", body: `{"question":"q","answer":"a","rating":"meh"}`}},
		{"/v1/feedback", call{method: "GET", path: "/v1/feedback?rating=down", header: admin}},
		{"/v1/feedback/candidates", call{method: "GET", path: "/v1/feedback/candidates", header: admin}},
		{"/v1/chat/completions", call{method: "POST", path: "/v1/chat/completions", ctype: "application/json", body: `{"messages":[{"role":"user","content":"Who is Iran's ambassador to Russia?"}]}`}},
		{"/v1/chat/completions", call{method: "POST", path: "/v1/chat/completions", ctype: "application/json", body: `{"n":3,"messages":[{"role":"user","content":"x"}]}`}},
		{"/v1/models", call{method: "GET", path: "/v1/models"}},
		{"/v1/models/{id}", call{method: "GET", path: "/v1/models/rag"}},
		{"/v1/models/{id}", call{method: "GET", path: "/v1/models/other"}},
		{"/v1/corpus", call{method: "GET", path: "/v1/corpus"}},
		{"/v1/documents", call{method: "GET", path: "/v1/documents"}},
		{"/v1/documents", call{method: "POST", path: "/v1/documents", ctype: "application/json", body: `{"id":"memo.txt","text":"The ferry terminal opened on Tuesday."}`, header: admin}},
		{"/v1/documents", call{method: "POST", path: "/v1/documents", ctype: "application/json", body: `{"id":"memo2.txt","text":"x"}`}},
		{"/v1/documents/{id}", call{method: "GET", path: "/v1/documents/memo.txt"}},
		{"/v1/documents/{id}", call{method: "GET", path: "/v1/documents/none.txt"}},
		{"/v1/documents/{id}", call{method: "DELETE", path: "/v1/documents/memo.txt", header: admin}},
		{"/slack/commands", call{method: "POST", path: "/slack/commands", ctype: "application/x-www-form-urlencoded", body: "text=hi"}},
		{"/slack/events", call{method: "POST", path: "/slack/events", ctype: "application/json", body: `{}`}},
		{"/slack/interactions", call{method: "POST", path: "/slack/interactions", ctype: "application/x-www-form-urlencoded", body: "payload={}"}},
	}
	for _, tc := range cases {
		resp, body := do(t, srv, tc.c)
		name := tc.c.method + " " + tc.c.path + " → " + strconv.Itoa(resp.StatusCode)
		item := doc.Paths.Value(tc.template)
		if item == nil {
			t.Errorf("%s: %s is not described", name, tc.template)
			continue
		}
		op := item.GetOperation(tc.c.method)
		if op == nil {
			// A method the path does not take: echo's 405, documented on
			// the path's operations.
			for _, other := range item.Operations() {
				op = other
				break
			}
		}
		ref := op.Responses.Status(resp.StatusCode)
		if ref == nil || ref.Value == nil {
			t.Errorf("%s: status not documented", name)
			continue
		}
		if resp.StatusCode == 204 {
			continue
		}
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		media := ref.Value.Content.Get(ct)
		if media == nil {
			t.Errorf("%s: content type %q not documented (documented: %v)", name, ct, keys(ref.Value.Content))
			continue
		}
		if ct != "application/json" || media.Schema == nil {
			continue
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("%s: not JSON: %v", name, err)
			continue
		}
		if err := media.Schema.Value.VisitJSON(v); err != nil {
			t.Errorf("%s: body does not match its schema: %v\n%.300s", name, firstLine(err.Error()), body)
		}
	}
}

func keys(c openapi3.Content) []string {
	var out []string
	for k := range c {
		out = append(out, k)
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
