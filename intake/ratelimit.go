package intake

import (
	"context"
	"time"

	"github.com/tipline/tipline"
)

// RateStore counts events in fixed windows, shared by every app node.
type RateStore interface {
	// Take adds one to the bucket's count in the window starting at
	// windowStart (Unix seconds) unless the count has reached limit, and
	// reports whether it did.
	Take(ctx context.Context, bucket string, windowStart int64, limit int) (bool, error)
	// PurgeRates drops the counters of windows that started before before.
	PurgeRates(ctx context.Context, before int64) error
}

// Limits are the submission rate limits, per desk and over all desks.
type Limits struct {
	PerDeskPerHour int
	TotalPerHour   int
}

// takeSubmission counts one submission against the limits, or refuses it
// (RateLimited). The windows are whole hours: the counters hold no time
// finer than that.
func (s *Service) takeSubmission(ctx context.Context, desk string) error {
	if s.Rates == nil {
		return nil
	}
	window := s.Now().UTC().Truncate(time.Hour).Unix()
	for _, b := range []struct {
		bucket string
		limit  int
	}{
		{"submissions:desk:" + desk, s.Limits.PerDeskPerHour},
		{"submissions:all", s.Limits.TotalPerHour},
	} {
		ok, err := s.Rates.Take(ctx, b.bucket, window, b.limit)
		if err != nil {
			return err
		}
		if !ok {
			return tipline.Errorf(tipline.RateLimited, "Too many tips are arriving right now. Nothing was saved; please try again in an hour.")
		}
	}
	return nil
}
