package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/notify"
	"github.com/tipline/tipline/store"
)

// stepTimeout bounds one step of a browser walk: a page load, a form sent
// and the page it leads to.
const stepTimeout = 20 * time.Second

// TestBrowserFirstRun is issue 15's walk, a new team's first hour in
// Chromium, with JavaScript off up to the decryption. The setup link (as
// serve prints it) makes the first admin with a code computed from the
// secret the page shows; the admin logs in, creates a desk and uploads
// its questionnaire, adds the investigator's public key to it and
// invites the investigator, who sets a password, gives that public key,
// enrols TOTP, logs in and asks for email notices of new tips. A source
// sends a tip with a file through the desk's form; the notice sender's
// hour ends and the SMTP server (mailpit) receives one notice that holds
// nothing of the tip; the investigator opens the queue and decrypts the
// tip in the browser with the private key. axe-core checks every staff
// page on the way at 390 and 1280 px.
func TestBrowserFirstRun(t *testing.T) {
	axeScript(t)
	browser := newBrowser(t)
	ts := newTestServer(t)
	// Wired as serve wires them: the questionnaires admins upload, events
	// queued for notices, and email on.
	ts.intake.Questionnaires = (&intake.StoredQuestionnaires{Store: store.New(ts.db), Fallback: ts.intake.Questionnaires, Now: time.Now}).For
	ts.intake.Events = &notify.Queue{Store: store.New(ts.db), Logger: ts.intake.Logger, Now: time.Now}
	ts.deps.Notify.EmailOn = true
	intakeBase := serveTest(t, ts)
	base := "http://" + ts.Addr("casework")
	// The investigator; unique in mailpit, and as long as real addresses
	// can be: the keys page names the key by it, and one that did not
	// wrap made the page wider than a phone for some random parts.
	bo := "bo-" + blob.NewKey("")[:8] + "-export-control-investigations@example.org"
	dir := artifacts(t)
	token, err := ts.deps.Onboarding.SetupToken(context.Background())
	if err != nil || token == "" {
		t.Fatalf("setup token = %q, %v", token, err)
	}
	walk, cancelWalk := context.WithTimeout(browser, 3*browserTimeout) // the whole walk, all three tabs
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
			t.Fatalf("%s: %v (page says %q)", what, err, pageSays(tab))
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
			checkReflow(t, tab, fmt.Sprintf("%s at %d px", name, width), width)
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
  {"id": "where", "type": "country", "label": {"en": "In which country?", "zh": "在哪个国家？"}},
  {"id": "evidence", "type": "files", "label": {"en": "Documents", "zh": "文件"}}
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

	// A small team's desk key is its investigators' own: the investigator
	// made a key pair and handed the admin the public half, which the
	// invitation then asks for again, to register it as theirs.
	pub, priv, fingerprint, err := crypto.GenerateKey("Bo", bo, []byte("bo passphrase"), time.Now())
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
		chromedp.SetValue(chromedp.ID("invite-email"), bo),
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
	do("invitation page", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("setup-key")))
	check("invite")
	do("invitation form",
		chromedp.SetValue(chromedp.ID("setup-password"), "a long passphrase of bo"),
		chromedp.SetValue(chromedp.ID("setup-key"), string(pub)),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("totp-secret")))
	check("invite-totp")
	secret = text("#totp-secret")
	do("invitation code",
		chromedp.SetValue(chromedp.ID("setup-totp"), code(secret, time.Now())),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("login-email")))
	do("the invitee logs in",
		chromedp.SetValue(chromedp.ID("login-email"), bo),
		chromedp.SetValue(chromedp.ID("login-password"), "a long passphrase of bo"),
		chromedp.SetValue(chromedp.ID("login-totp"), code(secret, time.Now().Add(30*time.Second))),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Filters"]`)))
	if got := text("main p.muted"); !strings.Contains(got, bo) {
		t.Errorf("after the invitee's login the queue says %q", got)
	}
	check("invitee-queue")

	_, armored, err := ts.deps.Grants.Store.UserPublicKey(context.Background(), bo)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := crypto.ParsePublicKey([]byte(armored), time.Now()); err != nil || k.Fingerprint != fingerprint {
		t.Errorf("bo's public key = %v, %v; want %s", k, err, fingerprint)
	}
	users, _ := ts.deps.Staff.ListUsers(context.Background())
	for _, u := range users {
		if u.Email == bo && (u.Role != casework.RoleInvestigator || strings.Join(u.Desks, ",") != "sanctions") {
			t.Errorf("bo = %+v", u)
		}
	}

	do("notification settings",
		chromedp.Navigate(base+"/settings"),
		chromedp.WaitVisible(chromedp.ID("s-new-tips")),
		chromedp.Click(chromedp.ID("s-new-tips")),
		chromedp.Click(chromedp.ID("s-email")),
		chromedp.Click(chromedp.ID("s-hourly")),
		chromedp.Click(chromedp.ID("s-save")),
		chromedp.WaitVisible(chromedp.CSS(`p[role="status"]`)))
	check("settings")

	// A source, in a third browser, answers the desk's questionnaire.
	source, cancelSource := chromedp.NewContext(walk)
	defer cancelSource()
	tab = source
	disableScripts(t, tab, true)
	tip := "Transformers re-exported through a Dubai free zone. " + canary
	fileName := "ledger-" + blob.NewKey("") + ".csv"
	file := filepath.Join(t.TempDir(), fileName)
	if err := os.WriteFile(file, []byte("invoice,consignee\n0042,"+canary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	do("the source sends a tip",
		chromedp.Navigate(intakeBase+"/desk/sanctions?lang=en"),
		chromedp.WaitVisible(chromedp.ID("f-what")),
		chromedp.SetValue(chromedp.ID("f-what"), tip),
		chromedp.SetValue(chromedp.ID("f-where"), "AE"),
		chromedp.SetUploadFiles(chromedp.ID("f-evidence"), []string{file}),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("ol.codename")))
	codename := strings.Join(strings.Fields(text("ol.codename")), " ")
	var ids []string
	ts.db.Raw("SELECT id FROM submissions").Scan(&ids)
	if len(ids) != 1 || codename == "" {
		t.Fatalf("submissions %v, codename %q", ids, codename)
	}

	// The notice: the sender fans out at the end of the hour (its clock
	// is moved there) and mails over STARTTLS with authentication.
	mail := newMailpit(t)
	sender := &notify.Sender{Store: store.New(ts.db), HTTP: notify.NewWebhookClient(), Sealer: ts.deps.Notify.Sealer,
		Mail:     &notify.SMTP{Addr: mail.smtp, TLS: notify.StartTLS, Username: "tipline", Password: "smtp password", From: "tipline@example.org", RootCAs: mail.ca},
		QueueURL: base + "/queue", SettingsURL: base + "/settings", DigestHour: 7, Logger: ts.intake.Logger}
	for _, at := range []time.Time{time.Now(), time.Now().Add(time.Hour)} {
		sender.Now = func() time.Time { return at }
		sender.Tick(context.Background())
	}
	mails := mail.raw(t, bo)
	if len(mails) != 1 {
		t.Fatalf("%d mails to %s, want 1", len(mails), bo)
	}
	assertNoSecrets(t, "the notice", mails[0], []string{canary, "Transformers", fileName, codename, strings.ReplaceAll(codename, " ", "-"), ids[0]})
	for _, want := range []string{"Subject: " + notify.Subject, "A new tip on desk sanctions", base + "/queue"} {
		if !strings.Contains(mails[0], want) {
			t.Errorf("the notice lacks %q:\n%s", want, mails[0])
		}
	}

	// The investigator follows the link to the queue and decrypts the tip
	// in the browser (this step needs JavaScript) with the private key.
	tab = invitee
	disableScripts(t, tab, false)
	do("the queue", chromedp.Navigate(base+"/queue"), chromedp.WaitVisible(chromedp.CSS(`table.cw-queue a[href="/submissions/`+ids[0]+`"]`)))
	do("the tip, and the key imported",
		chromedp.Click(chromedp.CSS(`table.cw-queue a[href="/submissions/`+ids[0]+`"]`)),
		chromedp.WaitVisible(chromedp.ID("key-armored")),
		chromedp.SetValue(chromedp.ID("key-armored"), string(priv)),
		chromedp.Click(chromedp.ID("key-save")),
		chromedp.WaitVisible(chromedp.ID("key-passphrase")))
	do("decrypt",
		chromedp.SetValue(chromedp.ID("key-passphrase"), "bo passphrase"),
		chromedp.Click(chromedp.ID("decrypt-run")),
		chromedp.WaitVisible(chromedp.ID("decrypted")))
	panel := text("#decrypted")
	for _, want := range []string{tip, fileName} {
		if !strings.Contains(panel, want) {
			t.Errorf("the decrypted tip lacks %q:\n%s", want, panel)
		}
	}
	screenshot(t, tab, dir, "first-run-decrypted")
}
