package server

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	"github.com/tipline/tipline/pdf"
	"github.com/tipline/tipline/store"
)

// TestReportPDF prints a claim's award report (ReportDocument, from the
// claims service's report data) with headless Chromium and reads it back
// with pdftotext: the claimant's Chinese name, the receipt hash, the
// amounts ordered and collected and the award range are there.
func TestReportPDF(t *testing.T) {
	chromium := os.Getenv("TIPLINE_TEST_CHROMIUM")
	if chromium == "" {
		if testenv.Required() {
			t.Fatal("TIPLINE_TEST_CHROMIUM is not set: run the tests with `make test`")
		}
		t.Skip("TIPLINE_TEST_CHROMIUM is not set; skipping (run `make test` for the full suite)")
	}
	ctx := context.Background()
	s := store.New(dbtest.Open(t, database.SQLite))
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	svc := &claims.Service{Store: s, Pepper: crypto.NewPepper(), Now: func() time.Time { return now }}
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
	a, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", CaseNumber: "1:26-cv-04321",
		Title: "SEC v. Example Chips Ltd.", NoticeDay: "2026-10-01"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSanction(ctx, carla, a.ID, awards.Penalty, "3000000"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCollection(ctx, carla, a.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1250000", ReceivedDay: "2026-11-02"}); err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateClaim(ctx, carla, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A",
		LegalName: "王小明", ShowLegalName: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSubmissions(ctx, carla, c.ID, []string{id}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, carla, c.ID, []string{a.ID}); err != nil {
		t.Fatal(err)
	}
	r, err := svc.Report(ctx, carla, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	html, err := ReportDocument(r)
	if err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	doc, err := pdf.Print(pctx, chromium, html)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"王小明", "$3,000,000.00", "$1,250,000.00", "$125,000.00 to $375,000.00", r.Claim.Submissions[0].ReceiptHash[:16], "2026-12-30", "Rules last verified " + r.Program.VerifiedOn} {
		if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(want, " ", "")) {
			t.Errorf("the PDF does not show %q:\n%.2000s", want, text)
		}
	}
}
