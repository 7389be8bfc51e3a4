package intake_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
)

// TestJanitorLeaseOfADeadNode: the janitor lease a sweep takes lasts
// seconds, not minutes, unless the sweep renews it while it runs. A node
// killed mid-sweep (kill -9 gives it no time to release the lease) held
// up every node's sweeps for the ten minutes the lease used to last: the
// kill drill's restarted node swept nothing and left the cut tips' blobs.
func TestJanitorLeaseOfADeadNode(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			a, st, _ := newTestService(t, d)
			start := time.Now()
			var clock atomic.Int64 // seconds after start, for both nodes
			now := func() time.Time { return start.Add(time.Duration(clock.Load()) * time.Second) }
			a.Now = now
			listing := &stuckList{Store: a.Blobs, entered: make(chan struct{}, 1), release: make(chan struct{})}
			leases := &leaseCalls{SubmissionStore: st, taken: make(chan struct{}, 8)}
			b := &intake.Service{Store: leases, Blobs: listing, Logger: a.Logger, Now: now, Limits: a.Limits}
			swept := make(chan error, 1)
			sweep := func() {
				go func() {
					_, err := b.SweepPending(ctx)
					swept <- err
				}()
				<-listing.entered
			}

			// b dies mid-sweep, as far as a can tell: it holds the lease
			// and does not renew it before it has expired.
			sweep()
			<-leases.taken
			clock.Store(16)
			if r, err := a.SweepPending(ctx); err != nil || r.Leased {
				t.Errorf("sweep 16 s after another node took the lease = %+v, %v; want a sweep", r, err)
			}
			listing.release <- struct{}{}
			if err := <-swept; err != nil {
				t.Fatal(err)
			}

			// A sweep that lasts renews its lease: a minute on, past its
			// first expiry, the other node still waits.
			sweep()
			<-leases.taken // the sweep's lease
			clock.Store(76)
			select { // its first renewal, due 5 s later
			case <-leases.taken:
			case <-time.After(time.Minute):
				t.Fatal("a sweep that lasts did not renew its lease")
			}
			if r, err := a.SweepPending(ctx); err != nil || !r.Leased {
				t.Errorf("sweep while another node's long sweep runs = %+v, %v; want Leased", r, err)
			}
			listing.release <- struct{}{}
			if err := <-swept; err != nil {
				t.Fatal(err)
			}
			if r, err := a.SweepPending(ctx); err != nil || r.Leased {
				t.Errorf("sweep after the other node's ended = %+v, %v; want a sweep", r, err)
			}
		})
	}
}

// leaseCalls tells each time its store is asked to take the janitor lease.
type leaseCalls struct {
	intake.SubmissionStore
	taken chan struct{}
}

func (l *leaseCalls) TakeJanitorLease(ctx context.Context, node string, now, until int64) (bool, error) {
	held, err := l.SubmissionStore.TakeJanitorLease(ctx, node, now, until)
	l.taken <- struct{}{}
	return held, err
}

// stuckList is a blob store whose List, once entered, waits for release:
// a sweep that takes its time.
type stuckList struct {
	blob.Store
	entered chan struct{}
	release chan struct{}
}

func (s *stuckList) List(ctx context.Context, prefix string) ([]blob.Info, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.Store.List(ctx, prefix)
}
