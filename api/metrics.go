package api

import (
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
	fallbacks *prometheus.CounterVec
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
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rag_provider_fallbacks_total", Help: "Answers for which a model provider failed and the offline path stood in.",
		}, []string{"answerer"}),
	}
	stats := func(f func(rag.Stats) int) func() float64 {
		return func() float64 {
			if e := s.engine.Load(); e != nil {
				return float64(f(e.Index.Stats()))
			}
			return 0
		}
	}
	m.registry.MustRegister(m.requests, m.duration, m.stage, m.answers, m.fallbacks,
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
		m.fallbacks.WithLabelValues(a.Answerer).Inc()
	}
}

func (m *metrics) handler(c echo.Context) error {
	promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}).ServeHTTP(c.Response(), c.Request())
	return nil
}
