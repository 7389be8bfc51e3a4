package devseed

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/entities/graph"
	"github.com/tipline/tipline/internal/testenv"
	"github.com/tipline/tipline/store"
)

// BenchmarkScale seeds PostgreSQL with 1,000,000 submissions and 300,000
// entities, then measures what investigators wait for at that size: entity
// search, the corroboration views, the entity page's data (Service.Get:
// its first page of links, and a page 1,000 links deep), the triage
// queue's first and a deep keyset page, and the graph. Each reports its
// p50 and p95 in ms (p95-ms is the figure the targets are set on:
// Service.Get under 100 ms, the graph of 300 nodes under 300 ms).
//
// Seeding takes minutes, so the benchmark runs only when
// TIPLINE_BENCH_SCALE=1 (make bench sets it) with a PostgreSQL server in
// TIPLINE_TEST_DATABASE_URL. TIPLINE_BENCH_SUBMISSIONS and
// TIPLINE_BENCH_ENTITIES change the sizes.
func BenchmarkScale(b *testing.B) {
	if os.Getenv("TIPLINE_BENCH_SCALE") != "1" {
		b.Skip("set TIPLINE_BENCH_SCALE=1 (make bench does) to seed a million submissions and measure")
	}
	testenv.Get(b, testenv.DatabaseURL)
	nSubs, nEnts := envInt(b, "TIPLINE_BENCH_SUBMISSIONS", 1_000_000), envInt(b, "TIPLINE_BENCH_ENTITIES", 300_000)
	ctx := context.Background()
	db := dbtest.Open(b, database.Postgres)
	st, err := Seed(ctx, db, Options{Submissions: nSubs, Entities: nEnts, Seed: 1}, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d submissions, %d entities, %d names, %d match keys, %d links, %d cases, %d relations in %s",
		st.Submissions, st.Entities, st.Names, st.Keys, st.SubmissionLinks, st.Cases, st.Relations, st.Took.Round(time.Second))

	s := store.New(db)
	svc := &entities.Service{Store: s, Now: time.Now}
	triage := &casework.Triage{Store: s, Now: time.Now}
	investigator := casework.Principal{UserID: 1, Role: casework.RoleInvestigator, Desks: []string{SeedDesks[0].Slug, SeedDesks[1].Slug}}

	// Search for names as tips write them: canonical names, aliases
	// (pinyin of Chinese names, short forms) and identifiers, sampled
	// across the table.
	var queries []string
	if err := db.Raw("SELECT name FROM entity_names TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT 400").Scan(&queries).Error; err != nil || len(queries) == 0 {
		b.Fatalf("sample names: %d, %v", len(queries), err)
	}
	var popular []string
	if err := db.Raw("SELECT id FROM entities ORDER BY submission_count DESC, id LIMIT 50").Scan(&popular).Error; err != nil || len(popular) == 0 {
		b.Fatalf("popular entities: %v", err)
	}
	// A page of links deep into the most named entity's: the cursor of
	// its 1,000th link (or its last, when it has fewer).
	var deep struct {
		EntityID    string
		ReceivedDay time.Time
		ID          int64
	}
	if err := db.Raw("SELECT entity_id, received_day, id FROM entity_submission_links WHERE entity_id = ? ORDER BY received_day DESC, id DESC OFFSET ? LIMIT 1",
		popular[0], 999).Scan(&deep).Error; err != nil {
		b.Fatal(err)
	}
	if deep.EntityID == "" {
		b.Fatalf("the most named entity %s has fewer than 1,000 links", popular[0])
	}
	deepPage := entities.LinkPage{After: entities.LinkCursor{Day: deep.ReceivedDay.Format(time.DateOnly), ID: deep.ID}.String()}
	var mid struct {
		ID          string
		ReceivedDay time.Time
	}
	if err := db.Raw("SELECT id, received_day FROM submissions ORDER BY received_day DESC, id DESC OFFSET ? LIMIT 1", nSubs/2).Scan(&mid).Error; err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))

	measure(b, "EntitySearch", func() error {
		_, err := svc.Search(ctx, investigator, entities.Query{Q: queries[r.IntN(len(queries))]})
		return err
	})
	measure(b, "MostCorroborated", func() error {
		_, err := svc.MostCorroborated(ctx, investigator, "")
		return err
	})
	measure(b, "EntityCorroboration", func() error { // the entity page of one of the most named entities
		_, err := svc.Get(ctx, investigator, popular[r.IntN(len(popular))], entities.LinkPage{})
		return err
	})
	measure(b, "EntityLinksDeepPage", func() error { // the 21st page of links of the most named entity
		_, err := svc.Get(ctx, investigator, popular[0], deepPage)
		return err
	})
	measure(b, "QueueFirstPage", func() error {
		_, _, _, err := triage.List(ctx, investigator, casework.Query{Limit: 50})
		return err
	})
	measure(b, "QueueKeysetPage", func() error { // half a million submissions in
		_, _, _, err := triage.List(ctx, investigator, casework.Query{Limit: 50, AfterDay: mid.ReceivedDay.Format(time.DateOnly), AfterID: mid.ID})
		return err
	})
	measure(b, "QueueFirstPageByStatus", func() error {
		_, _, _, err := triage.List(ctx, investigator, casework.Query{Limit: 50, Desk: SeedDesks[1].Slug, Status: casework.UnderReview})
		return err
	})
	measure(b, "Graph", func() error { // neighbourhood, layout and SVG of a most named entity
		n, err := svc.Neighbourhood(ctx, investigator, popular[r.IntN(len(popular))], 0)
		if err != nil {
			return err
		}
		p, err := graph.Layout(n)
		if err != nil {
			return err
		}
		return p.WriteSVG(io.Discard)
	})
}

// measure runs op b.N times in a sub-benchmark and reports the p50 and
// p95 of its latency in milliseconds.
func measure(b *testing.B, name string, op func() error) {
	b.Run(name, func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for b.Loop() {
			t := time.Now()
			if err := op(); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
		slices.Sort(lat)
		q := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		b.ReportMetric(q(0.50), "p50-ms")
		b.ReportMetric(q(0.95), "p95-ms")
	})
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Fatalf("%s=%q: %v", name, v, fmt.Errorf("want a count"))
	}
	return n
}
