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
				return rag.Errorf(rag.EFORBIDDEN, "admin routes (document changes, the feedback list) are disabled: the server has no admin token (RAG_ADMIN_TOKEN)")
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

// apiKey reads an API key from "Authorization: Bearer <key>" on the query
// routes. A request without one is served as before, limited per client
// address; one with a key the server knows is limited per key, so the
// users behind a front end that holds its own key do not share their
// proxy's address limit with everyone else; an unknown key is refused
// when the server has keys.
func (s *Server) apiKey() echo.MiddlewareFunc {
	keys := map[[32]byte]string{}
	for name, key := range s.cfg.APIKeys {
		keys[sha256.Sum256([]byte(key))] = name
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
			if !ok || token == "" || len(keys) == 0 {
				// Without keys on the server, a client's placeholder key
				// (OpenAI clients always send one) is no key.
				return next(c)
			}
			got := sha256.Sum256([]byte(token))
			for digest, name := range keys {
				if subtle.ConstantTimeCompare(got[:], digest[:]) == 1 {
					c.Set(apiKeyName, name)
					return next(c)
				}
			}
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="rag"`)
			return rag.Errorf(rag.EUNAUTHORIZED, "unknown API key; send one of the server's keys (RAG_API_KEYS) or none")
		}
	}
}

// apiKeyName is the context key holding the name of the request's API key.
const apiKeyName = "api_key"
