package drill

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
)

// killJanitorInterval is the node's TIPLINE_JANITOR_INTERVAL (its
// TIPLINE_PENDING_MAX_AGE is the scale's pendingMaxAge). With a max age of
// 3 s, shorter than some uploads on a loaded machine, the janitor once
// removed the blob of an upload still in flight whose tip was then
// committed and its codename shown; a commit now renews its blobs'
// reservations and is refused when one is gone (TestSweepRacesCommit).
const killJanitorInterval = 2 * time.Second

// TestFaultKill kills the server with SIGKILL while sources send tips
// without JavaScript and through browser upload sessions, on PostgreSQL
// and MinIO, and starts it again. Then every codename a source was shown
// belongs to a complete submission that GnuPG decrypts to what the source
// sent; no submission is half-visible; the janitor removes the pending
// blobs of the tips that were never committed; the audit log and the
// intake log (through every receipt) verify; and the interrupted upload
// sessions resume on the restarted server and commit.
func TestFaultKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills a server")
	}
	sc := faultScaleOf()
	bucketURL, bucket := faultBucket(t)
	dbURL := dbtest.URL(t, database.Postgres)
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	n := newFaultNode(t, buildBinaries(t).tipline, map[string]string{
		"TIPLINE_DATABASE_URL":          dbURL,
		"TIPLINE_BLOB_URL":              bucketURL,
		"TIPLINE_MAX_FORM_UPLOAD_BYTES": fmt.Sprint(sc.maxFormUpload),
		"TIPLINE_PENDING_MAX_AGE":       sc.pendingMaxAge.String(),
		"TIPLINE_JANITOR_INTERVAL":      killJanitorInterval.String(),
	})
	n.start()
	n.waitReady(time.Minute)
	ctx := context.Background()
	src := newFaultSource(n.intake, sc.bytesPerSec, sc.chunksPerSec)

	// The browser tips are encrypted, and their manifests uploaded, before
	// the sources start; their files are uploaded while the forms are sent.
	browser := make([]*browserTip, sc.sessions)
	for i := range browser {
		b, err := src.newBrowserTip(ctx, fmt.Sprintf("Browser tip %d: boards relabelled as routers.", i), faultEvidence(sc.sessionBytes))
		if err != nil {
			t.Fatal(err)
		}
		if b.manifestID, err = src.openUpload(ctx, b.manifest); err == nil {
			err = src.putChunks(ctx, b.manifestID, b.manifest, nil)
		}
		if err == nil {
			b.fileID, err = src.openUpload(ctx, b.file)
		}
		if err != nil {
			t.Fatal(err)
		}
		browser[i] = b
	}

	// The sources start, a little apart; the sessions send their files once
	// a quarter of the forms were answered, and the server is killed once
	// every session has stored two chunks, so that forms and sessions are
	// caught in flight.
	var (
		mu             sync.Mutex
		shown          []shownTip
		answered       = make(chan struct{})
		chunksStored   = make([]atomic.Int64, sc.sessions)
		formOutcomes   = map[string]int{}
		wg             sync.WaitGroup
		sessionsBefore = make([]error, sc.sessions)
	)
	for i := range sc.formTips {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 100 * time.Millisecond)
			tip, err := src.sendForm(ctx, fmt.Sprintf("Form tip %d: H100 servers shipped through a forwarder.", i), faultEvidence(sc.formBytes))
			mu.Lock()
			defer mu.Unlock()
			formOutcomes[killOutcome(err)]++
			if err == nil {
				shown = append(shown, tip)
				if len(shown) == max(1, sc.formTips/4) {
					close(answered)
				}
			}
		})
	}
	for i, b := range browser {
		wg.Go(func() {
			<-answered
			sessionsBefore[i] = src.putChunks(ctx, b.fileID, b.file, func() { chunksStored[i].Add(1) })
		})
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		ready := true
		for i := range chunksStored {
			ready = ready && chunksStored[i].Load() >= 2
		}
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sources did not get far enough to be interrupted:\n%s", n.logTail())
		}
	}
	n.signal(syscall.SIGKILL)
	wg.Wait()
	interrupted := 0
	for _, err := range sessionsBefore {
		if err != nil {
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Error("the kill interrupted no browser session: resuming was not tried")
	}

	// Started again, on the same data.
	n.start()
	n.waitReady(time.Minute)
	var resumed int
	for i, b := range browser {
		if err := src.putChunks(ctx, b.fileID, b.file, nil); err != nil {
			t.Errorf("browser session %d does not resume after the restart: %v", i, err)
			continue
		}
		tip, err := src.submit(ctx, b)
		if err != nil {
			t.Errorf("browser tip %d is not committed after the restart: %v", i, err)
			continue
		}
		resumed++
		shown = append(shown, tip)
	}
	t.Logf("kill drill, %s scale: forms without JavaScript %v; %d browser sessions interrupted, %d of %d resumed and committed",
		sc.name, formOutcomes, interrupted, resumed, sc.sessions)

	checkShownTips(t, n, shown)

	// The janitor removes the pending blobs of the tips the kill cut: those
	// no object row names (committed blobs stay pending until the janitor
	// moves a day's batch on a later day).
	within := sc.pendingMaxAge + 3*killJanitorInterval + 20*time.Second
	var orphans []string
	for deadline := time.Now().Add(within); ; time.Sleep(time.Second) {
		orphans = killOrphans(t, bucket, db)
		if len(orphans) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(orphans) > 0 {
		t.Errorf("%d pending blobs of uncommitted tips are left %s after the restart (TIPLINE_PENDING_MAX_AGE %s, TIPLINE_JANITOR_INTERVAL %s): %s",
			len(orphans), within, sc.pendingMaxAge, killJanitorInterval, strings.Join(orphans, ", "))
	}
	if t.Failed() {
		for line := range strings.SplitSeq(n.log(), "\n") {
			if strings.Contains(line, "janitor") {
				t.Log(line)
			}
		}
		t.Logf("server log (last lines):\n%s", n.logTail())
	}
}

// killOrphans lists the pending blobs that no object row names.
func killOrphans(t *testing.T, bucket blob.Store, db *sql.DB) []string {
	t.Helper()
	infos, err := bucket.List(context.Background(), "pending/")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT blob_key FROM objects")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	named := map[string]bool{}
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			t.Fatal(err)
		}
		named[key] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var orphans []string
	for _, i := range infos {
		if !named[i.Key] {
			orphans = append(orphans, i.Key)
		}
	}
	return orphans
}

// killOutcome names how a form sent across the kill ended.
func killOutcome(err error) string {
	var f *failure
	switch {
	case err == nil:
		return "codename shown"
	case errors.As(err, &f):
		return fmt.Sprintf("answered %d", f.status)
	}
	return "connection broken"
}
