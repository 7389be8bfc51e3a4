package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestClaims drives actions, the ledger and a claim through the claims
// service on both dialects: the append-only ledger with a reversal, the
// estimate recomputed on each collection with the ledger version, the
// deadline in the casework deadline engine, and who sees what.
func TestClaims(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			svc := &claims.Service{Store: s, Pepper: crypto.NewPepper(), Now: func() time.Time { return now }}
			principal := map[string]casework.Principal{}
			for _, u := range []struct {
				email string
				role  casework.Role
				desks []string
			}{
				{"carla@example.org", casework.RoleCounsel, nil},
				{"dan@example.org", casework.RoleCounsel, nil},
				{"ivy@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug}},
				{"otto@example.org", casework.RoleInvestigator, []string{"other"}},
				{"root@example.org", casework.RoleAdmin, nil},
				{"audrey@example.org", casework.RoleAuditor, nil},
			} {
				created, err := s.CreateUser(ctx, casework.User{Email: u.email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}},
					casework.AuditRecord{At: now, Action: casework.ActionUserAdd, Target: u.email})
				if err != nil {
					t.Fatal(err)
				}
				principal[u.email] = casework.Principal{UserID: created.ID, Email: u.email, Role: u.role, Desks: u.desks}
			}
			carla, dan, ivy, otto := principal["carla@example.org"], principal["dan@example.org"], principal["ivy@example.org"], principal["otto@example.org"]
			sub := submission(intake.DefaultDeskSlug)
			entry, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) })
			if err != nil {
				t.Fatal(err)
			}

			// A covered SEC action and a related DOJ action.
			sec, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Forum: "S.D.N.Y.",
				CaseNumber: "1:26-cv-01234", Title: "SEC v. Example Chips Ltd.", Defendants: []claims.Defendant{{Name: "Example Chips Ltd."}, {Name: "深圳示例科技有限公司"}},
				FiledDay: "2026-03-02", FinalOrderDay: "2026-09-01", NoticeDay: "2026-10-01"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Related, CoveredID: sec.ID, Agency: "DOJ", Title: "U.S. v. Example"}); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("related action without a basis = %v, want Invalid", err)
			}
			doj, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Related, CoveredID: sec.ID, Basis: "Same original information, same scheme",
				Agency: "DOJ", Title: "U.S. v. Example Chips Ltd."})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Related, CoveredID: doj.ID, Basis: "x", Agency: "DOJ", Title: "Nested"}); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("grouping under a related action = %v, want Invalid", err)
			}
			if _, err := svc.SetSanction(ctx, carla, sec.ID, awards.Penalty, "4,000,000.00"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetSanction(ctx, carla, sec.ID, awards.Disgorgement, "2000000"); err != nil {
				t.Fatal(err)
			}

			// A claim on the submission: nothing collected yet.
			c, err := svc.CreateClaim(ctx, carla, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A",
				LegalName: "王小明", ShowLegalName: true})
			if err != nil {
				t.Fatal(err)
			}
			if c.Claimant() != "王小明" || len(c.Counsel) != 1 || c.Counsel[0] != carla.Email {
				t.Errorf("claim = %+v", c)
			}
			var sealed []byte
			db.Raw("SELECT legal_name_sealed FROM claims WHERE id = ?", c.ID).Scan(&sealed)
			if len(sealed) == 0 || strings.Contains(string(sealed), "王小明") {
				t.Error("the legal name is not sealed at rest")
			}
			// An admin attaches a submission by id; counsel attach it with the source's signed receipt.
			if _, err := svc.SetSubmissions(ctx, casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}, c.ID, []string{sub.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetActions(ctx, carla, c.ID, []string{sec.ID, doj.ID}); err != nil {
				t.Fatal(err)
			}
			v, history, err := svc.Estimate(ctx, carla, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Result.ThresholdMet || v.Result.Min != 0 || v.Result.Max != 0 || v.Result.Projected.Max != 180000000 {
				t.Errorf("zero collected: threshold met %v, range %v–%v, projected max %v; want met, 0–0, 1800000.00",
					v.Result.ThresholdMet, v.Result.Min, v.Result.Max, v.Result.Projected.Max)
			}
			first := len(history)

			// The application deadline is in the casework deadline engine.
			got, err := s.SubmissionDetail(ctx, sub.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantKind := claims.DeadlineKind("sec", "sec-wb-app")
			found := false
			for _, dl := range got.Deadlines {
				if dl.Kind == wantKind {
					found = dl.DueDay == "2026-12-30"
				}
			}
			if !found {
				t.Errorf("deadlines = %+v, want %s due 2026-12-30 (90 days after the notice)", got.Deadlines, wantKind)
			}

			// A collection arrives: the range follows it, and the estimate
			// is kept with the new ledger version.
			col, err := svc.RecordCollection(ctx, carla, sec.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1000000", ReceivedDay: "2026-11-02", DocumentRef: "Treasury receipt 17"})
			if err != nil {
				t.Fatal(err)
			}
			v, history, err = svc.Estimate(ctx, carla, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.Result.Min != 10000000 || v.Result.Max != 30000000 || v.LedgerVersion != col.ID {
				t.Errorf("after $1M collected: range %v–%v at ledger %d, want 100000.00–300000.00 at %d", v.Result.Min, v.Result.Max, v.LedgerVersion, col.ID)
			}
			if len(history) != first+1 || history[len(history)-1].LedgerVersion != col.ID || history[len(history)-1].Max != 30000000 {
				t.Errorf("history = %+v", history)
			}

			// The ledger is append-only: a correction reverses the entry.
			if err := db.Exec("UPDATE collections SET amount_cents = 1 WHERE id = ?", col.ID).Error; err == nil {
				t.Error("a ledger entry was updated")
			}
			if err := db.Exec("DELETE FROM collections WHERE id = ?", col.ID).Error; err == nil {
				t.Error("a ledger entry was deleted")
			}
			rev, err := svc.ReverseCollection(ctx, carla, col.ID, "Bounced")
			if err != nil {
				t.Fatal(err)
			}
			if rev.Amount != -100000000 || rev.Reverses != col.ID {
				t.Errorf("reversal = %+v", rev)
			}
			if _, err := svc.ReverseCollection(ctx, carla, col.ID, ""); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("second reversal = %v, want Conflict", err)
			}
			if v, _, _ = svc.Estimate(ctx, carla, c.ID); v.Result.Max != 0 {
				t.Errorf("after the reversal max = %v, want 0", v.Result.Max)
			}

			// Disqualified: the claimant was convicted.
			if _, err := svc.SetChecklistItem(ctx, carla, c.ID, "convicted", claims.Yes, "Plea in U.S. v. Doe"); err != nil {
				t.Fatal(err)
			}
			if v, _, _ = svc.Estimate(ctx, carla, c.ID); v.Eligible || v.Result.Eligible {
				t.Errorf("a convicted claimant is eligible: %+v", v.Result.Reasons)
			}
			if _, err := svc.SetChecklistItem(ctx, carla, c.ID, "convicted", claims.No, "No conviction"); err != nil {
				t.Fatal(err)
			}

			// Joint claimants' split.
			if _, err := svc.SetSplits(ctx, carla, c.ID, []claims.Split{{Claimant: "A", ShareBP: 6000}, {Claimant: "B", ShareBP: 3000}}); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("shares summing to 9000 = %v, want Invalid", err)
			}
			if c, err = svc.SetSplits(ctx, carla, c.ID, []claims.Split{{Claimant: "A", ShareBP: 6000}, {Claimant: "B", ShareBP: 4000}}); err != nil || len(c.Splits) != 2 {
				t.Fatalf("splits = %+v, %v", c.Splits, err)
			}

			// Who sees what.
			for _, tc := range []struct {
				who  casework.Principal
				want tipline.Code
			}{
				{carla, ""}, {principal["root@example.org"], ""}, {ivy, ""},
				{dan, tipline.NotFound}, {otto, tipline.NotFound}, {principal["audrey@example.org"], tipline.Forbidden},
			} {
				if _, err := svc.GetClaim(ctx, tc.who, c.ID); (err == nil) != (tc.want == "") || (err != nil && tipline.ErrorCode(err) != tc.want) {
					t.Errorf("%s reading the claim = %v, want %q", tc.who.Email, err, tc.want)
				}
			}
			if _, err := svc.SetStatus(ctx, ivy, c.ID, claims.Filed); tipline.ErrorCode(err) != tipline.Forbidden {
				t.Errorf("an investigator filing = %v, want Forbidden", err)
			}
			if list, _ := svc.ListClaims(ctx, dan, ""); len(list) != 0 {
				t.Errorf("another counsel lists %d claims", len(list))
			}
			if _, err := svc.GetAction(ctx, dan, sec.ID); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("another counsel reading the action = %v", err)
			}

			// Filing meets the application deadline; the status moves on.
			if _, err = svc.SetStatus(ctx, carla, c.ID, claims.Awarded); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("draft → awarded = %v, want Invalid", err)
			}
			if _, err = svc.SetStatus(ctx, carla, c.ID, claims.Filed); err != nil {
				t.Fatal(err)
			}
			got, _ = s.SubmissionDetail(ctx, sub.ID)
			for _, dl := range got.Deadlines {
				if dl.Kind == wantKind && dl.MetDay != "2026-11-30" {
					t.Errorf("after filing %s = %+v", wantKind, dl)
				}
			}
			if entry.Seq == 0 {
				t.Fatal("no log entry")
			}
			c, _ = svc.GetClaim(ctx, carla, c.ID)
			if len(c.Submissions) != 1 || c.Submissions[0].ReceivedDay != sub.ReceivedDay || len(c.Submissions[0].ReceiptHash) != 64 || c.Submissions[0].Seq != entry.Seq {
				t.Errorf("submissions = %+v", c.Submissions)
			}
		})
	}
}
