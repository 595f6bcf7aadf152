// Package api serves the engine over HTTP with echo: the JSON API, and in
// time the chat page and Slack endpoints.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/ragteam/rag/rag"
)

// Config configures a [Server].
type Config struct {
	Engine *rag.Engine
	Log    *slog.Logger
	// BodyLimit caps request bodies, e.g. "1M".
	BodyLimit string
	// RequestTimeout bounds each request's work.
	RequestTimeout time.Duration
}

// Server holds what the handlers share.
type Server struct {
	engine *rag.Engine
	log    *slog.Logger
	echo   *echo.Echo
}

// New returns a server with its routes and middleware in place.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "1M"
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{engine: cfg.Engine, log: cfg.Log, echo: e}
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "path", c.Path(), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.BodyLimit(cfg.BodyLimit))
	e.Use(middleware.ContextTimeout(cfg.RequestTimeout))
	s.routes()
	return s
}

// ServeHTTP lets the server be used as an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Echo returns the underlying echo instance, to start or shut it down.
func (s *Server) Echo() *echo.Echo { return s.echo }
