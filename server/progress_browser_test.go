package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
)

// TestBrowserProgressAnnouncedAndStorageFull: with JavaScript, the status of
// a submission in progress is a live region that is in the page, visible to
// screen readers and empty, from the start, so that its first message is
// announced (issue 12 found it inside the hidden progress box, which a
// screen reader meets only when it is shown already filled). When the
// intake's storage fills up while the source's files upload, the source
// reads the server's own plain message in the page's language, not
// "Something went wrong" with the English message in brackets (submit.js
// did not send the page's language to the API).
func TestBrowserProgressAnnouncedAndStorageFull(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	ts.deps.Config.MaxFormUpload = 8 << 20
	ts.intake.Limits.CommittedBytesPerHour = 1 // one tip fills the hour's storage
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)
	file := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 invoice\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
		t.Run(string(lang), func(t *testing.T) {
			ts.db.Exec("DELETE FROM rate_limits") // a new hour: room for one tip
			tab, cancel := chromedp.NewContext(browser)
			defer cancel()
			tab, cancelTimeout := context.WithTimeout(tab, 2*browserTimeout)
			defer cancelTimeout()
			setWidth(t, tab, 390) // the tab's first action, which opens it for the whole subtest
			w := &sourceWalk{t: t, tab: tab, ts: ts, base: base, lang: lang, javaScript: true}
			w.openDesk()

			region := evalString(t, tab, `(() => {
				const s = document.getElementById("js-status");
				if (!s) return "missing";
				return [s.getAttribute("aria-live"), s.getAttribute("role"), s.closest("[hidden]") ? "hidden" : "shown", s.textContent === "" ? "empty" : "filled"].join(" ");
			})()`)
			if want := "polite status shown empty"; region != want {
				t.Errorf("at page load the status region is %q, want %q", region, want)
			}
			// Every text the region is given, in order, from before the
			// source presses the button.
			w.do("watch the status region", chromedp.Evaluate[chromedp.Void](`(() => {
				window.statusTexts = [];
				const s = document.getElementById("js-status");
				new MutationObserver(() => { if (s.textContent) window.statusTexts.push(s.textContent); })
					.observe(s, { childList: true, characterData: true, subtree: true });
			})()`))
			ctype, body := multipartBody(t, noJSForm("rows"))
			other := make(chan int, 1)
			holdCommit(t, tab, func() { other <- postOtherTip(ts, ctype, body) })
			w.do("send the form",
				fillForm(file),
				chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
				chromedp.WaitVisible(chromedp.ID("js-failure")),
			)
			if code := <-other; code != http.StatusOK {
				t.Fatalf("the other tip that fills the storage = %d", code)
			}
			for _, width := range []int64{390, 1280} {
				setWidth(t, tab, width)
				screenshot(t, tab, dir, fmt.Sprintf("desk-storage-full-%s-%d", lang, width))
			}

			if first := evalString(t, tab, `window.statusTexts[0] ?? ""`); first != intake.T(lang, "working") {
				t.Errorf("the status region first said %q, want %q", first, intake.T(lang, "working"))
			}
			if said := evalString(t, tab, `window.statusTexts.join(" | ")`); said == intake.T(lang, "working") {
				t.Errorf("the status region said only %q while the tip was encrypted and sent", said)
			}
			if message := evalString(t, tab, `document.getElementById("js-failure-message").textContent`); message != intake.T(lang, "error_storage_full") {
				t.Errorf("failure message = %q, want the server's %q", message, intake.T(lang, "error_storage_full"))
			}
			// The form without browser encryption would meet the same
			// refusal: it is not offered.
			if offered := evalString(t, tab, `String(document.getElementById("js-native").checkVisibility())`); offered != "false" {
				t.Error("the failure box offers to send without browser encryption, which storage full refuses too")
			}
			if status := evalString(t, tab, `document.getElementById("js-status").textContent`); status != "" {
				t.Errorf("the status still says %q after the failure", status)
			}
		})
	}
}

// postOtherTip commits another source's tip without JavaScript, a
// multipart body of type ctype, and returns the status of the answer.
func postOtherTip(ts *testServer, ctype string, body io.Reader) int {
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang=en", body)
	r.Header.Set("Content-Type", ctype)
	return ts.do("intake", r).Code
}

// holdCommit holds the tab's commit request (POST /api/v1/submissions), as
// a slow circuit would, until meanwhile has run; then the request goes on
// to the server unchanged.
func holdCommit(t *testing.T, ctx context.Context, meanwhile func()) {
	t.Helper()
	holdRequests(t, ctx, "*/api/v1/submissions*", meanwhile)
}

// holdRequests holds each of the tab's requests whose URL matches pattern
// until meanwhile has run, one request at a time; then the request goes on
// to the server unchanged.
func holdRequests(t *testing.T, ctx context.Context, pattern string, meanwhile func()) {
	t.Helper()
	interceptRequests(t, ctx, []*fetch.RequestPattern{{URLPattern: pattern}}, func(ctx context.Context, id fetch.RequestID, _ string) {
		meanwhile()
		chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
	})
}
