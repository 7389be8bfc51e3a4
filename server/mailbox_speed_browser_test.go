package server

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserLargeFollowUpResponsive sends a 48 MiB file from the mailbox
// with JavaScript: the file is encrypted and hashed in workers
// (crypto-worker.js), as on the desk form, so no main-thread task may run
// longer than 200 ms. On the page's thread, as mailbox.js did before, the
// page froze while it encrypted. The server must have stored the file.
func TestBrowserLargeFollowUpResponsive(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	ts.deps.Config.MaxFormUpload = 128 << 20
	addGPGKey(t, ts)
	sub, codename := submitForCodename(t, ts, noJSForm("rows"))
	base := serveTest(t, ts)
	file, _ := writeLargeFile(t, "ledger.bin", 48<<20)
	var before int
	ts.db.Raw("SELECT count(*) FROM objects WHERE submission_id = ? AND kind = 'file'", sub).Scan(&before)

	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	defer cancelTimeout()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/mailbox?lang=en"),
		chromedp.WaitVisible(chromedp.ID("codename")),
		chromedp.SetValue(chromedp.ID("codename"), codename),
		chromedp.Click(chromedp.CSS(`form.login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#followup[data-encrypt=browser]`)),
		chromedp.SetValue(chromedp.ID("message"), "The ledger of the second shipment."),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{file}),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const watch = window.watch = { longTasks: [], start: performance.now() };
			new PerformanceObserver((list) => {
				for (const e of list.getEntries()) {
					if (e.startTime + e.duration >= watch.start) watch.longTasks.push(e.duration);
				}
			}).observe({ type: "longtask", buffered: true });
		})()`),
		chromedp.Click(chromedp.CSS(`#followup button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
	); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		t.Fatalf("follow-up with a large file: %v\n%s", err, msg)
	}
	longTasks, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`window.watch.longTasks`))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range longTasks {
		if d > longTaskLimit {
			t.Errorf("a main-thread task ran %.0f ms, longer than %d ms (all long tasks: %v)", d, longTaskLimit, longTasks)
			break
		}
	}
	var after int
	var largest int64
	ts.db.Raw("SELECT count(*) FROM objects WHERE submission_id = ? AND kind = 'file'", sub).Scan(&after)
	ts.db.Raw("SELECT max(body_size) FROM objects WHERE submission_id = ?", sub).Scan(&largest)
	if after != before+1 || largest < 48<<20 {
		t.Errorf("files of the submission: %d before, %d after, the largest of %d bytes; want one more of 48 MiB", before, after, largest)
	}
}
