package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// deskCacheFor is how long a server keeps desks and their keys in memory
// (intake.Desks.CacheFor): a key added or removed with the CLI takes
// effect on a running server within it.
const deskCacheFor = 5 * time.Second

// newIntake builds the intake service on an open database and blob store.
func newIntake(ctx context.Context, cfg *config.Config, db *database.DB, blobs blob.Store, log *slog.Logger) (*intake.Service, error) {
	pepper, err := loadPepper(cfg, db.Dialect, log)
	if err != nil {
		return nil, err
	}
	questionnaires, err := loadQuestionnaires(cfg.QuestionnaireDir)
	if err != nil {
		return nil, err
	}
	st := store.New(db)
	signer, err := intake.LoadReceiptSigner(ctx, st, pepper)
	if err != nil {
		return nil, err
	}
	return &intake.Service{
		Desks:          &intake.Desks{Store: st, Now: time.Now, CacheFor: deskCacheFor},
		Store:          st,
		Blobs:          blobs,
		Questionnaires: questionnaires,
		Pepper:         pepper,
		CodenameParams: crypto.DefaultCodenameParams,
		Receipts:       signer,
		Rates:          st,
		Limits: intake.Limits{PerDeskPerHour: cfg.DeskHourlyLimit, TotalPerHour: cfg.TotalHourlyLimit,
			PendingBytes: cfg.PendingBytesBudget, CommittedBytesPerHour: cfg.CommittedBytesPerHour, PendingMaxAge: cfg.PendingMaxAge},
		PowBits: intake.DefaultPowBits,
		Uploads: intake.UploadLimits{MaxFileBytes: cfg.MaxFileBytes, MaxSessions: cfg.MaxUploadSessions, IdleAfter: cfg.UploadIdle},
		Logger:  intake.NewLogger(log.Handler()),
		Now:     time.Now,
	}, nil
}

// loadPepper returns TIPLINE_PEPPER, or the pepper in DATA_DIR/pepper,
// creating that file (mode 0600) on first use. The pepper must never be
// stored in the database: it is what makes a stolen database alone useless
// for guessing codenames.
func loadPepper(cfg *config.Config, dialect database.Dialect, log *slog.Logger) (crypto.Pepper, error) {
	if cfg.Pepper != "" {
		b, err := hex.DecodeString(cfg.Pepper)
		return crypto.Pepper(b), err
	}
	if dialect == database.Postgres {
		log.Warn("TIPLINE_PEPPER is not set: using a pepper file in the data folder; every app node must share the same pepper")
	}
	path := filepath.Join(cfg.DataDir, "pepper")
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("pepper: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, werr := f.WriteString(hex.EncodeToString(crypto.NewPepper()) + "\n")
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return nil, fmt.Errorf("pepper: %w", werr)
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("pepper: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pepper: %w", err)
	}
	p, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(p) < 32 {
		return nil, fmt.Errorf("pepper: %s does not hold 64 hex digits", path)
	}
	return crypto.Pepper(p), nil
}

// loadQuestionnaires reads the SLUG.json overrides in dir once, at start,
// and returns the lookup the intake service uses.
func loadQuestionnaires(dir string) (func(string) *intake.Questionnaire, error) {
	overrides := map[string]*intake.Questionnaire{}
	if dir != "" {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			q, err := intake.LoadQuestionnaireFile(f)
			if err != nil {
				return nil, fmt.Errorf("questionnaire %s: %w", f, err)
			}
			overrides[strings.TrimSuffix(filepath.Base(f), ".json")] = q
		}
	}
	def := intake.DefaultQuestionnaire()
	return func(slug string) *intake.Questionnaire {
		if q, ok := overrides[slug]; ok {
			return q
		}
		return def
	}, nil
}
