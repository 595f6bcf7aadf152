package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ragteam/rag/rag"
	"github.com/slack-go/slack"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// slackCall is one request a fake Slack endpoint received.
type slackCall struct {
	Path string
	Form url.Values
	JSON map[string]any
}

// fakeSlack stands in for Slack's Web API and for response_url. It can
// answer 429 with Retry-After a number of times first.
type fakeSlack struct {
	*httptest.Server
	mu        sync.Mutex
	calls     []slackCall
	limitNext int
	arrived   chan slackCall
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{arrived: make(chan slackCall, 100)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c := slackCall{Path: r.URL.Path}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			json.Unmarshal(body, &c.JSON)
		} else {
			c.Form, _ = url.ParseQuery(string(body))
		}
		f.mu.Lock()
		limited := f.limitNext > 0
		if limited {
			f.limitNext--
		}
		f.mu.Unlock()
		if limited {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		f.arrived <- c
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700000000.000200","message_ts":"1700000000.000300"}`)
	}))
	t.Cleanup(f.Close)
	return f
}

// next waits for the next call to arrive.
func (f *fakeSlack) next(t *testing.T) slackCall {
	t.Helper()
	select {
	case c := <-f.arrived:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no call reached the fake Slack")
		return slackCall{}
	}
}

// none asserts that no call arrives for a while.
func (f *fakeSlack) none(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case c := <-f.arrived:
		t.Fatalf("unexpected call to %s: %v %v", c.Path, c.Form, c.JSON)
	case <-time.After(within):
	}
}

func sign(body string, ts int64) string {
	mac := hmac.New(sha256.New, []byte(testSecret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

func slackServer(t *testing.T, fake *fakeSlack, engine *rag.Engine) (*Server, *httptest.Server, string) {
	t.Helper()
	feedback := filepath.Join(t.TempDir(), "feedback.jsonl")
	cfg := Config{Engine: engine, FeedbackPath: feedback, RequestTimeout: 5 * time.Second,
		Slack: SlackConfig{SigningSecret: testSecret, BotToken: "xoxb-test", APIURL: fake.URL + "/api", PublicURL: "https://rag.example.com"}}
	s, srv := newTestServer(t, cfg)
	return s, srv, feedback
}

func slackPost(t *testing.T, srv *httptest.Server, path, ctype, body string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	ts := time.Now().Unix()
	h := map[string]string{"X-Slack-Request-Timestamp": strconv.FormatInt(ts, 10), "X-Slack-Signature": sign(body, ts)}
	for k, v := range header {
		h[k] = v
	}
	return do(t, srv, call{method: "POST", path: path, ctype: ctype, body: body, header: h})
}

func TestSlackRoutesAre404WithoutConfiguration(t *testing.T) {
	t.Parallel()
	_, srv := newTestServer(t, Config{})
	for _, p := range []string{"/slack/commands", "/slack/events", "/slack/interactions"} {
		if resp, _ := postJSON(t, srv, p, `{}`); resp.StatusCode != 404 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

func TestSlackSignature(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	_, srv, _ := slackServer(t, fake, sharedSeeds(t))
	body := "token=x&team_id=T1&user_id=U1&command=%2Fask&text=Who+is+Iran%27s+ambassador+to+Russia%3F&response_url=" + url.QueryEscape(fake.URL+"/respond")
	now := time.Now().Unix()
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		header map[string]string
		body   string
	}{
		{"missing", map[string]string{}, body},
		{"wrong", map[string]string{"X-Slack-Request-Timestamp": fmt.Sprint(now), "X-Slack-Signature": sign(body, now)[:20] + "0000"}, body},
		{"stale", map[string]string{"X-Slack-Request-Timestamp": fmt.Sprint(now - 600), "X-Slack-Signature": sign(body, now-600)}, body},
		{"from the future", map[string]string{"X-Slack-Request-Timestamp": fmt.Sprint(now + 600), "X-Slack-Signature": sign(body, now+600)}, body},
		{"tampered body", map[string]string{"X-Slack-Request-Timestamp": fmt.Sprint(now), "X-Slack-Signature": sign(body, now)}, strings.Replace(body, "U1", "U2", 1)},
		{"other secret", map[string]string{"X-Slack-Request-Timestamp": fmt.Sprint(now), "X-Slack-Signature": "v0=" + strings.Repeat("ab", 32)}, body},
	}
	for _, tt := range tests {
		resp, out := do(t, srv, call{method: "POST", path: "/slack/commands", ctype: form, body: tt.body, header: tt.header})
		if resp.StatusCode != 401 || !strings.Contains(string(out), "signature") {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, out)
		}
	}
	fake.none(t, 300*time.Millisecond) // nothing was done for any of them
}

func TestSlackURLVerification(t *testing.T) {
	t.Parallel()
	_, srv, _ := slackServer(t, newFakeSlack(t), sharedSeeds(t))
	resp, out := slackPost(t, srv, "/slack/events", "application/json", `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`, nil)
	if resp.StatusCode != 200 || string(out) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("%d %q", resp.StatusCode, out)
	}
}

// blocksText flattens the text of a message's blocks.
func blocksText(t *testing.T, raw any) string {
	t.Helper()
	var blocks []map[string]any
	switch v := raw.(type) {
	case string:
		json.Unmarshal([]byte(v), &blocks)
	default:
		b, _ := json.Marshal(v)
		json.Unmarshal(b, &blocks)
	}
	var out strings.Builder
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.Encode(blocks)
	return out.String()
}

func TestSlackSlashCommand(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	_, srv, _ := slackServer(t, fake, sharedSeeds(t))
	body := url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "command": {"/ask"}, "channel_id": {"C9"},
		"text": {"Who is Iran's ambassador to Russia?"}, "response_url": {fake.URL + "/respond/1"}}.Encode()
	start := time.Now()
	resp, out := slackPost(t, srv, "/slack/commands", "application/x-www-form-urlencoded", body, nil)
	var ack slashReply
	json.Unmarshal(out, &ack)
	if resp.StatusCode != 200 || ack.ResponseType != "ephemeral" || ack.Text != "Looking that up…" || time.Since(start) > 3*time.Second {
		t.Fatalf("ack %d %s", resp.StatusCode, out)
	}
	got := fake.next(t)
	if got.Path != "/respond/1" || got.JSON["response_type"] != "in_channel" {
		t.Fatalf("response_url got %+v", got)
	}
	text := blocksText(t, got.JSON["blocks"])
	for _, want := range []string{"Kazem Jalali", "[1]", "*Sources*", "<https://rag.example.com/#doc=001_d85a46f5a13e0507.txt", "answered by extractive", actionHelpful, actionNotHelpful} {
		if !strings.Contains(text, want) {
			t.Errorf("blocks lack %q: %s", want, text)
		}
	}
	// An empty command gets help, at once, and nothing else.
	body = url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "command": {"/ask"}, "text": {"  "}, "response_url": {fake.URL + "/respond/2"}}.Encode()
	_, out = slackPost(t, srv, "/slack/commands", "application/x-www-form-urlencoded", body, nil)
	if !strings.Contains(string(out), "Ask a question after the command") {
		t.Errorf("empty command: %s", out)
	}
	fake.none(t, 200*time.Millisecond)
}

func mentionEvent(id, ts, threadTS, text, botID string) string {
	ev := map[string]any{"type": "app_mention", "user": "U1", "text": text, "ts": ts, "channel": "C1", "event_ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	if botID != "" {
		ev["bot_id"] = botID
	}
	b, _ := json.Marshal(map[string]any{"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": id, "event_time": 1700000000, "event": ev})
	return string(b)
}

func TestSlackMentionAnsweredInThreadOnce(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	_, srv, _ := slackServer(t, fake, sharedSeeds(t))
	event := mentionEvent("Ev1", "1700000000.000100", "", "<@UBOT> Which fighter jets has Iran sought from Russia?", "")
	resp, _ := slackPost(t, srv, "/slack/events", "application/json", event, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("ack %d", resp.StatusCode)
	}
	// Slack retries a slow event; the retry is acknowledged and ignored.
	for i := 1; i <= 2; i++ {
		resp, _ = slackPost(t, srv, "/slack/events", "application/json", event, map[string]string{"X-Slack-Retry-Num": strconv.Itoa(i), "X-Slack-Retry-Reason": "http_timeout"})
		if resp.StatusCode != 200 {
			t.Errorf("retry %d: %d", i, resp.StatusCode)
		}
	}
	got := fake.next(t)
	if got.Path != "/api/chat.postMessage" || got.Form.Get("channel") != "C1" || got.Form.Get("thread_ts") != "1700000000.000100" {
		t.Fatalf("post %+v", got)
	}
	if text := blocksText(t, got.Form.Get("blocks")); !strings.Contains(text, "Su-35") || !strings.Contains(got.Form.Get("text"), "Su-35") {
		t.Errorf("blocks %s", text)
	}
	fake.none(t, 300*time.Millisecond) // answered once

	// A mention inside a thread is answered in that thread.
	slackPost(t, srv, "/slack/events", "application/json", mentionEvent("Ev2", "1700000000.000500", "1700000000.000001", "<@UBOT> Who is Iran's ambassador to Russia?", ""), nil)
	if got := fake.next(t); got.Form.Get("thread_ts") != "1700000000.000001" {
		t.Errorf("thread reply went to %q", got.Form.Get("thread_ts"))
	}
	// Bots, this one included, are never answered.
	slackPost(t, srv, "/slack/events", "application/json", mentionEvent("Ev3", "1700000000.000600", "", "<@UBOT> Who is Iran's ambassador to Russia?", "B1"), nil)
	fake.none(t, 300*time.Millisecond)
}

func TestSlackDirectMessage(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	_, srv, _ := slackServer(t, fake, sharedSeeds(t))
	dm := func(id string, extra map[string]any) string {
		ev := map[string]any{"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "text": "What will the weather be in Baku tomorrow?", "ts": "1700000001.000100"}
		for k, v := range extra {
			ev[k] = v
		}
		b, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "event_id": id, "event": ev})
		return string(b)
	}
	slackPost(t, srv, "/slack/events", "application/json", dm("Ev10", nil), nil)
	got := fake.next(t)
	if got.Form.Get("channel") != "D1" || !strings.Contains(blocksText(t, got.Form.Get("blocks")), "Not found in the corpus") {
		t.Errorf("dm answer %+v", got.Form)
	}
	slackPost(t, srv, "/slack/events", "application/json", dm("Ev11", map[string]any{"bot_id": "B9", "subtype": "bot_message"}), nil)
	slackPost(t, srv, "/slack/events", "application/json", dm("Ev12", map[string]any{"subtype": "message_changed"}), nil)
	fake.none(t, 300*time.Millisecond)
}

func TestSlackInteractionRecordsFeedback(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	_, srv, feedback := slackServer(t, fake, sharedSeeds(t))
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T1"}, "user": map[string]string{"id": "U1"},
		"response_url": fake.URL + "/respond/fb",
		"actions": []map[string]string{{"action_id": actionNotHelpful, "block_id": "rag_feedback", "type": "button",
			"value": feedbackValue("Who is Iran's ambassador?", "Kazem Jalali [1]")}},
	})
	resp, out := slackPost(t, srv, "/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode(), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, out)
	}
	if got := fake.next(t); got.Path != "/respond/fb" || !strings.Contains(fmt.Sprint(got.JSON["text"]), "Thanks") {
		t.Errorf("thanks %+v", got)
	}
	b, err := os.ReadFile(feedback)
	if err != nil {
		t.Fatal(err)
	}
	var f Feedback
	json.Unmarshal(b, &f)
	if f.Source != "slack" || f.Rating != "down" || f.Question != "Who is Iran's ambassador?" || f.Answer != "Kazem Jalali [1]" || f.User != "T1/U1" {
		t.Errorf("feedback %s", b)
	}
}

func TestSlackRateLimitAndRetryAfter(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	s, srv, _ := slackServer(t, fake, sharedSeeds(t))
	s.slack.limits = newUserLimits(2) // one question now, then a wait
	trigger := 0
	cmd := func(user string) slashReply {
		trigger++ // each command Slack sends is its own request
		body := url.Values{"team_id": {"T1"}, "user_id": {user}, "command": {"/ask"}, "text": {"Who is Iran's ambassador to Russia?"}, "response_url": {fake.URL + "/respond/" + user}, "trigger_id": {fmt.Sprint(trigger)}}.Encode()
		_, out := slackPost(t, srv, "/slack/commands", "application/x-www-form-urlencoded", body, nil)
		var r slashReply
		json.Unmarshal(out, &r)
		return r
	}
	fake.mu.Lock()
	fake.limitNext = 1 // Slack answers the first post with 429, Retry-After: 1
	fake.mu.Unlock()
	start := time.Now()
	if r := cmd("U1"); r.Text != "Looking that up…" {
		t.Fatalf("first: %+v", r)
	}
	if r := cmd("U1"); r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "slow down") {
		t.Errorf("flood: %+v", r)
	}
	if r := cmd("U2"); r.Text != "Looking that up…" {
		t.Errorf("another user was limited: %+v", r)
	}
	got := []string{fake.next(t).Path, fake.next(t).Path}
	if time.Since(start) < time.Second {
		t.Errorf("Retry-After not honoured: answered after %s", time.Since(start))
	}
	if !(strings.Contains(strings.Join(got, " "), "/respond/U1") && strings.Contains(strings.Join(got, " "), "/respond/U2")) {
		t.Errorf("answers went to %v", got)
	}
}

func TestSlackFailureIsToldToTheUser(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	s := New(Config{RateLimit: 1000, RequestTimeout: time.Second,
		Slack: SlackConfig{SigningSecret: testSecret, BotToken: "xoxb-test", APIURL: fake.URL + "/api"}}) // no engine yet
	srv := httptest.NewServer(s)
	defer srv.Close()
	slackPost(t, srv, "/slack/events", "application/json", mentionEvent("Ev20", "1700000000.000100", "", "<@UBOT> Who is the ambassador?", ""), nil)
	if got := fake.next(t); !strings.Contains(got.Form.Get("text"), "starting up") {
		t.Errorf("failure message %+v", got.Form)
	}
}

func TestSlackBlocksEscapeAndFitLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("The <b>drill</b> & more [1]. ", 400) // about 11,600 characters
	var cites []rag.Citation
	for i := 1; i <= 80; i++ {
		cites = append(cites, rag.Citation{N: i, DocID: "d|" + strconv.Itoa(i), Title: "A <title> & more", Quote: strings.Repeat("q", 500)})
	}
	a := &rag.Answer{Answered: true, Grounded: true, Answer: long, Citations: cites, Answerer: "extractive"}
	blocks := answerBlocks("q?", a, "https://rag.example.com")
	if len(blocks) > slackMaxBlocks {
		t.Errorf("%d blocks", len(blocks))
	}
	raw, _ := json.Marshal(blocks)
	var decoded []map[string]any
	json.Unmarshal(raw, &decoded)
	all := ""
	for _, b := range decoded {
		if txt, ok := b["text"].(map[string]any); ok {
			s := txt["text"].(string)
			if n := utf8.RuneCountInString(s); n > slackMaxText {
				t.Errorf("a text block of %d characters", n)
			}
			all += s
		}
		if els, ok := b["elements"].([]any); ok {
			for _, e := range els {
				if v, ok := e.(map[string]any)["value"].(string); ok && utf8.RuneCountInString(v) > 2000 {
					t.Errorf("button value of %d characters", utf8.RuneCountInString(v))
				}
			}
		}
	}
	if strings.Contains(all, "<b>") || !strings.Contains(all, "&lt;b&gt;drill&lt;/b&gt; &amp; more [1]") {
		t.Errorf("answer not escaped: %.200s", all)
	}
	if !strings.Contains(all, "|A &lt;title&gt; &amp; more>") || !strings.Contains(all, "doc=d%7C1") {
		t.Errorf("source link not escaped: %.300s", all)
	}
	if strings.Contains(all, strings.Repeat("q", 201)) {
		t.Error("a quote longer than 200 characters")
	}
	// A short answer leads in bold.
	sa := answerBlocks("q?", &rag.Answer{Answered: true, ShortAnswer: "Kazem <Jalali>", Answer: "Kazem <Jalali> — He said so. [1]", Answerer: "extractive"}, "")
	if first, ok := sa[0].(*slack.SectionBlock); !ok || first.Text.Text != "*Kazem &lt;Jalali&gt;* — He said so. [1]" {
		t.Errorf("short answer: %+v", sa[0])
	}
	// Not found has its own wording.
	nf := answerBlocks("q?", &rag.Answer{Answer: "The corpus does not say: no passage speaks of “wheat”.", Answerer: "extractive"}, "")
	raw, _ = json.Marshal(nf)
	if !strings.Contains(string(raw), "*Not found in the corpus.* no passage speaks of “wheat”.") {
		t.Errorf("not found: %s", raw)
	}
}

func TestSlashBlocksKeepTheAnswerAtTheLimit(t *testing.T) {
	t.Parallel()
	small := &rag.Answer{Answered: true, Grounded: true, Answer: "Kazem Jalali [1].", Answerer: "extractive",
		Citations: []rag.Citation{{N: 1, DocID: "d", Title: "T", Quote: "q"}}}
	got := slashBlocks("Who <me>?", small, "")
	first, _ := got[0].(*slack.SectionBlock)
	if len(got) != len(answerBlocks("Who <me>?", small, ""))+1 || first == nil || first.Text.Text != "> Who &lt;me&gt;?" {
		t.Errorf("the question is not quoted first: %+v", got[0])
	}
	// An answer that fills the limit keeps all of itself; the quote gives way.
	long := &rag.Answer{Answered: true, Grounded: true, Answer: strings.Repeat("A long sentence of the answer [1]. ", 5000), Answerer: "extractive", Citations: small.Citations}
	full := answerBlocks("Who?", long, "")
	got = slashBlocks("Who?", long, "")
	if len(full) != slackMaxBlocks || len(got) != slackMaxBlocks {
		t.Fatalf("%d answer blocks, %d sent", len(full), len(got))
	}
	a, _ := json.Marshal(full)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Error("answer blocks were dropped to make room for the question")
	}
}

// One signed request sent again within the signature window is a replay:
// a slash command is answered once, an interaction counts one vote, and an
// interaction stuffed with actions costs one vote and one reply.
func TestSlackReplaysAreRefused(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	feedback := filepath.Join(t.TempDir(), "feedback.jsonl")
	_, srv := newTestServer(t, Config{Engine: sharedSeeds(t), FeedbackPath: feedback, RequestTimeout: 5 * time.Second, BodyLimit: "2M",
		Slack: SlackConfig{SigningSecret: testSecret, BotToken: "xoxb-test", APIURL: fake.URL + "/api"}})
	ts := time.Now().Unix()
	replay := func(path, body string) []int {
		var codes []int
		for i := range 3 {
			sig := sign(body, ts)
			if i == 0 { // Slack's verifier reads hex in any case: capitals first, then the usual
				sig = "v0=" + strings.ToUpper(strings.TrimPrefix(sig, "v0="))
			}
			h := map[string]string{"X-Slack-Request-Timestamp": strconv.FormatInt(ts, 10), "X-Slack-Signature": sig}
			resp, _ := do(t, srv, call{method: "POST", path: path, ctype: "application/x-www-form-urlencoded", body: body, header: h})
			codes = append(codes, resp.StatusCode)
		}
		return codes
	}
	cmd := url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "command": {"/ask"}, "text": {"Who is Iran's ambassador to Russia?"}, "response_url": {fake.URL + "/respond/cmd"}}.Encode()
	if codes := replay("/slack/commands", cmd); fmt.Sprint(codes) != "[200 401 401]" {
		t.Errorf("slash command sent 3 times: %v", codes)
	}
	fake.next(t)
	fake.none(t, 300*time.Millisecond) // answered once
	vote := func(n int) string {
		actions := make([]map[string]string, n)
		for i := range actions {
			actions[i] = map[string]string{"action_id": actionHelpful, "block_id": "rag_feedback", "type": "button", "value": feedbackValue("Who?", fmt.Sprintf("answer %d", n))}
		}
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]string{"id": "T1"}, "user": map[string]string{"id": "U1"},
			"response_url": fake.URL + "/respond/vote", "actions": actions})
		return url.Values{"payload": {string(payload)}}.Encode()
	}
	if codes := replay("/slack/interactions", vote(1)); fmt.Sprint(codes) != "[200 401 401]" {
		t.Errorf("interaction sent 3 times: %v", codes)
	}
	fake.next(t)
	before := runtime.NumGoroutine()
	resp, _ := slackPost(t, srv, "/slack/interactions", "application/x-www-form-urlencoded", vote(5000), nil)
	if resp.StatusCode != 200 {
		t.Errorf("interaction with 5,000 actions: %d", resp.StatusCode)
	}
	if g := runtime.NumGoroutine(); g > before+20 {
		t.Errorf("5,000 actions started %d goroutines", g-before)
	}
	fake.next(t)
	fake.none(t, 300*time.Millisecond)
	if lines := readLines(t, feedback); len(lines) != 2 {
		t.Errorf("%d votes recorded, want 2 (one per interaction)", len(lines))
	}
}

func TestSlackFallbackTextIsEscapedLikeTheBlocks(t *testing.T) {
	t.Parallel()
	a := &rag.Answer{Answer: "Use <!channel> & <https://evil.example|click> [1]"}
	if got := plainFallback(a); strings.ContainsAny(got, "<>") || !strings.Contains(got, "&lt;!channel&gt; &amp;") {
		t.Errorf("fallback text %q", got)
	}
}

func TestSlackMarkupIsNotPartOfTheQuestion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"<!channel> what was the Caspian drill called?":                      "what was the Caspian drill called?",
		"<@U0BOT|rag> who is <@U123|bob>'s ambassador?":                      "who is 's ambassador?",
		"what did <#C1|general> say about <https://x.example/a|the treaty>?": "what did general say about the treaty?",
		"is <https://x.example/a> right? a &lt; b &amp; c":                   "is https://x.example/a right? a < b & c",
		"<!subteam^S1|@team> <!here> when was the treaty signed":             "when was the treaty signed",
	} {
		if got := slackQuestion(in); got != want {
			t.Errorf("slackQuestion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlackOverLongQuestionIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	_, srv, _ := slackServer(t, fake, sharedSeeds(t))
	body := url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "command": {"/ask"}, "text": {strings.Repeat("why ", 530)}, "response_url": {fake.URL + "/respond/long"}}.Encode()
	_, out := slackPost(t, srv, "/slack/commands", "application/x-www-form-urlencoded", body, nil)
	var r slashReply
	json.Unmarshal(out, &r)
	if r.ResponseType != "ephemeral" || !strings.Contains(r.Text, "I can't take that question") {
		t.Errorf("over-long question: %+v", r)
	}
	fake.none(t, 200*time.Millisecond)
}

// One vote per user per answer, remembered across a restart; the message
// is updated to show the tally.
func TestSlackOneVotePerUserAndTheMessageShowsTheVotes(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	feedback := filepath.Join(t.TempDir(), "feedback.jsonl")
	start := func() *httptest.Server {
		_, srv := newTestServer(t, Config{Engine: sharedSeeds(t), FeedbackPath: feedback, RequestTimeout: 5 * time.Second,
			Slack: SlackConfig{SigningSecret: testSecret, BotToken: "xoxb-test", APIURL: fake.URL + "/api"}})
		return srv
	}
	a := &rag.Answer{Question: "Who?", Answer: "Kazem Jalali [1]", Answered: true, Answerer: "extractive"}
	message := map[string]any{"type": "message", "text": "Kazem Jalali [1]", "blocks": answerBlocks("Who?", a, "")}
	vote := func(srv *httptest.Server, user, action string) {
		payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]string{"id": "T1"}, "user": map[string]string{"id": user},
			"response_url": fake.URL + "/respond/v", "message": message, "trigger_id": user + action + fmt.Sprint(time.Now().UnixNano()),
			"actions": []map[string]string{{"action_id": action, "block_id": "rag_feedback", "type": "button", "value": feedbackValue("Who?", "Kazem Jalali [1]")}}})
		resp, out := slackPost(t, srv, "/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode(), nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, out)
		}
	}
	srv := start()
	vote(srv, "U1", actionHelpful)
	if got := fake.next(t); !strings.Contains(fmt.Sprint(got.JSON["text"]), "Thanks") {
		t.Errorf("thanks: %+v", got.JSON)
	}
	if got := fake.next(t); got.JSON["replace_original"] != true || !strings.Contains(blocksText(t, got.JSON["blocks"]), "👍 1 · 👎 0") {
		t.Errorf("message not updated with the tally: %+v", got.JSON)
	}
	vote(srv, "U1", actionNotHelpful) // the same user again
	if got := fake.next(t); !strings.Contains(fmt.Sprint(got.JSON["text"]), "already") {
		t.Errorf("second vote: %+v", got.JSON)
	}
	fake.none(t, 200*time.Millisecond)
	// After a restart the vote is remembered, and another user's counts.
	srv2 := start()
	vote(srv2, "U1", actionNotHelpful)
	if got := fake.next(t); !strings.Contains(fmt.Sprint(got.JSON["text"]), "already") {
		t.Errorf("vote after restart: %+v", got.JSON)
	}
	vote(srv2, "U2", actionNotHelpful)
	fake.next(t)
	if got := fake.next(t); !strings.Contains(blocksText(t, got.JSON["blocks"]), "👍 1 · 👎 1") {
		t.Errorf("tally after restart: %s", blocksText(t, got.JSON["blocks"]))
	}
	if lines := readLines(t, feedback); len(lines) != 2 {
		t.Errorf("%d votes recorded, want 2", len(lines))
	}
}

func TestSlackEventIDsSurviveARestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "slack-events.log")
	d := persistentDedupe(10*time.Minute, path)
	if !d.first("Ev1") || d.first("Ev1") {
		t.Fatal("dedupe in one life")
	}
	// An id older than the window is forgotten at the next start.
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	fmt.Fprintf(f, "%d Ev0\n", time.Now().Add(-time.Hour).Unix())
	f.Close()
	again := persistentDedupe(10*time.Minute, path)
	if again.first("Ev1") {
		t.Error("an event taken before the restart was taken again")
	}
	if !again.first("Ev0") {
		t.Error("an event older than the window was remembered")
	}
}
