package api

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/ragteam/rag/rag"
)

// metrics are the server's Prometheus series, in a registry of its own.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	stage     *prometheus.HistogramVec
	answers   *prometheus.CounterVec
	fallbacks prometheus.Counter
	feedback  *prometheus.CounterVec
	// Slack: requests refused for their signature, posts that failed for
	// good, and Slack's own 429s.
	slackRejected, slackPostFailures, slackRateLimited prometheus.Counter
}

var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rag_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rag_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: latencyBuckets,
		}, []string{"route"}),
		stage: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rag_answer_stage_seconds", Help: "Time spent answering, by stage: retrieve, answer, total.", Buckets: latencyBuckets,
		}, []string{"stage"}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rag_answers_total", Help: "Answers by answerer and whether the corpus held the answer.",
		}, []string{"answerer", "answered"}),
		fallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rag_provider_fallbacks_total", Help: "Answers for which a model provider failed and the offline path stood in.",
		}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rag_feedback_total", Help: "Feedback recorded, by rating and source.",
		}, []string{"rating", "source"}),
		slackRejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rag_slack_requests_rejected_total", Help: "Slack requests refused for a missing, wrong, stale or replayed signature.",
		}),
		slackPostFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rag_slack_post_failures_total", Help: "Slack Web API calls that failed for good.",
		}),
		slackRateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rag_slack_rate_limited_total", Help: "Slack Web API calls answered 429 by Slack (each is retried after Retry-After).",
		}),
	}
	// Every series a dashboard or alert reads exists from the start, at 0.
	for _, answered := range []string{"true", "false"} {
		m.answers.WithLabelValues(rag.ExtractiveName, answered)
	}
	for _, rating := range []string{"up", "down"} {
		for _, source := range []string{"web", "api", "slack"} {
			m.feedback.WithLabelValues(rating, source)
		}
	}
	version, goVersion, revision := buildInfo()
	buildInfoGauge := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "rag_build_info", Help: "Always 1; the labels say which build is running.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": goVersion},
	})
	buildInfoGauge.Set(1)
	stats := func(f func(rag.Stats) int) func() float64 {
		return func() float64 {
			if e := s.engine.Load(); e != nil {
				return float64(f(e.Index.Stats()))
			}
			return 0
		}
	}
	m.registry.MustRegister(m.requests, m.duration, m.stage, m.answers, m.fallbacks, m.feedback,
		m.slackRejected, m.slackPostFailures, m.slackRateLimited, buildInfoGauge,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "rag_index_documents", Help: "Documents in the index."},
			stats(func(st rag.Stats) int { return st.Documents })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "rag_index_chunks", Help: "Chunks in the index."},
			stats(func(st rag.Stats) int { return st.Chunks })),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// middleware counts requests and times them by route (the pattern, so
// document ids do not explode the label set).
func (m *metrics) middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err) // write the error response now, so its status is known
			}
			status := c.Response().Status
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			m.requests.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
			return nil
		}
	}
}

// observe records an answer's stage timings, answerer and fallback.
func (m *metrics) observe(a *rag.Answer) {
	for _, stage := range []string{"retrieve", "answer", "total"} {
		m.stage.WithLabelValues(stage).Observe(a.TimingsMS[stage] / 1000)
	}
	m.answers.WithLabelValues(a.Answerer, strconv.FormatBool(a.Answered)).Inc()
	if a.Fallback != "" {
		m.fallbacks.Inc()
	}
}

// buildInfo reads the running binary's version, Go version and commit.
func buildInfo() (version, goVersion, revision string) {
	version, goVersion, revision = "unknown", runtime.Version(), "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if v := bi.Main.Version; v != "" {
		version = v
	}
	for _, st := range bi.Settings {
		if st.Key == "vcs.revision" {
			revision = st.Value
		}
	}
	return
}

func (m *metrics) handler(c echo.Context) error {
	promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}
