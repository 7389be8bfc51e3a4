package database

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// sqliteFull is SQLITE_FULL, the primary result code SQLite gives when a
// write finds the disk (or the database's size limit) full.
const sqliteFull = 13

// pgDiskFull is PostgreSQL's SQLSTATE disk_full.
const pgDiskFull = "53100"

// IsFull reports whether err says the database could not write because
// its disk is full: SQLITE_FULL (in its primary or an extended code),
// PostgreSQL's disk_full, or ENOSPC itself.
func IsFull(err error) bool {
	var coded interface{ Code() int } // the SQLite driver's *Error
	if errors.As(err, &coded) && coded.Code()&0xff == sqliteFull {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == pgDiskFull {
		return true
	}
	return errors.Is(err, syscall.ENOSPC)
}

// IsUnreachable reports whether err says the database could not be
// reached or went away mid-request: a refused or broken connection (a
// query on a connection closed meanwhile included), or
// PostgreSQL shutting down, restarting or not yet accepting connections
// (SQLSTATE classes 08 and 57P). Such a request may succeed once the
// database is back.
func IsUnreachable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57P")
	}
	var httpErr *url.Error // an HTTP client's (the blob store's), never the database's
	if errors.As(err, &httpErr) {
		return false
	}
	var connect *pgconn.ConnectError
	var netErr *net.OpError
	return errors.As(err, &connect) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}
