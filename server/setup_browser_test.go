package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
)

// stepTimeout bounds one step of a browser walk: a page load, a form sent
// and the page it leads to.
const stepTimeout = 20 * time.Second

// TestBrowserFirstRun: a new team's first hour, in Chromium with
// JavaScript off. The setup link (as serve prints it) makes the first
// admin with a code computed from the secret the page shows; the admin
// logs in, creates a desk and uploads its questionnaire, adds a key and
// invites an investigator, who sets a password, gives a public key,
// enrols TOTP and logs in to the queue. axe-core checks every page on the
// way at 390 and 1280 px.
func TestBrowserFirstRun(t *testing.T) {
	axeScript(t)
	browser := newBrowser(t)
	ts := newTestServer(t)
	serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	dir := artifacts(t)
	token, err := ts.deps.Onboarding.SetupToken(context.Background())
	if err != nil || token == "" {
		t.Fatalf("setup token = %q, %v", token, err)
	}
	walk, cancelWalk := context.WithTimeout(browser, 2*browserTimeout) // the whole walk, both tabs
	defer cancelWalk()
	tab, cancel := chromedp.NewContext(walk)
	defer cancel()
	disableScripts(t, tab, true)

	// do runs one step, each bounded on its own so that a stuck step fails
	// in seconds, not at the end of the whole walk.
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(tab, stepTimeout)
		defer cancel()
		if err := chromedp.Do(step, actions...); err != nil {
			if png, err := chromedp.Run(tab, chromedp.Location()); err == nil {
				t.Logf("at %s", png)
			}
			screenshot(t, tab, dir, "first-run-failed")
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	// check runs axe-core on the page at both widths, checks that nothing
	// makes it wider than the window (WCAG 1.4.10, reflow) and takes
	// screenshots.
	check := func(name string) {
		t.Helper()
		disableScripts(t, tab, false)
		for _, width := range []int64{390, 1280} {
			setWidth(t, tab, width)
			checkAccessibility(t, tab, fmt.Sprintf("%s at %d px", name, width))
			if wide, window := evalInt(t, tab, `document.documentElement.scrollWidth`), evalInt(t, tab, `window.innerWidth`); wide > window {
				t.Errorf("%s at %d px is %d px wide", name, width, wide)
			}
			screenshot(t, tab, dir, fmt.Sprintf("first-run-%s-%d", name, width))
		}
		disableScripts(t, tab, true)
	}
	code := func(secret string, at time.Time) string {
		c, err := casework.TOTPCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	do("landing page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/login"]`)))
	check("landing")
	do("setup page", chromedp.Navigate(base+"/setup/"+token), chromedp.WaitVisible(chromedp.ID("setup-email")))
	check("setup")
	do("setup form",
		chromedp.SetValue(chromedp.ID("setup-email"), "root@example.org"),
		chromedp.SetValue(chromedp.ID("setup-password"), staffPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("totp-secret")))
	check("setup-totp")
	secret := text("#totp-secret")
	do("setup code",
		chromedp.SetValue(chromedp.ID("setup-totp"), code(secret, time.Now())),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("login-email")))
	do("login",
		chromedp.SetValue(chromedp.ID("login-email"), "root@example.org"),
		chromedp.SetValue(chromedp.ID("login-password"), staffPassword),
		chromedp.SetValue(chromedp.ID("login-totp"), code(secret, time.Now().Add(30*time.Second))),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("desk-slug")))
	check("admin")

	do("create a desk",
		chromedp.SetValue(chromedp.ID("desk-slug"), "sanctions"),
		chromedp.SetValue(chromedp.ID("desk-title-en"), "Sanctions evasion"),
		chromedp.SetValue(chromedp.ID("desk-title-zh"), "规避制裁"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/desks"] button`)),
		chromedp.WaitVisible(chromedp.ID("questionnaire-definition")))
	questionnaire := `{"version": 1, "title": {"en": "Sanctions evasion", "zh": "规避制裁"},
"fields": [
  {"id": "what", "type": "long_text", "label": {"en": "What happened?", "zh": "发生了什么？"}, "required": true},
  {"id": "where", "type": "country", "label": {"en": "In which country?", "zh": "在哪个国家？"}}
]}`
	mistakes := strings.NewReplacer(`"country"`, `"nation"`, `, "zh": "发生了什么？"`, ``).Replace(questionnaire)
	do("a questionnaire with two mistakes",
		chromedp.SetValue(chromedp.ID("questionnaire-definition"), mistakes),
		chromedp.Click(chromedp.CSS(`form[action$="/questionnaire"] button`)),
		chromedp.WaitVisible(chromedp.ID("questionnaire-problem")))
	got := text("#questionnaire-problem")
	for _, want := range []string{`Line 3, field “what”: label: no text in "zh"`, `Line 4, field “where”: unknown type "nation"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the questionnaire's problems = %q, want %q among them", got, want)
		}
	}
	check("desk-problem")
	do("the questionnaire",
		chromedp.SetValue(chromedp.ID("questionnaire-definition"), questionnaire),
		chromedp.Click(chromedp.CSS(`form[action$="/questionnaire"] button`)),
		chromedp.WaitVisible(chromedp.ID("f-what")))
	check("desk")
	do("the Chinese preview", chromedp.Navigate(base+"/admin/desks/sanctions?lang=zh"), chromedp.WaitVisible(chromedp.ID("f-what")))
	if got := text("#q-what"); !strings.Contains(got, "发生了什么") {
		t.Errorf("the Chinese preview shows %q", got)
	}
	check("desk-zh")

	pub, _, fingerprint, err := crypto.GenerateKey("Sanctions desk", "", []byte("desk passphrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do("the desk's link to add a key", chromedp.Click(chromedp.CSS(`a[href^="/admin/keys?desk=sanctions"]`)), chromedp.WaitVisible(chromedp.ID("key-text")))
	if desk, err := chromedp.Run(tab, chromedp.Value(chromedp.ID("key-desk"))); err != nil || desk != "sanctions" {
		t.Errorf("the add-key form is for desk %q (%v), want sanctions", desk, err)
	}
	do("add a key",
		chromedp.SetValue(chromedp.ID("key-text"), string(pub)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/keys"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`section[aria-label="Key `+fingerprint+` of desk sanctions"]`)))
	check("keys")

	do("staff page", chromedp.Navigate(base+"/admin/staff"), chromedp.WaitVisible(chromedp.ID("invite-email")))
	do("invite",
		chromedp.SetValue(chromedp.ID("invite-email"), "bo@example.org"),
		chromedp.SetValue(chromedp.ID("invite-role"), "investigator"),
		chromedp.Click(chromedp.CSS(`input[name="desk"][value="sanctions"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/staff/invite"] button`)),
		chromedp.WaitVisible(chromedp.ID("invite-url")))
	check("staff")
	link := text("#invite-url")

	// The invitee, in a browser of their own.
	invitee, cancelInvitee := chromedp.NewContext(walk)
	defer cancelInvitee()
	tab = invitee
	disableScripts(t, tab, true)
	investigatorKey, _, investigatorFingerprint, err := crypto.GenerateKey("Bo", "bo@example.org", []byte("bo passphrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do("invitation page", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("setup-key")))
	check("invite")
	do("invitation form",
		chromedp.SetValue(chromedp.ID("setup-password"), "a long passphrase of bo"),
		chromedp.SetValue(chromedp.ID("setup-key"), string(investigatorKey)),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("totp-secret")))
	check("invite-totp")
	secret = text("#totp-secret")
	do("invitation code",
		chromedp.SetValue(chromedp.ID("setup-totp"), code(secret, time.Now())),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("login-email")))
	do("the invitee logs in",
		chromedp.SetValue(chromedp.ID("login-email"), "bo@example.org"),
		chromedp.SetValue(chromedp.ID("login-password"), "a long passphrase of bo"),
		chromedp.SetValue(chromedp.ID("login-totp"), code(secret, time.Now().Add(30*time.Second))),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Filters"]`)))
	if got := text("main p.muted"); !strings.Contains(got, "bo@example.org") {
		t.Errorf("after the invitee's login the queue says %q", got)
	}
	check("invitee-queue")

	_, armored, err := ts.deps.Grants.Store.UserPublicKey(context.Background(), "bo@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if k, err := crypto.ParsePublicKey([]byte(armored), time.Now()); err != nil || k.Fingerprint != investigatorFingerprint {
		t.Errorf("bo's public key = %v, %v; want %s", k, err, investigatorFingerprint)
	}
	users, _ := ts.deps.Staff.ListUsers(context.Background())
	for _, u := range users {
		if u.Email == "bo@example.org" && (u.Role != casework.RoleInvestigator || strings.Join(u.Desks, ",") != "sanctions") {
			t.Errorf("bo = %+v", u)
		}
	}
}
