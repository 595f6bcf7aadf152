package api

import (
	"context"
	"errors"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// timeout puts the request deadline on the context; work past it ends
// with a 503.
func (s *Server) timeout() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
			defer cancel()
			c.SetRequest(c.Request().WithContext(ctx))
			err := next(c)
			if errors.Is(err, context.DeadlineExceeded) {
				return rag.Errorf(rag.ETIMEOUT, "the request took longer than %s", s.cfg.RequestTimeout)
			}
			return err
		}
	}
}
