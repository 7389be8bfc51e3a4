package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/intake"
)

// sourceWalk is the state of one source's way through the intake pages.
type sourceWalk struct {
	t          *testing.T
	tab        context.Context
	ts         *testServer
	base       string
	lang       intake.Lang
	javaScript bool
	codename   string // the groups or words, space-separated
}

// open loads a page of the intake in the walk's language.
func (w *sourceWalk) open(path string, ready chromedp.CSS) {
	w.t.Helper()
	w.do("open "+path, chromedp.Navigate(w.base+path+"?lang="+string(w.lang)), chromedp.WaitVisible(ready))
}

// openDesk loads the desk form, taken over by submit.js with JavaScript.
func (w *sourceWalk) openDesk() {
	w.t.Helper()
	if w.javaScript {
		w.open("/desk/export-controls", chromedp.CSS(`#tip[data-encrypt=browser]`))
	} else {
		w.open("/desk/export-controls", chromedp.CSS("#tip"))
	}
}

// do runs actions in the tab, failing the walk at step.
func (w *sourceWalk) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.tab, browserTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		w.t.Fatalf("%s: %v", step, err)
	}
}

// postTooLarge sends, as a form would, a body larger than the intake's
// limit for ordinary forms, which answers with the 413 page.
func (w *sourceWalk) postTooLarge() {
	w.t.Helper()
	size := w.ts.deps.Config.MaxRequestBytes + 1
	post := fmt.Sprintf(`(() => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = "/mailbox?lang=%s";
		const t = document.createElement("textarea");
		t.name = "codename";
		t.value = "x".repeat(%d);
		f.append(t);
		document.body.append(f);
		f.submit();
		return true;
	})()`, w.lang, size)
	w.do("post too large",
		chromedp.Navigate(w.base+"/?lang="+string(w.lang)),
		chromedp.WaitVisible(chromedp.CSS("main")),
		chromedp.Evaluate[chromedp.Void](post),
	)
	if err := waitTrue(w.tab, `document.title.startsWith(`+jsString(intake.T(w.lang, "error_too_large_title"))+`)`); err != nil {
		w.t.Fatalf("no 413 page: %v (title %q)", err, evalString(w.t, w.tab, `document.title`))
	}
}

// submitBlankNarrative sends the desk form with JavaScript and a narrative
// of spaces, which the browser's own check of required fields lets through
// and the check of submit.js refuses.
func (w *sourceWalk) submitBlankNarrative() {
	w.t.Helper()
	w.do("submit a blank narrative",
		chromedp.SetValue(chromedp.ID("f-narrative"), "   "),
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#q-errors[data-js]`)),
	)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`", "$", "\\$").Replace(s) + "`"
}

// newSubmission returns the id of the one submission not in seen, and
// adds it.
func (w *sourceWalk) newSubmission(seen map[string]bool) string {
	w.t.Helper()
	var ids []string
	w.ts.db.Raw("SELECT id FROM submissions").Scan(&ids)
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			return id
		}
	}
	w.t.Fatal("no new submission")
	return ""
}

// sourcePages are the pages a source sees, in the order of a source's
// way through them: each visit starts where the one before left the tab.
var sourcePages = []struct {
	name           string
	javaScriptOnly bool
	visit          func(w *sourceWalk, seen map[string]bool)
}{
	{"landing", false, func(w *sourceWalk, _ map[string]bool) {
		w.open("/", chromedp.CSS("#desks"))
	}},
	{"safety", false, func(w *sourceWalk, _ map[string]bool) {
		w.open("/safety", chromedp.CSS("main h1"))
	}},
	{"desk form", false, func(w *sourceWalk, _ map[string]bool) {
		w.openDesk()
	}},
	{"desk form with errors from the server", false, func(w *sourceWalk, _ map[string]bool) {
		// form.submit() posts without the submit event, so without the
		// checks of submit.js: the narrative is missing.
		w.openDesk()
		w.do("submit without a narrative",
			chromedp.Evaluate[chromedp.Void](`document.getElementById("tip").submit()`),
			chromedp.WaitVisible(chromedp.CSS(`#q-errors:not([data-js])`)),
		)
	}},
	{"desk form with errors from its own check", true, func(w *sourceWalk, _ map[string]bool) {
		w.openDesk()
		w.submitBlankNarrative()
	}},
	{"codename page", false, func(w *sourceWalk, seen map[string]bool) {
		w.openDesk()
		kind := map[intake.Lang]string{intake.EN: "words", intake.ZH: "digits"}[w.lang]
		w.do("submit",
			chromedp.SetValue(chromedp.ID("f-narrative"), "H20 boards relabelled as routers. "+canary),
			chromedp.Click(chromedp.CSS(`input[name=codename_kind][value=`+kind+`]`)),
			chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`ol.codename li`)),
		)
		w.codename = evalString(w.t, w.tab, `Array.from(document.querySelectorAll("ol.codename li span"), (s) => s.textContent).join(" ")`)
		replyToSource(w.t, w.ts, w.newSubmission(seen), "Which port? "+canary)
	}},
	{"codename page after a wrong answer", false, func(w *sourceWalk, _ map[string]bool) {
		w.do("a wrong answer",
			chromedp.SetValue(chromedp.CSS(`.part.current input.saved-group`), "wrong"),
			chromedp.Click(chromedp.CSS(`.part.current form.saved button`)),
			chromedp.WaitVisible(chromedp.CSS(`.part.current .error-summary`)),
		)
	}},
	{"saved page", false, func(w *sourceWalk, _ map[string]bool) {
		label := evalString(w.t, w.tab, `document.querySelector(".part.current label[data-slot=ask]").textContent`)
		n := strings.IndexFunc(label, func(r rune) bool { return '1' <= r && r <= '9' })
		groups := strings.Fields(w.codename)
		if n < 0 || int(label[n]-'1') >= len(groups) {
			w.t.Fatalf("the saved step asks %q", label)
		}
		w.do("the right answer",
			chromedp.SetValue(chromedp.CSS(`.part.current input.saved-group`), groups[label[n]-'1']),
			chromedp.Click(chromedp.CSS(`.part.current form.saved button`)),
			chromedp.WaitVisible(chromedp.CSS(`main a[href^="/mailbox"]`)),
		)
	}},
	{"mailbox login", false, func(w *sourceWalk, _ map[string]bool) {
		w.open("/mailbox", chromedp.CSS("#codename"))
	}},
	{"mailbox thread", false, func(w *sourceWalk, _ map[string]bool) {
		thread := chromedp.CSS(`#replies article.reply`)
		if w.javaScript {
			thread = chromedp.CSS(`#replies[data-decrypted=browser] article.reply`)
		}
		w.do("log in",
			chromedp.SetValue(chromedp.ID("codename"), w.codename),
			chromedp.Click(chromedp.CSS(`form.login button[type=submit]`)),
			chromedp.WaitVisible(thread),
		)
	}},
	{"404 page", false, func(w *sourceWalk, _ map[string]bool) {
		w.open("/no-such-page", chromedp.CSS("main h1"))
	}},
	{"413 page", false, func(w *sourceWalk, _ map[string]bool) {
		w.postTooLarge()
	}},
}

// TestBrowserSourcePagesAccessible runs axe-core's WCAG 2.2 AA rules on
// every page a source sees, in English and Chinese, with JavaScript on and
// off, at a phone's 390 px and a desktop's 1280 px: no violation.
func TestBrowserSourcePagesAccessible(t *testing.T) {
	axeScript(t)
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	seen := map[string]bool{}
	for _, javaScript := range []bool{false, true} {
		for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
			mode := map[bool]string{false: "NoJavaScript", true: "JavaScript"}[javaScript]
			t.Run(mode+"/"+string(lang), func(t *testing.T) {
				// Some 20 pages and 40 checks: longer than one page's timeout.
				tab, cancel := chromedp.NewContext(browser)
				defer cancel()
				tab, cancelTimeout := context.WithTimeout(tab, 6*browserTimeout)
				defer cancelTimeout()
				disableScripts(t, tab, !javaScript)
				// The tabs share cookies: no mailbox session of the walk before.
				if _, err := chromedp.Call(tab, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
					t.Fatal(err)
				}
				w := &sourceWalk{t: t, tab: tab, ts: ts, base: base, lang: lang, javaScript: javaScript}
				for _, page := range sourcePages {
					if page.javaScriptOnly && !javaScript {
						continue
					}
					setWidth(t, tab, 390)
					page.visit(w, seen)
					// axe-core needs timers, which run only with scripts on;
					// turned on after the page loaded, they run none of its own.
					disableScripts(t, tab, false)
					for _, width := range []int64{390, 1280} {
						setWidth(t, tab, width)
						checkAccessibility(t, tab, fmt.Sprintf("%s at %d px", page.name, width))
					}
					disableScripts(t, tab, !javaScript)
				}
			})
		}
	}
}

// disableScripts turns the tab's JavaScript off, as Tor Browser at
// "Safest", or back on.
func disableScripts(t *testing.T, tab context.Context, off bool) {
	t.Helper()
	if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off}); err != nil {
		t.Fatal(err)
	}
}

// setWidth gives the tab a window width in CSS pixels, a phone's below 500,
// and waits until a page made for phones (one with a viewport meta tag)
// is laid out at that width, so that what follows measures the page at
// the new width and never at the one before.
func setWidth(t *testing.T, tab context.Context, width int64) {
	t.Helper()
	if _, err := chromedp.Call(tab, emulation.SetDeviceMetricsOverride,
		emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 500}); err != nil {
		t.Fatal(err)
	}
	laidOut := fmt.Sprintf(`!document.querySelector('meta[name="viewport"]') || window.innerWidth === %d`, width)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](laidOut))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			inner, _ := chromedp.Run(tab, chromedp.Evaluate[float64](`window.innerWidth`))
			t.Fatalf("the page is laid out %v px wide 5 s after the window was set to %d px (%v)", inner, width, err)
		}
	}
}

// TestBrowserDeskErrorsTakeFocus: issue 12 found the focus left on the
// page's body when the error summary appeared. With JavaScript, the form's
// own check finds the blank narrative and puts the focus on its error
// summary, and the progress box is a live region; the form the server sends
// back with errors has its summary focused too, with JavaScript on and off.
func TestBrowserDeskErrorsTakeFocus(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	for _, javaScript := range []bool{true, false} {
		for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
			mode := map[bool]string{false: "NoJavaScript", true: "JavaScript"}[javaScript]
			t.Run(mode+"/"+string(lang), func(t *testing.T) {
				tab, cancel := chromedp.NewContext(browser)
				defer cancel()
				// Room for waitTrue's own timeout and the report after it.
				tab, cancelTimeout := context.WithTimeout(tab, 3*browserTimeout)
				defer cancelTimeout()
				disableScripts(t, tab, !javaScript)
				w := &sourceWalk{t: t, tab: tab, ts: ts, base: base, lang: lang, javaScript: javaScript}
				w.openDesk()
				if javaScript {
					if live := evalString(t, tab, `document.getElementById("js-status").getAttribute("aria-live") ?? ""`); live != "polite" {
						t.Errorf("the progress status has aria-live=%q, want polite", live)
					}
					w.submitBlankNarrative()
					if focused := evalString(t, tab, `document.activeElement.id`); focused != "q-errors" {
						t.Errorf("after the check failed the focus is on %q, not the error summary", focused)
					}
				}
				// form.submit() posts without the checks of submit.js.
				w.do("submit without a narrative, unchecked",
					chromedp.Evaluate[chromedp.Void](`document.getElementById("tip").submit()`),
					chromedp.WaitVisible(chromedp.CSS(`#q-errors:not([data-js])`)),
				)
				if err := waitTrue(tab, `document.activeElement.id === "q-errors"`); err != nil {
					t.Errorf("the form the server sent back: %v; the focus is on %s", err, evalString(t, tab, `document.activeElement.outerHTML.slice(0, 80)`))
				}
				if role := evalString(t, tab, `document.getElementById("q-errors").getAttribute("role")`); role != "alert" {
					t.Errorf("the error summary has role %q, want alert", role)
				}
			})
		}
	}
}
