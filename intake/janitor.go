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

// SweepPending looks at every blob under the pending prefix. A committed
// blob stays there, where its row names it, until the UTC day it was
// committed on has ended; the first sweep of a later day then moves it to
// the objects prefix with every other blob committed before that day. So
// the times no program can set (a directory store's inode change times,
// S3's Last-Modified) tell when a daily batch ran, not when a source
// committed. Any other blob belongs to a submission that was never
// committed (a dropped connection, a crash) and is removed once older than
// maxAge; younger ones may belong to a submission in progress. Blob times
// are kept to the day only, so an abandoned blob goes between maxAge and
// maxAge plus a day after it was written.
func (s *Service) SweepPending(ctx context.Context, maxAge time.Duration) (JanitorReport, error) {
	var r JanitorReport
	infos, err := s.Blobs.List(ctx, pendingPrefix)
	if err != nil {
		return r, err
	}
	now := s.Now()
	today := now.UTC().Format(time.DateOnly)
	cutoff := now.Add(-maxAge - 24*time.Hour)
	for _, info := range infos {
		id := strings.TrimPrefix(info.Key, pendingPrefix)
		day, committed, err := s.Store.ObjectCommitted(ctx, id)
		if err != nil {
			return r, err
		}
		switch {
		case committed && day < today:
			if err := s.finishMove(ctx, id); err != nil {
				return r, err
			}
			r.Finished++
		case !committed && !info.Modified.After(cutoff):
			if err := s.Blobs.Delete(ctx, info.Key); err != nil {
				return r, err
			}
			if err := s.Store.ReleasePending(ctx, []string{info.Key}); err != nil {
				return r, err
			}
			r.Removed++
		}
	}
	return r, nil
}

// finishMove moves a committed object's blob from the pending prefix to
// the objects prefix, then records the new key in its row. Readers that
// still hold the pending key find the blob under the objects prefix (see
// OpenObject).
func (s *Service) finishMove(ctx context.Context, id string) error {
	final := objectsPrefix + id
	if err := s.Blobs.Move(ctx, pendingPrefix+id, final); err != nil && !errors.Is(err, blob.ErrNotFound) {
		return err
	}
	if err := s.Store.MoveObject(ctx, id, final); err != nil && tipline.ErrorCode(err) != tipline.NotFound {
		return err
	}
	return nil
}

// RunJanitor sweeps every interval until ctx ends: pending blobs (the
// daily batch of committed ones, and abandoned ones), expired upload
// sessions of the JavaScript path, pending byte reservations past their
// expiry, and rate counters and spent proof-of-work tokens older than two
// hours; then it checkpoints the database, so that what it deleted is gone
// from SQLite's write-ahead log too.
func (s *Service) RunJanitor(ctx context.Context, interval, maxAge time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := s.SweepPending(ctx, maxAge)
		if s.Swept != nil {
			s.Swept(r, err)
		}
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
