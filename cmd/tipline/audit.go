package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/chain"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/store"
)

// errAuditBroken makes `tipline audit verify` exit 1 after it has said
// where the chain breaks.
var errAuditBroken = errors.New("the audit log does not verify")

// anchorCopyInterval is how often serve copies the anchors of the intake
// and audit logs outside the database (chain.Witness).
const anchorCopyInterval = 10 * time.Second

func audit(ctx context.Context, p *program, args []string) error {
	sub, args := subcommand(args)
	if sub != "verify" {
		return usageOrHelp(p, args, "tipline audit verify")
	}
	cfg, rest, err := parseArgs(p, config.NewFlagSet("audit verify", "", p.stderr), args)
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
	n, broken, err := casework.VerifyAuditLog(ctx, store.New(a.db))
	switch {
	case errors.Is(err, casework.ErrAuditBroken):
		fmt.Fprintf(p.stdout, "audit log broken at entry %d\n", broken)
		return errAuditBroken
	case err != nil:
		return safe(err)
	}
	r, err := checkTail(ctx, cfg, a.db, chain.Audit, newLogger(p.stderr, "warn"))
	if err != nil {
		return err
	}
	if !r.OK() {
		for _, problem := range r.Problems {
			fmt.Fprintf(p.stdout, "audit log: %s\n", problem)
		}
		return errAuditBroken
	}
	fmt.Fprintf(p.stdout, "audit log intact: %d entries\n", n)
	return nil
}

// chainKey derives the key that anchors the intake and audit logs from
// the pepper.
func chainKey(cfg *config.Config, dialect database.Dialect, log *slog.Logger) (*chain.Key, error) {
	pepper, err := loadPepper(cfg, dialect, log)
	if err != nil {
		return nil, err
	}
	return chain.NewKey(pepper)
}

// anchorLogs makes every store on db anchor the logs it appends to.
func anchorLogs(db *database.DB, pepper crypto.Pepper) error {
	key, err := chain.NewKey(pepper)
	if err != nil {
		return err
	}
	return store.UseChainKey(db, key)
}

// anchorLogsIfPeppered calls anchorLogs when the deployment has a pepper
// already (set, or its file in the data folder), without making one: a
// command that makes the pepper (newStaff) anchors the logs itself.
func anchorLogsIfPeppered(cfg *config.Config, db *database.DB, log *slog.Logger) error {
	if cfg.Pepper == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "pepper")); err != nil {
			return nil
		}
	}
	pepper, err := loadPepper(cfg, db.Dialect, log)
	if err != nil {
		return err
	}
	return anchorLogs(db, pepper)
}

// anchorWitness returns the witness that keeps copies of the logs'
// anchors in blobs, outside the database.
func anchorWitness(cfg *config.Config, db *database.DB, blobs blob.Store, log *slog.Logger) (*chain.Witness, error) {
	key, err := chainKey(cfg, db.Dialect, log)
	if err != nil {
		return nil, err
	}
	return &chain.Witness{Store: store.New(db), Blobs: blobs, Key: key, Now: time.Now, Logger: log}, nil
}

// checkTail checks that a log still ends where its anchor in the database
// and its copy in the blob store say it does.
func checkTail(ctx context.Context, cfg *config.Config, db *database.DB, name chain.Name, log *slog.Logger) (chain.Report, error) {
	blobs, err := blob.Open(cfg.BlobURL)
	if err != nil {
		return chain.Report{}, err
	}
	w, err := anchorWitness(cfg, db, blobs, log)
	if err != nil {
		return chain.Report{}, err
	}
	r, err := w.Check(ctx, name)
	if err != nil {
		return r, fmt.Errorf("checking the anchors of the %s: %w", name, safe(err))
	}
	return r, nil
}
