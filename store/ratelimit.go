package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/tipline/tipline/intake"
)

var _ intake.RateStore = (*Store)(nil)

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

// PurgeRates implements intake.RateStore.
func (s *Store) PurgeRates(ctx context.Context, before int64) error {
	return translate(s.db.WithContext(ctx).Exec("DELETE FROM rate_limits WHERE window_start < ?", before).Error, "Rate limit")
}
