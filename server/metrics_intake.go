package server

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	submissionsDesc = prometheus.NewDesc("tipline_submissions_last_hour",
		"Submissions committed in the last complete UTC hour, by desk, from the intake's hourly counters in the database (the same on every node).",
		[]string{"desk"}, nil)
	committedBytesDesc = prometheus.NewDesc("tipline_committed_bytes_last_hour",
		"Bytes committed in the last complete UTC hour over all desks, from the intake's hourly counters.", nil, nil)
	uploadSessionsDesc = prometheus.NewDesc("tipline_upload_sessions_open",
		"Upload sessions of the JavaScript path open, as they were at this node's first scrape of the current UTC hour.", nil, nil)
	pendingBytesDesc = prometheus.NewDesc("tipline_pending_bytes",
		"Bytes reserved by uncommitted uploads over all sources, as they were at this node's first scrape of the current UTC hour.", nil, nil)
	pendingBudgetDesc = prometheus.NewDesc("tipline_pending_bytes_budget",
		"The budget of bytes of uncommitted uploads (TIPLINE_PENDING_BYTES_BUDGET; 0: none).", nil, nil)
	committedBudgetDesc = prometheus.NewDesc("tipline_committed_bytes_budget_per_hour",
		"The budget of bytes committed per hour (TIPLINE_COMMITTED_BYTES_PER_HOUR; 0: none).", nil, nil)
	budgetFullDesc = prometheus.NewDesc("tipline_storage_budget_full",
		"1 while a byte budget is exhausted and new tips are refused, as /readyz says to anyone; by budget (pending or committed).",
		[]string{"budget"}, nil)
	dependencyUpDesc = prometheus.NewDesc("tipline_dependency_up",
		"1 when the component answered this scrape's ping (as /readyz checks it), 0 otherwise.", []string{"component"}, nil)
	dependencyFailuresDesc = prometheus.NewDesc("tipline_dependency_failures_total",
		"Pings of a component that failed at a scrape of this node.", []string{"component"}, nil)
)

// intakeCollector reads the state of the intake and its dependencies at
// scrape time. What a source's action moves at once (open upload sessions,
// pending bytes) is read at the first scrape of each UTC hour and shown
// unchanged until the next hour; submissions and committed bytes come from
// the last complete hour's counters.
type intakeCollector struct {
	deps  Deps
	clock func() time.Time

	mu           sync.Mutex
	snapshotHour time.Time // zero until a snapshot was read
	sessions     int
	pendingBytes int64
	failures     map[string]uint64 // pings failed, by component
}

func newIntakeCollector(deps Deps, clock func() time.Time) *intakeCollector {
	return &intakeCollector{deps: deps, clock: clock, failures: map[string]uint64{"database": 0, "blob store": 0}}
}

// Describe implements prometheus.Collector.
func (ic *intakeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{submissionsDesc, committedBytesDesc, uploadSessionsDesc, pendingBytesDesc,
		pendingBudgetDesc, committedBudgetDesc, budgetFullDesc, dependencyUpDesc, dependencyFailuresDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. What cannot be read is left
// out of the scrape and logged; tipline_dependency_up says why.
func (ic *intakeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), readinessTimeout)
	defer cancel()
	ic.collectDependencies(ctx, ch)
	in := ic.deps.Intake
	if in == nil {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(pendingBudgetDesc, float64(in.Limits.PendingBytes))
	gauge(committedBudgetDesc, float64(in.Limits.CommittedBytesPerHour))
	if last, err := in.LastHour(ctx); err != nil {
		ic.deps.Logger.Warn("metrics: cannot read the last hour's intake counters", "err", err)
	} else {
		for desk, n := range last.Submissions {
			gauge(submissionsDesc, float64(n), desk)
		}
		gauge(committedBytesDesc, float64(last.CommittedBytes))
	}
	budget, err := in.Budget(ctx)
	if err != nil {
		ic.deps.Logger.Warn("metrics: cannot read the storage budget", "err", err)
		return
	}
	gauge(budgetFullDesc, boolValue(budget.PendingFull), "pending")
	gauge(budgetFullDesc, boolValue(budget.CommittedFull), "committed")
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if hour := ic.clock().UTC().Truncate(time.Hour); !hour.Equal(ic.snapshotHour) {
		sessions, err := in.OpenUploads(ctx)
		if err != nil {
			ic.deps.Logger.Warn("metrics: cannot count open upload sessions", "err", err)
			return // read again at the next scrape
		}
		ic.snapshotHour, ic.sessions, ic.pendingBytes = hour, sessions, budget.PendingBytes
	}
	gauge(uploadSessionsDesc, float64(ic.sessions))
	gauge(pendingBytesDesc, float64(ic.pendingBytes))
}

// collectDependencies pings the database and the blob store, as /readyz
// does, concurrently.
func (ic *intakeCollector) collectDependencies(ctx context.Context, ch chan<- prometheus.Metric) {
	checks := []struct {
		name string
		ping func(context.Context) error
	}{
		{"database", ic.deps.DB.Ping},
		{"blob store", ic.deps.Blobs.Ping},
	}
	up := make([]bool, len(checks))
	var wg sync.WaitGroup
	for i, check := range checks {
		wg.Go(func() { up[i] = check.ping(ctx) == nil })
	}
	wg.Wait()
	ic.mu.Lock()
	defer ic.mu.Unlock()
	for i, check := range checks {
		if !up[i] {
			ic.failures[check.name]++
		}
		ch <- prometheus.MustNewConstMetric(dependencyUpDesc, prometheus.GaugeValue, boolValue(up[i]), check.name)
		ch <- prometheus.MustNewConstMetric(dependencyFailuresDesc, prometheus.CounterValue, float64(ic.failures[check.name]), check.name)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
