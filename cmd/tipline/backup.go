package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tipline/tipline/backup"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/chain"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// errBackupDiffers makes `tipline backup verify` exit 1 after listing
// what differs from the manifest.
var errBackupDiffers = errors.New("the copy does not match its manifest")

func backupCmd(ctx context.Context, p *program, args []string) error {
	switch sub, rest := subcommand(args); sub {
	case "verify":
		return backupVerify(p, rest)
	case "manifest":
		return backupManifest(p, rest)
	}
	fs := config.NewFlagSet("backup", "--out DIR", p.stderr)
	out := fs.String("out", "", "new or empty folder to write the copy to")
	cfg, rest, err := parseArgs(p, fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 || *out == "" {
		return fmt.Errorf("%w: want 'tipline backup --out DIR', 'tipline backup verify DIR' or 'tipline backup manifest DIR'", errUsage)
	}
	log := newLogger(p.stderr, "warn")
	db, err := openDatabase(ctx, cfg, false, log)
	if err != nil {
		return err
	}
	defer db.Close()
	blobs, err := blob.Open(cfg.BlobURL)
	if err != nil {
		return err
	}
	m, err := backup.Make(ctx, db, cfg.DatabaseURL, blobs, *out, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "copied the %s database and %d blobs to %s (manifest.json holds their SHA-256 sums)\n", m.Dialect, len(m.Files)-1, *out)
	fmt.Fprintln(p.stdout, "The pepper is not in the copy: without it, codenames and sealed secrets cannot be used after a restore. Keep it apart (see the README).")
	return nil
}

func backupVerify(p *program, args []string) error {
	fs := config.NewFlagSet("backup verify", "DIR", p.stderr)
	if _, rest, err := parseArgs(p, fs, args); err != nil {
		return err
	} else if len(rest) != 1 {
		return fmt.Errorf("%w: want 'tipline backup verify DIR'", errUsage)
	} else {
		args = rest
	}
	m, problems, err := backup.Verify(args[0])
	if err != nil {
		return err
	}
	for _, problem := range problems {
		fmt.Fprintln(p.stdout, problem)
	}
	if len(problems) > 0 {
		return errBackupDiffers
	}
	fmt.Fprintf(p.stdout, "copy intact: %d files of a %s deployment, made on %s\n", len(m.Files), m.Dialect, m.Day)
	return nil
}

// backupManifest writes the manifest of a copy made with pg_dump and a
// mirror of the bucket (see the README).
func backupManifest(p *program, args []string) error {
	fs := config.NewFlagSet("backup manifest", "DIR", p.stderr)
	if _, rest, err := parseArgs(p, fs, args); err != nil {
		return err
	} else if len(rest) != 1 {
		return fmt.Errorf("%w: want 'tipline backup manifest DIR'", errUsage)
	} else {
		args = rest
	}
	m, err := backup.WriteManifest(args[0], time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "wrote the manifest of %d files of a %s deployment\n", len(m.Files), m.Dialect)
	return nil
}

func restoreCmd(ctx context.Context, p *program, args []string) error {
	cfg, rest, err := parseArgs(p, config.NewFlagSet("restore", "DIR", p.stderr), args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: want 'tipline restore DIR'", errUsage)
	}
	// The pepper of the copied deployment must be in place first: made up
	// afresh here, it would lock every source out of the restored mailbox.
	if cfg.Pepper == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "pepper")); err != nil {
			return errors.New("restore: no pepper: set TIPLINE_PEPPER (or TIPLINE_PEPPER_FILE) to the pepper of the deployment that was copied, or put its pepper file in the data folder, before restoring")
		}
	}
	log := newLogger(p.stderr, "warn")
	blobs, err := blob.Open(cfg.BlobURL)
	if err != nil {
		return err
	}
	if s3, ok := blobs.(*blob.S3); ok {
		if err := s3.EnsureBucket(ctx); err != nil {
			return err
		}
	}
	m, err := backup.Restore(ctx, rest[0], cfg.DatabaseURL, blobs)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg, true, log)
	if err != nil {
		return fmt.Errorf("restored, but migrating failed: %w", err)
	}
	defer db.Close()
	if err := checkRestoredPepper(ctx, cfg, db, log); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "restored the %s database and %d blobs from the copy of %s\n", m.Dialect, len(m.Files)-1, m.Day)
	return nil
}

// checkRestoredPepper checks that the pepper opens what the copied
// deployment sealed under it: the receipt key and the logs' anchors.
func checkRestoredPepper(ctx context.Context, cfg *config.Config, db *database.DB, log *slog.Logger) error {
	pepper, err := loadPepper(cfg, db.Dialect, log)
	if err != nil {
		return err
	}
	st := store.New(db)
	if _, err := intake.LoadReceiptSigner(ctx, st, pepper); err != nil {
		return fmt.Errorf("restored, but the pepper is not the copied deployment's: %w", err)
	}
	key, err := chain.NewKey(pepper)
	if err != nil {
		return err
	}
	for _, name := range chain.Names {
		r, err := chain.Check(ctx, key, name, st, nil)
		if err != nil {
			return err
		}
		if !r.OK() {
			return fmt.Errorf("restored, but the pepper is not the copied deployment's, or its %s was changed: %s", name, strings.Join(r.Problems, "; "))
		}
	}
	return nil
}
