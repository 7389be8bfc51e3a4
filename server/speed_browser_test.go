package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// largeSubmission is the size of the file of the speed test and benchmark
// of the JavaScript path (issue #14).
const largeSubmission = 128 << 20

// longTaskLimit is the longest main-thread task a page may run while it
// encrypts, uploads or decrypts: beyond it, the page stops answering.
const longTaskLimit = 200 // ms

// pageWatch is what watchPage recorded in a tab: the main-thread tasks
// longer than 50 ms (Long Tasks API) since start, the successive values of
// the two progress bars as fractions, and the milliseconds from start to
// the codename.
type pageWatch struct {
	LongTasks []float64 `json:"longTasks"`
	Encrypt   []float64 `json:"encrypt"`
	Upload    []float64 `json:"upload"`
	Elapsed   float64   `json:"elapsed"`
}

// watchPageScript starts the recording of a pageWatch in window.watch:
// long tasks from when the submit button is pressed, each change of the
// progress bars' values, and the time the codename appears.
const watchPageScript = `(() => {
	const watch = window.watch = { longTasks: [], encrypt: [], upload: [], start: 0, elapsed: 0 };
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) {
			if (watch.start && e.startTime + e.duration >= watch.start) watch.longTasks.push(e.duration);
		}
	}).observe({ type: "longtask", buffered: true });
	for (const [id, key] of [["js-encrypt", "encrypt"], ["js-upload", "upload"]]) {
		const bar = document.getElementById(id);
		new MutationObserver(() => {
			const values = watch[key];
			const v = bar.value / bar.max;
			if (values[values.length - 1] !== v) values.push(v);
		}).observe(bar, { attributes: true });
	}
	document.querySelector("#tip > button[type=submit]").addEventListener("click", () => {
		watch.start = performance.now();
	}, { capture: true });
	new MutationObserver((_, observer) => {
		if (document.querySelector(".codename span")) {
			watch.elapsed = performance.now() - watch.start;
			observer.disconnect();
		}
	}).observe(document.body, { childList: true, subtree: true });
})()`

// submitWatched fills the desk form in tab with file, presses submit with
// JavaScript on, waits for the codename and returns what the page
// recorded meanwhile.
func submitWatched(tb testing.TB, tab context.Context, base, file string) pageWatch {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/desk/export-controls?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
		fillForm(file),
		chromedp.Evaluate[chromedp.Void](watchPageScript),
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
	); err != nil {
		tb.Fatalf("send the form: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.codename span`))); err != nil {
		failure, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("js-failure-message")?.textContent ?? ""`))
		tb.Fatalf("no codename: %v (page says %q)", err, failure)
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[pageWatch](`window.watch`))
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// writeLargeFile writes size pseudo-random bytes (incompressible, as
// evidence mostly is) to a new file and returns its path and SHA-256.
func writeLargeFile(tb testing.TB, name string, size int64) (string, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	h := sha256.New()
	_, err = io.CopyN(io.MultiWriter(f, h), rand.NewChaCha8([32]byte{14}), size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	return path, hex.EncodeToString(h.Sum(nil))
}

// TestBrowserLargeSubmissionResponsive sends a 128 MiB file with
// JavaScript and watches the page meanwhile: no main-thread task may run
// longer than 200 ms (the encryption, the hashing and the proofs of work
// run in workers, crypto-worker.js), and both progress bars must move,
// through several increasing values, before the codename. Issue #14 found
// the page frozen for over 60 s, its longest task 1.8 s, with encryption
// on the main thread. The stored file must decrypt to the one chosen, and
// its SHA-256 be the manifest's. Both ways the worker encrypts are
// watched: the file held in memory whole, and streamed on a device that
// says it has too little memory for that (wholeFileLimit, in
// crypto-worker.js).
func TestBrowserLargeSubmissionResponsive(t *testing.T) {
	browser := newBrowser(t)
	file, sum := writeLargeFile(t, "ledger.bin", largeSubmission)
	for _, tc := range []struct {
		name string
		// deviceMemory is what the page reads as navigator.deviceMemory
		// (GiB), 0 for the browser's own (8 in headless Chromium).
		deviceMemory float64
		// literal is how gpg --list-packets gives the stored file's
		// literal data packet's length.
		literal string
	}{
		// Held in memory whole: one definite length.
		{"held whole", 0, fmt.Sprintf("raw data: %d bytes", largeSubmission)},
		// A device of 256 MiB holds files of up to 8 MiB whole: this
		// one streams, in partial lengths.
		{"streamed, on a device with little memory", 0.25, "raw data: unknown length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t)
			g := addGPGKey(t, ts)
			base := serveTest(t, ts)

			tab, cancel := chromedp.NewContext(browser)
			defer cancel()
			if tc.deviceMemory > 0 {
				script := fmt.Sprintf(`Object.defineProperty(Navigator.prototype, "deviceMemory", { get: () => %g })`, tc.deviceMemory)
				if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script}); err != nil {
					t.Fatal(err)
				}
			}
			w := submitWatched(t, tab, base, file)

			for _, d := range w.LongTasks {
				if d > longTaskLimit {
					t.Errorf("a main-thread task ran %.0f ms, longer than %d ms (all long tasks: %v)", d, longTaskLimit, w.LongTasks)
					break
				}
			}
			for _, bar := range []struct {
				name   string
				values []float64
			}{{"encryption", w.Encrypt}, {"upload", w.Upload}} {
				var steps int // increases strictly below the full bar
				for i := 1; i < len(bar.values); i++ {
					if bar.values[i] < bar.values[i-1] {
						t.Errorf("the %s bar went back from %.3f to %.3f", bar.name, bar.values[i-1], bar.values[i])
					}
					if bar.values[i] > bar.values[i-1] && bar.values[i] < 1 {
						steps++
					}
				}
				if steps < 5 {
					t.Errorf("the %s bar moved through %d values before it was full, want at least 5: %v", bar.name, steps, bar.values)
				}
			}

			m, plain := storedObjects(t, ts, g, "browser")
			if len(m.Files) != 1 || m.Files[0].SHA256 != sum {
				t.Fatalf("manifest files = %+v, want the one file of SHA-256 %s", m.Files, sum)
			}
			if len(plain) != 1 || fmt.Sprintf("%x", sha256.Sum256(plain[0])) != sum {
				t.Error("the stored file does not decrypt to the 128 MiB the browser had")
			}
			if packets := g.ListPackets(storedMessages(t, ts, "browser")[1]); !strings.Contains(packets, tc.literal) {
				t.Errorf("the stored file's packets do not say %q:\n%s", tc.literal, packets)
			}
		})
	}
}

// TestBrowserTamperedWorkerModules serves, one at a time, a module of the
// encryption worker that differs from the one the page pins by
// Subresource Integrity: the worker's own script, and hash.js, which
// only the worker imports (it solves the proofs of work and hashes the
// files). A worker's script and its imports cannot carry integrity
// values, so the page and the worker check each file against its pinned
// hash before they run it: the page must say that it could not encrypt,
// and nothing may be sent.
func TestBrowserTamperedWorkerModules(t *testing.T) {
	browser := newBrowser(t)
	for _, module := range []string{"js/crypto-worker.js", "js/hash.js", "js/seipd.js", "vendor/openpgp/openpgp.min.mjs"} {
		t.Run(module, func(t *testing.T) {
			ts := newTestServer(t)
			addGPGKey(t, ts)
			u, err := ts.assets.url(module)
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
			message, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("js-failure-message")))
			if message != intake.T(intake.EN, "encryption_failed") {
				t.Errorf("failure message = %q", message)
			}
			if stolen, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`globalThis.stolen === true`)); err != nil || stolen {
				t.Errorf("the tampered module ran in the page (%v)", err)
			}
			assertNothingKept(t, ts)
		})
	}
}

// largeDownload is the size of the file of the decryption test: as large
// as a file is decrypted into memory (casework.js decrypts files from 64
// MiB straight to a file the investigator picks, a dialog a test cannot
// answer).
const largeDownload = 48 << 20

// TestBrowserLargeDownloadResponsive: an investigator decrypts and saves a
// 48 MiB file of a tip. The download, the decryption and the hashing run
// in a worker (crypto-worker.js): no main-thread task may run longer than
// 200 ms meanwhile, the status shows the progress, and the saved file is
// the one the source sent.
func TestBrowserLargeDownloadResponsive(t *testing.T) {
	chromium := newBrowser(t)
	ts, secret := newStaffTestServer(t)
	ts.deps.Config.MaxFormUpload = 2 * largeDownload
	pub, priv, _, err := crypto.GenerateKey("Investigator", "", []byte("pass phrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.intake.Desks.AddKey(context.Background(), intake.DefaultDeskSlug, pub); err != nil {
		t.Fatal(err)
	}
	file, sum := writeLargeFile(t, "ledger.bin", largeDownload)
	evidence, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, noJSForm(string(evidence)))
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")

	ctx, cancel := chromedp.NewContext(chromium)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 10*time.Minute)
	defer cancelTimeout()
	code, err := casework.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SetValue(chromedp.ID("login-email"), "ana@example.org"),
		chromedp.SetValue(chromedp.ID("login-password"), staffPassword),
		chromedp.SetValue(chromedp.ID("login-totp"), code),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS("nav.cw-nav")),
		chromedp.Navigate(base+"/submissions/"+sub),
		chromedp.WaitVisible(chromedp.ID("key-armored")),
		chromedp.SetValue(chromedp.ID("key-armored"), string(priv)),
		chromedp.Click(chromedp.ID("key-save")),
		chromedp.WaitVisible(chromedp.ID("key-passphrase")),
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.ID("decrypt-run")),
		chromedp.WaitVisible(chromedp.ID("decrypted")),
	); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decrypt-error")?.textContent ?? ""`))
		t.Fatalf("log in and decrypt the tip: %v (%q)", err, msg)
	}
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`(() => {
			const watch = window.watch = { longTasks: [], statuses: [], start: performance.now() };
			new PerformanceObserver((list) => {
				for (const e of list.getEntries()) {
					if (e.startTime + e.duration >= watch.start) watch.longTasks.push(e.duration);
				}
			}).observe({ type: "longtask", buffered: true });
			const status = document.getElementById("decrypt-status");
			new MutationObserver(() => watch.statuses.push(status.textContent))
				.observe(status, { childList: true, characterData: true, subtree: true });
		})()`),
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.CSS(`#files li:last-child button`)),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitTrue(ctx, `document.getElementById("decrypt-status").textContent === "Decrypted manifest.xlsx." || !document.getElementById("decrypt-error").hidden`); err != nil {
		t.Fatalf("decrypt and save: %v", err)
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decrypt-error").hidden ? "" : document.getElementById("decrypt-error").textContent`)); msg != "" {
		t.Fatalf("decrypt and save: %s", msg)
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
		LongTasks []float64 `json:"longTasks"`
		Statuses  []string  `json:"statuses"`
	}](`window.watch`))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range w.LongTasks {
		if d > longTaskLimit {
			t.Errorf("a main-thread task ran %.0f ms, longer than %d ms (all long tasks: %v)", d, longTaskLimit, w.LongTasks)
			break
		}
	}
	if len(w.Statuses) < 4 {
		t.Errorf("the status showed %q while 48 MiB were decrypted, want the progress in several steps", w.Statuses)
	}
	saved := filepath.Join(downloads, "manifest.xlsx")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		b, err := os.ReadFile(saved)
		if err == nil && fmt.Sprintf("%x", sha256.Sum256(b)) == sum {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("saved file %s: %d bytes, %v; want the 48 MiB the source sent", saved, len(b), err)
		}
	}
}

// BenchmarkBrowserSubmission measures the JavaScript path in one Chromium
// run: a 128 MiB file from pressing submit to the codename (proofs of work
// and codename derivations at the production cost, encryption, upload,
// commit, with identities made ahead as serve does), then, on the
// same desk page, the raw speed of OpenPGP.js on the same file (openpgp.encrypt
// of its bytes to the same key, on the page's thread, as the issue timed
// it), and their ratio (x-openpgpjs; issue #14 asks for at least 0.6). It
// also reports the longest main-thread task during the submission and the
// time the solver would take, on average, for the proofs of work of one
// such submission (the budget is about 2 s for all of them together).
//
//	TIPLINE_TEST_CMD='go test -run "^$" -bench BrowserSubmission -benchtime 3x ./server/' bash scripts/test.sh bench
func BenchmarkBrowserSubmission(b *testing.B) {
	browser := newBrowser(b)
	ts := newTestServer(b)
	// As serve runs: proofs of work and codename derivations at the
	// production difficulty, identities made ahead.
	ts.intake.PowBits = intake.DefaultPowBits
	ts.intake.CodenameParams = crypto.DefaultCodenameParams
	ts.intake.IdentitiesAhead = intake.DefaultIdentitiesAhead
	ts.intake.MakeIdentitiesAhead()
	addGPGKey(b, ts)
	base := serveTest(b, ts)
	file, _ := writeLargeFile(b, "ledger.bin", largeSubmission)

	var submit, raw time.Duration
	var longest float64
	b.SetBytes(largeSubmission)
	b.ResetTimer()
	for range b.N {
		// Each tip comes to a node that is not busy: the identities
		// made ahead are ready (and the raw encryption below does not
		// share the cores with their derivations).
		b.StopTimer()
		testenv.WaitIdentitiesAhead(b, ts.intake.IdentitiesReady, ts.intake.IdentitiesAhead)
		b.StartTimer()
		tab, cancel := chromedp.NewContext(browser)
		w := submitWatched(b, tab, base, file)
		submit += time.Duration(w.Elapsed * float64(time.Millisecond))
		for _, d := range w.LongTasks {
			longest = max(longest, d)
		}
		cancel()
		testenv.WaitIdentitiesAhead(b, ts.intake.IdentitiesReady, ts.intake.IdentitiesAhead)
		raw += time.Duration(rawEncryptMillis(b, browser, base, file) * float64(time.Millisecond))
	}
	b.StopTimer()
	mb := float64(largeSubmission) * float64(b.N) / 1e6
	b.ReportMetric(mb/submit.Seconds(), "tipline-MB/s")
	b.ReportMetric(mb/raw.Seconds(), "openpgpjs-MB/s")
	b.ReportMetric(raw.Seconds()/submit.Seconds(), "x-openpgpjs")
	b.ReportMetric(longest, "longest-task-ms")
	rate := powHashRate(b, browser, base)
	for _, sub := range []struct {
		unit string
		size int64
	}{{"pow-128MiB-ms", largeSubmission}, {"pow-1MiB-ms", 1 << 20}} {
		b.ReportMetric(submissionPowHashes(sub.size)/rate*1000, sub.unit)
	}
}

// rawEncryptMillis times openpgp.encrypt, in a new tab of browser on the
// desk form with file chosen, of the whole file read into memory, to the
// desk's key, and returns the milliseconds it took.
func rawEncryptMillis(tb testing.TB, browser context.Context, base, file string) float64 {
	tb.Helper()
	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, 5*time.Minute)
	defer cancelTimeout()
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/desk/export-controls?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
		chromedp.SetUploadFiles(chromedp.ID("f-evidence"), []string{file}),
	); err != nil {
		tb.Fatal(err)
	}
	ms, err := chromedp.Run(tab, chromedp.Evaluate[float64](`(async () => {
		const openpgp = await import(document.getElementById("tip").dataset.openpgp);
		const desk = await (await fetch("/api/v1/desks/export-controls")).json();
		const encryptionKeys = await Promise.all(desk.keys.map((k) => openpgp.readKey({ armoredKey: k.armored })));
		const bytes = new Uint8Array(await document.getElementById("f-evidence").files[0].arrayBuffer());
		const start = performance.now();
		const message = await openpgp.createMessage({ binary: bytes, format: "binary", date: new Date(0) });
		await openpgp.encrypt({ message, encryptionKeys, format: "binary" });
		return performance.now() - start;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatal(err)
	}
	return ms
}

// powHashRate returns how many proof-of-work tries per second the page's
// solver makes in a worker (crypto-worker.js) of browser, from challenges
// of 20 bits.
func powHashRate(tb testing.TB, browser context.Context, base string) float64 {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelTimeout()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/desk/export-controls?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
	); err != nil {
		tb.Fatal(err)
	}
	rate, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(async () => {
			const form = document.getElementById("tip");
			const { startWorker } = await import(form.dataset.worker);
			const { powStart } = await import(form.dataset.hash);
			const pow = await startWorker(form.dataset.worker, [form.dataset.hash]);
			let tries = 0;
			const start = performance.now();
			for (let i = 0; i < 8; i++) {
				// A token as long as the API's, whose counters start past 0.
				const token = "rate-" + i + "-" + "x".repeat(48);
				const [counter] = await pow.call("pow", { token, bits: 20, solutions: 1 });
				tries += 1 + counter - powStart(token.length);
			}
			const rate = tries / ((performance.now() - start) / 1000);
			pow.terminate();
			return rate;
		})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatal(err)
	}
	return rate
}

// submissionPowHashes is the number of tries the proofs of work of one
// submission of a file of size bytes take on average with the production
// difficulty on a quiet desk: the file's upload session, the manifest's
// upload session and the submission (2^bits tries each, on average).
func submissionPowHashes(size int64) float64 {
	declared := size + size/64 + 1<<20 // maxMessageBytes in submit.js
	bits := []int{
		intake.DefaultPowBits + intake.SizePowBits(declared),
		intake.DefaultPowBits, // the manifest: a few KiB
		intake.DefaultPowBits,
	}
	var n float64
	for _, b := range bits {
		n += float64(uint64(1) << b)
	}
	return n
}
