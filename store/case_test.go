package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestCases: create, list, link and notes on both dialects, and the rule
// that a case holds only submissions of its own desk.
func TestCases(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			if _, err := s.CreateDesk(ctx, intake.Desk{Slug: "sec-fraud", TitleEN: "Securities"}); err != nil {
				t.Fatal(err)
			}
			users := map[string]int64{}
			for _, u := range []struct {
				email string
				role  casework.Role
				desk  string
			}{
				{"ana@example.org", casework.RoleInvestigator, intake.DefaultDeskSlug},
				{"ben@example.org", casework.RoleInvestigator, intake.DefaultDeskSlug},
				{"sec@example.org", casework.RoleInvestigator, "sec-fraud"},
				{"root@example.org", casework.RoleAdmin, intake.DefaultDeskSlug},
			} {
				created, err := s.CreateUser(ctx, casework.User{Email: u.email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: []string{u.desk}},
					casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd, Target: u.email})
				if err != nil {
					t.Fatal(err)
				}
				users[u.email] = created.ID
			}
			payload := func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }
			var subs []string
			for _, desk := range []string{intake.DefaultDeskSlug, intake.DefaultDeskSlug, "sec-fraud"} {
				sub := submission(desk)
				if _, err := s.Commit(ctx, sub, payload); err != nil {
					t.Fatal(err)
				}
				subs = append(subs, sub.ID)
			}
			at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

			first := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "H20 boards via Singapore",
				Lead: "ana@example.org", Submissions: []string{subs[0]}}
			if err := s.CreateCase(ctx, first, at, testAudit(casework.ActionCaseCreate)); err != nil {
				t.Fatal(err)
			}
			second := casework.NewCase{ID: blob.NewKey(""), Desk: "sec-fraud", Title: "Backdated options", Lead: "sec@example.org"}
			if err := s.CreateCase(ctx, second, at.Add(time.Hour), testAudit(casework.ActionCaseCreate)); err != nil {
				t.Fatal(err)
			}

			// The desk constraint and the lead rule.
			for name, c := range map[string]casework.NewCase{
				"other desk's submission": {Desk: intake.DefaultDeskSlug, Title: "x", Lead: "ana@example.org", Submissions: []string{subs[2]}},
				"unknown submission":      {Desk: intake.DefaultDeskSlug, Title: "x", Lead: "ana@example.org", Submissions: []string{blob.NewKey("")}},
				"unknown desk":            {Desk: "nope", Title: "x", Lead: "ana@example.org"},
			} {
				c.ID = blob.NewKey("")
				if err := s.CreateCase(ctx, c, at, testAudit(casework.ActionCaseCreate)); tipline.ErrorCode(err) != tipline.NotFound {
					t.Errorf("%s: %v, want NotFound", name, err)
				}
			}
			for name, lead := range map[string]string{"another desk's investigator": "sec@example.org", "an admin": "root@example.org", "nobody": "x@example.org"} {
				c := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "x", Lead: lead}
				if err := s.CreateCase(ctx, c, at, testAudit(casework.ActionCaseCreate)); tipline.ErrorCode(err) != tipline.Invalid {
					t.Errorf("lead %s: %v, want Invalid", name, err)
				}
			}
			if err := s.LinkSubmission(ctx, first.ID, subs[2], at, testAudit(casework.ActionCaseLink)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("linking another desk's submission: %v, want NotFound", err)
			}
			if err := s.LinkSubmission(ctx, blob.NewKey(""), subs[1], at, testAudit(casework.ActionCaseLink)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("linking to no case: %v, want NotFound", err)
			}

			// Linking twice is no error; a submission may be in two cases.
			for range 2 {
				if err := s.LinkSubmission(ctx, first.ID, subs[1], at.Add(2*time.Hour), testAudit(casework.ActionCaseLink)); err != nil {
					t.Fatal(err)
				}
			}
			third := casework.NewCase{ID: blob.NewKey(""), Desk: intake.DefaultDeskSlug, Title: "Same boards, other buyer",
				Lead: "ben@example.org", Submissions: []string{subs[0]}}
			if err := s.CreateCase(ctx, third, at.Add(3*time.Hour), testAudit(casework.ActionCaseCreate)); err != nil {
				t.Fatal(err)
			}

			note, err := s.AddNote(ctx, first.ID, users["ana@example.org"], "Called the freight forwarder.", at.Add(4*time.Hour), testAudit(casework.ActionCaseNote))
			if err != nil {
				t.Fatal(err)
			}
			if note.ID == 0 || note.Author != "ana@example.org" || !note.At.Equal(at.Add(4*time.Hour)) {
				t.Errorf("note = %+v", note)
			}
			if _, err := s.AddNote(ctx, blob.NewKey(""), users["ana@example.org"], "x", at, testAudit(casework.ActionCaseNote)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("note on no case: %v, want NotFound", err)
			}

			closed, lead := casework.CaseClosed, "ben@example.org"
			if err := s.UpdateCase(ctx, first.ID, casework.CaseChange{Status: &closed, Lead: &lead}, at.Add(5*time.Hour), testAudit(casework.ActionCaseUpdate)); err != nil {
				t.Fatal(err)
			}
			other := "sec@example.org"
			if err := s.UpdateCase(ctx, first.ID, casework.CaseChange{Lead: &other}, at, testAudit(casework.ActionCaseUpdate)); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("lead from another desk: %v, want Invalid", err)
			}

			got, err := s.CaseDetail(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			// In the order of their tip numbers: subs[0] was committed first.
			wantSubs := []string{subs[0], subs[1]}
			wantNumbers := map[string]int{subs[0]: 1, subs[1]: 2}
			if got.Desk != intake.DefaultDeskSlug || got.Title != first.Title || got.Lead != "ben@example.org" || got.Status != closed ||
				!got.CreatedAt.Equal(at) || !got.UpdatedAt.Equal(at.Add(5*time.Hour)) ||
				fmt.Sprint(got.Submissions) != fmt.Sprint(wantSubs) || fmt.Sprint(got.Numbers) != fmt.Sprint(wantNumbers) ||
				len(got.Notes) != 1 || got.Notes[0] != note {
				t.Errorf("case = %+v", got)
			}
			if _, err := s.CaseDetail(ctx, blob.NewKey("")); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("no case: %v, want NotFound", err)
			}

			list := func(q casework.CaseQuery) []string {
				t.Helper()
				q.Limit = 200
				items, err := s.ListCases(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, it := range items {
					ids = append(ids, it.ID)
				}
				return ids
			}
			if got := fmt.Sprint(list(casework.CaseQuery{})); got != fmt.Sprint([]string{third.ID, second.ID, first.ID}) {
				t.Errorf("all cases, newest first = %s", got)
			}
			if got := list(casework.CaseQuery{Desks: []string{intake.DefaultDeskSlug}}); len(got) != 2 {
				t.Errorf("one desk's cases = %v", got)
			}
			if got := list(casework.CaseQuery{Desks: []string{}}); len(got) != 0 {
				t.Errorf("no desks must see no cases, saw %v", got)
			}
			if got := list(casework.CaseQuery{Desk: "sec-fraud"}); len(got) != 1 || got[0] != second.ID {
				t.Errorf("desk filter = %v", got)
			}
			if got := list(casework.CaseQuery{Status: casework.CaseClosed}); len(got) != 1 || got[0] != first.ID {
				t.Errorf("status filter = %v", got)
			}
		})
	}
}

// testAudit is an audit record of the command line for a store test.
func testAudit(action casework.AuditAction) casework.AuditRecord {
	return casework.AuditRecord{At: time.Now(), Action: action, Target: "test"}
}
