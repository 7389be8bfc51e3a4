package server

import (
	"context"
	"encoding/base64"
	"fmt"
	mathbits "math/bits"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
)

// TestBrowserSolvePow runs the page's proof-of-work solver (solvePow in
// static/js/hash.js) in Chromium and checks that it finds the counters the
// server's own solver finds, for tokens whose counter falls in one block,
// in two, and across the boundary of the two, from 0 or from powStart (the
// solver lays out the last blocks itself instead of hashing the whole
// input each try).
func TestBrowserSolvePow(t *testing.T) {
	ts := newTestServer(t)
	base := serveTest(t, ts)
	ctx := newBrowser(t)
	module, err := ts.assets.url("js/hash.js")
	if err != nil {
		t.Fatal(err)
	}
	// The desk page is one whose policy lets the page run scripts.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/desk/export-controls")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		token string
		bits  int // the difficulty: 2^bits tries in all
	}{
		{"short token, one block", "abc", 13},
		{"an API token, counters from 10^14", powToken(41), 17},
		{"digits across the block boundary", strings.Repeat("x", 60), 15},
		{"a whole block of token first", powToken(72), 16},
		{"room for nine digits", strings.Repeat("y", 119), 15},
		{"room for ten digits, counters from 0", strings.Repeat("z", 54), 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := intake.PowChallenge{Token: tc.token, Bits: tc.bits}.Solve().Counters
			each := tc.bits - mathbits.Len(intake.PowSolutions-1) // the zero bits of each counter
			script := fmt.Sprintf(`import(%q).then((m) => m.solvePow(%q, %d, %d, async () => {}))`, module, tc.token, each, intake.PowSolutions)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[[]uint64](script, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("solvePow(%q, %d, %d) = %v, the server's solver finds %v", tc.token, each, intake.PowSolutions, got, want)
			}
		})
	}
}

// TestBrowserProofsByUrgency: proofs of work asked for at once take turns
// in the worker by urgency (crypto-worker.js), so that a file's proof
// chosen while the submission's is being solved is solved first: its
// upload waits for it, and the submission's is needed last. Before, the
// worker finished the proof it had started first. Both come out as the
// server's own solver finds them.
func TestBrowserProofsByUrgency(t *testing.T) {
	ctx := deskFormTab(t, newTestServer(t))
	submission := intake.PowChallenge{Token: powToken(41), Bits: 22} // about 4 million tries
	file := intake.PowChallenge{Token: powToken(42), Bits: 13}
	each := func(c intake.PowChallenge) int { return c.Bits - mathbits.Len(intake.PowSolutions-1) }
	script := fmt.Sprintf(`(async () => {
		const form = document.getElementById("tip");
		const { startWorker } = await import(form.dataset.worker);
		const worker = await startWorker(form.dataset.worker, [form.dataset.hash]);
		const done = [];
		const solve = (name, token, bits, urgency) => worker.call("pow", { token, bits, solutions: %[5]d, urgency })
			.then((counters) => done.push({ name, counters }));
		const submission = solve("submission", %[1]q, %[2]d, 0);
		await new Promise((resolve) => setTimeout(resolve, 50));
		await Promise.all([submission, solve("file", %[3]q, %[4]d, 137363456)]);
		worker.terminate();
		return done;
	})()`, submission.Token, each(submission), file.Token, each(file), intake.PowSolutions)
	done, err := chromedp.Run(ctx, chromedp.Evaluate[[]struct {
		Name     string
		Counters []uint64
	}](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 2 || done[0].Name != "file" {
		t.Fatalf("solved in the order %+v, want the file's first", done)
	}
	for i, c := range []intake.PowChallenge{file, submission} {
		if want := c.Solve().Counters; !slices.Equal(done[i].Counters, want) {
			t.Errorf("the %s's counters = %v, the server's solver finds %v", done[i].Name, done[i].Counters, want)
		}
	}
}

// deskFormTab serves ts, with a desk key so that the desk form loads the
// page's workers, and returns a tab of a new browser showing the form,
// which ends after browserTimeout.
func deskFormTab(t *testing.T, ts *testServer) context.Context {
	t.Helper()
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	ctx, cancel := context.WithTimeout(newBrowser(t), browserTimeout)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/desk/export-controls?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
	); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// powToken is a token of the API's form: n bytes, base64url without padding.
func powToken(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*37 + 11)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestBrowserProofsSolvedAhead: the desk form solves its proofs of work
// while the source fills it in (Proofs, in submit.js), so that pressing
// the button starts the upload at once: the challenges for the
// submission, the manifest and the file chosen are all asked for before
// the button is pressed, and none after, and the tip goes through.
func TestBrowserProofsSolvedAhead(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	file := filepath.Join(t.TempDir(), "manifest.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 bill of lading "+canary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	const challenges = `performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/v1/pow")).map((e) => e.startTime)`
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/desk/export-controls?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`form[data-encrypt="browser"]`)),
		fillForm(file),
		// The submission's, the manifest's and the file's.
		chromedp.Poll[chromedp.Void](challenges+`.length >= 3`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)),
	); err != nil {
		t.Fatal(err)
	}
	pressed, err := chromedp.Run(tab, chromedp.Evaluate[float64](`performance.now()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.codename span`)),
	); err != nil {
		t.Fatal(err)
	}
	starts, err := chromedp.Run(tab, chromedp.Evaluate[[]float64](challenges))
	if err != nil {
		t.Fatal(err)
	}
	var after int
	for _, s := range starts {
		if s > pressed {
			after++
		}
	}
	if after > 0 {
		t.Errorf("%d of %d challenges were asked for after the button was pressed, want none", after, len(starts))
	}
	var n int64
	ts.db.Raw("SELECT count(*) FROM submissions WHERE encrypted_by = ?", "browser").Scan(&n)
	if n != 1 {
		t.Errorf("%d submissions encrypted by the browser, want 1", n)
	}
}

// TestBrowserProofsSolvedTogether: the encrypting worker helps solve a
// file's proof of work (WorkerClient.solveTogether, crypto-worker.js)
// from counters of its own, far above the solver's. The counters of the
// two, in increasing order, answer the server's challenge; a proof is
// stopped at stopPow, with the counters found so far.
func TestBrowserProofsSolvedTogether(t *testing.T) {
	ts := newTestServer(t)
	ts.intake.PowBits = intake.DefaultPowBits // a file's proof as in production: about 2^20 tries
	ctx := deskFormTab(t, ts)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(async () => {
		const form = document.getElementById("tip");
		const { startWorker } = await import(form.dataset.worker);
		window.workers = await Promise.all([0, 1].map(() => startWorker(form.dataset.worker, [form.dataset.hash])));
	})()`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	solveTogether := func(t *testing.T, c intake.PowChallenge) []uint64 {
		t.Helper()
		counters, err := chromedp.Run(ctx, chromedp.Evaluate[[]uint64](fmt.Sprintf(
			`window.workers[0].solveTogether(window.workers[1], { token: %q, bits: %d, solutions: %d, urgency: 1 })`,
			c.Token, c.SolutionBits, c.Solutions), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return counters
	}
	const (
		start        uint64 = 1e14 // the solver's first counter for an API token (powStart)
		helperOffset uint64 = 4e14 // HELPER_OFFSET in crypto-worker.js
	)

	t.Run("AnswersTheServer", func(t *testing.T) {
		const size = 128 << 20
		var c intake.PowChallenge
		path := fmt.Sprintf("/api/v1/pow?desk=%s&size=%d", intake.DefaultDeskSlug, size)
		if code := apiCall(t, ts, http.MethodGet, path, "", nil, &c); code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, code)
		}
		pow := intake.Pow{Token: c.Token, Counters: solveTogether(t, c)}
		if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": size, "pow": pow}, nil); code != http.StatusCreated {
			t.Errorf("upload session opened with the counters %v = %d, want 201", pow.Counters, code)
		}
	})

	t.Run("BothWorkersFind", func(t *testing.T) {
		// 32 counters of 12 bits each: the chance that one worker alone
		// finds them all, both running, is 2^-31.
		c := intake.PowChallenge{Token: powToken(41), SolutionBits: 12, Solutions: 32}
		counters := solveTogether(t, c)
		var helped int
		for i, counter := range counters {
			if zeros := leadingZeros(c.Token, counter); zeros < c.SolutionBits || counter < start || counter >= 1e15 || i > 0 && counter <= counters[i-1] {
				t.Fatalf("counter %d of %v: %d zero bits, want increasing counters from %d below 10^15 of %d zero bits", i, counters, zeros, start, c.SolutionBits)
			}
			if counter >= start+helperOffset {
				helped++
			}
		}
		if len(counters) != c.Solutions || helped == 0 || helped == len(counters) {
			t.Errorf("%d counters, %d of them the helper's: want %d from both workers", len(counters), helped, c.Solutions)
		}
	})

	t.Run("Stops", func(t *testing.T) {
		// 2^30 tries for each counter: never found within the test, unless
		// the proof stops.
		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]uint64](fmt.Sprintf(`(async () => {
			const [worker] = window.workers;
			const job = worker.job(() => {});
			const solving = worker.call("pow", { token: %q, bits: 30, solutions: 8, job });
			await new Promise((resolve) => setTimeout(resolve, 300));
			await worker.call("stopPow", { job });
			return solving;
		})()`, powToken(41)), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if len(found) >= 8 {
			t.Errorf("stopped proof found %v", found)
		}
	})
}
