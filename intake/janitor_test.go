package intake_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestSweepPending: an abandoned pending blob goes once it is old enough; a
// committed one whose move was interrupted is moved and its row updated; a
// young one is left alone.
func TestSweepPending(t *testing.T) {
	ctx := context.Background()
	blobs, err := blob.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(dbtest.Open(t, database.SQLite))
	now := time.Now()
	svc := &intake.Service{Store: st, Blobs: blobs, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}

	put := func(key string) {
		if _, err := blobs.Put(ctx, key, strings.NewReader("ciphertext")); err != nil {
			t.Fatal(err)
		}
	}
	abandoned, committed := blob.NewKey(""), blob.NewKey("")
	put("pending/" + abandoned)
	put("pending/" + committed)
	sub := intake.Submission{
		ID: blob.NewKey(""), DeskSlug: intake.DefaultDeskSlug, ReceivedDay: "2026-11-28", EncryptedBy: "server",
		LookupKey: [32]byte{1}, ReplySalt: make([]byte, 16),
		Objects: []intake.Object{{ID: committed, Kind: intake.KindManifest, BlobKey: "pending/" + committed, KeyPackets: []byte{1}}},
	}
	if _, err := st.Commit(ctx, sub, func(int64, [32]byte) []byte { return []byte("{}") }); err != nil {
		t.Fatal(err)
	}

	// Young blobs stay: they may belong to a submission in progress.
	if r, err := svc.SweepPending(ctx, time.Hour); err != nil || r.Removed+r.Finished != 0 {
		t.Fatalf("sweep of young blobs = %+v, %v", r, err)
	}
	now = now.Add(26 * time.Hour) // times are kept to the day: a day more

	r, err := svc.SweepPending(ctx, time.Hour)
	if err != nil || r.Removed != 1 || r.Finished != 1 {
		t.Fatalf("sweep = %+v, %v; want 1 removed, 1 finished", r, err)
	}
	infos, _ := blobs.List(ctx, "")
	if len(infos) != 1 || infos[0].Key != "objects/"+committed {
		t.Errorf("blobs after sweep = %+v, want only objects/%s", infos, committed)
	}
	rc, err := blobs.Get(ctx, "objects/"+committed)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "ciphertext" {
		t.Errorf("moved blob holds %q", b)
	}
}
