// Package backup copies a Tipline deployment (its database and the blobs
// the database refers to) to a folder with a manifest of SHA-256 sums,
// checks such a copy, and restores it into an empty deployment.
//
// A copy holds:
//
//	manifest.json             format, dialect, day, every file's size and SHA-256
//	database/tipline.db       SQLite: a consistent copy made with VACUUM INTO
//	database/tipline.pgdump   PostgreSQL: pg_dump's custom format
//	blobs/KEY                 every blob a row of the copied database names
//
// The blobs are exactly those the copied database refers to (committed
// submissions' objects, mailbox messages and case documents, including
// those still under pending/ until the janitor's daily batch moves them),
// read after the database copy was made, so every row finds its blob and
// no blob is left without a row. Not copied: uploads in progress (pending
// blobs no row names, uploads/: their sources were never shown a
// codename), and the copies of the log
// anchors (anchors/: a restored deployment starts them again from its
// restored anchors). The pepper is never part of a copy.
package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "github.com/glebarez/go-sqlite" // database/sql driver "sqlite", to read a database copy

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
)

// Format names the layout of a copy.
const Format = "tipline-backup v1"

// Names inside a copy.
const (
	ManifestName = "manifest.json"
	sqliteCopy   = "database/tipline.db"
	postgresDump = "database/tipline.pgdump"
	blobsFolder  = "blobs"
)

// Manifest describes a copy.
type Manifest struct {
	Format  string           `json:"format"`
	Dialect database.Dialect `json:"dialect"`
	Day     string           `json:"day"` // the UTC day the copy was made
	Files   []File           `json:"files"`
}

// File is one file of a copy, by its slash-separated path inside it.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// blobKeysQuery lists every blob key a row refers to.
const blobKeysQuery = "SELECT blob_key FROM objects UNION SELECT blob_key FROM case_documents ORDER BY 1"

// Make copies the deployment on db and blobs to dir, which must be new or
// empty, and writes its manifest last.
func Make(ctx context.Context, db *database.DB, databaseURL string, blobs blob.Store, dir string, now time.Time) (Manifest, error) {
	m := Manifest{Format: Format, Dialect: db.Dialect, Day: now.UTC().Format(time.DateOnly)}
	if err := emptyFolder(dir); err != nil {
		return m, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "database"), 0o700); err != nil {
		return m, err
	}
	var keys []string
	var err error
	var dbFile string
	switch db.Dialect {
	case database.SQLite:
		dbFile = sqliteCopy
		keys, err = copySQLite(ctx, db, filepath.Join(dir, filepath.FromSlash(sqliteCopy)))
	case database.Postgres:
		dbFile = postgresDump
		keys, err = dumpPostgres(ctx, db, databaseURL, filepath.Join(dir, filepath.FromSlash(postgresDump)))
	}
	if err != nil {
		return m, err
	}
	f, err := describe(dir, dbFile)
	if err != nil {
		return m, err
	}
	m.Files = append(m.Files, f)
	for _, key := range keys {
		f, err := copyBlob(ctx, blobs, key, dir)
		if err != nil {
			return m, err
		}
		m.Files = append(m.Files, f)
	}
	return m, writeManifest(dir, m)
}

// writeManifest writes m, its files sorted by path, as dir's manifest.
func writeManifest(dir string, m Manifest) error {
	slices.SortFunc(m.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeNew(filepath.Join(dir, ManifestName), bytes.NewReader(append(b, '\n')))
}

// copySQLite writes a consistent copy of the database to dst with VACUUM
// INTO (no free pages, so nothing deleted lingers in it) and returns the
// blob keys the copy refers to.
func copySQLite(ctx context.Context, db *database.DB, dst string) ([]string, error) {
	if err := db.WithContext(ctx).Exec("VACUUM INTO ?", dst).Error; err != nil {
		return nil, fmt.Errorf("backup: copy the SQLite database: %w", err)
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return nil, err
	}
	c, err := sql.Open("sqlite", "file:"+dst+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return blobKeys(ctx, c)
}

// dumpPostgres runs pg_dump on a snapshot exported by a transaction that
// also lists the blob keys, so the keys are those of the dump.
func dumpPostgres(ctx context.Context, db *database.DB, databaseURL, dst string) ([]string, error) {
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var snapshot string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&snapshot); err != nil {
		return nil, err
	}
	keys, err := blobKeys(ctx, tx)
	if err != nil {
		return nil, err
	}
	err = runPG(ctx, "pg_dump", databaseURL, "--format=custom", "--no-owner", "--no-privileges", "--snapshot="+snapshot, "--file="+dst)
	if err != nil {
		return nil, err
	}
	return keys, os.Chmod(dst, 0o600)
}

// runPG runs a PostgreSQL client program on the database at databaseURL,
// handing it the password in the environment rather than on its command
// line, where other users of the machine could read it.
func runPG(ctx context.Context, program, databaseURL string, args ...string) error {
	bin, err := exec.LookPath(program)
	if err != nil {
		return fmt.Errorf("backup: %s not found: install the PostgreSQL client of the server's major version (see the README)", program)
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return errors.New("backup: the database URL does not parse")
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
		}
		u.User = url.User(u.User.Username())
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"--dbname=" + u.String()}, args...)...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("backup: %s: %w: %s", program, err, strings.TrimSpace(string(out)))
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func blobKeys(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, blobKeysQuery)
	if err != nil {
		return nil, fmt.Errorf("backup: list blob keys: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// copyBlob copies the blob under key to dir/blobs/KEY. A committed blob
// whose row still names its pending key may have finished its move to
// objects/ since the database was copied: it is read from there and kept
// under the key its row names, where a restored deployment's janitor
// finishes the move again.
func copyBlob(ctx context.Context, blobs blob.Store, key, dir string) (File, error) {
	if err := blob.ValidKey(key); err != nil {
		return File{}, fmt.Errorf("backup: a row names a bad blob key: %w", err)
	}
	r, err := blobs.Get(ctx, key)
	if id, pending := strings.CutPrefix(key, "pending/"); pending && errors.Is(err, blob.ErrNotFound) {
		r, err = blobs.Get(ctx, "objects/"+id)
	}
	if err != nil {
		return File{}, fmt.Errorf("backup: blob %s: %w", key, err)
	}
	defer r.Close()
	rel := path.Join(blobsFolder, key)
	name := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return File{}, err
	}
	w, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if serr := w.Sync(); err == nil {
		err = serr
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("backup: blob %s: %w", key, err)
	}
	return File{Path: rel, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// describe hashes the file at the slash-separated rel inside dir.
func describe(dir, rel string) (File, error) {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return File{}, err
	}
	return File{Path: rel, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// emptyFolder makes dir (mode 0700) or checks that it is empty.
func emptyFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("backup: %s is not empty", dir)
	}
	return nil
}

// writeNew writes r to a new file (mode 0600) and syncs it.
func writeNew(name string, r io.Reader) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
