package api

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/ragteam/rag/prompts"
	"github.com/ragteam/rag/rag"
)

// The first screen says what the corpus holds and offers questions made
// from it; one click asks.
func TestBrowserFirstScreen(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	ctx := browser(t, 1280, 900)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#empty .suggestion`))); err != nil {
		t.Fatal(err)
	}
	if count := text(t, ctx, `#empty .corpus-count`); !strings.HasPrefix(count, "5 documents") {
		t.Errorf("corpus count %q", count)
	}
	titles := evalJS[int](t, ctx, `document.querySelectorAll("#empty .corpus-titles li").length`)
	suggestion := text(t, ctx, `#empty .suggestion`)
	if titles != 5 || suggestion == "" {
		t.Errorf("%d titles, suggestion %q", titles, suggestion)
	}
	screenshot(t, ctx, "first-screen.png")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#empty .suggestion`)), chromedp.WaitVisible(css(`.turn .answerer`))); err != nil {
		t.Fatal(err)
	}
	if q := text(t, ctx, `.turn .question`); q != suggestion {
		t.Errorf("asked %q, want the suggestion %q", q, suggestion)
	}
	if evalJS[bool](t, ctx, `!!document.querySelector(".turn .answer.not-found")`) {
		t.Errorf("a suggested question was not answered: %s", text(t, ctx, `.turn .answer`))
	}
}

// 👎 asks what was wrong; the reason, the expected answer and the
// documents shown are recorded.
func TestBrowserThumbsDownTeaches(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "feedback.jsonl")
	_, srv := newTestServer(t, Config{FeedbackPath: path})
	ctx := browser(t, 1280, 900)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		askInPage("Who is Iran's envoy in Moscow?", 1),
		chromedp.Click(css(`.turn button[aria-label="Not helpful answer"]`)),
		chromedp.WaitVisible(css(`.feedback-form`)),
		chromedp.Click(css(`.feedback-form input[value="missed"]`)),
		chromedp.SendKeys(css(`.feedback-form textarea`), "Kazem Jalali"),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "feedback-form.png")
	if err := chromedp.Do(ctx, chromedp.Click(css(`.feedback-form button[type=submit]`)), chromedp.WaitVisible(css(`.turn button[aria-label="Not helpful answer"][aria-pressed="true"]`))); err != nil {
		t.Fatal(err)
	}
	var f Feedback
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &f) == nil {
			break
		}
	}
	if f.Rating != "down" || f.Reason != "missed" || f.Expected != "Kazem Jalali" || len(f.DocIDs) == 0 || f.Source != "web" {
		t.Errorf("feedback %+v", f)
	}
}

// Stop ends a streaming answer; regenerate asks again in place; edit takes
// the question back; chats are searched, renamed and deleted.
func TestBrowserConversationControls(t *testing.T) {
	t.Parallel()
	p, err := prompts.Load("")
	if err != nil {
		t.Fatal(err)
	}
	slow := rag.Model{Name: "slow", Generate: func(ctx context.Context, _ []rag.Message, onToken func(string)) (string, error) {
		words := strings.Fields("Kazem Jalali is Iran's ambassador to Russia [1] and he said the meeting centered on defence [1].")
		for _, w := range words {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
			if onToken != nil {
				onToken(w + " ")
			}
		}
		return strings.Join(words, " "), nil
	}}
	e := rag.NewEngine(seedIndex(t))
	e.Answer = rag.LLM(rag.LLMOptions{Model: slow, Prompts: p, Fallback: e.Answer})
	_, srv := newTestServer(t, Config{Engine: e})
	ctx := browser(t, 1280, 900)
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), "Who is Iran's ambassador to Russia?\r"),
		chromedp.WaitVisible(css(`#send.stop`)),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.Click(css(`#send`)),
		chromedp.WaitVisible(css(`.turn .answer.failed`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `.turn .answer.failed .answer-text`); got != "Stopped." {
		t.Errorf("after stop: %q", got)
	}
	// Try again asks the same question in place, and this time it finishes.
	if err := chromedp.Do(ctx, chromedp.Click(css(`.turn .retry`)), chromedp.WaitVisible(css(`.turn .answerer`))); err != nil {
		t.Fatal(err)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll(".turn").length`); n != 1 || !strings.Contains(text(t, ctx, `.turn .answer-text`), "Kazem Jalali") {
		t.Errorf("%d turns after try again: %q", n, text(t, ctx, `.turn .answer-text`))
	}
	// Regenerate: still one turn, answered again.
	if err := chromedp.Do(ctx, chromedp.Click(css(`.turn button[aria-label="Regenerate the answer"]`)), chromedp.WaitVisible(css(`#send.stop`)), chromedp.WaitVisible(css(`.turn .answerer`))); err != nil {
		t.Fatal(err)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll(".turn").length`); n != 1 {
		t.Errorf("%d turns after regenerate", n)
	}
	// Edit: the question comes back into the box and its turn goes.
	if err := chromedp.Do(ctx, chromedp.Click(css(`.turn button[aria-label="Edit and resend the question"]`)), chromedp.WaitVisible(css(`#empty`))); err != nil {
		t.Fatal(err)
	}
	if v := evalJS[string](t, ctx, `document.getElementById("question").value`); v != "Who is Iran's ambassador to Russia?" {
		t.Errorf("edit put %q in the box", v)
	}
	// A second chat, then search, rename and delete.
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.getElementById("question").value = ""`),
		chromedp.SendKeys(css(`#question`), "What was the Caspian drill called?\r"),
		chromedp.WaitVisible(css(`.turn .answerer`)),
		chromedp.Click(css(`#new-chat`)),
		chromedp.SendKeys(css(`#question`), "Which jets has Iran sought?\r"),
		chromedp.WaitVisible(css(`.turn .answerer`)),
		chromedp.SendKeys(css(`#chat-search`), "caspian"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if listed := evalJS[[]string](t, ctx, `[...document.querySelectorAll("#chat-list .chat-open")].map(b => b.textContent)`); len(listed) != 1 || !strings.Contains(listed[0], "Caspian") {
		t.Errorf("search for caspian lists %q", listed)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(css(`#chat-list button[aria-label^="Rename"]`)),
		chromedp.WaitVisible(css(`#chat-list .chat-rename`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#chat-list .chat-rename").value = ""`),
		chromedp.SendKeys(css(`#chat-list .chat-rename`), "Naval drills\r"),
		chromedp.WaitVisible(css(`#chat-list .chat-open[title="Naval drills"]`)),
		chromedp.Click(css(`#chat-list button[aria-label="Delete Naval drills"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := evalJS[int](t, ctx, `JSON.parse(localStorage.getItem("rag.chats.v1")).length`); n != 1 {
		t.Errorf("%d chats stored after a delete, want 1", n)
	}
}

// Model answers use Markdown: rendered as elements, links safe, script
// never run; citations preview on focus.
func TestBrowserMarkdownAndCitationPreview(t *testing.T) {
	t.Parallel()
	p, _ := prompts.Load("")
	md := rag.Model{Name: "md", Generate: func(context.Context, []rag.Message, func(string)) (string, error) {
		return "**Kazem Jalali** is the ambassador [1].\n\n- first point [1]\n- see [the source](https://example.com/a) or [this](javascript:alert(1))\n\n<img src=x onerror=\"window.pwned=1\"> `code`", nil
	}}
	e := rag.NewEngine(seedIndex(t))
	e.Answer = rag.LLM(rag.LLMOptions{Model: md, Prompts: p, Fallback: e.Answer})
	_, srv := newTestServer(t, Config{Engine: e})
	ctx := browser(t, 1280, 900)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), askInPage("Who is Iran's ambassador to Russia?", 1)); err != nil {
		t.Fatal(err)
	}
	checks := map[string]string{
		`!!document.querySelector(".answer-text p strong")`:                                                    "bold",
		`document.querySelectorAll(".answer-text ul li").length === 2`:                                         "a list",
		`!!document.querySelector(".answer-text code")`:                                                        "code",
		`document.querySelector(".answer-text a[href='https://example.com/a']").rel === "noopener noreferrer"`: "a safe link",
		`!document.querySelector(".answer-text a[href^='javascript']")`:                                        "no script link",
		`!document.querySelector(".answer-text img") && !window.pwned`:                                         "no markup run",
	}
	for expr, what := range checks {
		if !evalJS[bool](t, ctx, expr) {
			t.Errorf("%s: %s is false", what, expr)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Focus(css(`.answer-text .cite`)), chromedp.WaitVisible(css(`#cite-preview`))); err != nil {
		t.Fatal(err)
	}
	if tip := text(t, ctx, `#cite-preview`); !strings.Contains(tip, "“") {
		t.Errorf("preview %q", tip)
	}
}

// Dark mode follows the system's preference; the toggle's choice is kept.
func TestBrowserDarkMode(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	ctx := browser(t, 1280, 900)
	bg := func() string { return evalJS[string](t, ctx, `getComputedStyle(document.body).backgroundColor`) }
	dark := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	})
	err := chromedp.Do(ctx, dark, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#question`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := bg(); got != "rgb(21, 24, 30)" {
		t.Errorf("dark preference: background %s", got)
	}
	screenshot(t, ctx, "dark.png")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#theme`)), chromedp.Reload(), chromedp.WaitVisible(css(`#question`))); err != nil {
		t.Fatal(err)
	}
	if got := bg(); got != "rgb(246, 247, 249)" {
		t.Errorf("after choosing light and a reload: background %s", got)
	}
}

// axe-core finds no serious or critical accessibility violations on the
// first screen, an answered chat and the source panel, light and dark.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel()
	axe, err := os.ReadFile("../out/tools/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Skip("accessibility test skipped: make test installs axe-core into out/tools")
	}
	_, srv := newTestServer(t, Config{})
	ctx := browser(t, 1280, 900)
	audit := func(where string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(axe))); err != nil {
			t.Fatal(err)
		}
		type violation struct {
			ID, Impact, Help string
			Nodes            []struct{ Target []string }
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`axe.run(document, {resultTypes: ["violations"]}).then(r => window.axeResult = r.violations)`)); err != nil {
			t.Fatalf("%s: axe: %v", where, err)
		}
		found, err := chromedp.Run(ctx, chromedp.Poll[[]violation](`window.axeResult`, chromedp.WithPollingTimeout(20*time.Second)))
		if err != nil {
			t.Fatalf("%s: axe: %v", where, err)
		}
		for _, v := range found {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: %s (%s) %s at %v", where, v.ID, v.Impact, v.Help, v.Nodes)
			}
		}
		chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`delete window.axeResult`))
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#empty .suggestion`))); err != nil {
		t.Fatal(err)
	}
	audit("first screen")
	if err := chromedp.Do(ctx, askInPage("What was the joint naval drill in the Caspian called?", 1), chromedp.Click(css(`.answer-text .cite`)), chromedp.WaitVisible(css(`#source-text mark`))); err != nil {
		t.Fatal(err)
	}
	audit("answer and source panel")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#theme`))); err != nil {
		t.Fatal(err)
	}
	audit("dark")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#close-source`)), chromedp.Click(css(`#open-library`)), chromedp.WaitVisible(css(`#doc-list .doc-open`))); err != nil {
		t.Fatal(err)
	}
	audit("document library")
	if err := chromedp.Do(ctx, chromedp.Click(css(`#open-feedback`)), chromedp.WaitVisible(css(`#feedback-status`))); err != nil {
		t.Fatal(err)
	}
	audit("feedback view")
}

// The library lists and filters the documents, opens one passage by
// passage, and with the admin token adds a file and deletes it; the
// feedback view lists 👎 with their reasons.
func TestBrowserLibraryAndFeedbackView(t *testing.T) {
	t.Parallel()
	e := rag.NewEngine(seedIndex(t))
	_, srv := newTestServer(t, Config{Engine: e, AdminToken: "tok", UploadLimit: "64K", FeedbackPath: filepath.Join(t.TempDir(), "f.jsonl")})
	postJSON(t, srv, "/v1/feedback", `{"question":"Who is Iran's envoy in Moscow?","answer":"x","rating":"down","reason":"missed","expected":"Kazem Jalali"}`)
	file := filepath.Join(t.TempDir(), "ferry-notes.md")
	os.WriteFile(file, []byte("# Harbour Ferry Notes\n\nThe northern ferry terminal opened on Tuesday and serves twelve routes across the bay."), 0o644)
	ctx := browser(t, 1280, 900)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Click(css(`#open-library`)),
		chromedp.WaitVisible(css(`#doc-list .doc-open`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll("#doc-list .doc-open").length`); n != 5 {
		t.Errorf("%d documents listed", n)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(css(`#doc-filter`), "caspian"),
		chromedp.Click(css(`#doc-list .doc-open`)),
		chromedp.WaitVisible(css(`#source-text .passage h3`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll("#doc-list .doc-open").length`); n != 1 {
		t.Errorf("%d documents match caspian", n)
	}
	// Upload without the token: a clear message; with it: added, listed, deleted.
	err = chromedp.Do(ctx,
		chromedp.Click(css(`#close-source`)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("doc-filter").value = ""`),
		chromedp.SetUploadFiles(css(`#upload-file`), []string{file}),
		chromedp.WaitVisible(css(`#upload-status`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := text(t, ctx, `#upload-status`); !strings.Contains(msg, "admin token") {
		t.Errorf("upload without a token: %q", msg)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(css(`#admin-token`), "tok\t")); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(css(`#upload-file`), []string{file}),
		chromedp.Poll[chromedp.Void](`document.getElementById("upload-status").textContent.startsWith("Added")`, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.WaitVisible(css(`#doc-list button.doc-delete`)),
	)
	if err != nil {
		t.Fatalf("%v: %s", err, evalJS[string](t, ctx, `document.getElementById("upload-status").textContent + " / " + sessionStorage.getItem("rag.admin")`))
	}
	screenshot(t, ctx, "library.png")
	if _, err := e.Index.Document("ferry-notes.md"); err != nil {
		t.Errorf("upload not in the index: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(css(`#doc-list button.doc-delete`)),
		chromedp.Poll[chromedp.Void](`document.getElementById("upload-status").textContent.startsWith("Deleted")`),
		chromedp.Click(css(`#open-feedback`)),
		chromedp.WaitVisible(css(`#feedback-list li`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Index.Document("ferry-notes.md"); err == nil {
		t.Error("deleted document still in the index")
	}
	if item := text(t, ctx, `#feedback-list li`); !strings.Contains(item, "envoy in Moscow") || !strings.Contains(item, "missed") || !strings.Contains(item, "Kazem Jalali") {
		t.Errorf("feedback view %q", item)
	}
}
