package server

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/internal/testenv"
	"github.com/tipline/tipline/notify"
	"github.com/tipline/tipline/store"
)

// mailpit is the SMTP server `make test` starts (scripts/test.sh), read
// back through its HTTP API.
type mailpit struct {
	smtp string         // host:port
	api  string         // http://host:port
	ca   *x509.CertPool // trusts its STARTTLS certificate
}

func newMailpit(t *testing.T) mailpit {
	t.Helper()
	m := mailpit{smtp: os.Getenv("TIPLINE_TEST_SMTP_ADDR"), api: os.Getenv("TIPLINE_TEST_MAILPIT_URL")}
	if m.smtp == "" || m.api == "" {
		if testenv.Required() {
			t.Fatal("TIPLINE_TEST_SMTP_ADDR and TIPLINE_TEST_MAILPIT_URL are not set: run the tests with `make test`")
		}
		t.Skip("no SMTP server (TIPLINE_TEST_SMTP_ADDR); run `make test` for the full suite")
	}
	pem, err := os.ReadFile(os.Getenv("TIPLINE_TEST_SMTP_CA"))
	if err != nil {
		t.Fatal(err)
	}
	m.ca = x509.NewCertPool()
	if !m.ca.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in TIPLINE_TEST_SMTP_CA")
	}
	return m
}

// raw returns every message mailpit received for the address, whole:
// headers and body as sent.
func (m mailpit) raw(t *testing.T, to string) []string {
	t.Helper()
	var found struct {
		Messages []struct{ ID string }
	}
	m.getJSON(t, "/api/v1/search?query="+url.QueryEscape(`to:"`+to+`"`), &found)
	var out []string
	for _, msg := range found.Messages {
		res, err := http.Get(m.api + "/api/v1/message/" + msg.ID + "/raw")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		out = append(out, string(b))
	}
	return out
}

func (m mailpit) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	res, err := http.Get(m.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("mailpit GET %s = %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// webhookReceiver is a real HTTP server that keeps what is posted to it.
type webhookReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	posts []webhookPost
}

type webhookPost struct {
	body      []byte
	signature string
}

func newWebhookReceiver(t *testing.T) *webhookReceiver {
	w := &webhookReceiver{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.posts = append(w.posts, webhookPost{body: b, signature: r.Header.Get(notify.SignatureHeader)})
		w.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(w.Close)
	return w
}

func (w *webhookReceiver) received() []webhookPost {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]webhookPost{}, w.posts...)
}

// noticeEnv is a test server whose intake queues events, with an
// investigator of the default desk (a unique address per test) logged in.
type noticeEnv struct {
	ts     *testServer
	email  string
	cookie *http.Cookie
	sender *notify.Sender
	logs   *syncBuffer
}

func newNoticeEnv(t *testing.T, mail notify.Mailer) *noticeEnv {
	t.Helper()
	ts := newTestServer(t)
	addGPGKey(t, ts)
	ctx := context.Background()
	sealer := ts.deps.Notify.Sealer
	ts.deps.Notify.EmailOn = true
	st := store.New(ts.db)
	ts.intake.Events = &notify.Queue{Store: st, Logger: ts.intake.Logger, Now: time.Now}
	email := "notice-" + blob.NewKey("") + "@example.org"
	_, uri, err := ts.deps.Staff.AddUser(ctx, 0, email, casework.RoleInvestigator, staffPassword, []string{"export-controls"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(uri)
	code, _ := casework.TOTPCode(u.Query().Get("secret"), time.Now())
	res := loginForm(ts, email, staffPassword, code, nil)
	if res.StatusCode != http.StatusSeeOther || len(res.Cookies()) != 1 {
		t.Fatalf("login = %d", res.StatusCode)
	}
	logs := &syncBuffer{}
	sender := &notify.Sender{Store: st, Mail: mail, HTTP: notify.NewWebhookClient(), Sealer: sealer,
		QueueURL: "https://casework.example.org/queue", SettingsURL: "https://casework.example.org/settings",
		DigestHour: 7, Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	return &noticeEnv{ts: ts, email: email, cookie: res.Cookies()[0], sender: sender, logs: logs}
}

// settings posts the settings form as the investigator's browser would.
func (e *noticeEnv) settings(t *testing.T, form url.Values) *http.Response {
	t.Helper()
	page := getWithCookie(e.ts, "/settings", e.cookie)
	if page.Code != http.StatusOK {
		t.Fatalf("GET /settings = %d", page.Code)
	}
	form.Set("csrf", regexpCSRF(t, page.Body.String()))
	return postForm(e.ts, "/settings", e.cookie, form)
}

// tick runs the sender at the given time.
func (e *noticeEnv) tick(at time.Time) {
	e.sender.Now = func() time.Time { return at }
	e.sender.Tick(context.Background())
}

// sourceActs submits a tip with a file and, from the mailbox, a follow-up,
// and returns what no notice may carry: the tip's text, its file name,
// the codename and the submission id.
func (e *noticeEnv) sourceActs(t *testing.T) []string {
	t.Helper()
	fileName := "bill-of-lading-" + blob.NewKey("") + ".pdf"
	id, codename := submitForCodename(t, e.ts, []formPart{
		{name: "lang", value: "en"},
		{name: "violation", value: "smuggling"},
		{name: "knowledge", value: "first_hand"},
		{name: "narrative", value: "H100 servers relabelled as routers. " + canary},
		{name: "evidence", filename: fileName, value: "%PDF-1.4 " + canary},
	})
	r := httptest.NewRequest(http.MethodPost, "/mailbox?lang=en", strings.NewReader(url.Values{"codename": {codename}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := e.ts.do("intake", r)
	if w.Code != http.StatusOK || len(w.Result().Cookies()) != 1 {
		t.Fatalf("mailbox login = %d", w.Code)
	}
	followUp := "The bills are in a locker. " + canary
	ctype, body := multipartBody(t, []formPart{{name: "message", value: followUp}})
	r = httptest.NewRequest(http.MethodPost, "/mailbox/messages?lang=en", body)
	r.Header.Set("Content-Type", ctype)
	r.AddCookie(w.Result().Cookies()[0])
	if w := e.ts.do("intake", r); w.Code != http.StatusOK {
		t.Fatalf("follow-up = %d", w.Code)
	}
	return []string{canary, "H100 servers", fileName, codename, strings.ReplaceAll(codename, " ", "-"), id, followUp}
}

// assertNoSecrets fails when text holds any of secrets.
func assertNoSecrets(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s holds %q:\n%s", what, s, text)
		}
	}
}

// TestNoticesWithoutContent is issue 15's point 3 end to end: an
// investigator turns notices on in the settings form; a source submits a
// tip with a file and writes a follow-up, and a deadline falls due. The
// sender waits for the end of the hour, then a real SMTP server (mailpit,
// over STARTTLS with authentication, and in plain text to a local relay)
// receives one mail, and a webhook one signed post per kind of news: the
// kind and the desk, a link to the queue, and nothing of the tip.
func TestNoticesWithoutContent(t *testing.T) {
	mp := newMailpit(t)
	for _, tt := range []struct {
		name string
		mail *notify.SMTP
	}{
		{"starttls", &notify.SMTP{Addr: mp.smtp, TLS: notify.StartTLS, Username: "tipline", Password: "smtp password", From: "tipline@example.org", RootCAs: mp.ca}},
		{"local relay", &notify.SMTP{Addr: mp.smtp, TLS: notify.NoTLS, From: "tipline@example.org"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newNoticeEnv(t, tt.mail)
			hook := newWebhookReceiver(t)
			res := e.settings(t, url.Values{"new_tips": {"1"}, "messages": {"1"}, "deadlines": {"1"}, "email": {"1"},
				"digest": {"0"}, "webhook": {hook.URL + "/tipline"}, "webhook_secret": {"hook secret"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST /settings = %d\n%s", res.StatusCode, readBody(t, res))
			}
			secrets := e.sourceActs(t)

			// The events at rest: a kind, a desk and a day; nothing else.
			var events []map[string]any
			e.ts.db.Raw("SELECT * FROM notify_events").Scan(&events)
			if len(events) != 2 {
				t.Fatalf("queued events = %v, want a new tip and a message", events)
			}
			for _, ev := range events {
				if len(ev) != 4 || len(dateColumn(ev["day"])) != len("2006-01-02") {
					t.Errorf("event row %v: want kind, desk_slug, day (a day) and fanned_out only", ev)
				}
			}

			// Within the hour nothing is sent; after it, everything at once.
			// Six days on, the tip's acknowledgement deadline is due soon too.
			// At 09:05, so that the two hours after it stay within the day:
			// a deadline due soon is announced again each new day (started
			// in the last hours of a day, the test failed on that).
			six := time.Now().UTC().AddDate(0, 0, 6)
			start := time.Date(six.Year(), six.Month(), six.Day(), 9, 5, 0, 0, time.UTC)
			e.tick(start)
			if got := mp.raw(t, e.email); len(got) != 0 || len(hook.received()) != 0 {
				t.Fatalf("sent before the hour ended: %d mails, %d posts", len(got), len(hook.received()))
			}
			e.tick(start.Add(time.Hour))

			mails := mp.raw(t, e.email)
			if len(mails) != 1 {
				t.Fatalf("%d mails to %s, want 1", len(mails), e.email)
			}
			mail := mails[0]
			assertNoSecrets(t, "the mail", mail, secrets)
			for _, want := range []string{"Subject: " + notify.Subject, "A new tip on desk export-controls",
				"A message from a source on desk export-controls", "A deadline due soon on desk export-controls",
				"https://casework.example.org/queue"} {
				if !strings.Contains(mail, want) {
					t.Errorf("the mail lacks %q:\n%s", want, mail)
				}
			}

			posts := hook.received()
			kinds := map[string]bool{}
			for _, p := range posts {
				assertNoSecrets(t, "a webhook post", string(p.body), secrets)
				var body map[string]string
				if err := json.Unmarshal(p.body, &body); err != nil || len(body) != 3 || body["desk"] != "export-controls" ||
					body["link"] != "https://casework.example.org/queue" {
					t.Errorf("webhook body %s: want event, desk and link only", p.body)
				}
				if p.signature != notify.Signature([]byte("hook secret"), p.body) {
					t.Errorf("signature %q does not match the body", p.signature)
				}
				kinds[body["event"]] = true
			}
			if len(posts) != 3 || !kinds["new_tip"] || !kinds["source_message"] || !kinds["deadline_due"] {
				t.Errorf("webhook posts %d, kinds %v", len(posts), kinds)
			}
			var left int64
			e.ts.db.Raw("SELECT count(*) FROM notify_deliveries").Scan(&left)
			if left != 0 {
				t.Errorf("%d deliveries left after sending", left)
			}
			// The hour after: nothing new, nothing sent again.
			e.tick(start.Add(2 * time.Hour))
			if n := len(mp.raw(t, e.email)); n != 1 || len(hook.received()) != 3 {
				t.Errorf("after another hour: %d mails, %d posts", n, len(hook.received()))
			}
		})
	}
}

// dateColumn reads a DATE column as SQLite or PostgreSQL hands it back.
func dateColumn(v any) string {
	switch d := v.(type) {
	case time.Time:
		return d.Format("2006-01-02")
	case string:
		return d
	}
	return ""
}

// TestNoticeRetriedWhenSMTPFails: a mail server that refuses connections
// does not lose the notice or touch intake; the failure is logged without
// any content and the notice is sent once the server answers.
func TestNoticeRetriedWhenSMTPFails(t *testing.T) {
	mp := newMailpit(t)
	closed := httptest.NewServer(http.NotFoundHandler()) // a port nothing listens on once closed
	down := closed.Listener.Addr().String()
	closed.Close()
	e := newNoticeEnv(t, &notify.SMTP{Addr: down, TLS: notify.NoTLS, From: "tipline@example.org"})
	if res := e.settings(t, url.Values{"new_tips": {"1"}, "email": {"1"}, "digest": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /settings = %d", res.StatusCode)
	}
	secrets := e.sourceActs(t) // intake answered although the mail server is down
	start := time.Now().UTC().Truncate(time.Hour).Add(time.Minute)
	e.tick(start)
	e.tick(start.Add(time.Hour))
	var attempts []int
	e.ts.db.Raw("SELECT attempts FROM notify_deliveries").Scan(&attempts)
	if len(attempts) != 1 || attempts[0] != 1 {
		t.Fatalf("after a failed send: attempts %v, want one delivery tried once", attempts)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "a notice could not be sent; will retry") {
		t.Errorf("the failure is not logged:\n%s", logs)
	}
	assertNoSecrets(t, "the log", logs, append(secrets, "export-controls"))

	// Before the back-off nothing is tried; after it, the server answers.
	e.sender.Mail = &notify.SMTP{Addr: mp.smtp, TLS: notify.NoTLS, From: "tipline@example.org"}
	e.tick(start.Add(time.Hour + 30*time.Second))
	if n := len(mp.raw(t, e.email)); n != 0 {
		t.Fatalf("retried before the back-off: %d mails", n)
	}
	e.tick(start.Add(time.Hour + 2*time.Minute))
	mails := mp.raw(t, e.email)
	if len(mails) != 1 || !strings.Contains(mails[0], "A new tip on desk export-controls") {
		t.Fatalf("after the retry: %d mails", len(mails))
	}
	assertNoSecrets(t, "the mail", mails[0], secrets)
}

// TestNoticeDigest: with the daily digest, the news of a day goes out once,
// the next day at the digest hour, and not at the end of the hour.
func TestNoticeDigest(t *testing.T) {
	mp := newMailpit(t)
	e := newNoticeEnv(t, &notify.SMTP{Addr: mp.smtp, TLS: notify.NoTLS, From: "tipline@example.org"})
	if res := e.settings(t, url.Values{"new_tips": {"1"}, "messages": {"1"}, "email": {"1"}, "digest": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /settings = %d", res.StatusCode)
	}
	page := getWithCookie(e.ts, "/settings", e.cookie).Body.String()
	if !strings.Contains(page, `id="s-digest" name="digest" value="1" checked`) || !strings.Contains(page, "in which hour news came in") {
		t.Errorf("the settings page does not show the digest chosen and what hourly notices reveal")
	}
	secrets := e.sourceActs(t)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	e.tick(today.Add(23 * time.Hour))
	e.tick(today.Add(24*time.Hour + 10*time.Minute)) // the next day, 00:10: fanned out, not sent
	if n := len(mp.raw(t, e.email)); n != 0 {
		t.Fatalf("a digest went out before its hour: %d mails", n)
	}
	e.tick(today.Add(24*time.Hour + 7*time.Hour))
	mails := mp.raw(t, e.email)
	if len(mails) != 1 || !strings.Contains(mails[0], "A new tip on desk export-controls") ||
		!strings.Contains(mails[0], "A message from a source on desk export-controls") {
		t.Fatalf("digest: %d mails %q", len(mails), mails)
	}
	assertNoSecrets(t, "the digest", mails[0], secrets)
}

// TestSettingsForm: the settings are the staff member's own, a webhook
// must be https (or to this machine), a refused form keeps what was typed
// but never the secret, and every change is audited.
func TestSettingsForm(t *testing.T) {
	e := newNoticeEnv(t, nil)
	for _, tt := range []struct {
		webhook string
		status  int
	}{
		{"http://hooks.example.org/x", http.StatusUnprocessableEntity},
		{"ftp://hooks.example.org/x", http.StatusUnprocessableEntity},
		{"https://user:pass@hooks.example.org/x", http.StatusUnprocessableEntity},
		{"https://hooks.example.org/x", http.StatusSeeOther},
		{"http://127.0.0.1:9/x", http.StatusSeeOther},
		{"", http.StatusSeeOther},
	} {
		res := e.settings(t, url.Values{"new_tips": {"1"}, "webhook": {tt.webhook}, "webhook_secret": {"s3cret-value"}})
		body := readBody(t, res)
		if res.StatusCode != tt.status {
			t.Errorf("webhook %q = %d, want %d", tt.webhook, res.StatusCode, tt.status)
		}
		if strings.Contains(body, "s3cret-value") {
			t.Errorf("webhook %q: the secret came back in the page", tt.webhook)
		}
	}
	var stored struct{ Webhook []byte }
	e.ts.db.Raw("SELECT webhook FROM notify_settings").Scan(&stored)
	if stored.Webhook != nil {
		t.Errorf("webhook cleared but %d bytes stored", len(stored.Webhook))
	}
	e.settings(t, url.Values{"webhook": {"https://hooks.example.org/secret-path"}, "webhook_secret": {"s3cret-value"}})
	e.ts.db.Raw("SELECT webhook FROM notify_settings").Scan(&stored)
	sealed := stored.Webhook
	if len(sealed) == 0 || strings.Contains(string(sealed), "secret-path") || strings.Contains(string(sealed), "s3cret") {
		t.Errorf("the webhook is not sealed at rest: %q", sealed)
	}
	page := getWithCookie(e.ts, "/settings", e.cookie).Body.String()
	if !strings.Contains(page, "https://hooks.example.org/secret-path") || !strings.Contains(page, "A secret is set") || strings.Contains(page, "s3cret-value") {
		t.Errorf("the settings page after saving a webhook:\n%s", page)
	}
	entries, _ := e.ts.deps.Staff.Store.AuditEntries(context.Background(), 0, 1000)
	var changes int
	for _, en := range entries {
		if en.Record.Action == notify.ActionSettings {
			changes++
		}
	}
	if changes != 4 {
		t.Errorf("%d settings changes audited, want 4", changes)
	}
}
