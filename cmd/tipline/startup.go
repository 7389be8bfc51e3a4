package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/config"
	"github.com/tipline/tipline/database"
)

// The pauses between start-up attempts: doubling from the first, at most
// the last; each attempt may take up to attemptTimeout.
const (
	firstRetryPause = time.Second
	maxRetryPause   = 30 * time.Second
	attemptTimeout  = 10 * time.Second
)

// dependency is something serve needs before it can listen.
type dependency struct {
	what string // "PostgreSQL at db:5432": never a password
	try  func(ctx context.Context) error
}

// awaitDependency runs dep.try until it succeeds, with doubling pauses
// between attempts, and logs each failure with the dependency's name, the
// attempt and the next pause. Once timeout has passed it gives up with an
// error that names the dependency. secrets are cut from what it logs.
func awaitDependency(ctx context.Context, log *slog.Logger, timeout time.Duration, dep dependency, secrets ...string) error {
	deadline := time.Now().Add(timeout)
	pause := firstRetryPause
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, min(attemptTimeout, max(time.Until(deadline), time.Second)))
		err := dep.try(actx)
		cancel()
		if err == nil {
			if attempt > 1 {
				log.Info(fmt.Sprintf("%s is reachable (attempt %d)", dep.what, attempt))
			}
			return nil
		}
		cause := startupCause(err, secrets)
		if ctx.Err() != nil {
			return fmt.Errorf("stopped while waiting for %s: %s", dep.what, cause)
		}
		if time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("%s is not reachable after %d attempts in %s (TIPLINE_STARTUP_TIMEOUT): %s",
				dep.what, attempt, timeout, cause)
		}
		log.Warn(fmt.Sprintf("waiting for %s (attempt %d, next in %s): %s", dep.what, attempt, pause, cause))
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped while waiting for %s: %s", dep.what, cause)
		case <-time.After(pause):
		}
		pause = min(2*pause, maxRetryPause)
	}
}

// startupCause is the part of a connection error an operator needs: the
// network error itself ("connect: connection refused") when there is one,
// else the whole text with every secret cut out.
func startupCause(err error, secrets []string) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	text := err.Error()
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, "xxxxx")
		}
	}
	return text
}

// databaseDependency describes the configured database for start-up: it
// connects, and the connection is kept in *db.
func databaseDependency(cfg *config.Config, db **database.DB) (dependency, []string) {
	dep := dependency{try: func(ctx context.Context) error {
		var err error
		*db, err = database.Open(ctx, cfg.DatabaseURL)
		return err
	}}
	t, err := database.ParseURL(cfg.DatabaseURL)
	if err != nil || t.Dialect == database.SQLite {
		dep.what = "the SQLite database at " + t.Path
		return dep, nil
	}
	u, _ := url.Parse(cfg.DatabaseURL) // ParseURL checked it
	dep.what = "PostgreSQL at " + u.Host
	password, _ := u.User.Password()
	return dep, []string{password}
}

// blobDependency describes the configured blob store for start-up: the
// bucket of an S3 store is made if missing, a folder must take a file.
func blobDependency(cfg *config.Config, blobs blob.Store) (dependency, []string) {
	u, err := url.Parse(cfg.BlobURL)
	if err != nil || u.Scheme != "s3" {
		return dependency{what: "the blob folder " + cfg.BlobURL, try: blobs.Ping}, nil
	}
	password, _ := u.User.Password()
	secrets := []string{password, u.User.Username()}
	u.User, u.RawQuery = nil, ""
	dep := dependency{what: "the blob store at " + u.String(), try: blobs.Ping}
	if s3, ok := blobs.(*blob.S3); ok {
		dep.try = s3.EnsureBucket
	}
	return dep, secrets
}
