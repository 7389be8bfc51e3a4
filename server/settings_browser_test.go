package server

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserSettingsPage: the notification settings work as a plain form
// with JavaScript off, and the page passes axe-core at phone and desktop
// widths, with JavaScript on and off.
func TestBrowserSettingsPage(t *testing.T) {
	chromium := newBrowser(t)
	e := newNoticeEnv(t, nil)
	serveTest(t, e.ts)
	base := "http://" + e.ts.Addr("casework")
	dir := artifacts(t)
	tab, cancel := chromedp.NewContext(chromium)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, browserTimeout)
	defer cancelTimeout()
	if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: e.cookie.Name, Value: e.cookie.Value, URL: base}); err != nil {
		t.Fatal(err)
	}

	// Without JavaScript: choose, save, and find the choices kept.
	disableScripts(t, tab, true)
	if err := chromedp.Do(tab,
		chromedp.Navigate(base+"/settings"),
		chromedp.WaitVisible(chromedp.ID("s-save")),
		chromedp.Click(chromedp.ID("s-new-tips")),
		chromedp.Click(chromedp.ID("s-email")),
		chromedp.Click(chromedp.ID("s-digest")),
		chromedp.Click(chromedp.ID("s-save")),
		chromedp.WaitVisible(chromedp.CSS(`p[role="status"]`)),
	); err != nil {
		t.Fatalf("save the settings: %v", err)
	}
	for _, id := range []string{"s-new-tips", "s-email", "s-digest"} {
		checked, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.getElementById("`+id+`").checked`))
		if err != nil || !checked {
			t.Errorf("%s not checked after saving (%v)", id, err)
		}
	}

	for _, js := range []bool{false, true} {
		for _, width := range []int64{390, 1280} {
			name := fmt.Sprintf("casework-settings-%d-js-%v", width, js)
			setWidth(t, tab, width)
			disableScripts(t, tab, !js)
			if err := chromedp.Do(tab, chromedp.Navigate(base+"/settings"), chromedp.WaitVisible(chromedp.ID("s-save"))); err != nil {
				t.Fatal(err)
			}
			disableScripts(t, tab, false) // axe-core needs timers; the page's own scripts stay unrun
			checkAccessibility(t, tab, name)
			wide, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth || document.querySelector("main").scrollWidth > document.querySelector("main").clientWidth`))
			if err != nil || wide {
				t.Errorf("%s scrolls sideways (%v)", name, err)
			}
			screenshot(t, tab, dir, name)
		}
	}
}
