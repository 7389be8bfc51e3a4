package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// claimsState dumps every table the claims service writes, the audit log
// included, so that a test sees any change.
func claimsState(tb testing.TB, db *database.DB) string {
	tb.Helper()
	var b strings.Builder
	for _, table := range []string{"enforcement_actions", "action_defendants", "action_sanctions", "collections", "claims", "claim_counsel",
		"claim_submissions", "claim_actions", "claim_checklist", "claim_claimants", "claim_estimates", "deadlines", "audit_log"} {
		rows, err := db.SQL().Query("SELECT * FROM " + table + " ORDER BY 1, 2")
		if err != nil {
			tb.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %v\n", table, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(&b, "  %v\n", vals)
		}
		if err := rows.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return b.String()
}

// printed is a claims.Printer that prints nothing much.
type printed string

func (p printed) Print(context.Context, claims.Report) ([]byte, error) { return []byte(p), nil }

// TestClaimsAuditRollsBack makes the audit log refuse to write, on both
// dialects: every change of the claims service fails and leaves no trace
// (its audit entry is written in the change's transaction), and every
// audited view fails and hands nothing out. With the log writable again,
// the entries name what changed.
func TestClaimsAuditRollsBack(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
			// Each change happens a second after the last, so that a
			// change that stayed would show in its updated_at.
			clock := func() time.Time { now = now.Add(time.Second); return now }
			svc := &claims.Service{Store: s, Pepper: crypto.NewPepper(), Now: clock}
			principal := map[casework.Role]casework.Principal{}
			for _, u := range []struct {
				email string
				role  casework.Role
				desks []string
			}{
				{"carla@example.org", casework.RoleCounsel, nil},
				{"ivy@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug}},
			} {
				created, err := s.CreateUser(ctx, casework.User{Email: u.email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}},
					casework.AuditRecord{At: now, Action: casework.ActionUserAdd, Target: u.email})
				if err != nil {
					t.Fatal(err)
				}
				principal[u.role] = casework.Principal{UserID: created.ID, Email: u.email, Role: u.role, Desks: u.desks}
			}
			carla, ivy := principal[casework.RoleCounsel], principal[casework.RoleInvestigator]
			sub := submission(intake.DefaultDeskSlug)
			if _, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }); err != nil {
				t.Fatal(err)
			}
			a, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. Example Chips Ltd.",
				NoticeDay: "2026-10-01"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetSanction(ctx, carla, a.ID, awards.Penalty, "3000000"); err != nil {
				t.Fatal(err)
			}
			col, err := svc.RecordCollection(ctx, carla, a.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1250000", ReceivedDay: "2026-11-02"})
			if err != nil {
				t.Fatal(err)
			}
			c, err := svc.CreateClaim(ctx, carla, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source A"})
			if err != nil {
				t.Fatal(err)
			}
			// An admin attaches a submission by id; counsel attach it with the source's signed receipt.
			if _, err := svc.SetSubmissions(ctx, casework.Principal{UserID: carla.UserID, Email: carla.Email, Role: casework.RoleAdmin}, c.ID, []string{sub.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetActions(ctx, carla, c.ID, []string{a.ID}); err != nil {
				t.Fatal(err)
			}
			before := claimsState(t, db)
			if !strings.Contains(before, string(claims.DeadlineKind("sec", "sec-wb-app"))) {
				t.Fatalf("no award-claim deadline to meet:\n%s", before)
			}

			allow := refuseAudit(t, db)
			changes := []struct {
				name   string
				change func() error
			}{
				{"CreateAction", func() error {
					_, err := svc.CreateAction(ctx, carla, claims.ActionFields{Relation: claims.Covered, Agency: "CFTC", Title: "CFTC v. Example"})
					return err
				}},
				{"UpdateAction", func() error {
					_, err := svc.UpdateAction(ctx, carla, a.ID, claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "Renamed"})
					return err
				}},
				{"LinkCase", func() error { _, err := svc.LinkCase(ctx, ivy, a.ID, ""); return err }},
				{"SetSanction", func() error { _, err := svc.SetSanction(ctx, carla, a.ID, awards.Disgorgement, "500000"); return err }},
				{"RecordCollection", func() error {
					_, err := svc.RecordCollection(ctx, carla, a.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1", ReceivedDay: "2026-11-03"})
					return err
				}},
				{"ReverseCollection", func() error { _, err := svc.ReverseCollection(ctx, carla, col.ID, "bounced"); return err }},
				{"ReverseActionCollection", func() error { _, err := svc.ReverseActionCollection(ctx, carla, a.ID, col.ID, "bounced"); return err }},
				{"CreateClaim", func() error {
					_, err := svc.CreateClaim(ctx, carla, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Source, Pseudonym: "Source B", LegalName: "王小明"})
					return err
				}},
				{"UpdateClaim", func() error {
					_, err := svc.UpdateClaim(ctx, carla, c.ID, claims.ClaimFields{Program: "sec", ClaimantKind: claims.Relator, Pseudonym: "Renamed",
						Counsel: []string{carla.Email}})
					return err
				}},
				{"SetStatus", func() error { _, err := svc.SetStatus(ctx, carla, c.ID, claims.Filed); return err }},
				{"SetSubmissions", func() error { _, err := svc.SetSubmissions(ctx, carla, c.ID, nil); return err }},
				{"SetActions", func() error { _, err := svc.SetActions(ctx, carla, c.ID, nil); return err }},
				{"SetChecklistItem", func() error {
					_, err := svc.SetChecklistItem(ctx, carla, c.ID, "voluntary", claims.Yes, "TCR before any request")
					return err
				}},
				{"SetSplits", func() error {
					_, err := svc.SetSplits(ctx, carla, c.ID, []claims.Split{{Claimant: "A", ShareBP: 5000}, {Claimant: "B", ShareBP: 5000}})
					return err
				}},
			}
			for _, tc := range changes {
				t.Run(tc.name, func(t *testing.T) {
					if err := tc.change(); err == nil {
						t.Fatal("the change succeeded without its audit entry")
					}
					if after := claimsState(t, db); after != before {
						t.Errorf("a change whose audit entry failed left a trace:\nbefore\n%s\nafter\n%s", before, after)
					}
				})
			}

			views := []struct {
				name string
				view func() (any, error)
			}{
				{"ListClaims", func() (any, error) { return svc.ListClaims(ctx, carla, "") }},
				{"GetClaim", func() (any, error) { return svc.GetClaim(ctx, carla, c.ID) }},
				{"ViewClaim", func() (any, error) { return svc.ViewClaim(ctx, carla, c.ID) }},
				{"Estimate", func() (any, error) {
					v, history, err := svc.Estimate(ctx, carla, c.ID)
					if history != nil {
						return history, err
					}
					return v, err
				}},
				{"Report", func() (any, error) { return svc.Report(ctx, carla, c.ID) }},
				{"ExportReport", func() (any, error) {
					doc, r, err := svc.ExportReport(ctx, carla, c.ID, printed("%PDF"))
					if doc != nil {
						return doc, err
					}
					return r, err
				}},
				{"Dashboard", func() (any, error) { return svc.Dashboard(ctx, carla) }},
				{"ListActions", func() (any, error) { return svc.ListActions(ctx, carla) }},
				{"GetAction", func() (any, error) { return svc.GetAction(ctx, carla, a.ID) }},
				{"ViewAction", func() (any, error) { return svc.ViewAction(ctx, carla, a.ID) }},
			}
			for _, tc := range views {
				t.Run(tc.name, func(t *testing.T) {
					got, err := tc.view()
					if err == nil {
						t.Fatal("the view succeeded without its audit entry")
					}
					if !reflect.ValueOf(got).IsZero() {
						t.Errorf("a view whose audit entry failed handed out %+v", got)
					}
				})
			}
			// What is not audited still works: a claim's page shown again
			// with a refused form.
			if v, err := svc.ViewClaimAgain(ctx, carla, c.ID); err != nil || v.Claim.ID != c.ID {
				t.Errorf("ViewClaimAgain = %v, %v", v.Claim.ID, err)
			}
			if after := claimsState(t, db); after != before {
				t.Errorf("the views left a trace:\nbefore\n%s\nafter\n%s", before, after)
			}

			// Writable again: each change and view is in the log, named
			// by id.
			allow()
			rec, err := svc.RecordCollection(ctx, carla, a.ID, claims.NewCollection{Kind: awards.Penalty, Amount: "1", ReceivedDay: "2026-11-03"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ReverseActionCollection(ctx, carla, a.ID, rec.ID, "entered by mistake"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetStatus(ctx, carla, c.ID, claims.Filed); err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.ExportReport(ctx, casework.Principal{Role: casework.RoleAdmin}, c.ID, printed("%PDF")); err != nil {
				t.Fatal(err)
			}
			entries, err := s.AuditEntries(ctx, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries[len(entries)-4:] {
				got = append(got, fmt.Sprintf("%s %s %d %v", e.Record.Action, e.Record.Target, e.Record.Actor, e.Record.Detail))
			}
			want := []string{
				fmt.Sprintf("collection.record action:%s/collection:%d %d map[]", a.ID, rec.ID, carla.UserID),
				fmt.Sprintf("collection.reverse action:%s/collection:%d %d map[]", a.ID, rec.ID, carla.UserID),
				fmt.Sprintf("claim.status claim:%s %d map[]", c.ID, carla.UserID),
				fmt.Sprintf("claim.report_pdf claim:%s 0 map[via:command line]", c.ID),
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("audit log ends\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if _, broken, err := casework.VerifyAuditLog(ctx, s); err != nil {
				t.Errorf("audit log broken at %d: %v", broken, err)
			}
			var met int64
			db.Raw("SELECT count(*) FROM deadlines WHERE submission_id = ? AND kind = ? AND met_day IS NOT NULL",
				sub.ID, string(claims.DeadlineKind("sec", "sec-wb-app"))).Scan(&met)
			if met != 1 {
				t.Error("filing did not meet the application deadline")
			}
		})
	}
}
