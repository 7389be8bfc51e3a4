package server

import (
	"context"
	"slices"
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
	"github.com/tipline/tipline/quitam"
)

// TestBrowserQuiTamMatter is counsel in headless Chromium, JavaScript off
// once signed in, tracking a qui tam matter from the complaint filed under
// seal to a collected settlement: they open the matter on their FCA claim
// and the case holding its submission, enter the filing, violation,
// knowledge and retaliation days, see the seal deadline in words, record
// an extension, the Government's intervention and a payment, and read the
// relator's share and the 3731(b) date. Every deadline of the matter is in
// counsel's list and in the desk's triage queue, in words; at each stage
// counsel's list of upcoming deadlines on /awards shows the open ones in
// words, linked to the matter and sorted with the award claims' deadlines,
// and drops each as an event meets it.
func TestBrowserQuiTamMatter(t *testing.T) {
	chromium := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	ctx := context.Background()
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Inflated invoices for export licences."}})
	ivan := signIn(t, ts, "ivan@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug})
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	kase, err := ts.deps.Cases.Create(ctx, ivan.Principal, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Invoices", Submissions: []string{sub}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := ts.deps.Claims.CreateClaim(ctx, carla.Principal, claims.ClaimFields{Program: "fca", ClaimantKind: claims.Relator, Pseudonym: "Relator A"})
	if err != nil {
		t.Fatal(err)
	}
	// An admin attaches the submission by id (counsel would paste the
	// source's signed receipt).
	if _, err := ts.deps.Claims.SetSubmissions(ctx, casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}, cl.ID, []string{sub}); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC()
	day := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	// An SEC claim of counsel's whose award-claim deadline falls between
	// the matter's, to see them sorted together on /awards.
	sec, err := ts.deps.Claims.CreateClaim(ctx, carla.Principal, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source S"})
	if err != nil {
		t.Fatal(err)
	}
	secAction, err := ts.deps.Claims.CreateAction(ctx, carla.Principal, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. Example Chips Ltd.", NoticeDay: day(-10)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.SetSanction(ctx, carla.Principal, secAction.ID, awards.Penalty, "2000000"); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Claims.SetActions(ctx, carla.Principal, sec.ID, []string{secAction.ID}); err != nil {
		t.Fatal(err)
	}
	secDue := day(80) // 90 days after the Notice of Covered Action (17 CFR 240.21F-10(b))
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)

	filed, violation, knowledge, retaliation := day(-90), day(-4*365), day(-200), day(-120)
	sealDue, _ := quitam.SealDue(filed, "")
	granted, extended, intervened, received := day(-40), day(60), day(-10), day(-1)
	limits, _ := quitam.LimitationsDate(violation, knowledge)
	retaliationDue, _ := quitam.RetaliationDue(retaliation)

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
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	wantIn := func(sel string, wants ...string) {
		t.Helper()
		got := text(sel)
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s does not say %q:\n%s", sel, w, got)
			}
		}
	}
	// upcoming reads counsel's /awards list of upcoming deadlines, one
	// line each, and checks that it holds wants in this order, each with
	// its matter's caption when it is the matter's, and none of notWants.
	upcoming := func(stage string, wants, notWants []string) {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Navigate(base+"/awards"), chromedp.WaitVisible(chromedp.ID("upcoming"))); err != nil {
			t.Fatal(err)
		}
		list := text("#upcoming")
		at := -1
		for _, w := range wants {
			i := strings.Index(list, w)
			if i < 0 || i < at {
				t.Errorf("%s: /awards does not list %q after the deadline before it:\n%s", stage, w, list)
				continue
			}
			at = i
			if strings.Contains(w, "qui tam") && !strings.HasPrefix(list[i+len(w):], " — United States ex rel. Relator A v. Example Chips Ltd.") {
				t.Errorf("%s: %q on /awards is not followed by the matter's caption:\n%s", stage, w, list)
			}
		}
		for _, n := range notWants {
			if strings.Contains(list, n) {
				t.Errorf("%s: /awards still lists %q:\n%s", stage, n, list)
			}
		}
		links, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#upcoming a")].map(a => a.getAttribute("href"))`))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(links, func(h string) bool { return strings.HasPrefix(h, "/quitam/") }) && slices.ContainsFunc(wants, func(w string) bool { return strings.Contains(w, "qui tam") }) {
			t.Errorf("%s: no deadline on /awards links to the matter: %q", stage, links)
		}
	}
	const (
		sealName        = "qui tam: 60-day seal ends, Government to elect (31 U.S.C. 3730(b)(2))"
		extensionName   = "qui tam: extended seal ends, extension 1 (31 U.S.C. 3730(b)(3))"
		limitationsName = "qui tam: limitations date (31 U.S.C. 3731(b))"
		retaliationName = "qui tam: retaliation action due (31 U.S.C. 3730(h)(3))"
	)
	shots := func(name string) {
		t.Helper()
		for _, width := range []int64{1280, 390} {
			if _, err := chromedp.Call(tab, emulation.SetDeviceMetricsOverride,
				emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 500}); err != nil {
				t.Fatal(err)
			}
			screenshot(t, tab, dir, name+"-"+map[int64]string{1280: "1280", 390: "390"}[width])
		}
	}

	// Counsel open the matter from the Qui tam page of the navigation.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/claims"), chromedp.WaitVisible(chromedp.CSS(`a[href="/quitam"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/quitam"]`)), chromedp.WaitVisible(chromedp.ID("qt-opening"))); err != nil {
		t.Fatal(err)
	}
	wantIn("#qt-opening", "Relator A", kase.ID)
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("qt-caption"), "United States ex rel. Relator A v. Example Chips Ltd."),
		chromedp.Click(chromedp.ID("qt-create")),
		chromedp.WaitVisible(chromedp.ID("facts")),
	); err != nil {
		t.Fatal(err)
	}
	wantIn("#deadlines", "No deadlines yet")
	matterURL, err := chromedp.Run(tab, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	backToMatter := func() {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Navigate(matterURL), chromedp.WaitVisible(chromedp.ID("facts"))); err != nil {
			t.Fatal(err)
		}
	}
	upcoming("opened", []string{secDue + ": ", "— Source S, SEC whistleblower program (Exchange Act §21F)"}, []string{"qui tam"})
	backToMatter()

	// The complaint, filed under seal, and the days the limits run from.
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("qt-filed"), filed),
		chromedp.SetValue(chromedp.ID("qt-violation"), violation),
		chromedp.SetValue(chromedp.ID("qt-knowledge"), knowledge),
		chromedp.SetValue(chromedp.ID("qt-retaliation"), retaliation),
		chromedp.Click(chromedp.ID("qt-public")),
		chromedp.Click(chromedp.ID("qt-original")),
		chromedp.Click(chromedp.ID("qt-facts-save")),
		chromedp.WaitVisible(chromedp.ID("qt-seal-ends")),
	); err != nil {
		t.Fatal(err)
	}
	wantIn("#deadlines", "qui tam: 60-day seal ends, Government to elect (31 U.S.C. 3730(b)(2)): due "+sealDue+" — overdue")
	wantIn("#warnings", "original source", "3730(e)(4)")
	shots("quitam-filed")

	// The open deadlines are in counsel's list of upcoming deadlines on
	// /awards, sorted with the award claims' deadlines; the limitations
	// date is met by the filing.
	upcoming("filed", []string{sealDue + ": " + sealName, "Example Chips Ltd. — overdue", secDue + ": ", "— Source S, SEC whistleblower program (Exchange Act §21F)", retaliationDue + ": " + retaliationName},
		[]string{limitationsName})
	shots("quitam-awards-filed")

	// The seal deadline is in counsel's list of open deadlines, in words.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/quitam"), chromedp.WaitVisible(chromedp.ID("deadlines"))); err != nil {
		t.Fatal(err)
	}
	wantIn("#deadlines", sealDue+": qui tam: 60-day seal ends", "United States ex rel. Relator A")
	shots("quitam-list")

	// An extension of the seal, the election, and a payment.
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`#matters a`)),
		chromedp.WaitVisible(chromedp.ID("qt-extend")),
		chromedp.SetValue(chromedp.ID("qt-granted"), granted),
		chromedp.SetValue(chromedp.ID("qt-new-day"), extended),
		chromedp.Click(chromedp.ID("qt-extend")),
	); err != nil {
		t.Fatal(err)
	}
	// The forms navigate: wait for the page after the form, not the one before.
	if err := waitTrue(tab, `document.querySelector("#qt-seal-ends")?.textContent === "`+extended+`"`); err != nil {
		t.Error(err)
	}
	if got := text("#qt-seal-ends"); got != extended {
		t.Errorf("the seal ends %s after the extension, want %s", got, extended)
	}
	wantIn("#deadlines", "60-day seal ends, Government to elect (31 U.S.C. 3730(b)(2)): due "+sealDue+", met "+granted,
		"extended seal ends, extension 1 (31 U.S.C. 3730(b)(3)): due "+extended)
	upcoming("extended", []string{extended + ": " + extensionName, secDue + ": ", "— Source S, SEC whistleblower program (Exchange Act §21F)", retaliationDue + ": " + retaliationName},
		[]string{sealName, limitationsName, "overdue"})
	backToMatter()
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("qt-intervention"), string(quitam.Intervened)),
		chromedp.SetValue(chromedp.ID("qt-intervention-day"), intervened),
		chromedp.Click(chromedp.ID("qt-decide")),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitTrue(tab, `document.querySelector("#qt-election")?.textContent.includes("intervened on")`); err != nil {
		t.Error(err)
	}
	wantIn("#qt-election", "The Government intervened on "+intervened)
	wantIn("#deadlines", "extension 1 (31 U.S.C. 3730(b)(3)): due "+extended+", met "+intervened)
	upcoming("intervened", []string{secDue + ": ", "— Source S, SEC whistleblower program (Exchange Act §21F)", retaliationDue + ": " + retaliationName}, []string{sealName, extensionName, limitationsName})
	backToMatter()
	if err := chromedp.Do(tab,
		chromedp.SetValue(chromedp.ID("qt-received"), received),
		chromedp.SetValue(chromedp.ID("qt-fed-amount"), "1,000,000.00"),
		chromedp.SetValue(chromedp.ID("qt-state-amount"), "250,000.00"),
		chromedp.SetValue(chromedp.ID("qt-doc"), "Settlement agreement, Treasury receipt 2026-0311"),
		chromedp.Click(chromedp.ID("qt-collect")),
		chromedp.WaitVisible(chromedp.ID("qt-ledger")),
	); err != nil {
		t.Fatal(err)
	}
	// 15–25 % of the federal $1,000,000 (3730(d)(1)); the state's
	// $250,000 is kept apart.
	if got := text("#qt-federal"); got != "$1,000,000.00" {
		t.Errorf("federal proceeds %q", got)
	}
	wantIn("#qt-shares", "The Government intervenes", "15–25 %", "$150,000.00 – $250,000.00")
	if strings.Contains(text("#qt-shares"), "declines") {
		t.Error("the declined scenario is still shown after the Government intervened")
	}
	wantIn("#share", "states collected $250,000.00 separately")
	if got := text("#qt-limitations"); got != limits.Due {
		t.Errorf("3731(b) date %q, want %q", got, limits.Due)
	}
	wantIn("#limitations", "3 years after the official knew or should have known", "The later of the two applies")
	wantIn("#deadlines", "qui tam: limitations date (31 U.S.C. 3731(b)): due "+limits.Due+", met "+filed,
		"qui tam: retaliation action due (31 U.S.C. 3730(h)(3)): due "+retaliationDue)
	wantIn("#law", "31 U.S.C. 3731(b)", "primary", "unverified")
	shots("quitam-settled")

	// Counsel's list keeps the one deadline still open.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/quitam"), chromedp.WaitVisible(chromedp.ID("deadlines"))); err != nil {
		t.Fatal(err)
	}
	if got := text("#deadlines"); !strings.Contains(got, retaliationDue+": qui tam: retaliation action due") || strings.Contains(got, "seal ends") {
		t.Errorf("counsel's open deadlines:\n%s", got)
	}
	upcoming("settled", []string{secDue + ": ", "— Source S, SEC whistleblower program (Exchange Act §21F)", retaliationDue + ": " + retaliationName}, []string{sealName, extensionName, limitationsName})
	shots("quitam-awards-settled")

	// The desk's triage queue shows every deadline of the matter, in words,
	// on the case's submission.
	queue, cancelQueue := chromedp.NewContext(chromium)
	defer cancelQueue()
	if _, err := chromedp.Call(queue, network.SetCookie, network.SetCookieParams{Name: ivan.cookie.Name, Value: ivan.cookie.Value, URL: base}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(queue, chromedp.Navigate(base+"/queue"), chromedp.WaitVisible(chromedp.CSS(`a[href="/submissions/`+sub+`"]`))); err != nil {
		t.Fatal(err)
	}
	cell, err := chromedp.Run(queue, chromedp.Text(chromedp.CSS(`table.cw-queue tbody tr`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"qui tam: 60-day seal ends, Government to elect (31 U.S.C. 3730(b)(2)) met " + granted,
		"qui tam: extended seal ends, extension 1 (31 U.S.C. 3730(b)(3)) met " + intervened,
		"qui tam: limitations date (31 U.S.C. 3731(b)) met " + filed,
		"qui tam: retaliation action due (31 U.S.C. 3730(h)(3)) due " + retaliationDue,
	} {
		if !strings.Contains(cell, want) {
			t.Errorf("the queue does not list %q:\n%s", want, cell)
		}
	}
	for _, width := range []int64{1280, 390} {
		if _, err := chromedp.Call(queue, emulation.SetDeviceMetricsOverride,
			emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 500}); err != nil {
			t.Fatal(err)
		}
		screenshot(t, queue, dir, "quitam-queue-"+map[int64]string{1280: "1280", 390: "390"}[width])
	}
}
