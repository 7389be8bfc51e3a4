package intake_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// newTestService wires an intake service as serve does, on a fresh database
// of the dialect and a directory blob store, with fast codename derivation
// and a go-crypto key on the default desk, whose private half it returns.
func newTestService(t testing.TB, d database.Dialect) (*intake.Service, *store.Store, *crypto.PrivateKey) {
	t.Helper()
	ctx := context.Background()
	st := store.New(dbtest.Open(t, d))
	blobs, err := blob.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pepper := crypto.NewPepper()
	signer, err := intake.LoadReceiptSigner(ctx, st, pepper)
	if err != nil {
		t.Fatal(err)
	}
	svc := &intake.Service{
		Desks: &intake.Desks{Store: st, Now: time.Now}, Store: st, Blobs: blobs,
		Questionnaires: func(string) *intake.Questionnaire { return intake.DefaultQuestionnaire() },
		Pepper:         pepper, CodenameParams: crypto.CodenameParams{Time: 1, MemoryKiB: 64, Threads: 1},
		Rates: st, Limits: intake.Limits{PerDeskPerHour: 100, TotalPerHour: 100},
		Receipts: signer, Logger: slog.New(slog.DiscardHandler), Now: time.Now,
	}
	pub, priv, _, err := crypto.GenerateKey("Desk", "", []byte("pw"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Desks.AddKey(ctx, intake.DefaultDeskSlug, pub); err != nil {
		t.Fatal(err)
	}
	key, err := crypto.ReadPrivateKey(priv, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	return svc, st, key
}
