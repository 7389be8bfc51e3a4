// Package store keeps Tipline's domain objects in the database through gorm.
// Each exported method is one transaction; database errors become
// tipline.Error codes at this boundary.
package store

import (
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
