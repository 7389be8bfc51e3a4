package server

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// TestBrowserCaseAndReply is a conversation in headless Chromium: an
// investigator opens a case from a tip with the page's form, answers the
// source with a reply encrypted in the browser, and reads the thread
// decrypted; the source then reads the reply in the mailbox with the
// codename, once without JavaScript and once with it.
func TestBrowserCaseAndReply(t *testing.T) {
	chromium := newBrowser(t)
	ts, secret := newStaffTestServer(t)
	pub, priv, _, err := crypto.GenerateKey("Investigator", "", []byte("pass phrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.intake.Desks.AddKey(context.Background(), intake.DefaultDeskSlug, pub); err != nil {
		t.Fatal(err)
	}
	sub, codename := submitForCodename(t, ts, []formPart{{name: "narrative", value: "The forwarder in Singapore relabels H20 boards. " + canary}})
	serveTest(t, ts)
	casework_ := "http://" + ts.Addr("casework")
	dir := artifacts(t)
	reply := "Thank you. Which port did the boards leave from? 货物从哪个港口出发？ " + canary

	ctx, cancel := chromedp.NewContext(chromium)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	defer cancelTimeout()
	code, err := casework.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(casework_+"/submissions/"+sub),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SetValue(chromedp.ID("login-email"), "ana@example.org"),
		chromedp.SetValue(chromedp.ID("login-password"), staffPassword),
		chromedp.SetValue(chromedp.ID("login-totp"), code),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`table.cw-queue a[href="/submissions/`+sub+`"]`)),
		chromedp.Click(chromedp.CSS(`table.cw-queue a[href="/submissions/`+sub+`"]`)),
		// Open a case with the form of the submission's page.
		chromedp.WaitVisible(chromedp.ID("case-title")),
		chromedp.SetValue(chromedp.ID("case-title"), "Singapore forwarder, H20"),
		chromedp.Click(chromedp.CSS(`#case button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("notes")),
	); err != nil {
		t.Fatalf("open a case: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	if err != nil || heading != "Singapore forwarder, H20" {
		t.Fatalf("case page heading %q, %v", heading, err)
	}
	screenshot(t, ctx, dir, "casework-case")

	// Back to the tip: reply, then decrypt the thread.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/submissions/`+sub+`"]`)),
		chromedp.WaitVisible(chromedp.ID("reply-text")),
		chromedp.SetValue(chromedp.ID("reply-text"), reply),
		chromedp.Click(chromedp.ID("reply-send")),
		chromedp.WaitVisible(chromedp.CSS(`.cw-from-staff`)),
		chromedp.WaitVisible(chromedp.ID("key-armored")),
		chromedp.SetValue(chromedp.ID("key-armored"), string(priv)),
		chromedp.Click(chromedp.ID("key-save")),
		chromedp.WaitVisible(chromedp.ID("key-passphrase")),
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.ID("decrypt-run")),
		chromedp.WaitVisible(chromedp.CSS(`.cw-from-staff .cw-message-text`)),
	); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("reply-status")?.textContent ?? "") + " | " + (document.getElementById("decrypt-error")?.textContent ?? "")`))
		t.Fatalf("reply and decrypt: %v (%q)", err, status)
	}
	thread, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("thread")))
	if err != nil || !strings.Contains(thread, reply) || !strings.Contains(thread, "Reply from staff") {
		t.Errorf("the decrypted thread lacks the reply: %q, %v", thread, err)
	}
	screenshot(t, ctx, dir, "casework-thread")
	if d, _ := ts.deps.Triage.Get(context.Background(), casework.Principal{Role: casework.RoleAdmin}, sub); d.Status != casework.CaseOpened {
		t.Errorf("the tip is %s, want case_opened", d.Status)
	}

	// A colleague of the desk, whose key is no recipient, is assigned the
	// tip; the page says they cannot read it, and a grant fixes that.
	colleaguePub, colleaguePriv, _, err := crypto.GenerateKey("Colleague", "", []byte("their phrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	colleague := staffToken(t, ts, "colleague@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug})
	if _, err := ts.deps.Grants.SetKey(context.Background(), 0, "colleague@example.org", colleaguePub); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("triage-assignee"), "colleague@example.org"),
		chromedp.Submit(chromedp.ID("triage-assignee")),
		chromedp.WaitVisible(chromedp.CSS(`p[role=note]`)),
		chromedp.WaitVisible(chromedp.CSS(`#readers .cw-grant-to[data-email="colleague@example.org"]`)),
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.CSS(`#readers .cw-grant-to[data-email="colleague@example.org"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#grants form[action$="/revoke"]`)),
	); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("grant-status")?.textContent ?? ""`))
		t.Fatalf("assign and grant: %v (%q)", err, status)
	}
	readers, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("readers")))
	if !strings.Contains(readers, "colleague@example.org\tyes") {
		t.Errorf("the desk's investigators after the grant: %q", readers)
	}
	grants, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("grants")))
	if !strings.Contains(grants, "colleague@example.org") || !strings.Contains(grants, "ana@example.org") {
		t.Errorf("the grants panel: %q", grants)
	}
	if notice, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("p[role=note]") !== null`)); notice {
		t.Error("the page still says the assignee cannot read the tip")
	}
	screenshot(t, ctx, dir, "casework-grants")
	key, err := crypto.ReadPrivateKey(colleaguePriv, []byte("their phrase"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := ts.deps.Triage.Get(context.Background(), casework.Principal{Role: casework.RoleAdmin}, sub)
	for _, o := range d.Objects {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/objects/"+o.ID, nil)
		r.Header.Set("Authorization", "Bearer "+colleague)
		w := ts.do("casework", r)
		if w.Code != http.StatusOK {
			t.Fatalf("the colleague's download of %s %s = %d", o.Kind, o.ID, w.Code)
		}
		plain, err := crypto.Decrypt(w.Body, key)
		if err != nil {
			t.Fatalf("the colleague cannot decrypt the granted %s: %v", o.Kind, err)
		}
		if b, err := io.ReadAll(plain); err != nil || len(b) == 0 {
			t.Errorf("the granted %s decrypts to %d bytes, %v", o.Kind, len(b), err)
		}
	}

	// A document of the case: encrypted in the browser, names included,
	// then decrypted and saved from the case page.
	caseURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("dd a[href^='/cases/']").href`))
	if err != nil {
		t.Fatal(err)
	}
	docDir := t.TempDir()
	docName := "访谈记录-" + canary + ".txt"
	docContent := "Interview with the forwarder's clerk. " + canary + "\n"
	if err := os.WriteFile(filepath.Join(docDir, docName), []byte(docContent), 0o600); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(caseURL),
		chromedp.WaitVisible(chromedp.ID("document-file")),
		chromedp.SetUploadFiles(chromedp.ID("document-file"), []string{filepath.Join(docDir, docName)}),
		chromedp.Click(chromedp.CSS(`#document-upload button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/api/v1/documents/"]`)),
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.ID("decrypt-run")),
		chromedp.WaitVisible(chromedp.CSS(`#documents button`)),
	); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("document-status")?.textContent ?? "") + " | " + (document.getElementById("decrypt-error")?.textContent ?? "")`))
		t.Fatalf("case document: %v (%q)", err, status)
	}
	listed, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("documents")))
	if !strings.Contains(listed, docName) || !strings.Contains(listed, "ana@example.org") {
		t.Errorf("the decrypted document list: %q", listed)
	}
	screenshot(t, ctx, dir, "casework-case-documents")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.CSS(`#documents button`)),
	); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(filepath.Join(downloads, docName))
		if err == nil && string(b) == docContent {
			break
		}
		if time.Now().After(deadline) {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decrypt-error").textContent`))
			t.Fatalf("the saved document = %q, %v (%q)", b, err, msg)
		}
	}

	// The source reads the reply, in a browser of their own, and sends more.
	evidenceName := "提单-" + canary + ".csv"
	evidenceContent := "container,port\nMSKU123,Port Klang " + canary + "\n"
	evidencePath := filepath.Join(docDir, evidenceName)
	if err := os.WriteFile(evidencePath, []byte(evidenceContent), 0o600); err != nil {
		t.Fatal(err)
	}
	intakeBase := "http://" + ts.Addr("intake")
	for _, js := range []bool{false, true} {
		name := map[bool]string{false: "without JavaScript", true: "with JavaScript"}[js]
		t.Run("source "+name, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(chromium)
			defer cancel()
			ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
			defer cancelTimeout()
			if !js {
				if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
					t.Fatal(err)
				}
			}
			if err := chromedp.Do(ctx,
				chromedp.Navigate(intakeBase+"/mailbox?lang=en"),
				chromedp.WaitVisible(chromedp.ID("codename")),
				chromedp.SetValue(chromedp.ID("codename"), codename),
				chromedp.Click(chromedp.CSS(`form.login button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`.reply-text`)),
			); err != nil {
				t.Fatalf("mailbox: %v", err)
			}
			page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
			if err != nil || !strings.Contains(page, reply) || !strings.Contains(page, intake.T(intake.EN, "mailbox_status_case_opened")) {
				t.Errorf("the mailbox lacks the reply or the status: %q, %v", page, err)
			}
			if !js {
				// Log out: the tab with JavaScript, in the same browser,
				// starts from the codename form.
				if err := chromedp.Do(ctx,
					chromedp.Click(chromedp.CSS(`form.logout button`)),
					chromedp.WaitVisible(chromedp.ID("codename")),
				); err != nil {
					t.Fatalf("log out: %v", err)
				}
				return
			}
			// With JavaScript the reply was decrypted in this browser.
			if where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("replies").dataset.decrypted ?? ""`)); where != "browser" {
				t.Errorf("with JavaScript the replies were not decrypted in the browser (%q)", where)
			}
			screenshot(t, ctx, dir, "mailbox-reply")
			// More evidence, encrypted in this browser before it leaves.
			if err := chromedp.Do(ctx,
				chromedp.WaitVisible(chromedp.CSS(`#followup[data-encrypt=browser]`)),
				chromedp.SetValue(chromedp.ID("message"), "The second shipment left from Port Klang."),
				chromedp.SetUploadFiles(chromedp.ID("files"), []string{evidencePath}),
				chromedp.Click(chromedp.CSS(`#followup button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)),
			); err != nil {
				msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
				t.Fatalf("follow-up with a file: %v\n%s", err, msg)
			}
			screenshot(t, ctx, dir, "mailbox-followup-sent")
		})
	}

	// The investigator decrypts the follow-up: the message, and the file
	// with its name, which the source's browser encrypted.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(casework_+"/submissions/"+sub),
		chromedp.WaitVisible(chromedp.ID("key-passphrase")),
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.ID("decrypt-run")),
		chromedp.WaitVisible(chromedp.CSS(`.cw-files-list li button`)),
	); err != nil {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("decrypt-error")?.textContent ?? ""`))
		t.Fatalf("decrypting the follow-up: %v (%q)", err, msg)
	}
	thread, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("thread")))
	for _, want := range []string{"Port Klang", evidenceName, "Files from the source"} {
		if !strings.Contains(thread, want) {
			t.Errorf("the thread lacks %q:\n%s", want, thread)
		}
	}
	screenshot(t, ctx, dir, "casework-thread-followup")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("key-passphrase"), "pass phrase"),
		chromedp.Click(chromedp.CSS(`.cw-files-list li button`)),
	); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		b, err := os.ReadFile(filepath.Join(downloads, evidenceName))
		if err == nil && string(b) == evidenceContent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the saved follow-up file = %q, %v", b, err)
		}
	}
	if strings.Contains(ts.log.String(), "货物") || strings.Contains(ts.log.String(), codename) || strings.Contains(ts.log.String(), canaryID()) {
		t.Error("the reply, the codename or the document reached the server log")
	}
	// No plaintext of the tip, the reply, the follow-up or the document at
	// rest, and no private key: the investigators' keys never left their
	// browsers (a line from the middle of each armored key is nowhere).
	ts.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	assertNoCanary(t, ts, filepath.Dir(ts.dbPath()), ts.blobDir)
	for _, key := range [][]byte{priv, colleaguePriv} {
		lines := strings.Split(string(key), "\n")
		secret := lines[len(lines)/2]
		for _, dir := range []string{filepath.Dir(ts.dbPath()), ts.blobDir} {
			filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(secret)) {
						t.Errorf("an investigator's private key is at rest in %s", path)
					}
				}
				return nil
			})
		}
	}
}
