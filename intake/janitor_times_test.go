//go:build linux

package intake_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
)

// coarseClock is how far the kernel's file time clock, which advances by
// ticks, may lag behind time.Now.
const coarseClock = 20 * time.Millisecond

// TestJanitorBatchDatesBlobs proves that the inode change time (ctime),
// which no program can set, of every file and folder of the directory store
// tells when the janitor's batch ran, not when a source committed a tip or
// a follow-up: commits leave their blobs under pending/, and the first
// sweep of the next day moves them. The sleep separates the commits' second
// from the sweep's, so that a ctime left by a commit cannot pass for one
// of the sweep.
func TestJanitorBatchDatesBlobs(t *testing.T) {
	ctx := context.Background()
	svc, st, _ := newTestService(t, database.SQLite)
	root := t.TempDir()
	blobs, err := blob.OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	svc.Blobs = blobs
	day := time.Now()
	svc.Now = func() time.Time { return day }

	commitsStart := time.Now()
	sub, err := svc.BeginServerSubmission(ctx, intake.DefaultDeskSlug)
	if err != nil {
		t.Fatal(err)
	}
	sub.AddValue("narrative", "Relabelled boards.")
	if err := sub.AddFile(ctx, "ledger.csv", "text/csv", strings.NewReader("row 1")); err != nil {
		t.Fatal(err)
	}
	r, err := sub.Commit(ctx, intake.EN)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := svc.OpenMailbox(ctx, r.Codename.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	f, err := svc.BeginFollowUp(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(ctx, "The invoices are in the second shipment."); err != nil {
		t.Fatal(err)
	}
	commitsEnd := time.Now()

	objects, err := st.SubmissionObjects(ctx, r.SubmissionID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		if o.BlobKey != "pending/"+o.ID {
			t.Errorf("right after the commit, object %s is at %s, want under pending/", o.ID, o.BlobKey)
		}
	}
	if rep, err := svc.SweepPending(ctx); err != nil || rep.Finished != 0 {
		t.Fatalf("sweep on the day of the commits = %+v, %v; want nothing moved", rep, err)
	}

	time.Sleep(1100 * time.Millisecond)
	day = day.Add(24 * time.Hour)
	sweepStart := time.Now()
	rep, err := svc.SweepPending(ctx)
	sweepEnd := time.Now()
	if err != nil || rep.Finished != len(objects) {
		t.Fatalf("sweep of the next day = %+v, %v; want %d moved", rep, err, len(objects))
	}

	objects, _ = st.SubmissionObjects(ctx, r.SubmissionID)
	for _, o := range objects {
		if o.BlobKey != "objects/"+o.ID {
			t.Errorf("after the sweep, object %s is at %s, want under objects/", o.ID, o.BlobKey)
		}
	}
	paths := 0
	err = filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			return err
		}
		paths++
		ctime := time.Unix(st.Ctim.Unix())
		rel, _ := filepath.Rel(root, p)
		switch {
		case !ctime.Before(commitsStart.Add(-coarseClock)) && !ctime.After(commitsEnd):
			t.Errorf("%s: ctime %s falls among the commits (%s to %s)", rel, ctime, commitsStart, commitsEnd)
		case ctime.Before(sweepStart.Add(-coarseClock)) || ctime.After(sweepEnd.Add(coarseClock)):
			t.Errorf("%s: ctime %s, want within the sweep (%s to %s)", rel, ctime, sweepStart, sweepEnd)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The root, pending/, objects/ and every object.
	if want := 3 + len(objects); paths != want {
		t.Errorf("walked %d files and folders, want %d", paths, want)
	}
}
