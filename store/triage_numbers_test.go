package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/migrations"
	"github.com/tipline/tipline/store"
)

// TestTipNumbers: each tip takes the next number of its desk at commit,
// concurrent commits included, without gaps or repeats; tips committed
// before numbers were kept are numbered by the migration in the queue's
// order (received day, then id); the queue counts each tip's files and
// the source's messages its viewer has not seen (issue 15, point 5).
func TestTipNumbers(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			if _, err := s.CreateDesk(ctx, intake.Desk{Slug: "sec-fraud", TitleEN: "Securities"}); err != nil {
				t.Fatal(err)
			}
			payload := func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }
			commit := func(desk, day string) string {
				t.Helper()
				sub := submission(desk)
				sub.ReceivedDay = day
				if _, err := s.Commit(ctx, sub, payload); err != nil {
					t.Error(err)
				}
				return sub.ID
			}
			number := func(id string) int {
				t.Helper()
				detail, err := s.SubmissionDetail(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return detail.Number
			}
			// Commit order, not the received day, gives the number.
			first := commit(intake.DefaultDeskSlug, "2026-11-10")
			second := commit(intake.DefaultDeskSlug, "2026-11-01")
			other := commit("sec-fraud", "2026-11-02")
			for id, want := range map[string]int{first: 1, second: 2, other: 1} {
				if got := number(id); got != want {
					t.Errorf("tip %s is #%d, want #%d", id, got, want)
				}
			}
			var wg sync.WaitGroup
			ids := make([]string, 12)
			for i := range ids {
				wg.Go(func() { ids[i] = commit(intake.DefaultDeskSlug, "2026-11-12") })
			}
			wg.Wait()
			var numbers []int
			for _, id := range ids {
				numbers = append(numbers, number(id))
			}
			slices.Sort(numbers)
			for i, n := range numbers {
				if n != i+3 {
					t.Fatalf("concurrent commits numbered %v, want 3 to 14 once each", numbers)
				}
			}

			// Files and unread messages: the tip's file, then a follow-up
			// message from the source and a staff reply.
			for i, o := range []struct{ kind, author string }{{"file", "source"}, {"message", "source"}, {"message", "staff"}} {
				err := db.Exec("INSERT INTO objects (id, submission_id, kind, position, blob_key, key_packets, body_size, sha256, author) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
					blob.NewKey(""), first, o.kind, i+1, "objects/"+blob.NewKey(""), []byte{1}, make([]byte, 32), o.author).Error
				if err != nil {
					t.Fatal(err)
				}
			}
			user, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x", TOTPSealed: []byte{1},
				Desks: []string{intake.DefaultDeskSlug}}, casework.AuditRecord{Action: casework.ActionUserAdd, Target: "user:ana@example.org"})
			if err != nil {
				t.Fatal(err)
			}
			counts := func() (files, unread int) {
				t.Helper()
				items, err := s.ListSubmissions(ctx, casework.Query{Viewer: user.ID, Today: "2026-11-28", Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					if it.ID == first {
						return it.Files, it.Unread
					}
				}
				t.Fatal("the tip is not listed")
				return 0, 0
			}
			if files, unread := counts(); files != 1 || unread != 1 {
				t.Errorf("before viewing: %d files, %d unread; want 1, 1", files, unread)
			}
			if err := s.ViewSubmission(ctx, user.ID, first, casework.AuditRecord{Actor: user.ID, Action: casework.ActionSubmissionView, Target: "submission:" + first}); err != nil {
				t.Fatal(err)
			}
			if files, unread := counts(); files != 1 || unread != 0 {
				t.Errorf("after viewing: %d files, %d unread; want 1, 0", files, unread)
			}

			// The migration numbers the tips it finds in the queue's order.
			migrate := tipNumbersMigration(t, db)
			if _, err := migrate.DownTo(ctx, 23); err != nil {
				t.Fatal(err)
			}
			if _, err := migrate.Up(ctx); err != nil {
				t.Fatal(err)
			}
			for _, desk := range []string{intake.DefaultDeskSlug, "sec-fraud"} {
				items, err := s.ListSubmissions(ctx, casework.Query{Desk: desk, Oldest: true, Today: "2026-11-28", Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				for i, it := range items {
					if it.Number != i+1 {
						t.Errorf("desk %s, after the migration: tip %d of the queue is #%d", desk, i+1, it.Number)
					}
				}
			}
			if next := commit(intake.DefaultDeskSlug, "2026-11-28"); number(next) != 15 {
				t.Errorf("the first tip after the migration is #%d, want #15", number(next))
			}
		})
	}
}

// tipNumbersMigration is a goose provider over db's migrations, to step
// the tip numbers migration down and up again.
func tipNumbersMigration(t *testing.T, db *database.DB) *goose.Provider {
	t.Helper()
	fsys, err := fs.Sub(migrations.FS, string(db.Dialect))
	if err != nil {
		t.Fatal(err)
	}
	dialect := goose.DialectSQLite3
	if db.Dialect == database.Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, db.SQL(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
