package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/notify"
	"github.com/tipline/tipline/quitam"
	"github.com/tipline/tipline/store"
)

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testServer struct {
	*Server
	log     *syncBuffer
	blobDir string
	db      *database.DB
	intake  *intake.Service
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	cfg, err := config.Load("serve", []string{"--intake-addr", "127.0.0.1:0", "--casework-addr", "127.0.0.1:0", "--max-request-bytes", "1024"},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := blob.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db := dbtest.Open(t, database.SQLite)
	in := newTestIntake(t, db, blobs, logger)
	staff := casework.NewStaff(store.New(db), crypto.NewPepper(), logger)
	staff.Password = casework.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}
	triage := &casework.Triage{Store: store.New(db), Now: time.Now}
	cases := &casework.Cases{Store: store.New(db), Now: time.Now}
	grants := &casework.Grants{Store: store.New(db), Now: time.Now}
	documents := &casework.Documents{Cases: cases, Grants: grants, Store: store.New(db), Blobs: blobs, Recipients: in.Desks.Recipients}
	objects := &casework.Objects{Triage: triage, Grants: grants, Store: store.New(db), Bodies: in, Now: time.Now}
	replies := &casework.Replies{Triage: triage, Mailbox: in, Store: store.New(db), Recipients: in.Desks.Recipients, Now: time.Now}
	receipts, err := claims.IntakeReceipts(in.Receipts, store.New(db))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Config: cfg, DB: db, Blobs: blobs, Intake: in, Staff: staff, Triage: triage, Cases: cases, Grants: grants, Documents: documents, Objects: objects, Replies: replies,
		Entities: &entities.Service{Store: store.New(db), Now: time.Now}, Claims: &claims.Service{Store: store.New(db), Pepper: staff.Pepper, Receipts: receipts, Now: time.Now},
		QuiTam:     &quitam.Service{Store: store.New(db), Now: time.Now},
		Onboarding: &casework.Onboarding{Staff: staff, Store: store.New(db)},
		Admin:      &casework.Admin{Store: store.New(db), Desks: in.Desks, Staff: staff, Questionnaires: in.Questionnaires},
		Retention:  &casework.Retention{Store: store.New(db), Blobs: blobs, Triage: triage, Now: time.Now},
		Notify:     &notify.Service{Store: store.New(db), Sealer: mustSealer(t, in.Pepper, notify.WebhookSealLabel), Now: time.Now},
		Logger:     logger, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{Server: s, log: logs, blobDir: dir, db: db, intake: in}
}

// mustSealer derives a sealer from the pepper.
func mustSealer(t testing.TB, pepper crypto.Pepper, label string) *crypto.Sealer {
	t.Helper()
	sealer, err := pepper.Sealer(label)
	if err != nil {
		t.Fatal(err)
	}
	return sealer
}

// newTestIntake wires the intake service as serve does, with fast codename
// derivation parameters.
func newTestIntake(t testing.TB, db *database.DB, blobs blob.Store, logger *slog.Logger) *intake.Service {
	t.Helper()
	st := store.New(db)
	pepper := crypto.NewPepper()
	signer, err := intake.LoadReceiptSigner(context.Background(), st, pepper)
	if err != nil {
		t.Fatal(err)
	}
	q := intake.DefaultQuestionnaire()
	return &intake.Service{
		Desks:          &intake.Desks{Store: st, Now: time.Now},
		Store:          st,
		Blobs:          blobs,
		Questionnaires: func(string) *intake.Questionnaire { return q },
		Pepper:         pepper,
		CodenameParams: crypto.CodenameParams{Time: 1, MemoryKiB: 64, Threads: 1},
		Receipts:       signer,
		Rates:          st,
		Limits:         intake.Limits{PerDeskPerHour: 100, TotalPerHour: 100},
		PowBits:        4, // cheap in tests; production asks for intake.DefaultPowBits
		Logger:         intake.NewLogger(logger.Handler()),
		Now:            time.Now,
	}
}

// do sends one request to the named listener's handler.
func (ts *testServer) do(listener string, r *http.Request) *httptest.ResponseRecorder {
	for _, l := range ts.listeners {
		if l.name == listener {
			w := httptest.NewRecorder()
			l.http.Handler.ServeHTTP(w, r)
			return w
		}
	}
	panic("no listener " + listener)
}

func (ts *testServer) get(listener, target string) *httptest.ResponseRecorder {
	return ts.do(listener, httptest.NewRequest(http.MethodGet, target, nil))
}

var listeners = []string{"intake", "casework"}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t)
	cssURL, err := ts.assets.url("css/tipline.css")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Content-Security-Policy":      contentSecurityPolicy,
		"X-Content-Type-Options":       "nosniff",
		"X-Frame-Options":              "DENY",
		"Referrer-Policy":              "no-referrer",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
	}
	for _, listener := range listeners {
		for _, path := range []string{"/", "/healthz", "/readyz", "/no-such-page", cssURL} {
			t.Run(listener+path, func(t *testing.T) {
				w := ts.get(listener, path)
				h := w.Result().Header
				for name, value := range want {
					if got := h.Get(name); got != value {
						t.Errorf("%s = %q, want %q", name, got, value)
					}
				}
				if !strings.Contains(h.Get("Permissions-Policy"), "camera=()") {
					t.Errorf("Permissions-Policy = %q, want camera=() among others", h.Get("Permissions-Policy"))
				}
				for _, absent := range []string{"Server", "X-Powered-By", "Set-Cookie"} {
					if v := h.Get(absent); v != "" {
						t.Errorf("%s header present: %q", absent, v)
					}
				}
				wantCache := "no-store"
				if path == cssURL {
					wantCache = "public, max-age=31536000, immutable"
				}
				if got := h.Get("Cache-Control"); got != wantCache {
					t.Errorf("Cache-Control = %q, want %q", got, wantCache)
				}
			})
		}
	}
	csp := contentSecurityPolicy
	for _, must := range []string{"default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, must) {
			t.Errorf("CSP %q lacks %q", csp, must)
		}
	}
	if strings.Contains(csp, "unsafe-") || strings.Contains(csp, "http") || strings.Contains(csp, "*") {
		t.Errorf("CSP %q allows unsafe sources or other origins", csp)
	}
}

func TestLandingPages(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct{ listener, path, want string }{
		{"intake", "/", "Export-control violations"},
		{"intake", "/?lang=zh", "违反出口管制行为"},
		{"casework", "/", "Casework"},
	} {
		w := ts.get(tt.listener, tt.path)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("%s GET / = %d, body lacks %q", tt.listener, w.Code, tt.want)
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		// The page links its stylesheet by content hash, from this origin only.
		if !regexp.MustCompile(`href="/static/css/tipline\.[0-9a-f]{12}\.css"`).MatchString(w.Body.String()) {
			t.Errorf("%s page does not link the hashed stylesheet", tt.listener)
		}
		if strings.Contains(w.Body.String(), "http://") || strings.Contains(w.Body.String(), "https://") {
			t.Errorf("%s page refers to another origin", tt.listener)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	ts := newTestServer(t)
	u, _ := ts.assets.url("css/tipline.css")
	w := ts.get("intake", u)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(w.Body.String(), ":root") {
		t.Errorf("GET %s = %d %q", u, w.Code, w.Header().Get("Content-Type"))
	}
	for _, path := range []string{"/static/css/tipline.css", "/static/css/tipline.000000000000.css", "/static/../go.mod"} {
		if w := ts.get("intake", path); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, w.Code)
		}
	}
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t)
	for _, listener := range listeners {
		if w := ts.get(listener, "/healthz"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"ok"`) {
			t.Errorf("%s /healthz = %d %s", listener, w.Code, w.Body)
		}
	}
}

func readyz(t *testing.T, ts *testServer, listener string) (int, []string) {
	t.Helper()
	w := ts.get(listener, "/readyz")
	var body struct {
		Status  string   `json:"status"`
		Failing []string `json:"failing"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("readyz body %q: %v", w.Body, err)
	}
	return w.Code, body.Failing
}

func TestReadyzNamesFailingComponent(t *testing.T) {
	ts := newTestServer(t)
	for _, listener := range listeners {
		if code, failing := readyz(t, ts, listener); code != http.StatusOK {
			t.Fatalf("%s readyz = %d %v, want 200", listener, code, failing)
		}
	}

	// The blob directory disappears (a lost mount): not ready, and back
	// without a restart once it returns.
	if err := os.RemoveAll(ts.blobDir); err != nil {
		t.Fatal(err)
	}
	for _, listener := range listeners {
		code, failing := readyz(t, ts, listener)
		if code != http.StatusServiceUnavailable || len(failing) != 1 || failing[0] != "blob store" {
			t.Errorf("%s readyz without blob dir = %d %v, want 503 [blob store]", listener, code, failing)
		}
	}
	if err := os.MkdirAll(ts.blobDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if code, failing := readyz(t, ts, "intake"); code != http.StatusOK {
		t.Errorf("readyz after blob dir returned = %d %v, want 200", code, failing)
	}

	// The database goes away.
	ts.db.Close()
	code, failing := readyz(t, ts, "casework")
	if code != http.StatusServiceUnavailable || len(failing) != 1 || failing[0] != "database" {
		t.Errorf("readyz with closed database = %d %v, want 503 [database]", code, failing)
	}
}

func TestRequestTooLarge(t *testing.T) {
	ts := newTestServer(t)
	big := strings.Repeat("x", 2048)
	for _, listener := range listeners {
		w := ts.do(listener, httptest.NewRequest(http.MethodGet, "/", strings.NewReader(big)))
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s GET with 2 KiB body = %d, want 413", listener, w.Code)
		}
		if !strings.Contains(strings.ToLower(w.Body.String()), "too large") {
			t.Errorf("%s 413 page lacks its title", listener)
		}
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	ts := newTestServer(t)
	if w := ts.get("intake", "/no-such-page"); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Not found") {
		t.Errorf("404 page = %d", w.Code)
	}
	if w := ts.do("intake", httptest.NewRequest(http.MethodDelete, "/", nil)); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE / = %d, want 405", w.Code)
	}
}

func TestPanicShowsOnlyRequestID(t *testing.T) {
	ts := newTestServer(t)
	e := ts.newEngine("casework")
	e.GET("/boom", func(*gin.Context) { panic("internal detail 0xDEADBEEF") })
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", w.Code)
	}
	id := w.Header().Get("X-Request-Id")
	if id == "" || !strings.Contains(w.Body.String(), id) {
		t.Errorf("error page does not show request id %q", id)
	}
	if strings.Contains(w.Body.String(), "0xDEADBEEF") {
		t.Error("error page shows the panic value")
	}
	if !strings.Contains(ts.log.String(), "0xDEADBEEF") || !strings.Contains(ts.log.String(), id) {
		t.Error("panic and request id not logged")
	}
}

// TestRequestLogKeepsNoClientData sends requests carrying distinctive client
// data and proves that none of it reaches the log.
func TestRequestLogKeepsNoClientData(t *testing.T) {
	ts := newTestServer(t)
	canaries := map[string]string{
		"X-Forwarded-For": "203.0.113.77",
		"X-Real-Ip":       "198.51.100.23",
		"Forwarded":       "for=192.0.2.99",
		"User-Agent":      "CanaryBrowser/9.9.9",
		"Referer":         "http://referer-canary.example/page",
		"Cookie":          "session=cookie-canary",
	}
	for _, listener := range listeners {
		for _, target := range []string{"/?codename=query-canary", "/no-such/path-canary?q=query-canary"} {
			r := httptest.NewRequest(http.MethodGet, target, nil)
			r.RemoteAddr = "192.0.2.200:44321"
			for k, v := range canaries {
				r.Header.Set(k, v)
			}
			ts.do(listener, r)
		}
	}
	logs := ts.log.String()
	requests := 0
	for line := range strings.SplitSeq(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if entry["msg"] == "request" {
			requests++
		}
	}
	if requests != 4 {
		t.Errorf("logged %d requests, want 4:\n%s", requests, logs)
	}
	forbidden := []string{"query-canary", "path-canary", "192.0.2.200", "44321", "codename"}
	for _, v := range canaries {
		forbidden = append(forbidden, v)
	}
	for _, f := range forbidden {
		if strings.Contains(logs, f) {
			t.Errorf("log contains %q:\n%s", f, logs)
		}
	}
}

func TestIntakeLogTimeIsCoarse(t *testing.T) {
	ts := newTestServer(t)
	ts.get("intake", "/")
	ts.get("casework", "/")
	for line := range strings.SplitSeq(strings.TrimSpace(ts.log.String()), "\n") {
		var entry struct {
			Time     time.Time `json:"time"`
			Listener string    `json:"listener"`
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatal(err)
		}
		if entry.Listener == "intake" && !entry.Time.Equal(entry.Time.Truncate(time.Hour)) {
			t.Errorf("intake log time %v is finer than the hour", entry.Time)
		}
	}
}

func TestServeAndShutdown(t *testing.T) {
	ts := newTestServer(t)
	if err := ts.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.Serve(ctx) }()
	for _, listener := range listeners {
		resp, err := http.Get("http://" + ts.Addr(listener) + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s /healthz = %d", listener, resp.StatusCode)
		}
	}
	if ts.Addr("intake") == ts.Addr("casework") {
		t.Error("both listeners on one address")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}
