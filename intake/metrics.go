package intake

import (
	"context"
	"errors"
	"time"
)

// LastHour is what the intake's hourly counters say about the last
// complete UTC hour: the same counters every commit adds to in its own
// transaction (see Quota), so every app node reads the same numbers.
type LastHour struct {
	Start          time.Time        // the hour's start, UTC
	Submissions    map[string]int64 // submissions committed in that hour, by desk slug; every desk, 0 when none
	CommittedBytes int64            // bytes committed in that hour over all desks
}

// LastHour reads the hourly counters of the last complete UTC hour. They
// tell no more than the hourly intake log does: the janitor keeps them
// for two hours, and a count for an hour that has ended no longer moves.
func (s *Service) LastHour(ctx context.Context) (LastHour, error) {
	if s.Rates == nil {
		return LastHour{}, errors.New("intake: no rate counters to read")
	}
	start := time.Unix(s.hourWindow(), 0).UTC().Add(-time.Hour)
	h := LastHour{Start: start, Submissions: map[string]int64{}}
	desks, err := s.Desks.List(ctx)
	if err != nil {
		return h, err
	}
	for _, d := range desks {
		if h.Submissions[d.Slug], err = s.Rates.Count(ctx, deskBucket(d.Slug), start.Unix()); err != nil {
			return h, err
		}
	}
	h.CommittedBytes, err = s.Rates.Count(ctx, bytesBucket, start.Unix())
	return h, err
}

// OpenUploads counts the upload sessions of the JavaScript path that have
// not expired.
func (s *Service) OpenUploads(ctx context.Context) (int, error) {
	return s.Store.OpenUploads(ctx, s.Now().Unix())
}
