package blob

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Store keeps opaque blobs (always OpenPGP ciphertext) under random keys.
//
// Every method validates its key with [ValidKey] (List validates its prefix,
// which may be empty) and returns an error wrapping [ErrInvalidKey] for a bad
// one. A key must not also be the directory of another key, such as "a"
// beside "a/1": [Dir] cannot hold both. Keys from [NewKey] never collide so.
type Store interface {
	// Put stores the stream r, of unknown size, under key, replacing any blob
	// already there. The blob becomes visible only once it is complete; when
	// r fails or ctx ends first, nothing new is visible and an older blob
	// under key is left as it was.
	Put(ctx context.Context, key string, r io.Reader) (Info, error)
	// Get opens the blob under key for reading; the caller closes it. It
	// returns an error wrapping ErrNotFound when there is no such blob.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes the blob under key. It returns an error wrapping
	// ErrNotFound when there is no such blob.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the blob under key. Deleting a missing blob is not an
	// error.
	Delete(ctx context.Context, key string) error
	// List describes every blob whose key starts with prefix ("" for all),
	// sorted by key. The prefix is a plain string prefix: "a" matches "a/1"
	// and "ab".
	List(ctx context.Context, prefix string) ([]Info, error)
	// Move renames the blob under from to to, replacing any blob there. If it
	// fails, the blob is under from, or under to, or (after a crash halfway
	// on S3) under both; never under neither. It returns an error wrapping
	// ErrNotFound when there is nothing under from.
	Move(ctx context.Context, from, to string) error
	// BeginAssembly starts a blob under key that arrives in pieces
	// (PutPiece) and appears under key, whole, only when FinishAssembly
	// joins them where they were stored: no byte is read or written again.
	// The caller keeps the Assembly it returns to name it later. See
	// assemble.go.
	BeginAssembly(ctx context.Context, key string) (Assembly, error)
	// PutPiece stores piece n (from 0) of an assembly from r, the pieces
	// before it holding offset bytes, and returns its size. A piece sent
	// again replaces the one stored, once it has arrived whole, and drops
	// the pieces after it; a PutPiece that fails leaves the pieces as they
	// were. Every piece but the last must hold at least MinPiece bytes.
	// An error wraps ErrNotFound when the assembly is finished or
	// aborted, ErrFull when the store has no room left, and ErrPieces when
	// the store can tell that the pieces before n do not hold offset bytes
	// (a directory can; S3, which numbers its parts, needs no offset).
	PutPiece(ctx context.Context, a Assembly, n int, offset int64, r io.Reader) (int64, error)
	// FinishAssembly makes pieces 0 to len(sizes)-1 of an assembly, which
	// must have these sizes (ErrPieces if not, as far as the store can
	// tell), the blob under its key, replacing any blob there. Pieces
	// after them are dropped. An error wraps ErrNotFound when the assembly
	// is finished or aborted already.
	FinishAssembly(ctx context.Context, a Assembly, sizes []int64) (Info, error)
	// AbortAssembly drops an unfinished assembly with its pieces. Aborting
	// one that is finished or unknown is not an error, and leaves the
	// blob it became.
	AbortAssembly(ctx context.Context, a Assembly) error
	// Ping reports whether the store is reachable and usable, for /readyz.
	Ping(ctx context.Context) error
}

// Info describes a stored blob.
type Info struct {
	Key      string
	Size     int64     // bytes
	Modified time.Time // UTC; after a Put to S3, from the local clock
}

// ErrNotFound is wrapped by the errors of Get and Stat for a missing blob.
var ErrNotFound = errors.New("blob: not found")

// ErrFull is wrapped by the errors of Put when the store has no room left:
// the directory store's disk is full (or its quota reached), or the S3
// service says its storage is full.
var ErrFull = errors.New("blob: store full")

// ErrPieces is wrapped by the errors of PutPiece and FinishAssembly when
// the pieces stored are not the ones the caller names.
var ErrPieces = errors.New("blob: pieces missing or changed")

// ErrInvalidKey is wrapped by the errors for a key or prefix that breaks the
// rules of [ValidKey].
var ErrInvalidKey = errors.New("blob: invalid key")

// MaxKeyLen is the longest valid key, in bytes.
const MaxKeyLen = 256

// NewKey returns prefix followed by a random id of 26 lowercase base32
// characters (128 bits from crypto/rand). The prefix should be "" or a valid
// key followed by '/', as in NewKey("pending/").
func NewKey(prefix string) string {
	return prefix + strings.ToLower(rand.Text())
}

// ValidKey reports whether key is a valid blob key: one or more segments
// separated by '/', each made of lowercase letters, digits, '-' and '_', at
// most MaxKeyLen bytes in all. So a key has no leading or trailing slash, no
// empty segment and no "." or ".." segment. The error wraps ErrInvalidKey and
// never repeats the key, which may be untrusted.
func ValidKey(key string) error {
	if reason := keyProblem(key); reason != "" {
		return fmt.Errorf("%w: %s", ErrInvalidKey, reason)
	}
	return nil
}

// validPrefix reports whether prefix may be given to List: empty, or a valid
// key optionally followed by one '/'.
func validPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if reason := keyProblem(strings.TrimSuffix(prefix, "/")); reason != "" {
		return fmt.Errorf("%w prefix: %s", ErrInvalidKey, reason)
	}
	return nil
}

// keyProblem returns why key is invalid, or "" when it is valid.
func keyProblem(key string) string {
	switch {
	case key == "":
		return "empty"
	case len(key) > MaxKeyLen:
		return fmt.Sprintf("longer than %d bytes", MaxKeyLen)
	case key[0] == '/':
		return "leading slash"
	}
	for i, seg := range strings.Split(key, "/") {
		if seg == "" {
			return fmt.Sprintf("segment %d is empty", i+1)
		}
		for j := 0; j < len(seg); j++ {
			c := seg[j]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return fmt.Sprintf("segment %d has a byte outside [a-z0-9_-]", i+1)
			}
		}
	}
	return ""
}

// ctxReader fails reads once ctx is done, so a Put stops promptly.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
