package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/quitam"
	"github.com/tipline/tipline/screening"
	"github.com/tipline/tipline/server"
	"github.com/tipline/tipline/store"
)

// startupTimeout bounds connecting to the database (for commands other than
// serve, which waits up to TIPLINE_STARTUP_TIMEOUT) and migrating it.
const startupTimeout = time.Minute

func serve(ctx context.Context, p *program, args []string) error {
	cfg, rest, err := parseArgs(p, config.NewFlagSet("serve", "", p.stderr), args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	if err := cfg.CheckPepperPlacement(); err != nil {
		return err
	}
	log := newLogger(p.stderr, cfg.LogLevel)

	db, blobs, err := awaitBackends(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()

	in, err := newIntake(ctx, cfg, db, blobs, log)
	if err != nil {
		return err
	}
	staff, err := newStaff(cfg, db, log)
	if err != nil {
		return err
	}
	notices, sender, err := newNotify(cfg, db, in, log)
	if err != nil {
		return err
	}
	witness, err := anchorWitness(cfg, db, blobs, log)
	if err != nil {
		return err
	}
	staff.Anchors = witness
	cases := &casework.Cases{Store: store.New(db), Now: time.Now}
	grants := &casework.Grants{Store: store.New(db), Now: time.Now}
	triage := &casework.Triage{Store: store.New(db), Now: time.Now}
	admin := &casework.Admin{Store: store.New(db), Desks: in.Desks, Staff: staff, Questionnaires: in.Questionnaires}
	in.Questionnaires = (&intake.StoredQuestionnaires{Store: store.New(db), Fallback: in.Questionnaires, CacheFor: deskCacheFor, Now: time.Now}).For
	onboarding := &casework.Onboarding{Staff: staff, Store: store.New(db)}
	receipts, err := claims.IntakeReceipts(in.Receipts, store.New(db))
	if err != nil {
		return err
	}
	srv, err := server.New(server.Deps{Config: cfg, DB: db, Blobs: blobs, Intake: in, Staff: staff,
		Triage:     triage,
		Cases:      cases,
		Grants:     grants,
		Documents:  &casework.Documents{Cases: cases, Grants: grants, Store: store.New(db), Blobs: blobs, Recipients: in.Desks.Recipients},
		Objects:    &casework.Objects{Triage: triage, Grants: grants, Store: store.New(db), Bodies: in, Now: time.Now},
		Replies:    &casework.Replies{Triage: triage, Mailbox: in, Store: store.New(db), Recipients: in.Desks.Recipients, Now: time.Now},
		Entities:   &entities.Service{Store: store.New(db), Screener: entities.Lists{Service: screening.New(store.New(db))}, Now: time.Now},
		Claims:     &claims.Service{Store: store.New(db), Pepper: staff.Pepper, Receipts: receipts, Now: time.Now},
		QuiTam:     &quitam.Service{Store: store.New(db), Now: time.Now},
		Onboarding: onboarding,
		Admin:      admin,
		Retention:  newRetention(db, blobs, time.Now),
		Notify:     notices,
		Logger:     log, Version: versionString()})
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		return err
	}
	in.Swept = srv.CountJanitorSweep
	in.IdentitiesAhead = intake.DefaultIdentitiesAhead
	in.MakeIdentitiesAhead()
	go in.RunJanitor(ctx, cfg.JanitorInterval)
	go in.RunIdleSweep(ctx)
	go runRetentionDaily(ctx, db, blobs, log)
	go witness.Run(ctx, anchorCopyInterval)
	if cfg.Notify.Sender {
		go sender.Run(ctx)
	}
	if err := printSetupLink(ctx, p.stdout, onboarding, srv.Addr("casework")); err != nil {
		return err
	}
	if p.onListen != nil {
		p.onListen(srv.Addr("intake"), srv.Addr("casework"), in)
	}
	return srv.Serve(ctx)
}

// parseArgs parses a command's arguments, in which flags (the command's own
// and every setting's) and positional arguments may come in any order, and
// resolves the settings. An invalid setting or flag is a usage error.
func parseArgs(p *program, fs *flag.FlagSet, args []string) (*config.Config, []string, error) {
	resolve := config.Bind(fs, p.getenv)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	cfg, err := resolve()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return cfg, positional, nil
}

// awaitBackends connects to the database and the blob store, waiting up
// to the start-up timeout for each that is not reachable yet (a database
// that starts after the app, a blob store being restarted), and applies
// pending migrations when the settings say so.
func awaitBackends(ctx context.Context, cfg *config.Config, log *slog.Logger) (*database.DB, blob.Store, error) {
	var db *database.DB
	dep, secrets := databaseDependency(cfg, &db)
	if err := awaitDependency(ctx, log, cfg.StartupTimeout, dep, secrets...); err != nil {
		return nil, nil, err
	}
	db, err := prepareDatabase(ctx, cfg, db, cfg.Migrate, log)
	if err != nil {
		return nil, nil, err
	}
	blobs, err := blob.Open(cfg.BlobURL)
	if s3, ok := blobs.(*blob.S3); ok {
		spillSlowParts(s3, log)
	}
	if err == nil {
		dep, secrets = blobDependency(cfg, blobs)
		err = awaitDependency(ctx, log, cfg.StartupTimeout, dep, secrets...)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, blobs, nil
}

// spillSlowParts lets the parts of slow uploads to S3, and of uploads past
// the memory budget, move out of memory into unnamed files in the system's
// temporary folder ($TMPDIR, or /tmp; see blob.S3.SpillTo). A node that
// cannot do so still serves, with a warning: its uploads then hold their
// parts in memory, and slow connections enough can use it all up.
func spillSlowParts(s3 *blob.S3, log *slog.Logger) {
	if err := s3.SpillTo(os.TempDir()); err != nil {
		log.Warn("uploads to S3 will hold their parts in memory: give TMPDIR a writable local folder", "err", err)
	}
}

// openDatabase connects and, when migrate is set, applies pending migrations.
func openDatabase(ctx context.Context, cfg *config.Config, migrate bool, log *slog.Logger) (*database.DB, error) {
	octx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	db, err := database.Open(octx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	return prepareDatabase(ctx, cfg, db, migrate, log)
}

// prepareDatabase anchors the logs and, when migrate is set, applies pending
// migrations to the open db; it closes db when it fails.
func prepareDatabase(ctx context.Context, cfg *config.Config, db *database.DB, migrate bool, log *slog.Logger) (*database.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	if err := anchorLogsIfPeppered(cfg, db, log); err != nil {
		db.Close()
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

// printSetupLink prints, while no admin account exists, a new one-time
// link to the page that creates the first one on the casework listener at
// addr. Each start prints a new link and the one before stops working.
func printSetupLink(ctx context.Context, stdout io.Writer, o *casework.Onboarding, addr string) error {
	token, err := o.SetupToken(ctx)
	if err != nil || token == "" {
		return err
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1" // listening on every address: loopback is one of them
	}
	fmt.Fprintf(stdout, "No admin account yet. Create the first one within %s, once, at:\n  http://%s/setup/%s\n",
		casework.DefaultSetupTTL, net.JoinHostPort(host, port), token)
	return nil
}
