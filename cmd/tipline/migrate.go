package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
)

func migrate(ctx context.Context, p *program, args []string) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(p.stdout, "Usage: tipline migrate up|status [flags]")
			return flag.ErrHelp
		}
		return fmt.Errorf("%w: want 'tipline migrate up' or 'tipline migrate status'", errUsage)
	}
	action := args[0]
	cfg, err := loadConfig(p, "migrate "+action, args[1:])
	if err != nil {
		return err
	}
	log := newLogger(p.stderr, cfg.LogLevel)
	db, err := openDatabase(ctx, cfg, action == "up", log)
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
