package intake_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
)

// A source's follow-ups count against the byte budgets as tips do: their
// files are reserved against the pending budget as they arrive, a
// committed follow-up's bytes count in the hour's committed bytes, and no
// follow-up begins while a budget is exhausted. Anyone can make a
// submission and so hold a mailbox; before this, follow-ups stored any
// number of files past both budgets.
func TestFollowUpBudgets(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			svc, _, _ := newTestService(t, d)
			sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
			if err != nil {
				t.Fatal(err)
			}
			sub.AddValue("narrative", "Relabelled boards.")
			r, err := sub.Commit(ctx, intake.EN)
			if err != nil {
				t.Fatal(err)
			}
			_, token, err := svc.OpenMailbox(ctx, r.Codename.Reveal())
			if err != nil {
				t.Fatal(err)
			}
			svc.Limits.PendingBytes = 2 << 20
			svc.Limits.CommittedBytesPerHour = 12 << 20

			// A file larger than the pending budget is refused while it
			// streams, and leaves nothing reserved.
			f, err := svc.BeginFollowUp(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			big := make([]byte, 16<<20)
			rand.Read(big)
			if err := f.AddFile(ctx, "dump.bin", "application/octet-stream", bytes.NewReader(big)); !errors.Is(err, intake.ErrStorageFull) {
				t.Errorf("a follow-up file over the pending budget: %v, want ErrStorageFull", err)
			}
			f.Abort(ctx)
			if b, err := svc.Budget(ctx); err != nil || b.PendingBytes != 0 {
				t.Errorf("pending bytes after the refused follow-up = %d, %v; want 0", b.PendingBytes, err)
			}

			// Follow-ups under the pending budget commit, and their bytes
			// count in the hour's committed bytes until that budget is
			// reached; then no follow-up begins.
			for i := 0; ; i++ {
				if i == 20 {
					t.Fatal("follow-ups never reached the committed budget")
				}
				f, err := svc.BeginFollowUp(ctx, token)
				if errors.Is(err, intake.ErrStorageFull) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := f.AddFile(ctx, "part.bin", "application/octet-stream", bytes.NewReader(big[:1<<20+i])); err != nil {
					t.Fatalf("follow-up %d: %v", i, err)
				}
				if err := f.Commit(ctx, ""); err != nil {
					t.Fatalf("follow-up %d: %v", i, err)
				}
			}
			b, err := svc.Budget(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b.CommittedBytesHour < svc.Limits.CommittedBytesPerHour || b.CommittedBytesHour > svc.Limits.CommittedBytesPerHour+(2<<20) {
				t.Errorf("committed bytes this hour = %d, want the budget (%d) and at most one follow-up more", b.CommittedBytesHour, svc.Limits.CommittedBytesPerHour)
			}
			if b.PendingBytes != 0 {
				t.Errorf("pending bytes after the committed follow-ups = %d, want 0 (released)", b.PendingBytes)
			}
			// New tips wait too.
			if _, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug); !errors.Is(err, intake.ErrStorageFull) {
				t.Errorf("a new tip once follow-ups filled the hour: %v, want ErrStorageFull", err)
			}
		})
	}
}
