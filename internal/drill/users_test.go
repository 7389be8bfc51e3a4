package drill

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/internal/testenv"
)

// The real users of the drill. While the flood runs, each does what a
// person does, through the same pages and API, and must succeed:
//   - a source without JavaScript submits the plain form and reads the
//     codename off the page;
//   - a source with JavaScript submits in headless Chromium, which
//     encrypts in the page;
//   - an investigator logs in with password and TOTP, and replies to the
//     first source;
//   - that source logs into the mailbox with the codename and reads the
//     reply, decrypted by the server, without JavaScript.

// desk is the desk every drill user reports to: the embedded default.
const desk = "export-controls"

// chromiumEnv names the Chromium binary that `make test` exports.
const chromiumEnv = "TIPLINE_TEST_CHROMIUM"

// staff is the investigator of the drill, made with `tipline users add`.
type staff struct {
	email, password, totpSecret string
}

// step is the outcome of one thing a real user did.
type step struct {
	name string
	err  error
	took time.Duration
}

// users are the real users of one drill, acting on srv.
type users struct {
	srv      *server
	staff    staff
	browser  context.Context // Chromium
	evidence string          // a file for the sources to attach
	client   *http.Client
}

func newUsers(t *testing.T, srv *server, st staff, browser context.Context) *users {
	t.Helper()
	file := filepath.Join(t.TempDir(), "shipping-records.bin")
	data := make([]byte, 64<<10)
	rand.Read(data)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return &users{
		srv: srv, staff: st, browser: browser, evidence: file,
		client: &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{Proxy: nil}},
	}
}

// The names of the steps, as the results table shows them.
const (
	stepNoJS     = "source without JavaScript submits"
	stepJS       = "source with JavaScript submits (Chromium)"
	stepLogin    = "investigator logs in (password + TOTP)"
	stepReply    = "investigator replies to the source"
	stepMailbox  = "source reads the reply in the mailbox"
	notAttempted = "not attempted: "
)

// run does every step; it returns when all are done or ctx ends. The
// source with JavaScript works alone; the source without submits, and
// once the investigator has logged in, gets a reply and reads it.
func (u *users) run(ctx context.Context) []step {
	var (
		wg                           sync.WaitGroup
		noJS, js, login, reply, read step
		token                        string
		loggedIn                     = make(chan struct{})
	)
	timed := func(s *step, name string, f func() error) {
		start := time.Now()
		s.err = f()
		s.name, s.took = name, time.Since(start)
	}
	wg.Go(func() { timed(&js, stepJS, func() error { return u.submitWithJavaScript(ctx) }) })
	wg.Go(func() {
		defer close(loggedIn)
		timed(&login, stepLogin, func() (err error) {
			token, err = u.staffLogin(ctx)
			return err
		})
	})
	wg.Go(func() {
		var codename, submission string
		timed(&noJS, stepNoJS, func() (err error) {
			codename, submission, err = u.submitWithoutJavaScript(ctx)
			return err
		})
		<-loggedIn
		reply.name, read.name = stepReply, stepMailbox
		text := "Drill reply " + randomHex(8) + ": which port did the boards leave from?"
		switch {
		case noJS.err != nil:
			reply.err = errors.New(notAttempted + "the source has no submission")
		case login.err != nil:
			reply.err = errors.New(notAttempted + "the investigator could not log in")
		default:
			timed(&reply, stepReply, func() error { return u.reply(ctx, token, submission, text) })
		}
		if reply.err != nil {
			read.err = errors.New(notAttempted + "there is no reply to read")
			return
		}
		timed(&read, stepMailbox, func() error { return u.readReply(ctx, codename, text) })
	})
	wg.Wait()
	return []step{noJS, js, login, reply, read}
}

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]+)"[^>]*id="tip"`)
	codenameRE  = regexp.MustCompile(`(?s)<ol class="codename[^"]*"[^>]*>(.*?)</ol>`)
	wordRE      = regexp.MustCompile(`<span>([a-z-]+)</span>`)
	receiptLink = regexp.MustCompile(`href="/receipt/([a-z0-9]+)\?`)
)

// submitWithoutJavaScript opens the desk's page, posts its form as Tor
// Browser at "Safest" does (a multipart form, Origin: null under the
// no-referrer policy) and reads the codename and the submission id (from
// the receipt link) off the page.
func (u *users) submitWithoutJavaScript(ctx context.Context) (codename, submission string, err error) {
	page, err := u.get(ctx, u.srv.intake+"/desk/"+desk+"?lang=en")
	if err != nil {
		return "", "", err
	}
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		return "", "", errors.New("the desk page has no form")
	}
	action := html.UnescapeString(m[1])
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("lang", "en")
	w.WriteField("violation", "smuggling")
	w.WriteField("narrative", "H100 servers relabelled as routers, shipped through a forwarder.")
	fw, _ := w.CreateFormFile("evidence", "shipping-records.bin")
	data, err := os.ReadFile(u.evidence)
	if err != nil {
		return "", "", err
	}
	fw.Write(data)
	w.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.srv.intake+action, &body)
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	browserFormHeaders(req)
	status, page, err := u.do(req)
	if err != nil {
		return "", "", err
	}
	if status != http.StatusOK {
		return "", "", fmt.Errorf("submit = %d: %s", status, pageText(page))
	}
	c := codenameRE.FindStringSubmatch(page)
	r := receiptLink.FindStringSubmatch(page)
	if c == nil || r == nil {
		return "", "", fmt.Errorf("no codename or receipt link on the page: %s", pageText(page))
	}
	var words []string
	for _, w := range wordRE.FindAllStringSubmatch(c[1], -1) {
		words = append(words, w[1])
	}
	if len(words) != crypto.CodenameWords {
		return "", "", fmt.Errorf("the codename has %d words, want %d", len(words), crypto.CodenameWords)
	}
	return strings.Join(words, " "), r[1], nil
}

// submitWithJavaScript fills the desk's form in Chromium, where the page's
// script encrypts the tip and its file and uploads them, and waits for the
// codename.
func (u *users) submitWithJavaScript(ctx context.Context) error {
	page, cancel := chromedp.NewContext(u.browser)
	defer cancel()
	tab := page
	if deadline, ok := ctx.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		tab, cancelDeadline = context.WithDeadline(page, deadline)
		defer cancelDeadline()
	}
	var api apiLog
	if err := chromedp.Listen(page, api.record); err != nil {
		return err
	}
	if err := chromedp.Do(tab,
		chromedp.Navigate(u.srv.intake+"/desk/"+desk+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
	); err != nil {
		return fmt.Errorf("the page's script did not take over the form: %w", err)
	}
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("f-narrative"), "Boards relabelled as routers; invoices attached."),
		chromedp.SetUploadFiles(chromedp.ID("f-evidence"), []string{u.evidence}),
		chromedp.Poll[chromedp.Void](testenv.FilesChecked, chromedp.WithPollingInterval(50*time.Millisecond)),
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
	); err != nil {
		return fmt.Errorf("filling the form: %w", err)
	}
	// The page ends with the codename, or says that it failed.
	const outcome = `document.querySelector(".codename span") ? "codename" :
		(document.getElementById("js-failure")?.hidden === false ? "failure: " + document.getElementById("js-failure-message").textContent : "")`
	for {
		shown, err := chromedp.Run(tab, chromedp.Evaluate[string](outcome))
		if err == nil && shown == "codename" {
			break
		}
		if err == nil && shown != "" {
			return fmt.Errorf("the page says %q; the script's last API calls: %s", strings.TrimPrefix(shown, "failure: "), api.String())
		}
		if tab.Err() != nil {
			return fmt.Errorf("no codename in time; the script's last API calls: %s", api.String())
		}
		// An evaluation may fail while a navigation replaces the page: retry.
		time.Sleep(200 * time.Millisecond)
	}
	codename, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(".codename")))
	if err != nil {
		return err
	}
	if n := len(strings.Fields(codename)); n != crypto.CodenameWords {
		return fmt.Errorf("the codename shows %d words, want %d", n, crypto.CodenameWords)
	}
	return nil
}

// apiLog keeps the answers to the last API calls of a page's script, with
// their time since the first, to tell why a page did not finish.
type apiLog struct {
	mu    sync.Mutex
	start time.Time
	calls []string
}

// record is a chromedp listener: it must return at once.
func (l *apiLog) record(ev any) {
	e, ok := ev.(*network.EventResponseReceived)
	if !ok || e.Response == nil {
		return
	}
	u, err := url.Parse(e.Response.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/api/") {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.start.IsZero() {
		l.start = time.Now()
	}
	l.calls = append(l.calls, fmt.Sprintf("%.1fs %s %d", time.Since(l.start).Seconds(), u.Path, e.Response.Status))
}

func (l *apiLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.calls) == 0 {
		return "none"
	}
	return strings.Join(l.calls[max(0, len(l.calls)-8):], ", ")
}

// staffLogin logs the investigator in through the API with a TOTP code
// computed from the secret `tipline users add` printed.
func (u *users) staffLogin(ctx context.Context) (string, error) {
	code, err := casework.TOTPCode(u.staff.totpSecret, time.Now())
	if err != nil {
		return "", err
	}
	body, _ := json.Marshal(map[string]string{"email": u.staff.email, "password": u.staff.password, "totp": code})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.srv.casework+"/api/v1/session", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	status, answer, err := u.do(req)
	if err != nil {
		return "", err
	}
	var session struct{ Token string }
	json.Unmarshal([]byte(answer), &session)
	if status != http.StatusCreated || session.Token == "" {
		return "", fmt.Errorf("login = %d: %.300s", status, answer)
	}
	return session.Token, nil
}

// reply encrypts text to the desk's keys and the source's reply key, as
// an investigator's browser does, and posts it.
func (u *users) reply(ctx context.Context, token, submission, text string) error {
	api := func(method, path, ct string, body io.Reader) (int, string, error) {
		req, err := http.NewRequestWithContext(ctx, method, u.srv.casework+path, body)
		if err != nil {
			return 0, "", err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		return u.do(req)
	}
	status, armored, err := api(http.MethodGet, "/api/v1/submissions/"+submission+"/reply-key", "", nil)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("reply key = %d %v: %.300s", status, err, armored)
	}
	replyKey, err := crypto.ParsePublicKey([]byte(armored), time.Now())
	if err != nil {
		return err
	}
	status, answer, err := api(http.MethodGet, "/api/v1/desks/"+desk+"/keys", "", nil)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("desk keys = %d %v: %.300s", status, err, answer)
	}
	var deskKeys struct{ Keys []string }
	if err := json.Unmarshal([]byte(answer), &deskKeys); err != nil {
		return err
	}
	to := []*crypto.PublicKey{replyKey}
	for _, k := range deskKeys.Keys {
		pk, err := crypto.ParsePublicKey([]byte(k), time.Now())
		if err != nil {
			return err
		}
		to = append(to, pk)
	}
	var msg bytes.Buffer
	w, err := crypto.Encrypt(&msg, to...)
	if err != nil {
		return err
	}
	io.WriteString(w, text)
	if err := w.Close(); err != nil {
		return err
	}
	status, answer, err = api(http.MethodPost, "/api/v1/submissions/"+submission+"/replies", "application/octet-stream", &msg)
	if err != nil || status != http.StatusCreated {
		return fmt.Errorf("reply = %d %v: %.300s", status, err, answer)
	}
	return nil
}

// readReply logs into the mailbox with the codename, without JavaScript,
// and looks for the reply on the page.
func (u *users) readReply(ctx context.Context, codename, text string) error {
	form := url.Values{"codename": {codename}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.srv.intake+"/mailbox?lang=en", strings.NewReader(form))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	browserFormHeaders(req)
	status, page, err := u.do(req)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("mailbox login = %d: %s", status, pageText(page))
	}
	if !strings.Contains(page, html.EscapeString(text)) {
		return fmt.Errorf("the reply is not on the mailbox page: %s", pageText(page))
	}
	return nil
}

// browserFormHeaders are what a browser sends with a site's own form under
// the no-referrer policy.
func browserFormHeaders(req *http.Request) {
	req.Header.Set("Origin", "null")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Sec-Fetch-Dest", "document")
}

func (u *users) get(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	status, page, err := u.do(req)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET %s = %d", url, status)
	}
	return page, err
}

func (u *users) do(req *http.Request) (int, string, error) {
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, string(b), err
}

var (
	tagRE   = regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]+>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// pageText is a page's visible text, shortened, for error messages.
func pageText(page string) string {
	text := strings.TrimSpace(spaceRE.ReplaceAllString(html.UnescapeString(tagRE.ReplaceAllString(page, " ")), " "))
	if len(text) > 300 {
		text = text[:300] + "…"
	}
	return fmt.Sprintf("%q", text)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newBrowser starts headless Chromium with a fresh profile, set up as the
// server package's browser tests do. Skipped without Chromium, a failure
// under `make test`.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv(chromiumEnv)
	if path == "" {
		if testenv.Required() {
			t.Fatalf("%s is not set: run the tests with `make test`", chromiumEnv)
		}
		t.Skipf("%s is not set; skipping (run `make test` for the full suite)", chromiumEnv)
	}
	// Chromium keeps its sockets in TMPDIR: a short one of its own.
	tmp, err := os.MkdirTemp("/tmp", "chromium")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Each user's tab is what a source looks at while it works, not a
		// tab in the background, whose timers and renderer Chromium slows.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.WindowSize(1000, 900),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env("TMPDIR="+tmp),
		// At a lower CPU priority, like the attacker: a source's browser
		// runs on the source's machine, not on the server's cores, and its
		// work (encryption, proofs of work, rendering) must not be what
		// slows the server's pages down here.
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			if nice, err := exec.LookPath("nice"); err == nil {
				cmd.Args = append([]string{nice, "-n", "10"}, cmd.Args...)
				cmd.Path = nice
			}
		}),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}
