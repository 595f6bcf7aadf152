package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/ragteam/rag/rag"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"golang.org/x/time/rate"
)

// SlackConfig turns the Slack bot on. HTTP mode needs the signing secret;
// Socket Mode the app token; both need the bot token to post.
type SlackConfig struct {
	SigningSecret string // SLACK_SIGNING_SECRET
	BotToken      string // SLACK_BOT_TOKEN
	AppToken      string // SLACK_APP_TOKEN: Socket Mode
	// PublicURL is where the chat page is reached; sources link to it.
	PublicURL string // RAG_PUBLIC_URL
	// APIURL replaces Slack's Web API address: a Slack-compatible server
	// or a proxy (SLACK_API_URL).
	APIURL string
	// EventsPath keeps the ids of events taken, so that an event Slack
	// retries across a restart is answered once; in memory only when empty.
	EventsPath string
	// PerMinute is how many questions one user of one team may ask a
	// minute [10]: a burst of half of them, then one every 60/PerMinute s.
	PerMinute float64
}

// Validate reports a configuration that cannot work.
func (c SlackConfig) Validate() error {
	if (c.SigningSecret != "" || c.AppToken != "") && c.BotToken == "" {
		return errors.New("SLACK_BOT_TOKEN is not set: the Slack bot needs it to post answers")
	}
	if c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-") {
		return errors.New("SLACK_APP_TOKEN must be an app-level token (xapp-…)")
	}
	if c.APIURL != "" {
		if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("SLACK_API_URL %q: not an http(s) URL", c.APIURL)
		}
	}
	return nil
}

func (c SlackConfig) enabled() bool { return c.SigningSecret != "" || c.AppToken != "" }

// slackDeps are what the bot needs from the service, and no more.
type slackDeps struct {
	// ask answers a question (the engine's Ask, counted in the metrics).
	ask func(ctx context.Context, q rag.Query) (*rag.Answer, error)
	// check refuses a question the engine would refuse, without answering.
	check func(q rag.Query) error
	// record stores a feedback vote; feedbackPath is where votes are kept.
	record       func(Feedback) error
	feedbackPath string
	log          *slog.Logger
	// lifetime ends when the service shuts down; timeout bounds one answer.
	lifetime context.Context
	timeout  time.Duration
	// rejected, postFailures and rateLimited count signature rejections,
	// Web API calls that failed for good, and Slack's 429s.
	rejected, postFailures, rateLimited prometheus.Counter
}

// slackDeps gives the bot its dependencies.
func (s *Server) slackDeps() slackDeps {
	return slackDeps{
		ask: func(ctx context.Context, q rag.Query) (*rag.Answer, error) {
			e, err := s.ready()
			if err != nil {
				return nil, err
			}
			a, err := e.Ask(ctx, q)
			if err == nil {
				s.metrics.observe(a)
			}
			return a, err
		},
		check: func(q rag.Query) error {
			e, err := s.ready()
			if err != nil {
				return nil // the answer will say the service is starting
			}
			return e.Validate(q)
		},
		record: s.RecordFeedback, feedbackPath: s.cfg.FeedbackPath, log: s.log,
		lifetime: s.closing, timeout: s.cfg.RequestTimeout,
		rejected: s.metrics.slackRejected, postFailures: s.metrics.slackPostFailures, rateLimited: s.metrics.slackRateLimited,
	}
}

// slackBot answers Slack questions.
type slackBot struct {
	deps slackDeps
	cfg  SlackConfig
	api  *slack.Client
	http *http.Client
	seen *dedupe
	// signatures are those of requests taken in the last few minutes: a
	// signed request sent again is a replay.
	signatures *dedupe
	limits     *userLimits
	votes      *votes
	wg         sync.WaitGroup // answers being worked on
}

func newSlackBot(deps slackDeps, cfg SlackConfig) *slackBot {
	opts := []slack.Option{}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(cfg.APIURL, "/")+"/"))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	if cfg.PerMinute <= 0 {
		cfg.PerMinute = 10
	}
	return &slackBot{
		deps: deps, cfg: cfg, api: slack.New(cfg.BotToken, opts...),
		http:       &http.Client{}, // bounded by each call's context
		seen:       eventDedupe(cfg.EventsPath),
		signatures: newDedupe(signatureWindow + time.Minute),
		limits:     newUserLimits(cfg.PerMinute),
		votes:      loadVotes(deps.feedbackPath),
	}
}

// signatureWindow is how far a request's timestamp may be from now
// (slack-go's verifier allows five minutes).
const signatureWindow = 5 * time.Minute

// verifySlack checks the request's v0 signature over the raw body before
// anything reads it, rejecting a missing or wrong signature and a
// timestamp more than five minutes off with 401, and a signature already
// taken within that window (a replay) too. The Slack routes answer
// 404 when the bot is not configured for HTTP.
func (b *slackBot) verifySlack() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if b == nil || b.cfg.SigningSecret == "" {
				return echo.ErrNotFound
			}
			body, err := io.ReadAll(c.Request().Body)
			if err != nil {
				return jsonError(err)
			}
			v, err := slack.NewSecretsVerifier(c.Request().Header, b.cfg.SigningSecret)
			if err == nil {
				v.Write(body)
				err = v.Ensure()
			}
			if err != nil {
				b.deps.rejected.Inc()
				b.deps.log.Warn("slack request rejected", "path", c.Path(), "reason", err.Error())
				return rag.Errorf(rag.EUNAUTHORIZED, "the Slack signature is missing, wrong or stale")
			}
			// Hex is read in either case: a replay with the letters'
			// case changed is the same signature.
			sig := strings.ToLower(c.Request().Header.Get("X-Slack-Signature")) + " " + c.Request().Header.Get("X-Slack-Request-Timestamp")
			if !b.signatures.first(sig) {
				if c.Request().Header.Get("X-Slack-Retry-Num") != "" {
					return c.NoContent(http.StatusOK) // Slack's own retry: answered already
				}
				b.deps.rejected.Inc()
				b.deps.log.Warn("slack request rejected", "path", c.Path(), "reason", "replayed signature")
				return rag.Errorf(rag.EUNAUTHORIZED, "this signed Slack request was already received")
			}
			c.Request().Body = io.NopCloser(bytes.NewReader(body))
			c.Set("slack_body", body)
			return next(c)
		}
	}
}

// ---- Events API: url_verification, app_mention, message.im -------------------

func (b *slackBot) events(c echo.Context) error {
	body, _ := c.Get("slack_body").([]byte)
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		return badRequest(codeBadJSON, "not a Slack event: "+err.Error())
	}
	if ev.Type == slackevents.URLVerification {
		var ch slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &ch); err != nil {
			return badRequest(codeBadJSON, "bad url_verification")
		}
		return c.String(http.StatusOK, ch.Challenge)
	}
	if ev.Type == slackevents.CallbackEvent {
		outer, _ := ev.Data.(*slackevents.EventsAPICallbackEvent)
		id := ""
		if outer != nil {
			id = outer.EventID
		}
		b.dispatch(id, ev.TeamID, ev.InnerEvent)
	}
	// Acknowledge at once; the answer follows from the background.
	return c.NoContent(http.StatusOK)
}

// slackMarkup is Slack's angle-bracket markup: <@U1|bob>, <!channel>,
// <#C1|general>, <https://x|label>.
var slackMarkup = regexp.MustCompile(`<([@#!])?([^<>|]*)(?:\|([^<>]*))?>`)

// slackQuestion turns a message's text into the question asked: mentions
// of users (the bot's own among them) and broadcasts (<!channel>) go,
// channels and links become their labels (or the address), and the
// escaped characters are themselves again.
func slackQuestion(text string) string {
	text = slackMarkup.ReplaceAllStringFunc(text, func(m string) string {
		p := slackMarkup.FindStringSubmatch(m)
		switch p[1] {
		case "@", "!":
			return ""
		case "#":
			return p[3]
		}
		if p[3] != "" {
			return p[3]
		}
		return p[2]
	})
	text = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
	return strings.Join(strings.Fields(text), " ")
}

// dispatch answers an app mention or a direct message once, ignoring
// retries of events already taken and every message from a bot.
func (b *slackBot) dispatch(eventID, team string, inner slackevents.EventsAPIInnerEvent) {
	if eventID != "" && !b.seen.first(eventID) {
		return
	}
	var user, channel, text, threadTS string
	switch e := inner.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" {
			return
		}
		user, channel, text = e.User, e.Channel, e.Text
		threadTS = e.ThreadTimeStamp
		if threadTS == "" {
			threadTS = e.TimeStamp
		}
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" || e.BotID != "" || e.SubType != "" || e.User == "" {
			return // bots (this one too), edits, joins: never answer, never loop
		}
		user, channel, text, threadTS = e.User, e.Channel, e.Text, e.ThreadTimeStamp
	default:
		return
	}
	question := slackQuestion(text)
	b.background(func(ctx context.Context) {
		if !b.limits.allow(team, user) {
			b.postEphemeral(ctx, channel, user, "You are asking faster than I can answer. Please slow down and try again in a minute.")
			return
		}
		if question == "" {
			b.post(ctx, channel, threadTS, "Ask me a question about the documents, for example: _What was the Caspian drill called?_", nil)
			return
		}
		a, err := b.answer(ctx, question)
		if err != nil {
			b.post(ctx, channel, threadTS, failureText(err), nil)
			return
		}
		b.post(ctx, channel, threadTS, plainFallback(a), answerBlocks(question, a, b.cfg.PublicURL))
	})
}

// ---- Slash command ----------------------------------------------------------------

type slashReply struct {
	ResponseType    string        `json:"response_type,omitempty"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool          `json:"replace_original"`
}

func (b *slackBot) command(c echo.Context) error {
	cmd, err := slack.SlashCommandParse(c.Request())
	if err != nil {
		return badRequest(codeBadJSON, "not a Slack slash command")
	}
	reply := b.takeCommand(cmd)
	return c.JSON(http.StatusOK, reply)
}

// takeCommand acknowledges a slash command at once and answers it in the
// background through its response_url.
func (b *slackBot) takeCommand(cmd slack.SlashCommand) slashReply {
	question := slackQuestion(cmd.Text)
	if question == "" {
		return slashReply{ResponseType: "ephemeral", Text: fmt.Sprintf("Ask a question after the command, for example: `%s What was the Caspian drill called?`", cmd.Command)}
	}
	if err := b.deps.check(rag.Query{Question: question}); err != nil {
		return slashReply{ResponseType: "ephemeral", Text: failureText(err)} // at once, not "Looking that up…"
	}
	if !b.limits.allow(cmd.TeamID, cmd.UserID) {
		return slashReply{ResponseType: "ephemeral", Text: "You are asking faster than I can answer. Please slow down and try again in a minute."}
	}
	b.background(func(ctx context.Context) {
		a, err := b.answer(ctx, question)
		if err != nil {
			b.respond(ctx, cmd.ResponseURL, slashReply{ResponseType: "ephemeral", Text: failureText(err)})
			return
		}
		b.respond(ctx, cmd.ResponseURL, slashReply{ResponseType: "in_channel", Text: plainFallback(a), Blocks: slashBlocks(question, a, b.cfg.PublicURL)})
	})
	return slashReply{ResponseType: "ephemeral", Text: "Looking that up…"}
}

// slashBlocks is a slash command's public answer: the question quoted,
// since others in the channel did not see it, then the answer. The quote
// is left out rather than any of the answer when the answer fills
// Slack's block limit.
func slashBlocks(question string, a *rag.Answer, publicURL string) []slack.Block {
	blocks := answerBlocks(question, a, publicURL)
	if len(blocks) < slackMaxBlocks {
		blocks = append([]slack.Block{section("> " + escapeMrkdwn(truncateRunes(question, 500)))}, blocks...)
	}
	return blocks
}

// ---- Interactions: the feedback buttons ------------------------------------------

func (b *slackBot) interactions(c echo.Context) error {
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(c.FormValue("payload")), &cb); err != nil {
		return badRequest(codeBadJSON, "not a Slack interaction payload")
	}
	b.takeInteraction(cb)
	return c.NoContent(http.StatusOK)
}

// takeInteraction records a feedback button's vote. A click is one
// action; an interaction is taken for its first feedback action only, so
// a crafted one with thousands of actions costs one vote and one reply.
func (b *slackBot) takeInteraction(cb slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions {
		return
	}
	for _, act := range cb.ActionCallback.BlockActions {
		rating := map[string]string{actionHelpful: "up", actionNotHelpful: "down"}[act.ActionID]
		if rating == "" {
			continue
		}
		question, answer := parseFeedbackValue(act.Value)
		who := cb.Team.ID + "/" + cb.User.ID
		key := answerKey(question, answer)
		up, down, first := b.votes.add(key, who, rating)
		if !first {
			b.background(func(ctx context.Context) {
				b.respond(ctx, cb.ResponseURL, slashReply{ResponseType: "ephemeral", Text: "You have rated this answer already; one vote each."})
			})
			return
		}
		err := b.deps.record(Feedback{Source: "slack", Question: question, Answer: answer, Rating: rating, User: who})
		thanks := "Thanks for the feedback."
		var tallied []slack.Block
		if err != nil {
			b.votes.remove(key, who, rating)
			b.deps.log.Error("slack feedback not recorded", "err", err)
			thanks = "Sorry, your feedback could not be recorded."
		} else {
			tallied = withTally(cb.Message.Blocks.BlockSet, up, down)
		}
		b.background(func(ctx context.Context) {
			b.respond(ctx, cb.ResponseURL, slashReply{ResponseType: "ephemeral", Text: thanks})
			if tallied != nil {
				// The message shows the votes to everyone who sees it.
				b.respond(ctx, cb.ResponseURL, slashReply{ReplaceOriginal: true, Text: cb.Message.Text, Blocks: tallied})
			}
		})
		return
	}
}

// ---- Answering and posting ---------------------------------------------------------

// background runs work detached from the request that brought it, bounded
// by the request timeout plus time to post, and ended by shutdown.
func (b *slackBot) background(work func(ctx context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		ctx, cancel := context.WithTimeout(b.deps.lifetime, b.deps.timeout+30*time.Second)
		defer cancel()
		work(ctx)
	}()
}

func (b *slackBot) answer(ctx context.Context, question string) (*rag.Answer, error) {
	actx, cancel := context.WithTimeout(ctx, b.deps.timeout)
	defer cancel()
	a, err := b.deps.ask(actx, rag.Query{Question: question})
	if err != nil {
		b.deps.log.Error("slack question failed", "err", err)
		return nil, err
	}
	return a, nil
}

// failureText tells a Slack user, briefly, that no answer came.
func failureText(err error) string {
	switch rag.ErrorCode(err) {
	case rag.EINVALID, rag.ETOOLARGE:
		return "I can't take that question: " + rag.ErrorMessage(err)
	case rag.EUNAVAILABLE:
		return "I'm still starting up. Please ask again in a moment."
	case rag.ETIMEOUT:
		return "Sorry, that took too long to answer. Please try again."
	}
	return "Sorry, something went wrong while answering. Please try again later."
}

// withRetry calls f, waiting out Slack's 429 Retry-After up to three times.
func (b *slackBot) withRetry(ctx context.Context, what string, f func() error) {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			return
		}
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) && attempt < 3 {
			wait := min(max(rl.RetryAfter, time.Second), 30*time.Second)
			b.deps.rateLimited.Inc()
			b.deps.log.Warn("slack rate limited", "what", what, "retry_after", wait.String())
			select {
			case <-time.After(wait):
				continue
			case <-ctx.Done():
			}
		}
		b.deps.postFailures.Inc()
		b.deps.log.Error("slack call failed", "what", what, "err", err)
		return
	}
}

func (b *slackBot) post(ctx context.Context, channel, threadTS, text string, blocks []slack.Block) {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	b.withRetry(ctx, "chat.postMessage", func() error {
		_, _, err := b.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
}

func (b *slackBot) postEphemeral(ctx context.Context, channel, user, text string) {
	b.withRetry(ctx, "chat.postEphemeral", func() error {
		_, err := b.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false))
		return err
	})
}

// respond posts to a response_url (slash commands and interactions).
func (b *slackBot) respond(ctx context.Context, responseURL string, reply slashReply) {
	if !strings.HasPrefix(responseURL, "https://") && !strings.HasPrefix(responseURL, "http://") {
		b.deps.log.Error("slack response_url missing or invalid")
		return
	}
	payload, _ := json.Marshal(reply)
	b.withRetry(ctx, "response_url", func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := b.http.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode == http.StatusTooManyRequests {
			secs := 1
			fmt.Sscan(resp.Header.Get("Retry-After"), &secs)
			return &slack.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
		}
		if resp.StatusCode >= 300 {
			return fmt.Errorf("response_url answered %d", resp.StatusCode)
		}
		return nil
	})
}

// ---- Deduplication and per-user limits ------------------------------------------

// dedupe remembers event ids for a while, so Slack's retries of a slow
// event are answered once.
type dedupe struct {
	mu   sync.Mutex
	ttl  time.Duration
	seen map[string]time.Time
	// path, when set, keeps the ids across restarts: a line "unix-time id"
	// each, rewritten with only the live ones when it has grown.
	path    string
	written int
}

func newDedupe(ttl time.Duration) *dedupe { return &dedupe{ttl: ttl, seen: map[string]time.Time{}} }

// persistentDedupe is a dedupe whose ids survive a restart in the file at
// path (Slack retries an event it saw unanswered across our restart).
func persistentDedupe(ttl time.Duration, path string) *dedupe {
	d := newDedupe(ttl)
	d.path = path
	data, err := os.ReadFile(path)
	if err != nil {
		return d
	}
	now := time.Now()
	for _, line := range strings.Split(string(data), "\n") {
		ts, id, ok := strings.Cut(line, " ")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if ok && err == nil && now.Sub(time.Unix(sec, 0)) <= ttl {
			d.seen[id] = time.Unix(sec, 0)
		}
	}
	d.rewrite()
	return d
}

// rewrite replaces the file with the live ids; the caller holds d.mu (or
// owns d).
func (d *dedupe) rewrite() {
	var b strings.Builder
	for id, t := range d.seen {
		fmt.Fprintf(&b, "%d %s\n", t.Unix(), id)
	}
	tmp := d.path + ".tmp"
	if os.WriteFile(tmp, []byte(b.String()), 0o644) == nil {
		os.Rename(tmp, d.path)
	}
	d.written = len(d.seen)
}

// remember appends id to the file; the caller holds d.mu.
func (d *dedupe) remember(id string, t time.Time) {
	if d.path == "" {
		return
	}
	if d.written > 2*len(d.seen)+1000 {
		d.rewrite()
		return
	}
	f, err := os.OpenFile(d.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return // a lost id costs at most one answer twice
	}
	fmt.Fprintf(f, "%d %s\n", t.Unix(), id)
	f.Close()
	d.written++
}

// first reports whether id is new, and remembers it.
func (d *dedupe) first(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for k, t := range d.seen {
		if now.Sub(t) > d.ttl {
			delete(d.seen, k)
		}
	}
	if _, ok := d.seen[id]; ok {
		return false
	}
	d.seen[id] = now
	d.remember(id, now)
	return true
}

// userLimits is a token bucket per team and user.
type userLimits struct {
	mu      sync.Mutex
	perMin  float64
	buckets map[string]*rate.Limiter
}

func newUserLimits(perMinute float64) *userLimits {
	return &userLimits{perMin: perMinute, buckets: map[string]*rate.Limiter{}}
}

func (l *userLimits) allow(team, user string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := team + "/" + user
	lim, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) > 10000 {
			l.buckets = map[string]*rate.Limiter{} // forget idle users rather than grow without bound
		}
		lim = rate.NewLimiter(rate.Limit(l.perMin/60), max(1, int(l.perMin/2)))
		l.buckets[key] = lim
	}
	return lim.Allow()
}

// votes are the Slack feedback votes: who voted on which answer (one vote
// each) and the tally per answer. They are read back from the feedback
// file at start, so a restart forgets no vote.
type votes struct {
	mu    sync.Mutex
	voted map[string]bool   // answer key + " " + team/user
	tally map[string][2]int // answer key → up, down
}

// answerKey names an answer by its question and text.
func answerKey(question, answer string) string {
	sum := sha256.Sum256([]byte(question + "\x1f" + answer))
	return hex.EncodeToString(sum[:12])
}

// add counts a vote unless who has voted on the answer already, and
// returns the answer's tally and whether the vote was counted.
func (v *votes) add(key, who, rating string) (up, down int, counted bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	t := v.tally[key]
	if !v.voted[key+" "+who] {
		v.voted[key+" "+who] = true
		t[voteIndex(rating)]++
		v.tally[key] = t
		counted = true
	}
	return t[0], t[1], counted
}

// remove takes back a vote that could not be recorded.
func (v *votes) remove(key, who, rating string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.voted, key+" "+who)
	t := v.tally[key]
	t[voteIndex(rating)]--
	v.tally[key] = t
}

func voteIndex(rating string) int {
	if rating == "up" {
		return 0
	}
	return 1
}

func loadVotes(feedbackPath string) *votes {
	v := &votes{voted: map[string]bool{}, tally: map[string][2]int{}}
	fb, _ := ReadFeedback(feedbackPath) // an unreadable file is no votes yet
	for _, f := range fb {
		if f.Source == "slack" && f.User != "" {
			v.add(answerKey(f.Question, f.Answer), f.User, f.Rating)
		}
	}
	return v
}

// eventDedupe remembers event ids ten minutes (Slack retries for less).
func eventDedupe(path string) *dedupe {
	if path == "" {
		return newDedupe(10 * time.Minute)
	}
	return persistentDedupe(10*time.Minute, path)
}
