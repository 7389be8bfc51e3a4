package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// TestRetentionPages: an admin sets a desk's retention policy on the
// desk's page; the submission page of a closed tip says when it is
// scheduled for deletion; an admin puts it under a legal hold with the
// form (the login's form token required), the page then shows the hold
// and who set it instead, and the release brings the schedule back. An
// investigator sees the panel but has no legal hold form and is refused.
func TestRetentionPages(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	adminToken := staffToken(t, ts, "root@example.org", casework.RoleAdmin, nil)
	anaToken := staffToken(t, ts, "ana@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug})
	admin := &http.Cookie{Name: sessionCookie, Value: adminToken}
	ana := &http.Cookie{Name: sessionCookie, Value: anaToken}
	adminCSRF, anaCSRF := casework.CSRFToken(adminToken), casework.CSRFToken(anaToken)
	today := time.Now().UTC()
	deskPage := "/admin/desks/" + intake.DefaultDeskSlug
	page := func(cookie *http.Cookie, target string) string {
		t.Helper()
		w := getWithCookie(ts, target, cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", target, w.Code)
		}
		return w.Body.String()
	}

	if body := page(admin, deskPage); !strings.Contains(body, "This desk keeps every tip: it has no retention policy.") {
		t.Errorf("the desk page of a desk without policy lacks the policy:\n%.3000s", body)
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no form token", url.Values{"closed_days": {"30"}}, http.StatusForbidden, ""},
		{"not a number", url.Values{"csrf": {adminCSRF}, "closed_days": {"a month"}}, http.StatusUnprocessableEntity, "Give the days as a whole number"},
		{"too long", url.Values{"csrf": {adminCSRF}, "closed_days": {"36501"}}, http.StatusUnprocessableEntity, "from 1 to 36500"},
		{"30 days", url.Values{"csrf": {adminCSRF}, "closed_days": {"30"}}, http.StatusSeeOther, ""},
	} {
		res := postForm(ts, deskPage+"/retention", admin, tc.form)
		if res.StatusCode != tc.status {
			t.Errorf("%s: policy form = %d, want %d", tc.name, res.StatusCode, tc.status)
		}
		if body := readBody(t, res); !strings.Contains(body, tc.want) {
			t.Errorf("%s: the page does not say %q", tc.name, tc.want)
		}
	}
	if body := page(admin, deskPage); !strings.Contains(body, "Closed tips are deleted 30 days after they were closed") || !strings.Contains(body, `value="30"`) {
		t.Error("the desk page does not show the policy just set")
	}

	// Open, the tip is not scheduled; closed, it is.
	if body := page(ana, "/submissions/"+sub); !strings.Contains(body, "Its desk deletes closed tips 30 days after closing; this one is not closed.") {
		t.Error("the page of an open tip does not say it is not closed")
	}
	closing := url.Values{"csrf": {anaCSRF}, "status": {"closed"}, "closing_code": {"resolved"}, "priority": {"0"}, "labels": {""}, "assignee": {""}}
	if res := postForm(ts, "/submissions/"+sub, ana, closing); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("closing the tip = %d", res.StatusCode)
	}
	scheduled := "Scheduled for deletion on " + today.AddDate(0, 0, 30).Format(time.DateOnly)
	body := page(ana, "/submissions/"+sub)
	if !strings.Contains(body, scheduled) {
		t.Errorf("the page of a closed tip does not say %q", scheduled)
	}
	if strings.Contains(body, "/legal-hold") {
		t.Error("an investigator is offered the legal hold form")
	}
	if res := postForm(ts, "/submissions/"+sub+"/legal-hold", ana, url.Values{"csrf": {anaCSRF}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an investigator's legal hold = %d, want 403", res.StatusCode)
	}

	// The admin's page has the form; the hold replaces the schedule.
	if body := page(admin, "/submissions/"+sub); !strings.Contains(body, `action="/submissions/`+sub+`/legal-hold"`) || !strings.Contains(body, `name="csrf" value="`+adminCSRF+`"`) {
		t.Error("the admin's submission page lacks the legal hold form with the form token")
	}
	holdSet := "Legal hold set by <strong>root@example.org</strong> on " + today.Format(time.DateOnly) + ": DOJ preservation letter"
	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		want       string
		gone       string
	}{
		{"hold without the form token", "/legal-hold", url.Values{"reason": {"x"}}, http.StatusForbidden, scheduled, ""},
		{"hold", "/legal-hold", url.Values{"csrf": {adminCSRF}, "reason": {"DOJ preservation letter"}}, http.StatusSeeOther, holdSet, scheduled},
		{"hold again", "/legal-hold", url.Values{"csrf": {adminCSRF}}, http.StatusUnprocessableEntity, holdSet, scheduled},
		{"release", "/legal-hold/release", url.Values{"csrf": {adminCSRF}}, http.StatusSeeOther, scheduled, "Legal hold set by"},
		{"release again", "/legal-hold/release", url.Values{"csrf": {adminCSRF}}, http.StatusUnprocessableEntity, scheduled, "Legal hold set by"},
	} {
		res := postForm(ts, "/submissions/"+sub+tc.path, admin, tc.form)
		if res.StatusCode != tc.status {
			t.Errorf("%s = %d, want %d", tc.name, res.StatusCode, tc.status)
		}
		if tc.status == http.StatusSeeOther && res.Header.Get("Location") != "/submissions/"+sub+"#retention" {
			t.Errorf("%s went to %q", tc.name, res.Header.Get("Location"))
		}
		body := page(ana, "/submissions/"+sub)
		if !strings.Contains(body, tc.want) || (tc.gone != "" && strings.Contains(body, tc.gone)) {
			t.Errorf("after %s the page does not say %q, or still says %q", tc.name, tc.want, tc.gone)
		}
	}

	var actions []string
	ts.db.Raw("SELECT action FROM audit_log WHERE target = ? AND action LIKE ? ORDER BY seq", "submission:"+sub, "submission.legal_hold%").Scan(&actions)
	if strings.Join(actions, " ") != "submission.legal_hold submission.legal_hold_release" {
		t.Errorf("audit entries of the hold = %v", actions)
	}
}

// TestRetentionPagesInBrowser: an admin without JavaScript puts a closed
// tip under a legal hold with the form on its page; the page then shows
// the hold and who set it, and both pages pass the accessibility and
// width checks at phone and desktop widths.
func TestRetentionPagesInBrowser(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	adminToken := staffToken(t, ts, "root@example.org", casework.RoleAdmin, nil)
	anaToken := staffToken(t, ts, "ana@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug})
	ana := &http.Cookie{Name: sessionCookie, Value: anaToken}
	closing := url.Values{"csrf": {casework.CSRFToken(anaToken)}, "status": {"closed"}, "closing_code": {"resolved"}, "priority": {"0"}, "labels": {""}, "assignee": {""}}
	if res := postForm(ts, "/submissions/"+sub, ana, closing); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("closing the tip = %d", res.StatusCode)
	}
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)
	chromium := newBrowser(t)
	tab, cancel := chromedp.NewContext(chromium)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, 4*browserTimeout)
	defer cancelTimeout()
	if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: adminToken, URL: base}); err != nil {
		t.Fatal(err)
	}
	disableScripts(t, tab, true)
	setWidth(t, tab, 390)
	today := time.Now().UTC()
	err := chromedp.Do(tab,
		chromedp.Navigate(base+"/admin/desks/"+intake.DefaultDeskSlug),
		chromedp.SetValue(chromedp.ID("retention-days"), "30"),
		chromedp.Submit(chromedp.ID("retention-days")),
		chromedp.WaitVisible(chromedp.ID("retention-policy")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if policy, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("retention-policy"))); err != nil || !strings.Contains(policy, "deleted 30 days after") {
		t.Errorf("the desk's policy after the form = %q, %v", policy, err)
	}
	check := func(name string) {
		t.Helper()
		disableScripts(t, tab, false) // axe-core runs as a script
		defer disableScripts(t, tab, true)
		for _, width := range []int64{390, 1280} {
			setWidth(t, tab, width)
			checkAccessibility(t, tab, fmt.Sprintf("%s at %d px", name, width))
			checkReflow(t, tab, fmt.Sprintf("%s at %d px", name, width), width)
			screenshot(t, tab, dir, fmt.Sprintf("retention-%s-%d", name, width))
		}
		setWidth(t, tab, 390)
	}
	check("desk")

	err = chromedp.Do(tab, chromedp.Navigate(base+"/submissions/"+sub), chromedp.WaitVisible(chromedp.ID("retention-status")))
	if err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("retention-status")))
	if want := "Scheduled for deletion on " + today.AddDate(0, 0, 30).Format(time.DateOnly); err != nil || !strings.Contains(status, want) {
		t.Errorf("the closed tip's retention = %q, %v; want %q", status, err, want)
	}
	check("scheduled")
	err = chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("legal-hold-reason"), "DOJ preservation letter"),
		chromedp.Submit(chromedp.ID("legal-hold-reason")),
		chromedp.WaitVisible(chromedp.ID("retention-holds")),
	)
	if err != nil {
		t.Fatal(err)
	}
	holds, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("retention-holds")))
	if want := "Legal hold set by root@example.org on " + today.Format(time.DateOnly) + ": DOJ preservation letter"; err != nil || holds != want {
		t.Errorf("the held tip's holds = %q, %v; want %q", holds, err, want)
	}
	check("held")
}
