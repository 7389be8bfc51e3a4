package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestEntityLinkPages walks the pages of a much named entity's submission
// links, older and back newer, on both dialects: every link shows exactly
// once, newest received first (ties by link, newest first), the first page
// offers no newer links and the last no older ones; an unlinked link
// leaves the pages whole; and a cursor that is not one is refused.
func TestEntityLinkPages(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			ana, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x",
				TOTPSealed: []byte{1}, Desks: []string{intake.DefaultDeskSlug}}, casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd})
			if err != nil {
				t.Fatal(err)
			}
			svc := &entities.Service{Store: s, Now: time.Now}
			p := casework.Principal{UserID: ana.ID, Email: ana.Email, Role: ana.Role, Desks: ana.Desks}
			create := func(name string) string {
				t.Helper()
				e, err := svc.Create(ctx, p, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: entities.Organization, Name: name})
				if err != nil {
					t.Fatal(err)
				}
				return e.ID
			}
			named, other := create("Lion City Freight Pte. Ltd."), create("Straits Meridian Logistics Pte Ltd")

			// 60 submissions over five days (twelve a day, so that days
			// tie), each naming the entity in two roles: 120 links,
			// three pages. Another entity's link must not show.
			payload := func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }
			var want []entities.SubmissionLink
			for i := range 60 {
				sub := submission(intake.DefaultDeskSlug)
				sub.ReceivedDay = fmt.Sprintf("2026-11-%02d", 1+(i*7)%5)
				if _, err := s.Commit(ctx, sub, payload); err != nil {
					t.Fatal(err)
				}
				for _, role := range []entities.Role{entities.FreightForwarder, entities.Consignee} {
					l, err := svc.LinkSubmission(ctx, p, named, sub.ID, role)
					if err != nil {
						t.Fatal(err)
					}
					want = append(want, l)
				}
				if i == 0 {
					if _, err := svc.LinkSubmission(ctx, p, other, sub.ID, entities.Exporter); err != nil {
						t.Fatal(err)
					}
				}
			}
			newestFirst := func(a, b entities.SubmissionLink) int {
				return cmp.Or(cmp.Compare(b.ReceivedDay, a.ReceivedDay), cmp.Compare(b.ID, a.ID))
			}
			ids := func(links []entities.SubmissionLink) []int64 {
				out := make([]int64, len(links))
				for i, l := range links {
					out[i] = l.ID
				}
				return out
			}

			// walk reads every page from the first, older, then back
			// newer from the last, and checks both against the links.
			walk := func(want []entities.SubmissionLink) {
				t.Helper()
				want = slices.SortedFunc(slices.Values(want), newestFirst)
				var older, newer [][]int64
				page := entities.LinkPage{}
				for len(older) <= len(want)/entities.LinkPageSize+1 {
					d, err := svc.Get(ctx, p, named, page)
					if err != nil {
						t.Fatal(err)
					}
					if (len(older) == 0) != (d.SubmissionPages.Newer == "") {
						t.Errorf("page %d offers newer links %q", len(older)+1, d.SubmissionPages.Newer)
					}
					older = append(older, ids(d.Submissions))
					if d.SubmissionPages.Older == "" {
						break
					}
					page = entities.LinkPage{After: d.SubmissionPages.Older}
				}
				if got := slices.Concat(older...); !slices.Equal(got, ids(want)) {
					t.Fatalf("pages older:\n%v\nwant the links once each, newest first:\n%v", older, ids(want))
				}
				if n := (len(want) + entities.LinkPageSize - 1) / entities.LinkPageSize; len(older) != n || len(older[0]) != entities.LinkPageSize {
					t.Errorf("%d pages of %d, want %d of %d", len(older), len(older[0]), n, entities.LinkPageSize)
				}
				last := want[len(want)-1]
				page = entities.LinkPage{Before: entities.LinkCursor{Day: last.ReceivedDay, ID: last.ID}.String()}
				newer = [][]int64{{last.ID}}
				for len(newer) <= len(older)+1 {
					d, err := svc.Get(ctx, p, named, page)
					if err != nil {
						t.Fatal(err)
					}
					if d.SubmissionPages.Older == "" {
						t.Errorf("a page before the last offers no older links")
					}
					newer = append([][]int64{ids(d.Submissions)}, newer...)
					if d.SubmissionPages.Newer == "" {
						break
					}
					page = entities.LinkPage{Before: d.SubmissionPages.Newer}
				}
				if got := slices.Concat(newer...); !slices.Equal(got, ids(want)) {
					t.Fatalf("pages newer:\n%v\nwant:\n%v", newer, ids(want))
				}
			}
			walk(want)

			// The graph reads only as many links as it has room for:
			// cut short, it still fills its nodes (each submission
			// names the entity in two roles), and says it was cut.
			for _, tc := range []struct {
				limit, nodes, edges int
				truncated           bool
			}{{10, 10, 18, true}, {61, 61, 120, false}, {300, 61, 120, false}} {
				n, err := svc.Neighbourhood(ctx, p, named, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				if len(n.Nodes) != tc.nodes || len(n.Edges) != tc.edges || n.Truncated != tc.truncated {
					t.Errorf("neighbourhood of %d nodes: %d nodes, %d edges, truncated %v; want %d, %d, %v",
						tc.limit, len(n.Nodes), len(n.Edges), n.Truncated, tc.nodes, tc.edges, tc.truncated)
				}
			}

			// Unlinking a link of the second page leaves every other
			// one on exactly one page.
			gone := slices.SortedFunc(slices.Values(want), newestFirst)[entities.LinkPageSize+3]
			if err := svc.UnlinkSubmission(ctx, p, named, gone.ID); err != nil {
				t.Fatal(err)
			}
			walk(slices.DeleteFunc(want, func(l entities.SubmissionLink) bool { return l.ID == gone.ID }))

			for _, tc := range []struct {
				name string
				page entities.LinkPage
			}{
				{"NotACursor", entities.LinkPage{After: "next"}},
				{"NoDay", entities.LinkPage{After: ".12"}},
				{"NotADay", entities.LinkPage{Before: "2026-13-01.12"}},
				{"NoLink", entities.LinkPage{After: "2026-11-01.0"}},
				{"Both", entities.LinkPage{After: "2026-11-01.12", Before: "2026-11-02.3"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if _, err := svc.Get(ctx, p, named, tc.page); tipline.ErrorCode(err) != tipline.Invalid {
						t.Errorf("Get(%+v) = %v, want Invalid", tc.page, err)
					}
				})
			}
		})
	}
}
