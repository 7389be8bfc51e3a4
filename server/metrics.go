package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/intake"
)

// metrics is what /metrics publishes, on the casework listener or on a
// listener of its own (TIPLINE_METRICS_ADDR), never on the intake
// listener. Nothing in it dates a source's action more finely than the
// hour, as the intake log does (README "Metrics"): requests to the intake
// listener are published once their hour has ended (requestStats), and
// what the intake holds is read from its hourly counters or as it was at
// the hour's first scrape (intakeCollector).
type metrics struct {
	registry     *prometheus.Registry
	requests     *requestStats
	janitorRuns  *prometheus.CounterVec
	janitorBlobs *prometheus.CounterVec
}

// newMetrics registers every family; clock is the intake's clock, which
// decides when an hour has ended.
func newMetrics(deps Deps, clock func() time.Time) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: newRequestStats(clock),
		janitorRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tipline_janitor_runs_total",
			Help: "Sweeps of pending blobs by this node's janitor, by result (ok, failed, or leased: another node held the janitor lease and this node swept nothing).",
		}, []string{"result"}),
		janitorBlobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tipline_janitor_blobs_total",
			Help: "What this node's janitor did, by action: pending blobs removed (never committed), finished (committed before today, moved to objects/), rows repaired (left naming a pending key), incomplete multipart uploads aborted, expired upload sessions removed with their chunks.",
		}, []string{"action"}),
	}
	for _, result := range []string{"ok", "failed", "leased"} {
		m.janitorRuns.WithLabelValues(result)
	}
	for _, action := range []string{"removed", "finished", "repaired", "multipart_aborted", "sessions_removed"} {
		m.janitorBlobs.WithLabelValues(action)
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests,
		m.janitorRuns,
		m.janitorBlobs,
		newIntakeCollector(deps, clock),
	)
	return m
}

// intakeClock is the intake's clock (intake.Service.Now), which decides
// when an hour has ended; the system's without an intake.
func intakeClock(deps Deps) func() time.Time {
	if deps.Intake == nil {
		return time.Now
	}
	return func() time.Time { return deps.Intake.Now() }
}

// serveMetrics answers GET /metrics in the Prometheus text format. A
// family that cannot be read (the database is down) is left out and the
// rest is still served; tipline_dependency_up says what is down.
func (s *Server) serveMetrics() gin.HandlerFunc {
	return gin.WrapH(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
}

// metricsRoutes lists the one route of the listener of TIPLINE_METRICS_ADDR.
func (s *Server) metricsRoutes(e *gin.Engine) {
	e.GET("/metrics", s.serveMetrics())
}

// CountJanitorSweep counts one janitor sweep (intake.Service.Swept).
func (s *Server) CountJanitorSweep(r intake.JanitorReport, err error) {
	result := "ok"
	switch {
	case err != nil:
		result = "failed"
	case r.Leased:
		result = "leased"
	}
	s.metrics.janitorRuns.WithLabelValues(result).Inc()
	s.metrics.janitorBlobs.WithLabelValues("removed").Add(float64(r.Removed))
	s.metrics.janitorBlobs.WithLabelValues("finished").Add(float64(r.Finished))
	s.metrics.janitorBlobs.WithLabelValues("repaired").Add(float64(r.Repaired))
	s.metrics.janitorBlobs.WithLabelValues("multipart_aborted").Add(float64(r.Aborted))
	s.metrics.janitorBlobs.WithLabelValues("sessions_removed").Add(float64(r.Sessions))
}

// countRequests observes every request of a listener by route template
// (gin's FullPath: never the raw path, so no id or slug), method and
// status, and its refusal when it was one.
func (s *Server) countRequests(listener string) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		s.metrics.requests.observe(requestKey{listener: listener, method: methodLabel(c.Request), route: route, code: c.Writer.Status()},
			refusalOf(c), time.Since(start))
	}
}

// methodLabel is the request's method as a label: the standard ones only,
// so that a client cannot add label values at will.
func methodLabel(r *http.Request) string {
	if isHead(r) {
		return http.MethodHead
	}
	switch r.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return r.Method
	}
	return "other"
}

// refusalOf names why a request was refused for lack of capacity:
// "rate_limited" (429), "storage_full" (503, a byte budget is exhausted),
// "busy" (503, the upload sessions' cap is reached) or "unavailable" (503,
// the database or the blob store failed); "" when it was not refused.
// respond records the error it answered in c.Errors.
func refusalOf(c *gin.Context) string {
	switch c.Writer.Status() {
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusServiceUnavailable:
		last := c.Errors.Last()
		switch {
		case last != nil && errors.Is(last.Err, intake.ErrStorageFull):
			return "storage_full"
		case last != nil && tipline.ErrorCode(last.Err) == tipline.Busy:
			return "busy"
		}
		return "unavailable"
	}
	return ""
}
