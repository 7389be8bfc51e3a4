package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/store"
)

// retentionCmd runs `tipline retention run [--dry-run]`.
func retentionCmd(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	if sub != "run" {
		return usageOrHelp(p, args, "tipline retention run [--dry-run]")
	}
	fs := config.NewFlagSet("retention run", "[--dry-run]", p.stderr)
	dryRun := fs.Bool("dry-run", false, "say what would be deleted and delete nothing")
	cfg, rest, err := parseArgs(p, fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	a, err := openAdmin(ctx, p, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	blobs, err := blob.Open(cfg.BlobURL)
	if err != nil {
		return err
	}
	rep, err := newRetention(a.db, blobs, time.Now).Run(ctx, *dryRun)
	printRetention(p.stdout, rep, *dryRun)
	return safe(err)
}

// newRetention is the retention service on an open database and blob store.
func newRetention(db *database.DB, blobs blob.Store, now func() time.Time) *casework.Retention {
	s := store.New(db)
	return &casework.Retention{Store: s, Blobs: blobs, Triage: &casework.Triage{Store: s, Now: now}, Now: now}
}

// printRetention prints a run's report: ids, tip numbers and days only.
func printRetention(w io.Writer, rep casework.RetentionReport, dryRun bool) {
	verb := "deleted"
	if dryRun {
		verb = "would delete"
	}
	for _, st := range rep.Deleted {
		fmt.Fprintf(w, "%s: tip #%d on desk %s (submission %s), closed %s, due %s\n", verb, st.Number, st.Desk, st.SubmissionID, st.ClosedDay, st.DeleteOn())
	}
	for _, st := range rep.Held {
		why := make([]string, len(st.Holds))
		for i, h := range st.Holds {
			why[i] = h.String()
		}
		fmt.Fprintf(w, "held: tip #%d on desk %s (submission %s), due %s: %s\n", st.Number, st.Desk, st.SubmissionID, st.DeleteOn(), strings.Join(why, "; "))
	}
	if dryRun {
		fmt.Fprintf(w, "dry run on %s: %d tips would be deleted, %d held; nothing was deleted\n", rep.Today, len(rep.Deleted), len(rep.Held))
		return
	}
	fmt.Fprintf(w, "%s\n", rep.Summary())
}

// runRetentionDaily runs retention once a day in serve, logging each run
// without ids. Several app nodes may do so at once: the second finds
// nothing to do.
func runRetentionDaily(ctx context.Context, db *database.DB, blobs blob.Store, log *slog.Logger) {
	newRetention(db, blobs, time.Now).RunDaily(ctx, func(rep casework.RetentionReport, err error) {
		if err != nil && ctx.Err() == nil {
			log.Error("retention run failed; the next run tries again", "err", err)
			return
		}
		log.Info(rep.Summary())
	})
}
