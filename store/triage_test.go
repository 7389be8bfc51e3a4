package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestTriageQueue: deadlines start at commit, filters and keyset pages
// select what they say, and status changes meet deadlines.
func TestTriageQueue(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			if _, err := s.CreateDesk(ctx, intake.Desk{Slug: "sec-fraud", TitleEN: "Securities"}); err != nil {
				t.Fatal(err)
			}
			if err := s.SetDeadlines(ctx, "sec-fraud", 3, 1); err != nil {
				t.Fatal(err)
			}
			payload := func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }
			var ids []string
			for i, day := range []string{"2026-11-01", "2026-11-10", "2026-11-10", "2026-11-20", "2026-11-25"} {
				sub := submission(intake.DefaultDeskSlug)
				if i == 4 {
					sub = submission("sec-fraud")
				}
				sub.ReceivedDay = day
				if _, err := s.Commit(ctx, sub, payload); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, sub.ID)
			}

			detail, err := s.SubmissionDetail(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			want := []casework.Deadline{{Kind: "acknowledge", DueDay: "2026-11-08"}, {Kind: "feedback", DueDay: "2027-02-08"}}
			if len(detail.Deadlines) != 2 || detail.Deadlines[0] != want[0] || detail.Deadlines[1] != want[1] {
				t.Errorf("deadlines = %+v, want %+v", detail.Deadlines, want)
			}
			if detail.Status != casework.New || len(detail.Objects) != 1 {
				t.Errorf("detail = %+v", detail)
			}

			list := func(q casework.Query) []string {
				t.Helper()
				q.Today = "2026-11-28"
				if q.Limit == 0 {
					q.Limit = 50
				}
				items, err := s.ListSubmissions(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, it := range items {
					got = append(got, it.ID)
				}
				return got
			}
			if got := list(casework.Query{}); len(got) != 5 || got[0] != ids[4] {
				t.Errorf("all, newest first: %v", got)
			}
			if got := list(casework.Query{Desks: []string{intake.DefaultDeskSlug}}); len(got) != 4 {
				t.Errorf("one desk's: %d, want 4", len(got))
			}
			if got := list(casework.Query{Desks: []string{}}); len(got) != 0 {
				t.Errorf("no desks must see nothing, saw %d", len(got))
			}
			// Keyset pages, both ways: two at a time, no gaps, no repeats,
			// in order.
			for _, oldest := range []bool{false, true} {
				var order []string
				q := casework.Query{Limit: 2, Oldest: oldest}
				for page := 0; page < 5; page++ {
					q.Today = "2026-11-28"
					items, err := s.ListSubmissions(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, it := range items {
						if slices.Contains(order, it.ID) {
							t.Errorf("%s on two pages", it.ID)
						}
						order = append(order, it.ID)
					}
					if len(items) < 2 {
						break
					}
					q.AfterDay, q.AfterID = items[1].ReceivedDay, items[1].ID
				}
				all := list(casework.Query{})
				if oldest {
					slices.Reverse(all)
				}
				if !slices.Equal(order, all) {
					t.Errorf("pages (oldest first: %v) = %v, want %v", oldest, order, all)
				}
			}

			// Acknowledge the oldest on 2026-11-28: acknowledge met, feedback
			// now due three months later.
			ack := casework.Acknowledged
			if err := s.UpdateSubmission(ctx, ids[0], casework.Change{Status: &ack}, "2026-11-28", testAudit(casework.ActionSubmissionUpdate)); err != nil {
				t.Fatal(err)
			}
			detail, _ = s.SubmissionDetail(ctx, ids[0])
			if detail.Status != ack || detail.Deadlines[0].MetDay != "2026-11-28" || detail.Deadlines[1].DueDay != "2027-02-28" {
				t.Errorf("after acknowledging: %+v", detail)
			}
			// Overdue: the acknowledgements of the two 11-10 submissions and
			// the 11-20 one were due by 11-27; the acknowledged one is not.
			if got := list(casework.Query{Overdue: true}); len(got) != 3 {
				t.Errorf("overdue = %v, want the three unacknowledged older ones", got)
			}
			// The sec-fraud desk acknowledges within 3 days: its 11-25
			// submission was due on 11-28, today, and is not overdue yet.
			if got := list(casework.Query{DueWithinDays: 7}); len(got) != 1 || got[0] != ids[4] {
				t.Errorf("due within a week = %v, want the newest", got)
			}
			newest, _ := s.SubmissionDetail(ctx, ids[4])
			if newest.Deadlines[0].DueDay != "2026-11-28" || newest.Deadlines[1].DueDay != "2026-12-28" {
				t.Errorf("deadlines under the desk's own policy = %+v", newest.Deadlines)
			}

			prio, labels := 2, []string{"h100", "transshipment"}
			if err := s.UpdateSubmission(ctx, ids[1], casework.Change{Priority: &prio, Labels: &labels}, "2026-11-28", testAudit(casework.ActionSubmissionUpdate)); err != nil {
				t.Fatal(err)
			}
			if got := list(casework.Query{Label: "h100"}); len(got) != 1 || got[0] != ids[1] {
				t.Errorf("label filter = %v", got)
			}
			if got := list(casework.Query{Priority: &prio}); len(got) != 1 {
				t.Errorf("priority filter = %v", got)
			}
			closed, code := casework.Closed, casework.ClosingCode("duplicate")
			if err := s.UpdateSubmission(ctx, ids[2], casework.Change{Status: &closed}, "2026-11-28", testAudit(casework.ActionSubmissionUpdate)); tipline.ErrorCode(err) != tipline.Invalid {
				t.Errorf("closing without a code: %v, want Invalid", err)
			}
			if err := s.UpdateSubmission(ctx, ids[2], casework.Change{Status: &closed, ClosingCode: &code}, "2026-11-28", testAudit(casework.ActionSubmissionUpdate)); err != nil {
				t.Fatal(err)
			}
			if got := list(casework.Query{Status: casework.Closed}); len(got) != 1 || got[0] != ids[2] {
				t.Errorf("status filter = %v", got)
			}
			nobody := "nobody@example.org"
			if err := s.UpdateSubmission(ctx, ids[3], casework.Change{Assignee: &nobody}, "2026-11-28", testAudit(casework.ActionSubmissionUpdate)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("assigning an unknown staff member: %v, want NotFound", err)
			}
			if err := s.UpdateSubmission(ctx, "nosuchsubmissionaaaaaaaaaa", casework.Change{Priority: &prio}, "2026-11-28", testAudit(casework.ActionSubmissionUpdate)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("unknown submission: %v, want NotFound", err)
			}
		})
	}
}
