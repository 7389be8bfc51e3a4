package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// postLogin posts a login to the API and returns the response.
func (ts *testServer) postLogin(email, password, code string) *httptest.ResponseRecorder {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password, "totp": code})
	r := httptest.NewRequest(http.MethodPost, "/api/v1/session", strings.NewReader(string(b)))
	r.Header.Set("Content-Type", "application/json")
	return ts.do("casework", r)
}

// auditText returns every audit entry's payload, one per line.
func (ts *testServer) auditText(t *testing.T) string {
	t.Helper()
	entries, err := ts.deps.Staff.Store.AuditEntries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		b.Write(e.Payload)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestLoginUnderAttack drives issue 11's reproductions 6 and 7 through the
// login API and the no-JavaScript login form: a guesser who knows the
// investigator's email only delays further guesses, the investigator still
// logs in with a new code, and what a guesser sends as an email never
// reaches the audit log.
func TestLoginUnderAttack(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	// A delay long enough that the test never outlives it.
	ts.deps.Staff.Delay = casework.LoginDelay{Free: 5, First: time.Hour, Max: time.Hour, Forget: 24 * time.Hour}

	t.Run("FakeEmailsStayOutOfTheAuditLog", func(t *testing.T) {
		long := strings.Repeat("a", 900) + "@example.org" // the request limit here is 1 KiB; 20 KB by default
		for _, email := range []string{long, "forged\nentry@example.org", "mallory-probe@example.org"} {
			if w := ts.postLogin(email, "some password", "123456"); w.Code != http.StatusUnauthorized ||
				!strings.Contains(w.Body.String(), "Wrong email, password or code.") {
				t.Errorf("login as %.20q: %d %s", email, w.Code, w.Body)
			}
		}
		log := ts.auditText(t)
		for _, leak := range []string{"aaaaaaaa", "forged", "mallory"} {
			if strings.Contains(log, leak) {
				t.Errorf("the audit log holds %q:\n%s", leak, log)
			}
		}
		if !strings.Contains(log, `"target":"(unknown)"`) {
			t.Errorf("the unknown email's failure is not in the audit log:\n%s", log)
		}
	})

	t.Run("GuesserIsDelayedOwnerLogsIn", func(t *testing.T) {
		for i := range 5 {
			if w := ts.postLogin("ana@example.org", "guess number "+string(rune('a'+i)), ""); w.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d %s", i+1, w.Code, w.Body)
			}
		}
		w := ts.postLogin("ana@example.org", "another guess!", "")
		if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), `"rate_limited"`) || !strings.Contains(w.Body.String(), "Wait 3600 seconds") {
			t.Fatalf("guess during the delay: %d %s", w.Code, w.Body)
		}
		if got := w.Header().Get("Retry-After"); got != "3600" {
			t.Errorf("Retry-After during the delay = %q, want the delay's 3600 seconds", got)
		}
		// The no-JavaScript form says the same on the login page.
		form := url.Values{"email": {"ana@example.org"}, "password": {"another guess!"}, "totp": {""}}
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		if w := ts.do("casework", r); w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "Wait 3600 seconds") ||
			!strings.Contains(w.Body.String(), `name="password"`) {
			t.Errorf("login form during the delay: %d %s", w.Code, w.Body)
		}
		// The owner, with their authenticator, is not kept out.
		ts.login(t, secret)
	})
}

// TestStaffKeyProbe is reproduction 10 of issue 11 on the API: GET
// /api/v1/staff/{email}/key answers an unknown email and a staff member of
// another desk with the same 404.
func TestStaffKeyProbe(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	if _, err := store.New(ts.db).CreateDesk(ctx, intake.Desk{Slug: "sec-fraud", TitleEN: "Securities"}); err != nil {
		t.Fatal(err)
	}
	for email, desk := range map[string]string{"colleague@example.org": "export-controls", "other-desk@example.org": "sec-fraud"} {
		if _, _, err := ts.deps.Staff.AddUser(ctx, 0, email, casework.RoleInvestigator, staffPassword, []string{desk}); err != nil {
			t.Fatal(err)
		}
		pub, _, _, err := crypto.GenerateKey("Staff", email, []byte("pass"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ts.deps.Grants.SetKey(ctx, 0, email, pub); err != nil {
			t.Fatal(err)
		}
	}
	login, _ := ts.login(t, secret)
	get := func(email string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/staff/"+url.PathEscape(email)+"/key", nil)
		r.Header.Set("Authorization", "Bearer "+login.Token)
		return ts.do("casework", r)
	}
	if w := get("colleague@example.org"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Fatalf("a colleague's key: %d %s", w.Code, w.Body)
	}
	unknown, foreign := get("nobody@example.org"), get("other-desk@example.org")
	if unknown.Code != http.StatusNotFound || foreign.Code != unknown.Code || foreign.Body.String() != unknown.Body.String() {
		t.Errorf("unknown email: %d %s\nanother desk's investigator: %d %s", unknown.Code, unknown.Body, foreign.Code, foreign.Body)
	}
}
