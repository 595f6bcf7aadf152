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
	api := func(extra ...echo.MiddlewareFunc) []echo.MiddlewareFunc {
		return append([]echo.MiddlewareFunc{limited, deadline}, extra...)
	}
	e.POST("/v1/ask", s.ask, api(body)...)
	e.POST("/v1/search", s.search, api(body)...)
	e.POST("/v1/feedback", s.feedback, api(body)...)
	e.POST("/v1/chat/completions", s.chatCompletions, api(body)...)
	e.GET("/v1/models", s.listModels, api()...)
	e.GET("/v1/models/:id", s.getModel, api()...)
	e.GET("/v1/documents", s.listDocuments, api()...)
	e.GET("/v1/documents/*", s.getDocument, api()...)
	e.POST("/v1/documents", s.uploadDocument, api(s.requireAdmin(), s.bodyLimit(s.cfg.UploadLimit))...)
	e.DELETE("/v1/documents/*", s.deleteDocument, api(s.requireAdmin())...)

	// Slack (HTTP mode): 404 unless SLACK_SIGNING_SECRET is set; rate
	// limited per client like the API, and every request's signature is
	// checked before its body is read.
	slackIn := []echo.MiddlewareFunc{limited, body, s.slack.verifySlack()}
	e.POST("/slack/commands", s.slack.command, slackIn...)
	e.POST("/slack/events", s.slack.events, slackIn...)
	e.POST("/slack/interactions", s.slack.interactions, slackIn...)
}
