package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/screening"
	"github.com/tipline/tipline/store"
)

func screeningCmd(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	switch sub {
	case "import":
		fs := config.NewFlagSet("screening import", "--format csl FILE.csv", p.stderr)
		format := fs.String("format", screening.FormatCSL, "list format: csl (the U.S. Consolidated Screening List CSV)")
		cfg, rest, err := parseArgs(p, fs, args)
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return fmt.Errorf("%w: want 'tipline screening import --format csl FILE.csv'", errUsage)
		}
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		a, err := openAdmin(ctx, p, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		lists := screening.New(store.New(a.db))
		res, err := lists.Import(ctx, *format, f, filepath.Base(rest[0]), time.Now())
		if err != nil {
			return safe(err)
		}
		v := res.Version
		fmt.Fprintf(p.stdout, "imported %s version %d: %d entries, %d names, sha256 %s", v.Format, v.ID, v.Entries, v.Names, v.Checksum)
		if res.Replaced != nil {
			fmt.Fprintf(p.stdout, "; supersedes version %d", res.Replaced.ID)
		}
		fmt.Fprintln(p.stdout)
		// Every entity is screened again against the lists as they are now.
		ents := &entities.Service{Store: store.New(a.db), Screener: entities.Lists{Service: lists}, Now: time.Now}
		changed, err := ents.RefreshScreening(ctx)
		if err != nil {
			return safe(err)
		}
		fmt.Fprintf(p.stdout, "screened every entity again: %d changed\n", changed)
		return nil
	case "search":
		fs := config.NewFlagSet("screening search", "NAME", p.stderr)
		limit := fs.Int("limit", 10, "at most this many hits, best first")
		cfg, rest, err := parseArgs(p, fs, args)
		if err != nil {
			return err
		}
		if len(rest) == 0 {
			return fmt.Errorf("%w: want 'tipline screening search NAME'", errUsage)
		}
		a, err := openAdmin(ctx, p, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		hits, err := screening.New(store.New(a.db)).Search(ctx, strings.Join(rest, " "), *limit)
		if err != nil {
			return safe(err)
		}
		enc := json.NewEncoder(p.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(hits)
	case "reindex":
		cfg, rest, err := parseArgs(p, config.NewFlagSet("screening reindex", "", p.stderr), args)
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
		// After an upgrade that changed name matching (other scripts and
		// romanizations), names stored before match as names stored after.
		ents, entries, err := store.New(a.db).ReindexNames(ctx)
		if err != nil {
			return safe(err)
		}
		fmt.Fprintf(p.stdout, "rebuilt the name index of %d entities and %d screening-list entries\n", ents, entries)
		return nil
	case "lists":
		cfg, rest, err := parseArgs(p, config.NewFlagSet("screening lists", "", p.stderr), args)
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
		versions, err := screening.New(store.New(a.db)).Versions(ctx)
		if err != nil {
			return safe(err)
		}
		w := tabwriter.NewWriter(p.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "VERSION\tFORMAT\tSTATUS\tIMPORTED\tENTRIES\tNAMES\tSHA-256\tLABEL\n")
		for _, v := range versions {
			status := "active"
			if v.SupersededAt != nil {
				status = "superseded " + v.SupersededAt.Format(time.DateTime)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", v.ID, v.Format, status, v.ImportedAt.Format(time.DateTime),
				v.Entries, v.Names, v.Checksum, v.Label)
		}
		return w.Flush()
	}
	return usageOrHelp(p, args, "tipline screening import --format csl FILE.csv\n"+
		"       tipline screening search NAME [--limit N]\n"+
		"       tipline screening lists\n"+
		"       tipline screening reindex")
}
