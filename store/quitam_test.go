package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/quitam"
	"github.com/tipline/tipline/store"
)

// quitamState dumps the tables the qui tam service writes, the deadlines
// and the audit log included.
func quitamState(tb testing.TB, db *database.DB) string {
	tb.Helper()
	var b strings.Builder
	for _, table := range []string{"qui_tam_matters", "qui_tam_extensions", "qui_tam_collections", "deadlines", "audit_log"} {
		rows, err := db.SQL().Query("SELECT * FROM " + table + " ORDER BY 1, 2")
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "%s %v\n", table, cols)
		for rows.Next() {
			vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
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

// quitamFixture is an FCA claim of counsel Carla's on a submission that an
// investigator's case holds.
type quitamFixture struct {
	db                      *database.DB
	svc                     *quitam.Service
	carla, other, ivy, root casework.Principal
	claimID, caseID, subID  string
	secClaimID, otherCaseID string
}

func newQuitamFixture(t *testing.T, d database.Dialect) quitamFixture {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t, d)
	s := store.New(db)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	f := quitamFixture{db: db, svc: &quitam.Service{Store: s, Now: clock}}
	for _, u := range []struct {
		p     *casework.Principal
		email string
		role  casework.Role
		desks []string
	}{
		{&f.carla, "carla@example.org", casework.RoleCounsel, nil},
		{&f.other, "otto@example.org", casework.RoleCounsel, nil},
		{&f.ivy, "ivy@example.org", casework.RoleInvestigator, []string{intake.DefaultDeskSlug}},
		{&f.root, "root@example.org", casework.RoleAdmin, nil},
	} {
		created, err := s.CreateUser(ctx, casework.User{Email: u.email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: u.desks},
			casework.AuditRecord{At: now, Action: casework.ActionUserAdd, Target: u.email})
		if err != nil {
			t.Fatal(err)
		}
		*u.p = casework.Principal{UserID: created.ID, Email: u.email, Role: u.role, Desks: u.desks}
	}
	var subs []string
	for range 2 {
		sub := submission(intake.DefaultDeskSlug)
		if _, err := s.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }); err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub.ID)
	}
	f.subID = subs[0]
	cases := &casework.Cases{Store: s, Now: clock}
	kase, err := cases.Create(ctx, f.ivy, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Invoices", Submissions: []string{subs[0]}})
	if err != nil {
		t.Fatal(err)
	}
	otherCase, err := cases.Create(ctx, f.ivy, casework.NewCase{Desk: intake.DefaultDeskSlug, Title: "Another", Submissions: []string{subs[1]}})
	if err != nil {
		t.Fatal(err)
	}
	f.caseID, f.otherCaseID = kase.ID, otherCase.ID
	cl := &claims.Service{Store: s, Pepper: crypto.NewPepper(), Now: clock}
	admin := casework.Principal{UserID: f.carla.UserID, Email: f.carla.Email, Role: casework.RoleAdmin}
	for _, program := range []string{"fca", "sec"} {
		c, err := cl.CreateClaim(ctx, f.carla, claims.ClaimFields{Program: program, ClaimantKind: claims.Relator, Pseudonym: "Relator A"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.SetSubmissions(ctx, admin, c.ID, []string{subs[0]}); err != nil {
			t.Fatal(err)
		}
		if program == "fca" {
			f.claimID = c.ID
		} else {
			f.secClaimID = c.ID
		}
	}
	return f
}

// TestQuiTamService tracks a matter from filing to collection on both
// dialects: each change writes the deadlines of the casework deadline
// table on the case's submission, and who may see the matter is checked.
func TestQuiTamService(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f := newQuitamFixture(t, d)
			svc := f.svc

			// Who may open a matter on which claim and case.
			for _, tc := range []struct {
				name    string
				p       casework.Principal
				n       quitam.NewMatter
				wantErr tipline.Code
			}{
				{"investigator", f.ivy, quitam.NewMatter{ClaimID: f.claimID, CaseID: f.caseID, Caption: "x"}, tipline.Forbidden},
				{"counsel of another claim", f.other, quitam.NewMatter{ClaimID: f.claimID, CaseID: f.caseID, Caption: "x"}, tipline.NotFound},
				{"not an FCA claim", f.carla, quitam.NewMatter{ClaimID: f.secClaimID, CaseID: f.caseID, Caption: "x"}, tipline.Invalid},
				{"a case without the claim's submission", f.carla, quitam.NewMatter{ClaimID: f.claimID, CaseID: f.otherCaseID, Caption: "x"}, tipline.Invalid},
				{"no such case", f.carla, quitam.NewMatter{ClaimID: f.claimID, CaseID: "nosuchcase", Caption: "x"}, tipline.Invalid},
				{"no caption", f.carla, quitam.NewMatter{ClaimID: f.claimID, CaseID: f.caseID}, tipline.Invalid},
			} {
				if _, err := svc.Create(ctx, tc.p, tc.n); tipline.ErrorCode(err) != tc.wantErr {
					t.Errorf("%s: %v, want %s", tc.name, err, tc.wantErr)
				}
			}
			openings, err := svc.Openings(ctx, f.carla)
			if err != nil || len(openings) != 1 || openings[0].ClaimID != f.claimID || openings[0].CaseID != f.caseID {
				t.Errorf("Carla's openings %+v, %v", openings, err)
			}
			if others, err := svc.Openings(ctx, f.other); err != nil || len(others) != 0 {
				t.Errorf("another counsel's openings %+v, %v", others, err)
			}

			m, err := svc.Create(ctx, f.carla, quitam.NewMatter{ClaimID: f.claimID, CaseID: f.caseID, Caption: "United States ex rel. Relator A v. Example"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Get(ctx, f.other, m.ID); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("another counsel reads the matter: %v", err)
			}
			if _, err := svc.Get(ctx, f.root, m.ID); err != nil {
				t.Errorf("an admin cannot read the matter: %v", err)
			}
			if list, err := svc.List(ctx, f.other); err != nil || len(list) != 0 {
				t.Errorf("another counsel lists %d matters, %v", len(list), err)
			}

			facts := quitam.Facts{Caption: m.Caption, FiledDay: "2026-01-05", ViolationDay: "2021-03-01", KnowledgeDay: "2025-02-01", RetaliationDay: "2025-11-10"}
			if _, err := svc.SetFacts(ctx, f.carla, m.ID, facts); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				name string
				do   func() error
			}{
				{"extension", func() error {
					_, err := svc.AddExtension(ctx, f.carla, m.ID, quitam.Extension{GrantedDay: "2026-03-02", NewDay: "2026-09-02"})
					return err
				}},
				{"election", func() error { _, err := svc.Decide(ctx, f.carla, m.ID, quitam.Intervened, "2026-08-20"); return err }},
				{"collection", func() error {
					_, err := svc.AddCollection(ctx, f.carla, m.ID, quitam.NewCollection{ReceivedDay: "2026-11-30", Federal: "2,000,000", State: "300000"})
					return err
				}},
			}
			for _, st := range steps {
				if err := st.do(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
			}
			got, err := svc.Get(ctx, f.carla, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.FederalCollected() != 2_000_000_00 || got.StateCollected() != 300_000_00 || got.Intervention != quitam.Intervened {
				t.Errorf("matter after the steps: %+v", got)
			}
			if sh := got.Shares(); len(sh) != 1 || sh[0].Min != 300_000_00 || sh[0].Max != 500_000_00 {
				t.Errorf("shares %+v, want 15–25 %% of $2M", sh)
			}

			// The deadline table holds the matter's deadlines on the case's
			// submission, and on no other.
			var rows []struct {
				SubmissionID, Kind, DueDay string
				MetDay                     *string
			}
			if err := f.db.Raw("SELECT submission_id, kind, due_day, met_day FROM deadlines WHERE kind LIKE 'qui_tam:%' ORDER BY due_day, kind").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			var table []string
			for _, r := range rows {
				met := ""
				if r.MetDay != nil {
					met = (*r.MetDay)[:10]
				}
				table = append(table, r.SubmissionID+" "+r.Kind+" "+r.DueDay[:10]+" "+met)
			}
			want := []string{
				f.subID + " " + string(casework.QuiTamDeadline(m.ID, quitam.RuleSeal)) + " 2026-03-06 2026-03-02",
				f.subID + " " + string(casework.QuiTamDeadline(m.ID, quitam.ExtensionRule(1))) + " 2026-09-02 2026-08-20",
				f.subID + " " + string(casework.QuiTamDeadline(m.ID, quitam.RuleLimitations)) + " 2028-02-01 2026-01-05",
				f.subID + " " + string(casework.QuiTamDeadline(m.ID, quitam.RuleRetaliation)) + " 2028-11-10 ",
			}
			if !slices.Equal(table, want) {
				t.Errorf("deadline table:\n got %q\nwant %q", table, want)
			}

			// Refusals that name their reason.
			for _, tc := range []struct {
				name string
				do   func() error
			}{
				{"extension after the election", func() error {
					_, err := svc.AddExtension(ctx, f.carla, m.ID, quitam.Extension{GrantedDay: "2026-09-01", NewDay: "2027-01-01"})
					return err
				}},
				{"collection in the future", func() error {
					_, err := svc.AddCollection(ctx, f.carla, m.ID, quitam.NewCollection{ReceivedDay: "2027-01-01", Federal: "1"})
					return err
				}},
				{"collection of nothing", func() error {
					_, err := svc.AddCollection(ctx, f.carla, m.ID, quitam.NewCollection{ReceivedDay: "2026-11-30"})
					return err
				}},
				{"negative collection", func() error {
					_, err := svc.AddCollection(ctx, f.carla, m.ID, quitam.NewCollection{ReceivedDay: "2026-11-30", Federal: "-5"})
					return err
				}},
				{"election before filing", func() error { _, err := svc.Decide(ctx, f.carla, m.ID, quitam.Declined, "2025-12-31"); return err }},
				{"original source without disclosure", func() error {
					g := facts
					g.OriginalSource = true
					_, err := svc.SetFacts(ctx, f.carla, m.ID, g)
					return err
				}},
				{"knowledge before the violation", func() error {
					g := facts
					g.KnowledgeDay = "2020-01-01"
					_, err := svc.SetFacts(ctx, f.carla, m.ID, g)
					return err
				}},
			} {
				if err := tc.do(); tipline.ErrorCode(err) != tipline.Invalid {
					t.Errorf("%s: %v, want Invalid", tc.name, err)
				}
			}
		})
	}
}

// TestQuiTamAuditRollsBack makes the audit log refuse to write: every
// change of the qui tam service fails and leaves no trace, deadlines
// included, and every audited view hands nothing out.
func TestQuiTamAuditRollsBack(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			f := newQuitamFixture(t, d)
			svc := f.svc
			m, err := svc.Create(ctx, f.carla, quitam.NewMatter{ClaimID: f.claimID, CaseID: f.caseID, Caption: "United States ex rel. Relator A v. Example"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetFacts(ctx, f.carla, m.ID, quitam.Facts{Caption: m.Caption, FiledDay: "2026-01-05", ViolationDay: "2021-03-01"}); err != nil {
				t.Fatal(err)
			}
			before := quitamState(t, f.db)
			allow := refuseAudit(t, f.db)
			for _, tc := range []struct {
				name string
				do   func() error
			}{
				{"Create", func() error {
					_, err := svc.Create(ctx, f.carla, quitam.NewMatter{ClaimID: f.claimID, CaseID: f.caseID, Caption: "Another"})
					return err
				}},
				{"SetFacts", func() error {
					_, err := svc.SetFacts(ctx, f.carla, m.ID, quitam.Facts{Caption: m.Caption, FiledDay: "2026-01-06", RetaliationDay: "2025-10-01"})
					return err
				}},
				{"AddExtension", func() error {
					_, err := svc.AddExtension(ctx, f.carla, m.ID, quitam.Extension{GrantedDay: "2026-03-01", NewDay: "2026-07-01"})
					return err
				}},
				{"Decide", func() error { _, err := svc.Decide(ctx, f.carla, m.ID, quitam.Declined, "2026-03-01"); return err }},
				{"AddCollection", func() error {
					_, err := svc.AddCollection(ctx, f.carla, m.ID, quitam.NewCollection{ReceivedDay: "2026-11-30", Federal: "100"})
					return err
				}},
				{"Get", func() error { _, err := svc.Get(ctx, f.carla, m.ID); return err }},
				{"List", func() error { _, err := svc.List(ctx, f.carla); return err }},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if err := tc.do(); err == nil {
						t.Fatal("succeeded without its audit entry")
					}
					if after := quitamState(t, f.db); after != before {
						t.Errorf("a change whose audit entry failed left a trace:\nbefore\n%s\nafter\n%s", before, after)
					}
				})
			}
			allow()
			if _, err := svc.Decide(ctx, f.carla, m.ID, quitam.Declined, "2026-03-01"); err != nil {
				t.Fatal(err)
			}
			var actions []string
			if err := f.db.Raw("SELECT action FROM audit_log WHERE target = ? ORDER BY seq", "quitam:"+m.ID).Scan(&actions).Error; err != nil {
				t.Fatal(err)
			}
			want := []string{string(quitam.AuditCreate), string(quitam.AuditFacts), string(quitam.AuditIntervention)}
			if !slices.Equal(actions, want) {
				t.Errorf("audit entries %v, want %v", actions, want)
			}
		})
	}
}
