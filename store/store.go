// Package store keeps Tipline's domain objects in the database through gorm.
// Each exported method is one transaction; database errors become
// tipline.Error codes at this boundary.
package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/database"
)

// Store implements the domain packages' store interfaces.
type Store struct {
	db *database.DB
}

// New returns a Store on an open, migrated database.
func New(db *database.DB) *Store {
	return &Store{db: db}
}

// Checkpoint implements intake.SubmissionStore.
func (s *Store) Checkpoint(ctx context.Context) error {
	return s.db.Checkpoint(ctx)
}

// translate maps gorm's errors onto domain codes; what names the thing that
// was not found or already exists, in words safe to show.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return tipline.Wrap(tipline.NotFound, err, what+" not found.")
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return tipline.Wrap(tipline.Conflict, err, what+" already exists.")
	}
	var te *tipline.Error
	if errors.As(err, &te) {
		return err
	}
	return tipline.Wrap(tipline.Internal, err, "Internal error.")
}

// chainTail returns the next sequence number of a hash-chained log table
// (intake_log, audit_log) and the hash of its last entry (zero when empty).
// Appends are serialized: by an exclusive table lock on PostgreSQL, held
// until tx ends, and by SQLite's single writer (transactions begin
// IMMEDIATE).
func (s *Store) chainTail(tx *gorm.DB, table, what string) (int64, [32]byte, error) {
	var prev [32]byte
	if s.db.Dialect == database.Postgres {
		if err := tx.Exec("LOCK TABLE " + table + " IN EXCLUSIVE MODE").Error; err != nil {
			return 0, prev, translate(err, what)
		}
	}
	var last struct {
		Seq       int64
		EntryHash []byte
	}
	switch err := tx.Table(table).Select("seq, entry_hash").Order("seq DESC").Limit(1).Take(&last).Error; {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return 1, prev, nil
	case err != nil:
		return 0, prev, translate(err, what)
	}
	copy(prev[:], last.EntryHash)
	return last.Seq + 1, prev, nil
}
