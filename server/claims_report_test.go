package server

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
	"github.com/tipline/tipline/store"
)

// reportFixture is a claim of counsel's on an SEC covered action with a
// CFTC related action, one submission and collections on both, and a
// new draft claim with nothing linked, on the service of s.
func reportFixture(t *testing.T) (svc *claims.Service, counsel casework.Principal, full, draft string) {
	t.Helper()
	ctx := context.Background()
	s := store.New(dbtest.Open(t, database.SQLite))
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	svc = &claims.Service{Store: s, Pepper: crypto.NewPepper(), Now: func() time.Time { return now }}
	u, err := s.CreateUser(ctx, casework.User{Email: "carla@example.org", Role: casework.RoleCounsel, PasswordHash: "x", TOTPSealed: []byte{1}},
		casework.AuditRecord{At: now, Action: casework.ActionUserAdd, Target: "carla@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	carla := casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role}
	id := blob.NewKey("")
	sub := intake.Submission{ID: id, DeskSlug: intake.DefaultDeskSlug, ReceivedDay: "2026-01-15", EncryptedBy: "server",
		LookupKey: sha256.Sum256([]byte(id)), ReplySalt: make([]byte, 16)}
	if _, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }); err != nil {
		t.Fatal(err)
	}
	covered, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", CaseNumber: "1:26-cv-04321",
		Title: "SEC v. Example Chips Ltd.", Forum: "S.D.N.Y.", Defendants: []claims.Defendant{{Name: "Example Chips Ltd."}}, NoticeDay: "2026-10-01"})
	if err != nil {
		t.Fatal(err)
	}
	related, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Related, CoveredID: covered.ID, Agency: "CFTC", CaseNumber: "26-cv-777",
		Title: "CFTC v. Example Chips Ltd.", Basis: "The same original information about the chips sold through Example Trading.", FinalOrderDay: "2026-09-15"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		action, kind, ordered, collected, day string
	}{
		{covered.ID, string(awards.Penalty), "3000000", "1250000", "2026-11-02"},
		{covered.ID, string(awards.Disgorgement), "500000", "", ""},
		{related.ID, string(awards.Penalty), "2000000", "400000", "2026-10-20"},
	} {
		if _, err := svc.SetSanction(ctx, carla, m.action, awards.Kind(m.kind), m.ordered); err != nil {
			t.Fatal(err)
		}
		if m.collected != "" {
			if _, err := svc.RecordCollection(ctx, carla, m.action, claims.NewCollection{Kind: awards.Kind(m.kind), Amount: m.collected, ReceivedDay: m.day, DocumentRef: "Treasury receipt"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	c, err := svc.CreateClaim(ctx, carla, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A",
		LegalName: "王小明", ShowLegalName: true, Counsel: []string{"carla@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	// An admin attaches a submission by id; counsel attach it with the source's signed receipt.
	if _, err := svc.SetSubmissions(ctx, casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}, c.ID, []string{id}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, carla, c.ID, []string{covered.ID, related.ID}); err != nil {
		t.Fatal(err)
	}
	d, err := svc.CreateClaim(ctx, carla, claims.ClaimFields{Program: "irs", ClaimantKind: claims.Source, Pseudonym: "Source B", Counsel: []string{"carla@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	return svc, carla, c.ID, d.ID
}

// rawCodes match codes of the engine and the claims that a client must
// never read: snake_case identifiers, basis points, and a boolean, kind,
// status, relation or authority code alone in a table cell.
var rawCodes = []*regexp.Regexp{
	regexp.MustCompile(`\b[a-z]+(_[a-z0-9]+)+\b`),
	regexp.MustCompile(`\b\d+ ?bp\b`),
	regexp.MustCompile(`(?m)(^|\s{2,})(true|false|penalty|disgorgement|interest|fine|forfeiture|restitution|damages|other|tax|covered|related|aggregated|source|relator|open|yes|no|n/a|draft|filed|pending|sec|cftc|irs|fincen|doj|bis|fca|state|primary|secondary|unverified|condition|disqualifier)(\s{2,}|$)`),
}

// TestReportPDF prints a claim's award report as counsel download it and
// reads it back: every page carries the privilege header and "Page X of
// Y"; the legend, the assumptions, each related action's plan, the appeal
// period, the net to the client after the fee, the tax note with its
// unverified flag and the evidence summary on a page of its own are
// there; no raw code is; the PDF's title, author and creator are set. The
// pages are written as PNG to TIPLINE_TEST_ARTIFACTS when it is set, to
// look at.
func TestReportPDF(t *testing.T) {
	chromium := os.Getenv("TIPLINE_TEST_CHROMIUM")
	if chromium == "" {
		if testenv.Required() {
			t.Fatal("TIPLINE_TEST_CHROMIUM is not set: run the tests with `make test`")
		}
		t.Skip("TIPLINE_TEST_CHROMIUM is not set; skipping (run `make test` for the full suite)")
	}
	ctx := context.Background()
	svc, carla, id, _ := reportFixture(t)
	pctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	doc, r, err := svc.ExportReport(pctx, carla, id, ReportPrinter{Chromium: chromium, FeeBP: 3333})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := reportFileName(r), "award-report-"+id+"-2026-11-30.pdf"; got != want {
		t.Errorf("file name %q, want %q", got, want)
	}
	dir := os.Getenv("TIPLINE_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "award-report.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	info := poppler(t, "pdfinfo", path)
	for _, want := range []string{"Title:           Award report: 王小明 (claim " + id + ")", "Author:          carla@example.org", "Creator:         Tipline award report"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo does not show %q:\n%s", want, info)
		}
	}
	pages := 0
	if _, err := fmt.Sscanf(info[strings.Index(info, "Pages:"):], "Pages: %d", &pages); err != nil || pages < 3 {
		t.Fatalf("pages: %d (%v)", pages, err)
	}
	var all strings.Builder
	for n := 1; n <= pages; n++ {
		text := poppler(t, "pdftotext", "-layout", "-enc", "UTF-8", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), path, "-")
		for _, want := range []string{"Privileged & Confidential — Attorney Work Product", fmt.Sprintf("Page %d of %d", n, pages)} {
			if !strings.Contains(text, want) {
				t.Errorf("page %d does not show %q", n, want)
			}
		}
		if n == pages && !strings.Contains(text, "Evidence summary") {
			t.Errorf("the last page is not the evidence summary:\n%s", text)
		}
		all.WriteString(text)
	}
	layout := all.String()
	text := strings.Join(strings.Fields(poppler(t, "pdftotext", "-enc", "UTF-8", path, "-")), " ")
	for _, want := range []string{
		"王小明", "Legend", "Assumptions", "Text modelled", "50 % collected", "Fully collected",
		"$3,000,000.00", "$1,250,000.00", "33.33 %", "Net to the client", "Civil penalty",
		"Plan for each action", "CFTC whistleblower", "Double-recovery limit",
		"Appeal of the award determination: 30 days", "15 U.S.C. 78u-6(f)",
		"Tax treatment", "26 U.S.C. 62(a)(21)", "UNVERIFIED",
		"120-day look-back", "2025-09-17", r.Claim.Submissions[0].ReceiptHash[:16], "Identified: the legal name is shown",
	} {
		if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(want, " ", "")) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	for _, re := range rawCodes {
		if m := re.FindAllString(layout, 5); m != nil {
			t.Errorf("the PDF shows raw codes %q", m)
		}
	}
	if dir := os.Getenv("TIPLINE_TEST_ARTIFACTS"); dir != "" {
		poppler(t, "pdftoppm", "-png", "-r", "70", path, filepath.Join(dir, "award-report-page"))
	}
}

// poppler runs a poppler tool and fails on any complaint, such as a
// broken cross-reference table.
func poppler(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: %v %s", name, err, stderr.String())
	}
	return string(out)
}

// TestReportDocumentStates: a new draft claim with nothing linked reads
// as incomplete, neither eligible nor "not eligible", and draws no empty
// chart; the full claim draws its chart.
func TestReportDocumentStates(t *testing.T) {
	svc, carla, full, draft := reportFixture(t)
	for _, tc := range []struct {
		name, id      string
		want, notWant []string
	}{
		{"new draft", draft, []string{"Incomplete: no enforcement action", "No enforcement action is linked yet."}, []string{"Not eligible", "<svg", "Collections and award range over time"}},
		// Its first estimate, made when the claim was opened, was incomplete; the claim is not.
		{"claim with collections", full, []string{"<svg", "Collections and award range over time", "Incomplete: nothing to assess yet"}, []string{"Incomplete: no enforcement action"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := svc.Report(context.Background(), carla, tc.id)
			if err != nil {
				t.Fatal(err)
			}
			html, err := ReportDocument(r, claims.NoFee)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(string(html), want) {
					t.Errorf("the report does not show %q", want)
				}
			}
			for _, not := range tc.notWant {
				if strings.Contains(string(html), not) {
					t.Errorf("the report shows %q", not)
				}
			}
		})
	}
}

// TestReportRoutes asks for a new claim's report as counsel without
// JavaScript: a fee that is not a percentage is refused with the reason;
// a fee shows the net to the client and stays in the form; the new claim
// reads as incomplete on its page and its report, with no chart; the PDF
// downloads as award-report-ID-DAY.pdf.
func TestReportRoutes(t *testing.T) {
	ts := newTestServer(t)
	carla := signIn(t, ts, "carla@example.org", casework.RoleCounsel, nil)
	w := carla.post(ts, "/claims", url.Values{"program": {"sec"}, "claimant_kind": {"source"}, "pseudonym": {"Source A"}, "counsel": {carla.Email}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("new claim: %d %.500s", w.Code, w.Body)
	}
	claimPath := w.Header().Get("Location")
	claimID := strings.TrimPrefix(claimPath, "/claims/")
	for _, tc := range []struct {
		name, target string
		status       int
		shows, hides []string
	}{
		{"fee above 100", claimPath + "/report?fee=120", http.StatusUnprocessableEntity, []string{"The fee is a percentage from 0 to 100"}, nil},
		{"fee in words", claimPath + "/report?fee=a+third", http.StatusUnprocessableEntity, []string{"The fee is a percentage from 0 to 100"}, nil},
		{"fee", claimPath + "/report?fee=33.33", http.StatusOK, []string{`value="33.33"`, "33.33 % of the award as paid", "Net to the client", "Incomplete: no enforcement action"},
			[]string{"Not eligible as things stand", "<svg"}},
		{"no fee", claimPath + "/report", http.StatusOK, []string{"None entered: the net to the client below is before any fee."}, nil},
		{"claim page", claimPath, http.StatusOK, []string{"<strong>Incomplete</strong>", "Nothing collected yet: the chart starts with the first collection."},
			[]string{"Not eligible as things stand", "<svg"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := carla.get(ts, tc.target)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d\n%.1500s", w.Code, tc.status, w.Body)
			}
			for _, s := range tc.shows {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("the page does not show %q", s)
				}
			}
			for _, s := range tc.hides {
				if strings.Contains(w.Body.String(), s) {
					t.Errorf("the page shows %q", s)
				}
			}
		})
	}
	if os.Getenv("TIPLINE_TEST_CHROMIUM") == "" {
		return // the PDF needs Chromium: TestReportPDF says whether it must run
	}
	ts.deps.Config.Chromium = os.Getenv("TIPLINE_TEST_CHROMIUM")
	w = carla.get(ts, claimPath+"/report.pdf?fee=25")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "%PDF") {
		t.Fatalf("report.pdf: %d %.300s", w.Code, w.Body)
	}
	want := `attachment; filename="award-report-` + claimID + "-" + time.Now().UTC().Format(time.DateOnly) + `.pdf"`
	if got := w.Header().Get("Content-Disposition"); got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
}
