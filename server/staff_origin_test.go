package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tipline/tipline/casework"
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

// TestLinkFormOrigin: the forms of the setup and invitation links take
// the login form's guard. "Origin: null" without fetch metadata (a LAN
// name over plain http) is accepted on the first form and on the
// confirmation after it when the form repeats the token its page set, and
// refused with an HTML page otherwise. The enrolment page carries the
// token on to the confirmation.
func TestLinkFormOrigin(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	setup, err := ts.deps.Onboarding.SetupToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, link := range []struct {
		name string
		open func(t *testing.T) string // the link's path
		form url.Values                // a good first form
	}{
		{"setup", func(*testing.T) string { return "/setup/" + setup },
			url.Values{"email": {"root@example.org"}, "password": {staffPassword}}},
		{"invitation", func(t *testing.T) string {
			admin, csrf := adminSession(t, ts, "root@example.org", casework.RoleAdmin, nil)
			res := postForm(ts, "/admin/staff/invite", admin, url.Values{"email": {"cy@example.org"}, "role": {"counsel"}, "csrf": {csrf}})
			path := between(readBody(t, res), `id="invite-url">`, "<")
			if res.StatusCode != http.StatusOK || !strings.Contains(path, "/invite/") {
				t.Fatalf("invite = %d, link %q", res.StatusCode, path)
			}
			return path[strings.Index(path, "/invite/"):]
		}, url.Values{"email": {"cy@example.org"}, "password": {staffPassword}}},
	} {
		t.Run(link.name, func(t *testing.T) {
			path := link.open(t)
			page := ts.get("casework", path)
			var cookie *http.Cookie
			for _, c := range page.Result().Cookies() {
				if c.Name == formCookie {
					cookie = c
				}
			}
			if page.Code != http.StatusOK || cookie == nil || cookie.Path != path || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode ||
				!strings.Contains(page.Body.String(), `name="csrf" value="`+cookie.Value+`"`) {
				t.Fatalf("GET %s = %d: form token cookie %+v, or it is not in the form", path, page.Code, cookie)
			}
			withCookie := func(h map[string]string) http.Header {
				out := http.Header{"Cookie": {formCookie + "=" + cookie.Value}}
				for k, v := range h {
					out.Set(k, v)
				}
				return out
			}
			without := func(h map[string]string) http.Header {
				out := http.Header{}
				for k, v := range h {
					out.Set(k, v)
				}
				return out
			}
			for _, tt := range []struct {
				name        string
				header      http.Header
				field       string
				wantRefused bool
			}{
				{"null origin, no fetch metadata, token", withCookie(map[string]string{"Origin": "null"}), cookie.Value, false},
				{"null origin, no fetch metadata, no token", withCookie(map[string]string{"Origin": "null"}), "", true},
				{"null origin, no fetch metadata, no cookie", without(map[string]string{"Origin": "null"}), cookie.Value, true},
				{"null origin, no fetch metadata, wrong token", withCookie(map[string]string{"Origin": "null"}), "0123", true},
				{"null origin, same-origin", without(map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}), "", false},
				{"null origin, cross-site", withCookie(map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}), cookie.Value, true},
				{"another origin", withCookie(map[string]string{"Origin": "http://evil.example"}), cookie.Value, true},
				{"a command-line client", nil, "", false},
			} {
				// Accepted, each form answers 422: a short password, an
				// enrolment that does not open.
				for target, form := range map[string]url.Values{
					path:              {"email": link.form["email"], "password": {"short"}, "csrf": {tt.field}},
					path + "/confirm": {"enrolment": {"x"}, "totp": {"000000"}, "csrf": {tt.field}},
				} {
					t.Run(tt.name+" "+strings.TrimPrefix(target, path), func(t *testing.T) {
						res := postLink(ts, target, form, tt.header)
						body := readBody(t, res)
						refused := res.StatusCode == http.StatusForbidden
						if refused != tt.wantRefused || (!refused && res.StatusCode != http.StatusUnprocessableEntity) {
							t.Fatalf("= %d, want refused %v (else 422)\n%.400s", res.StatusCode, tt.wantRefused, body)
						}
						if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, "<title>") {
							t.Errorf("answer is %q, want an HTML page", ct)
						}
						if refused && !strings.Contains(body, errForeignForm.Message) {
							t.Errorf("refusal does not say why:\n%.600s", body)
						}
					})
				}
			}
			form := url.Values{"csrf": {cookie.Value}}
			for k, v := range link.form {
				form[k] = v
			}
			res := postLink(ts, path, form, withCookie(map[string]string{"Origin": "null"}))
			if body := readBody(t, res); res.StatusCode != http.StatusOK || !strings.Contains(body, `action="`+path+`/confirm"`) ||
				!strings.Contains(body, `name="csrf" value="`+cookie.Value+`"`) {
				t.Errorf("the good form = %d; the enrolment page must post the form token to the confirmation:\n%.2000s", res.StatusCode, body)
			}
		})
	}
}

// TestInvitationLinkAddress: the invitation link is on TIPLINE_CASEWORK_URL
// when the operator set it, and otherwise on the address and scheme the
// admin's browser used; either way it opens.
func TestInvitationLinkAddress(t *testing.T) {
	ts := newTestServer(t)
	admin, csrf := adminSession(t, ts, "root@example.org", casework.RoleAdmin, nil)
	defaultURL := ts.deps.Config.Notify.CaseworkURL
	for i, tt := range []struct {
		name string
		url  string // TIPLINE_CASEWORK_URL; "": not set
		tls  bool
		want string
	}{
		{"not set, plain http by a LAN name", "", false, "http://casework.lan:8081/invite/"},
		{"not set, TLS", "", true, "https://casework.lan:8081/invite/"},
		{"set", "https://casework.example.org", false, "https://casework.example.org/invite/"},
		{"set, under a path", "https://example.org/casework", true, "https://example.org/casework/invite/"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts.deps.Config.Notify.CaseworkURL, ts.deps.Config.Notify.CaseworkURLSet = defaultURL, false
			if tt.url != "" {
				ts.deps.Config.Notify.CaseworkURL, ts.deps.Config.Notify.CaseworkURLSet = tt.url, true
			}
			form := url.Values{"email": {fmt.Sprintf("invitee%d@example.org", i)}, "role": {"counsel"}, "csrf": {csrf}}
			r, _ := http.NewRequest(http.MethodPost, "/admin/staff/invite", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Host = "casework.lan:8081"
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			r.AddCookie(admin)
			w := ts.do("casework", r)
			link := between(w.Body.String(), `id="invite-url">`, "<")
			if w.Code != http.StatusOK || !strings.HasPrefix(link, tt.want) {
				t.Fatalf("invite = %d, link %q, want it to start with %q", w.Code, link, tt.want)
			}
			if page := ts.get("casework", "/invite/"+strings.TrimPrefix(link, tt.want)); page.Code != http.StatusOK {
				t.Errorf("the link's page = %d", page.Code)
			}
		})
	}
}
