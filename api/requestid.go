package api

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// requestID gives every request an id — the caller's X-Request-ID when it
// sends a sane one — and returns it in the response header.
func (s *Server) requestID() echo.MiddlewareFunc {
	return middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		Generator: randomID,
		RequestIDHandler: func(c echo.Context, id string) {
			if !saneID(id) {
				id = randomID()
				c.Response().Header().Set(echo.HeaderXRequestID, id)
			}
			c.Set("request_id", id)
		},
	})
}

func saneID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func requestIDOf(c echo.Context) string {
	id, _ := c.Get("request_id").(string)
	return id
}
