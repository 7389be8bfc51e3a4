package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// adminEnv is what the administration commands work on: the database,
// migrated on first use so that they work before serve has ever run, and
// the admin service that changes desks and keys with an audit entry, as
// the pages do.
type adminEnv struct {
	db    *database.DB
	desks *intake.Desks
	admin *casework.Admin
}

func openAdmin(ctx context.Context, p *program, cfg *config.Config) (*adminEnv, error) {
	db, err := openDatabase(ctx, cfg, true, newLogger(p.stderr, "warn"))
	if err != nil {
		return nil, err
	}
	s := store.New(db)
	desks := &intake.Desks{Store: s, Now: time.Now}
	return &adminEnv{db: db, desks: desks, admin: &casework.Admin{Store: s, Desks: desks}}, nil
}

func (a *adminEnv) Close() { a.db.Close() }

func desks(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	switch sub {
	case "add":
		fs := config.NewFlagSet("desks add", "SLUG --title TITLE", p.stderr)
		title := fs.String("title", "", "English title, shown to sources")
		titleZH := fs.String("title-zh", "", "Simplified Chinese title, shown to sources (optional)")
		cfg, rest, err := parseArgs(p, fs, args)
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return fmt.Errorf("%w: want 'tipline desks add SLUG --title TITLE'", errUsage)
		}
		a, err := openAdmin(ctx, p, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		d, err := a.admin.AddDesk(ctx, casework.CommandLine, rest[0], *title, *titleZH)
		if err != nil {
			return safe(err)
		}
		fmt.Fprintf(p.stdout, "added desk %s; it accepts tips once it has a key: tipline keys add --desk %s --file KEY.asc\n", d.Slug, d.Slug)
		return nil
	case "set-deadlines":
		fs := config.NewFlagSet("desks set-deadlines", "SLUG --ack-days N --feedback-months M", p.stderr)
		ackDays := fs.Int("ack-days", 7, "days to acknowledge a submission")
		feedbackMonths := fs.Int("feedback-months", 3, "months to give feedback after the acknowledgement")
		cfg, rest, err := parseArgs(p, fs, args)
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return fmt.Errorf("%w: want 'tipline desks set-deadlines SLUG --ack-days N --feedback-months M'", errUsage)
		}
		a, err := openAdmin(ctx, p, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.admin.SetDeadlines(ctx, casework.CommandLine, rest[0], *ackDays, *feedbackMonths); err != nil {
			return safe(err)
		}
		fmt.Fprintf(p.stdout, "desk %s: acknowledge within %d days, feedback within %d months of the acknowledgement (submissions received from now on)\n", rest[0], *ackDays, *feedbackMonths)
		return nil
	case "list":
		cfg, rest, err := parseArgs(p, config.NewFlagSet("desks list", "", p.stderr), args)
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
		all, err := a.desks.Store.Desks(ctx)
		if err != nil {
			return safe(err)
		}
		w := tabwriter.NewWriter(p.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "SLUG\tKEYS\tSTATUS\tDEADLINES\tTITLE\tTITLE (ZH)\n")
		for _, d := range all {
			keys, err := a.desks.Recipients(ctx, d.Slug)
			if err != nil {
				return safe(err)
			}
			status := "accepting tips"
			if len(keys) == 0 {
				status = "not accepting tips (no valid key)"
			}
			fmt.Fprintf(w, "%s\t%d\t%s\t%dd/%dmo\t%s\t%s\n", d.Slug, len(keys), status, d.AckDays, d.FeedbackMonths, d.TitleEN, d.TitleZH)
		}
		return w.Flush()
	}
	return usageOrHelp(p, args, "tipline desks add SLUG --title TITLE [--title-zh TITLE]\n"+
		"       tipline desks set-deadlines SLUG --ack-days N --feedback-months M\n"+
		"       tipline desks list")
}

// subcommand splits "add --flag …" into "add" and the rest; a leading flag
// means there is no subcommand.
func subcommand(args []string) (string, []string) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", args
	}
	return args[0], args[1:]
}

// usageOrHelp prints a command's synopsis and returns flag.ErrHelp when args
// ask for help, and a usage error otherwise.
func usageOrHelp(p *program, args []string, synopsis string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fmt.Fprintf(p.stdout, "Usage: %s\n\nAdd --help after a subcommand for its flags and settings.\n", synopsis)
		return flag.ErrHelp
	}
	return fmt.Errorf("%w: want %s", errUsage, strings.ReplaceAll(synopsis, "\n       ", " or "))
}

// safe returns the message of a domain error as the administrator should
// read it; internal errors keep their cause.
func safe(err error) error {
	if tipline.ErrorCode(err) == tipline.Internal {
		return err
	}
	return errors.New(tipline.ErrorMessage(err))
}
