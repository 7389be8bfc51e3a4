package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/tipline/tipline/config"
)

func migrate(ctx context.Context, p *program, args []string) error {
	cfg, rest, err := parseArgs(p, config.NewFlagSet("migrate", "up|status", p.stderr), args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || (rest[0] != "up" && rest[0] != "status") {
		return fmt.Errorf("%w: want 'tipline migrate up' or 'tipline migrate status'", errUsage)
	}
	log := newLogger(p.stderr, cfg.LogLevel)
	db, err := openDatabase(ctx, cfg, rest[0] == "up", log)
	if err != nil {
		return err
	}
	defer db.Close()
	states, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(p.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "VERSION\tSTATE\tAPPLIED AT (UTC)\tNAME\n")
	for _, s := range states {
		state, at := "pending", "-"
		if s.Applied {
			state, at = "applied", s.AppliedAt.UTC().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", s.Version, state, at, s.Name)
	}
	return w.Flush()
}
