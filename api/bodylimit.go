package api

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// bodyLimit answers 413 to a body over limit ("1M", "20M").
func (s *Server) bodyLimit(limit string) echo.MiddlewareFunc {
	return middleware.BodyLimit(limit)
}
