package server

import (
	"bytes"
	"context"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// postLink posts a form of a setup or invitation link as a browser without
// JavaScript, multipart when file is set.
func postLink(ts *testServer, target string, form url.Values, header http.Header) *http.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	mw.Close()
	r, _ := http.NewRequest(http.MethodPost, target, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range header {
		r.Header[k] = v
	}
	return ts.do("casework", r).Result()
}

// between returns the text of page after start up to end.
func between(page, start, end string) string {
	_, rest, _ := strings.Cut(page, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}

// TestSetupLink makes the first admin from the link serve prints: the form
// checks the password, the TOTP page shows the secret, a wrong code saves
// nothing, the right one makes the admin, and the link then works no more;
// a post from another site is refused.
func TestSetupLink(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if w := ts.get("casework", "/"); !strings.Contains(w.Body.String(), "First run: no admin yet") || !strings.Contains(w.Body.String(), `href="/login"`) {
		t.Errorf("landing page without an admin:\n%s", w.Body)
	}
	old, err := ts.deps.Onboarding.SetupToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	token, err := ts.deps.Onboarding.SetupToken(ctx) // a restart: the old link stops working
	if err != nil || token == "" || token == old {
		t.Fatalf("second setup token = %q, %v", token, err)
	}
	if w := ts.get("casework", "/setup/"+old); w.Code != http.StatusNotFound {
		t.Errorf("the earlier setup link = %d, want 404", w.Code)
	}
	if w := ts.get("casework", "/setup/"+token); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Set up Tipline") {
		t.Fatalf("setup page = %d\n%s", w.Code, w.Body)
	}
	link := "/setup/" + token
	for _, tc := range []struct {
		name   string
		form   url.Values
		header http.Header
		status int
		want   string
	}{
		{"short password", url.Values{"email": {"root@example.org"}, "password": {"short"}}, nil, 422, "at least 12 characters"},
		{"not an email", url.Values{"email": {"root"}, "password": {staffPassword}}, nil, 422, "not an email address"},
		{"another site", url.Values{"email": {"root@example.org"}, "password": {staffPassword}},
			http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}, 403, ""},
		{"good", url.Values{"email": {"Root@Example.org"}, "password": {staffPassword}}, nil, 200, `id="totp-secret"`},
	} {
		res := postLink(ts, link, tc.form, tc.header)
		body := readBody(t, res)
		if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want %d with %q\n%.2000s", tc.name, res.StatusCode, tc.status, tc.want, body)
		}
		if tc.name != "good" {
			continue
		}
		if !strings.Contains(body, "<svg class=\"qr\"") || strings.Contains(body, "<script") {
			t.Errorf("the enrolment page has no inline QR code, or has a script:\n%.2000s", body)
		}
		secret := between(body, `id="totp-secret">`, "<")
		sealed := between(body, `name="enrolment" value="`, `"`)
		code, _ := casework.TOTPCode(secret, time.Now())
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		res = postLink(ts, link+"/confirm", url.Values{"enrolment": {sealed}, "totp": {wrong}}, nil)
		if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "The code does not match") || !strings.Contains(body, secret) {
			t.Errorf("a wrong code = %d\n%.2000s", res.StatusCode, body)
		}
		if exists, _ := ts.deps.Onboarding.Store.AdminExists(ctx); exists {
			t.Fatal("an admin exists before the code was confirmed")
		}
		if res := postLink(ts, link+"/confirm", url.Values{"enrolment": {sealed + "x"}, "totp": {code}}, nil); res.StatusCode != 422 {
			t.Errorf("a tampered enrolment = %d, want 422", res.StatusCode)
		}
		res = postLink(ts, link+"/confirm", url.Values{"enrolment": {sealed}, "totp": {code}}, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
			t.Fatalf("the right code = %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := postLink(ts, link+"/confirm", url.Values{"enrolment": {sealed}, "totp": {code}}, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("the setup link used again = %d, want 404", res.StatusCode)
		}
		if again, err := ts.deps.Onboarding.SetupToken(ctx); again != "" || err != nil {
			t.Errorf("setup token with an admin = %q, %v; want none", again, err)
		}
		next, _ := casework.TOTPCode(secret, time.Now().Add(30*time.Second))
		if res := loginForm(ts, "root@example.org", staffPassword, next, nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("the new admin's login = %d", res.StatusCode)
		}
		if res := loginForm(ts, "root@example.org", staffPassword, code, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a login with the enrolment's own code = %d, want 401", res.StatusCode)
		}
	}
	if w := ts.get("casework", "/"); strings.Contains(w.Body.String(), "First run") {
		t.Error("the landing page still asks for the setup link once an admin exists")
	}
}

// adminSession adds a staff member with role and desks and logs them in
// with the plain form; it returns the cookie and the session's CSRF token.
func adminSession(t *testing.T, ts *testServer, email string, role casework.Role, desks []string) (*http.Cookie, string) {
	t.Helper()
	_, uri, err := ts.deps.Staff.AddUser(context.Background(), 0, email, role, staffPassword, desks)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(uri)
	code, _ := casework.TOTPCode(u.Query().Get("secret"), time.Now())
	res := loginForm(ts, email, staffPassword, code, nil)
	for _, cookie := range res.Cookies() {
		if res.StatusCode == http.StatusSeeOther && cookie.Name == sessionCookie {
			return cookie, casework.CSRFToken(cookie.Value)
		}
	}
	t.Fatalf("login of %s = %d, cookies %v", email, res.StatusCode, res.Cookies())
	return nil, ""
}

// TestAdminForms posts every administration form: good input changes what
// it should and is audited; bad input shows the page again with the
// reason; another role and a form without the CSRF token are refused.
func TestAdminForms(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	admin, adminCSRF := adminSession(t, ts, "root@example.org", casework.RoleAdmin, nil)
	investigator, investigatorCSRF := adminSession(t, ts, "ana@example.org", casework.RoleInvestigator, []string{"export-controls"})
	pub, _, fingerprint, err := crypto.GenerateKey("Export desk", "", []byte("desk passphrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	questionnaire := `{"version": 2, "title": {"en": "Sanctions", "zh": "制裁"},
"fields": [
  {"id": "what", "type": "long_text", "label": {"en": "What happened?", "zh": "发生了什么？"}, "required": true}
]}`
	broken := strings.Replace(questionnaire, `"type": "long_text"`, `"type": "essay"`, 1)

	for _, tc := range []struct {
		name   string
		path   string
		form   url.Values
		as     string // "admin", "investigator", "no csrf"
		status int
		want   string // in the body, or the Location of a 303
	}{
		{"create desk", "/admin/desks", url.Values{"slug": {"sanctions"}, "title_en": {"Sanctions"}, "title_zh": {"制裁"}}, "admin", 303, "/admin/desks/sanctions"},
		{"create desk, bad slug", "/admin/desks", url.Values{"slug": {"Bad Slug"}, "title_en": {"X"}}, "admin", 422, "A desk slug is"},
		{"create desk, taken", "/admin/desks", url.Values{"slug": {"sanctions"}, "title_en": {"X"}}, "admin", 422, "already exists"},
		{"create desk, investigator", "/admin/desks", url.Values{"slug": {"mine"}, "title_en": {"X"}}, "investigator", 403, ""},
		{"create desk, no csrf", "/admin/desks", url.Values{"slug": {"mine"}, "title_en": {"X"}}, "no csrf", 403, ""},
		{"deadlines", "/admin/desks/sanctions/deadlines", url.Values{"ack_days": {"5"}, "feedback_months": {"2"}}, "admin", 303, "/admin/desks/sanctions"},
		{"deadlines, too long", "/admin/desks/sanctions/deadlines", url.Values{"ack_days": {"500"}, "feedback_months": {"2"}}, "admin", 422, "1 to 90 days"},
		{"deadlines, investigator", "/admin/desks/sanctions/deadlines", url.Values{"ack_days": {"5"}, "feedback_months": {"2"}}, "investigator", 403, ""},
		{"questionnaire", "/admin/desks/sanctions/questionnaire", url.Values{"definition": {questionnaire}}, "admin", 303, "/admin/desks/sanctions?saved=1"},
		{"questionnaire, bad type", "/admin/desks/sanctions/questionnaire", url.Values{"definition": {broken}}, "admin", 422, `Line 3, field “what”: unknown type &#34;essay&#34;`},
		{"questionnaire, bad JSON", "/admin/desks/sanctions/questionnaire", url.Values{"definition": {"{\n\"version\": 1,\n}"}}, "admin", 422, "Line 3: This is not valid JSON"},
		{"questionnaire, no csrf", "/admin/desks/sanctions/questionnaire", url.Values{"definition": {questionnaire}}, "no csrf", 403, ""},
		{"add key", "/admin/keys", url.Values{"desk": {"sanctions"}, "key": {string(pub)}}, "admin", 303, "/admin/keys"},
		{"add key, not a key", "/admin/keys", url.Values{"desk": {"sanctions"}, "key": {"hello"}}, "admin", 422, "cannot receive submissions"},
		{"add key, investigator", "/admin/keys", url.Values{"desk": {"sanctions"}, "key": {string(pub)}}, "investigator", 403, ""},
		{"invite", "/admin/staff/invite", url.Values{"email": {"bo@example.org"}, "role": {"investigator"}, "desk": {"sanctions"}}, "admin", 200, "/invite/"},
		{"invite, taken", "/admin/staff/invite", url.Values{"email": {"ana@example.org"}, "role": {"investigator"}}, "admin", 422, "has an account already"},
		{"invite, bad role", "/admin/staff/invite", url.Values{"email": {"cy@example.org"}, "role": {"boss"}}, "admin", 422, "Unknown role"},
		{"invite, no csrf", "/admin/staff/invite", url.Values{"email": {"cy@example.org"}, "role": {"counsel"}}, "no csrf", 403, ""},
		// Changing ana's access or authenticator ends her sessions: her refusals come first.
		{"access, investigator", "/admin/staff/access", url.Values{"email": {"ana@example.org"}, "role": {"admin"}}, "investigator", 403, ""},
		{"remove key, investigator", "/admin/keys/remove", url.Values{"desk": {"sanctions"}, "fingerprint": {fingerprint}}, "investigator", 403, ""},
		{"access", "/admin/staff/access", url.Values{"email": {"ana@example.org"}, "role": {"investigator"}, "desk": {"export-controls", "sanctions"}}, "admin", 303, "/admin/staff"},
		{"access, own", "/admin/staff/access", url.Values{"email": {"root@example.org"}, "role": {"counsel"}}, "admin", 422, "your own role"},
		{"reset totp", "/admin/staff/reset-totp", url.Values{"email": {"ana@example.org"}}, "admin", 200, `id="totp-secret"`},
		{"reset totp, no csrf", "/admin/staff/reset-totp", url.Values{"email": {"ana@example.org"}}, "no csrf", 403, ""},
		{"remove key", "/admin/keys/remove", url.Values{"desk": {"sanctions"}, "fingerprint": {fingerprint}}, "admin", 303, "/admin/keys"},
		{"remove key, gone", "/admin/keys/remove", url.Values{"desk": {"sanctions"}, "fingerprint": {fingerprint}}, "admin", 404, "not found"},
		{"disable, self", "/admin/staff/disable", url.Values{"email": {"root@example.org"}}, "admin", 422, "your own account"},
		{"disable", "/admin/staff/disable", url.Values{"email": {"ana@example.org"}}, "admin", 303, "/admin/staff"},
	} {
		form := url.Values{}
		for k, v := range tc.form {
			form[k] = v
		}
		cookie := admin
		switch tc.as {
		case "admin":
			form.Set("csrf", adminCSRF)
		case "investigator":
			cookie = investigator
			form.Set("csrf", investigatorCSRF)
		}
		res := postForm(ts, tc.path, cookie, form)
		body := readBody(t, res)
		got := body
		if res.StatusCode == http.StatusSeeOther {
			got = res.Header.Get("Location")
		}
		if res.StatusCode != tc.status || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %d %q, want %d with %q\n%.1500s", tc.name, res.StatusCode, res.Header.Get("Location"), tc.status, tc.want, body)
		}
		if res.StatusCode >= 400 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: the refusal is JSON, not a page", tc.name)
		}
	}

	// What the good forms changed, and the audit entries of each.
	desk, err := ts.deps.Intake.Desks.Store.Desk(ctx, "sanctions")
	if err != nil || desk.TitleZH != "制裁" || desk.AckDays != 5 || desk.FeedbackMonths != 2 {
		t.Errorf("desk = %+v, %v", desk, err)
	}
	users, _ := ts.deps.Staff.ListUsers(ctx)
	for _, u := range users {
		if u.Email == "ana@example.org" && (!u.Disabled || strings.Join(u.Desks, ",") != "export-controls,sanctions") {
			t.Errorf("ana = %+v", u)
		}
	}
	entries, err := ts.deps.Staff.Store.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[casework.AuditAction]int{}
	for _, e := range entries {
		seen[e.Record.Action]++
	}
	for _, a := range []casework.AuditAction{casework.ActionDeskCreate, casework.ActionDeskDeadlines, casework.ActionDeskQuestionnaire,
		casework.ActionDeskKeyAdd, casework.ActionDeskKeyRemove, casework.ActionUserInvite, casework.ActionUserAccess,
		casework.ActionUserResetTOTP, casework.ActionUserDisable} {
		if seen[a] != 1 {
			t.Errorf("%d audit entries %s, want 1", seen[a], a)
		}
	}

	// The pages render for the admin, and are refused to the investigator.
	for _, page := range []string{"/admin", "/admin/desks/sanctions", "/admin/desks/sanctions?lang=zh", "/admin/keys", "/admin/staff"} {
		if w := getWithCookie(ts, page, admin); w.Code != http.StatusOK {
			t.Errorf("GET %s as admin = %d", page, w.Code)
		}
		if w := getWithCookie(ts, page, investigator); w.Code != http.StatusForbidden && w.Code != http.StatusSeeOther {
			t.Errorf("GET %s as an investigator = %d", page, w.Code)
		}
	}
	if w := getWithCookie(ts, "/admin/desks/sanctions?lang=zh", admin); !strings.Contains(w.Body.String(), "发生了什么？") {
		t.Errorf("the Chinese preview does not show the uploaded question:\n%.3000s", w.Body)
	}
}

// keyExpiringIn returns an armored public key, made now, whose primary key
// and encryption subkey expire after lifetime, and its fingerprint.
func keyExpiringIn(t *testing.T, name string, lifetime time.Duration) ([]byte, string) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", "", &packet.Config{
		Algorithm: packet.PubKeyAlgoEdDSA, Curve: packet.Curve25519, KeyLifetimeSecs: uint32(lifetime.Seconds())})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w, err := armor.Encode(&out, openpgp.PublicKeyType, nil)
	if err == nil {
		err = e.Serialize(w)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))
}

// TestKeyExpiryWarning: a desk key that expires within 30 days is marked on
// the admin's keys page and listed on /admin, and /home warns the admins
// and the desk's own staff; a key with more time left, or none, and the
// staff of other desks get no warning.
func TestKeyExpiryWarning(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if _, err := ts.intake.Desks.AddDesk(ctx, "sanctions", "Sanctions", ""); err != nil {
		t.Fatal(err)
	}
	soon, soonFingerprint := keyExpiringIn(t, "Sanctions desk 2026", 10*24*time.Hour)
	later, laterFingerprint := keyExpiringIn(t, "Export desk 2027", 60*24*time.Hour)
	never, _, neverFingerprint, err := crypto.GenerateKey("Export desk", "", []byte("desk passphrase"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for desk, key := range map[string][]byte{"sanctions": soon, intake.DefaultDeskSlug: later} {
		if _, _, err := ts.intake.Desks.AddKey(ctx, desk, key); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := ts.intake.Desks.AddKey(ctx, intake.DefaultDeskSlug, never); err != nil {
		t.Fatal(err)
	}
	admin, _ := adminSession(t, ts, "root@example.org", casework.RoleAdmin, nil)
	sanctions, _ := adminSession(t, ts, "ana@example.org", casework.RoleInvestigator, []string{"sanctions"})
	export, _ := adminSession(t, ts, "bo@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug})

	keysPage := getWithCookie(ts, "/admin/keys", admin).Body.String()
	for _, tc := range []struct {
		fingerprint string
		warned      bool
	}{{soonFingerprint, true}, {laterFingerprint, false}, {neverFingerprint, false}} {
		section := between(keysPage, `aria-label="Key `+tc.fingerprint, "</section>")
		if section == "" {
			t.Fatalf("the keys page does not show key %s:\n%s", tc.fingerprint, keysPage)
		}
		if warned := strings.Contains(section, "expires within 30 days"); warned != tc.warned {
			t.Errorf("key %s marked as expiring soon: %v, want %v\n%s", tc.fingerprint, warned, tc.warned, section)
		}
	}
	for _, tc := range []struct {
		who    string
		cookie *http.Cookie
		page   string
		warned bool
	}{
		{"admin", admin, "/admin", true},
		{"admin", admin, "/home", true},
		{"the desk's investigator", sanctions, "/home", true},
		{"another desk's investigator", export, "/home", false},
	} {
		w := getWithCookie(ts, tc.page, tc.cookie)
		body := w.Body.String()
		warning := between(body, "<h2>Desk keys expiring soon</h2>", "</div>")
		if warned := strings.Contains(warning, soonFingerprint); warned != tc.warned {
			t.Errorf("%s on %s (%d): warned of %s: %v, want %v\n%.2000s", tc.who, tc.page, w.Code, soonFingerprint, warned, tc.warned, body)
		}
		if strings.Contains(warning, laterFingerprint) || strings.Contains(warning, neverFingerprint) {
			t.Errorf("%s on %s: warned of a key with more than 30 days left:\n%s", tc.who, tc.page, warning)
		}
	}
}

// TestUploadFormsStayInMemory: the forms read with uploadedText (gin's
// FormFile) must never spool to a temporary file, which a body larger
// than the engine's MaxMultipartMemory would. Their body limits keep them
// below it.
func TestUploadFormsStayInMemory(t *testing.T) {
	ts := newTestServer(t)
	inMemory := ts.newEngine("casework").MaxMultipartMemory
	for name, limit := range map[string]int64{"key forms": keyFormLimit, "questionnaire forms": questionnaireFormLimit} {
		if limit > inMemory {
			t.Errorf("%s may carry %d bytes, more than the %d a form keeps in memory", name, limit, inMemory)
		}
	}
}
