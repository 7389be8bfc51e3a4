package intake_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
)

// waitIdentitiesReady waits until svc has n identities made ahead.
func waitIdentitiesReady(t *testing.T, svc *intake.Service, n int) {
	t.Helper()
	// A bound against a hanging test, not a measured time.
	for deadline := time.Now().Add(time.Minute); svc.IdentitiesReady() != n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d identities ready, want %d", svc.IdentitiesReady(), n)
		}
	}
}

// commitTipOf commits a server-encrypted tip, its codename of digits when
// numeric.
func commitTipOf(t *testing.T, svc *intake.Service, numeric bool) *intake.Receipt {
	t.Helper()
	ctx := context.Background()
	sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	sub.AddValue("narrative", "H100 boards relabelled as routers.")
	sub.ChooseNumericCodename(numeric)
	r, err := sub.Commit(ctx, intake.EN)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestIdentitiesMadeAhead: a commit takes an identity made ahead and runs
// no codename derivation; the codename it shows opens the mailbox and its
// reply key; the node makes the next identity once the commit ends. A
// source who chooses digits gets an identity made at commit, and the
// identities of words stay. Identities made on an earlier day are never
// used: their reply keys would date a tip committed after midnight to the
// day before.
func TestIdentitiesMadeAhead(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t, database.SQLite)
	var derivations atomic.Int64
	intake.SetDerivationHook(t, func(int) { derivations.Add(1) })

	svc.IdentitiesAhead = 2
	svc.MakeIdentitiesAhead()
	waitIdentitiesReady(t, svc, 2)
	// One ready is enough from here: the first commit leaves one and
	// starts no other derivation.
	svc.IdentitiesAhead = 1
	derivations.Store(0)
	r := commitTipOf(t, svc, false)
	if n := derivations.Load(); n != 0 {
		t.Errorf("a commit with identities made ahead ran %d derivations, want none", n)
	}
	if svc.IdentitiesReady() != 1 {
		t.Errorf("%d identities ready after the commit, want 1", svc.IdentitiesReady())
	}
	box, _, err := svc.OpenMailbox(ctx, r.Codename.Reveal())
	if err != nil {
		t.Fatalf("the codename of an identity made ahead does not open the mailbox: %v", err)
	}
	if box.SubmissionID != r.SubmissionID {
		t.Errorf("the codename opens submission %s, want %s", box.SubmissionID, r.SubmissionID)
	}

	// Digits: made at commit; the identity of words stays ready.
	derivations.Store(0)
	digits := commitTipOf(t, svc, true)
	if n := derivations.Load(); n != 2 {
		t.Errorf("a commit with a codename of digits ran %d derivations, want 2", n)
	}
	if !digits.Codename.Numeric() {
		t.Error("the codename chosen as digits is of words")
	}
	if svc.IdentitiesReady() != 1 {
		t.Errorf("%d identities ready after a commit of digits, want 1", svc.IdentitiesReady())
	}

	// The last one taken, the node makes the next.
	commitTipOf(t, svc, false)
	waitIdentitiesReady(t, svc, 1)

	// The next day, the one made yesterday is thrown away: the commit
	// makes its own, dated today.
	tomorrow := time.Now().UTC().Add(24 * time.Hour)
	svc.Now = func() time.Time { return tomorrow }
	derivations.Store(0)
	late := commitTipOf(t, svc, false)
	if n := derivations.Load(); n < 2 {
		t.Errorf("the commit the next day ran %d derivations, want its own 2", n)
	}
	armored, err := svc.ReplyKey(ctx, late.SubmissionID)
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.ParsePublicKey(armored, tomorrow)
	if err != nil {
		t.Fatal(err)
	}
	if day := tomorrow.Truncate(24 * time.Hour); !key.Created.Equal(day) {
		t.Errorf("the reply key of a tip committed on %s is dated %s", day.Format(time.DateOnly), key.Created)
	}
	// The node makes the next one, of the new day.
	waitIdentitiesReady(t, svc, 1)
}
