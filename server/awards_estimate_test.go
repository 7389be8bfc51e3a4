package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
)

// counselToken adds a counsel account and returns a session token.
func counselToken(t *testing.T, ts *testServer) string {
	t.Helper()
	ctx := context.Background()
	_, uri, err := ts.deps.Staff.AddUser(ctx, 0, "counsel@example.org", casework.RoleCounsel, staffPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(uri)
	code, _ := casework.TOTPCode(u.Query().Get("secret"), time.Now())
	token, _, err := ts.deps.Staff.Login(ctx, "counsel@example.org", staffPassword, code)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestAwardsEstimatePage renders the estimator as counsel, without
// JavaScript: the form, then server-side results.
func TestAwardsEstimatePage(t *testing.T) {
	ts := newTestServer(t)
	token := counselToken(t, ts)
	get := func(query string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/awards/estimate"+query, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return ts.do("casework", r)
	}
	for _, tc := range []struct {
		name, query string
		status      int
		want, not   []string
	}{
		{"Form", "", 200, []string{`<form class="cw-form cw-estimate" method="get" action="/awards/estimate">`, `value="doj-pilot"`, `value="bis-hr6322"`, `href="/awards/estimate">Estimator</a>`}, []string{"<script", "Reasons"}},
		{"SEC with split, presumption and deadlines",
			"?program=sec&ordered=2%2C000%2C000&collected=1500000&claimants=2&notice=2026-01-15&final_order=2026-03-01", 200,
			[]string{"<strong>Eligible</strong>", "$150,000.00 to $450,000.00", "$75,000.00", "50%", "Presumption", "Form WB-APP award application: due <strong>2026-04-15</strong>",
				"2026-05-30", "17 CFR 240.21F-10(b)", "Rules verified</dt><dd>2026-11-29", `value="sec" selected`, "Convicted of a criminal violation"}, nil},
		{"FinCEN excluded forfeiture", "?program=fincen&ordered=5000000&collected=5000000&forfeited=9000000", 200,
			[]string{"Money that does not count", "forfeiture", "$9,000,000.00", "31 U.S.C. 5323(a)(2)(B)(i)"}, nil},
		{"Not eligible at the threshold", "?program=sec&ordered=1000000&collected=1000000", 200,
			[]string{"Not eligible", "do not exceed $1,000,000.00"}, nil},
		{"A bill", "?program=bis-s1473&collected=500000", 200, []string{"A bill, not law", "$50,000.00 to $150,000.00"}, nil},
		{"Bad amount", "?program=sec&ordered=12.345", 422, []string{`role="alert"`, "Ordered: Not an amount in dollars", `value="12.345"`}, []string{"Reasons"}},
		{"Unknown program", "?program=ofac", 422, []string{"No award program"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := get(tc.query)
			body := w.Body.String()
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d\n%.500s", w.Code, tc.status, body)
			}
			for _, s := range tc.want {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(body, s) {
					t.Errorf("page has %q", s)
				}
			}
		})
	}
}
