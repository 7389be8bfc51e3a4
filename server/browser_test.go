package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// chromiumEnv names the Chromium binary that `make test` exports.
const chromiumEnv = "TIPLINE_TEST_CHROMIUM"

// browserTimeout bounds each browser test.
const browserTimeout = 90 * time.Second

// serveTest serves ts on loopback ports until the test ends and returns
// the intake listener's base URL.
func serveTest(t testing.TB, ts *testServer) string {
	t.Helper()
	if err := ts.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve = %v", err)
		}
	})
	return "http://" + ts.Addr("intake")
}

// newBrowser starts headless Chromium with a fresh profile and any extra
// options; each context derived from the one returned is a tab of it.
// Skipped without Chromium, a failure under `make test`.
func newBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := os.Getenv(chromiumEnv)
	if path == "" {
		if testenv.Required() {
			t.Fatalf("%s is not set: run the tests with `make test`", chromiumEnv)
		}
		t.Skipf("%s is not set; skipping (run `make test` for the full suite)", chromiumEnv)
	}
	// Chromium keeps its sockets and shared memory files in TMPDIR. Give it
	// one of its own, with a short path: a socket path has at most 107 bytes.
	tmp, err := os.MkdirTemp("/tmp", "chromium")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append([]chromedp.ExecAllocatorOption{
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
		chromedp.WindowSize(1000, 900),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env("TMPDIR=" + tmp),
	}, extra...)...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not have a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// artifacts returns the folder for screenshots: $TIPLINE_TEST_ARTIFACTS,
// or a temp folder. It names the folder once, in the test's log; the
// screenshots are not listed one by one, so that a failure's own message
// stays among the last lines of a failed test's output, which is what CI
// shows of it.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TIPLINE_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// screenshot saves the whole page as dir/name.png. A page that is still
// loading (the one after a form's redirect, say) can have no layout yet,
// and Chromium refuses to capture it ("Cannot take screenshot with 0
// width"), so screenshot first waits until the document has loaded and
// has a width, and tries the capture again while the page settles.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	const laidOut = `document.readyState === "complete" && document.documentElement.getBoundingClientRect().width > 0`
	var png []byte
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var ready bool
		if ready, err = chromedp.Run(ctx, chromedp.Evaluate[bool](laidOut)); err == nil && ready {
			if png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				break
			}
		} else if err == nil {
			err = errors.New("the page has not loaded, or has no width")
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fillForm answers the desk form as a source would, and attaches files.
func fillForm(files ...string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.ID("f-violation-smuggling")),
		chromedp.Click(chromedp.ID("f-models-h100")),
		chromedp.SetValue(chromedp.ID("f-quantity"), "1,200"),
		chromedp.Click(chromedp.CSS("#s-parties > summary")), // optional sections start closed
		chromedp.SetValue(chromedp.ID("f-parties-0-name"), "深圳市华芯科技有限公司"),
		chromedp.SetValue(chromedp.ID("f-parties-0-role"), "distributor"),
		chromedp.SetValue(chromedp.ID("f-parties-0-country"), "中国"),
		chromedp.Click(chromedp.CSS("#s-knowledge > summary")),
		chromedp.Click(chromedp.ID("f-knowledge-first_hand")),
		chromedp.SetValue(chromedp.ID("f-narrative"), "H100 servers relabelled as routers. "+canary),
		chromedp.SetUploadFiles(chromedp.ID("f-evidence"), files),
		filesChecked(),
	)
}

// filesChecked waits until the desk form has shown what it found in the
// files chosen (see testenv.FilesChecked).
func filesChecked() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](testenv.FilesChecked, chromedp.WithPollingInterval(50*time.Millisecond))
}

// dropConnections makes the tab lose its connection twice during an
// upload, as a Tor circuit does: once while it sends chunk 1 (the server
// never sees it), once after the server stored chunk 2 (the answer is
// lost). The script must retry the first and find out that the second
// arrived. It returns the number of connections dropped so far.
func dropConnections(t *testing.T, ctx context.Context) *atomic.Int32 {
	t.Helper()
	var drops atomic.Int32
	dropped := map[string]bool{}
	interceptRequests(t, ctx, []*fetch.RequestPattern{
		{URLPattern: `*/chunks/1\?*`}, // the page's language follows: ?lang=
		{URLPattern: `*/chunks/2\?*`, RequestStage: fetch.RequestStageResponse},
	}, func(ctx context.Context, id fetch.RequestID, url string) {
		if chunk := path.Base(url); !dropped[chunk] {
			dropped[chunk] = true
			drops.Add(1)
			chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonConnectionReset})
			return
		}
		chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
	})
	return &drops
}

// interceptRequests pauses each of the tab's requests that match one of
// patterns and has handle continue, answer or fail it (with the Fetch
// domain's commands), one request at a time, until the tab's context
// ends.
func interceptRequests(t *testing.T, ctx context.Context, patterns []*fetch.RequestPattern, handle func(ctx context.Context, id fetch.RequestID, url string)) {
	t.Helper()
	// The raw events, decoded here: a paused request carries its binary
	// body as a JSON string that cdproto's strict decoder refuses.
	_, err := chromedp.Run(ctx, func(ctx context.Context, tab *chromedp.Target) (chromedp.Void, error) {
		events, stop := tab.Subscribe(fetch.RequestPaused.Method)
		go func() {
			defer stop()
			for {
				var raw []byte
				select {
				case <-ctx.Done():
					return
				case v, ok := <-events:
					if !ok {
						return
					}
					raw = v
				}
				var ev struct {
					RequestID fetch.RequestID `json:"requestId"`
					Request   struct {
						URL string `json:"url"`
					} `json:"request"`
				}
				if json.Unmarshal(raw, &ev) == nil {
					handle(ctx, ev.RequestID, ev.Request.URL)
				}
			}
		}()
		_, err := cdp.Call(ctx, tab, fetch.Enable, fetch.EnableParams{Patterns: patterns})
		return chromedp.Void{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// storedObjects returns the one submission's objects, decrypted by GnuPG.
func storedObjects(t *testing.T, ts *testServer, g *testenv.GPG, encryptedBy string) (intake.Manifest, [][]byte) {
	t.Helper()
	var plain [][]byte
	for _, msg := range storedMessages(t, ts, encryptedBy) {
		plain = append(plain, g.Decrypt(msg))
	}
	var m intake.Manifest
	if err := json.Unmarshal(plain[0], &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, plain[0])
	}
	return m, plain[1:]
}

// storedMessages returns the one submission's objects as OpenPGP
// messages, the manifest first.
func storedMessages(t *testing.T, ts *testServer, encryptedBy string) [][]byte {
	t.Helper()
	var id string
	ts.db.Raw("SELECT id FROM submissions WHERE encrypted_by = ?", encryptedBy).Scan(&id)
	var objects []struct {
		Kind       string
		BlobKey    string
		KeyPackets []byte
	}
	ts.db.Raw("SELECT kind, blob_key, key_packets FROM objects WHERE submission_id = ? ORDER BY position", id).Scan(&objects)
	if len(objects) < 2 || objects[0].Kind != intake.KindManifest {
		t.Fatalf("submission %q by %s has %d objects", id, encryptedBy, len(objects))
	}
	var messages [][]byte
	for _, o := range objects {
		rc, err := ts.deps.Blobs.Get(context.Background(), o.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := io.ReadAll(crypto.JoinMessage(o.KeyPackets, rc))
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		messages = append(messages, msg)
	}
	return messages
}

// checkManifest compares the manifest with what fillForm entered.
func checkManifest(t *testing.T, m intake.Manifest, name string, file []byte) {
	t.Helper()
	sum := sha256.Sum256(file)
	if len(m.Files) != 1 || m.Files[0].Name != name || m.Files[0].Size != int64(len(file)) || m.Files[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("manifest files = %+v", m.Files)
	}
	answers := map[string][]string{}
	for _, a := range m.Answers {
		answers[a.ID] = a.Values
	}
	want := map[string]string{"violation": "smuggling", "models": "h100", "quantity": "1200", "knowledge": "first_hand",
		"narrative": "H100 servers relabelled as routers. " + canary}
	for id, v := range want {
		if got := strings.Join(answers[id], ","); got != v {
			t.Errorf("manifest answer %s = %q, want %q", id, got, v)
		}
	}
	if len(m.Parties) != 1 || m.Parties[0].Name != "深圳市华芯科技有限公司" || m.Parties[0].Role != "distributor" || m.Parties[0].Country != "CN" {
		t.Errorf("manifest parties = %+v", m.Parties)
	}
	if m.Version != intake.ManifestVersion || m.Desk != intake.DefaultDeskSlug {
		t.Errorf("manifest version %d, desk %q", m.Version, m.Desk)
	}
}

// TestBrowserSubmission drives headless Chromium through both paths of the
// desk form: with JavaScript, which encrypts a 20 MiB file in the browser
// and uploads it in chunks through two dropped connections, and with
// JavaScript disabled, where the same
// form is posted and the server encrypts. Every stored object must decrypt
// with GnuPG to exactly what the browser had.
func TestBrowserSubmission(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	g := addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)
	files := t.TempDir()

	big := make([]byte, 20<<20)
	rand.Read(big)
	copy(big[1000:], canary)
	bigName := filepath.Join(files, "shipping-records.bin")
	small := []byte("%PDF-1.4 invoice " + canary + "\n")
	smallName := filepath.Join(files, "发票.pdf")
	for name, data := range map[string][]byte{bigName: big, smallName: small} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("JavaScript", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(browser)
		defer cancel()
		ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
		defer cancelTimeout()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/desk/export-controls?lang=en"),
			chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
		); err != nil {
			t.Fatalf("the script did not take over the form: %v", err)
		}
		screenshot(t, ctx, dir, "desk-form-en")
		drops := dropConnections(t, ctx)
		// Whether the progress was ever shown, recorded by the page: a
		// failure can hide it again before a poll from here would see it.
		if err := chromedp.Do(ctx,
			fillForm(bigName),
			chromedp.Evaluate[chromedp.Void](`(() => {
				const p = document.getElementById("js-progress");
				new MutationObserver(() => { if (!p.hidden) window.progressShown = true; }).observe(p, { attributes: true });
			})()`),
			chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
			chromedp.Poll[chromedp.Void](`window.progressShown === true`, chromedp.WithPollingInterval(10*time.Millisecond)),
		); err != nil {
			screenshot(t, ctx, dir, "desk-form-en-not-sent")
			t.Fatalf("no progress shown: %v (page says %q)", err, pageSays(ctx))
		}
		screenshot(t, ctx, dir, "desk-form-en-sending")
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.codename span`))); err != nil {
			screenshot(t, ctx, dir, "desk-form-en-failed")
			t.Fatalf("no codename: %v (page says %q)", err, pageSays(ctx))
		}
		page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(page, intake.T(intake.EN, "encrypted_by_browser")) {
			t.Errorf("the codename page does not say the browser encrypted:\n%s", page)
		}
		codename, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".codename")))
		if n := len(strings.Fields(codename)); n != crypto.CodenameWords {
			t.Errorf("codename shows %d words", n)
		}
		screenshot(t, ctx, dir, "codename-javascript-en")

		if got := drops.Load(); got != 2 {
			t.Errorf("%d connections dropped, want 2", got)
		}
		m, plain := storedObjects(t, ts, g, "browser")
		checkManifest(t, m, "shipping-records.bin", big)
		if len(plain) != 1 || !bytes.Equal(plain[0], big) {
			t.Error("the stored file does not decrypt to the 20 MiB the browser had")
		}
		infos, _ := ts.deps.Blobs.List(context.Background(), "uploads/")
		if len(infos) != 0 {
			t.Errorf("%d upload chunks left after the submission", len(infos))
		}
	})

	t.Run("NoJavaScript", func(t *testing.T) {
		ctx, cancel := chromedp.NewContext(browser)
		defer cancel()
		ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
		defer cancelTimeout()
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/desk/export-controls?lang=zh"),
			chromedp.WaitVisible(chromedp.ID("tip")),
		); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, dir, "desk-form-zh")
		if err := chromedp.Do(ctx,
			fillForm(smallName),
			chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.codename span`)),
		); err != nil {
			t.Fatalf("no codename: %v", err)
		}
		page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(page, intake.T(intake.ZH, "encrypted_by_server")) {
			t.Errorf("the codename page does not say the server encrypted:\n%s", page)
		}
		screenshot(t, ctx, dir, "codename-no-javascript-zh")

		m, plain := storedObjects(t, ts, g, "server")
		checkManifest(t, m, "发票.pdf", small)
		if len(plain) != 1 || !bytes.Equal(plain[0], small) {
			t.Error("the stored file does not decrypt to what the browser sent")
		}
	})

	ts.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	assertNoCanary(t, ts, filepath.Dir(ts.dbPath()), ts.blobDir)
}

// TestBrowserTamperedOpenPGPJS serves an OpenPGP.js that differs from the
// one the page pins by Subresource Integrity: the browser must refuse to
// run it, say that it could not encrypt, and send nothing.
func TestBrowserTamperedOpenPGPJS(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	u, err := ts.assets.url("vendor/openpgp/openpgp.min.mjs")
	if err != nil {
		t.Fatal(err)
	}
	hashed := strings.TrimPrefix(u, "/static/")
	f := ts.assets.files[hashed]
	f.body = append(bytes.Clone(f.body), "\nglobalThis.stolen = true;\n"...)
	ts.assets.files[hashed] = f
	base := serveTest(t, ts)

	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	defer cancelTimeout()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/desk/export-controls?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
		chromedp.SetValue(chromedp.ID("f-narrative"), canary),
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("js-failure")),
	); err != nil {
		t.Fatalf("no failure shown: %v", err)
	}
	screenshot(t, ctx, artifacts(t), "desk-form-en-failed")
	message, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("js-failure-message")))
	if message != intake.T(intake.EN, "encryption_failed") {
		t.Errorf("failure message = %q", message)
	}
	if offered, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("js-native").checkVisibility()`)); err != nil || !offered {
		t.Errorf("the failure box does not offer the form without browser encryption (%v)", err)
	}
	stolen, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`globalThis.stolen === true`))
	if err != nil || stolen {
		t.Errorf("the tampered module ran (%v)", err)
	}
	assertNothingKept(t, ts)
}

// pageSays returns what a failed submission's page tells the source: the
// failure box's message, or else the text of the form's main element
// (answers marked as needing correction, a page the server answered).
func pageSays(ctx context.Context) string {
	said, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const failure = document.getElementById("js-failure");
		if (failure && !failure.hidden) return failure.innerText;
		return document.querySelector("main")?.innerText ?? document.body.innerText;
	})()`))
	if err != nil {
		return err.Error()
	}
	return said
}

// waitTrue evaluates the JavaScript expression until it is true, for up to
// browserTimeout. Unlike chromedp.Poll it retries when an evaluation fails
// because a form's navigation replaced the page in between ("Cannot find
// context with specified id"), which happens under load.
func waitTrue(ctx context.Context, expr string) error {
	deadline := time.Now().Add(browserTimeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if err == nil {
				err = errors.New("still false")
			}
			return fmt.Errorf("waiting for %s: %w", expr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
