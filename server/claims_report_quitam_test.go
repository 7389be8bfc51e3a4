package server

import (
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/quitam"
	"github.com/tipline/tipline/store"
)

// TestReportQuiTam follows a qui tam matter through the award report of
// its FCA claim, stage by stage: the report's qui tam section shows the
// seal and its extension, the Government's election, every deadline in
// words with its rule and whether it is open, met or overdue, the 3731(b)
// reasoning, the first-to-file and public-disclosure warnings and the
// relator's share under 3730(d) on the federal proceeds collected, each
// with its numbered source. An investigator who may read the claim's
// report does not see the matter (qui tam matters are for admins and the
// claim's counsel). On both dialects; with TIPLINE_TEST_CHROMIUM set, the
// last stage is printed once and read back like TestReportPDF's report.
func TestReportQuiTam(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) { testReportQuiTam(t, d, d == database.SQLite) })
	}
}

func testReportQuiTam(t *testing.T, d database.Dialect, print bool) {
	ctx := context.Background()
	s := store.New(dbtest.Open(t, d))
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	svc := &claims.Service{Store: s, Pepper: crypto.NewPepper(), Now: clock}
	matters := &quitam.Service{Store: s, Now: clock}
	var carla, ivy casework.Principal
	for _, u := range []struct {
		p     *casework.Principal
		email string
		role  casework.Role
		desks []string
	}{
		{&carla, "carla@example.org", casework.RoleCounsel, nil},
		{&ivy, "ivy@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug}},
	} {
		created, err := s.CreateUser(ctx, casework.User{Email: u.email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: u.desks},
			casework.AuditRecord{At: now, Action: casework.ActionUserAdd, Target: u.email})
		if err != nil {
			t.Fatal(err)
		}
		*u.p = casework.Principal{UserID: created.ID, Email: u.email, Role: u.role, Desks: u.desks}
	}
	subID := blob.NewKey("")
	sub := intake.Submission{ID: subID, DeskSlug: intake.DefaultDeskSlug, ReceivedDay: "2026-01-15", EncryptedBy: "server",
		LookupKey: [32]byte{1}, ReplySalt: make([]byte, 16)}
	if _, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }); err != nil {
		t.Fatal(err)
	}
	kase, err := (&casework.Cases{Store: s, Now: clock}).Create(ctx, ivy, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Invoices", Submissions: []string{subID}})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := svc.CreateClaim(ctx, carla, claims.ClaimFields{Program: "fca", ClaimantKind: claims.Relator, Pseudonym: "Relator A"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSubmissions(ctx, casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}, cl.ID, []string{subID}); err != nil {
		t.Fatal(err)
	}
	m, err := matters.Create(ctx, carla, quitam.NewMatter{ClaimID: cl.ID, CaseID: kase.ID, Caption: "United States ex rel. Relator A v. Example Chips Ltd."})
	if err != nil {
		t.Fatal(err)
	}
	facts := quitam.Facts{Caption: m.Caption, FiledDay: "2026-06-01", ServedDay: "2026-06-10", ViolationDay: "2019-03-01", KnowledgeDay: "2024-05-01",
		RetaliationDay: "2026-02-01", PublicDisclosure: true, OriginalSource: true, FirstToFile: true}

	report := func(t *testing.T, p casework.Principal) string {
		t.Helper()
		r, err := svc.Report(ctx, p, cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		html, err := ReportDocument(r, claims.NoFee)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(textOf(string(html))), " ")
	}
	for _, tc := range []struct {
		stage   string
		change  func() error
		want    []string
		notWant []string
	}{
		{"opened, nothing recorded", func() error { return nil },
			[]string{"Qui tam matter: United States ex rel. Relator A v. Example Chips Ltd.", "case " + kase.ID, "Filed under seal Not yet recorded",
				"Election Not decided yet.", "No deadline yet", "The Government intervenes", "The Government declines", "between 15–30 %"},
			[]string{"60-day seal", "Limitations date"}},
		{"filed under seal, the seal overdue", func() error { _, err := matters.SetFacts(ctx, carla, m.ID, facts); return err },
			[]string{"Filed under seal 2026-06-01", "Served on the Government 2026-06-10", "60-day seal Ends 2026-08-09 [",
				"60-day seal ends, Government to elect (31 U.S.C. 3730(b)(2)) 2026-08-09 Overdue",
				"limitations date (31 U.S.C. 3731(b)) 2027-05-01 Met on 2026-06-01",
				"retaliation action due (31 U.S.C. 3730(h)(3)) 2029-02-01 Open",
				"3 years after the official knew or should have known (2024-05-01): 2027-05-01", "The later of the two applies: 2027-05-01 under (b)(2).",
				"Cochise Consultancy", "First to file: a related action was pending", "original source as (e)(4)(B) defines it",
				"The seal ended on 2026-08-09 with no election", "Federal proceeds collected: $0.00"},
			nil},
		{"seal extended", func() error {
			_, err := matters.AddExtension(ctx, carla, m.ID, quitam.Extension{GrantedDay: "2026-08-05", NewDay: "2026-12-31"})
			return err
		},
			[]string{"Extension 1 Granted 2026-08-05, seal extended to 2026-12-31", "Seal ends 2026-12-31",
				"3730(b)(2)) 2026-08-09 Met on 2026-08-05", "extended seal ends, extension 1 (31 U.S.C. 3730(b)(3)) 2026-12-31 Open"},
			[]string{"Overdue", "The seal ended on"}},
		{"the Government declines", func() error {
			_, err := matters.Decide(ctx, carla, m.ID, quitam.Declined, "2026-10-15")
			return err
		},
			[]string{"Election The Government declined to intervene on 2026-10-15.", "extension 1 (31 U.S.C. 3730(b)(3)) 2026-12-31 Met on 2026-10-15"},
			[]string{"The Government intervenes", "between 15–30 %"}},
		{"settlement collected", func() error {
			_, err := matters.AddCollection(ctx, carla, m.ID, quitam.NewCollection{ReceivedDay: "2026-11-20", Federal: "2,000,000.00", State: "100,000.00"})
			return err
		},
			[]string{"Federal proceeds collected: $2,000,000.00", "States collected $100,000.00 separately",
				"The Government declines 25–30 % [", "$500,000.00 to $600,000.00",
				"Not less than 25% and not more than 30%: 31 U.S.C. 3730(d)(2) — Verified (primary source)",
				"Calendar days, no roll-over to the next business day, 29 February anniversaries on 28 February: Tipline's counting — Unverified",
				"Retaliation action within 3 years after the retaliation: 31 U.S.C. 3730(h)(3) — Verified (primary source)"},
			nil},
	} {
		t.Run(tc.stage, func(t *testing.T) {
			if err := tc.change(); err != nil {
				t.Fatal(err)
			}
			got := report(t, carla)
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("the report does not show %q:\n%s", want, got[strings.Index(got, "Qui tam matter"):])
				}
			}
			for _, not := range tc.notWant {
				if i := strings.Index(got, "Qui tam matter"); strings.Contains(got[i:], not) {
					t.Errorf("the report's qui tam section shows %q", not)
				}
			}
			if strings.Contains(report(t, ivy), "Qui tam matter") {
				t.Error("an investigator reads the qui tam matter in the claim's report")
			}
		})
	}

	chromium := os.Getenv("TIPLINE_TEST_CHROMIUM")
	if chromium == "" || !print {
		return
	}
	pctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	doc, _, err := svc.ExportReport(pctx, carla, cl.ID, ReportPrinter{Chromium: chromium, FeeBP: claims.NoFee})
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("TIPLINE_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "award-report-quitam.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	info := poppler(t, "pdfinfo", path)
	pages := 0
	if _, err := fmt.Sscanf(info[strings.Index(info, "Pages:"):], "Pages: %d", &pages); err != nil || pages < 2 {
		t.Fatalf("pages: %d (%v)", pages, err)
	}
	var layout strings.Builder
	for n := 1; n <= pages; n++ {
		text := poppler(t, "pdftotext", "-layout", "-enc", "UTF-8", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), path, "-")
		if want := fmt.Sprintf("Page %d of %d", n, pages); !strings.Contains(text, want) {
			t.Errorf("page %d does not show %q", n, want)
		}
		layout.WriteString(text)
	}
	for _, want := range []string{"Legend", "Qui tam matter", "Relator's share", "31 U.S.C. 3731(b)"} {
		if !strings.Contains(layout.String(), want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	for _, re := range rawCodes {
		if m := re.FindAllString(layout.String(), 5); m != nil {
			t.Errorf("the PDF shows raw codes %q", m)
		}
	}
	if os.Getenv("TIPLINE_TEST_ARTIFACTS") != "" {
		poppler(t, "pdftoppm", "-png", "-r", "70", path, filepath.Join(dir, "award-report-quitam-page"))
	}
}

var (
	styleBlock = regexp.MustCompile(`(?s)<style.*?</style>`)
	htmlTag    = regexp.MustCompile(`<[^>]*>`)
)

// textOf is an HTML document's text: styles and tags dropped, entities
// decoded.
func textOf(doc string) string {
	return html.UnescapeString(htmlTag.ReplaceAllString(styleBlock.ReplaceAllString(doc, " "), " "))
}
