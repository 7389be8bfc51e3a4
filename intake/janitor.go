package intake

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
)

// JanitorReport counts what one sweep did.
type JanitorReport struct {
	Removed  int // pending blobs that no committed row references
	Finished int // committed blobs moved out of the pending prefix
}

// SweepPending looks at every blob under the pending prefix older than
// maxAge: a blob that a committed object references finishes its move to
// the objects prefix; any other belongs to a submission that was never
// committed (a dropped connection, a crash) and is removed. Younger blobs
// may belong to a submission in progress and are left alone. Blob times are
// kept to the day only, so a blob goes between maxAge and maxAge plus a day
// after it was written.
func (s *Service) SweepPending(ctx context.Context, maxAge time.Duration) (JanitorReport, error) {
	var r JanitorReport
	infos, err := s.Blobs.List(ctx, pendingPrefix)
	if err != nil {
		return r, err
	}
	cutoff := s.Now().Add(-maxAge - 24*time.Hour)
	for _, info := range infos {
		if info.Modified.After(cutoff) {
			continue
		}
		id := strings.TrimPrefix(info.Key, pendingPrefix)
		committed, err := s.Store.ObjectCommitted(ctx, id)
		if err != nil {
			return r, err
		}
		if !committed {
			if err := s.Blobs.Delete(ctx, info.Key); err != nil {
				return r, err
			}
			if err := s.Store.ReleasePending(ctx, []string{info.Key}); err != nil {
				return r, err
			}
			r.Removed++
			continue
		}
		final := objectsPrefix + id
		if err := s.Blobs.Move(ctx, info.Key, final); err != nil && !errors.Is(err, blob.ErrNotFound) {
			return r, err
		}
		if err := s.Store.MoveObject(ctx, id, final); err != nil && tipline.ErrorCode(err) != tipline.NotFound {
			return r, err
		}
		r.Finished++
	}
	return r, nil
}

// RunJanitor sweeps every interval until ctx ends: pending blobs, expired
// upload sessions of the JavaScript path, pending byte reservations past
// their expiry, and rate counters and spent proof-of-work tokens older than
// two hours; then it checkpoints the database, so that what it deleted is
// gone from SQLite's write-ahead log too.
func (s *Service) RunJanitor(ctx context.Context, interval, maxAge time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := s.SweepPending(ctx, maxAge)
		switch {
		case err != nil && ctx.Err() == nil:
			s.Logger.Warn("janitor sweep failed", "err", err)
		case r.Removed+r.Finished > 0:
			s.Logger.Info("janitor swept pending blobs", "removed", r.Removed, "finished", r.Finished)
		}
		if n, err := s.SweepUploads(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("janitor could not sweep upload sessions", "err", err)
		} else if n > 0 {
			s.Logger.Info("janitor removed expired upload sessions", "sessions", n)
		}
		if n, err := s.Store.ReleaseExpiredPending(ctx, s.Now().Unix()); err != nil && ctx.Err() == nil {
			s.Logger.Warn("janitor could not release expired pending reservations", "err", err)
		} else if n > 0 {
			s.Logger.Info("janitor released pending reservations whose blobs were never written", "reservations", n)
		}
		if s.Rates != nil {
			if err := s.Rates.PurgeRates(ctx, s.Now().Add(-2*time.Hour).Unix()); err != nil && ctx.Err() == nil {
				s.Logger.Warn("janitor could not purge rate counters", "err", err)
			}
		}
		if err := s.Store.Checkpoint(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("janitor could not checkpoint the database", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
