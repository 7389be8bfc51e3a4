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

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/casework"
)

const staffPassword = "correct horse battery"

// newStaffTestServer is newTestServer with a staff service (fast password
// hashing) and one investigator, whose TOTP secret it returns.
func newStaffTestServer(t *testing.T) (*testServer, string) {
	t.Helper()
	ts := newTestServer(t)
	_, uri, err := ts.deps.Staff.AddUser(context.Background(), 0, "ana@example.org", casework.RoleInvestigator, staffPassword, []string{"export-controls"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	return ts, u.Query().Get("secret")
}

// caseworkEngine returns the casework listener's engine, to add test routes.
func (ts *testServer) caseworkEngine(t *testing.T) *gin.Engine {
	t.Helper()
	for _, l := range ts.listeners {
		if l.name == "casework" {
			return l.http.Handler.(*gin.Engine)
		}
	}
	t.Fatal("no casework listener")
	return nil
}

type loginResponse struct {
	Token   string    `json:"token"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

// login posts to /api/v1/session and returns the response and the cookie.
func (ts *testServer) login(t *testing.T, secret string) (loginResponse, *http.Cookie) {
	t.Helper()
	code, err := casework.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body := `{"email":"ana@example.org","password":"` + staffPassword + `","totp":"` + code + `"}`
	r := httptest.NewRequest(http.MethodPost, "/api/v1/session", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := ts.do("casework", r)
	if w.Code != http.StatusCreated {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	var resp loginResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != "tipline_session" || cookies[0].Value != resp.Token {
		t.Fatalf("cookies %v", cookies)
	}
	c := cookies[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not Secure without TLS", c)
	}
	return resp, c
}

func TestLoginAPI(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	resp, _ := ts.login(t, secret)
	if resp.Token == "" || resp.CSRF == "" || time.Until(resp.Expires) < 11*time.Hour {
		t.Errorf("response %+v", resp)
	}
	t.Run("ErrWrongPassword", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/session",
			strings.NewReader(`{"email":"ana@example.org","password":"wrong password!","totp":"123456"}`))
		r.Header.Set("Content-Type", "application/json")
		w := ts.do("casework", r)
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "Wrong email, password or code.") {
			t.Errorf("got %d %s", w.Code, w.Body)
		}
	})
	t.Run("WhoAmI", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/session", nil)
		r.Header.Set("Authorization", "Bearer "+resp.Token)
		w := ts.do("casework", r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"role":"investigator"`) ||
			!strings.Contains(w.Body.String(), `"desks":["export-controls"]`) {
			t.Errorf("got %d %s", w.Code, w.Body)
		}
	})
}

func TestLoginTLSCookie(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	code, _ := casework.TOTPCode(secret, time.Now())
	r := httptest.NewRequest(http.MethodPost, "https://casework.example/api/v1/session",
		strings.NewReader(`{"email":"ana@example.org","password":"`+staffPassword+`","totp":"`+code+`"}`))
	r.Header.Set("Content-Type", "application/json")
	w := ts.do("casework", r)
	if w.Code != http.StatusCreated {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	if c := w.Result().Cookies(); len(c) != 1 || !c[0].Secure {
		t.Errorf("cookie over TLS is not Secure: %v", c)
	}
}

// TestStaffRoutesNeedSession checks that every route behind requireStaff
// answers 401 without a session and with a bad one.
func TestStaffRoutesNeedSession(t *testing.T) {
	ts, _ := newStaffTestServer(t)
	for _, route := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/session"},
		{http.MethodDelete, "/api/v1/session"},
		{http.MethodPost, "/api/v1/password"},
	} {
		for name, auth := range map[string]string{"None": "", "BadBearer": "Bearer nope", "Basic": "Basic YTpi"} {
			t.Run(route.method+route.path+"/"+name, func(t *testing.T) {
				r := httptest.NewRequest(route.method, route.path, strings.NewReader("{}"))
				r.Header.Set("Content-Type", "application/json")
				if auth != "" {
					r.Header.Set("Authorization", auth)
				}
				w := ts.do("casework", r)
				if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), `"unauthenticated"`) {
					t.Errorf("got %d %s, want 401", w.Code, w.Body)
				}
			})
		}
	}
}

func TestCSRF(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	resp, cookie := ts.login(t, secret)
	change := func(mod func(r *http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/password",
			strings.NewReader(`{"old":"`+staffPassword+`","new":"`+staffPassword+`"}`))
		r.Header.Set("Content-Type", "application/json")
		mod(r)
		return ts.do("casework", r)
	}
	t.Run("ErrCookieWithoutHeader", func(t *testing.T) {
		w := change(func(r *http.Request) { r.AddCookie(cookie) })
		if w.Code != http.StatusForbidden {
			t.Errorf("got %d %s, want 403", w.Code, w.Body)
		}
	})
	t.Run("ErrCookieWrongHeader", func(t *testing.T) {
		w := change(func(r *http.Request) { r.AddCookie(cookie); r.Header.Set("X-CSRF-Token", resp.CSRF+"x") })
		if w.Code != http.StatusForbidden {
			t.Errorf("got %d %s, want 403", w.Code, w.Body)
		}
	})
	t.Run("OKCookieWithHeader", func(t *testing.T) {
		w := change(func(r *http.Request) { r.AddCookie(cookie); r.Header.Set("X-CSRF-Token", resp.CSRF) })
		if w.Code != http.StatusNoContent {
			t.Errorf("got %d %s, want 204", w.Code, w.Body)
		}
	})
	t.Run("OKBearer", func(t *testing.T) {
		w := change(func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+resp.Token) })
		if w.Code != http.StatusNoContent {
			t.Errorf("got %d %s, want 204", w.Code, w.Body)
		}
	})
	t.Run("OKCookieGet", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/session", nil)
		r.AddCookie(cookie)
		if w := ts.do("casework", r); w.Code != http.StatusOK {
			t.Errorf("got %d %s, want 200", w.Code, w.Body)
		}
	})
	t.Run("Logout", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodDelete, "/api/v1/session", nil)
		r.AddCookie(cookie)
		r.Header.Set("X-CSRF-Token", resp.CSRF)
		w := ts.do("casework", r)
		if w.Code != http.StatusNoContent {
			t.Fatalf("got %d %s, want 204", w.Code, w.Body)
		}
		r = httptest.NewRequest(http.MethodGet, "/api/v1/session", nil)
		r.Header.Set("Authorization", "Bearer "+resp.Token)
		if w := ts.do("casework", r); w.Code != http.StatusUnauthorized {
			t.Errorf("after logout: %d, want 401", w.Code)
		}
	})
}

func TestRequireStaffRole(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	resp, _ := ts.login(t, secret)
	ts.caseworkEngine(t).GET("/test/auditors-only", ts.requireStaff(auditors), func(c *gin.Context) {
		c.String(http.StatusOK, ts.staff(c).Email)
	})
	r := httptest.NewRequest(http.MethodGet, "/test/auditors-only", nil)
	r.Header.Set("Authorization", "Bearer "+resp.Token)
	if w := ts.do("casework", r); w.Code != http.StatusForbidden {
		t.Errorf("investigator on an auditor route: %d, want 403", w.Code)
	}
}
