package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// requestBuckets are the latency buckets, seconds: pages take
// milliseconds, uploads over Tor minutes.
var requestBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800}

var (
	requestsDesc = prometheus.NewDesc("tipline_http_requests_total",
		"Requests answered, by listener, method, route template (unmatched: no route) and status code. Intake requests are published once their UTC hour has ended.",
		[]string{"listener", "method", "route", "code"}, nil)
	durationDesc = prometheus.NewDesc("tipline_http_request_duration_seconds",
		"Time to answer requests, by listener, method and route template. Intake requests are published once their UTC hour has ended.",
		[]string{"listener", "method", "route"}, nil)
	refusalsDesc = prometheus.NewDesc("tipline_http_refusals_total",
		"Requests refused for lack of capacity, by listener, route template and reason: rate_limited (429), storage_full or unavailable (503). Intake requests are published once their UTC hour has ended.",
		[]string{"listener", "route", "reason"}, nil)
)

// requestKey is what a request is counted by.
type requestKey struct {
	listener, method, route string
	code                    int
}

// durationKey is what a request's duration is observed by.
type durationKey struct{ listener, method, route string }

// refusalKey is what a refusal is counted by.
type refusalKey struct{ listener, route, reason string }

// histogram is one latency histogram: counts per bucket (not cumulative),
// their sum and total.
type histogram struct {
	buckets []uint64
	count   uint64
	seconds float64
}

// requestBook holds counts and latencies.
type requestBook struct {
	requests  map[requestKey]uint64
	durations map[durationKey]*histogram
	refusals  map[refusalKey]uint64
}

func newRequestBook() requestBook {
	return requestBook{requests: map[requestKey]uint64{}, durations: map[durationKey]*histogram{}, refusals: map[refusalKey]uint64{}}
}

func (b requestBook) add(k requestKey, refusal string, d time.Duration) {
	b.requests[k]++
	dk := durationKey{k.listener, k.method, k.route}
	h := b.durations[dk]
	if h == nil {
		h = &histogram{buckets: make([]uint64, len(requestBuckets))}
		b.durations[dk] = h
	}
	h.count++
	h.seconds += d.Seconds()
	for i, upper := range requestBuckets {
		if d.Seconds() <= upper {
			h.buckets[i]++
			break
		}
	}
	if refusal != "" {
		b.refusals[refusalKey{k.listener, k.route, refusal}]++
	}
}

// merge adds what other holds to b.
func (b requestBook) merge(other requestBook) {
	for k, n := range other.requests {
		b.requests[k] += n
	}
	for k, o := range other.durations {
		h := b.durations[k]
		if h == nil {
			h = &histogram{buckets: make([]uint64, len(requestBuckets))}
			b.durations[k] = h
		}
		h.count += o.count
		h.seconds += o.seconds
		for i := range h.buckets {
			h.buckets[i] += o.buckets[i]
		}
	}
	for k, n := range other.refusals {
		b.refusals[k] += n
	}
}

// requestStats counts requests as a Prometheus collector. Those of the
// casework listener are shown at once; those of the intake listener are
// held until the UTC hour they arrived in has ended, so that a scrape
// every few seconds cannot date a source's request more finely than the
// hourly intake log does.
type requestStats struct {
	clock    func() time.Time
	mu       sync.Mutex
	shown    requestBook
	held     requestBook // intake requests of heldHour
	heldHour time.Time
}

func newRequestStats(clock func() time.Time) *requestStats {
	return &requestStats{clock: clock, shown: newRequestBook(), held: newRequestBook()}
}

// observe counts one request.
func (r *requestStats) observe(k requestKey, refusal string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	book := r.shown
	if k.listener == "intake" {
		r.publishEndedHour()
		book = r.held
	}
	book.add(k, refusal, d)
}

// publishEndedHour shows the held intake requests once their hour has
// ended. The caller holds mu.
func (r *requestStats) publishEndedHour() {
	hour := r.clock().UTC().Truncate(time.Hour)
	if hour.Equal(r.heldHour) {
		return
	}
	r.shown.merge(r.held)
	r.held = newRequestBook()
	r.heldHour = hour
}

// Describe implements prometheus.Collector.
func (r *requestStats) Describe(ch chan<- *prometheus.Desc) {
	ch <- requestsDesc
	ch <- durationDesc
	ch <- refusalsDesc
}

// Collect implements prometheus.Collector.
func (r *requestStats) Collect(ch chan<- prometheus.Metric) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.publishEndedHour()
	for k, n := range r.shown.requests {
		ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue, float64(n), k.listener, k.method, k.route, strconv.Itoa(k.code))
	}
	for k, h := range r.shown.durations {
		cumulative := make(map[float64]uint64, len(requestBuckets))
		var below uint64
		for i, upper := range requestBuckets {
			below += h.buckets[i]
			cumulative[upper] = below
		}
		ch <- prometheus.MustNewConstHistogram(durationDesc, h.count, h.seconds, cumulative, k.listener, k.method, k.route)
	}
	for k, n := range r.shown.refusals {
		ch <- prometheus.MustNewConstMetric(refusalsDesc, prometheus.CounterValue, float64(n), k.listener, k.route, k.reason)
	}
}
