package api

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ragteam/rag/rag"
)

// chromium finds a Chromium to drive; the test skips, saying why, when
// there is none (make test installs Debian's).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser test skipped: no chromium on PATH (make test installs it: apt-get install -y chromium)")
	return ""
}

func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Headless,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("screenshot: %s", path)
}

// askInPage types a question, sends it with Enter, and waits for the
// streamed answer to finish.
func askInPage(question string, turn int) chromedp.Action[chromedp.Void] {
	done := `.turn:nth-of-type(` + itoa(turn) + `) .answer .answerer`
	return chromedp.Steps(
		chromedp.WaitVisible(css(`#question`)),
		chromedp.SendKeys(css(`#question`), question),
		chromedp.SendKeys(css(`#question`), "\r"),
		chromedp.WaitVisible(css(done)),
	)
}

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// text reads an element's text.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestBrowserChat(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{FeedbackPath: filepath.Join(t.TempDir(), "feedback.jsonl")})
	ctx := browser(t, 1280, 900)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), askInPage("What was the joint naval drill in the Caspian called?", 1)); err != nil {
		t.Fatal(err)
	}
	answer := text(t, ctx, `.turn .answer-text`)
	answerer := text(t, ctx, `.turn .answerer`)
	quote := text(t, ctx, `.sources li:first-child .quote`)
	// The name asked for leads the answer, in bold.
	if short := text(t, ctx, `.turn .answer-text strong.short-answer`); short != "CASAREX 2025" {
		t.Errorf("short answer %q", short)
	}
	if err := chromedp.Do(ctx, chromedp.Click(css(`.answer-text .cite`)), chromedp.WaitVisible(css(`#source-text mark`))); err != nil {
		t.Fatal(err)
	}
	marked := text(t, ctx, `#source-text mark`)
	title := text(t, ctx, `#source-title`)
	if !strings.Contains(answer, "CASAREX") || !strings.Contains(answer, "[1]") || !strings.Contains(answerer, "answered by extractive") {
		t.Errorf("answer %q (%s)", answer, answerer)
	}
	// The panel shows the cited passage, highlighted inside its document.
	d, _ := sharedSeeds(t).Index.Document("000_ac3e3c5aafe1f63b.txt")
	if !strings.Contains(d.Text, marked) || len(marked) < 40 || !strings.HasPrefix(strings.Trim(quote, "“”…"), marked[:30]) || title != d.Title {
		t.Errorf("panel %q / %q, quote %q", title, marked, quote)
	}
	screenshot(t, ctx, "chat-answered.png")

	// A follow-up sends the history; a thumbs-up is recorded.
	err := chromedp.Do(ctx,
		chromedp.Click(css(`#close-source`)),
		askInPage("What was its theme?", 2),
		chromedp.Click(css(`.turn:nth-of-type(2) button[aria-label="Helpful answer"]`)),
		chromedp.WaitVisible(css(`.turn:nth-of-type(2) button[aria-label="Helpful answer"][aria-pressed="true"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if followUp := text(t, ctx, `.turn:nth-of-type(2) .answer-text`); !strings.Contains(followUp, "Together for a Safe and Secure Caspian Sea") {
		t.Errorf("follow-up answer %q", followUp)
	}

	// After a reload the conversation is in the list and opens again.
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(css(`#chat-list li button`))); err != nil {
		t.Fatal(err)
	}
	listed := text(t, ctx, `#chat-list li:first-child button`)
	err = chromedp.Do(ctx,
		chromedp.Click(css(`#new-chat`)),
		chromedp.WaitVisible(css(`#empty`)),
		chromedp.Click(css(`#chat-list li:first-child button`)),
		chromedp.WaitVisible(css(`.turn`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	turns := evalJS[int](t, ctx, `document.querySelectorAll(".turn").length`)
	if !strings.HasPrefix(listed, "What was the joint naval drill") || turns != 2 {
		t.Errorf("history %q with %d turns", listed, turns)
	}
}

// Markup in a question or a document is shown as text and never runs.
func TestBrowserRendersUntrustedTextInert(t *testing.T) {
	t.Parallel()
	ix := seedIndex(t)
	payload := `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`
	doc := rag.NewDocument("evil.txt", "Gardening Notes From the Allotment Society\n\nThe zucchini harvest was recorded as "+payload+" by the allotment society this autumn.")
	doc.Origin = rag.OriginUpload
	if _, err := ix.Upsert(context.Background(), []*rag.Document{doc}, nil); err != nil {
		t.Fatal(err)
	}
	_, srv := newTestServer(t, Config{Engine: rag.NewEngine(ix)})
	ctx := browser(t, 1000, 800)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		askInPage(`How was the zucchini harvest recorded by the allotment society? <img src=y onerror="window.__pwned=3">`, 1),
	)
	if err != nil {
		t.Fatal(err)
	}
	question := text(t, ctx, `.turn .question`)
	answer := text(t, ctx, `.turn .answer-text`)
	if err := chromedp.Do(ctx, chromedp.Click(css(`.answer-text .cite`)), chromedp.WaitVisible(css(`#source-text mark`)), chromedp.Sleep(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	marked := text(t, ctx, `#source-text mark`)
	if pwned := evalJS[string](t, ctx, `String(window.__pwned)`); pwned != "undefined" {
		t.Fatalf("injected markup ran: window.__pwned = %v", pwned)
	}
	if !strings.Contains(question, `<img src=y onerror=`) || !strings.Contains(answer, "<script>") || !strings.Contains(marked, "onerror") {
		t.Errorf("payload not shown as text: question %q answer %q panel %q", question, answer, marked)
	}
	screenshot(t, ctx, "xss-inert.png")
}

// At phone width the page still works: the question box and answer fit.
func TestBrowserPhoneWidth(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	ctx := browser(t, 1000, 900)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#question`))); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"source-panel", "error"} {
		if d := evalJS[string](t, ctx, `getComputedStyle(document.getElementById("`+id+`")).display`); d != "none" {
			t.Errorf("#%s shows before it is needed (display %s)", id, d)
		}
	}
	if err := chromedp.Do(ctx, askInPage("Who is Iran's ambassador to Russia?", 1)); err != nil {
		t.Fatal(err)
	}
	answer := text(t, ctx, `.turn .answer-text`)
	overflow := evalJS[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`)
	if overflow || !strings.Contains(answer, "Kazem Jalali") {
		t.Errorf("overflow %v, answer %q", overflow, answer)
	}
	screenshot(t, ctx, "phone.png")
}

// Errors reach the user: here, the server is gone.
func TestBrowserShowsServerDown(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	ctx := browser(t, 1000, 800)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(css(`#question`)),
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			srv.CloseClientConnections()
			srv.Listener.Close()
			return nil
		}),
		chromedp.SendKeys(css(`#question`), "Who is Iran's ambassador to Russia?\r"),
		chromedp.WaitVisible(css(`.answer.failed`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if msg := text(t, ctx, `.answer.failed`); !strings.Contains(msg, "Cannot reach the server") {
		t.Errorf("message %q", msg)
	}
}
