package server

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// postNoJS posts a no-JavaScript form to the default desk.
func postNoJS(t *testing.T, ts *testServer, lang string, parts []formPart) *httptest.ResponseRecorder {
	t.Helper()
	ctype, body := multipartBody(t, parts)
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang="+lang, body)
	r.Header.Set("Content-Type", ctype)
	return ts.do("intake", r)
}

// TestJunkPostsLeaveDeskOpen is reproduction 1 of issue 11: one-field
// posts refused with 422, invalid multipart and bodies cut off used to
// take the hour's submission slots (120 closed a desk). Now only committed
// submissions count: after many junk posts a real tip commits and is not
// flagged as received during a flood.
func TestJunkPostsLeaveDeskOpen(t *testing.T) {
	ts := newTestServer(t)
	ts.deps.Config.MaxFormUpload = 8 << 20
	ts.intake.Limits.PerDeskPerHour, ts.intake.Limits.TotalPerHour = 5, 5
	addGPGKey(t, ts)
	for i := range 40 {
		switch i % 4 {
		case 0:
			if w := postNoJS(t, ts, "en", []formPart{{name: "violation", value: "smuggling"}}); w.Code != http.StatusUnprocessableEntity {
				t.Fatalf("junk post = %d, want 422", w.Code)
			}
		case 1:
			r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", strings.NewReader("--x\r\nnot a part"))
			r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
			if w := ts.do("intake", r); w.Code < 400 {
				t.Fatalf("invalid multipart = %d, want an error", w.Code)
			}
		case 2:
			ctype, body := multipartBody(t, noJSForm(strings.Repeat("evidence ", 10_000)))
			r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", cutReader{bytes.NewReader(body.Bytes()[:body.Len()/2])})
			r.Header.Set("Content-Type", ctype)
			if w := ts.do("intake", r); w.Code < 400 {
				t.Fatalf("cut body = %d, want an error", w.Code)
			}
		case 3:
			// A solved proof of work, then a commit of uploads that do not exist.
			pow := ts.intake.NewPowChallenge(context.Background(), intake.DefaultDeskSlug).Solve()
			req := map[string]any{"desk": intake.DefaultDeskSlug, "manifest": "aaaaaaaaaaaaaaaaaaaaaaaaaa", "pow": pow}
			if code := apiJSON(t, ts, http.MethodPost, "/api/v1/submissions", req, nil); code < 400 {
				t.Fatalf("invalid JavaScript commit = %d, want an error", code)
			}
		}
	}
	if w := postNoJS(t, ts, "en", noJSForm("rows")); w.Code != http.StatusOK {
		t.Fatalf("a real tip after junk = %d\n%s", w.Code, w.Body)
	}
	var flagged []bool
	ts.db.Raw("SELECT flood FROM submissions").Scan(&flagged)
	if len(flagged) != 1 || flagged[0] {
		t.Errorf("submissions' flood flags = %v, want one unflagged", flagged)
	}
}

// TestStorageFullSaysSo: once the hour's committed bytes reach their
// budget, the intake answers 503 with a plain message in the source's
// language, /readyz stays 200 and details the budget, and the staff start
// page shows an alert; the next hour accepts tips again.
func TestStorageFullSaysSo(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ts.deps.Config.MaxFormUpload = 8 << 20
	ts.intake.Limits.CommittedBytesPerHour = 1
	addGPGKey(t, ts)
	if w := postNoJS(t, ts, "en", noJSForm("rows")); w.Code != http.StatusOK {
		t.Fatalf("first tip = %d\n%s", w.Code, w.Body)
	}
	for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
		w := postNoJS(t, ts, string(lang), noJSForm("rows"))
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), template.HTMLEscapeString(intake.T(lang, "error_storage_full"))) {
			t.Errorf("%s: tip once storage is full = %d, want 503 with %q\n%s", lang, w.Code, intake.T(lang, "error_storage_full"), w.Body)
		}
		if got := w.Header().Get("Retry-After"); got != "3600" {
			t.Errorf("%s: Retry-After once storage is full = %q, want 3600", lang, got)
		}
	}
	var n int64
	ts.db.Raw("SELECT count(*) FROM submissions").Scan(&n)
	if n != 1 {
		t.Errorf("%d submissions, want 1", n)
	}

	for _, listener := range listeners {
		w := ts.get(listener, "/readyz")
		var body struct {
			Status      string          `json:"status"`
			StorageFull bool            `json:"storage_full"`
			Alerts      []string        `json:"alerts"`
			Budget      *intake.Budget  `json:"budget"`
			Other       json.RawMessage `json:"failing"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if w.Code != http.StatusOK || !body.StorageFull || len(body.Alerts) != 1 {
			t.Errorf("%s /readyz = %d %s, want 200 with the storage alert", listener, w.Code, w.Body)
		}
		if (body.Budget != nil) != (listener == "casework") || (body.Budget != nil && !body.Budget.CommittedFull) {
			t.Errorf("%s /readyz budget detail = %s", listener, w.Body)
		}
	}

	code, _ := casework.TOTPCode(secret, time.Now())
	res := loginForm(ts, "ana@example.org", staffPassword, code, nil)
	if len(res.Cookies()) != 1 {
		t.Fatalf("login = %d", res.StatusCode)
	}
	cookie := res.Cookies()[0]
	w := getWithCookie(ts, "/home", cookie)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Intake storage is full") || !strings.Contains(w.Body.String(), `href="/queue"`) {
		t.Errorf("/home while storage is full = %d\n%s", w.Code, w.Body)
	}

	ts.intake.Now = func() time.Time { return time.Now().Add(time.Hour) }
	if w := getWithCookie(ts, "/home", cookie); w.Code != http.StatusSeeOther {
		t.Errorf("/home once there is room = %d, want the redirect", w.Code)
	}
	if w := postNoJS(t, ts, "en", noJSForm("rows")); w.Code != http.StatusOK {
		t.Errorf("tip in the next hour = %d", w.Code)
	}
}

// TestTooLargeAnswersInKind: a body over a route's limit is refused before
// it is read, with JSON on the API (a script reads it) and a page in the
// source's language elsewhere.
func TestTooLargeAnswersInKind(t *testing.T) {
	ts := newTestServer(t)
	big := bytes.Repeat([]byte("x"), int(ts.deps.Config.MaxRequestBytes)+1)

	r := httptest.NewRequest(http.MethodPost, "/api/v1/session", bytes.NewReader(big))
	r.Header.Set("Content-Type", "application/json")
	w := ts.do("casework", r)
	var body struct {
		Error struct{ Code, Message string }
	}
	if w.Code != http.StatusRequestEntityTooLarge || json.Unmarshal(w.Body.Bytes(), &body) != nil || body.Error.Code != "too_large" {
		t.Errorf("API: %d %q, want 413 with a JSON error too_large", w.Code, w.Body.String())
	}

	r = httptest.NewRequest(http.MethodPost, "/mailbox?lang=zh-Hans", bytes.NewReader(big))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = ts.do("intake", r)
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Header().Get("Content-Type"), "text/html") || !strings.Contains(w.Body.String(), `lang="zh-Hans"`) {
		t.Errorf("page: %d %s, want 413 as a page in Chinese", w.Code, w.Header().Get("Content-Type"))
	}
}
