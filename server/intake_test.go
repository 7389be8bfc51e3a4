package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// canary is a distinctive plaintext that must never be found at rest. It is
// made at run time so that the test binary itself does not hold it.
var canary = "CANARY-" + blob.NewKey("") + "-深圳芯片走私"

// formPart is one part of a multipart form.
type formPart struct {
	name, filename, value string
}

func multipartBody(t *testing.T, parts []formPart) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, p := range parts {
		var err error
		if p.filename != "" {
			var fw io.Writer
			fw, err = w.CreateFormFile(p.name, p.filename)
			if err == nil {
				_, err = io.WriteString(fw, p.value)
			}
		} else {
			err = w.WriteField(p.name, p.value)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	return w.FormDataContentType(), &body
}

// addGPGKey puts a key made by gpg itself on the default desk.
func addGPGKey(t testing.TB, ts *testServer) *testenv.GPG {
	t.Helper()
	g := testenv.NewGPG(t)
	if _, _, err := ts.intake.Desks.AddKey(context.Background(), intake.DefaultDeskSlug, g.Public); err != nil {
		t.Fatal(err)
	}
	return g
}

func noJSForm(evidence string) []formPart {
	return []formPart{
		{name: "lang", value: "zh"},
		{name: "violation", value: "smuggling"},
		{name: "violation", value: "shell_companies"},
		{name: "parties.0.name", value: "深圳市华芯科技有限公司"},
		{name: "parties.0.role", value: "distributor"},
		{name: "parties.0.country", value: "CN"},
		{name: "knowledge", value: "first_hand"},
		{name: "narrative", value: "H100 servers relabelled as routers. " + canary},
		{name: "evidence", filename: "发票-" + canary + ".pdf", value: "%PDF-1.4 invoice " + canary},
		{name: "evidence", filename: "manifest.xlsx", value: evidence},
	}
}

// TestNoJavaScriptSubmission submits the plain HTML form, as Tor Browser at
// "Safest" does, and checks the whole promise: a codename only after the
// commit, every stored object decrypts with GnuPG to exactly what was sent,
// a receipt that verifies, and no plaintext anywhere at rest.
func TestNoJavaScriptSubmission(t *testing.T) {
	ts := newTestServer(t)
	ts.deps.Config.MaxFormUpload = 64 << 20
	g := addGPGKey(t, ts)
	evidence := strings.Repeat("spreadsheet row "+canary+"\n", 50_000) // ~2 MiB

	ctype, body := multipartBody(t, noJSForm(evidence))
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang=zh", body)
	r.Header.Set("Content-Type", ctype)
	w := ts.do("intake", r)
	if w.Code != http.StatusOK {
		t.Fatalf("submit = %d\n%s", w.Code, w.Body)
	}
	page := w.Body.String()
	words := regexp.MustCompile(`<span>([a-z-]+)</span>`).FindAllStringSubmatch(page, -1)
	if len(words) != crypto.CodenameWords {
		t.Fatalf("codename page shows %d words, want %d", len(words), crypto.CodenameWords)
	}
	if !strings.Contains(page, intake.T(intake.ZH, "encrypted_by_server")) {
		t.Error("the page does not say that the server encrypted the tip")
	}
	if w.Header().Get("Set-Cookie") != "" {
		t.Error("the intake listener set a cookie")
	}

	// The database holds one submission with three objects and a log entry.
	var sub struct {
		ID          string
		EncryptedBy string
	}
	ts.db.Raw("SELECT id, encrypted_by FROM submissions").Scan(&sub)
	if sub.EncryptedBy != "server" {
		t.Fatalf("submission = %+v", sub)
	}
	var objects []struct {
		Kind       string
		BlobKey    string
		KeyPackets []byte
	}
	ts.db.Raw("SELECT kind, blob_key, key_packets FROM objects WHERE submission_id = ? ORDER BY position", sub.ID).Scan(&objects)
	if len(objects) != 3 || objects[0].Kind != "manifest" {
		t.Fatalf("objects = %d, want manifest + 2 files", len(objects))
	}

	// GnuPG decrypts every stored object to exactly what was submitted.
	var plain [][]byte
	for _, o := range objects {
		if !strings.HasPrefix(o.BlobKey, "pending/") {
			t.Errorf("blob %s moved at commit; it waits under the pending prefix for the janitor's batch", o.BlobKey)
		}
		rc, err := ts.deps.Blobs.Get(context.Background(), o.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(crypto.JoinMessage(o.KeyPackets, rc))
		rc.Close()
		plain = append(plain, g.Decrypt(msg))
	}
	if got, want := string(plain[1]), "%PDF-1.4 invoice "+canary; got != want {
		t.Errorf("file 1 decrypts to %q, want %q", got, want)
	}
	if string(plain[2]) != evidence {
		t.Errorf("file 2 decrypts to %d bytes, want the %d sent", len(plain[2]), len(evidence))
	}
	var m intake.Manifest
	if err := json.Unmarshal(plain[0], &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if len(m.Files) != 2 || m.Files[0].Name != "发票-"+canary+".pdf" || m.Files[1].Size != int64(len(evidence)) {
		t.Errorf("manifest files = %+v", m.Files)
	}
	if !strings.Contains(string(plain[0]), "H100 servers relabelled") || !strings.Contains(string(plain[0]), "深圳市华芯科技有限公司") {
		t.Error("manifest lacks the narrative or the party")
	}

	// The signed receipt verifies against the server key and the log.
	rw := ts.get("intake", "/receipt/"+sub.ID)
	if rw.Code != http.StatusOK {
		t.Fatalf("receipt = %d", rw.Code)
	}
	signer, err := crypto.ParsePublicKey([]byte(ts.intake.Receipts.PublicKey()), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	v, err := intake.VerifyReceipt(context.Background(), rw.Body.Bytes(), signer, ts.intake.Store)
	if err != nil || !v.Signature || !v.InLog || !v.ChainIntact || v.SubmissionID != sub.ID {
		t.Errorf("receipt verification = %+v, %v", v, err)
	}
	tampered := bytes.Replace(rw.Body.Bytes(), []byte(sub.ID), []byte(strings.Repeat("a", 26)), 1)
	if v, _ := intake.VerifyReceipt(context.Background(), tampered, signer, ts.intake.Store); v.Signature {
		t.Error("a tampered receipt verifies")
	}

	// No plaintext at rest: not in the database files, the blob store, the
	// log or the temp folder.
	ts.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	assertNoCanary(t, ts, filepath.Dir(ts.dbPath()), ts.blobDir, os.TempDir())
}

func (ts *testServer) dbPath() string {
	var file string
	ts.db.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file)
	return file
}

// assertNoCanary fails the test when the canary is in the log or in any
// file under dirs.
func assertNoCanary(t *testing.T, ts *testServer, dirs ...string) {
	t.Helper()
	if strings.Contains(ts.log.String(), canaryID()) {
		t.Error("the canary reached the log")
	}
	for _, path := range findCanary(dirs...) {
		t.Errorf("plaintext found at rest in %s", path)
	}
}

// canaryID is the random part of the canary.
func canaryID() string { return strings.Split(canary, "-")[1] }

// findCanary lists the files under dirs that hold the canary in plaintext.
func findCanary(dirs ...string) []string {
	var found []string
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err == nil && bytes.Contains(b, []byte(canaryID())) {
				found = append(found, path)
			}
			return nil
		})
	}
	return found
}

func TestDeskNotAccepting(t *testing.T) {
	ts := newTestServer(t)
	w := ts.get("intake", "/desk/export-controls?lang=en")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), intake.T(intake.EN, "not_accepting")) {
		t.Errorf("desk without key = %d, want the not-accepting notice", w.Code)
	}
	if strings.Contains(w.Body.String(), "<form") {
		t.Error("a desk without keys shows its form")
	}
	ctype, body := multipartBody(t, noJSForm("x"))
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", body)
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code != http.StatusServiceUnavailable {
		t.Errorf("submit to a desk without keys = %d, want 503", w.Code)
	}
}

// TestNoJavaScriptSubmissionRejected covers bad input: nothing is committed
// and no blob is left behind.
func TestNoJavaScriptSubmissionRejected(t *testing.T) {
	ts := newTestServer(t)
	ts.deps.Config.MaxFormUpload = 1 << 20
	addGPGKey(t, ts)
	tests := []struct {
		name   string
		parts  []formPart
		status int
		kept   int // pending blobs kept for the corrected form
	}{
		{"MissingNarrative", []formPart{{name: "violation", value: "smuggling"}, {name: "evidence", filename: "a.txt", value: canary}}, http.StatusUnprocessableEntity, 1},
		{"TooLarge", append(noJSForm(strings.Repeat("x", 2<<20)), formPart{name: "narrative", value: "x"}), http.StatusRequestEntityTooLarge, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctype, body := multipartBody(t, tt.parts)
			r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", body)
			r.Header.Set("Content-Type", ctype)
			if w := ts.do("intake", r); w.Code != tt.status {
				t.Errorf("status = %d, want %d\n%s", w.Code, tt.status, w.Body)
			}
			var n int64
			ts.db.Raw("SELECT count(*) FROM submissions").Scan(&n)
			infos, _ := ts.deps.Blobs.List(context.Background(), "")
			pending, _ := ts.deps.Blobs.List(context.Background(), "pending/")
			if n != 0 || len(infos) != tt.kept || len(pending) != tt.kept {
				t.Errorf("after a rejected submission: %d rows, %d blobs (%d pending); want no row and %d pending", n, len(infos), len(pending), tt.kept)
			}
			for _, b := range pending {
				ts.deps.Blobs.Delete(context.Background(), b.Key) // the next case counts from none
			}
		})
	}
}

// cutReader returns its data, then fails: a Tor circuit dropped mid-upload.
type cutReader struct {
	r io.Reader
}

func (c cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// TestNoJavaScriptConnectionCut drops the connection in the middle of a
// file: nothing is committed and no blob is left behind.
func TestNoJavaScriptConnectionCut(t *testing.T) {
	ts := newTestServer(t)
	ts.deps.Config.MaxFormUpload = 64 << 20
	addGPGKey(t, ts)
	ctype, body := multipartBody(t, noJSForm(strings.Repeat("evidence ", 400_000)))
	cut := body.Bytes()[:body.Len()*2/3]
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit", cutReader{bytes.NewReader(cut)})
	r.Header.Set("Content-Type", ctype)
	if w := ts.do("intake", r); w.Code < 400 {
		t.Errorf("cut upload = %d, want an error", w.Code)
	}
	var n int64
	ts.db.Raw("SELECT count(*) FROM submissions").Scan(&n)
	infos, _ := ts.deps.Blobs.List(context.Background(), "")
	if n != 0 || len(infos) != 0 {
		t.Errorf("after a cut upload: %d rows, %d blobs; want none", n, len(infos))
	}
}

// TestCanaryScanFindsPlaintext proves that the at-rest scan above can fail.
func TestCanaryScanFindsPlaintext(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "leak"), []byte("x"+canary+"x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if found := findCanary(dir); len(found) == 0 {
		t.Error("the scan did not find a planted canary")
	}
}

// TestIntakePagesAreSmallAndSelfContained: the pages a source loads without
// JavaScript weigh under 100 KB and name no other origin.
func TestIntakePagesAreSmallAndSelfContained(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	css, _ := ts.assets.url("css/tipline.css")
	for _, lang := range []string{"en", "zh"} {
		total := 0
		for _, path := range []string{"/desk/export-controls?lang=" + lang, "/desk/export-controls/form.css", css} {
			w := ts.get("intake", path)
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", path, w.Code)
			}
			total += w.Body.Len()
			if regexp.MustCompile(`(src|href|action)="(https?:)?//`).MatchString(w.Body.String()) || strings.Contains(w.Body.String(), "url(http") {
				t.Errorf("%s refers to another origin", path)
			}
		}
		if total > 100_000 {
			t.Errorf("desk page in %s weighs %d bytes with its CSS, want under 100 KB", lang, total)
		}
		t.Logf("desk page in %s: %d bytes with CSS", lang, total)
	}
}

func TestOnionLocation(t *testing.T) {
	ts := newTestServer(t)
	ts.deps.Config.OnionAddress = "tiplineexampleabcdefghijklmnopqrstuvwxyz234567abcdefgh.onion"
	// The middleware reads the setting when the engine is built.
	ts = rebuild(t, ts)
	w := ts.get("intake", "/?lang=zh")
	if got := w.Header().Get("Onion-Location"); got != "http://"+ts.deps.Config.OnionAddress+"/?lang=zh" {
		t.Errorf("Onion-Location = %q", got)
	}
	if !strings.Contains(w.Body.String(), intake.T(intake.ZH, "not_onion_notice")) {
		t.Error("a page reached by a clearnet host name does not say so")
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Host = ts.deps.Config.OnionAddress
	w = ts.do("intake", r)
	if w.Header().Get("Onion-Location") != "" || strings.Contains(w.Body.String(), intake.T(intake.EN, "not_onion_notice")) {
		t.Error("a page reached through the onion service still points to it")
	}
}

// rebuild makes the engines again after a test changed the configuration.
func rebuild(t *testing.T, ts *testServer) *testServer {
	t.Helper()
	s, err := New(ts.deps)
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = s
	return ts
}
