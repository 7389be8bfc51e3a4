package drill

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// The settings of the two-node drill.
const (
	// nodesJanitorInterval is how often each node's janitor sweeps: both
	// sweep over and over while the sources act.
	nodesJanitorInterval = time.Second
	// nodesPendingMaxAge is the age after which a janitor removes a blob
	// that was never committed; no upload request may take longer
	// (nodesUploadTimeout), so it is above the time any tip takes from its
	// first stored blob to its commit (2 to 10 s on a loaded machine).
	nodesPendingMaxAge = 30 * time.Second
	nodesUploadTimeout = nodesPendingMaxAge
	// nodesOrphans is how many blobs a crash left, of each kind, before
	// the nodes start: chunks of upload sessions that do not exist, and
	// pending blobs of tips that were never committed.
	nodesOrphans = 8
)

// TestFaultTwoNodes runs two app nodes on one PostgreSQL and one MinIO with
// the same pepper, their janitors sweeping every second, and acts as
// sources and an investigator across them: tips alternate between the
// nodes; a browser upload session opened on one (with a proof of work
// from the other) takes its chunks on both, resumes from the other's view
// of it and commits there; a codename from one opens the mailbox on the
// other, where the source reads the investigator's reply sent through the
// first; the hourly limits count the tips of both nodes (the soft
// per-desk limit makes the proof of work harder on both, the hard budget
// of committed bytes refuses tips on both); and the two janitors, which
// race over what a crash left behind, never delete a live blob nor log a
// failure.
func TestFaultTwoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tipline and runs two nodes")
	}
	sc := storeScaleOf()
	bins := buildBinaries(t)
	bucketURL, bucket := nodesBucket(t)
	// The soft limit is reached by the tips of both nodes together; the
	// budget of committed bytes holds every tip but the big ones at the end
	// (the upload across the nodes, of two chunks, takes half of it).
	tipsBeforeLimit := 4*sc.tips + 2
	const budget = 12 << 20
	d := storeSetUp(t, bins.tipline, map[string]string{
		"TIPLINE_DATABASE_URL":             dbtest.URL(t, database.Postgres),
		"TIPLINE_BLOB_URL":                 bucketURL,
		"TIPLINE_DESK_HOURLY_LIMIT":        strconv.Itoa(tipsBeforeLimit),
		"TIPLINE_COMMITTED_BYTES_PER_HOUR": strconv.Itoa(budget),
		"TIPLINE_JANITOR_INTERVAL":         nodesJanitorInterval.String(),
		"TIPLINE_PENDING_MAX_AGE":          nodesPendingMaxAge.String(),
		"TIPLINE_UPLOAD_TIMEOUT":           nodesUploadTimeout.String(),
	})
	orphans := nodesPlantOrphans(t, bucket)
	// Both nodes start at once: their first sweeps race.
	started := time.Now()
	nodes := [2]*storeNode{d.start(t), d.start(t)}
	for _, n := range nodes {
		storeWaitReady(t, n.server, http.StatusOK)
	}
	ctx := t.Context()
	src := [2]*storeSource{newStoreSource(t, nodes[0].server)}
	src[1] = src[0].on(nodes[1].server)
	basePow := nodesPowBits(t, ctx, src[0])

	// The limits count per UTC hour: the drill's tips must fall in one.
	hour := time.Now().UTC().Truncate(time.Hour)
	sameHour := func(t *testing.T) {
		if now := time.Now().UTC().Truncate(time.Hour); now != hour {
			t.Skipf("the hour turned during the drill (%s): the hourly counters started again", now.Format(time.TimeOnly))
		}
	}
	committed := 0
	t.Run("TipsAlternate", func(t *testing.T) {
		for i := range 2 * sc.tips {
			d.expect(src[i%2].formTip(t, ctx, "en"))
			d.expect(src[(i+1)%2].apiTip(t, ctx, "zh-Hans"))
			committed += 2
		}
	})

	t.Run("UploadSessionAcrossNodes", func(t *testing.T) {
		tip := nodesCrossUpload(t, ctx, src)
		d.expect(tip)
		committed++
	})

	t.Run("MailboxAcrossNodes", func(t *testing.T) {
		tip := src[0].formTip(t, ctx, "en")
		d.expect(tip)
		committed++
		investigator := newUsers(t, nodes[0].server, d.staff, nil)
		token, err := investigator.staffLogin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		text := "Fault drill reply " + randomHex(8) + ": which forwarder?"
		if err := investigator.reply(ctx, token, tip.submission, text); err != nil {
			t.Fatal(err)
		}
		if err := newUsers(t, nodes[1].server, d.staff, nil).readReply(ctx, tip.codename, text); err != nil {
			t.Fatalf("the codename shown by one node, in the mailbox of the other: %v", err)
		}
	})

	t.Run("SharedLimits", func(t *testing.T) {
		// The soft per-desk limit: reached by the tips of both nodes, none
		// of which reached it alone; both ask for the harder proof of work.
		if committed != tipsBeforeLimit {
			t.Fatalf("the drill committed %d tips before the limit, want %d", committed, tipsBeforeLimit)
		}
		sameHour(t)
		for i, s := range src {
			if bits := nodesPowBits(t, ctx, s); bits != basePow+intake.FloodPowExtraBits {
				t.Errorf("node %d asks %d bits of proof of work after %d tips on both nodes (limit %d), want %d",
					i+1, bits, committed, tipsBeforeLimit, basePow+intake.FloodPowExtraBits)
			}
		}
		// The hard budget of committed bytes: big tips alternate until one
		// node refuses; then the other refuses too.
		for i := 0; ; i++ {
			if i == budget>>20+2 {
				t.Fatalf("%d tips of 1 MiB were taken within a budget of %d MiB", i, budget>>20)
			}
			evidence := storeEvidence(1 << 20)
			status, page := src[i%2].formPost(t, ctx, "en", evidence)
			if tip, err := storeCodenamePage(status, page); err == nil {
				tip.evidence, tip.via = evidence, "a big tip under the budget"
				d.expect(tip)
				continue
			}
			storeWantUnavailable(t, fmt.Sprintf("tip over the budget on node %d", i%2+1), "en", status, page)
			evidence = storeEvidence(1 << 20)
			status, page = src[(i+1)%2].formPost(t, ctx, "en", evidence)
			if tip, err := storeCodenamePage(status, page); err == nil {
				tip.evidence, tip.via = evidence, "a big tip over the budget"
				d.expect(tip) // for the final check, whatever the hour
				sameHour(t)
			}
			storeWantUnavailable(t, fmt.Sprintf("tip over the budget on node %d", (i+1)%2+1), "en", status, page)
			break
		}
	})

	t.Run("Janitors", func(t *testing.T) {
		// What a crash left is swept, the pending blobs once they have been
		// seen uncommitted for the pending max age; which node swept what
		// does not matter.
		store, err := blob.Open(bucketURL)
		if err != nil {
			t.Fatal(err)
		}
		deadline := started.Add(nodesPendingMaxAge + 30*time.Second)
		for {
			uploads, pending := nodesLeft(t, store, orphans.uploads), nodesLeft(t, store, orphans.pending)
			if uploads+pending == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%d of %d orphaned upload chunks and %d of %d orphaned pending blobs are still there %s after the nodes started (TIPLINE_PENDING_MAX_AGE=%s, TIPLINE_JANITOR_INTERVAL=%s)",
					uploads, len(orphans.uploads), pending, len(orphans.pending), time.Since(started).Round(time.Second), nodesPendingMaxAge, nodesJanitorInterval)
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		for i, n := range nodes {
			if !n.running() {
				t.Errorf("node %d exited", i+1)
			}
			if lines := nodesFailures(t, n.server); len(lines) > 0 {
				t.Errorf("the janitor of node %d logged failures:\n%s", i+1, strings.Join(lines, "\n"))
			}
		}
	})
	d.verify(t)
}

// nodesBucket returns the TIPLINE_BLOB_URL of a new bucket on the MinIO of
// `make test`, emptied when the test ends, and the bucket's store.
func nodesBucket(t *testing.T) (string, *blob.S3) {
	t.Helper()
	u, err := url.Parse(testenv.Get(t, testenv.S3URL))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/drill-" + randomHex(6)
	store, err := blob.Open(u.String())
	if err != nil {
		t.Fatal(err)
	}
	s3 := store.(*blob.S3)
	if err := s3.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emptyBucket(t, store) })
	return u.String(), s3
}

// nodesOrphanKeys are the keys of the blobs a crash left.
type nodesOrphanKeys struct {
	uploads, pending []string
}

// nodesPlantOrphans writes what a crash leaves behind into the bucket: the
// chunks of upload sessions whose rows are gone, and pending blobs of tips
// that were never committed.
func nodesPlantOrphans(t *testing.T, store *blob.S3) nodesOrphanKeys {
	t.Helper()
	var keys nodesOrphanKeys
	for range nodesOrphans {
		id := randomHex(13)
		keys.uploads = append(keys.uploads, "uploads/"+id+"/00000000", "uploads/"+id+"/00000001")
		keys.pending = append(keys.pending, "pending/"+randomHex(13))
	}
	for _, key := range append(append([]string{}, keys.uploads...), keys.pending...) {
		if _, err := store.Put(t.Context(), key, bytes.NewReader(storeEvidence(32<<10))); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// nodesLeft counts the keys that are still in the store.
func nodesLeft(t *testing.T, store blob.Store, keys []string) int {
	t.Helper()
	infos, err := store.List(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for _, i := range infos {
		present[i.Key] = true
	}
	left := 0
	for _, k := range keys {
		if present[k] {
			left++
		}
	}
	return left
}

// nodesFailures returns the janitor's log lines at WARN or ERROR level.
func nodesFailures(t *testing.T, srv *server) []string {
	t.Helper()
	b, err := os.ReadFile(srv.logPath)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for line := range strings.SplitSeq(string(b), "\n") {
		var l struct{ Level, Msg string }
		if json.Unmarshal([]byte(line), &l) == nil && (l.Level == "WARN" || l.Level == "ERROR") &&
			strings.Contains(strings.ToLower(l.Msg), "janitor") {
			lines = append(lines, line)
		}
	}
	return lines
}

// nodesPowBits is how hard the proof of work of a submission to the desk
// is on a node.
func nodesPowBits(t *testing.T, ctx context.Context, s *storeSource) int {
	t.Helper()
	ch, err := s.challenge(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ch.Bits
}

// nodesCrossUpload sends a browser submission across the nodes: the file's
// session is opened on node 1 with a proof of work asked of node 2, its
// chunks go to both in turn, node 2 lists what arrived (as a browser asks
// to resume) and commits it with a manifest uploaded to node 1.
func nodesCrossUpload(t *testing.T, ctx context.Context, src [2]*storeSource) storeTip {
	t.Helper()
	evidence := storeEvidence(intake.MinChunkSize + 64<<10) // two chunks
	msg := src[0].encrypt(t, evidence)
	const chunk = intake.MinChunkSize
	req, _ := json.Marshal(map[string]any{"desk": desk, "size": len(msg), "chunk_size": chunk, "pow": src[1].pow(t, ctx, int64(len(msg)))})
	status, body, err := src[0].api(ctx, http.MethodPost, "/api/v1/uploads", "en", "application/json", req, nil)
	var u struct{ ID string }
	if err != nil || status != http.StatusCreated || json.Unmarshal([]byte(body), &u) != nil {
		t.Fatalf("opening an upload session on node 1 with node 2's proof of work = %d %v: %.300s", status, err, body)
	}
	chunks := 0
	for n := 0; n*chunk < len(msg); n++ {
		part := msg[n*chunk : min((n+1)*chunk, len(msg))]
		if status, body := src[n%2].putChunk(ctx, "en", u.ID, n, part, nil); status != http.StatusOK {
			t.Fatalf("chunk %d on node %d = %d: %.300s", n, n%2+1, status, body)
		}
		chunks++
	}
	status, body, err = src[1].api(ctx, http.MethodGet, "/api/v1/uploads/"+u.ID, "en", "", nil, nil)
	var state struct{ Chunks []int }
	if err != nil || status != http.StatusOK || json.Unmarshal([]byte(body), &state) != nil || len(state.Chunks) != chunks {
		t.Fatalf("node 2's view of the session = %d %v: %.300s, want %d chunks", status, err, body, chunks)
	}
	manifest := src[0].uploadManifest(t, ctx, "en", evidence)
	status, body, answer := src[1].commit(ctx, "en", manifest, []string{u.ID})
	if status != http.StatusOK || answer.Codename == "" {
		t.Fatalf("commit on node 2 = %d: %.300s", status, body)
	}
	return storeTip{submission: answer.Submission, codename: answer.Codename, evidence: evidence, via: "an upload session across both nodes"}
}
