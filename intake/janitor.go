package intake

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
)

// DefaultPendingMaxAge is how long an uncommitted pending blob is kept
// when Limits.PendingMaxAge is 0.
const DefaultPendingMaxAge = 24 * time.Hour

// janitorLeaseTTL is how long the janitor lease lasts unless its holder
// renews it, which a sweep does every janitorLeaseRenew while it runs: a
// node that dies mid-sweep (kill -9, a crash) holds up every node's sweeps
// this long, no longer. With ten minutes, the kill drill found the
// restarted node sweeping nothing for ten minutes. A sweep whose renewals
// fail may overlap another node's, which is harmless (see SweepPending).
const (
	janitorLeaseTTL   = 15 * time.Second
	janitorLeaseRenew = 5 * time.Second
)

// JanitorStore is what the janitor needs of the database beyond the rest
// of SubmissionStore.
type JanitorStore interface {
	// TakeJanitorLease takes the one janitor lease of all app nodes for
	// node until the Unix second until, when no other node holds it past
	// now, and reports whether node holds it.
	TakeJanitorLease(ctx context.Context, node string, now, until int64) (bool, error)
	// ReleaseJanitorLease gives up node's lease, if it holds it.
	ReleaseJanitorLease(ctx context.Context, node string) error
	// PendingExpiries returns the expiry (Unix seconds) of the
	// reservation of pending bytes of each of blobKeys that has one.
	PendingExpiries(ctx context.Context, blobKeys []string) (map[string]int64, error)
	// PendingObjects returns the ids of committed objects whose rows name
	// a blob key under the pending prefix.
	PendingObjects(ctx context.Context) ([]string, error)
	// HoldPending sets the expiry (Unix seconds) of the reservations of
	// blobKeys that still exist, and returns how many it set.
	HoldPending(ctx context.Context, blobKeys []string, expires int64) (int, error)
	// ClaimExpiredPending drops the reservation of blobKey if it expired
	// at or before now, and reports whether it did.
	ClaimExpiredPending(ctx context.Context, blobKey string, now int64) (bool, error)
}

// IncompleteUploadAborter is a blob store that keeps the parts of writes
// that never completed apart from its blobs (S3 multipart uploads); the
// janitor aborts those older than the pending max age, and than the
// longest an upload session lives (whose assembly is such an upload). The
// directory store has none: an interrupted write leaves nothing, and an
// abandoned assembly is removed by the store itself.
type IncompleteUploadAborter interface {
	// AbortIncompleteUploads aborts the incomplete uploads started before
	// before and returns how many it aborted.
	AbortIncompleteUploads(ctx context.Context, before time.Time) (int, error)
}

// JanitorReport counts what one sweep did.
type JanitorReport struct {
	// Leased is set when another app node held the janitor lease: this
	// node swept nothing.
	Leased   bool
	Removed  int // pending blobs that no committed row references
	Finished int // committed blobs moved out of the pending prefix
	// Repaired counts rows that still named the pending key of a blob
	// already moved to the objects prefix (the database failed between
	// the move and the row's update), now naming the objects key.
	Repaired int
	// Aborted counts incomplete multipart uploads of the blob store.
	Aborted int
	// Sessions counts expired upload sessions removed with their chunks
	// (RunJanitor only; see SweepUploads).
	Sessions int
}

// janitorState is what one app node's janitor keeps in memory, never at
// rest: its lease name and when it first saw each uncommitted pending
// blob that held no reservation.
type janitorState struct {
	mu         sync.Mutex
	node       string
	unreserved map[string]time.Time
}

// nodeName returns this node's random lease name, made on first use: it
// names no host and no address.
func (j *janitorState) nodeName() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.node == "" {
		j.node = rand.Text()
	}
	return j.node
}

// pendingMaxAge is Limits.PendingMaxAge, or its default.
func (l Limits) pendingMaxAge() time.Duration {
	if l.PendingMaxAge > 0 {
		return l.PendingMaxAge
	}
	return DefaultPendingMaxAge
}

// SweepPending takes the janitor lease, so that one app node sweeps at a
// time (Leased, and nothing done, while another node holds it), then:
//
//   - repairs the rows that name the pending key of a blob already under
//     the objects prefix;
//   - moves committed blobs out of the pending prefix in a daily batch: a
//     committed blob stays under the pending prefix, where its row names
//     it, until the UTC day it was committed on has ended; the first sweep
//     of a later day then moves it with every other blob committed before
//     that day. So the times no program can set (a directory store's inode
//     change times, S3's Last-Modified) tell when a daily batch ran, not
//     when a source committed;
//   - removes abandoned blobs: any other pending blob belongs to a
//     submission not committed (yet). It is removed once its reservation
//     of pending bytes has expired, Limits.PendingMaxAge after the blob
//     was last written (the reservation is renewed as the blob streams in,
//     and goes when it is committed). A blob without a reservation (one
//     stored from upload chunks, whose session holds the bytes, or one
//     whose reservation was released) is removed once this node's janitor
//     has seen it uncommitted and unreserved for PendingMaxAge: a blob may
//     be listed the moment its write completes, before its commit, so it
//     is never removed on first sight;
//   - aborts the blob store's incomplete multipart uploads older than
//     PendingMaxAge.
//
// PendingMaxAge should therefore exceed the longest time from a
// submission's first stored blob to its commit, which the upload timeout
// bounds. When it does not, the janitor may take a blob of a slow
// submission, and that submission is then refused at its commit
// (holdReserved), never committed with a blob missing. A blob another node
// removed or moved meanwhile is not an error and is not counted.
func (s *Service) SweepPending(ctx context.Context) (JanitorReport, error) {
	return s.underLease(ctx, s.sweepPending)
}

// underLease runs sweep while this node holds the janitor lease of all app
// nodes; while another node holds it, it sweeps nothing and reports Leased.
func (s *Service) underLease(ctx context.Context, sweep func(context.Context) (JanitorReport, error)) (JanitorReport, error) {
	var r JanitorReport
	node := s.janitor.nodeName()
	now := s.Now()
	held, err := s.Store.TakeJanitorLease(ctx, node, now.Unix(), now.Add(janitorLeaseTTL).Unix())
	if err != nil || !held {
		r.Leased = err == nil
		return r, err
	}
	defer func() {
		if err := s.Store.ReleaseJanitorLease(context.WithoutCancel(ctx), node); err != nil {
			s.Logger.Warn("janitor lease stays until it expires", "err", err)
		}
	}()
	swept, renewed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(janitorLeaseRenew)
		defer t.Stop()
		for {
			select {
			case <-swept:
				return
			case <-t.C:
				now := s.Now()
				if _, err := s.Store.TakeJanitorLease(ctx, node, now.Unix(), now.Add(janitorLeaseTTL).Unix()); err != nil && ctx.Err() == nil {
					s.Logger.Warn("janitor lease not renewed", "err", err)
				}
			}
		}
	}()
	defer func() {
		close(swept)
		<-renewed
	}()
	return sweep(ctx)
}

// sweepPending is SweepPending's work, under the lease.
func (s *Service) sweepPending(ctx context.Context) (JanitorReport, error) {
	var r JanitorReport
	now := s.Now()

	infos, err := s.Blobs.List(ctx, pendingPrefix)
	if err != nil {
		return r, err
	}
	listed := make(map[string]bool, len(infos))
	keys := make([]string, len(infos))
	for i, info := range infos {
		listed[strings.TrimPrefix(info.Key, pendingPrefix)] = true
		keys[i] = info.Key
	}
	if r.Repaired, err = s.repairMovedRows(ctx, listed); err != nil {
		return r, err
	}
	// The reservations are read before the rows: a commit drops its
	// reservations in the transaction that adds its rows, so a blob whose
	// reservation was already gone shows its row below if it has one.
	expiries, err := s.Store.PendingExpiries(ctx, keys)
	if err != nil {
		return r, err
	}
	today := now.UTC().Format(time.DateOnly)
	maxAge := s.Limits.pendingMaxAge()
	for _, info := range infos {
		id := strings.TrimPrefix(info.Key, pendingPrefix)
		day, committed, err := s.Store.ObjectCommitted(ctx, id)
		if err != nil {
			return r, err
		}
		switch {
		case committed && day < today:
			moved, err := s.finishMove(ctx, id)
			if err != nil {
				return r, err
			}
			if moved {
				r.Finished++
			}
		case committed:
		case s.janitor.abandoned(info.Key, expiries, now, maxAge):
			_, reserved := expiries[info.Key]
			removed, err := s.removePending(ctx, info.Key, reserved, now)
			if err != nil {
				return r, err
			}
			if removed {
				r.Removed++
			}
		}
	}
	s.janitor.forgetAllBut(keys)
	if aborter, ok := s.Blobs.(IncompleteUploadAborter); ok {
		if r.Aborted, err = aborter.AbortIncompleteUploads(ctx, now.Add(-max(maxAge, maxUploadLife))); err != nil {
			return r, err
		}
	}
	return r, nil
}

// abandoned reports whether the uncommitted pending blob under key may be
// removed at now (see SweepPending), noting a first sight of a blob
// without a reservation.
func (j *janitorState) abandoned(key string, expiries map[string]int64, now time.Time, maxAge time.Duration) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if expires, ok := expiries[key]; ok {
		delete(j.unreserved, key)
		return expires <= now.Unix()
	}
	if j.unreserved == nil {
		j.unreserved = map[string]time.Time{}
	}
	seen, ok := j.unreserved[key]
	if !ok {
		j.unreserved[key] = now
		return false
	}
	return now.Sub(seen) >= maxAge
}

// forgetAllBut drops the first sights of blobs that are no longer pending.
func (j *janitorState) forgetAllBut(keys []string) {
	pending := make(map[string]bool, len(keys))
	for _, k := range keys {
		pending[k] = true
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for k := range j.unreserved {
		if !pending[k] {
			delete(j.unreserved, k)
		}
	}
}

// removePending deletes an abandoned pending blob. A reserved blob's
// expired reservation is dropped first, and only if it is still expired
// (see holdReserved); the blob stays when a commit renewed it meanwhile.
// It reports false when it left the blob or the blob was gone already
// (another node's janitor removed it).
func (s *Service) removePending(ctx context.Context, key string, reserved bool, now time.Time) (bool, error) {
	if reserved {
		claimed, err := s.Store.ClaimExpiredPending(ctx, key, now.Unix())
		if err != nil || !claimed {
			return false, err
		}
	}
	if _, err := s.Blobs.Stat(ctx, key); errors.Is(err, blob.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := s.Blobs.Delete(ctx, key); err != nil {
		return false, err
	}
	return true, s.Store.ReleasePending(ctx, []string{key})
}

// repairMovedRows points the rows that still name a pending key at the
// objects key when their blob is no longer among the listed pending ids
// but under the objects prefix: finishMove moves the blob first and then
// updates the row, and the database may fail in between. It returns how
// many rows it repaired. A row whose blob is in neither place was
// committed after the listing, and is left for the next sweep.
func (s *Service) repairMovedRows(ctx context.Context, listed map[string]bool) (int, error) {
	ids, err := s.Store.PendingObjects(ctx)
	if err != nil {
		return 0, err
	}
	repaired := 0
	for _, id := range ids {
		if listed[id] {
			continue
		}
		if _, err := s.Blobs.Stat(ctx, objectsPrefix+id); errors.Is(err, blob.ErrNotFound) {
			continue
		} else if err != nil {
			return repaired, err
		}
		if err := s.Store.MoveObject(ctx, id, objectsPrefix+id); err != nil && tipline.ErrorCode(err) != tipline.NotFound {
			return repaired, err
		}
		repaired++
	}
	return repaired, nil
}

// finishMove moves a committed object's blob from the pending prefix to
// the objects prefix, then records the new key in its row. Readers that
// still hold the pending key find the blob under the objects prefix (see
// OpenObject). It reports false when the blob was no longer under the
// pending prefix (another node's janitor moved it).
func (s *Service) finishMove(ctx context.Context, id string) (bool, error) {
	final := objectsPrefix + id
	err := s.Blobs.Move(ctx, pendingPrefix+id, final)
	if errors.Is(err, blob.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := s.Store.MoveObject(ctx, id, final); err != nil && tipline.ErrorCode(err) != tipline.NotFound {
		return false, err
	}
	return true, nil
}

// RunJanitor sweeps at once and then every interval until ctx ends:
// pending blobs (SweepPending: the daily batch of committed ones, rows
// left naming pending keys, abandoned blobs and incomplete multipart
// uploads, by one app node at a time), expired upload sessions of the
// JavaScript path, pending byte reservations past their expiry, and rate
// counters and spent proof-of-work tokens older than two hours; then it
// checkpoints the database, so that what it deleted is gone from SQLite's
// write-ahead log too.
func (s *Service) RunJanitor(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		// Pending blobs and expired upload sessions under one lease, so
		// that two nodes never sweep (and count) the same ones.
		r, err := s.underLease(ctx, func(ctx context.Context) (JanitorReport, error) {
			r, err := s.sweepPending(ctx)
			if err == nil {
				r.Sessions, err = s.SweepUploads(ctx)
			}
			return r, err
		})
		if s.Swept != nil {
			s.Swept(r, err)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			s.Logger.Warn("janitor sweep failed", "err", err)
		case r.Removed+r.Finished+r.Repaired+r.Aborted+r.Sessions > 0:
			s.Logger.Info("janitor swept pending blobs and upload sessions", "removed", r.Removed, "finished", r.Finished,
				"repaired", r.Repaired, "aborted_uploads", r.Aborted, "sessions", r.Sessions)
		}
		if n, err := s.Store.ReleaseExpiredPending(ctx, s.Now().Unix()); err != nil && ctx.Err() == nil {
			s.Logger.Warn("janitor could not release expired pending reservations", "err", err)
		} else if n > 0 {
			s.Logger.Info("janitor released expired pending reservations", "reservations", n)
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

// errBlobExpired refuses a commit whose pending blob the janitor claimed
// because it was not written for longer than the pending max age.
var errBlobExpired = tipline.Errorf(tipline.Unavailable, "A file of this submission took too long to arrive and was removed. Nothing was saved; please send it again.")

// holdReserved renews, just before a commit, the reservations of the
// objects' blobs for another pending max age, and refuses the commit when
// one is gone. The janitor removes a reserved blob only after dropping its
// expired reservation (ClaimExpiredPending), so of a commit and a sweep
// racing for the same blob exactly one wins: either the commit renews the
// reservation first and the janitor leaves the blob, or the janitor drops
// it first and the commit is refused, before any codename is shown.
func (s *Service) holdReserved(ctx context.Context, objects []Object) error {
	var keys []string
	for _, o := range objects {
		if o.reserved {
			keys = append(keys, o.BlobKey)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	held, err := s.Store.HoldPending(ctx, keys, s.Now().Add(s.Limits.pendingMaxAge()).Unix())
	if err != nil {
		return err
	}
	if held < len(keys) {
		return errBlobExpired
	}
	return nil
}
