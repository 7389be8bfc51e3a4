package devseed

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

func TestSeed(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, dialect)
			today := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
			var log strings.Builder
			stats, err := Seed(ctx, db, Options{Submissions: 400, Entities: 150, Seed: 7, Today: today}, &log)
			if err != nil {
				t.Fatalf("Seed: %v\n%s", err, log.String())
			}
			count := func(table string) int64 {
				var n int64
				if err := db.Table(table).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				return n
			}
			for _, c := range []struct {
				table string
				want  int64
			}{
				{"submissions", 400}, {"intake_log", 400}, {"deadlines", 800}, {"entities", 150}, {"entity_history", 150},
				{"entity_names", stats.Names}, {"entity_keys", stats.Keys}, {"entity_submission_links", stats.SubmissionLinks},
				{"cases", stats.Cases}, {"entity_case_links", stats.CaseLinks}, {"entity_relations", stats.Relations},
			} {
				if got := count(c.table); got != c.want || got == 0 {
					t.Errorf("%s: %d rows, want %d (and some)", c.table, got, c.want)
				}
			}
			if count("objects") != 0 {
				t.Error("the seeder stored objects; it must store no ciphertext or plaintext")
			}

			s := store.New(db)
			entries, err := s.LogEntries(ctx, 1, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 400 {
				t.Fatalf("%d intake log entries, want 400", len(entries))
			}
			if _, err := intake.VerifyChain(entries); err != nil {
				t.Errorf("VerifyChain: %v", err)
			}
			var last string
			for _, e := range entries {
				if e.ReceivedDay < last || e.ReceivedDay > today.Format(time.DateOnly) {
					t.Fatalf("entry %d received %s after %s or in the future", e.Seq, e.ReceivedDay, last)
				}
				last = e.ReceivedDay
			}

			// The entities service reads what the seeder wrote: counts
			// agree with the links, and names are found by search.
			svc := &entities.Service{Store: s, Now: time.Now}
			admin := casework.Principal{UserID: 1, Role: casework.RoleAdmin}
			top, err := svc.MostCorroborated(ctx, admin, "")
			if err != nil || len(top) == 0 {
				t.Fatalf("MostCorroborated = %d, %v", len(top), err)
			}
			var links int64
			if err := db.Table("entity_submission_links").Where("entity_id = ?", top[0].ID).Distinct("submission_id").Count(&links).Error; err != nil {
				t.Fatal(err)
			}
			if int64(top[0].Submissions) != links || links < 2 {
				t.Errorf("most corroborated %s counts %d submissions; %d are linked", top[0].ID, top[0].Submissions, links)
			}
			var name string
			if err := db.Table("entities").Select("name").Where("kind = 'organization'").Order("id").Limit(1).Scan(&name).Error; err != nil {
				t.Fatal(err)
			}
			found, err := svc.Search(ctx, admin, entities.Query{Q: name})
			if err != nil || len(found) == 0 || found[0].Score < 0.99 {
				t.Errorf("Search(%q) = %+v, %v; want the seeded entity first", name, found, err)
			}

			// A second seed adds to the seed desks without a fuss.
			if _, err := Seed(ctx, db, Options{Submissions: 10, Entities: 5, Seed: 8, Today: today}, io.Discard); err != nil {
				t.Fatalf("second Seed: %v", err)
			}
			entries, err = s.LogEntries(ctx, 1, 1000)
			if err != nil || len(entries) != 410 {
				t.Fatalf("after a second seed: %d entries, %v", len(entries), err)
			}
			if _, err := intake.VerifyChain(entries); err != nil {
				t.Errorf("after a second seed, VerifyChain: %v", err)
			}
		})
	}
}

// TestSeedRefusesRealData checks that a database with submissions of other
// desks is seeded only with Force.
func TestSeedRefusesRealData(t *testing.T) {
	ctx := context.Background()
	db := dbtest.Open(t, database.SQLite)
	if _, err := Seed(ctx, db, Options{Submissions: 5, Entities: 5, Seed: 1}, io.Discard); err != nil {
		t.Fatal(err)
	}
	// A real submission arrives on the default desk.
	var desk string
	if err := db.Table("desks").Select("slug").Where("slug NOT LIKE 'seed-%'").Order("id").Limit(1).Scan(&desk).Error; err != nil || desk == "" {
		t.Fatalf("no default desk: %v", err)
	}
	sub := intake.Submission{ID: strings.Repeat("a", 26), DeskSlug: desk, ReceivedDay: "2026-11-01", EncryptedBy: "browser", ReplySalt: make([]byte, 16)}
	sub.LookupKey[0] = 1
	if _, err := store.New(db).Commit(ctx, sub, func(int64, [32]byte) []byte { return []byte("{}") }); err != nil {
		t.Fatal(err)
	}
	_, err := Seed(ctx, db, Options{Submissions: 5, Entities: 5, Seed: 2}, io.Discard)
	if tipline.ErrorCode(err) != tipline.Conflict {
		t.Fatalf("Seed over real data = %v, want Conflict", err)
	}
	if _, err := Seed(ctx, db, Options{Submissions: 5, Entities: 5, Seed: 2, Force: true}, io.Discard); err != nil {
		t.Fatalf("Seed with Force: %v", err)
	}
}
