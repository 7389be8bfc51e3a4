package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestSameOriginStateChanges is the reproduction of issue 11's point 9: the
// mailbox login and follow-ups took posts from any site (only SameSite
// protected the cookie). Every state-changing intake route now refuses
// another site's page, and accepts the site's own forms as Tor Browser at
// Safest sends them under the no-referrer policy: "Origin: null" with
// "Sec-Fetch-Site: same-origin".
func TestSameOriginStateChanges(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	const refused = "This API answers pages of its own site only."
	form := url.Values{"codename": {"wrong wrong wrong wrong wrong wrong wrong"}}.Encode()
	routes := []struct {
		path, contentType, body string
	}{
		{"/mailbox", "application/x-www-form-urlencoded", form},
		{"/mailbox/unlock", "application/x-www-form-urlencoded", form},
		{"/mailbox/messages", "multipart/form-data; boundary=x", "--x--\r\n"},
		{"/api/v1/uploads", "application/json", `{"desk":"export-controls"}`},
	}
	cross := []map[string]string{
		{"Origin": "http://evil.example"},
		{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
		{"Origin": "null"}, // an opaque origin alone: a sandboxed frame, a data: page
		{"Origin": "null", "Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
	}
	own := []map[string]string{
		{"Origin": "null", "Sec-Fetch-Site": "same-origin"}, // Tor Browser at Safest, no-referrer
		{"Origin": "http://example.com", "Sec-Fetch-Site": "same-origin"},
		{}, // a command-line client
	}
	post := func(path, contentType, body string, h map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		return ts.do("intake", r)
	}
	for _, rt := range routes {
		for _, h := range cross {
			if w := post(rt.path, rt.contentType, rt.body, h); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), refused) {
				t.Errorf("POST %s with %v = %d, want 403 %q", rt.path, h, w.Code, refused)
			}
		}
		for _, h := range own {
			if w := post(rt.path, rt.contentType, rt.body, h); strings.Contains(w.Body.String(), refused) {
				t.Errorf("POST %s with %v refused as cross-site (%d)", rt.path, h, w.Code)
			}
		}
	}
}
