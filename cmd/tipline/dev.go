package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/internal/devseed"
)

// dev holds development tools that must never run against production.
func dev(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	switch sub {
	case "seed":
		slugs := make([]string, len(devseed.SeedDesks))
		for i, d := range devseed.SeedDesks {
			slugs[i] = d.Slug
		}
		fs := config.NewFlagSet("dev seed", "--submissions N --entities M [--seed S] [--force]\n\n"+
			"DEVELOPMENT ONLY. Fills the database with synthetic casework for load tests and\n"+
			"benchmarks: submissions (metadata, deadlines, labels and intake-log entries; no\n"+
			"ciphertext objects and no codenames), cases, and entities in English and Chinese\n"+
			"with links and relations, on the desks "+strings.Join(slugs, " and ")+".\n"+
			"Refuses a database holding submissions on other desks unless --force.", p.stderr)
		subs := fs.Int("submissions", 1000, "synthetic submissions to add")
		ents := fs.Int("entities", 300, "synthetic entities to add")
		seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same data (use another one to add more)")
		force := fs.Bool("force", false, "seed even a database that holds submissions on other desks")
		cfg, rest, err := parseArgs(p, fs, args)
		if err != nil {
			return err
		}
		if len(rest) != 0 {
			return fmt.Errorf("%w: want 'tipline dev seed --submissions N --entities M'", errUsage)
		}
		a, err := openAdmin(ctx, p, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		st, err := devseed.Seed(ctx, a.db, devseed.Options{Submissions: *subs, Entities: *ents, Seed: *seed, Force: *force}, p.stderr)
		if err != nil {
			return safe(err)
		}
		fmt.Fprintf(p.stdout, "seeded %d submissions, %d entities (%d names, %d submission links, %d relations), %d cases in %s\n",
			st.Submissions, st.Entities, st.Names, st.SubmissionLinks, st.Relations, st.Cases, st.Took.Round(time.Second))
		return nil
	}
	return usageOrHelp(p, args, "tipline dev seed --submissions N --entities M [--seed S] [--force]   (development only)")
}
