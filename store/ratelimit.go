package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
)

var (
	_ intake.RateStore   = (*Store)(nil)
	_ intake.BudgetStore = (*Store)(nil)
)

// Take implements intake.RateStore with one upsert that increments the
// counter only while it is below the limit, so concurrent app nodes never
// overshoot.
func (s *Store) Take(ctx context.Context, bucket string, windowStart int64, limit int) (bool, error) {
	var taken bool
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)
			ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1
			WHERE rate_limits.count < ?`, bucket, windowStart, limit)
		if res.Error != nil {
			return translate(res.Error, "Rate limit")
		}
		taken = res.RowsAffected == 1 && limit > 0
		return nil
	})
	return taken, err
}

// Add implements intake.RateStore.
func (s *Store) Add(ctx context.Context, bucket string, windowStart, n int64) error {
	_, err := addRate(s.db.WithContext(ctx), bucket, windowStart, n, 0)
	return err
}

// Count implements intake.RateStore.
func (s *Store) Count(ctx context.Context, bucket string, windowStart int64) (int64, error) {
	return countRate(s.db.WithContext(ctx), bucket, windowStart)
}

func countRate(tx *gorm.DB, bucket string, windowStart int64) (int64, error) {
	var n []int64
	err := tx.Raw("SELECT count FROM rate_limits WHERE bucket = ? AND window_start = ?", bucket, windowStart).Scan(&n).Error
	if err != nil || len(n) == 0 {
		return 0, translate(err, "Rate limit")
	}
	return n[0], nil
}

// addRate adds n to a bucket's count in a window, only while the count is
// below limit when limit > 0; it reports whether it added.
func addRate(tx *gorm.DB, bucket string, windowStart, n, limit int64) (bool, error) {
	q := `INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, ?)
		ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + ?`
	args := []any{bucket, windowStart, n, n}
	if limit > 0 {
		q += " WHERE rate_limits.count < ?"
		args = append(args, limit)
	}
	res := tx.Exec(q, args...)
	if res.Error != nil {
		return false, translate(res.Error, "Rate limit")
	}
	return res.RowsAffected == 1, nil
}

// PurgeRates implements intake.RateStore.
func (s *Store) PurgeRates(ctx context.Context, before int64) error {
	return translate(s.db.WithContext(ctx).Exec("DELETE FROM rate_limits WHERE window_start < ?", before).Error, "Rate limit")
}

// lockPendingTotal locks the pending total's row until tx ends, so that
// reservations and releases of every app node take their turns (SQLite's
// single writer does the same), and returns the total.
func (s *Store) lockPendingTotal(tx *gorm.DB) (int64, error) {
	q := "SELECT bytes FROM pending_total WHERE id = 1"
	if s.db.Dialect == database.Postgres {
		q += " FOR UPDATE"
	}
	var total []int64
	if err := tx.Raw(q).Scan(&total).Error; err != nil {
		return 0, translate(err, "Pending bytes")
	}
	if len(total) == 0 {
		return 0, translate(errors.New("store: pending_total has no row"), "Pending bytes")
	}
	return total[0], nil
}

// ReservePending implements intake.BudgetStore. A reservation is refused
// once the total has reached the budget: the last one admitted may cross
// it, by at most one step of a stream or one chunk per writer.
func (s *Store) ReservePending(ctx context.Context, blobKey string, bytes, budget, expires int64) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		total, err := s.lockPendingTotal(tx)
		if err != nil {
			return err
		}
		var old []int64
		if err := tx.Raw("SELECT bytes FROM pending_bytes WHERE blob_key = ?", blobKey).Scan(&old).Error; err != nil {
			return translate(err, "Pending bytes")
		}
		delta := bytes
		if len(old) > 0 {
			delta -= old[0]
		}
		if delta > 0 && budget > 0 && total >= budget {
			return intake.ErrStorageFull
		}
		if err := tx.Exec("UPDATE pending_total SET bytes = CASE WHEN bytes + ? < 0 THEN 0 ELSE bytes + ? END WHERE id = 1", delta, delta).Error; err != nil {
			return translate(err, "Pending bytes")
		}
		err = tx.Exec(`INSERT INTO pending_bytes (blob_key, bytes, expires) VALUES (?, ?, ?)
			ON CONFLICT (blob_key) DO UPDATE SET bytes = excluded.bytes, expires = excluded.expires`,
			blobKey, bytes, expires).Error
		return translate(err, "Pending bytes")
	})
}

// ReleasePending implements intake.BudgetStore.
func (s *Store) ReleasePending(ctx context.Context, blobKeys []string) error {
	if len(blobKeys) == 0 {
		return nil
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, err := s.releasePending(tx, "blob_key IN ?", blobKeys)
		return err
	})
}

// ReleaseExpiredPending implements intake.BudgetStore.
func (s *Store) ReleaseExpiredPending(ctx context.Context, now int64) (int, error) {
	var n int
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) (err error) {
		n, err = s.releasePending(tx, "expires <= ?", now)
		return err
	})
	return n, err
}

// releasePending drops the reservations matching where and takes their
// bytes off the total, in tx; it returns how many it dropped.
func (s *Store) releasePending(tx *gorm.DB, where string, args ...any) (int, error) {
	if _, err := s.lockPendingTotal(tx); err != nil {
		return 0, err
	}
	var sum struct {
		N     int64
		Bytes int64
	}
	if err := tx.Raw("SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM pending_bytes WHERE "+where, args...).Scan(&sum).Error; err != nil {
		return 0, translate(err, "Pending bytes")
	}
	if sum.N == 0 {
		return 0, nil
	}
	if err := tx.Exec("DELETE FROM pending_bytes WHERE "+where, args...).Error; err != nil {
		return 0, translate(err, "Pending bytes")
	}
	err := tx.Exec("UPDATE pending_total SET bytes = CASE WHEN bytes < ? THEN 0 ELSE bytes - ? END WHERE id = 1", sum.Bytes, sum.Bytes).Error
	return int(sum.N), translate(err, "Pending bytes")
}

// PendingBytes implements intake.BudgetStore.
func (s *Store) PendingBytes(ctx context.Context) (int64, error) {
	var total []int64
	if err := s.db.WithContext(ctx).Raw("SELECT bytes FROM pending_total WHERE id = 1").Scan(&total).Error; err != nil {
		return 0, translate(err, "Pending bytes")
	}
	if len(total) == 0 {
		return 0, nil
	}
	return total[0], nil
}
