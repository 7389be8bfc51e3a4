package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/screening"
	"github.com/tipline/tipline/store"
)

// TestEntitySearchRomanized: entity search finds names as Hong Kong,
// Taiwan, Singapore and Russia spell them from a query in Chinese
// characters or Cyrillic, and the other way round (issue 17), on both
// dialects: the entity comes first, explains the reading that matched, and
// the entity one syllable away ranks below it.
func TestEntitySearchRomanized(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			ana, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x",
				TOTPSealed: []byte{1}, Desks: []string{intake.DefaultDeskSlug}}, casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd})
			if err != nil {
				t.Fatal(err)
			}
			p := casework.Principal{UserID: ana.ID, Email: ana.Email, Role: casework.RoleInvestigator, Desks: []string{intake.DefaultDeskSlug}}
			svc := &entities.Service{Store: s, Now: time.Now}
			for _, n := range []struct {
				kind entities.Kind
				name string
			}{
				{entities.Person, "LIM Chee Keong"}, {entities.Person, "LIM Chee Kiong"},
				{entities.Organization, "Wong Kwok Hung Trading Co., Ltd."}, {entities.Organization, "Wong Kwok Hing Trading Co., Ltd."},
				{entities.Person, "HSU Chih-Ming"}, {entities.Person, "HSU Chih-Ping"},
				{entities.Organization, "Cheung Kong Electronics (HK) Limited"}, {entities.Organization, "Cheung Hong Electronics (HK) Limited"},
				{entities.Person, "IVANOV, Sergei Aleksandrovich"}, {entities.Person, "IVANOV, Sergei Andreyevich"},
				{entities.Person, "CHAN Wai Ming"}, {entities.Person, "CHAN Wai Ping"},
				{entities.Person, "陳金福"}, {entities.Person, "Петров Алексей Дмитриевич"},
			} {
				if _, err := svc.Create(ctx, p, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: n.kind, Name: n.name}); err != nil {
					t.Fatal(err)
				}
			}
			for _, tc := range []struct{ query, want, reading, nearMiss string }{
				{"林志强", "LIM Chee Keong", "林 → Lim (Hokkien, Teochew)", "LIM Chee Kiong"},
				{"黄国雄贸易有限公司", "Wong Kwok Hung Trading Co., Ltd.", "黄 → Wong (Cantonese)", "Wong Kwok Hing Trading Co., Ltd."},
				{"徐志明", "HSU Chih-Ming", "徐 → Hsu (Wade-Giles)", "HSU Chih-Ping"},
				{"长江电子", "Cheung Kong Electronics (HK) Limited", "长 → Cheung (Cantonese)", "Cheung Hong Electronics (HK) Limited"},
				{"Иванов Сергей Александрович", "IVANOV, Sergei Aleksandrovich", "Сергей → Sergei (Cyrillic transliteration)", "IVANOV, Sergei Andreyevich"},
				{"陳偉明", "CHAN Wai Ming", "陳 → Chan (Cantonese)", "CHAN Wai Ping"},
				// Latin queries find names in Chinese characters and Cyrillic.
				{"Tan Kim Hock", "陳金福", "陳 → Tan (Hokkien, Teochew)", ""},
				{"Alexey Dmitrievich Petrov", "Петров Алексей Дмитриевич", "Алексей → Alexey (Cyrillic transliteration)", ""},
			} {
				found, err := svc.Search(ctx, p, entities.Query{Q: tc.query})
				if err != nil {
					t.Fatal(err)
				}
				if len(found) == 0 {
					t.Errorf("%q: nothing found", tc.query)
					continue
				}
				if m := found[0]; m.Entity.Name != tc.want || !slices.ContainsFunc(m.Explanation, func(e string) bool { return strings.Contains(e, tc.reading) }) {
					t.Errorf("%q: first %q (%.3f) %q, want %q explaining %q", tc.query, m.Entity.Name, m.Score, m.Explanation, tc.want, tc.reading)
				}
				for _, m := range found[1:] {
					if m.Entity.Name == tc.nearMiss && m.Score >= found[0].Score {
						t.Errorf("%q: the near miss %q scores %.3f, not below %.3f", tc.query, m.Entity.Name, m.Score, found[0].Score)
					}
				}
			}
		})
	}
}

// TestReindexNames: names indexed by older matching rules (here: no
// candidate keys and stale search texts) are found again once ReindexNames
// rebuilds the index, on both dialects; a second run changes nothing.
func TestReindexNames(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Open(t, d)
			s := store.New(db)
			ana, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x",
				TOTPSealed: []byte{1}, Desks: []string{intake.DefaultDeskSlug}}, casework.AuditRecord{At: time.Now(), Action: casework.ActionUserAdd})
			if err != nil {
				t.Fatal(err)
			}
			p := casework.Principal{UserID: ana.ID, Email: ana.Email, Role: casework.RoleInvestigator, Desks: []string{intake.DefaultDeskSlug}}
			svc := &entities.Service{Store: s, Now: time.Now}
			e, err := svc.Create(ctx, p, entities.NewEntity{Desk: intake.DefaultDeskSlug, Kind: entities.Person, Name: "Петров Алексей Дмитриевич"})
			if err != nil {
				t.Fatal(err)
			}
			lists := screening.New(s)
			csv := "source,name\nSpecially Designated Nationals (SDN) - Treasury Department,Иванов Сергей Александрович\n"
			if _, err := lists.Import(ctx, screening.FormatCSL, strings.NewReader(csv), "csl.csv", time.Now()); err != nil {
				t.Fatal(err)
			}
			found := func() (entity, listed bool) {
				t.Helper()
				ms, err := svc.Search(ctx, p, entities.Query{Q: "Alexey Petrov"})
				if err != nil {
					t.Fatal(err)
				}
				hits, err := lists.Search(ctx, "Sergei Ivanov", 5)
				if err != nil {
					t.Fatal(err)
				}
				return len(ms) > 0 && ms[0].Entity.ID == e.ID, len(hits) > 0
			}
			if entity, listed := found(); !entity || !listed {
				t.Fatalf("before: entity found %v, listed party found %v", entity, listed)
			}
			// The index as an older version wrote it: Cyrillic search
			// texts, no keys (screening lists have keys on SQLite only).
			stale := []string{"UPDATE entity_names SET search_text = lower(name)", "DELETE FROM entity_keys",
				"UPDATE screening_names SET search_text = lower(name)"}
			if d == database.SQLite {
				stale = append(stale, "DELETE FROM screening_keys")
			}
			for _, q := range stale {
				if err := db.Exec(q).Error; err != nil {
					t.Fatal(err)
				}
			}
			if entity, listed := found(); entity || listed {
				t.Fatalf("stale index: entity found %v, listed party found %v", entity, listed)
			}
			for range 2 {
				ents, entries, err := s.ReindexNames(ctx)
				if err != nil || ents != 1 || entries != 1 {
					t.Fatalf("ReindexNames = %d, %d, %v; want 1, 1", ents, entries, err)
				}
				if entity, listed := found(); !entity || !listed {
					t.Errorf("after: entity found %v, listed party found %v", entity, listed)
				}
			}
		})
	}
}
