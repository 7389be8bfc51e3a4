package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
)

// loginForm posts the login page's form as a browser without JavaScript.
func loginForm(ts *testServer, email, password, code string, header http.Header) *http.Response {
	form := url.Values{"email": {email}, "password": {password}, "totp": {code}}
	r, _ := http.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		r.Header[k] = v
	}
	return ts.do("casework", r).Result()
}

// TestStaffPagesWithoutJavaScript: staff log in with the plain form, land
// on their role's start page and log out; the auditor reads the log and
// has its chain checked, which finds a tampered entry.
func TestStaffPagesWithoutJavaScript(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	code, _ := casework.TOTPCode(secret, time.Now())

	if res := loginForm(ts, "ana@example.org", "not the password", code, nil); res.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(readBody(t, res), casework.ErrLoginFailed.Message) || len(res.Cookies()) != 0 {
		t.Errorf("a wrong password = %d, cookies %v", res.StatusCode, res.Cookies())
	}
	cross := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	if res := loginForm(ts, "ana@example.org", staffPassword, code, cross); res.StatusCode != http.StatusForbidden || len(res.Cookies()) != 0 {
		t.Errorf("a login posted from another site = %d, cookies %v", res.StatusCode, res.Cookies())
	}
	res := loginForm(ts, "ana@example.org", staffPassword, code, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/home" || len(res.Cookies()) != 1 {
		t.Fatalf("login = %d %q, cookies %v", res.StatusCode, res.Header.Get("Location"), res.Cookies())
	}
	cookie := res.Cookies()[0]
	if w := getWithCookie(ts, "/home", cookie); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/queue" {
		t.Errorf("an investigator's home = %d %q", w.Code, w.Header().Get("Location"))
	}
	page := getWithCookie(ts, "/queue", cookie).Body.String()
	csrf := regexpCSRF(t, page)
	if res := postForm(ts, "/logout", cookie, url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Errorf("log out = %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if w := getWithCookie(ts, "/queue", cookie); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Errorf("the queue after logging out = %d %q", w.Code, w.Header().Get("Location"))
	}

	for _, start := range []struct {
		role casework.Role
		home string
	}{{casework.RoleCounsel, "/claims"}, {casework.RoleAuditor, "/audit"}} { // the auditor last
		role, home := start.role, start.home
		email := string(role) + "@example.org"
		_, uri, err := ts.deps.Staff.AddUser(ctx, 0, email, role, staffPassword, nil)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(uri)
		code, _ := casework.TOTPCode(u.Query().Get("secret"), time.Now())
		res := loginForm(ts, email, staffPassword, code, nil)
		if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) != 1 {
			t.Fatalf("%s login = %d", role, res.StatusCode)
		}
		cookie = res.Cookies()[0]
		if w := getWithCookie(ts, "/home", cookie); w.Header().Get("Location") != home {
			t.Errorf("%s's home = %q, want %s", role, w.Header().Get("Location"), home)
		}
	}

	// The auditor (the last login) reads the log and checks its chain.
	w := getWithCookie(ts, "/audit", cookie)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "session.login") || !strings.Contains(w.Body.String(), "ana@example.org") {
		t.Fatalf("audit page = %d\n%.1000s", w.Code, w.Body)
	}
	if w := getWithCookie(ts, "/audit?verify=1", cookie); !strings.Contains(w.Body.String(), "The chain holds") {
		t.Errorf("verifying an intact log:\n%.1000s", w.Body)
	}
	ts.db.Exec("UPDATE audit_log SET target = 'someone else' WHERE seq = 2")
	if w := getWithCookie(ts, "/audit?verify=1", cookie); !strings.Contains(w.Body.String(), "The chain is broken at entry 2") {
		t.Errorf("verifying a tampered log:\n%.1000s", w.Body)
	}
}

// regexpCSRF finds the CSRF field of a staff page.
func regexpCSRF(t *testing.T, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, `name="csrf" value="`)
	if !ok {
		t.Fatal("no csrf field on the page")
	}
	token, _, _ := strings.Cut(rest, `"`)
	return token
}
