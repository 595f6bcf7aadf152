package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// requireAdmin lets through only bearers of the admin token, compared in
// constant time. Without a configured token the routes are disabled.
func (s *Server) requireAdmin() echo.MiddlewareFunc {
	want := sha256.Sum256([]byte(s.cfg.AdminToken))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if s.cfg.AdminToken == "" {
				return rag.Errorf(rag.EFORBIDDEN, "document changes are disabled: the server has no admin token (RAG_ADMIN_TOKEN)")
			}
			auth := c.Request().Header.Get(echo.HeaderAuthorization)
			token, ok := strings.CutPrefix(auth, "Bearer ")
			if !ok || token == "" {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="rag"`)
				return rag.Errorf(rag.EUNAUTHORIZED, "send the admin token as Authorization: Bearer <token>")
			}
			got := sha256.Sum256([]byte(token))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				return rag.Errorf(rag.EFORBIDDEN, "the admin token is wrong")
			}
			return next(c)
		}
	}
}
