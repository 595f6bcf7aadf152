package api

import (
	"net"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/ragteam/rag/rag"
	"golang.org/x/time/rate"
)

// rateLimit allows each API key, or each client IP of requests without
// one, RateLimit requests a second, with bursts; past that a 429 with
// Retry-After.
func (s *Server) rateLimit() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(s.cfg.RateLimit), Burst: s.cfg.Burst, ExpiresIn: 3 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		IdentifierExtractor: func(c echo.Context) (string, error) {
			if name, ok := c.Get(apiKeyName).(string); ok {
				return "key:" + name, nil
			}
			return "ip:" + c.RealIP(), nil
		},
		DenyHandler: func(c echo.Context, id string, _ error) error {
			c.Response().Header().Set("Retry-After", "1")
			if strings.HasPrefix(id, "key:") {
				return rag.Errorf(rag.ERATELIMIT, "too many requests with this API key; slow down and retry in a second")
			}
			return rag.Errorf(rag.ERATELIMIT, "too many requests from this address; slow down and retry in a second")
		},
		ErrorHandler: func(c echo.Context, err error) error { return err },
	})
}

// ipExtractor reads the client IP from the connection, or from
// X-Forwarded-For when the request came through a trusted proxy.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
