package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
)

// ErrNotEmpty is returned by Restore for a deployment that already holds
// a database or blobs.
var ErrNotEmpty = errors.New("backup: the deployment to restore into is not empty")

// Restore copies the copy in dir into the empty deployment at databaseURL
// and blobs: it refuses a copy whose files differ from its manifest, a copy
// of the other dialect, and a deployment whose database has any table or
// whose blob store has any blob. The database is restored first, then the
// blobs. Migrations are left to the caller. After a failure, empty the
// deployment again before the next attempt.
func Restore(ctx context.Context, dir, databaseURL string, blobs blob.Store) (Manifest, error) {
	m, problems, err := Verify(dir)
	if err != nil {
		return m, err
	}
	if len(problems) > 0 {
		return m, fmt.Errorf("backup: the copy differs from its manifest (%d files, first %s); run `tipline backup verify`", len(problems), problems[0])
	}
	t, err := database.ParseURL(databaseURL)
	if err != nil {
		return m, err
	}
	if t.Dialect != m.Dialect {
		return m, fmt.Errorf("backup: the copy is of a %s database, the deployment uses %s", m.Dialect, t.Dialect)
	}
	infos, err := blobs.List(ctx, "")
	if err != nil {
		return m, err
	}
	if len(infos) > 0 {
		return m, fmt.Errorf("%w: its blob store holds %d blobs", ErrNotEmpty, len(infos))
	}
	switch t.Dialect {
	case database.SQLite:
		err = restoreSQLite(dir, t.Path)
	case database.Postgres:
		err = restorePostgres(ctx, dir, databaseURL)
	}
	if err != nil {
		return m, err
	}
	for _, f := range m.Files {
		key, ok := strings.CutPrefix(f.Path, blobsFolder+"/")
		if !ok {
			continue
		}
		if err := putBlob(ctx, blobs, key, filepath.Join(dir, filepath.FromSlash(f.Path))); err != nil {
			return m, err
		}
	}
	return m, nil
}

// restoreSQLite copies the database file to path, which must not exist.
func restoreSQLite(dir, path string) error {
	for _, name := range []string{path, path + "-wal"} {
		if _, err := os.Stat(name); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: %s exists", ErrNotEmpty, name)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	src, err := os.Open(filepath.Join(dir, filepath.FromSlash(sqliteCopy)))
	if err != nil {
		return err
	}
	defer src.Close()
	return writeNew(path, src)
}

// restorePostgres restores the dump into a database without tables, in
// one transaction.
func restorePostgres(ctx context.Context, dir, databaseURL string) error {
	db, err := database.Open(ctx, databaseURL)
	if err != nil {
		return err
	}
	var tables int64
	err = db.WithContext(ctx).Raw("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()").Scan(&tables).Error
	db.Close()
	if err != nil {
		return err
	}
	if tables > 0 {
		return fmt.Errorf("%w: its database has %d tables", ErrNotEmpty, tables)
	}
	return runPG(ctx, "pg_restore", databaseURL, "--no-owner", "--no-privileges", "--no-comments",
		"--exit-on-error", "--single-transaction", filepath.Join(dir, filepath.FromSlash(postgresDump)))
}

func putBlob(ctx context.Context, blobs blob.Store, key, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := blobs.Put(ctx, key, f); err != nil {
		return fmt.Errorf("backup: restore blob %s: %w", key, err)
	}
	return nil
}
