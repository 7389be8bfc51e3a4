package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
	"github.com/tipline/tipline/store"
)

// TestAwardsReport prints a claim's award report from the command line
// with the Chromium that TIPLINE_CHROMIUM names, and reads the PDF back
// with pdftotext: the claimant's Chinese name, the receipt hash, the
// money and the award range are there, and the export is audited.
func TestAwardsReport(t *testing.T) {
	chromium := os.Getenv("TIPLINE_TEST_CHROMIUM")
	if chromium == "" {
		if testenv.Required() {
			t.Fatal("TIPLINE_TEST_CHROMIUM is not set: run the tests with `make test`")
		}
		t.Skip("TIPLINE_TEST_CHROMIUM is not set; skipping (run `make test` for the full suite)")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	pepper := crypto.NewPepper()
	env := map[string]string{"TIPLINE_DATA_DIR": dataDir, "TIPLINE_PEPPER": hex.EncodeToString(pepper), "TIPLINE_CHROMIUM": chromium}
	if _, stderr, code := runTipline(t, env, "migrate", "up"); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}

	// A claim of counsel's, as the casework pages would leave it.
	ctx := context.Background()
	db, err := database.Open(ctx, filepath.Join(dataDir, "tipline.db"))
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(db)
	svc := &claims.Service{Store: s, Pepper: pepper, Now: time.Now}
	now := time.Now().UTC()
	u, err := s.CreateUser(ctx, casework.User{Email: "carla@example.org", Role: casework.RoleCounsel, PasswordHash: "x", TOTPSealed: []byte{1}},
		casework.AuditRecord{At: now, Action: casework.ActionUserAdd, Target: "carla@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	carla := casework.Principal{UserID: u.ID, Email: u.Email, Role: u.Role}
	id := blob.NewKey("")
	sub := intake.Submission{ID: id, DeskSlug: intake.DefaultDeskSlug, ReceivedDay: now.AddDate(0, -3, 0).Format(time.DateOnly), EncryptedBy: "server",
		LookupKey: sha256.Sum256([]byte(id)), ReplySalt: make([]byte, 16)}
	entry, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) })
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", CaseNumber: "1:26-cv-04321",
		Title: "SEC v. Example Chips Ltd.", NoticeDay: now.AddDate(0, 0, -10).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetSanction(ctx, carla, a.ID, awards.Penalty, "3000000"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordCollection(ctx, carla, a.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1250000", ReceivedDay: now.Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateClaim(ctx, carla, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A", LegalName: "王小明", ShowLegalName: true})
	if err != nil {
		t.Fatal(err)
	}
	// An admin attaches a submission by id; counsel attach it with the source's signed receipt.
	if _, err := svc.SetSubmissions(ctx, casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}, c.ID, []string{id}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, carla, c.ID, []string{a.ID}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out := filepath.Join(t.TempDir(), "report.pdf")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		says string
	}{
		{"no claim", env, []string{"--out", out}, 2, "want " + reportSynopsis},
		{"unknown claim", env, []string{"--claim", "no-such-claim", "--out", out}, 1, "Claim not found."},
		{"fee above 100 %", env, []string{"--claim", c.ID, "--out", out, "--fee", "120"}, 2, "--fee: The fee is a percentage from 0 to 100"},
		{"fee not a number", env, []string{"--claim", c.ID, "--out", out, "--fee", "a third"}, 2, "--fee:"},
		{"TIPLINE_CHROMIUM is used", map[string]string{"TIPLINE_DATA_DIR": dataDir, "TIPLINE_PEPPER": env["TIPLINE_PEPPER"], "TIPLINE_CHROMIUM": "/nonexistent/chromium"},
			[]string{"--claim", c.ID, "--out", out}, 1, "/nonexistent/chromium"},
		{"TIPLINE_CHROMIUM_URL is used before TIPLINE_CHROMIUM", map[string]string{"TIPLINE_DATA_DIR": dataDir, "TIPLINE_PEPPER": env["TIPLINE_PEPPER"], "TIPLINE_CHROMIUM": chromium, "TIPLINE_CHROMIUM_URL": "ws://127.0.0.1:1"},
			[]string{"--claim", c.ID, "--out", out}, 1, "ws://127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runTipline(t, tc.env, append([]string{"awards", "report"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.says) {
				t.Errorf("exit %d, want %d; stderr %q, want %q in it", code, tc.code, stderr, tc.says)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a failed report left a file")
			}
		})
	}

	stdout, stderr, code := runTipline(t, env, "awards", "report", "--claim", c.ID, "--out", out, "--fee", "40")
	if code != 0 {
		t.Fatalf("awards report: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, out) {
		t.Errorf("stdout %q does not name the file", stdout)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("report file: %v, %v", fi, err)
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", out, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	flat := strings.Join(strings.Fields(string(text)), "")
	for _, want := range []string{"王小明", "$3,000,000.00", "$1,250,000.00", "$125,000.00to$375,000.00", "40%oftheawardaspaid", "$75,000.00to$225,000.00", hex.EncodeToString(entry.EntryHash[:])[:16], "SECv.ExampleChipsLtd."} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF does not show %q:\n%.2000s", want, text)
		}
	}

	// The export is in the audit log, by the command line, and the log
	// still verifies.
	db, err = database.Open(ctx, filepath.Join(dataDir, "tipline.db"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := store.New(db).AuditEntries(ctx, 0, 100)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range entries {
		audited = audited || (e.Record.Action == "claim.report_pdf" && e.Record.Target == "claim:"+c.ID && e.Record.Actor == 0)
	}
	if !audited {
		t.Error("the report is not in the audit log")
	}
	if stdout, _, code := runTipline(t, env, "audit", "verify"); code != 0 {
		t.Errorf("audit verify: exit %d, %q", code, stdout)
	}
}
