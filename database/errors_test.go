package database_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/tipline/tipline/database"
)

// TestIsFull: a real SQLite database that reaches its page limit fails
// with SQLITE_FULL, as it does on a full disk, and IsFull says so; other
// database errors are not "full".
func TestIsFull(t *testing.T) {
	ctx := context.Background()
	db, err := database.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"CREATE TABLE t (v TEXT)", "CREATE TABLE u (k TEXT UNIQUE)", "INSERT INTO u VALUES ('a')"} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	duplicate := db.Exec("INSERT INTO u VALUES ('a')").Error
	var full error
	err = db.Connection(func(conn *gorm.DB) error { // max_page_count holds for one connection
		if err := conn.Exec("PRAGMA max_page_count = 8").Error; err != nil {
			return err
		}
		for range 100 {
			if full = conn.Session(&gorm.Session{}).Exec("INSERT INTO t (v) VALUES (?)", strings.Repeat("x", 4000)).Error; full != nil {
				return nil
			}
		}
		return errors.New("the database never filled up")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"SQLiteFull", full, true},
		{"SQLiteFullWrapped", fmt.Errorf("commit: %w", full), true},
		{"SQLiteDuplicate", duplicate, false},
		{"PostgresDiskFull", &pgconn.PgError{Code: "53100"}, true},
		{"PostgresUniqueViolation", &pgconn.PgError{Code: "23505"}, false},
		{"NoSpace", fmt.Errorf("write: %w", syscall.ENOSPC), true},
		{"Other", errors.New("connection refused"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("no error to classify")
			}
			if got := database.IsFull(tc.err); got != tc.want {
				t.Errorf("IsFull(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

// TestIsUnreachable: connecting to a PostgreSQL port where nothing listens
// fails in a way IsUnreachable recognises, as do PostgreSQL's shutdown
// codes; a constraint violation and a full disk are not "unreachable".
func TestIsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, refused := database.Open(context.Background(), "postgres://postgres@"+addr+"/tipline?sslmode=disable&connect_timeout=5")
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"ConnectionRefused", refused, true},
		{"AdminShutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"CannotConnectNow", &pgconn.PgError{Code: "57P03"}, true},
		{"ConnectionFailure", fmt.Errorf("query: %w", &pgconn.PgError{Code: "08006"}), true},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, false},
		{"DiskFull", &pgconn.PgError{Code: "53100"}, false},
		{"Other", errors.New("no such table"), false},
		{"BlobStoreHTTP", &url.Error{Op: "Put", URL: "http://minio:9000/tips/x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("no error to classify")
			}
			if got := database.IsUnreachable(tc.err); got != tc.want {
				t.Errorf("IsUnreachable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
