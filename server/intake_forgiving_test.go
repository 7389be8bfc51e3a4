package server

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/intake"
)

// postDeskForm posts the no-JavaScript form of the default desk.
func postDeskForm(t *testing.T, ts *testServer, parts []formPart) *httptest.ResponseRecorder {
	t.Helper()
	ctype, body := multipartBody(t, parts)
	r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang=zh", body)
	r.Header.Set("Content-Type", ctype)
	return ts.do("intake", r)
}

// manifestAnswers indexes a manifest's answers by field id.
func manifestAnswers(m intake.Manifest) map[string]intake.ManifestAnswer {
	out := map[string]intake.ManifestAnswer{}
	for _, a := range m.Answers {
		out[a.ID] = a
	}
	return out
}

// TestNoJavaScriptEstimatesAccepted is the reproduction of issue 12: a tip
// with "大约200台" and "2024年3月" was refused. It is accepted, and the
// investigator's decrypted manifest holds both the value read and the
// source's own words; nothing of either is stored in plaintext.
func TestNoJavaScriptEstimatesAccepted(t *testing.T) {
	ts := newTestServer(t)
	g := addGPGKey(t, ts)
	w := postDeskForm(t, ts, []formPart{
		{name: "lang", value: "zh"},
		{name: "quantity", value: "大约200台"},
		{name: "value_usd", value: "$5,000,000"},
		{name: "started", value: "2024年3月"},
		{name: "last_shipment", value: "去年夏天 " + canary},
		{name: "narrative", value: "H100 servers relabelled as routers."},
		{name: "evidence", filename: "invoice.pdf", value: "%PDF-1.4 " + canary},
	})
	if w.Code != http.StatusOK {
		t.Fatalf("submit = %d\n%s", w.Code, w.Body)
	}
	m, _ := storedObjects(t, ts, g, "server")
	answers := manifestAnswers(m)
	tests := []struct {
		id, value, raw string
	}{
		{"quantity", "200", "大约200台"},
		{"value_usd", "5000000", "$5,000,000"},
		{"started", "2024-03", "2024年3月"},
		{"last_shipment", "", "去年夏天 " + canary},
	}
	for _, tt := range tests {
		a, ok := answers[tt.id]
		if !ok {
			t.Errorf("the manifest has no answer %s", tt.id)
			continue
		}
		if got := strings.Join(a.Values, ","); got != tt.value || a.Raw != tt.raw {
			t.Errorf("answer %s = %q, raw %q; want %q, raw %q", tt.id, got, a.Raw, tt.value, tt.raw)
		}
	}
	ts.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	assertNoCanary(t, ts, filepath.Dir(ts.dbPath()), ts.blobDir)
}

var keptRefPattern = regexp.MustCompile(`name="` + intake.KeptFilesField + `" value="([^"]+)"`)

// TestNoJavaScriptCorrectionKeepsFiles: without JavaScript, a form whose
// answers need correcting no longer throws away the files it carried. They
// stay as encrypted pending blobs, the corrected form names them and does
// not ask for them again, and the corrected post commits with them. A
// reference used twice, or tampered with, never loses or duplicates a file.
func TestNoJavaScriptCorrectionKeepsFiles(t *testing.T) {
	ts := newTestServer(t)
	g := addGPGKey(t, ts)
	ctx := context.Background()
	file := []byte("%PDF-1.4 shipping list " + canary)

	w := postDeskForm(t, ts, []formPart{
		{name: "lang", value: "zh"},
		{name: "quantity", value: "about 200"},
		{name: "evidence", filename: "装箱单.pdf", value: string(file)},
	})
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a form without the required answer = %d", w.Code)
	}
	page := w.Body.String()
	m := keptRefPattern.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the corrected form carries no reference to the files:\n%s", page)
	}
	ref := html.UnescapeString(m[1])
	for _, want := range []string{html.EscapeString(intake.T(intake.ZH, "files_kept")), "<li>装箱单.pdf</li>", `value="about 200"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the corrected form lacks %s", want)
		}
	}
	if strings.Contains(page, "装箱单.pdf") && bytes.Contains([]byte(ref), []byte("装箱单")) {
		t.Error("the reference holds the file name in the clear")
	}
	pending, _ := ts.deps.Blobs.List(ctx, "pending/")
	if len(pending) != 1 {
		t.Fatalf("%d pending blobs after the form came back; want the file's 1", len(pending))
	}

	corrected := []formPart{
		{name: "lang", value: "zh"},
		{name: intake.KeptFilesField, value: ref},
		{name: "quantity", value: "about 200"},
		{name: "narrative", value: "They relabel H100 servers."},
		{name: "evidence", filename: "", value: ""}, // an empty file input, as browsers send it
	}
	if w := postDeskForm(t, ts, corrected); w.Code != http.StatusOK {
		t.Fatalf("the corrected form = %d\n%s", w.Code, w.Body)
	}
	manifest, plain := storedObjects(t, ts, g, "server")
	if len(manifest.Files) != 1 || manifest.Files[0].Name != "装箱单.pdf" || len(plain) != 1 || !bytes.Equal(plain[0], file) {
		t.Errorf("the committed tip has files %+v; want the kept one, decrypting to what was sent", manifest.Files)
	}
	if a := manifestAnswers(manifest)["quantity"]; strings.Join(a.Values, ",") != "200" || a.Raw != "about 200" {
		t.Errorf("quantity = %+v", a)
	}

	// The same reference again: the file belongs to the committed tip. It
	// is neither taken twice nor removed; the source is asked to attach it.
	tests := []struct {
		name, ref string
	}{
		{"Replayed", ref},
		{"Tampered", "A" + ref[1:]},
		{"Garbage", "not base64 at all!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := append([]formPart{}, corrected...)
			parts[1].value = tt.ref
			w := postDeskForm(t, ts, parts)
			if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), html.EscapeString(intake.T(intake.ZH, "error_kept_files_lost"))) {
				t.Errorf("a reference to files that are gone = %d, without asking for the files again", w.Code)
			}
			var n int64
			ts.db.Raw("SELECT count(*) FROM submissions").Scan(&n)
			if n != 1 {
				t.Errorf("%d submissions; want the 1 committed", n)
			}
			// The committed tip's blobs wait under pending/ for the
			// janitor's batch; nothing else is there.
			pending, _ := ts.deps.Blobs.List(ctx, "pending/")
			objects, _ := ts.deps.Blobs.List(ctx, "objects/")
			if len(pending)+len(objects) != 2 {
				t.Errorf("%d committed blobs; want the manifest and the file", len(pending)+len(objects))
			}
		})
	}
	ts.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	assertNoCanary(t, ts, filepath.Dir(ts.dbPath()), ts.blobDir)
}

// TestSafetyPage: the safety page and the landing page's "Before you start"
// box, in both languages, with the onion address as text when one is set.
func TestSafetyPage(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	const onion = "tiplineexampleabcdefghijklmnopqrstuvwxyz234567abcdefgh.onion"
	for _, withOnion := range []bool{false, true} {
		if withOnion {
			ts.deps.Config.OnionAddress = onion
			ts = rebuild(t, ts)
		}
		for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
			pages := []struct {
				path string
				want []string
			}{
				{"/safety?lang=" + string(lang), []string{"safety_title", "safety_blocked", "safety_safest", "safety_work", "safety_files", "safety_receipt_reveals", "safety_codename_dont"}},
				{"/?lang=" + string(lang), []string{"before_you_start", "index_before_tor", "index_before_work", "index_before_link"}},
				{"/desk/export-controls?lang=" + string(lang), []string{"desk_safety_link"}},
			}
			for _, p := range pages {
				w := ts.get("intake", p.path)
				body := w.Body.String()
				if w.Code != http.StatusOK {
					t.Fatalf("GET %s = %d", p.path, w.Code)
				}
				for _, key := range p.want {
					if !strings.Contains(body, html.EscapeString(intake.T(lang, key))) {
						t.Errorf("GET %s lacks %s", p.path, key)
					}
				}
				if got := strings.Contains(body, onion); got != withOnion {
					t.Errorf("GET %s shows the onion address: %v; want %v", p.path, got, withOnion)
				}
			}
		}
	}
}

// TestKeptFilesSweptWhenNeverCommitted: files kept for a corrected form
// that never comes are removed by the janitor like any abandoned upload,
// and a reference to them then asks for the files again.
func TestKeptFilesSweptWhenNeverCommitted(t *testing.T) {
	ts := newTestServer(t)
	addGPGKey(t, ts)
	ctx := context.Background()
	w := postDeskForm(t, ts, []formPart{{name: "evidence", filename: "a.pdf", value: "%PDF-1.4 " + canary}})
	m := keptRefPattern.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusUnprocessableEntity || m == nil {
		t.Fatalf("a form without the required answer = %d, without a reference to its file", w.Code)
	}
	later := time.Now().Add(3 * 24 * time.Hour)
	ts.intake.Now = func() time.Time { return later }
	r, err := ts.intake.SweepPending(ctx)
	if err != nil || r.Removed != 1 {
		t.Fatalf("sweep = %+v, %v; want the kept file removed", r, err)
	}
	w = postDeskForm(t, ts, []formPart{{name: intake.KeptFilesField, value: html.UnescapeString(m[1])}, {name: "narrative", value: "x"}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), html.EscapeString(intake.T(intake.ZH, "error_kept_files_lost"))) {
		t.Errorf("a reference to swept files = %d, without asking for the files again", w.Code)
	}
}
