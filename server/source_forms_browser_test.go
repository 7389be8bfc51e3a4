package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// noScriptTab opens a tab with JavaScript off, as Tor Browser at "Safest".
func noScriptTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancelTimeout)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// phoneHeight loads a page at a phone's width (390 CSS pixels), saves a
// full-page screenshot and returns the page's height in CSS pixels.
func phoneHeight(t *testing.T, ctx context.Context, url, dir, name string) int64 {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	h, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, dir, name)
	return h
}

// TestBrowserDeskOnPhone is the reproduction of issue 12's phone problem:
// the desk page was 7494 px tall at 390 px in English (6660 px in Chinese),
// with five party rows always shown. It must be at most half that.
func TestBrowserDeskOnPhone(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)
	tests := []struct {
		lang   string
		before int64 // px at 390 px on the code the issue was filed against
	}{
		{"en", 7494},
		{"zh", 6660},
	}
	for _, tt := range tests {
		ctx := noScriptTab(t, browser)
		h := phoneHeight(t, ctx, base+"/desk/export-controls?lang="+tt.lang, dir, "desk-390-"+tt.lang)
		t.Logf("desk page at 390 px, %s: %d px (was %d)", tt.lang, h, tt.before)
		if h > tt.before/2 {
			t.Errorf("the %s desk page is %d px tall on a phone; want at most %d", tt.lang, h, tt.before/2)
		}
	}
}

// TestBrowserAddAnotherPartyNoJavaScript fills the phone-sized form with
// JavaScript off: it opens the optional "Companies and people" section,
// adds a second party behind "add another", answers with estimates, and the
// investigator receives both parties, the estimates read and as typed.
func TestBrowserAddAnotherPartyNoJavaScript(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	g := addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)
	file := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.4 invoice"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := noScriptTab(t, browser)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/desk/export-controls?lang=zh"),
		chromedp.WaitVisible(chromedp.ID("tip")),
	); err != nil {
		t.Fatal(err)
	}
	visible := func(id string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("`+id+`").checkVisibility()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if visible("f-parties-0-name") {
		t.Fatal("the optional parties section is open from the start")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#s-parties > summary")),
		chromedp.SetValue(chromedp.ID("f-parties-0-name"), "深圳市华芯科技有限公司"),
		chromedp.SetValue(chromedp.ID("f-parties-0-role"), "distributor"),
	); err != nil {
		t.Fatal(err)
	}
	if !visible("f-parties-0-name") || visible("f-parties-1-name") {
		t.Fatal("the open section does not show exactly one party row")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#q-parties details.q-more > summary")),
		chromedp.WaitVisible(chromedp.ID("f-parties-1-name")),
		chromedp.SetValue(chromedp.ID("f-parties-1-name"), "Fast Freight Pte Ltd"),
		chromedp.SetValue(chromedp.ID("f-parties-1-role"), "freight_forwarder"),
		chromedp.SetValue(chromedp.ID("f-parties-1-country"), "新加坡"),
		chromedp.SetValue(chromedp.ID("f-quantity"), "大约200台"),
		chromedp.Click(chromedp.CSS("#s-serial_numbers > summary")),
		chromedp.SetValue(chromedp.ID("f-started"), "2024年3月"),
		chromedp.SetValue(chromedp.ID("f-narrative"), "H100 服务器被改标为路由器。"),
		chromedp.SetUploadFiles(chromedp.ID("f-evidence"), []string{file}),
	); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, dir, "desk-390-zh-two-parties")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.ID("tip")),
	); err != nil {
		t.Fatalf("the form was not accepted: %v", err)
	}
	m, _ := storedObjects(t, ts, g, "server")
	if len(m.Parties) != 2 || m.Parties[0].Name != "深圳市华芯科技有限公司" || m.Parties[1].Name != "Fast Freight Pte Ltd" || m.Parties[1].Country != "SG" {
		t.Errorf("parties = %+v", m.Parties)
	}
	answers := manifestAnswers(m)
	if a := answers["quantity"]; strings.Join(a.Values, ",") != "200" || a.Raw != "大约200台" {
		t.Errorf("quantity = %+v", a)
	}
	if a := answers["started"]; strings.Join(a.Values, ",") != "2024-03" || a.Raw != "2024年3月" {
		t.Errorf("started = %+v", a)
	}
}

// TestBrowserCorrectionKeepsFileNoJavaScript: with JavaScript off, a form
// sent with a file but without the required answer comes back saying the
// file is kept, and the corrected form commits it without choosing it again.
func TestBrowserCorrectionKeepsFileNoJavaScript(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	g := addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)
	content := []byte("%PDF-1.4 packing list")
	file := filepath.Join(t.TempDir(), "装箱单.pdf")
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := noScriptTab(t, browser)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/desk/export-controls?lang=zh"),
		chromedp.WaitVisible(chromedp.ID("tip")),
		chromedp.SetValue(chromedp.ID("f-quantity"), "两百"),
		chromedp.SetUploadFiles(chromedp.ID("f-evidence"), []string{file}),
		// The browser checks the required answer itself; the server's
		// check is what a browser without form validation meets.
		chromedp.RemoveAttribute(chromedp.ID("f-narrative"), "required"),
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".q-kept")),
	); err != nil {
		t.Fatalf("the form did not come back with the file kept: %v", err)
	}
	screenshot(t, ctx, dir, "desk-390-zh-files-kept")
	kept, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".q-kept")))
	if err != nil || !strings.Contains(kept, "装箱单.pdf") {
		t.Errorf("the kept files say %q (%v)", kept, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("f-narrative"), "H100 服务器被改标为路由器。"),
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.ID("tip")),
	); err != nil {
		t.Fatalf("the corrected form was not accepted: %v", err)
	}
	m, plain := storedObjects(t, ts, g, "server")
	if len(m.Files) != 1 || m.Files[0].Name != "装箱单.pdf" || len(plain) != 1 || string(plain[0]) != string(content) {
		t.Errorf("files = %+v", m.Files)
	}
	if a := manifestAnswers(m)["quantity"]; strings.Join(a.Values, ",") != "200" || a.Raw != "两百" {
		t.Errorf("quantity = %+v", a)
	}
}

// TestBrowserSafetyScreens takes the screenshots of the landing page and
// the safety page to look at: 390 and 1280 px, English and Chinese, with an
// onion address set.
func TestBrowserSafetyScreens(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	ts.deps.Config.OnionAddress = "tiplineexampleabcdefghijklmnopqrstuvwxyz234567abcdefgh.onion"
	ts = rebuild(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)
	for _, width := range []int64{390, 1280} {
		for _, lang := range []string{"en", "zh"} {
			for _, page := range []string{"", "safety"} {
				ctx := noScriptTab(t, browser)
				if err := chromedp.Do(ctx,
					chromedp.EmulateViewport(width, 844),
					chromedp.Navigate(base+"/"+page+"?lang="+lang),
					chromedp.WaitVisible(chromedp.CSS("main")),
				); err != nil {
					t.Fatal(err)
				}
				text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
				if err != nil || !strings.Contains(text, ts.deps.Config.OnionAddress) {
					t.Errorf("/%s?lang=%s does not show the onion address", page, lang)
				}
				screenshot(t, ctx, dir, fmt.Sprintf("safety-%s-%s-%d", page, lang, width))
			}
		}
	}
}
