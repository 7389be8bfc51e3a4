package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
)

// TestBrowserUploadsBusyOffersForm: with the upload sessions at their cap
// (an attacker opening sessions), a source with JavaScript is told at once,
// in their language, that their browser could not start sending, and is
// offered the form without browser encryption, which opens no session;
// pressing it sends the tip, and the codename page follows.
func TestBrowserUploadsBusyOffersForm(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	ts.intake.Uploads.MaxSessions = 1
	if code := apiJSON(t, ts, http.MethodPost, "/api/v1/uploads", map[string]any{"desk": intake.DefaultDeskSlug, "size": 1000, "pow": solveUploadPow(t, ts, 1000)}, nil); code != http.StatusCreated {
		t.Fatalf("the session that fills the cap = %d", code)
	}
	base := serveTest(t, ts)
	dir := artifacts(t)
	file := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 invoice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
		t.Run(string(lang), func(t *testing.T) {
			tab, cancel := chromedp.NewContext(browser)
			defer cancel()
			tab, cancelTimeout := context.WithTimeout(tab, 2*browserTimeout)
			defer cancelTimeout()
			setWidth(t, tab, 390)
			w := &sourceWalk{t: t, tab: tab, ts: ts, base: base, lang: lang, javaScript: true}
			w.openDesk()
			w.do("send the form",
				fillForm(file),
				chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
				chromedp.WaitVisible(chromedp.ID("js-failure")),
			)
			if message := evalString(t, tab, `document.getElementById("js-failure-message").textContent`); message != intake.T(lang, "error_uploads_busy") {
				t.Errorf("failure message = %q, want %q", message, intake.T(lang, "error_uploads_busy"))
			}
			for _, width := range []int64{390, 1280} {
				setWidth(t, tab, width)
				screenshot(t, tab, dir, fmt.Sprintf("desk-uploads-busy-%s-%d", lang, width))
			}
			w.do("send without browser encryption",
				chromedp.WaitVisible(chromedp.ID("js-native")),
				chromedp.Click(chromedp.ID("js-native")),
				chromedp.WaitVisible(chromedp.CSS(`.codename span`)),
			)
			screenshot(t, tab, dir, fmt.Sprintf("desk-uploads-busy-sent-%s-1280", lang))
		})
	}
}
