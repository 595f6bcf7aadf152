package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/api"
	"github.com/ragteam/rag/rag"
)

// httpResult is a load run against the real server on loopback.
type httpResult struct {
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	SearchRPS   float64 `json:"search_rps"`
	ColdRPS     float64 `json:"search_distinct_rps"`
	NoopRPS     float64 `json:"noop_rps"`
	AskRPS      float64 `json:"ask_rps"`
	SearchP50   float64 `json:"search_p50_ms"`
	SearchP99   float64 `json:"search_p99_ms"`
	NoopP50     float64 `json:"noop_p50_ms"`
	AskP50      float64 `json:"ask_p50_ms"`
	Errors      int64   `json:"errors"`
}

const concurrency = 32

// measureHTTP serves the seeds with the service's own routes and
// middleware (rate limit raised so the load is not refused), adds a no-op
// route behind the same middleware, and loads each from 32 workers.
func measureHTTP(ctx context.Context) (httpResult, error) {
	ix := rag.NewIndex(rag.IndexOptions{})
	if _, err := ix.Sync(ctx, "seeds", nil); err != nil {
		return httpResult{}, err
	}
	srv := api.New(api.Config{Engine: rag.NewEngine(ix), RateLimit: 1e9, Burst: 1 << 30})
	srv.Echo().POST("/bench/noop", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return httpResult{}, err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	r := httpResult{Concurrency: concurrency, Requests: 20000}
	run := func(path string, body func(i int) string, n int) (float64, latency) {
		rps, lat, errs := load(base+path, func(i int) []byte { return []byte(body(i)) }, n)
		r.Errors += errs
		return rps, lat
	}
	fixed := func(s string) func(int) string { return func(int) string { return s } }
	words := strings.Fields("Caspian naval drills Iran Russia Shahed drones Moscow Tehran treaty sanctions missiles ambassador defense minister Kazakhstan Ukraine Israel China cooperation exercise")
	distinct := func(i int) string { // a different query each time: no cache helps
		return fmt.Sprintf(`{"query":"%s %s %s %d","top_k":5}`, words[i%len(words)], words[(i/7)%len(words)], words[(i/49)%len(words)], i)
	}
	run("/bench/noop", fixed(`{}`), 2000) // warm connections
	// Rounds alternate, so drift in the shared machine's load hits every
	// route alike; each figure is the median of its rounds.
	const rounds = 5
	var noopRPS, searchRPS, coldRPS []float64
	var noop, search latency
	for i := 0; i < rounds; i++ {
		var rps float64
		rps, noop = run("/bench/noop", fixed(`{}`), r.Requests/rounds)
		noopRPS = append(noopRPS, rps)
		rps, search = run("/v1/search", fixed(`{"query":"Caspian naval drills Iran Russia","top_k":5}`), r.Requests/rounds)
		searchRPS = append(searchRPS, rps)
		rps, _ = run("/v1/search", func(j int) string { return distinct(i*r.Requests + j) }, r.Requests/rounds)
		coldRPS = append(coldRPS, rps)
	}
	r.NoopRPS, r.SearchRPS, r.ColdRPS = median(noopRPS), median(searchRPS), median(coldRPS)
	var ask latency
	r.AskRPS, ask = run("/v1/ask", fixed(`{"question":"Which navies took part in the Caspian exercise?"}`), r.Requests/4)
	r.NoopP50, r.SearchP50, r.SearchP99, r.AskP50 = noop.P50, search.P50, search.P99, ask.P50
	fmt.Fprintf(os.Stderr, "http: search %.0f req/s (distinct queries %.0f), no-op %.0f req/s, ask %.0f req/s, %d errors\n", r.SearchRPS, r.ColdRPS, r.NoopRPS, r.AskRPS, r.Errors)
	return r, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
