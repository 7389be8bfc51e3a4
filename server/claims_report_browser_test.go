package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/casework"
)

// TestBrowserReportPage opens a new claim's page and its report as counsel
// at a phone's and a desk's width, with JavaScript off and on: the claim
// reads as incomplete, no chart is drawn, and the fee form takes a fee
// and shows the net to the client. Screenshots go to the artifacts.
func TestBrowserReportPage(t *testing.T) {
	chromium := newBrowser(t)
	ts := newTestServer(t)
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	w := carla.post(ts, "/claims", url.Values{"program": {"irs"}, "claimant_kind": {"source"}, "pseudonym": {"Source B"}, "counsel": {carla.Email}})
	claimPath := w.Header().Get("Location")
	if claimPath == "" {
		t.Fatalf("new claim: %d %.500s", w.Code, w.Body)
	}
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)
	for _, tc := range []struct {
		width int64
		js    bool
	}{{390, false}, {1280, false}, {390, true}, {1280, true}} {
		t.Run(fmt.Sprintf("%dpx js=%v", tc.width, tc.js), func(t *testing.T) {
			tab, cancel := chromedp.NewContext(chromium)
			defer cancel()
			tab, cancelTimeout := context.WithTimeout(tab, browserTimeout)
			defer cancelTimeout()
			if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: carla.cookie.Name, Value: carla.cookie.Value, URL: base}); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !tc.js}); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(tab, emulation.SetDeviceMetricsOverride,
				emulation.SetDeviceMetricsOverrideParams{Width: tc.width, Height: 900, DeviceScaleFactor: 1, Mobile: tc.width < 500}); err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("report-page-%d-js-%v", tc.width, tc.js)
			if err := chromedp.Do(tab, chromedp.Navigate(base+claimPath), chromedp.WaitVisible(chromedp.ID("claim-verdict"))); err != nil {
				t.Fatal(err)
			}
			verdict, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("claim-verdict")))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(verdict, "Incomplete") {
				t.Errorf("the claim's verdict reads %q, want Incomplete", verdict)
			}
			screenshot(t, tab, dir, "claim-"+name)
			if err := chromedp.Do(tab, chromedp.Navigate(base+claimPath+"/report"), chromedp.WaitVisible(chromedp.ID("report-fee")),
				chromedp.SendKeys(chromedp.ID("report-fee"), "30"), chromedp.Click(chromedp.CSS("form.cw-inline-form button:not([formaction])")),
				chromedp.WaitVisible(chromedp.CSS(`input#report-fee[value="30.00"]`))); err != nil {
				t.Fatal(err)
			}
			body, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"30 % of the award as paid", "Incomplete: no enforcement action"} {
				if !strings.Contains(body, want) {
					t.Errorf("the report does not show %q", want)
				}
			}
			screenshot(t, tab, dir, name)
		})
	}
}
