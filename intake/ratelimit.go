package intake

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tipline/tipline"
)

// Limits under attack. Counts of submissions are soft limits: only
// committed submissions count, inside the commit's own transaction, so
// that refused, invalid, aborted or half-sent attempts cost a source
// nothing; a submission above a count limit is still accepted, flagged as
// received during a flood for separate triage, and the JavaScript proof of
// work grows harder while its desk is above its limit. Disk is the only
// hard limit: bytes of uncommitted blobs over all sources, and bytes
// committed per hour over all desks. Reaching either refuses new tips with
// ErrStorageFull and is shown on /readyz and the staff start page; nothing
// committed is ever deleted to make room.

// RateStore counts events in fixed windows, shared by every app node.
type RateStore interface {
	// Take adds one to the bucket's count in the window starting at
	// windowStart (Unix seconds) unless the count has reached limit, and
	// reports whether it did.
	Take(ctx context.Context, bucket string, windowStart int64, limit int) (bool, error)
	// Add adds n to the bucket's count in the window starting at
	// windowStart (Unix seconds), whatever the count.
	Add(ctx context.Context, bucket string, windowStart, n int64) error
	// Count returns the bucket's count in the window (0 when none).
	Count(ctx context.Context, bucket string, windowStart int64) (int64, error)
	// PurgeRates drops the counters of windows that started before before.
	PurgeRates(ctx context.Context, before int64) error
}

// BudgetStore keeps the byte budgets, shared by every app node.
type BudgetStore interface {
	// ReservePending sets the reservation of blobKey to bytes (replacing
	// an earlier one) until expires (Unix seconds), and refuses with ErrStorageFull
	// when that would take the bytes of all reservations over budget (a
	// budget of 0 is none). Shrinking a reservation is never refused.
	ReservePending(ctx context.Context, blobKey string, bytes, budget, expires int64) error
	// ReleasePending drops the reservations of the blob keys; keys with
	// none are ignored.
	ReleasePending(ctx context.Context, blobKeys []string) error
	// ReleaseExpiredPending drops reservations whose expiry is at or
	// before now (Unix seconds), and returns how many it dropped.
	ReleaseExpiredPending(ctx context.Context, now int64) (int, error)
	// PendingBytes returns the bytes of all reservations.
	PendingBytes(ctx context.Context) (int64, error)
}

// Limits are the limits of the intake. The counts are soft (see above);
// the byte budgets are hard. Zero means no limit.
type Limits struct {
	PerDeskPerHour        int   // submissions per desk per hour before they are flagged
	TotalPerHour          int   // submissions over all desks per hour before they are flagged
	PendingBytes          int64 // bytes of uncommitted blobs over all sources
	CommittedBytesPerHour int64 // bytes committed per hour over all desks
	// PendingMaxAge is how long a pending blob that is not committed is
	// kept after it was last written (DefaultPendingMaxAge when 0; see
	// SweepPending).
	PendingMaxAge time.Duration
}

// Quota is what one commit is counted against, in its own transaction.
type Quota struct {
	Window                int64 // the hour, Unix seconds
	DeskBucket            string
	TotalBucket           string
	BytesBucket           string
	PerDeskPerHour        int   // soft: above it the submission is flagged
	TotalPerHour          int   // soft: above it the submission is flagged
	CommittedBytesPerHour int64 // hard: ErrStorageFull once the hour's bytes reached it
}

// FloodPowExtraBits is how much harder the JavaScript proof of work is
// while a desk is above its hourly soft limit: four times the work.
const FloodPowExtraBits = 2

// ErrStorageFull refuses a tip because a byte budget is exhausted
// (Unavailable): nothing was saved, and trying again in a few hours works.
var ErrStorageFull = tipline.Errorf(tipline.Unavailable, "Tipline's storage is full for now; nothing was saved. Please try again in a few hours.")

// Counter buckets of the hourly windows.
func deskBucket(desk string) string { return "submissions:desk:" + desk }

const (
	totalBucket = "submissions:all"
	bytesBucket = "bytes:committed"
)

// hourWindow returns the start of the current hour, Unix seconds: the
// counters hold no time finer than that.
func (s *Service) hourWindow() int64 {
	return s.Now().UTC().Truncate(time.Hour).Unix()
}

// quota returns what a commit to desk is counted against.
func (s *Service) quota(desk string) Quota {
	return Quota{
		Window: s.hourWindow(), DeskBucket: deskBucket(desk), TotalBucket: totalBucket, BytesBucket: bytesBucket,
		PerDeskPerHour: s.Limits.PerDeskPerHour, TotalPerHour: s.Limits.TotalPerHour,
		CommittedBytesPerHour: s.Limits.CommittedBytesPerHour,
	}
}

// Flooded reports whether a desk, or the whole intake, has reached its
// hourly soft limit: further submissions are flagged, and the JavaScript
// proof of work is harder.
func (s *Service) Flooded(ctx context.Context, desk string) (bool, error) {
	if s.Rates == nil {
		return false, nil
	}
	window := s.hourWindow()
	for _, b := range []struct {
		bucket string
		limit  int
	}{{deskBucket(desk), s.Limits.PerDeskPerHour}, {totalBucket, s.Limits.TotalPerHour}} {
		if b.limit <= 0 {
			continue
		}
		n, err := s.Rates.Count(ctx, b.bucket, window)
		if err != nil {
			return false, err
		}
		if n >= int64(b.limit) {
			return true, nil
		}
	}
	return false, nil
}

// PowBitsFor returns the proof-of-work difficulty for a desk: PowBits, and
// FloodPowExtraBits more while the desk is flooded. When the counters
// cannot be read it answers the harder difficulty rather than fail.
func (s *Service) PowBitsFor(ctx context.Context, desk string) int {
	flooded, err := s.Flooded(ctx, desk)
	if err != nil {
		s.Logger.Warn("cannot read the submission counters; asking for the harder proof of work", "err", err)
		return s.PowBits + FloodPowExtraBits
	}
	if flooded {
		return s.PowBits + FloodPowExtraBits
	}
	return s.PowBits
}

// Budget is the state of the byte budgets, for /readyz and staff.
type Budget struct {
	PendingBytes          int64 `json:"pending_bytes"`
	PendingBudget         int64 `json:"pending_budget"`
	CommittedBytesHour    int64 `json:"committed_bytes_this_hour"`
	CommittedBytesPerHour int64 `json:"committed_budget_per_hour"`
	PendingFull           bool  `json:"pending_full"`
	CommittedFull         bool  `json:"committed_full"`
}

// Full reports whether either budget is exhausted: new tips are refused.
func (b Budget) Full() bool { return b.PendingFull || b.CommittedFull }

// Budget reads the state of the byte budgets.
func (s *Service) Budget(ctx context.Context) (Budget, error) {
	b := Budget{PendingBudget: s.Limits.PendingBytes, CommittedBytesPerHour: s.Limits.CommittedBytesPerHour}
	var err error
	if b.PendingBytes, err = s.Store.PendingBytes(ctx); err != nil {
		return b, err
	}
	if s.Rates != nil {
		if b.CommittedBytesHour, err = s.Rates.Count(ctx, bytesBucket, s.hourWindow()); err != nil {
			return b, err
		}
	}
	b.PendingFull = b.PendingBudget > 0 && b.PendingBytes >= b.PendingBudget
	b.CommittedFull = b.CommittedBytesPerHour > 0 && b.CommittedBytesHour >= b.CommittedBytesPerHour
	return b, nil
}

// checkBudget refuses a new tip early, before the source sends anything,
// while a byte budget is exhausted (ErrStorageFull).
func (s *Service) checkBudget(ctx context.Context) error {
	if s.Limits.PendingBytes <= 0 && s.Limits.CommittedBytesPerHour <= 0 {
		return nil
	}
	b, err := s.Budget(ctx)
	if err != nil {
		return err
	}
	if b.Full() {
		return ErrStorageFull
	}
	return nil
}

// reservationExpiry is when a reservation of key made now lapses if
// nothing renews or releases it. A pending blob's lapses PendingMaxAge
// from now, to the second, and the janitor then removes the blob unless a
// row names it (SweepPending): the reservation is renewed at every step
// while the blob streams in, and dropped when the blob is committed, so
// no such time stays about a committed tip. An upload session's lapses,
// on the hour, after the session itself has expired and been swept.
func (s *Service) reservationExpiry(key string) int64 {
	if strings.HasPrefix(key, pendingPrefix) {
		return s.Now().Add(s.Limits.pendingMaxAge()).Unix() + 1
	}
	return s.Now().UTC().Truncate(time.Hour).Add(UploadTTL + 3*24*time.Hour).Unix()
}

// reserve sets the pending reservation of a blob key.
func (s *Service) reserve(ctx context.Context, key string, n int64) error {
	return s.Store.ReservePending(ctx, key, n, s.Limits.PendingBytes, s.reservationExpiry(key))
}

// reserveAnyway sets the pending reservation of a blob key without
// checking the budget: for the small manifest that completes a submission
// whose files were admitted already.
func (s *Service) reserveAnyway(ctx context.Context, key string, n int64) error {
	return s.Store.ReservePending(ctx, key, n, 0, s.reservationExpiry(key))
}

// release drops the pending reservations of blob keys, logging a failure:
// the reservation then lapses at its expiry.
func (s *Service) release(ctx context.Context, keys ...string) {
	if len(keys) == 0 {
		return
	}
	if err := s.Store.ReleasePending(context.WithoutCancel(ctx), keys); err != nil {
		s.Logger.Warn("pending bytes stay reserved until they expire", "err", err)
	}
}

// reserveStep is how many bytes a streaming blob reserves at a time.
const reserveStep = 4 << 20

// reservingReader reserves pending bytes for key ahead of what passes
// through it, reserveStep at a time, and fails with ErrStorageFull when
// the budget refuses (unless anyway). The next step is asked for on a
// goroutine of its own once less than half a step is left, so that the
// stream does not stop for the database's answer at every step (a
// SQLite transaction took about 8 ms, as long as 2 MiB took to pass);
// a read waits for it only when it needs the bytes. Call settle once
// reading has ended, before the reservation is shrunk or released.
type reservingReader struct {
	ctx      context.Context
	svc      *Service
	key      string
	r        io.Reader
	anyway   bool
	read     int64
	reserved int64
	next     chan reservation // the reservation under way, if any
}

// reservation is the answer to one ReservePending: n bytes, or err.
type reservation struct {
	n   int64
	err error
}

func (r *reservingReader) Read(p []byte) (int, error) {
	if need := r.read + int64(len(p)); need > r.reserved {
		if err := r.settle(); err != nil {
			return 0, err
		}
		if need > r.reserved {
			next := r.reserved + max(reserveStep, need-r.reserved)
			if err := r.book(next); err != nil {
				return 0, err
			}
			r.reserved = next
		}
	}
	n, err := r.r.Read(p)
	r.read += int64(n)
	if r.next == nil && r.reserved-r.read < reserveStep/2 {
		next, ahead := make(chan reservation, 1), r.reserved+reserveStep
		r.next = next
		go func() { next <- reservation{ahead, r.book(ahead)} }()
	}
	return n, err
}

// settle waits for the reservation under way, if any, and returns its
// error.
func (r *reservingReader) settle() error {
	if r.next == nil {
		return nil
	}
	res := <-r.next
	r.next = nil
	if res.err != nil {
		return res.err
	}
	r.reserved = res.n
	return nil
}

// book sets key's reservation to n bytes.
func (r *reservingReader) book(n int64) error {
	reserve := r.svc.reserve
	if r.anyway {
		reserve = r.svc.reserveAnyway
	}
	if err := reserve(r.ctx, r.key, n); err != nil {
		return fmt.Errorf("intake: reserving pending bytes: %w", err)
	}
	return nil
}
