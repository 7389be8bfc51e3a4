package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// TestSourceMailbox runs the two-way mailbox without JavaScript: a source
// submits, an investigator replies through the API with a message made in
// Go, the source logs in with the codename and reads it, then answers.
func TestSourceMailbox(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	g := addGPGKey(t, ts)

	sub, codename := submitForCodename(t, ts, noJSForm("rows"))

	login := func(lang, typed string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/mailbox?lang="+lang, strings.NewReader(url.Values{"codename": {typed}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return ts.do("intake", r)
	}

	// The login page sets no cookie.
	w := ts.get("intake", "/mailbox?lang=en")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="codename"`) || w.Header().Get("Set-Cookie") != "" {
		t.Fatalf("GET /mailbox = %d, cookie %q", w.Code, w.Header().Get("Set-Cookie"))
	}

	// A wrong codename: refused in the source's language, counted, no cookie.
	wrong, _ := crypto.NewCodename()
	w = login("zh", wrong.Reveal())
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), intake.T(intake.ZH, "mailbox_wrong_codename")) || w.Header().Get("Set-Cookie") != "" {
		t.Errorf("wrong codename = %d, cookie %q\n%.500s", w.Code, w.Header().Get("Set-Cookie"), w.Body)
	}
	var failures int
	ts.db.Raw("SELECT count FROM rate_limits WHERE bucket = 'codename-failures'").Scan(&failures)
	if failures != 1 {
		t.Errorf("failed logins counted = %d, want 1", failures)
	}

	// An investigator of the desk fetches the reply key and replies.
	token := staffToken(t, ts, "investigator@example.org", casework.RoleInvestigator, []string{"export-controls"})
	api := func(method, path, ctype string, body io.Reader) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, body)
		r.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		return ts.do("casework", r)
	}
	w = api("GET", "/api/v1/submissions/"+sub+"/reply-key", "", nil)
	if w.Code != http.StatusOK {
		t.Fatalf("reply key = %d %s", w.Code, w.Body)
	}
	replyKey, err := crypto.ParsePublicKey(w.Body.Bytes(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	desk, _ := ts.intake.Desks.Recipients(ctx, intake.DefaultDeskSlug)
	encrypt := func(text string, to ...*crypto.PublicKey) io.Reader {
		var b bytes.Buffer
		w, err := crypto.Encrypt(&b, to...)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, text)
		w.Close()
		return &b
	}
	reply := "Please send the bills of lading. " + canary
	w = api("POST", "/api/v1/submissions/"+sub+"/replies", "application/octet-stream", encrypt(reply, append(desk, replyKey)...))
	if w.Code != http.StatusCreated {
		t.Fatalf("reply = %d %s", w.Code, w.Body)
	}
	w = api("POST", "/api/v1/submissions/"+sub+"/replies", "application/octet-stream", encrypt("desk only", desk...))
	if w.Code != http.StatusUnprocessableEntity {
		t.Errorf("reply not to the reply key = %d, want 422", w.Code)
	}
	w = api("POST", "/api/v1/submissions/"+sub+"/replies", "application/octet-stream", strings.NewReader("plain words "+canary))
	if w.Code != http.StatusUnprocessableEntity {
		t.Errorf("plaintext reply = %d, want 422", w.Code)
	}
	entries, _ := ts.deps.Staff.Store.AuditEntries(ctx, 0, 1000)
	actions := map[string]bool{}
	for _, e := range entries {
		actions[string(e.Record.Action)] = true
	}
	if !actions["reply_key.view"] || !actions["reply.create"] {
		t.Errorf("audit actions = %v", actions)
	}

	// The right codename: the status, the decrypted reply, and only now a
	// cookie for /mailbox.
	w = login("en", strings.ToUpper(codename))
	page := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(page, intake.T(intake.EN, "mailbox_status_new")) {
		t.Fatalf("login = %d\n%.800s", w.Code, page)
	}
	if !strings.Contains(page, "Please send the bills of lading. "+canary) {
		t.Errorf("the reply is not on the page\n%.1500s", page)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != mailboxCookie || cookies[0].Path != "/mailbox" || !cookies[0].HttpOnly ||
		cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].MaxAge != 3600 {
		t.Fatalf("cookies = %+v", cookies)
	}
	cookie := cookies[0]

	// Later, with the cookie only: the status and the thread, which the
	// cookie's sealed key opens for this page (issue 12: replies were
	// hidden until the codename was typed again).
	r := httptest.NewRequest(http.MethodGet, "/mailbox?lang=zh", nil)
	r.AddCookie(cookie)
	w = ts.do("intake", r)
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), intake.T(intake.ZH, "mailbox_enter_again")) ||
		!strings.Contains(w.Body.String(), intake.T(intake.ZH, "mailbox_status_new")) || !strings.Contains(w.Body.String(), "Please send the bills of lading. "+canary) {
		t.Errorf("GET /mailbox with the cookie = %d\n%.800s", w.Code, w.Body)
	}

	// Follow-ups: one holding the codename is refused; another is stored
	// encrypted to the desk, and GnuPG reads it.
	send := func(text string, files ...formPart) *httptest.ResponseRecorder {
		ctype, body := multipartBody(t, append([]formPart{{name: "message", value: text}}, files...))
		r := httptest.NewRequest(http.MethodPost, "/mailbox/messages?lang=en", body)
		r.Header.Set("Content-Type", ctype)
		r.AddCookie(cookie)
		return ts.do("intake", r)
	}
	if w := send("my codename: " + codename); w.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(w.Body.String(), intake.T(intake.EN, "mailbox_codename_in_message")) {
		t.Errorf("message with the codename = %d", w.Code)
	}
	followUp := "The bills are in a locker. " + canary
	if w := send(followUp); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), intake.T(intake.EN, "message_sent")) {
		t.Fatalf("follow-up = %d\n%.500s", w.Code, w.Body)
	}
	var objects []struct {
		Kind, Author, BlobKey string
		KeyPackets            []byte
	}
	ts.db.Raw("SELECT kind, author, blob_key, key_packets FROM objects WHERE submission_id = ? ORDER BY position", sub).Scan(&objects)
	last := objects[len(objects)-1]
	if last.Kind != "message" || last.Author != "source" || objects[len(objects)-2].Author != "staff" {
		t.Fatalf("objects = %+v", objects)
	}
	rc, err := ts.deps.Blobs.Get(ctx, last.BlobKey)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(crypto.JoinMessage(last.KeyPackets, rc))
	rc.Close()
	if got := string(g.Decrypt(msg)); got != followUp {
		t.Errorf("follow-up decrypts to %q", got)
	}

	// More evidence: files alone, or with a message. Each file and its name
	// arrive encrypted to the desk; an empty follow-up is refused.
	if w := send(""); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), intake.T(intake.EN, "mailbox_message_empty")) {
		t.Errorf("empty follow-up = %d", w.Code)
	}
	evidence := "bill of lading, " + canary
	if w := send("", formPart{name: "files", filename: "提单-" + canary + ".pdf", value: evidence}); w.Code != http.StatusOK {
		t.Fatalf("follow-up with a file = %d\n%.500s", w.Code, w.Body)
	}
	ts.db.Raw("SELECT kind, author, blob_key, key_packets FROM objects WHERE submission_id = ? ORDER BY position", sub).Scan(&objects)
	tail := objects[len(objects)-2:]
	if tail[0].Kind != "manifest" || tail[1].Kind != "file" || tail[0].Author != "source" || tail[1].Author != "source" {
		t.Fatalf("objects after a file = %+v", objects)
	}
	decrypt := func(o struct {
		Kind, Author, BlobKey string
		KeyPackets            []byte
	}) string {
		rc, err := ts.deps.Blobs.Get(ctx, o.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		msg, _ := io.ReadAll(crypto.JoinMessage(o.KeyPackets, rc))
		return string(g.Decrypt(msg))
	}
	if got := decrypt(tail[1]); got != evidence {
		t.Errorf("the file decrypts to %q", got)
	}
	if got := decrypt(tail[0]); !strings.Contains(got, `"name":"提单-`+canary+`.pdf"`) {
		t.Errorf("the follow-up manifest decrypts to %q", got)
	}

	// Without a session, no message is taken.
	ctype, body := multipartBody(t, []formPart{{name: "message", value: "hello"}})
	r = httptest.NewRequest(http.MethodPost, "/mailbox/messages", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusForbidden {
		t.Errorf("message without a session = %d", w.Code)
	}

	// No plaintext of the tip, the reply or the follow-up at rest, and no
	// private key in the clear.
	ts.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	assertNoCanary(t, ts, filepath.Dir(ts.dbPath()), ts.blobDir, os.TempDir())
}

// staffToken adds a staff account and logs it in.
func staffToken(t *testing.T, ts *testServer, email string, role casework.Role, desks []string) string {
	t.Helper()
	ctx := context.Background()
	_, uri, err := ts.deps.Staff.AddUser(ctx, 0, email, role, staffPassword, desks)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(uri)
	code, _ := casework.TOTPCode(parsed.Query().Get("secret"), time.Now())
	token, _, err := ts.deps.Staff.Login(ctx, email, staffPassword, code)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// submitForCodename submits parts to the export-controls desk through the
// plain form, as a source would, and returns the submission's id and the
// codename the page shows.
func submitForCodename(t *testing.T, ts *testServer, parts []formPart) (id, codename string) {
	t.Helper()
	var before []string
	ts.db.Raw("SELECT id FROM submissions").Scan(&before)
	ctype, body := multipartBody(t, parts)
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang=en", body)
	r.Header.Set("Content-Type", ctype)
	w := ts.do("intake", r)
	if w.Code != http.StatusOK {
		t.Fatalf("submit = %d", w.Code)
	}
	var words []string
	for _, m := range regexp.MustCompile(`<span>([a-z-]+)</span>`).FindAllStringSubmatch(w.Body.String(), -1) {
		words = append(words, m[1])
	}
	var after []string
	ts.db.Raw("SELECT id FROM submissions").Scan(&after)
	for _, a := range after {
		if !slices.Contains(before, a) {
			id = a
		}
	}
	if id == "" || len(words) != crypto.CodenameWords {
		t.Fatalf("submission %q, codename of %d words", id, len(words))
	}
	return id, strings.Join(words, " ")
}

// TestMailboxGuessingHTTP is the reproduction of issue 11's point 4 over
// HTTP: 30 wrong codenames used to lock every source out of the mailbox for
// up to an hour. After more wrong codenames than that, on the form and on
// /mailbox/unlock, each refused 403 and counted, the real codename still
// logs in on both and reads the reply.
func TestMailboxGuessingHTTP(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	addGPGKey(t, ts)
	sub, codename := submitForCodename(t, ts, noJSForm("rows"))

	armored, err := ts.intake.ReplyKey(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	replyKey, err := crypto.ParsePublicKey(armored, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	desk, _ := ts.intake.Desks.Recipients(ctx, intake.DefaultDeskSlug)
	var msg bytes.Buffer
	enc, err := crypto.Encrypt(&msg, append(desk, replyKey)...)
	if err != nil {
		t.Fatal(err)
	}
	reply := "Which forwarder relabelled them?"
	io.WriteString(enc, reply)
	enc.Close()
	if _, err := ts.intake.AddReply(ctx, sub, &msg, nil); err != nil {
		t.Fatal(err)
	}

	post := func(path, typed string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path+"?lang=zh", strings.NewReader(url.Values{"codename": {typed}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "null")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		return ts.do("intake", r)
	}
	const guesses = 40
	for i := range guesses {
		wrong, _ := crypto.NewCodename()
		path := []string{"/mailbox", "/mailbox/unlock"}[i%2]
		if w := post(path, wrong.Reveal()); w.Code != http.StatusForbidden ||
			!strings.Contains(w.Body.String(), intake.T(intake.ZH, "mailbox_wrong_codename")) || w.Header().Get("Set-Cookie") != "" {
			t.Fatalf("guess %d on %s = %d, cookie %q\n%.300s", i, path, w.Code, w.Header().Get("Set-Cookie"), w.Body)
		}
	}
	var failures int
	ts.db.Raw("SELECT count FROM rate_limits WHERE bucket = 'codename-failures'").Scan(&failures)
	if failures != guesses {
		t.Errorf("failed logins counted = %d, want %d", failures, guesses)
	}

	w := post("/mailbox", codename)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), reply) || len(w.Result().Cookies()) != 1 {
		t.Fatalf("the real codename on the form after %d wrong ones = %d\n%.800s", guesses, w.Code, w.Body)
	}
	w = post("/mailbox/unlock", codename)
	var answer struct {
		HasKey     bool   `json:"has_key"`
		Key        string `json:"key"`
		Passphrase string `json:"passphrase"`
		Thread     []struct {
			Author  string `json:"author"`
			Message []byte `json:"message"`
		} `json:"thread"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil || w.Code != http.StatusOK || len(answer.Thread) != 1 || answer.Thread[0].Author != "staff" {
		t.Fatalf("the real codename on /mailbox/unlock after %d wrong ones = %d, %v\n%.300s", guesses, w.Code, err, w.Body)
	}
	key, err := crypto.ReadPrivateKey([]byte(answer.Key), []byte(answer.Passphrase))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := crypto.Decrypt(bytes.NewReader(answer.Thread[0].Message), key)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(plain); string(got) != reply {
		t.Errorf("the reply from /mailbox/unlock decrypts to %q", got)
	}
}
