package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// fullWidthDigits writes ASCII digits as full-width ones (０-９), as a
// Chinese input method types them.
func fullWidthDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// replyToSource stores an investigator's reply to a submission, encrypted
// to the desk's keys and the source's reply key, as the casework page does.
func replyToSource(t *testing.T, ts *testServer, sub, text string) {
	t.Helper()
	ctx := context.Background()
	armored, err := ts.intake.ReplyKey(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	replyKey, err := crypto.ParsePublicKey(armored, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	desk, _ := ts.intake.Desks.Recipients(ctx, intake.DefaultDeskSlug)
	var b bytes.Buffer
	w, err := crypto.Encrypt(&b, append(desk, replyKey)...)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, text)
	w.Close()
	if _, err := ts.intake.AddReply(ctx, sub, &b, nil); err != nil {
		t.Fatal(err)
	}
}

// evalString evaluates a JavaScript expression that gives a string.
func evalString(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return s
}

// TestBrowserCodenameFlowNoJavaScript is issue 12's path of a Chinese
// source with JavaScript off, which used to lose the codename: the language
// link on the codename page sent a GET to the POST-only submit address
// ("Method not allowed", in English). Now: submit with a numeric codename
// → switch language on the codename page → the codename is still there and
// nothing in the address holds it → a wrong group is refused with the
// codename shown again → the group typed back in full-width digits → the
// mailbox with the codename typed in full-width digits and dashes → the
// thread with the source's own message and the investigator's reply →
// a message holding the codename comes back without it → log out.
func TestBrowserCodenameFlowNoJavaScript(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)
	evidence := filepath.Join(t.TempDir(), "装箱单.txt")
	if err := os.WriteFile(evidence, []byte("packing list: 200 routers "+canary), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, width := range []int64{1280, 390} {
		ctx := noScriptTab(t, browser)
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride,
			emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 900, DeviceScaleFactor: 1, Mobile: width < 500}); err != nil {
			t.Fatal(err)
		}
		px := "-" + map[int64]string{1280: "1280", 390: "390"}[width]
		// On the desktop, from the landing page to the safety page and
		// back to the desk's link; then the desk's form with estimates as
		// a source writes them, and a file.
		toDesk := chromedp.Navigate(base + "/desk/export-controls?lang=zh")
		if width == 1280 {
			if err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/?lang=zh"),
				chromedp.Click(chromedp.CSS(`a[href^="/safety"]`)),
				chromedp.WaitVisible(chromedp.CSS(`h1`)),
			); err != nil {
				t.Fatalf("landing to safety page: %v", err)
			}
			if text := evalString(t, ctx, `document.body.innerText`); !strings.Contains(text, "Tor") || !strings.Contains(text, "网桥") {
				t.Errorf("the safety page says nothing of Tor and bridges:\n%s", text)
			}
			if err := chromedp.Do(ctx, chromedp.NavigateBack()); err != nil {
				t.Fatal(err)
			}
			toDesk = chromedp.Click(chromedp.CSS(`a[href^="/desk/export-controls"]`))
		}
		if err := chromedp.Do(ctx,
			toDesk,
			chromedp.WaitVisible(chromedp.ID("tip")),
			chromedp.SetValue(chromedp.ID("f-narrative"), "H20 boards relabelled as routers. "+canary),
			chromedp.SetValue(chromedp.ID("f-quantity"), "大约200台"),
			chromedp.SetValue(chromedp.ID("f-started"), "2024年3月"),
			chromedp.SetUploadFiles(chromedp.ID("f-evidence"), []string{evidence}),
			filesChecked(),
			chromedp.Click(chromedp.CSS(`input[name=codename_kind][value=digits]`)),
			chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`ol.codename li`)),
		); err != nil {
			t.Fatalf("submit: %v", err)
		}
		groups := evalString(t, ctx, `Array.from(document.querySelectorAll("ol.codename li span"), (s) => s.textContent).join(" ")`)
		if !regexp.MustCompile(`^\d{4}( \d{4}){6}$`).MatchString(groups) {
			t.Fatalf("the codename page shows %q, want seven groups of four digits", groups)
		}
		if got := evalString(t, ctx, `document.querySelector(".part.current h1").textContent`); got != intake.T(intake.ZH, "codename_title") {
			t.Errorf("the codename page opens in %q", got)
		}
		// Nothing on the page leaves it: no header links, and every link is
		// within the page or a download.
		if leaving := evalString(t, ctx, `Array.from(document.querySelectorAll("a[href]")).filter((a) => !a.getAttribute("href").startsWith("#") && !a.hasAttribute("download")).map((a) => a.href).join(" ")`); leaving != "" {
			t.Errorf("links that leave the codename page: %s", leaving)
		}
		screenshot(t, ctx, dir, "codename-nojs-zh"+px)
		// A reload sends the form again, with its retry token: the same
		// codename, not a second tip with another one.
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`ol.codename li`))); err != nil {
			t.Fatalf("reload: %v", err)
		}
		if again := evalString(t, ctx, `Array.from(document.querySelectorAll("ol.codename li span"), (s) => s.textContent).join(" ")`); again != groups {
			t.Fatalf("after a reload the codename is %q, was %q", again, groups)
		}

		// The language switch stays on the page; the codename stays too,
		// and the address never holds it.
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.codename-langs a[href="#en"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.part[lang=en] h1`)),
			chromedp.WaitNotVisible(chromedp.CSS(`.part[lang=zh-Hans] h1`)),
		); err != nil {
			t.Fatalf("switch to English: %v", err)
		}
		if again := evalString(t, ctx, `Array.from(document.querySelectorAll("ol.codename li span"), (s) => s.textContent).join(" ")`); again != groups {
			t.Fatalf("after the language switch the codename is %q", again)
		}
		href := evalString(t, ctx, `location.href`)
		if u, _ := url.Parse(href); u.Path != "/desk/export-controls/submit" || strings.Contains(href, groups[:4]) {
			t.Errorf("after the language switch the address is %s", href)
		}
		screenshot(t, ctx, dir, "codename-nojs-en"+px)
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.codename-langs a[href="#zh-Hans"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.part[lang=zh-Hans] h1`)),
			chromedp.WaitNotVisible(chromedp.CSS(`.part[lang=en] h1`)),
		); err != nil {
			t.Fatalf("switch back to Chinese: %v", err)
		}

		// The saved step: a wrong group shows the codename again, with the
		// error; the right one, typed in full-width digits, goes on.
		label := evalString(t, ctx, `document.querySelector(".part[lang=zh-Hans] label[data-slot=ask]").textContent`)
		m := regexp.MustCompile(`\d+`).FindString(label)
		if len(m) != 1 || m < "1" || m > "7" {
			t.Fatalf("the saved step asks %q", label)
		}
		ask := int(m[0] - '0')
		group := strings.Fields(groups)[ask-1]
		wrong := strings.Fields(groups)[ask%7]
		if wrong == group {
			wrong = "0000"
		}
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.ID("saved-zh"), wrong),
			chromedp.Submit(chromedp.ID("saved-zh")),
			chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
		); err != nil {
			t.Fatalf("a wrong group: %v", err)
		}
		if again := evalString(t, ctx, `Array.from(document.querySelectorAll("ol.codename li span"), (s) => s.textContent).join(" ")`); again != groups {
			t.Fatalf("after a wrong group the codename is %q", again)
		}
		screenshot(t, ctx, dir, "codename-nojs-zh-wrong"+px)
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.ID("saved-zh"), fullWidthDigits(group[:2]+" "+group[2:])),
			chromedp.Submit(chromedp.ID("saved-zh")),
			chromedp.WaitVisible(chromedp.CSS(`a[href^="/mailbox"]`)),
		); err != nil {
			t.Fatalf("the right group: %v", err)
		}
		if u, _ := url.Parse(evalString(t, ctx, `location.href`)); u.Path != "/saved" || u.RawQuery != "lang=zh" {
			t.Errorf("after the saved step: %s", u)
		}

		// The mailbox, with the codename typed in full-width digits and
		// full-width dashes, as a Chinese input method gives them.
		var sub string
		ts.db.Raw("SELECT submissions.id FROM submissions WHERE lang = 'zh' AND id NOT IN (SELECT submission_id FROM objects WHERE kind = 'message')").Scan(&sub)
		typed := fullWidthDigits(strings.ReplaceAll(groups, " ", "－"))
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`a[href^="/mailbox"]`)),
			chromedp.WaitVisible(chromedp.ID("codename")),
		); err != nil {
			t.Fatal(err)
		}
		fieldWidth, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("codename").getBoundingClientRect().width / document.querySelector("main").clientWidth`))
		if err != nil || fieldWidth < 0.8 {
			t.Errorf("the codename field takes %.2f of the page's width (%v)", fieldWidth, err)
		}
		if kind := evalString(t, ctx, `document.getElementById("codename").type`); kind != "text" {
			t.Errorf("the codename field is of type %s", kind)
		}
		screenshot(t, ctx, dir, "mailbox-login-nojs-zh"+px)
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.ID("codename"), typed),
			chromedp.Submit(chromedp.ID("codename")),
			chromedp.WaitVisible(chromedp.ID("followup")),
			chromedp.SetValue(chromedp.ID("message"), "货物周二离港。"),
			chromedp.Submit(chromedp.ID("message")),
			chromedp.WaitVisible(chromedp.CSS(`#replies article.mine`)),
		); err != nil {
			t.Fatalf("mailbox login and a message: %v", err)
		}
		// The investigator replies; the source sees it with the cookie only.
		replyToSource(t, ts, sub, "请问是哪个港口？ "+canary)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/mailbox?lang=zh"),
			chromedp.WaitVisible(chromedp.CSS(`#replies article.reply`)),
		); err != nil {
			t.Fatalf("the reply: %v", err)
		}
		thread := evalString(t, ctx, `document.getElementById("replies").innerText`)
		today := time.Now().UTC().Format(time.DateOnly)
		for _, want := range []string{"货物周二离港。", "请问是哪个港口？", intake.T(intake.ZH, "from_you") + " · " + today, intake.T(intake.ZH, "from_investigator") + " · " + today} {
			if !strings.Contains(thread, want) {
				t.Errorf("the thread lacks %q:\n%s", want, thread)
			}
		}
		// A message holding the codename is refused and comes back
		// without it.
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.ID("message"), "我的代号 "+typed+" 请查收"),
			chromedp.Submit(chromedp.ID("message")),
			chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
		); err != nil {
			t.Fatal(err)
		}
		if draft := evalString(t, ctx, `document.getElementById("message").value`); draft != "我的代号  请查收" {
			t.Errorf("the refused message comes back as %q", draft)
		}
		if !strings.Contains(evalString(t, ctx, `document.getElementById("replies").innerText`), "请问是哪个港口？") {
			t.Error("the thread is not shown after a refused message")
		}
		screenshot(t, ctx, dir, "mailbox-nojs-zh"+px)
		// Log out: the session ends and the codename form says so.
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`form.logout button`)),
			chromedp.WaitVisible(chromedp.ID("codename")),
		); err != nil {
			t.Fatal(err)
		}
		if page := evalString(t, ctx, `document.querySelector("main").innerText`); !strings.Contains(page, intake.T(intake.ZH, "logged_out")) {
			t.Errorf("after logging out:\n%s", page)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/mailbox?lang=zh"), chromedp.WaitVisible(chromedp.ID("codename"))); err != nil {
			t.Errorf("the mailbox after logging out: %v", err)
		}
		ts.db.Exec("DELETE FROM mailbox_sessions")
	}
}

// TestCodenamePageReloadAndBack: what a reload, Back or a stale link does
// to the codename page, over HTTP. The form sent again with its retry
// token shows the same codename (a reload, Back, a lost answer); a GET of
// the submit address, where the old language link led ("Method not
// allowed"), is a calm page in the source's language; the saved step's
// wrong answer shows the codename again.
func TestCodenamePageReloadAndBack(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	token := strings.Repeat("5a", crypto.RetryTokenSize)
	send := func() *httptest.ResponseRecorder {
		parts := append([]formPart{{name: "retry", value: token}, {name: "codename_kind", value: "digits"}}, noJSForm("rows")...)
		ctype, body := multipartBody(t, parts)
		r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang=zh", body)
		r.Header.Set("Content-Type", ctype)
		return ts.do("intake", r)
	}
	groupsOf := func(page string) string {
		var groups []string
		for _, m := range regexp.MustCompile(`<li><span>(\d{4})</span></li>`).FindAllStringSubmatch(page, -1) {
			groups = append(groups, m[1])
		}
		return strings.Join(groups, " ")
	}
	first := send()
	codename := groupsOf(first.Body.String())
	if first.Code != http.StatusOK || len(codename) != 34 {
		t.Fatalf("submit = %d, codename %q", first.Code, codename)
	}
	for i := range 2 {
		again := send()
		if again.Code != http.StatusOK || groupsOf(again.Body.String()) != codename {
			t.Errorf("sending again (%d) = %d, codename %q", i+1, again.Code, groupsOf(again.Body.String()))
		}
	}
	var n int
	ts.db.Raw("SELECT count(*) FROM submissions").Scan(&n)
	if n != 1 {
		t.Errorf("%d submissions after sending again, want 1", n)
	}

	w := ts.get("intake", "/desk/export-controls/submit?lang=zh")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), intake.T(intake.ZH, "resend_body")) {
		t.Errorf("GET of the submit address = %d\n%.600s", w.Code, w.Body)
	}

	page := first.Body.String()
	sealed := regexp.MustCompile(`name="page" value="([^"]+)"`).FindStringSubmatch(page)
	ask := regexp.MustCompile(`data-slot="ask"[^>]*>[^<]*?(\d)`).FindStringSubmatch(page)
	if sealed == nil || ask == nil {
		t.Fatal("the saved step's form is missing")
	}
	if strings.Contains(page, "?"+codename[:4]) || strings.Contains(sealed[1], codename[:4]) {
		t.Error("the codename is in an address or in the sealed page")
	}
	saved := func(group string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/saved?lang=zh", strings.NewReader(url.Values{"page": {sealed[1]}, "group": {group}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return ts.do("intake", r)
	}
	n = int(ask[1][0] - '0')
	group := strings.Fields(codename)[n-1]
	if w := saved("9999"); w.Code != http.StatusUnprocessableEntity || groupsOf(w.Body.String()) != codename ||
		!strings.Contains(w.Body.String(), intake.T(intake.ZH, "saved_wrong")) {
		t.Errorf("a wrong group = %d", w.Code)
	}
	if w := saved(fullWidthDigits(group)); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/saved?lang=zh" {
		t.Errorf("the right group = %d, to %q", w.Code, w.Header().Get("Location"))
	}
	if log := ts.log.String(); strings.Contains(log, codename) || strings.Contains(log, strings.ReplaceAll(codename, " ", "")) {
		t.Fatalf("the log holds the codename:\n%s", log)
	}
}

// TestSourceLanguageForStaff: a Chinese source got an English reply
// (issue 12). The investigator now sees the source's page language on the
// queue and the submission page, and the reply form says which to write in.
func TestSourceLanguageForStaff(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	sub, _ := submitForCodename(t, ts, noJSForm("rows")) // sent from /desk/…/submit?lang=en
	ctype, body := multipartBody(t, noJSForm("rows"))
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang=zh", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusOK {
		t.Fatalf("submit in Chinese = %d", w.Code)
	}
	var zhSub string
	ts.db.Raw("SELECT id FROM submissions WHERE lang = 'zh'").Scan(&zhSub)
	token := staffToken(t, ts, "investigator@example.org", "investigator", []string{"export-controls"})
	get := func(path string) string {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := ts.do("casework", r)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, w.Code)
		}
		return w.Body.String()
	}
	queue := get("/queue")
	for _, id := range []string{sub, zhSub} {
		if id == "" || !strings.Contains(queue, `href="/submissions/`+id+`"`) {
			t.Fatalf("the queue lacks submission %q", id)
		}
	}
	if !strings.Contains(queue, ">Simplified Chinese (简体中文)</td>") || !strings.Contains(queue, ">English</td>") {
		t.Error("the queue does not show the sources' languages")
	}
	for id, want := range map[string]string{sub: "English", zhSub: "Simplified Chinese (简体中文)"} {
		page := get("/submissions/" + id)
		if !strings.Contains(page, `<dd class="cw-source-lang">`+want+`</dd>`) || !strings.Contains(page, "<strong>Write in "+want+"</strong>") {
			t.Errorf("the submission page of a source in %s does not say so", want)
		}
	}
}

// TestBrowserCodenameJavaScript: with JavaScript the browser encrypts and
// shows the same codename page in place of the form: numeric when chosen,
// the focus on the codename heading, no link in the header (the language
// links used to load the empty form), the in-page language switch, and the
// saved step with the page the API sealed. In the mailbox a wrong codename
// puts the focus on the error summary.
func TestBrowserCodenameJavaScript(t *testing.T) {
	browser := newBrowser(t)
	ts := newTestServer(t)
	addGPGKey(t, ts)
	base := serveTest(t, ts)
	dir := artifacts(t)
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	defer cancelTimeout()
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/desk/export-controls?lang=zh"),
		chromedp.WaitVisible(chromedp.CSS(`#tip[data-encrypt=browser]`)),
		chromedp.SetValue(chromedp.ID("f-narrative"), "H20 boards relabelled as routers. "+canary),
		chromedp.Click(chromedp.CSS(`input[name=codename_kind][value=digits]`)),
		chromedp.Click(chromedp.CSS(`#tip > button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`ol.codename li`)),
	); err != nil {
		t.Fatalf("submit: %v", err)
	}
	groups := evalString(t, ctx, `Array.from(document.querySelectorAll("ol.codename li span"), (s) => s.textContent).join(" ")`)
	if !regexp.MustCompile(`^\d{4}( \d{4}){6}$`).MatchString(groups) {
		t.Fatalf("the codename page shows %q, want seven groups of four digits", groups)
	}
	if focused := evalString(t, ctx, `document.activeElement.className + " " + document.activeElement.textContent`); focused != "codename-heading "+intake.T(intake.ZH, "codename_heading") {
		t.Errorf("the focus is on %q, not the codename heading", focused)
	}
	if leaving := evalString(t, ctx, `Array.from(document.querySelectorAll("a[href]")).filter((a) => !a.getAttribute("href").startsWith("#") && !a.hasAttribute("download")).map((a) => a.href).join(" ")`); leaving != "" {
		t.Errorf("links that leave the codename page: %s", leaving)
	}
	screenshot(t, ctx, dir, "codename-js-zh-390")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.codename-langs a[href="#en"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.part[lang=en] h1`)),
	); err != nil {
		t.Fatal(err)
	}
	if again := evalString(t, ctx, `Array.from(document.querySelectorAll("ol.codename li span"), (s) => s.textContent).join(" ")`); again != groups {
		t.Fatalf("after the language switch the codename is %q", again)
	}
	label := evalString(t, ctx, `document.querySelector(".part[lang=en] label[data-slot=ask]").textContent`)
	m := regexp.MustCompile(`\d+`).FindString(label)
	if len(m) != 1 || m < "1" || m > "7" {
		t.Fatalf("the saved step asks %q", label)
	}
	group := strings.Fields(groups)[m[0]-'1']
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("saved-en"), fullWidthDigits(group)),
		chromedp.Click(chromedp.CSS(`.part[lang=en] form.saved button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/mailbox"]`)),
	); err != nil {
		t.Fatalf("the saved step: %v", err)
	}
	if u, _ := url.Parse(evalString(t, ctx, `location.href`)); u.Path != "/saved" {
		t.Errorf("after the saved step: %s", u)
	}

	// A wrong codename in the mailbox: the error summary takes the focus.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/mailbox?lang=zh"),
		chromedp.WaitVisible(chromedp.CSS(`form.login[data-decrypt=browser]`)),
		chromedp.SetValue(chromedp.ID("codename"), "0000 0000 0000 0000 0000 0000 0000"),
		chromedp.Click(chromedp.CSS(`form.login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.login .error-summary`)),
	); err != nil {
		t.Fatalf("a wrong codename: %v", err)
	}
	if focused := evalString(t, ctx, `document.activeElement.className`); focused != "error-summary" {
		t.Errorf("after a wrong codename the focus is on %q", focused)
	}
	// The right one, typed with full-width digits: the thread, decrypted here.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("codename"), fullWidthDigits(groups)),
		chromedp.Click(chromedp.CSS(`form.login button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#replies[data-decrypted=browser]`)),
	); err != nil {
		t.Fatalf("the mailbox: %v", err)
	}
	screenshot(t, ctx, dir, "mailbox-js-zh-390")
}
