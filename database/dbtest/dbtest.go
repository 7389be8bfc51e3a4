// Package dbtest gives tests fresh, empty databases: a SQLite file in a temp
// folder, or a new PostgreSQL database created on the server named by
// TIPLINE_TEST_DATABASE_URL and dropped when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for the admin connection

	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/internal/testenv"
)

// URL returns the TIPLINE_DATABASE_URL of a fresh, empty database of the given
// dialect, removed when tb ends.
func URL(tb testing.TB, dialect database.Dialect) string {
	tb.Helper()
	if dialect == database.SQLite {
		return filepath.Join(tb.TempDir(), "tipline.db")
	}
	admin := testenv.Get(tb, testenv.DatabaseURL)
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("parse %s: %v", testenv.DatabaseURL, err)
	}
	name := "t_" + randomHex(tb, 8)
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.Exec("CREATE DATABASE " + name); err != nil {
		conn.Close()
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		defer conn.Close()
		if _, err := conn.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Open returns a fresh database of the given dialect with every migration
// applied, closed when tb ends.
func Open(tb testing.TB, dialect database.Dialect) *database.DB {
	tb.Helper()
	db := OpenEmpty(tb, dialect)
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// OpenEmpty is Open without migrations.
func OpenEmpty(tb testing.TB, dialect database.Dialect) *database.DB {
	tb.Helper()
	db, err := database.Open(context.Background(), URL(tb, dialect))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Dialects lists every supported dialect, for table tests.
var Dialects = []database.Dialect{database.SQLite, database.Postgres}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}
