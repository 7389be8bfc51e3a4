package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
)

// submitNoJS posts a tip through the intake listener's plain form and
// returns the id of the new submission.
func submitNoJS(t *testing.T, ts *testServer, desk string, parts []formPart) string {
	t.Helper()
	var before []string
	ts.db.Raw("SELECT id FROM submissions").Scan(&before)
	ctype, body := multipartBody(t, parts)
	r := httptest.NewRequest(http.MethodPost, "/desk/"+desk+"/submit", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusOK {
		t.Fatalf("submission to %s = %d\n%.500s", desk, w.Code, w.Body)
	}
	var ids []string
	ts.db.Raw("SELECT id FROM submissions").Scan(&ids)
	for _, id := range ids {
		known := false
		for _, b := range before {
			known = known || b == id
		}
		if !known {
			return id
		}
	}
	t.Fatal("no new submission")
	return ""
}

// getWithCookie sends a GET to the casework listener with the session cookie.
func getWithCookie(ts *testServer, target string, cookie *http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if cookie != nil {
		r.AddCookie(cookie)
	}
	return ts.do("casework", r)
}

// TestCaseworkPages checks the staff pages without a browser: the login
// page is public, the queue and submission pages redirect to /login
// without a session and render for an investigator of the desk, and a
// submission of another desk is not found.
func TestCaseworkPages(t *testing.T) {
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	addGPGKey(t, ts)
	pub, _, _, err := crypto.GenerateKey("Securities desk", "", []byte("passphrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.intake.Desks.AddDesk(ctx, "sec-fraud", "Securities fraud", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.intake.Desks.AddKey(ctx, "sec-fraud", pub); err != nil {
		t.Fatal(err)
	}
	mine := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{
		{name: "narrative", value: "Relabelled H20 boards."},
		{name: "evidence", filename: "invoice.pdf", value: "%PDF-1.4 invoice"},
	})
	other := submitNoJS(t, ts, "sec-fraud", []formPart{{name: "narrative", value: "Backdated options."}})

	t.Run("login page", func(t *testing.T) {
		w := ts.get("casework", "/login")
		if w.Code != http.StatusOK {
			t.Fatalf("GET /login = %d", w.Code)
		}
		body := w.Body.String()
		for _, want := range []string{`id="login"`, `id="login-totp"`, `integrity="sha384-`} {
			if !strings.Contains(body, want) {
				t.Errorf("login page lacks %s", want)
			}
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("login page CSP %q does not allow its script", csp)
		}
	})

	for _, path := range []string{"/queue", "/queue?overdue=true", "/submissions/" + mine, "/submissions/" + other} {
		t.Run("no session "+path, func(t *testing.T) {
			w := ts.get("casework", path)
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
				t.Errorf("GET %s without a session = %d %q, want 303 to /login", path, w.Code, w.Header().Get("Location"))
			}
		})
	}
	bad := &http.Cookie{Name: sessionCookie, Value: "not-a-session"}
	if w := getWithCookie(ts, "/queue", bad); w.Code != http.StatusSeeOther {
		t.Errorf("GET /queue with a dead session = %d, want 303", w.Code)
	}

	_, cookie := ts.login(t, secret)

	t.Run("queue", func(t *testing.T) {
		w := getWithCookie(ts, "/queue", cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("GET /queue = %d\n%.500s", w.Code, w.Body)
		}
		body := w.Body.String()
		// Issue 15: each row's link read only the received day.
		for _, want := range []string{`href="/submissions/` + mine + `">Tip #1</a>`, "export-controls", "Acknowledge receipt", "due " + time.Now().UTC().AddDate(0, 0, 7).Format(time.DateOnly),
			`href="/queue?overdue=true"`, `href="/queue?status=closed"`, `href="/queue?due_within=7"`} {
			if !strings.Contains(body, want) {
				t.Errorf("queue lacks %q", want)
			}
		}
		if strings.Contains(body, other) {
			t.Error("the queue shows a submission of another desk")
		}
		if strings.Contains(body, "Relabelled") {
			t.Error("the queue shows content")
		}
		if w := getWithCookie(ts, "/queue?status=closed", cookie); w.Code != http.StatusOK || strings.Contains(w.Body.String(), mine) {
			t.Errorf("status=closed = %d, lists the new submission: %v", w.Code, strings.Contains(w.Body.String(), mine))
		}
		if w := getWithCookie(ts, "/queue?overdue=true", cookie); w.Code != http.StatusOK || strings.Contains(w.Body.String(), mine) {
			t.Errorf("overdue=true = %d, lists the new submission: %v", w.Code, strings.Contains(w.Body.String(), mine))
		}
		if w := getWithCookie(ts, "/queue?status=bogus", cookie); w.Code != http.StatusUnprocessableEntity {
			t.Errorf("status=bogus = %d, want 422", w.Code)
		}
		if w := getWithCookie(ts, "/queue?after=nonsense", cookie); w.Code != http.StatusUnprocessableEntity {
			t.Errorf("after=nonsense = %d, want 422", w.Code)
		}
		if w := getWithCookie(ts, "/queue?sort=oldest", cookie); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), mine) {
			t.Errorf("sort=oldest = %d, lists the submission: %v", w.Code, strings.Contains(w.Body.String(), mine))
		}
		if w := getWithCookie(ts, "/queue?sort=sideways", cookie); w.Code != http.StatusUnprocessableEntity {
			t.Errorf("sort=sideways = %d, want 422", w.Code)
		}
	})

	t.Run("submission", func(t *testing.T) {
		w := getWithCookie(ts, "/submissions/"+mine, cookie)
		if w.Code != http.StatusOK {
			t.Fatalf("GET /submissions/%s = %d\n%.500s", mine, w.Code, w.Body)
		}
		body := w.Body.String()
		var manifest, file string
		ts.db.Raw("SELECT id FROM objects WHERE submission_id = ? AND kind = 'manifest'", mine).Scan(&manifest)
		ts.db.Raw("SELECT id FROM objects WHERE submission_id = ? AND kind = 'file'", mine).Scan(&file)
		for _, want := range []string{`data-manifest="` + manifest + `"`, `href="/api/v1/objects/` + file + `"`,
			`rel="modulepreload"`, `integrity="sha384-`, `id="decrypt-run"`, "Download ciphertext (.pgp)"} {
			if !strings.Contains(body, want) {
				t.Errorf("submission page lacks %q", want)
			}
		}
		if strings.Contains(body, "Relabelled") {
			t.Error("the submission page shows content")
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("submission page CSP %q does not allow its script", csp)
		}
		if w := getWithCookie(ts, "/submissions/"+other, cookie); w.Code != http.StatusNotFound {
			t.Errorf("a submission of another desk = %d, want 404", w.Code)
		}
		if w := getWithCookie(ts, "/submissions/no-such-id", cookie); w.Code != http.StatusNotFound {
			t.Errorf("an unknown submission = %d, want 404", w.Code)
		}
	})

	// Viewing the page is audited, like the API.
	entries, err := ts.deps.Staff.Store.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	viewed := false
	for _, e := range entries {
		viewed = viewed || (e.Record.Action == "submission.view" && e.Record.Target == "submission:"+mine)
	}
	if !viewed {
		t.Error("the submission page view is not in the audit log")
	}
}

// TestBrowserDecryption is the investigator's side in headless Chromium: a
// tip submitted through the plain form, a login with password and TOTP,
// the queue, the import of a passphrase-protected key, and decryption in
// the browser. The narrative must appear in the page and never in the
// server's log or at rest.
func TestBrowserDecryption(t *testing.T) {
	chromium := newBrowser(t)
	ts, secret := newStaffTestServer(t)
	ts.deps.Config.MaxFormUpload = 8 << 20
	pub, priv, _, err := crypto.GenerateKey("Investigator", "", []byte("pass phrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.intake.Desks.AddKey(context.Background(), intake.DefaultDeskSlug, pub); err != nil {
		t.Fatal(err)
	}
	evidence := "row 1, H100, " + canary + "\n"
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, noJSForm(evidence))
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)

	ctx, cancel := chromedp.NewContext(chromium)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	defer cancelTimeout()

	// Without a session the queue sends the browser to the login page.
	code, err := casework.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/queue"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SetValue(chromedp.ID("login-email"), "ana@example.org"),
		chromedp.SetValue(chromedp.ID("login-password"), staffPassword),
		chromedp.SetValue(chromedp.ID("login-totp"), code),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`table.cw-queue a[href="/submissions/`+sub+`"]`)),
	); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("login-error")?.textContent ?? ""`))
		t.Fatalf("login and queue: %v (%q)", err, msg)
	}
	screenshot(t, ctx, dir, "casework-queue")

	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`table.cw-queue a[href="/submissions/`+sub+`"]`)),
		chromedp.WaitVisible(chromedp.ID("key-armored")),
		chromedp.SetValue(chromedp.ID("key-armored"), string(priv)),
		chromedp.Click(chromedp.ID("key-save")),
		chromedp.WaitVisible(chromedp.ID("key-passphrase")),
	); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decrypt-error")?.textContent ?? ""`))
		t.Fatalf("key import: %v (%q)", err, msg)
	}
	// The browser keeps the key still encrypted.
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[string](`localStorage.getItem("tipline.casework.privateKey") ?? ""`))
	if err != nil || !strings.Contains(kept, "PRIVATE KEY BLOCK") {
		t.Fatalf("kept key %.60q, %v", kept, err)
	}

	// A wrong passphrase is refused and shows nothing.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("key-passphrase"), "wrong"),
		chromedp.Click(chromedp.ID("decrypt-run")),
		chromedp.WaitVisible(chromedp.ID("decrypt-error")),
	); err != nil {
		t.Fatalf("wrong passphrase: %v", err)
	}

	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.ID("decrypt-run")),
		chromedp.WaitVisible(chromedp.ID("decrypted")),
	); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decrypt-error")?.textContent ?? ""`))
		t.Fatalf("decrypt: %v (%q)", err, msg)
	}
	panel, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("decrypted")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"H100 servers relabelled as routers. " + canary, "深圳市华芯科技有限公司", "发票-" + canary + ".pdf", "manifest.xlsx", "Decrypt and save"} {
		if !strings.Contains(panel, want) {
			t.Errorf("decrypted panel lacks %q:\n%s", want, panel)
		}
	}
	if pass, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("key-passphrase").value`)); pass != "" {
		t.Error("the passphrase stays in the field after decryption")
	}
	screenshot(t, ctx, dir, "casework-submission-decrypted")

	// Each file decrypts, matches the SHA-256 of the manifest and is
	// offered as a download under its own name.
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.CSS(`#files li:last-child button`)),
	); err != nil {
		t.Fatal(err)
	}
	if err := waitTrue(ctx, `document.getElementById("decrypt-status").textContent === "Decrypted manifest.xlsx."`); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decrypt-error").textContent`))
		t.Fatalf("decrypt and save: %v (%q)", err, msg)
	}
	saved := filepath.Join(downloads, "manifest.xlsx")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(saved)
		if err == nil && string(b) == evidence {
			break
		}
		if time.Now().After(deadline) {
			names, _ := os.ReadDir(downloads)
			t.Fatalf("saved file %s = %q, %v (folder holds %v)", saved, b, err, names)
		}
	}

	if strings.Contains(ts.log.String(), canaryID()) {
		t.Error("the canary reached the server log")
	}
	ts.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	assertNoCanary(t, ts, filepath.Dir(ts.dbPath()), ts.blobDir)
}

// staffPage is one staff page the accessibility walk opens, as whom, and
// an element that shows it has loaded.
type staffPage struct {
	name, path string
	as         walkSession
	ready      string
}

// walkSession is whose session the accessibility walk opens a page with.
type walkSession int

// The sessions of the accessibility walk.
const (
	asInvestigator walkSession = iota
	asAuditor
	asCounsel
	asNobody // the login page
)

// rawCode finds a code shown where words belong (issue 15): statuses,
// roles and kinds with underscores, and award programs by their ids.
var rawCode = `/\b(end_user|freight_forwarder|under_review|needs_information|case_opened|on_hold|no_jurisdiction|not_credible|n_a|sec|fca)\b/`

// TestBrowserStaffPagesAccessible opens the staff pages of issue 15 (the
// login, home, queue, a submission, the cases and a case, the entities and
// an entity, the audit log; as counsel the claims, a claim and its report,
// the awards, the estimator empty and filled, the actions and an action,
// the qui tam matters and a matter) in headless Chromium, with JavaScript on and off, at a
// phone's 390 px and a desktop's 1280 px: axe-core finds no WCAG 2.2 AA
// violation, no page is wider than the window (WCAG 1.4.10: the queue was
// 825 px wide at 390 px, the audit log 2,033 px on a desktop), and no code
// shows raw. The queue names each tip by its number, and the graph is
// inline SVG whose nodes link to their pages.
func TestBrowserStaffPagesAccessible(t *testing.T) {
	axeScript(t)
	chromium := newBrowser(t)
	ts, secret := newStaffTestServer(t)
	ctx := context.Background()
	addGPGKey(t, ts)
	// Ana's key is registered but not among the desk's recipients.
	pub, _, _, err := crypto.GenerateKey("Ana", "ana@example.org", []byte("pass phrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.deps.Grants.SetKey(ctx, 0, "ana@example.org", pub); err != nil {
		t.Fatal(err)
	}
	first := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{{name: "narrative", value: "Relabelled H20 boards."}})
	sub := submitNoJS(t, ts, intake.DefaultDeskSlug, []formPart{
		{name: "narrative", value: "Relabelled H100 boards."},
		{name: "evidence", filename: "invoice.pdf", value: "%PDF-1.4 invoice"},
	})
	u, err := ts.deps.Staff.Store.UserByEmail(ctx, "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	ana := casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Desks: u.Desks}
	create := func(name string, kind entities.Kind) string {
		t.Helper()
		d, err := ts.deps.Entities.Create(ctx, ana, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: kind, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	forwarder := create("Straits Meridian International Logistics and Freight Forwarding Pte. Ltd.", entities.Organization)
	buyer := create("Shenzhen Huaqiang Electronics", entities.Organization)
	kase, err := ts.deps.Cases.Create(ctx, ana, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Changi transshipments", Submissions: []string{sub}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		entity string
		role   entities.Role
	}{{forwarder, entities.FreightForwarder}, {buyer, entities.EndUser}} {
		if _, err := ts.deps.Entities.LinkSubmission(ctx, ana, l.entity, sub, l.role); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.deps.Entities.Relate(ctx, ana, forwarder, buyer, entities.ShipsFor); err != nil {
		t.Fatal(err)
	}
	_, investigator := ts.login(t, secret)
	auditor := staffToken(t, ts, "audit@example.org", casework.RoleAuditor, nil)
	counsel := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	claim, action, matter := awardsData(t, ts, ana, counsel.Principal, first)
	tokens := map[walkSession]string{asInvestigator: investigator.Value, asAuditor: auditor, asCounsel: counsel.cookie.Value}
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)

	pages := []staffPage{
		{"login", "/login", asNobody, "#login-email"},
		{"home", "/home", asInvestigator, "main h1"},
		{"queue", "/queue", asInvestigator, `a[href="/submissions/` + sub + `"]`},
		{"submission", "/submissions/" + sub, asInvestigator, "#decrypt"},
		{"cases", "/cases", asInvestigator, `a[href="/cases/` + kase.ID + `"]`},
		{"case", "/cases/" + kase.ID, asInvestigator, "main h1"},
		{"entities", "/entities?q=Straits", asInvestigator, `a[href="/entities/` + forwarder + `"]`},
		{"entity", "/entities/" + forwarder, asInvestigator, "#graph svg"},
		{"audit", "/audit", asAuditor, "main table"},
		{"claims", "/claims", asCounsel, `a[href="/claims/` + claim + `"]`},
		{"claim", "/claims/" + claim, asCounsel, "#claim-range"},
		{"claim report", "/claims/" + claim + "/report", asCounsel, "#report-fee"},
		{"awards", "/awards", asCounsel, "#upcoming"},
		{"estimator", "/awards/estimate", asCounsel, "#est-program"},
		{"estimate", "/awards/estimate?program=sec&ordered=2%2C000%2C000&collected=1%2C000%2C000&notice=" + time.Now().UTC().Format(time.DateOnly), asCounsel, "#est-result"},
		{"actions", "/actions", asCounsel, `a[href="/actions/` + action + `"]`},
		{"action", "/actions/" + action, asCounsel, "#collection-form"},
		{"qui tam", "/quitam", asCounsel, `a[href="/quitam/` + matter + `"]`},
		{"qui tam matter", "/quitam/" + matter, asCounsel, "#facts"},
	}
	for _, javaScript := range []bool{true, false} {
		t.Run(map[bool]string{false: "NoJavaScript", true: "JavaScript"}[javaScript], func(t *testing.T) {
			for _, page := range pages {
				t.Run(page.name, func(t *testing.T) {
					tab, cancel := chromedp.NewContext(chromium)
					defer cancel()
					tab, cancelTimeout := context.WithTimeout(tab, 4*browserTimeout)
					defer cancelTimeout()
					if token, ok := tokens[page.as]; ok {
						if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: token, URL: base}); err != nil {
							t.Fatal(err)
						}
					}
					disableScripts(t, tab, !javaScript)
					setWidth(t, tab, 390)
					if err := chromedp.Do(tab, chromedp.Navigate(base+page.path), chromedp.WaitReady(chromedp.CSS(page.ready))); err != nil {
						t.Fatalf("open %s: %v", page.path, err)
					}
					disableScripts(t, tab, false)
					for _, width := range []int64{390, 1280} {
						setWidth(t, tab, width)
						checkAccessibility(t, tab, fmt.Sprintf("%s at %d px", page.name, width))
						checkReflow(t, tab, fmt.Sprintf("%s at %d px", page.name, width), width)
						if javaScript {
							screenshot(t, tab, dir, fmt.Sprintf("staff-%s-%d", page.name, width))
						}
					}
					text := `(() => { const m = document.querySelector("main").cloneNode(true); m.querySelector("#history")?.remove(); return m.innerText; })()`
					if raw := evalString(t, tab, `(`+text+`).match(`+rawCode+`)?.[0] ?? ""`); raw != "" && page.name != "audit" {
						t.Errorf("%s shows the code %q raw", page.name, raw)
					}
				})
			}
		})
	}

	// The regressions of issue 15, in one tab as the investigator.
	tab, cancel := chromedp.NewContext(chromium)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, 2*browserTimeout)
	defer cancelTimeout()
	if _, err := chromedp.Call(tab, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: investigator.Value, URL: base}); err != nil {
		t.Fatal(err)
	}
	setWidth(t, tab, 390)
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/queue"), chromedp.WaitReady(chromedp.CSS(`a[href="/submissions/`+sub+`"]`))); err != nil {
		t.Fatal(err)
	}
	// Each row's link names its tip, no longer only the received day.
	for id, want := range map[string]string{first: "Tip #1", sub: "Tip #2"} {
		if got := evalString(t, tab, `document.querySelector('main a[href="/submissions/`+id+`"]').textContent`); got != want {
			t.Errorf("the queue's link to %s reads %q, want %q", id, got, want)
		}
	}
	// At 390 px the row is a card of labelled fields.
	tr := `document.querySelector('main a[href="/submissions/` + sub + `"]').closest("tr")`
	if shown := evalString(t, tab, `getComputedStyle(`+tr+`).display`); shown != "block" {
		t.Errorf("the queue row at 390 px is displayed %q, want stacked as a block", shown)
	}
	row := evalString(t, tab, `Array.from(`+tr+`.cells, (c) => c.dataset.label + ": " + c.innerText.trim()).join("\n")`)
	for _, want := range []string{"Files: 1", "Source's language: English", "Unread: 0", "Status: Case opened", "Deadlines: Acknowledge receipt met"} {
		if !strings.Contains(row, want) {
			t.Errorf("the queue row at 390 px lacks %q:\n%s", want, row)
		}
	}
	if w := evalInt(t, tab, `document.querySelector("main table").getBoundingClientRect().width`); w > 390 {
		t.Errorf("the queue's table is %d px wide at 390 px", w)
	}

	// The submission page: Decrypt first, and a key the tip is not
	// encrypted to is said plainly, with who can grant access.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/submissions/"+sub), chromedp.WaitReady(chromedp.ID("decrypt"))); err != nil {
		t.Fatal(err)
	}
	order := evalString(t, tab, `Array.from(document.querySelectorAll("main section.cw-panel"), (s) => s.id).join(" ")`)
	if !strings.HasPrefix(order, "decrypt details retention triage") {
		t.Errorf("the submission page's sections are in the order %q, want decrypt first", order)
	}
	if note := evalString(t, tab, `document.querySelector(".cw-cannot-read")?.innerText ?? ""`); !strings.Contains(note, "You cannot decrypt this tip with your key.") {
		t.Errorf("the submission page does not say the key cannot decrypt the tip: %q", note)
	}
	if n := evalInt(t, tab, `document.querySelectorAll('.cw-grant-to[data-email="ana@example.org"]').length`); n != 0 {
		t.Error("the submission page offers Ana a grant to herself")
	}

	// The entity page: the relation menu chooses nothing; the graph is
	// inline, each entity a link to its page, drawn at its own size.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/entities/"+forwarder+"?find=Huaqiang"), chromedp.WaitReady(chromedp.CSS(`.cw-candidates select[name=type]`))); err != nil {
		t.Fatal(err)
	}
	if v := evalString(t, tab, `document.querySelector('.cw-candidates select[name=type]').value`); v != "" {
		t.Errorf("the relation menu starts at %q, want no choice", v)
	}
	if ok := evalString(t, tab, `String(document.querySelector('.cw-candidates form').checkValidity())`); ok != "false" {
		t.Error("the relation form posts with no relation chosen")
	}
	if ok := evalString(t, tab, `String(document.querySelector('#merge form').checkValidity())`); ok != "false" {
		t.Error("the merge form posts without its confirmation")
	}
	if n := evalInt(t, tab, `document.querySelectorAll('#graph svg a[href="/entities/`+buyer+`"], #graph svg a[href="/submissions/`+sub+`"]').length`); n != 2 {
		t.Errorf("%d of the graph's nodes for the buyer and the tip link to their pages, want 2", n)
	}
	if scale := evalString(t, tab, `(() => { const s = document.querySelector("#graph svg"); return String(s.getBoundingClientRect().width / s.width.baseVal.value); })()`); scale != "1" {
		t.Errorf("the graph is drawn at %s of its size: labels shrink", scale)
	}
	// A name cut short in its box shows in full on focus.
	full := `document.querySelector('#graph svg a[href="/entities/` + forwarder + `"] .node-full')`
	if err := chromedp.Do(tab, chromedp.Focus(chromedp.CSS(`#graph svg a[href="/entities/`+forwarder+`"]`))); err != nil {
		t.Fatal(err)
	}
	if shown := evalString(t, tab, `getComputedStyle(`+full+`).display`); shown == "none" {
		t.Error("the forwarder's full name does not show on focus")
	}
	screenshot(t, tab, dir, "staff-entity-graph-focus-390")

	// The corroboration's count of cases and the cases listed agree.
	if err := chromedp.Do(tab, chromedp.Navigate(base+"/entities/"+forwarder), chromedp.WaitReady(chromedp.ID("corroboration"))); err != nil {
		t.Fatal(err)
	}
	counted := evalString(t, tab, `document.querySelector('#corroboration a[href="#cases"]').textContent`)
	listed := evalInt(t, tab, `document.querySelector("#cases").nextElementSibling.querySelectorAll('a[href^="/cases/"]').length`)
	if counted != "1" || listed != 1 {
		t.Errorf("the corroboration counts %s cases, the cases section lists %d; want 1 and 1", counted, listed)
	}
}

// checkReflow fails the test when the page the tab shows is wider than
// the window's width in CSS pixels (WCAG 1.4.10), naming the elements that
// stick out. It compares with the width set, not window.innerWidth: a
// phone's browser zooms out on a page wider than itself, and innerWidth
// grows with it.
func checkReflow(t *testing.T, tab context.Context, page string, width int64) {
	t.Helper()
	if wide := evalInt(t, tab, `document.documentElement.scrollWidth`); wide > int(width) {
		out := evalString(t, tab, fmt.Sprintf(`[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > %d && !e.closest("svg") && ![...e.children].some((c) => c.getBoundingClientRect().right > %d)).slice(0, 8).map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\s+/).join(".") : "") + " " + JSON.stringify(e.textContent.trim().slice(0, 40))).join("\n  ")`, width, width))
		t.Errorf("%s is %d px wide; sticking out:\n  %s", page, wide, out)
	}
}

// evalInt evaluates a JavaScript expression that gives a number.
func evalInt(t *testing.T, ctx context.Context, expr string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return int(n)
}
