package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// onBothBackends runs f on a test server whose intake keeps its data in
// SQLite and a blob directory, then on one that keeps it in PostgreSQL and
// MinIO (make test's services; skipped without them outside make test).
func onBothBackends(t *testing.T, f func(t *testing.T, ts *testServer)) {
	t.Run("SQLite", func(t *testing.T) { f(t, newTestServer(t)) })
	t.Run("PostgreSQL+MinIO", func(t *testing.T) { f(t, newTestServerOnPostgres(t)) })
}

// newTestServerOnPostgres is a test server whose intake runs on a fresh
// PostgreSQL database and a fresh bucket of make test's MinIO.
func newTestServerOnPostgres(t *testing.T) *testServer {
	t.Helper()
	u, err := url.Parse(testenv.Get(t, testenv.S3URL))
	if err != nil {
		t.Fatalf("%s is not a URL", testenv.S3URL) // the error would show the secret key
	}
	name := make([]byte, 6)
	rand.Read(name)
	u.Path = "/limits-" + hex.EncodeToString(name)
	blobs, err := blob.Open(u.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.(*blob.S3).EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		infos, _ := blobs.List(context.Background(), "")
		for _, i := range infos {
			blobs.Delete(context.Background(), i.Key)
		}
	})
	ts := newTestServer(t)
	db := dbtest.Open(t, database.Postgres)
	in := newTestIntake(t, db, blobs, ts.Server.log)
	ts.deps.DB, ts.deps.Blobs, ts.deps.Intake = db, blobs, in
	ts.db, ts.intake, ts.blobDir = db, in, ""
	return rebuild(t, ts)
}

// assertNoTip checks that no submission, object or blob was kept.
func assertNoTip(t *testing.T, ts *testServer) {
	t.Helper()
	var subs, objects int64
	ts.db.Raw("SELECT count(*) FROM submissions").Scan(&subs)
	ts.db.Raw("SELECT count(*) FROM objects").Scan(&objects)
	infos, err := ts.deps.Blobs.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if subs != 0 || objects != 0 || len(infos) != 0 {
		t.Errorf("kept: %d submissions, %d objects, %d blobs; want none", subs, objects, len(infos))
	}
}

// countingReader counts the bytes the server read of a request body.
type readCounter struct {
	r io.Reader
	n atomic.Int64
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestNoJavaScriptFormLimits is reproduction 8 of issue 11: the no-JS form
// took 3,000 tiny files in one 338 KB request and made 3,000 blobs and
// rows. A form is now refused at the 101st file, or at the first part more
// than its questionnaire can produce, while it streams in: the rest is not
// read, the source reads why in their language, and nothing is kept.
func TestNoJavaScriptFormLimits(t *testing.T) {
	onBothBackends(t, func(t *testing.T, ts *testServer) {
		addGPGKey(t, ts)
		tooManyFiles := noJSForm("x")
		for i := range 3000 {
			tooManyFiles = append(tooManyFiles, formPart{name: "evidence", filename: fmt.Sprintf("f%d.txt", i), value: "tiny file " + canary})
		}
		tooManyParts := noJSForm("x")
		for range 5000 {
			tooManyParts = append(tooManyParts, formPart{name: "lang", value: "zh"})
		}
		tests := []struct {
			name  string
			parts []formPart
			key   string
		}{
			{"TooManyFiles", tooManyFiles, "error_too_many_files"},
			{"TooManyParts", tooManyParts, "error_too_many_parts"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
					ctype, body := multipartBody(t, tt.parts)
					size := body.Len()
					counter := &readCounter{r: body}
					r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang="+string(lang), counter)
					r.Header.Set("Content-Type", ctype)
					w := ts.do("intake", r)
					if w.Code != http.StatusRequestEntityTooLarge {
						t.Fatalf("%s: status = %d, want 413\n%s", lang, w.Code, w.Body)
					}
					if want := html.EscapeString(intake.T(lang, tt.key)); !strings.Contains(w.Body.String(), want) {
						t.Errorf("%s: the page does not say %q", lang, want)
					}
					if got := counter.n.Load(); got > int64(size)/4 {
						t.Errorf("%s: the server read %d of %d bytes before refusing; want it to stop at the limit", lang, got, size)
					}
					assertNoTip(t, ts)
				}
			})
		}
	})
}

// TestNoJavaScriptFormAtTheLimits fills in every input of the desk's form
// as a browser sends it, with MaxSubmissionFiles files: the limits above
// never refuse a real source. The page's own inputs fit MaxFormParts too.
func TestNoJavaScriptFormAtTheLimits(t *testing.T) {
	onBothBackends(t, func(t *testing.T, ts *testServer) {
		ts.deps.Config.MaxFormUpload = 64 << 20
		addGPGKey(t, ts)
		q := ts.intake.Questionnaires(intake.DefaultDeskSlug)

		// What the page offers: every named input of the tip form, a
		// radio group once, the file input as MaxSubmissionFiles files.
		page := ts.get("intake", "/desk/export-controls?lang=en").Body.String()
		form := page[strings.Index(page, `<form method="post"`):]
		form = form[:strings.Index(form, "</form>")]
		offered, radios := 0, map[string]bool{}
		for _, m := range regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`).FindAllString(form, -1) {
			name := regexp.MustCompile(`\bname="([^"]*)"`).FindStringSubmatch(m)
			if name == nil {
				continue
			}
			switch {
			case strings.Contains(m, `type="radio"`):
				if !radios[name[1]] {
					offered++
				}
				radios[name[1]] = true
			case strings.Contains(m, `type="file"`):
				offered += intake.MaxSubmissionFiles
			default:
				offered++
			}
		}
		if max := q.MaxFormParts(); offered > max {
			t.Fatalf("the form offers %d parts, MaxFormParts allows %d", offered, max)
		}

		// Every input filled or sent empty, every option checked.
		answers := map[string]string{}
		for _, p := range noJSForm("") {
			if p.filename == "" {
				answers[p.name] = p.value
			}
		}
		parts := []formPart{{name: "lang", value: "en"}}
		for _, f := range q.Fields {
			switch f.Type {
			case intake.MultipleChoice:
				for _, o := range f.Options {
					parts = append(parts, formPart{name: f.ID, value: o.Value})
				}
			case intake.Party:
				for r := range f.RowCount() {
					for _, k := range []string{"name", "role", "country", "identifiers"} {
						key := intake.PartyKey(f.ID, r, k)
						parts = append(parts, formPart{name: key, value: answers[key]})
					}
				}
			case intake.Files:
				for i := range intake.MaxSubmissionFiles {
					parts = append(parts, formPart{name: f.ID, filename: fmt.Sprintf("%03d.txt", i), value: "evidence " + canary})
				}
			default:
				parts = append(parts, formPart{name: f.ID, value: answers[f.ID]})
			}
		}
		ctype, body := multipartBody(t, parts)
		r := httptest.NewRequest(http.MethodPost, "/desk/export-controls/submit?lang=en", body)
		r.Header.Set("Content-Type", ctype)
		w := ts.do("intake", r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), intake.T(intake.EN, "codename_title")) {
			t.Fatalf("a full form with %d parts = %d, want the codename page\n%s", len(parts), w.Code, w.Body)
		}
		var objects int64
		ts.db.Raw("SELECT count(*) FROM objects").Scan(&objects)
		if objects != 1+intake.MaxSubmissionFiles {
			t.Errorf("objects = %d, want the manifest and %d files", objects, intake.MaxSubmissionFiles)
		}
	})
}

// TestTooManyFilesMessageNamesTheLimit: the catalog says the number that
// MaxSubmissionFiles is, in both languages.
func TestTooManyFilesMessageNamesTheLimit(t *testing.T) {
	for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
		if msg := intake.T(lang, "error_too_many_files"); !strings.Contains(msg, fmt.Sprint(intake.MaxSubmissionFiles)) {
			t.Errorf("%s: %q does not name the limit %d", lang, msg, intake.MaxSubmissionFiles)
		}
	}
}
