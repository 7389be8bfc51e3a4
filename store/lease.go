package store

import (
	"context"
)

// TakeJanitorLease implements intake.JanitorStore with one upsert, which
// takes the lease row only while it is free, expired at now or node's
// own, so that two app nodes never both hold it.
func (s *Store) TakeJanitorLease(ctx context.Context, node string, now, until int64) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`INSERT INTO janitor_lease (id, node, expires) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET node = excluded.node, expires = excluded.expires
		WHERE janitor_lease.node = excluded.node OR janitor_lease.expires <= ?`, node, until, now)
	if res.Error != nil {
		return false, translate(res.Error, "Janitor lease")
	}
	return res.RowsAffected == 1, nil
}

// ReleaseJanitorLease implements intake.JanitorStore.
func (s *Store) ReleaseJanitorLease(ctx context.Context, node string) error {
	err := s.db.WithContext(ctx).Exec("UPDATE janitor_lease SET expires = 0 WHERE node = ?", node).Error
	return translate(err, "Janitor lease")
}
