package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/server"
)

// startupTimeout bounds connecting to and migrating the database at start.
const startupTimeout = time.Minute

func serve(ctx context.Context, p *program, args []string) error {
	cfg, err := loadConfig(p, "serve", args)
	if err != nil {
		return err
	}
	log := newLogger(p.stderr, cfg.LogLevel)

	db, err := openDatabase(ctx, cfg, cfg.Migrate, log)
	if err != nil {
		return err
	}
	defer db.Close()

	blobs, err := blob.Open(cfg.BlobURL)
	if err != nil {
		return err
	}
	if s3, ok := blobs.(*blob.S3); ok {
		// The bucket is made once; if the store is down now, /readyz says so
		// until it is back.
		bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := s3.EnsureBucket(bctx); err != nil {
			log.Warn("blob store not ready at start-up", "err", err)
		}
		cancel()
	}

	srv, err := server.New(server.Deps{Config: cfg, DB: db, Blobs: blobs, Logger: log, Version: versionString()})
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	if p.onListen != nil {
		p.onListen(srv.Addr("intake"), srv.Addr("casework"))
	}
	return srv.Serve(ctx)
}

// loadConfig parses a command's settings; an invalid one is a usage error.
func loadConfig(p *program, name string, args []string) (*config.Config, error) {
	cfg, err := config.Load(name, args, p.getenv, p.stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, nil
}

// openDatabase connects and, when migrate is set, applies pending migrations.
func openDatabase(ctx context.Context, cfg *config.Config, migrate bool, log *slog.Logger) (*database.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	db, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		for _, m := range applied {
			log.Info("migration applied", "version", m.Version, "name", m.Name)
		}
	}
	return db, nil
}
