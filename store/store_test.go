package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

func submission(desk string) intake.Submission {
	id := blob.NewKey("")
	return intake.Submission{
		ID: id, DeskSlug: desk, ReceivedDay: "2026-11-28", EncryptedBy: "server",
		LookupKey: sha256.Sum256([]byte(id)), ReplySalt: make([]byte, 16),
		Objects: []intake.Object{{ID: blob.NewKey(""), Kind: intake.KindManifest, BlobKey: "pending/" + id, KeyPackets: []byte{1}, SHA256: sha256.Sum256([]byte("m"))}},
	}
}

// TestIntakeLogChain commits submissions concurrently and checks that the
// log stays one unbroken chain with no gaps: appends are serialized on both
// dialects.
func TestIntakeLogChain(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			const n = 12
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := 0; i < n; i++ {
				wg.Go(func() {
					_, err := s.Commit(ctx, submission(intake.DefaultDeskSlug), func(seq int64, prev [32]byte) []byte {
						return fmt.Appendf(nil, `{"v":1,"seq":%d,"prev":"%x"}`, seq, prev)
					})
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			entries, err := s.LogEntries(ctx, 1, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != n {
				t.Fatalf("log has %d entries, want %d", len(entries), n)
			}
			if seq, err := intake.VerifyChain(entries); err != nil {
				t.Fatalf("chain broken at %d: %v", seq, err)
			}
			if entries[0].ReceivedDay != "2026-11-28" {
				t.Errorf("received day = %q", entries[0].ReceivedDay)
			}
			// A tampered entry breaks the chain where it was changed.
			entries[4].Payload = append(entries[4].Payload, ' ')
			if seq, err := intake.VerifyChain(entries); err == nil || seq != 5 {
				t.Errorf("tampered entry 5: VerifyChain = %d, %v", seq, err)
			}
		})
	}
}

func TestCommitRefusesUnknownDeskAndDuplicates(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			payload := func(int64, [32]byte) []byte { return []byte("{}") }
			if _, err := s.Commit(ctx, submission("no-such-desk"), payload); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("unknown desk: %v, want NotFound", err)
			}
			sub := submission(intake.DefaultDeskSlug)
			if _, err := s.Commit(ctx, sub, payload); err != nil {
				t.Fatal(err)
			}
			again := submission(intake.DefaultDeskSlug)
			again.LookupKey = sub.LookupKey
			if _, err := s.Commit(ctx, again, payload); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("duplicate lookup key: %v, want Conflict", err)
			}
			entries, _ := s.LogEntries(ctx, 1, 10)
			if len(entries) != 1 {
				t.Errorf("failed commits left %d log entries, want 1", len(entries))
			}
		})
	}
}

func TestRateLimits(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			var wg sync.WaitGroup
			var mu sync.Mutex
			taken := 0
			for i := 0; i < 10; i++ {
				wg.Go(func() {
					ok, err := s.Take(ctx, "submissions:all", 3600, 4)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						taken++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if taken != 4 {
				t.Errorf("took %d of a limit of 4", taken)
			}
			if ok, _ := s.Take(ctx, "submissions:all", 7200, 4); !ok {
				t.Error("a new window starts empty")
			}
			if err := s.PurgeRates(ctx, 7200); err != nil {
				t.Fatal(err)
			}
			if ok, _ := s.Take(ctx, "submissions:all", 3600, 4); !ok {
				t.Error("purged window still full")
			}
		})
	}
}
