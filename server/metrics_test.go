package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// scrape reads /metrics from a listener with Prometheus's own text parser.
func scrape(t *testing.T, ts *testServer, listener string) map[string]*dto.MetricFamily {
	t.Helper()
	w := ts.get(listener, "/metrics")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics on %s = %d\n%s", listener, w.Code, w.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(w.Body)
	if err != nil {
		t.Fatalf("the scrape does not parse: %v", err)
	}
	return families
}

// sample finds the one sample of a family whose labels include want; ok is
// false when there is none.
func sample(families map[string]*dto.MetricFamily, name string, want map[string]string) (*dto.Metric, bool) {
	f := families[name]
	if f == nil {
		return nil, false
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		return m, true
	}
	return nil, false
}

// value is a counter's or gauge's value, or a histogram's count.
func value(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetHistogram() != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return -1
}

// TestMetrics scrapes /metrics after real requests: a tip committed
// without JavaScript, an upload session opened, a tip refused because the
// hour's byte budget is spent (503), a login guess delayed (429) and a
// probe of /metrics on the intake listener (404). Casework requests show
// at once; intake requests, the hour's submissions per desk and the open
// sessions show only once the hour has ended, and no label carries an id
// or a desk slug except the hourly submissions' desk.
func TestMetrics(t *testing.T) {
	onBothBackends(t, func(t *testing.T, ts *testServer) {
		ts.deps.Config.MaxFormUpload = 1 << 20
		addGPGKey(t, ts)
		hour := time.Now().UTC().Truncate(time.Hour)
		now := hour.Add(30 * time.Minute)
		ts.intake.Now = func() time.Time { return now }

		submit := func() int {
			ctype, body := multipartBody(t, noJSForm("invoice row"))
			r := httptest.NewRequest(http.MethodPost, "/desk/"+intake.DefaultDeskSlug+"/submit", body)
			r.Header.Set("Content-Type", ctype)
			return ts.do("intake", r).Code
		}
		if code := submit(); code != http.StatusOK {
			t.Fatalf("submit = %d", code)
		}
		upload := newUpload(t, ts, intake.MinChunkSize)
		ts.intake.Limits.CommittedBytesPerHour = 1 // spent by the tip above
		if code := submit(); code != http.StatusServiceUnavailable {
			t.Fatalf("submit over the hour's byte budget = %d, want 503", code)
		}
		if w := ts.get("intake", "/metrics"); w.Code != http.StatusNotFound {
			t.Errorf("GET /metrics on the intake listener = %d, want 404", w.Code)
		}
		if _, _, err := ts.deps.Staff.AddUser(context.Background(), 0, "ana@example.org", casework.RoleInvestigator, staffPassword, []string{intake.DefaultDeskSlug}); err != nil {
			t.Fatal(err)
		}
		ts.deps.Staff.Delay = casework.LoginDelay{Free: 1, First: time.Hour, Max: time.Hour, Forget: 24 * time.Hour}
		for _, want := range []int{http.StatusUnauthorized, http.StatusTooManyRequests} {
			if w := ts.postLogin("ana@example.org", "a guess", ""); w.Code != want {
				t.Fatalf("login guess = %d, want %d", w.Code, want)
			}
		}
		janitorDone, cancel := context.WithCancel(context.Background())
		ts.intake.Swept = func(r intake.JanitorReport, err error) { ts.CountJanitorSweep(r, err); cancel() }
		ts.intake.RunJanitor(janitorDone, time.Hour)

		inHour := scrape(t, ts, "casework")
		now = now.Add(time.Hour) // the hour of every intake request above has ended
		later := scrape(t, ts, "casework")

		intakeSubmit := map[string]string{"listener": "intake", "method": "POST", "route": "/desk/:slug/submit"}
		withLabel := func(labels map[string]string, k, v string) map[string]string {
			out := map[string]string{k: v}
			for key, val := range labels {
				out[key] = val
			}
			return out
		}
		for _, tc := range []struct {
			name     string
			scrape   map[string]*dto.MetricFamily
			family   string
			labels   map[string]string
			want     float64 // -1: no such sample
			atLeast  bool
			whatItIs string
		}{
			{"LoginRefused", inHour, "tipline_http_requests_total", map[string]string{"listener": "casework", "method": "POST", "route": "/api/v1/session", "code": "429"}, 1, false, "a casework 429 shows at once"},
			{"LoginRefusal", inHour, "tipline_http_refusals_total", map[string]string{"listener": "casework", "route": "/api/v1/session", "reason": "rate_limited"}, 1, false, "the rate-limit refusal"},
			{"LoginLatency", inHour, "tipline_http_request_duration_seconds", map[string]string{"listener": "casework", "method": "POST", "route": "/api/v1/session"}, 2, false, "both logins timed"},
			{"IntakeHeld", inHour, "tipline_http_requests_total", withLabel(intakeSubmit, "code", "200"), -1, false, "intake requests held until their hour ends"},
			{"IntakeProbeHeld", inHour, "tipline_http_requests_total", map[string]string{"listener": "intake", "route": "unmatched"}, -1, false, "the intake probe held too"},
			{"NoSubmissionsLastHour", inHour, "tipline_submissions_last_hour", map[string]string{"desk": intake.DefaultDeskSlug}, 0, false, "the hour before had no tip"},
			{"SessionsOpen", inHour, "tipline_upload_sessions_open", nil, 1, false, "read at the hour's first scrape"},
			{"BudgetFull", inHour, "tipline_storage_budget_full", map[string]string{"budget": "committed"}, 1, false, "as /readyz says"},
			{"PendingNotFull", inHour, "tipline_storage_budget_full", map[string]string{"budget": "pending"}, 0, false, "no pending budget"},
			{"DatabaseUp", inHour, "tipline_dependency_up", map[string]string{"component": "database"}, 1, false, "the database answers"},
			{"BlobStoreUp", inHour, "tipline_dependency_up", map[string]string{"component": "blob store"}, 1, false, "the blob store answers"},
			{"NoPingFailed", inHour, "tipline_dependency_failures_total", map[string]string{"component": "database"}, 0, false, "no failed ping"},
			{"JanitorRan", inHour, "tipline_janitor_runs_total", map[string]string{"result": "ok"}, 1, false, "one sweep"},
			{"JanitorRemovedNothing", inHour, "tipline_janitor_blobs_total", map[string]string{"action": "removed"}, 0, false, "nothing abandoned yet"},
			{"GoRuntime", inHour, "go_goroutines", nil, 1, true, "the Go collector"},

			{"IntakeTip", later, "tipline_http_requests_total", withLabel(intakeSubmit, "code", "200"), 1, false, "the committed tip's request, after its hour"},
			{"IntakeRefused", later, "tipline_http_requests_total", withLabel(intakeSubmit, "code", "503"), 1, false, "the refused tip's request"},
			{"IntakeRefusal", later, "tipline_http_refusals_total", map[string]string{"listener": "intake", "route": "/desk/:slug/submit", "reason": "storage_full"}, 1, false, "a budget refusal, told from an outage"},
			{"IntakeLatency", later, "tipline_http_request_duration_seconds", intakeSubmit, 2, false, "both tips timed"},
			{"UploadOpened", later, "tipline_http_requests_total", map[string]string{"listener": "intake", "method": "POST", "route": "/api/v1/uploads", "code": "201"}, 1, false, "the upload session's request"},
			{"IntakeProbe", later, "tipline_http_requests_total", map[string]string{"listener": "intake", "method": "GET", "route": "unmatched", "code": "404"}, 1, false, "/metrics is no route of the intake"},
			{"SubmissionsLastHour", later, "tipline_submissions_last_hour", map[string]string{"desk": intake.DefaultDeskSlug}, 1, false, "the hour's one committed tip"},
			{"CommittedBytesLastHour", later, "tipline_committed_bytes_last_hour", nil, 1, true, "the tip's bytes"},
			{"SessionsStillOpen", later, "tipline_upload_sessions_open", nil, 1, false, "read again in the new hour"},
			{"BudgetFreeAgain", later, "tipline_storage_budget_full", map[string]string{"budget": "committed"}, 0, false, "a new hour, a new budget"},
			{"CaseworkKept", later, "tipline_http_requests_total", map[string]string{"listener": "casework", "route": "/api/v1/session", "code": "429"}, 1, false, "counters keep counting"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				m, ok := sample(tc.scrape, tc.family, tc.labels)
				switch {
				case tc.want < 0 && ok:
					t.Errorf("%s%v = %v, want no sample (%s)", tc.family, tc.labels, value(m), tc.whatItIs)
				case tc.want < 0:
				case !ok:
					t.Errorf("%s%v: no sample (%s)", tc.family, tc.labels, tc.whatItIs)
				case tc.atLeast && value(m) < tc.want, !tc.atLeast && value(m) != tc.want:
					t.Errorf("%s%v = %v, want %v (%s)", tc.family, tc.labels, value(m), tc.want, tc.whatItIs)
				}
			})
		}

		// No label names an upload, a submission or a desk, but for the
		// desk of the hourly submission counts.
		for _, families := range []map[string]*dto.MetricFamily{inHour, later} {
			for name, f := range families {
				for _, m := range f.GetMetric() {
					for _, l := range m.GetLabel() {
						v := l.GetValue()
						if strings.Contains(v, upload.ID) || (strings.Contains(v, intake.DefaultDeskSlug) && name != "tipline_submissions_last_hour") {
							t.Errorf("%s has the label %s=%q", name, l.GetName(), v)
						}
					}
				}
			}
		}
	})
}

// TestMetricsOwnListener serves /metrics on TIPLINE_METRICS_ADDR alone:
// then neither the casework nor the intake listener has it.
func TestMetricsOwnListener(t *testing.T) {
	ts := newTestServer(t)
	ts.deps.Config.MetricsAddr = "127.0.0.1:0"
	rebuild(t, ts)
	for _, tc := range []struct {
		listener string
		want     int
	}{
		{"metrics", http.StatusOK},
		{"casework", http.StatusNotFound},
		{"intake", http.StatusNotFound},
	} {
		if w := ts.get(tc.listener, "/metrics"); w.Code != tc.want {
			t.Errorf("GET /metrics on %s = %d, want %d", tc.listener, w.Code, tc.want)
		}
	}
	if families := scrape(t, ts, "metrics"); families["tipline_dependency_up"] == nil {
		t.Error("the metrics listener's scrape has no tipline_dependency_up")
	}
}
