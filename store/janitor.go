package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/tipline/tipline/intake"
)

var _ intake.JanitorStore = (*Store)(nil)

// PendingExpiries implements intake.JanitorStore.
func (s *Store) PendingExpiries(ctx context.Context, blobKeys []string) (map[string]int64, error) {
	expiries := make(map[string]int64, len(blobKeys))
	const batch = 500 // well under every driver's limit of bound parameters
	for start := 0; start < len(blobKeys); start += batch {
		var rows []struct {
			BlobKey string
			Expires int64
		}
		keys := blobKeys[start:min(start+batch, len(blobKeys))]
		if err := s.db.WithContext(ctx).Raw("SELECT blob_key, expires FROM pending_bytes WHERE blob_key IN ?", keys).Scan(&rows).Error; err != nil {
			return nil, translate(err, "Pending bytes")
		}
		for _, r := range rows {
			expiries[r.BlobKey] = r.Expires
		}
	}
	return expiries, nil
}

// HoldPending implements intake.JanitorStore.
func (s *Store) HoldPending(ctx context.Context, blobKeys []string, expires int64) (int, error) {
	res := s.db.WithContext(ctx).Exec("UPDATE pending_bytes SET expires = ? WHERE blob_key IN ?", expires, blobKeys)
	return int(res.RowsAffected), translate(res.Error, "Pending bytes")
}

// ClaimExpiredPending implements intake.JanitorStore.
func (s *Store) ClaimExpiredPending(ctx context.Context, blobKey string, now int64) (bool, error) {
	var n int
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) (err error) {
		n, err = s.releasePending(tx, "blob_key = ? AND expires <= ?", blobKey, now)
		return err
	})
	return n == 1, err
}

// PendingObjects implements intake.JanitorStore.
func (s *Store) PendingObjects(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Raw("SELECT id FROM objects WHERE blob_key LIKE 'pending/%' ORDER BY id").Scan(&ids).Error
	return ids, translate(err, "Object")
}
