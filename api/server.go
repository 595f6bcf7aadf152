// Package api serves the engine over HTTP with echo: the JSON API, an
// OpenAI-compatible chat endpoint, the chat page, metrics and the
// OpenAPI description.
package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// Config configures a [Server]. Zero values get the defaults in brackets.
type Config struct {
	// Engine answers; nil until the index is loaded (see [Server.SetEngine]).
	Engine *rag.Engine
	Log    *slog.Logger
	// FeedbackPath is the JSONL file feedback is appended to.
	FeedbackPath string
	// AdminToken enables document changes for bearers of it.
	AdminToken string
	// APIKeys name the keys clients may send on the query routes, each
	// with a rate limit of its own (name → key).
	APIKeys map[string]string
	// BodyLimit caps request bodies ["1M"]; UploadLimit caps uploads ["20M"].
	BodyLimit, UploadLimit string
	// RequestTimeout bounds each request's work [60s].
	RequestTimeout time.Duration
	// RateLimit is requests per second per client IP [10], with Burst [2×].
	RateLimit float64
	Burst     int
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []*net.IPNet
	// CORSOrigins may call the API from a browser; none (same origin) by default.
	CORSOrigins []string
	// KeepAlive is the interval of comments on quiet event streams [15s].
	KeepAlive time.Duration
	// PublicURL is where users reach the service; links to passages
	// (OpenAI-compatible citations) are built on it, none without it.
	PublicURL string
	// Slack turns the Slack bot on when it holds a signing secret or an app token.
	Slack SlackConfig
}

func (c *Config) defaults() {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.BodyLimit == "" {
		c.BodyLimit = "1M"
	}
	if c.UploadLimit == "" {
		c.UploadLimit = "20M"
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 60 * time.Second
	}
	if c.RateLimit == 0 {
		c.RateLimit = 10
	}
	if c.Burst == 0 {
		c.Burst = int(2*c.RateLimit) + 1
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = 15 * time.Second
	}
}

// Server holds what the handlers share.
type Server struct {
	cfg     Config
	log     *slog.Logger
	echo    *echo.Echo
	engine  atomic.Pointer[rag.Engine]
	metrics *metrics
	slack   *slackBot // nil when Slack is not configured

	feedbackMu sync.Mutex

	// started is when the server was made (the model list's "created").
	started time.Time
	// closing is cancelled when the server shuts down, to end open streams.
	closing context.Context
	close   context.CancelFunc
}

// New returns a server with its routes and middleware in place.
func New(cfg Config) *Server {
	cfg.defaults()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{cfg: cfg, log: cfg.Log, echo: e, started: time.Now()}
	s.closing, s.close = context.WithCancel(context.Background())
	s.metrics = newMetrics(s)
	if cfg.Engine != nil {
		s.engine.Store(cfg.Engine)
	}
	if cfg.Slack.enabled() {
		s.slack = newSlackBot(s.slackDeps(), cfg.Slack)
	}
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	s.routes()
	return s
}

// SetEngine makes the server ready to answer.
func (s *Server) SetEngine(e *rag.Engine) { s.engine.Store(e) }

// ready returns the engine, or an EUNAVAILABLE error while there is none.
func (s *Server) ready() (*rag.Engine, error) {
	if e := s.engine.Load(); e != nil {
		return e, nil
	}
	return nil, rag.Errorf(rag.EUNAVAILABLE, "the index is still loading; try again shortly")
}

// ServeHTTP lets the server be used as an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Echo returns the underlying echo instance.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Closing ends open event streams; call it as shutdown begins.
func (s *Server) Closing() { s.close() }

// Drain waits until background work (Slack answers) is done, or ctx ends.
func (s *Server) Drain(ctx context.Context) {
	if s.slack == nil {
		return
	}
	done := make(chan struct{})
	go func() { s.slack.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
