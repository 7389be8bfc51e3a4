package server

import (
	"context"
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
