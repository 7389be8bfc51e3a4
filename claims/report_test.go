package claims_test

import (
	"context"
	"crypto/sha256"
	"fmt"
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
	"github.com/tipline/tipline/store"
)

// TestReport assembles a claim's award report and the dashboard as data:
// the timeline runs on to today, the deadline follows the notice, the
// charts hold series and values, and each view is in the audit log. Package
// server draws them (see its TestReportPDF).
func TestReport(t *testing.T) {
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
	// An admin attaches a submission by id; counsel attach it with the source's signed receipt.
	if _, err := svc.SetSubmissions(ctx, casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}, c.ID, []string{id}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetActions(ctx, carla, c.ID, []string{a.ID}); err != nil {
		t.Fatal(err)
	}

	r, err := svc.Report(ctx, carla, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Claimant != "王小明" || r.Program.ID != "sec" || len(r.Actions) != 1 || !r.Generated.Equal(now) {
		t.Errorf("report = %s, %s, %d actions, generated %v", r.Claimant, r.Program.ID, len(r.Actions), r.Generated)
	}
	want := []claims.Point{{Day: "2026-11-02", Collected: 125000000, Min: 12500000, Max: 37500000}, {Day: "2026-11-30", Collected: 125000000, Min: 12500000, Max: 37500000}}
	if fmt.Sprint(r.Timeline) != fmt.Sprint(want) {
		t.Errorf("timeline = %+v, want %+v (the last state carried on to today)", r.Timeline, want)
	}
	if len(r.Verdict.Deadlines) != 1 || r.Verdict.Deadlines[0] != (casework.Deadline{Kind: claims.DeadlineKind("sec", "sec-wb-app"), DueDay: "2026-12-30"}) {
		t.Errorf("deadlines = %+v", r.Verdict.Deadlines)
	}
	if program, rule, ok := r.Verdict.Deadlines[0].Kind.AwardClaim(); !ok || program != "sec" || rule != "sec-wb-app" {
		t.Errorf("the deadline's kind reads as %q, %q, %v", program, rule, ok)
	}

	d, err := svc.Dashboard(ctx, carla)
	if err != nil {
		t.Fatal(err)
	}
	money := claims.BarChart{Title: "Sanctions ordered and collected per program", Groups: []claims.BarGroup{{Label: r.Program.Name, Bars: []claims.Bar{
		{Label: "ordered", Series: claims.SeriesOrdered, Value: 300000000}, {Label: "collected", Series: claims.SeriesCollected, Value: 125000000}}}}}
	if fmt.Sprint(d.MoneyBars) != fmt.Sprint(money) {
		t.Errorf("money chart = %+v, want %+v", d.MoneyBars, money)
	}
	status := claims.BarChart{Title: "Claims by status", Count: true, Groups: []claims.BarGroup{{Label: "Claims", Bars: []claims.Bar{
		{Label: "draft", Series: claims.SeriesClaims, Value: 1}}}}}
	if fmt.Sprint(d.StatusBars) != fmt.Sprint(status) {
		t.Errorf("status chart = %+v, want %+v", d.StatusBars, status)
	}
	if len(d.AwardBars.Groups) != 1 || d.AwardBars.Groups[0].Bars[0].Value != 37500000 || d.AwardBars.Groups[0].Bars[1].Value != 90000000 {
		t.Errorf("award chart = %+v", d.AwardBars)
	}

	entries, err := s.AuditEntries(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for _, e := range entries {
		log = append(log, string(e.Record.Action)+" "+e.Record.Target)
	}
	for _, want := range []string{"claim.report claim:" + c.ID, "awards.dashboard claims"} {
		if !strings.Contains(strings.Join(log, "\n"), want) {
			t.Errorf("no %q in the audit log:\n%s", want, strings.Join(log, "\n"))
		}
	}
}
