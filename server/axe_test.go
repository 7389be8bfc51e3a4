package server

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/internal/testenv"
)

// axeRunWCAG22AA runs axe-core over the whole page with the rules of WCAG
// 2.0, 2.1 and 2.2 at levels A and AA, and gives the violations as JSON.
const axeRunWCAG22AA = `axe.run(document, {
	runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
	resultTypes: ["violations"],
}).then((r) => JSON.stringify(r.violations.map((v) => ({
	id: v.id, impact: v.impact, help: v.help,
	nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
}))))`

// axeViolation is one rule axe-core found broken, with the elements that
// break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

var axeSource struct {
	once sync.Once
	text string
	err  error
}

// axeScript returns the text of axe-core's axe.min.js, which `make test`
// installs from npm. Skipped without it, a failure under `make test`.
func axeScript(t *testing.T) string {
	t.Helper()
	path := testenv.Get(t, testenv.Axe)
	axeSource.once.Do(func() {
		b, err := os.ReadFile(path)
		axeSource.text, axeSource.err = string(b), err
	})
	if axeSource.err != nil {
		t.Fatalf("%s: %v", testenv.Axe, axeSource.err)
	}
	return axeSource.text
}

// axeViolations injects axe-core into the page the tab shows, through the
// DevTools protocol (the product never serves it, and the page's
// Content-Security-Policy does not apply), and returns what it finds
// against WCAG 2.2 AA. axe-core needs timers, so the tab's scripts must be
// on; turned on after a page without JavaScript loaded, they run none of
// the page's own scripts.
func axeViolations(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	script := axeScript(t)
	ctx, cancel := context.WithTimeout(ctx, browserTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script+"\n;typeof axe === \"object\"")); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRunWCAG22AA, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(out), &violations); err != nil {
		t.Fatalf("axe.run answered %q: %v", out, err)
	}
	return violations
}

// checkAccessibility fails the test with every WCAG 2.2 AA violation
// axe-core finds on the page the tab shows, named by page.
func checkAccessibility(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	violations := axeViolations(t, ctx)
	if len(violations) == 0 {
		return
	}
	var b strings.Builder
	for _, v := range violations {
		for _, n := range v.Nodes {
			b.WriteString("\n  " + v.ID + " (" + v.Impact + ") " + n.Target + ": " + v.Help)
			if n.Summary != "" {
				b.WriteString("\n    " + strings.ReplaceAll(n.Summary, "\n", "\n    "))
			}
		}
	}
	t.Errorf("%s: %d axe-core WCAG 2.2 AA violations:%s", page, len(violations), b.String())
}

// TestBrowserAxeFindsViolations checks the checker: on a page with an image
// without a text alternative and no language, axe-core as the tests run it
// reports both, with JavaScript on and off.
func TestBrowserAxeFindsViolations(t *testing.T) {
	axeScript(t)
	browser := newBrowser(t)
	for _, scriptsOff := range []bool{false, true} {
		tab, cancel := chromedp.NewContext(browser)
		defer cancel()
		disableScripts(t, tab, scriptsOff)
		if err := chromedp.Do(tab, chromedp.Navigate(`data:text/html,<!doctype html><title>t</title><main><img src="x.png"></main>`)); err != nil {
			t.Fatal(err)
		}
		disableScripts(t, tab, false)
		var found []string
		for _, v := range axeViolations(t, tab) {
			found = append(found, v.ID)
		}
		slices.Sort(found)
		if want := []string{"html-has-lang", "image-alt"}; !slices.Equal(found, want) {
			t.Errorf("scripts off %v: axe-core found %v, want %v", scriptsOff, found, want)
		}
	}
}
