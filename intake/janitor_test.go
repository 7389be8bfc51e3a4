package intake_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestSweepPending: a committed blob stays under pending/ on the day it was
// committed and moves, with its row, at the first sweep of a later day,
// however old or young it is; an abandoned blob goes once it is old enough
// and a young one is left alone; a reader holding the pending key still
// reads a blob that the janitor has moved.
func TestSweepPending(t *testing.T) {
	ctx := context.Background()
	blobs, err := blob.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(dbtest.Open(t, database.SQLite))
	start := time.Now()
	now := start
	svc := &intake.Service{Store: st, Blobs: blobs, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}

	// abandoned is never committed; committed is committed on the day it
	// was written; late was written today but is committed in three days,
	// as a kept file of a corrected form may be.
	abandoned, committed, late := blob.NewKey(""), blob.NewKey(""), blob.NewKey("")
	for _, id := range []string{abandoned, committed, late} {
		if _, err := blobs.Put(ctx, "pending/"+id, strings.NewReader("ciphertext")); err != nil {
			t.Fatal(err)
		}
	}
	day := func(days int) string { return start.UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	commits := 0
	commit := func(id, day string) intake.Object {
		commits++
		o := intake.Object{ID: id, Kind: intake.KindManifest, BlobKey: "pending/" + id, KeyPackets: []byte{1}}
		sub := intake.Submission{
			ID: blob.NewKey(""), DeskSlug: intake.DefaultDeskSlug, ReceivedDay: day, EncryptedBy: "server",
			LookupKey: [32]byte{byte(commits)}, ReplySalt: make([]byte, 16), Objects: []intake.Object{o},
		}
		if _, err := st.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }); err != nil {
			t.Fatal(err)
		}
		return o
	}
	committedObject := commit(committed, day(0))
	commit(late, day(3))

	steps := []struct {
		name        string
		after       time.Duration
		maxAge      time.Duration
		want        intake.JanitorReport
		wantPending []string
	}{
		{"the day of the commit", 0, time.Hour, intake.JanitorReport{}, []string{abandoned, committed, late}},
		{"the next day, abandoned blobs still young", 24 * time.Hour, 72 * time.Hour, intake.JanitorReport{Finished: 1}, []string{abandoned, late}},
		{"the day the late blob is committed", 72 * time.Hour, time.Hour, intake.JanitorReport{Removed: 1}, []string{late}},
		{"the day after", 96 * time.Hour, time.Hour, intake.JanitorReport{Finished: 1}, nil},
	}
	for _, step := range steps {
		now = start.Add(step.after)
		r, err := svc.SweepPending(ctx, step.maxAge)
		if err != nil || r != step.want {
			t.Errorf("%s: sweep = %+v, %v; want %+v", step.name, r, err, step.want)
		}
		infos, _ := blobs.List(ctx, "pending/")
		var pending []string
		for _, info := range infos {
			pending = append(pending, strings.TrimPrefix(info.Key, "pending/"))
		}
		slices.Sort(pending)
		slices.Sort(step.wantPending)
		if !slices.Equal(pending, step.wantPending) {
			t.Errorf("%s: pending blobs %v, want %v", step.name, pending, step.wantPending)
		}
	}

	for _, id := range []string{committed, late} {
		objects, err := st.SubmissionObjects(ctx, mustObjectSubmission(t, st, id))
		if err != nil || len(objects) != 1 || objects[0].BlobKey != "objects/"+id {
			t.Errorf("rows of a moved blob = %+v, %v; want the key objects/%s", objects, err, id)
		}
	}
	// committedObject was read before the move and still names pending/.
	rc, err := svc.OpenObject(ctx, committedObject)
	if err != nil {
		t.Fatalf("OpenObject with the pending key after the move: %v", err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(b, []byte("\x01ciphertext")) {
		t.Errorf("moved blob reads %q", b)
	}
}

func mustObjectSubmission(t *testing.T, st *store.Store, objectID string) string {
	t.Helper()
	id, err := st.ObjectSubmission(context.Background(), objectID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
