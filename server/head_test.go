package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestHeadWhereverGet is issue 15's point 8 ("HEAD / answers 405"): every
// GET route of both listeners answers HEAD with the status and headers of
// its GET and no body, without a session and with a staff member's. And
// no page route answers an error as JSON (point 4).
func TestHeadWhereverGet(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	_, staffCookie := ts.login(t, secret)
	notPages := map[string]bool{"/healthz": true, "/readyz": true, "/static/*path": true} // JSON or files by design
	for _, l := range ts.listeners {
		routes := l.http.Handler.(*gin.Engine).Routes()
		for _, rt := range routes {
			if rt.Method != http.MethodGet {
				continue
			}
			target := concretePath(rt.Path)
			for _, cookie := range []*http.Cookie{nil, staffCookie} {
				if cookie != nil && l.name != "casework" {
					continue
				}
				send := func(method string) *httptest.ResponseRecorder {
					r := httptest.NewRequest(method, target, nil)
					if cookie != nil {
						r.AddCookie(cookie)
					}
					return ts.do(l.name, r)
				}
				get, head := send(http.MethodGet), send(http.MethodHead)
				if head.Code != get.Code || head.Body.Len() != 0 ||
					head.Header().Get("Content-Type") != get.Header().Get("Content-Type") ||
					head.Header().Get("Location") != get.Header().Get("Location") {
					t.Errorf("%s HEAD %s (session %v) = %d %q, %d bytes; GET = %d %q",
						l.name, target, cookie != nil, head.Code, head.Header().Get("Content-Type"), head.Body.Len(),
						get.Code, get.Header().Get("Content-Type"))
				}
				if get.Code >= 400 && !strings.HasPrefix(rt.Path, "/api/") && !notPages[rt.Path] &&
					!strings.HasPrefix(get.Header().Get("Content-Type"), "text/html") {
					t.Errorf("%s GET %s = %d as %q, want an HTML page", l.name, target, get.Code, get.Header().Get("Content-Type"))
				}
			}
		}
	}
	// Paths no route serves, and the root, which used to answer 405.
	for _, l := range []string{"intake", "casework"} {
		for _, target := range []string{"/", "/no-such-page"} {
			get := ts.do(l, httptest.NewRequest(http.MethodGet, target, nil))
			head := ts.do(l, httptest.NewRequest(http.MethodHead, target, nil))
			if head.Code != get.Code || head.Body.Len() != 0 {
				t.Errorf("%s HEAD %s = %d (%d bytes), GET = %d", l, target, head.Code, head.Body.Len(), get.Code)
			}
		}
	}
	// The access log names the method the client sent.
	if !strings.Contains(ts.log.String(), `"method":"HEAD","route":"/"`) {
		t.Error(`no access log line says "HEAD /"`)
	}
}

// concretePath fills a route pattern's parameters with a value that names
// nothing.
func concretePath(pattern string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = "x"
		}
	}
	return strings.Join(parts, "/")
}
