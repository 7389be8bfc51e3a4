package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/intake"
)

// TestBrowserRecordCollection is counsel in headless Chromium with
// JavaScript off once logged in: on an action's page they record an
// instalment through the plain form, and the award range of the claim
// counting the action moves, there and on the claim's page.
func TestBrowserRecordCollection(t *testing.T) {
	chromium := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	ctx := context.Background()
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	svc, p := ts.deps.Claims, carla.Principal
	today := time.Now().UTC()
	a, err := svc.CreateAction(ctx, p, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Forum: "S.D.N.Y.", CaseNumber: "1:26-cv-04321",
		Title: "SEC v. Example Chips Ltd.", Defendants: []claims.Defendant{{Name: "Example Chips Ltd."}, {Name: "深圳示例科技有限公司"}},
		NoticeDay: today.AddDate(0, 0, -20).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSanction(ctx, p, a.ID, awards.Penalty, "3,000,000"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSanction(ctx, p, a.ID, awards.Compensatory, "500,000"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCollection(ctx, p, a.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1,000,000",
		ReceivedDay: today.AddDate(0, 0, -60).Format(time.DateOnly), DocumentRef: "Treasury receipt 2026-0117"}); err != nil {
		t.Fatal(err)
	}
	cl, err := svc.CreateClaim(ctx, p, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A", LegalName: "王小明"})
	if err != nil {
		t.Fatal(err)
	}
	// An admin attaches a submission by id; counsel attach it with the source's signed receipt.
	if _, err := svc.SetSubmissions(ctx, casework.Principal{UserID: p.UserID, Email: p.Email, Role: casework.RoleAdmin}, cl.ID, []string{sub}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, p, cl.ID, []string{a.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetChecklistItem(ctx, p, cl.ID, "voluntary", claims.Yes, "TCR filed before any request from the SEC."); err != nil {
		t.Fatal(err)
	}
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)

	tab, cancel := chromedp.NewContext(chromium)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, browserTimeout)
	defer cancelTimeout()
	// Counsel's session (the login page itself needs JavaScript; its
	// browser test is TestBrowserDecryption), and no JavaScript from here on.
	if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: carla.cookie.Name, Value: carla.cookie.Value, URL: base}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}

	rangeText := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/claims"), chromedp.WaitVisible(chromedp.ID("new-claim"))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, tab, dir, "claims-list")
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`a[href="/claims/`+cl.ID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("claim-range")),
	); err != nil {
		t.Fatal(err)
	}
	// 10–30 % of the $1,000,000 penalty collected; compensation to victims
	// does not count.
	if got, want := rangeText("#claim-range"), "$100,000.00 – $300,000.00"; got != want {
		t.Errorf("claim range before = %q, want %q", got, want)
	}
	if page := rangeText("#estimate"); !strings.Contains(page, "Victim compensation") || !strings.Contains(page, "$300,000.00 – $900,000.00") {
		t.Errorf("the estimate does not set the compensation apart:\n%s", page)
	}
	screenshot(t, tab, dir, "claim-before")

	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`#actions a[href="/actions/`+a.ID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("collection-form")),
	); err != nil {
		t.Fatal(err)
	}
	if got, want := rangeText("#action-claims .cw-range"), "$100,000.00 – $300,000.00"; got != want {
		t.Errorf("range on the action's page before = %q, want %q", got, want)
	}
	screenshot(t, tab, dir, "action-before")

	// A refused amount keeps what was typed and says why.
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("col-amount"), "250k"),
		chromedp.SetValue(chromedp.ID("col-ref"), "Treasury receipt 2026-0142"),
		chromedp.Click(chromedp.ID("col-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#ledger .cw-error`)),
	); err != nil {
		t.Fatal(err)
	}
	if got := rangeText(`#ledger .cw-error`); !strings.Contains(got, "A collection is a positive amount in dollars") {
		t.Errorf("the refused form says %q", got)
	}
	screenshot(t, tab, dir, "action-refused")

	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("col-amount"), "250,000.00"),
		chromedp.Click(chromedp.ID("col-submit")),
		chromedp.WaitVisible(chromedp.ID("ledger-table")),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitTrue(tab, `document.querySelector("#action-claims .cw-range")?.textContent.trim() === "$125,000.00 – $375,000.00"`); err != nil {
		t.Errorf("range on the action's page after = %q, want $125,000.00 – $375,000.00", rangeText("#action-claims .cw-range"))
	}
	if got := rangeText("#action-collected"); got != "$1,250,000.00" {
		t.Errorf("collected = %q", got)
	}
	if ledger := rangeText("#ledger-table"); !strings.Contains(ledger, "Treasury receipt 2026-0142") || !strings.Contains(ledger, "$250,000.00") {
		t.Errorf("the ledger lacks the new entry:\n%s", ledger)
	}
	screenshot(t, tab, dir, "action-after")

	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`#action-claims a[href="/claims/`+cl.ID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("claim-range")),
	); err != nil {
		t.Fatal(err)
	}
	if got, want := rangeText("#claim-range"), "$125,000.00 – $375,000.00"; got != want {
		t.Errorf("claim range after = %q, want %q", got, want)
	}
	if history := rangeText("#history"); !strings.Contains(history, "$100,000.00 – $300,000.00") || !strings.Contains(history, "$125,000.00 – $375,000.00") {
		t.Errorf("the estimate history lacks the ranges:\n%s", history)
	}
	if page := rangeText("main"); strings.Contains(page, "王小明") {
		t.Error("the claim's page shows the legal name counsel did not choose to show")
	}
	screenshot(t, tab, dir, "claim-after")
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/actions"), chromedp.WaitVisible(chromedp.ID("new-action"))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, tab, dir, "actions-list")
}

// TestBrowserClaimFacts is counsel in headless Chromium with JavaScript
// off entering on a claim's page what the award engine decides on beyond
// the ledger: money credited against a related action and the authority
// that brought it, a claimant's sanctions for their own conduct (Rule
// 21F-16), and the checklist in one form. The estimate changes after each
// form. Screenshots at a desk's and a phone's width go to the artifacts.
func TestBrowserClaimFacts(t *testing.T) {
	chromium := newBrowser(t)
	ts := newTestServer(t)
	ctx := context.Background()
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	svc, p := ts.deps.Claims, carla.Principal
	day := func(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	covered, err := svc.CreateAction(ctx, p, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. Example Chips Ltd.", NoticeDay: day(-10)})
	if err != nil {
		t.Fatal(err)
	}
	related, err := svc.CreateAction(ctx, p, claims.ActionFields{Relation: claims.Related, CoveredID: covered.ID, Basis: "The same original information.",
		Agency: "DOJ", Title: "United States v. Example Chips Ltd.", FinalOrderDay: day(-30)})
	if err != nil {
		t.Fatal(err)
	}
	for a, amount := range map[string]string{covered.ID: "2,000,000", related.ID: "1,000,000"} {
		if _, err := svc.SetSanction(ctx, p, a, awards.Penalty, amount); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordCollection(ctx, p, a, claims.NewCollection{Kind: awards.Penalty, Amount: amount, ReceivedDay: day(-5)}); err != nil {
			t.Fatal(err)
		}
	}
	cl, err := svc.CreateClaim(ctx, p, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, p, cl.ID, []string{covered.ID, related.ID}); err != nil {
		t.Fatal(err)
	}
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)
	tab, cancel := chromedp.NewContext(chromium)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, browserTimeout)
	defer cancelTimeout()
	if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: carla.cookie.Name, Value: carla.cookie.Value, URL: base}); err != nil {
		t.Fatal(err)
	}
	disableScripts(t, tab, true)
	setWidth(t, tab, 1280)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/claims/"+cl.ID), chromedp.WaitVisible(chromedp.ID("claim-range"))); err != nil {
		t.Fatal(err)
	}
	if got, want := text("#claim-range"), "$300,000.00 – $900,000.00"; got != want {
		t.Fatalf("range before = %q, want %q", got, want)
	}

	steps := []struct {
		name    string
		do      chromedp.Action[chromedp.Void]
		award   string
		section string // a section whose text must show want
		want    string
	}{
		// $500,000 of the SEC penalty credited against the related action,
		// which the CFTC brought and may pay at its discretion.
		{"terms", chromedp.Steps(
			chromedp.Click(chromedp.CSS("#action-terms > summary")),
			setField("credited-0", "500,000"),
			setField("authority-1", "cftc"),
			chromedp.Click(chromedp.ID("action-terms-save")),
		), "$150,000.00 – $750,000.00", "#actions", "Commodity Futures Trading Commission"},
		// The 21F-16 case: $1.5M of the $2M arose from the
		// claimant's own conduct, so the $1M threshold is not met.
		{"terms-back", chromedp.Steps(
			chromedp.Click(chromedp.CSS("#action-terms > summary")),
			setField("credited-0", ""),
			setField("authority-1", "doj"),
			chromedp.Click(chromedp.ID("action-terms-save")),
		), "$300,000.00 – $900,000.00", "#actions", "Department of Justice"},
		{"claimant", chromedp.Steps(
			chromedp.Click(chromedp.CSS("#splits summary")),
			setField("culpable-0", "1,500,000"),
			chromedp.Click(chromedp.ID("claimants-save")),
		), "$0.00 – $0.00", "#estimate", "21F-16"},
		{"checklist", chromedp.Steps(
			setField("status-voluntary", "yes"),
			setField("evidence-voluntary", "TCR filed before any request."),
			setField("status-timely", "no"),
			chromedp.Click(chromedp.ID("checklist-save")),
		), "$0.00 – $0.00", "#estimate", "Condition not met: Timely"},
	}
	for _, st := range steps {
		// The page after the form shows the new range and what was saved.
		if err := chromedp.Do(tab, st.do); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		wait, cancelWait := context.WithTimeout(tab, 20*time.Second)
		defer cancelWait()
		if err := waitTrue(wait, fmt.Sprintf(`document.querySelector("#claim-range")?.textContent.trim() === %q && document.querySelector(%q)?.textContent.includes(%q)`,
			st.award, st.section, st.want)); err != nil {
			t.Fatalf("%s: range %q (want %q), or %s does not show %q:\n%s", st.name, text("#claim-range"), st.award, st.section, st.want, text(st.section))
		}
		screenshot(t, tab, dir, "claim-facts-"+st.name+"-1280")
	}
	// The checklist kept both items saved in the one form.
	if err := waitTrue(tab, `document.getElementById("status-voluntary").value === "yes" && document.getElementById("status-timely").value === "no" &&
		document.getElementById("evidence-voluntary").value === "TCR filed before any request."`); err != nil {
		t.Errorf("the checklist did not keep both items: %v", err)
	}
	// On a phone, with the forms open.
	setWidth(t, tab, 390)
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#action-terms > summary")), chromedp.Click(chromedp.CSS("#splits summary"))); err != nil {
		t.Fatal(err)
	}
	checkReflow(t, tab, "the claim's page with its forms open at 390 px", 390)
	screenshot(t, tab, dir, "claim-facts-390")
}

// setField sets the value of the form field with the id, as typing or
// choosing would, through the page's DOM as it is now (a node looked up
// before a form's navigation is gone after it).
func setField(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = %q`, id, value))
}
