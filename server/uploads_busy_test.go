package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/intake"
)

// TestUploadsBusyLeavesFormOpen: once the upload sessions of the
// JavaScript path are at their cap (an attacker opening sessions), a new
// one is refused as busy (503, code "busy", a minute's Retry-After), in
// the source's language, and the refusal tells the source the form
// without browser encryption still goes; and it does: a tip posted
// without JavaScript is committed.
func TestUploadsBusyLeavesFormOpen(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	ts.intake.Uploads.MaxSessions = 1
	open := func(lang intake.Lang) *httptest.ResponseRecorder {
		body, _ := json.Marshal(map[string]any{"desk": intake.DefaultDeskSlug, "size": 1000, "pow": solveUploadPow(t, ts, 1000)})
		return ts.do("intake", sourceRequest(http.MethodPost, "/api/v1/uploads?lang="+string(lang), "application/json", string(lang), bytes.NewReader(body)))
	}
	if w := open(intake.EN); w.Code != http.StatusCreated {
		t.Fatalf("the first session = %d %s", w.Code, w.Body)
	}
	for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
		w := open(lang)
		code, message := apiErrorOf(t, w)
		if w.Code != http.StatusServiceUnavailable || code != "busy" || message != intake.T(lang, "error_uploads_busy") {
			t.Errorf("%s: a session over the cap = %d %s %q, want 503 busy %q", lang, w.Code, code, message, intake.T(lang, "error_uploads_busy"))
		}
		if got := w.Header().Get("Retry-After"); got != "60" {
			t.Errorf("%s: Retry-After %q, want 60", lang, got)
		}
	}
	ctype, body := multipartBody(t, noJSForm("shipping list"))
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang=en", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `class="codename"`) {
		t.Errorf("a tip without JavaScript while the sessions are at their cap = %d, want its codename", w.Code)
	}
}

// TestRefusalReasons: the metrics tell each refusal for lack of capacity
// from the others, the cap on upload sessions included.
func TestRefusalReasons(t *testing.T) {
	for _, tc := range []struct {
		status int
		err    error
		want   string
	}{
		{http.StatusTooManyRequests, intake.ErrMailboxBusy, "rate_limited"},
		{http.StatusServiceUnavailable, intake.ErrStorageFull, "storage_full"},
		{http.StatusServiceUnavailable, intake.ErrTooManyUploads, "busy"},
		{http.StatusServiceUnavailable, tipline.Errorf(tipline.Unavailable, "The evidence store is not reachable."), "unavailable"},
		{http.StatusOK, nil, ""},
		{http.StatusRequestEntityTooLarge, intake.ErrTooManyFiles, ""},
	} {
		t.Run(fmt.Sprint(tc.want, tc.status), func(t *testing.T) {
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			if tc.err != nil {
				_ = c.Error(tc.err)
			}
			c.Writer.WriteHeader(tc.status)
			c.Writer.WriteHeaderNow()
			if got := refusalOf(c); got != tc.want {
				t.Errorf("refusalOf(%d, %v) = %q, want %q", tc.status, tc.err, got, tc.want)
			}
		})
	}
}
