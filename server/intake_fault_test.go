package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// newIntakeOnMinIO is a test server whose intake listener runs on the
// production backends: PostgreSQL and a MinIO of the test's own, which the
// test may stop and start again.
func newIntakeOnMinIO(t *testing.T) (*testServer, *testenv.MinIO) {
	t.Helper()
	m := testenv.StartMinIO(t)
	ts := newTestServer(t)
	blobs, err := blob.Open(m.URL("tipline"))
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.(*blob.S3).EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	db := dbtest.Open(t, database.Postgres)
	in := newTestIntake(t, db, blobs, ts.Server.log)
	ts.deps.DB, ts.deps.Blobs, ts.deps.Intake = db, blobs, in
	ts.db, ts.intake, ts.blobDir = db, in, ""
	return rebuild(t, ts), m
}

// logLine is one JSON line of the server's log.
type logLine struct {
	Level, Msg, Route, Code, Err string
}

// errorLines returns the lines of the log at level ERROR.
func errorLines(t *testing.T, ts *testServer) []logLine {
	t.Helper()
	var lines []logLine
	for _, raw := range strings.Split(strings.TrimSpace(ts.log.String()), "\n") {
		var l logLine
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		if l.Level == "ERROR" {
			lines = append(lines, l)
		}
	}
	return lines
}

// sourceRequest is a request of a source's browser to the intake listener,
// in lang (Accept-Language, as the JavaScript path sends it).
func sourceRequest(method, target, ctype, lang string, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, target, body)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	r.Header.Set("Accept-Language", lang)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("User-Agent", "Mozilla/5.0 (canary-agent)")
	return r
}

// apiErrorOf decodes {"error": {"code", "message"}}.
func apiErrorOf(t *testing.T, w *httptest.ResponseRecorder) (code, message string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q: %v", w.Body, err)
	}
	return body.Error.Code, body.Error.Message
}

// TestStoreDownShowsUnavailable is the fault drill: with the object store
// down, a source who sends a tip without JavaScript, with it (a chunk, the
// commit) or a follow-up in the mailbox is told the truth in their own
// language: the store is unavailable (503), not that their upload broke.
// The fault is logged as an error with its cause and no client data, and
// nothing half-stored is visible once the store is back; the uploads of
// the JavaScript path stay for the source to retry, and the retry works.
func TestStoreDownShowsUnavailable(t *testing.T) {
	ts, m := newIntakeOnMinIO(t)
	ts.deps.Config.MaxFormUpload = 64 << 20
	addGPGKey(t, ts)
	keys := deskRecipients(t, ts)
	langs := []intake.Lang{intake.EN, intake.ZH}

	// While the store is up: a tip whose mailbox takes follow-ups, and the
	// uploads of one browser submission per language.
	_, codename := submitForCodename(t, ts, noJSForm("rows"))
	w := ts.do("intake", sourceRequest(http.MethodPost, "/mailbox?lang=en", "application/x-www-form-urlencoded", "en",
		strings.NewReader(url.Values{"codename": {codename}}.Encode())))
	cookies := w.Result().Cookies()
	if w.Code != http.StatusOK || len(cookies) != 1 {
		t.Fatalf("login = %d, cookies %v", w.Code, cookies)
	}
	// open is a session opened before the outage, for a chunk during it.
	type uploads struct{ manifest, file, open string }
	prepared := map[intake.Lang]uploads{}
	for _, lang := range langs {
		prepared[lang] = uploads{
			manifest: uploadAll(t, ts, encryptTo(t, testManifest(), keys...), intake.MinChunkSize),
			file:     uploadAll(t, ts, encryptTo(t, []byte("invoice "+canary), keys...), intake.MinChunkSize),
			open:     newUpload(t, ts, intake.MinChunkSize).ID,
		}
	}
	var objectsBefore int64
	ts.db.Raw("SELECT count(*) FROM objects").Scan(&objectsBefore)

	m.Stop()
	t.Run("StoreDown", func(t *testing.T) {
		for _, lang := range langs {
			want := intake.T(lang, "error_unavailable")
			t.Run("NoJavaScript/"+string(lang), func(t *testing.T) {
				t.Parallel()
				ctype, body := multipartBody(t, noJSForm("spreadsheet row "+canary))
				w := ts.do("intake", sourceRequest(http.MethodPost, "/desk/export-controls/submit?lang="+string(lang), ctype, "en", body))
				page := w.Body.String()
				if w.Code != http.StatusServiceUnavailable || !strings.Contains(page, want) {
					t.Errorf("submit = %d, want 503 with %q\n%.1500s", w.Code, want, page)
				}
				if got := w.Header().Get("Retry-After"); got != "30" {
					t.Errorf("Retry-After = %q, want 30", got)
				}
				if strings.Contains(page, intake.T(lang, "error_upload_broken")) || strings.Contains(page, `name="codename"`) {
					t.Error("the page blames the source's upload or shows a codename")
				}
			})
			t.Run("JavaScriptOpen/"+string(lang), func(t *testing.T) {
				t.Parallel()
				// A session opens its object's assembly in the store.
				body, _ := json.Marshal(map[string]any{"desk": intake.DefaultDeskSlug, "size": 1000, "pow": solveUploadPow(t, ts, 1000)})
				w := ts.do("intake", sourceRequest(http.MethodPost, "/api/v1/uploads", "application/json", string(lang), bytes.NewReader(body)))
				if code, message := apiErrorOf(t, w); w.Code != http.StatusServiceUnavailable || code != "unavailable" || message != want {
					t.Errorf("POST upload = %d %s %q, want 503 unavailable %q", w.Code, code, message, want)
				}
			})
			t.Run("JavaScriptChunk/"+string(lang), func(t *testing.T) {
				t.Parallel()
				msg := encryptTo(t, []byte("evidence "+canary), keys...)
				w := ts.do("intake", sourceRequest(http.MethodPut, fmt.Sprintf("/api/v1/uploads/%s/chunks/0", prepared[lang].open), "application/octet-stream", string(lang), bytes.NewReader(msg)))
				if code, message := apiErrorOf(t, w); w.Code != http.StatusServiceUnavailable || code != "unavailable" || message != want {
					t.Errorf("PUT chunk = %d %s %q, want 503 unavailable %q", w.Code, code, message, want)
				}
			})
			t.Run("JavaScriptCommit/"+string(lang), func(t *testing.T) {
				t.Parallel()
				up := prepared[lang]
				body, _ := json.Marshal(map[string]any{"desk": intake.DefaultDeskSlug, "manifest": up.manifest, "files": []string{up.file},
					"lang": string(lang), "pow": solvePow(t, ts)})
				w := ts.do("intake", sourceRequest(http.MethodPost, "/api/v1/submissions", "application/json", string(lang), bytes.NewReader(body)))
				if code, message := apiErrorOf(t, w); w.Code != http.StatusServiceUnavailable || code != "unavailable" || message != want {
					t.Errorf("submit = %d %s %q, want 503 unavailable %q", w.Code, code, message, want)
				}
				if strings.Contains(w.Body.String(), "codename") {
					t.Error("the answer holds a codename")
				}
			})
			t.Run("MailboxFollowUp/"+string(lang), func(t *testing.T) {
				t.Parallel()
				ctype, body := multipartBody(t, []formPart{{name: "message", value: "More rows. " + canary},
					{name: "files", filename: "提单-" + canary + ".pdf", value: "bill " + canary}})
				r := sourceRequest(http.MethodPost, "/mailbox/messages?lang="+string(lang), ctype, "en", body)
				r.AddCookie(cookies[0])
				w := ts.do("intake", r)
				if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), want) {
					t.Errorf("follow-up = %d, want 503 with %q\n%.1500s", w.Code, want, w.Body)
				}
			})
		}
	})

	// Each fault is an error in the log, with its cause and the route, and
	// nothing of the source: not the tip, not the file name, not the user
	// agent, not the codename.
	var faults []logLine
	for _, l := range errorLines(t, ts) {
		if l.Msg == "request failed" {
			faults = append(faults, l)
		}
	}
	if len(faults) != 5*len(langs) {
		t.Errorf("%d faults in the log, want one per failed request (%d)\n%s", len(faults), 5*len(langs), ts.log)
	}
	for _, l := range faults {
		if l.Code != "unavailable" || l.Route == "" ||
			!strings.Contains(l.Err, "The evidence store is not reachable") || !strings.Contains(l.Err, "connection refused") {
			t.Errorf("log line %+v, want the fault with its cause", l)
		}
	}
	for _, secret := range []string{canaryID(), "canary-agent", codename, strings.Fields(codename)[0] + " "} {
		if strings.Contains(ts.log.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}

	// Back up: nothing half-stored is visible. No submission but the one
	// made before, no new object, nothing pending; the uploads stay, and
	// submitting them again works.
	m.Start()
	var subs, objects int64
	ts.db.Raw("SELECT count(*) FROM submissions").Scan(&subs)
	ts.db.Raw("SELECT count(*) FROM objects").Scan(&objects)
	if subs != 1 || objects != objectsBefore {
		t.Errorf("after the outage: %d submissions and %d objects, want 1 and %d", subs, objects, objectsBefore)
	}
	ctx := context.Background()
	// Every blob is a committed object's (under pending/ until the
	// janitor's batch moves it): the failed tips left none.
	var blobs int
	for _, prefix := range []string{"pending/", "objects/"} {
		infos, err := ts.deps.Blobs.List(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		blobs += len(infos)
	}
	if int64(blobs) != objectsBefore {
		t.Errorf("%d blobs after the outage, want the %d of the committed objects", blobs, objectsBefore)
	}
	var receipt submitAnswer
	up := prepared[intake.ZH]
	if code := submitUploads(t, ts, up.manifest, []string{up.file}, &receipt); code != http.StatusOK || receipt.Codename == "" {
		t.Errorf("submit after the outage = %d %+v", code, receipt)
	}
}

// TestBrokenUploadIsTheClients: an upload that breaks off (the connection
// drops, the form ends in the middle of a file) is the source's broken
// upload, 422 in their language, on every path that reads one; nothing is
// kept and nothing is logged as a fault.
func TestBrokenUploadIsTheClients(t *testing.T) {
	ts := newTestServer(t)
	ts.deps.Config.MaxFormUpload = 64 << 20
	addGPGKey(t, ts)
	_, codename := submitForCodename(t, ts, noJSForm("rows"))
	w := ts.do("intake", sourceRequest(http.MethodPost, "/mailbox?lang=en", "application/x-www-form-urlencoded", "en",
		strings.NewReader(url.Values{"codename": {codename}}.Encode())))
	cookies := w.Result().Cookies()
	if w.Code != http.StatusOK || len(cookies) != 1 {
		t.Fatalf("login = %d, cookies %v", w.Code, cookies)
	}
	var objectsBefore int64
	ts.db.Raw("SELECT count(*) FROM objects").Scan(&objectsBefore)
	cut := func(parts []formPart, dropped bool) (string, io.Reader) {
		ctype, body := multipartBody(t, parts)
		b := body.Bytes()[:body.Len()*2/3]
		if dropped {
			return ctype, cutReader{bytes.NewReader(b)} // the connection dropped
		}
		return ctype, bytes.NewReader(b) // the body ends early
	}
	big := strings.Repeat("evidence "+canary+" ", 100_000)

	for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
		want := intake.T(lang, "error_upload_broken")
		for _, dropped := range []bool{true, false} {
			name := fmt.Sprintf("%s/dropped=%t", lang, dropped)
			t.Run("NoJavaScript/"+name, func(t *testing.T) {
				ctype, body := cut(noJSForm(big), dropped)
				w := ts.do("intake", sourceRequest(http.MethodPost, "/desk/export-controls/submit?lang="+string(lang), ctype, "en", body))
				if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), want) {
					t.Errorf("cut submit = %d, want 422 with %q\n%.1500s", w.Code, want, w.Body)
				}
			})
			t.Run("MailboxFollowUp/"+name, func(t *testing.T) {
				ctype, body := cut([]formPart{{name: "message", value: "More."}, {name: "files", filename: "a.txt", value: big}}, dropped)
				r := sourceRequest(http.MethodPost, "/mailbox/messages?lang="+string(lang), ctype, "en", body)
				r.AddCookie(cookies[0])
				w := ts.do("intake", r)
				if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), want) {
					t.Errorf("cut follow-up = %d, want 422 with %q\n%.1500s", w.Code, want, w.Body)
				}
			})
		}
		t.Run("JavaScriptChunk/"+string(lang), func(t *testing.T) {
			u := newUpload(t, ts, intake.MinChunkSize)
			msg := encryptTo(t, []byte(big), deskRecipients(t, ts)...)[:intake.MinChunkSize]
			w := ts.do("intake", sourceRequest(http.MethodPut, fmt.Sprintf("/api/v1/uploads/%s/chunks/0", u.ID), "application/octet-stream", string(lang),
				cutReader{bytes.NewReader(msg[:len(msg)/2])}))
			if code, message := apiErrorOf(t, w); w.Code != http.StatusUnprocessableEntity || code != "invalid" || message != want {
				t.Errorf("cut chunk = %d %s %q, want 422 invalid %q", w.Code, code, message, want)
			}
		})
		t.Run("NotMultipart/"+string(lang), func(t *testing.T) {
			w := ts.do("intake", sourceRequest(http.MethodPost, "/desk/export-controls/submit?lang="+string(lang), "text/plain", "en", strings.NewReader("narrative=x")))
			if want := intake.T(lang, "error_not_multipart"); w.Code != http.StatusUnsupportedMediaType || !strings.Contains(w.Body.String(), want) {
				t.Errorf("plain text form = %d, want 415 with %q", w.Code, want)
			}
		})
	}

	if lines := errorLines(t, ts); len(lines) != 0 {
		t.Errorf("a client's broken upload was logged as a fault: %+v", lines)
	}
	var subs, objects int64
	ts.db.Raw("SELECT count(*) FROM submissions").Scan(&subs)
	ts.db.Raw("SELECT count(*) FROM objects").Scan(&objects)
	// Committed blobs wait under pending/ for the janitor's daily batch;
	// nothing else may be left there.
	var committed []string
	ts.db.Raw("SELECT blob_key FROM objects").Scan(&committed)
	infos, _ := ts.deps.Blobs.List(context.Background(), "pending/")
	var left []string
	for _, info := range infos {
		if !slices.Contains(committed, info.Key) {
			left = append(left, info.Key)
		}
	}
	if subs != 1 || objects != objectsBefore || len(left) != 0 {
		t.Errorf("after broken uploads: %d submissions, %d objects (want 1, %d), pending blobs of no object: %v", subs, objects, objectsBefore, left)
	}
}
