package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/intake"
)

func submissions(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	switch sub {
	case "list":
		fs := config.NewFlagSet("submissions list", "", p.stderr)
		desk := fs.String("desk", "", "list only this desk's submissions")
		limit := fs.Int("limit", 50, "how many to list, newest first")
		cfg, rest, err := parseArgs(p, fs, args)
		if err != nil {
			return err
		}
		if len(rest) != 0 {
			return fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
		}
		svc, closeAll, err := openIntake(ctx, p, cfg)
		if err != nil {
			return err
		}
		defer closeAll()
		subs, err := svc.Store.Submissions(ctx, *desk, *limit)
		if err != nil {
			return safe(err)
		}
		w := tabwriter.NewWriter(p.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "ID\tDESK\tRECEIVED\tENCRYPTED BY\n")
		for _, s := range subs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.ID, s.DeskSlug, s.ReceivedDay, s.EncryptedBy)
		}
		return w.Flush()
	case "export":
		fs := config.NewFlagSet("submissions export", "ID --out DIR", p.stderr)
		out := fs.String("out", "", "folder to write the submission's OpenPGP messages to (created; must be empty or new)")
		cfg, rest, err := parseArgs(p, fs, args)
		if err != nil {
			return err
		}
		if len(rest) != 1 || *out == "" {
			return fmt.Errorf("%w: want 'tipline submissions export ID --out DIR'", errUsage)
		}
		if blob.ValidKey(rest[0]) != nil {
			return fmt.Errorf("%w: %q is not a submission id", errUsage, rest[0])
		}
		svc, closeAll, err := openIntake(ctx, p, cfg)
		if err != nil {
			return err
		}
		defer closeAll()
		objects, err := svc.Store.SubmissionObjects(ctx, rest[0])
		if err != nil {
			return safe(err)
		}
		if err := os.MkdirAll(*out, 0o700); err != nil {
			return err
		}
		for _, o := range objects {
			name := filepath.Join(*out, fmt.Sprintf("%02d-%s-%s.pgp", o.Position, o.Kind, o.ID))
			if err := exportObject(ctx, svc, o, name); err != nil {
				return err
			}
			fmt.Fprintln(p.stdout, name)
		}
		return nil
	}
	return usageOrHelp(p, args, "tipline submissions list [--desk SLUG] [--limit N]\n"+
		"       tipline submissions export ID --out DIR")
}

// openIntake opens the database (migrated), the blob store and the intake
// service, as serve does, for commands that read submissions.
func openIntake(ctx context.Context, p *program, cfg *config.Config) (*intake.Service, func(), error) {
	log := newLogger(p.stderr, "warn")
	db, err := openDatabase(ctx, cfg, true, log)
	if err != nil {
		return nil, nil, err
	}
	blobs, err := blob.Open(cfg.BlobURL)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	svc, err := newIntake(ctx, cfg, db, blobs, log)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, func() { db.Close() }, nil
}

// exportObject writes one stored object, as a complete OpenPGP message, to
// a new file.
func exportObject(ctx context.Context, svc *intake.Service, o intake.Object, name string) error {
	r, err := svc.OpenObject(ctx, o)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	return f.Close()
}
