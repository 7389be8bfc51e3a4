package server

import (
	"errors"
	"testing"

	"github.com/tipline/tipline/intake"
)

// TestJanitorMetrics: each sweep of this node's janitor is counted by
// result (a sweep skipped because another node held the lease is
// "leased"), and what it did by action, rows repaired and incomplete
// multipart uploads aborted included.
func TestJanitorMetrics(t *testing.T) {
	ts := newTestServer(t)
	for _, sweep := range []struct {
		r   intake.JanitorReport
		err error
	}{
		{intake.JanitorReport{Removed: 2, Finished: 3, Repaired: 1, Aborted: 4, Sessions: 5}, nil},
		{intake.JanitorReport{Leased: true}, nil},
		{intake.JanitorReport{Leased: true}, nil},
		{intake.JanitorReport{Removed: 1}, errors.New("blob store down")},
	} {
		ts.CountJanitorSweep(sweep.r, sweep.err)
	}
	families := scrape(t, ts, "casework")
	for _, tc := range []struct {
		family, label, value string
		want                 float64
	}{
		{"tipline_janitor_runs_total", "result", "ok", 1},
		{"tipline_janitor_runs_total", "result", "leased", 2},
		{"tipline_janitor_runs_total", "result", "failed", 1},
		{"tipline_janitor_blobs_total", "action", "removed", 3},
		{"tipline_janitor_blobs_total", "action", "finished", 3},
		{"tipline_janitor_blobs_total", "action", "repaired", 1},
		{"tipline_janitor_blobs_total", "action", "multipart_aborted", 4},
		{"tipline_janitor_blobs_total", "action", "sessions_removed", 5},
	} {
		m, ok := sample(families, tc.family, map[string]string{tc.label: tc.value})
		if !ok || value(m) != tc.want {
			t.Errorf("%s{%s=%q} = %v (found %v), want %v", tc.family, tc.label, tc.value, m, ok, tc.want)
		}
	}
}
