package server

import (
	"context"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/casework"
)

// TestBrowserLoginWithoutJavaScript is issue 15's point 4 in headless
// Chromium with JavaScript off: the login form, posted under the
// no-referrer policy, logs the investigator in and lands on the queue.
// Chromium sends "Origin: null" with it, and "Sec-Fetch-Site:
// same-origin" only to a trustworthy origin (loopback, https): reached by
// a LAN or VPN name over plain http, as a casework listener often is, the
// form comes without fetch metadata, and the same-origin check used to
// refuse it.
func TestBrowserLoginWithoutJavaScript(t *testing.T) {
	const lanName = "casework.tipline.test" // mapped to 127.0.0.1 for this browser only
	chromium := newBrowser(t, chromedp.Flag("host-resolver-rules", "MAP "+lanName+" 127.0.0.1"))
	ts := newTestServer(t)
	serveTest(t, ts)
	_, port, _ := net.SplitHostPort(ts.Addr("casework"))
	for _, host := range []string{"127.0.0.1", lanName} {
		t.Run(host, func(t *testing.T) {
			base := "http://" + net.JoinHostPort(host, port)
			tab, cancel := chromedp.NewContext(chromium)
			defer cancel()
			tab, cancelTimeout := context.WithTimeout(tab, browserTimeout)
			defer cancelTimeout()
			if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
			email := "login-" + strings.ReplaceAll(host, ".", "-") + "@example.org" // a TOTP code logs in once
			_, uri, err := ts.deps.Staff.AddUser(context.Background(), 0, email, casework.RoleInvestigator, staffPassword, []string{"export-controls"})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(uri)
			code, err := casework.TOTPCode(u.Query().Get("secret"), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(tab,
				chromedp.Navigate(base+"/login"),
				chromedp.WaitVisible(chromedp.ID("login-email")),
				chromedp.SetValue(chromedp.ID("login-email"), email),
				chromedp.SetValue(chromedp.ID("login-password"), staffPassword),
				chromedp.SetValue(chromedp.ID("login-totp"), code),
				chromedp.Click(chromedp.ID("login-submit")),
				// The page after the form, not the login page before it:
				// only a signed-in page has the log-out form (or, when the
				// login was refused, an error).
				chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"], .cw-error, [role=alert]`)),
			); err != nil {
				t.Fatalf("login: %v", err)
			}
			at, err := chromedp.Run(tab, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			if at != base+"/queue" {
				body, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
				t.Fatalf("after logging in: %s\n%s", at, body)
			}
		})
	}
}
