package api

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the one list of every endpoint the service answers, with the
// middleware each runs. (Route-level rather than group middleware keeps
// echo's 405 for a known path with the wrong method.)
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlash())
	e.Use(s.requestID(), s.accessLog(), s.metrics.middleware(), s.recoverPanics(), secureHeaders(), s.cors())

	e.GET("/", s.chatPage)
	e.GET("/assets/*", s.assets)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler)
	e.GET("/openapi.json", s.openAPI)

	limited := s.rateLimit()
	deadline := s.timeout()
	body := s.bodyLimit(s.cfg.BodyLimit)
	// Query routes take an optional API key (its own rate limit); the
	// admin routes' bearer is the admin token.
	key := s.apiKey()
	query := func(extra ...echo.MiddlewareFunc) []echo.MiddlewareFunc {
		return append([]echo.MiddlewareFunc{key, limited, deadline}, extra...)
	}
	admin := func(extra ...echo.MiddlewareFunc) []echo.MiddlewareFunc {
		return append([]echo.MiddlewareFunc{limited, deadline, s.requireAdmin()}, extra...)
	}
	e.POST("/v1/ask", s.ask, query(body)...)
	e.POST("/v1/search", s.search, query(body)...)
	e.POST("/v1/feedback", s.feedback, query(body)...)
	e.GET("/v1/feedback", s.listFeedback, admin()...)
	e.GET("/v1/feedback/candidates", s.feedbackCandidates, admin()...)
	e.POST("/v1/chat/completions", s.chatCompletions, query(body)...)
	e.GET("/v1/models", s.listModels, query()...)
	e.GET("/v1/models/:id", s.getModel, query()...)
	e.GET("/v1/corpus", s.corpusInfo, query()...)
	e.GET("/v1/documents", s.listDocuments, query()...)
	e.GET("/v1/documents/*", s.getDocument, query()...)
	e.POST("/v1/documents", s.uploadDocument, admin(s.bodyLimit(s.cfg.UploadLimit))...)
	e.DELETE("/v1/documents/*", s.deleteDocument, admin()...)

	// Slack (HTTP mode): 404 unless SLACK_SIGNING_SECRET is set; rate
	// limited per client like the API, and every request's signature is
	// checked before its body is read.
	slackIn := []echo.MiddlewareFunc{limited, body, s.slack.verifySlack()}
	e.POST("/slack/commands", s.slack.command, slackIn...)
	e.POST("/slack/events", s.slack.events, slackIn...)
	e.POST("/slack/interactions", s.slack.interactions, slackIn...)
}
