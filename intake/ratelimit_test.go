package intake_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// validAnswers fills the default questionnaire as a source would.
func validAnswers(t *testing.T, sub *intake.ServerSubmission) {
	t.Helper()
	for _, kv := range [][2]string{
		{"violation", "smuggling"}, {"knowledge", "first_hand"},
		{"parties.0.name", "Shenzhen Example Ltd"}, {"parties.0.role", "distributor"}, {"parties.0.country", "CN"},
		{"narrative", "H100 servers relabelled as routers."},
	} {
		if err := sub.AddValue(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// submitTip commits a tip with one small file through the no-JavaScript
// path.
func submitTip(t *testing.T, svc *intake.Service) (*intake.Receipt, error) {
	t.Helper()
	ctx := context.Background()
	sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
	if err != nil {
		return nil, err
	}
	validAnswers(t, sub)
	if err := sub.AddFile(ctx, "invoice.pdf", "application/pdf", strings.NewReader("%PDF-1.4 invoice")); err != nil {
		sub.Abort(ctx)
		return nil, err
	}
	return sub.Commit(ctx, intake.EN)
}

// flood returns whether the submission is flagged as received during a flood.
func flood(t *testing.T, st *store.Store, id string) bool {
	t.Helper()
	subs, err := st.Submissions(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if s.ID == id {
			return s.Flood
		}
	}
	t.Fatalf("submission %s not listed", id)
	return false
}

// TestJunkTakesNoSlot is reproduction 1 of issue 11: refused, invalid and
// aborted attempts used to take the hour's submission slots, so that 120
// junk posts closed a desk. Only committed submissions count now.
func TestJunkTakesNoSlot(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, st, _ := newTestService(t, d)
			svc.Limits.PerDeskPerHour, svc.Limits.TotalPerHour = 3, 3
			for i := range 30 {
				sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
				if err != nil {
					t.Fatalf("junk attempt %d: %v", i, err)
				}
				switch i % 3 {
				case 0: // one field, refused as invalid
					sub.AddValue("violation", "smuggling")
					var invalid *intake.ValidationError
					if _, err := sub.Commit(ctx, intake.EN); !errors.As(err, &invalid) {
						t.Fatalf("junk commit: %v, want a validation error", err)
					}
				case 1: // a file, then the connection drops
					if err := sub.AddFile(ctx, "a.bin", "", strings.NewReader("junk")); err != nil {
						t.Fatal(err)
					}
					sub.Abort(ctx)
				case 2: // nothing at all
					sub.Abort(ctx)
				}
			}
			// A spent proof of work on the JavaScript path with no uploads.
			pow := svc.NewPowChallenge(ctx, intake.DefaultDeskSlug).Solve()
			if _, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, "aaaaaaaaaaaaaaaaaaaaaaaaaa", nil, pow, intake.CommitOptions{}); err == nil {
				t.Fatal("a submission of missing uploads was accepted")
			}
			r, err := submitTip(t, svc)
			if err != nil {
				t.Fatalf("real tip after junk: %v", err)
			}
			if flood(t, st, r.SubmissionID) {
				t.Error("the real tip after junk is flagged as received during a flood")
			}
			if n, _ := st.PendingBytes(ctx); n != 0 {
				t.Errorf("pending bytes after junk and a commit = %d, want 0", n)
			}
		})
	}
}

// TestSoftLimitFlagsAndHardensPow: above the hourly soft limit a real tip
// is still committed, flagged as received during a flood, and the proof of
// work of the desk's JavaScript path is harder.
func TestSoftLimitFlagsAndHardensPow(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, st, _ := newTestService(t, d)
			svc.PowBits = 4
			svc.Limits.PerDeskPerHour, svc.Limits.TotalPerHour = 2, 100
			before := svc.NewPowChallenge(ctx, intake.DefaultDeskSlug)
			for i := range 2 {
				r, err := submitTip(t, svc)
				if err != nil {
					t.Fatal(err)
				}
				if flood(t, st, r.SubmissionID) {
					t.Errorf("tip %d within the limit is flagged", i)
				}
			}
			if got := svc.NewPowChallenge(ctx, intake.DefaultDeskSlug).Bits; got != 4+intake.FloodPowExtraBits {
				t.Errorf("pow bits at the limit = %d, want %d", got, 4+intake.FloodPowExtraBits)
			}
			if got := svc.NewPowChallenge(ctx, "other-desk").Bits; got != 4 {
				t.Errorf("pow bits of a quiet desk = %d, want 4", got)
			}
			// A challenge of a quiet desk does not serve the flooded one,
			// whatever its solution reaches.
			for range 20 {
				err := svc.CheckProofOfWork(ctx, intake.DefaultDeskSlug, svc.NewPowChallenge(ctx, "other-desk").Solve())
				if tipline.ErrorCode(err) != tipline.Invalid {
					t.Fatalf("another desk's pow on a flooded desk: %v, want Invalid", err)
				}
			}
			// One fetched for this desk before the flood began passes at the
			// difficulty it was issued at: a source's browser that was
			// solving when the flood began is not sent back to solve again.
			if err := svc.CheckProofOfWork(ctx, intake.DefaultDeskSlug, before.Solve()); err != nil {
				t.Errorf("a challenge fetched before the flood: %v", err)
			}
			r, err := submitTip(t, svc)
			if err != nil {
				t.Fatalf("tip above the soft limit: %v", err)
			}
			if !flood(t, st, r.SubmissionID) {
				t.Error("the tip above the soft limit is not flagged")
			}
			// The next hour starts afresh.
			svc.Now = func() time.Time { return time.Now().Add(time.Hour) }
			if got := svc.PowBitsFor(ctx, intake.DefaultDeskSlug); got != 4 {
				t.Errorf("pow bits in the next hour = %d, want 4", got)
			}
		})
	}
}

// TestPendingBudget: once the bytes of uncommitted blobs reach the budget,
// a new tip is refused with ErrStorageFull before anything is read; when a
// commit or the janitor releases them, tips are accepted again.
func TestPendingBudget(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, _, _ := newTestService(t, d)
			svc.Limits.PendingBytes = 1
			open, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Fatal(err)
			}
			validAnswers(t, open)
			if err := open.AddFile(ctx, "a.pdf", "", strings.NewReader("evidence")); err != nil {
				t.Fatal(err)
			}
			b, err := svc.Budget(ctx)
			if err != nil || !b.PendingFull || b.PendingBytes == 0 {
				t.Fatalf("budget = %+v, %v; want pending full", b, err)
			}
			if _, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug); !errors.Is(err, intake.ErrStorageFull) {
				t.Fatalf("begin while full: %v, want ErrStorageFull", err)
			}
			if tipline.ErrorCode(intake.ErrStorageFull) != tipline.Unavailable {
				t.Error("ErrStorageFull is not Unavailable")
			}
			// The open submission still commits: its bytes are reserved.
			if _, err := open.Commit(ctx, intake.EN); err != nil {
				t.Fatalf("commit of the open submission: %v", err)
			}
			if b, _ := svc.Budget(ctx); b.PendingBytes != 0 || b.Full() {
				t.Fatalf("budget after the commit = %+v, want empty", b)
			}
			if _, err := submitTip(t, svc); err != nil {
				t.Fatalf("tip after the commit released the bytes: %v", err)
			}

			// An abandoned submission (a crash: no abort) keeps its bytes
			// until the janitor removes its blob.
			lost, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Fatal(err)
			}
			if err := lost.AddFile(ctx, "b.pdf", "", strings.NewReader("evidence")); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug); !errors.Is(err, intake.ErrStorageFull) {
				t.Fatalf("begin while full: %v, want ErrStorageFull", err)
			}
			svc.Now = func() time.Time { return time.Now().Add(72 * time.Hour) }
			if r, err := svc.SweepPending(ctx); err != nil || r.Removed != 1 {
				t.Fatalf("sweep = %+v, %v; want one blob removed", r, err)
			}
			if _, err := submitTip(t, svc); err != nil {
				t.Fatalf("tip after the janitor released the bytes: %v", err)
			}
		})
	}
}

// TestCommittedBytesBudget: once the hour's committed bytes reach the
// budget, new tips are refused, a tip already under way is refused at its
// commit with nothing recorded, and the next hour accepts tips again.
func TestCommittedBytesBudget(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, st, _ := newTestService(t, d)
			svc.Limits.CommittedBytesPerHour = 1
			late, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Fatal(err)
			}
			validAnswers(t, late)
			if _, err := submitTip(t, svc); err != nil {
				t.Fatalf("first tip of the hour: %v", err)
			}
			if b, _ := svc.Budget(ctx); !b.CommittedFull {
				t.Fatalf("budget = %+v, want committed full", b)
			}
			if _, err := submitTip(t, svc); !errors.Is(err, intake.ErrStorageFull) {
				t.Fatalf("tip once the hour is full: %v, want ErrStorageFull", err)
			}
			if _, err := late.Commit(ctx, intake.EN); !errors.Is(err, intake.ErrStorageFull) {
				t.Fatalf("commit once the hour is full: %v, want ErrStorageFull", err)
			}
			if subs, _ := st.Submissions(ctx, "", 10); len(subs) != 1 {
				t.Errorf("%d submissions recorded, want 1", len(subs))
			}
			if n, _ := st.PendingBytes(ctx); n != 0 {
				t.Errorf("pending bytes after refused commits = %d, want 0", n)
			}
			svc.Now = func() time.Time { return time.Now().Add(time.Hour) }
			if _, err := submitTip(t, svc); err != nil {
				t.Fatalf("tip in the next hour: %v", err)
			}
		})
	}
}
