// Package database opens Tipline's relational store through gorm: PostgreSQL
// in production, SQLite (pure Go, no cgo) as the embedded default. The schema
// of record is the SQL in package migrations, applied with goose; gorm's
// AutoMigrate is never used.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names a supported database engine.
type Dialect string

// The supported dialects, named like the migration folders.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Target is a parsed TIPLINE_DATABASE_URL.
type Target struct {
	Dialect Dialect
	DSN     string // connection string for the driver
	Path    string // SQLite file path; empty for PostgreSQL
}

// ParseURL accepts postgres://… (or postgresql://…) URLs and SQLite file paths
// (optionally written sqlite:PATH). Errors never repeat the URL, which may hold
// a password.
func ParseURL(raw string) (Target, error) {
	switch {
	case raw == "":
		return Target{}, errors.New("database URL is empty")
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			return Target{}, errors.New("not a valid postgres://USER:PASS@HOST:PORT/DB URL")
		}
		return Target{Dialect: Postgres, DSN: raw}, nil
	case strings.Contains(raw, "://"):
		return Target{}, errors.New("unsupported scheme: use postgres://… or a SQLite file path")
	}
	path := strings.TrimPrefix(raw, "sqlite:")
	if path == "" || strings.ContainsAny(path, "?#") {
		return Target{}, errors.New("not a valid SQLite file path")
	}
	// WAL keeps readers and the writer apart; synchronous=FULL makes a
	// committed submission survive power loss; _txlock=immediate takes the
	// write lock at BEGIN so concurrent writers wait instead of failing;
	// secure_delete overwrites deleted rows with zeros instead of leaving
	// them in free pages (Checkpoint clears them from the WAL).
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=secure_delete(1)&_txlock=immediate"
	return Target{Dialect: SQLite, DSN: dsn, Path: path}, nil
}

// DB is an open database with its dialect.
type DB struct {
	*gorm.DB
	Dialect Dialect
}

// Open connects to the database named by rawURL, creating the SQLite file's
// folder when needed. It does not migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	t, err := ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	cfg := &gorm.Config{Logger: logger.Discard, TranslateError: true, NowFunc: func() time.Time { return time.Now().UTC() }}
	var g *gorm.DB
	switch t.Dialect {
	case Postgres:
		g, err = gorm.Open(postgres.Open(t.DSN), cfg)
	case SQLite:
		if err := createPrivate(t.Path); err != nil {
			return nil, err
		}
		g, err = gorm.Open(sqlite.Open(t.DSN), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("database: open %s: %w", t.Dialect, err)
	}
	db := &DB{DB: g, Dialect: t.Dialect}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	// Connections stay open while idle, up to the pool's size: with
	// database/sql's default of two idle ones, every burst of requests
	// (a flood, a busy hour) closed and reopened connections, and each new
	// PostgreSQL connection is a new server process.
	if t.Dialect == SQLite {
		// One writer at a time is SQLite's model; a small pool avoids
		// lock contention between pooled connections.
		sqlDB.SetMaxOpenConns(4)
		sqlDB.SetMaxIdleConns(4)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := db.Ping(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// SQL returns the underlying *sql.DB.
func (db *DB) SQL() *sql.DB {
	sqlDB, err := db.DB.DB()
	if err != nil {
		// gorm only fails here when its ConnPool is not a *sql.DB, which
		// Open never configures.
		panic(err)
	}
	return sqlDB
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.SQL().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("database: ping %s: %w", db.Dialect, err)
	}
	return nil
}

// Checkpoint copies SQLite's write-ahead log into the database file and
// truncates the log to nothing, so that rows deleted so far (zeroed in the
// file by secure_delete) are gone from the log too. A checkpoint that
// readers hold back is left to the next call. On PostgreSQL it does
// nothing: its deleted rows are reclaimed by autovacuum.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	if _, err := db.SQL().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("database: checkpoint: %w", err)
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	return db.SQL().Close()
}

// createPrivate creates the SQLite file and its folder readable by the owner
// only, before SQLite opens it (SQLite gives its WAL files the same mode).
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("database: create folder for SQLite file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("database: create SQLite file: %w", err)
	}
	return f.Close()
}
