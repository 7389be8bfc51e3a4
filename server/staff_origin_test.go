package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLoginFormOrigin: the login form posted under the no-referrer policy
// without fetch metadata ("Origin: null" alone, as browsers send it to a
// casework listener reached over plain http by a LAN name) is accepted
// when it repeats the form token of its page, and refused with an HTML
// page otherwise; the fetch-metadata cases stay as they were.
func TestLoginFormOrigin(t *testing.T) {
	ts, _ := newStaffTestServer(t)
	page := ts.get("casework", "/login")
	var cookie *http.Cookie
	for _, c := range page.Result().Cookies() {
		if c.Name == formCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || !strings.Contains(page.Body.String(), `name="csrf" value="`+cookie.Value+`"`) {
		t.Fatalf("GET /login: form token cookie %+v, or it is not in the form", cookie)
	}
	for _, tt := range []struct {
		name        string
		header      map[string]string
		field       string
		sendCookie  bool
		wantRefused bool
	}{
		{"null origin, no fetch metadata, token", map[string]string{"Origin": "null"}, cookie.Value, true, false},
		{"null origin, no fetch metadata, no token", map[string]string{"Origin": "null"}, "", true, true},
		{"null origin, no fetch metadata, no cookie", map[string]string{"Origin": "null"}, cookie.Value, false, true},
		{"null origin, no fetch metadata, wrong token", map[string]string{"Origin": "null"}, "0123", true, true},
		{"null origin, same-origin", map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}, "", false, false},
		{"null origin, cross-site", map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}, cookie.Value, true, true},
		{"another origin", map[string]string{"Origin": "http://evil.example"}, cookie.Value, true, true},
		{"a command-line client", nil, "", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"email": {"ana@example.org"}, "password": {"wrong password!"}, "totp": {"000000"}, "csrf": {tt.field}}
			r, _ := http.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if tt.sendCookie {
				r.AddCookie(cookie)
			}
			w := ts.do("casework", r)
			refused := w.Code == http.StatusForbidden
			if refused != tt.wantRefused {
				t.Fatalf("= %d, refused %v, want %v\n%.400s", w.Code, refused, tt.wantRefused, w.Body)
			}
			if !refused && w.Code != http.StatusUnauthorized {
				t.Errorf("= %d, want the login page again with 401 (wrong password)", w.Code)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(w.Body.String(), "<title>") {
				t.Errorf("answer is %q, want an HTML page", ct)
			}
			if refused && !strings.Contains(w.Body.String(), errForeignForm.Message) {
				t.Errorf("refusal does not say why:\n%.600s", w.Body)
			}
		})
	}
}
