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
	token, _ := staffSession(t, ts, "counsel@example.org", casework.RoleCounsel, nil)
	return token
}

// staffSession adds a staff account and returns a session token and the
// principal the services see.
func staffSession(t *testing.T, ts *testServer, email string, role casework.Role, desks []string) (string, casework.Principal) {
	t.Helper()
	ctx := context.Background()
	_, uri, err := ts.deps.Staff.AddUser(ctx, 0, email, role, staffPassword, desks)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(uri)
	code, _ := casework.TOTPCode(u.Query().Get("secret"), time.Now())
	token, _, err := ts.deps.Staff.Login(ctx, email, staffPassword, code)
	if err != nil {
		t.Fatal(err)
	}
	user, err := ts.deps.Staff.Store.UserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	return token, casework.Principal{UserID: user.ID, Email: user.Email, Role: user.Role, Desks: user.Desks}
}

// call sends an API request with a session token; a body that is not
// JSON is sent as text.
func call(t *testing.T, ts *testServer, token, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if strings.HasPrefix(body, "{") {
		r.Header.Set("Content-Type", "application/json")
	} else if body != "" {
		r.Header.Set("Content-Type", "text/plain")
	}
	r.Header.Set("Authorization", "Bearer "+token)
	return ts.do("casework", r)
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
				"Form WB-APP for a related action: due <strong>2026-04-15</strong>", "17 CFR 240.21F-10(b)", "Rules verified</dt><dd>2026-12-06", `value="sec" selected`, "Convicted of a criminal violation"}, nil},
		// 17 CFR 240.21F-11(b): a related final order after the covered
		// deadline is claimed 90 days after that order.
		{"SEC related order after the covered deadline", "?program=sec&ordered=2000000&collected=1500000&notice=2026-01-15&final_order=2026-05-01", 200,
			[]string{"Form WB-APP award application: due <strong>2026-04-15</strong>", "Form WB-APP for a related action: due <strong>2026-07-30</strong>"}, nil},
		{"FinCEN excluded forfeiture", "?program=fincen&ordered=5000000&collected=5000000&forfeited=9000000", 200,
			[]string{"Money that does not count", "forfeiture", "$9,000,000.00", "31 U.S.C. 5323(a)(2)(B)(i)"}, nil},
		{"Not eligible at the threshold", "?program=sec&ordered=1000000&collected=1000000", 200,
			[]string{"Not eligible", "do not exceed $1,000,000.00"}, nil},
		{"A bill", "?program=bis-s1473&collected=500000", 200, []string{"A bill, not law", "$50,000.00 to $150,000.00"}, nil},
		// Issue 13: unverified figures print as unverified where they are used.
		{"IRS net of sequestration", "?program=irs&amount_in_dispute=3000000&collected=1000000", 200,
			[]string{"After sequestration of", "Warnings", "unverified"}, nil},
		{"FCA scenarios while intervention is undecided", "?program=fca&collected=10000000&public_disclosure=1", 200,
			[]string{"Scenarios", "$0.00 to $3,000,000.00", "Public-disclosure bar", "$1,000,000.00"}, nil},
		{"DOJ pilot brackets unverified", "?program=doj-pilot&forfeited=300000000", 200,
			[]string{"$0.00 to $40,000,000.00", `<span class="cw-label">unverified</span> Unverified figure used`}, nil},
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

// otherFirst returns id with its first character changed, to forge a
// receipt for another submission.
func otherFirst(id string) string {
	if id[0] == 'a' {
		return "b" + id[1:]
	}
	return "a" + id[1:]
}
