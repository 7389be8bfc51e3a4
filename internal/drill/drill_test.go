package drill

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver, to measure the database

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/internal/testenv"
)

// scaleEnv selects the drill's size: "full" for `make drill`, anything
// else (or nothing) for the small drill of `make test`.
const scaleEnv = "TIPLINE_DRILL_SCALE"

// attackerArgsEnv adds flags to the attacker's, to find which attack
// breaks a promise: TIPLINE_DRILL_ATTACKER_ARGS='-logins 0 -slow 0'.
const attackerArgsEnv = "TIPLINE_DRILL_ATTACKER_ARGS"

// scale is the size of one drill.
type scale struct {
	name     string
	warmup   time.Duration // flood before the real users start
	minFlood time.Duration // the flood lasts at least this long, and until the users are done…
	maxFlood time.Duration // …but no longer than this: the attacker's own -duration
	attacker []string      // the attacker's size flags
}

var scales = map[string]scale{
	"small": {
		name: "small", warmup: 2 * time.Second, minFlood: 20 * time.Second, maxFlood: 90 * time.Second,
		attacker: []string{"-workers", "1", "-logins", "16", "-slow", "20", "-max-bytes", strconv.Itoa(256 << 20), "-max-requests", "100000"},
	},
	"full": {
		name: "full", warmup: 20 * time.Second, minFlood: 60 * time.Second, maxFlood: 180 * time.Second,
		attacker: []string{"-workers", "3", "-logins", "48", "-slow", "100", "-max-bytes", strconv.Itoa(2 << 30), "-max-requests", "1000000"},
	},
}

// The budgets the drill gives the server: small, so that the flood
// reaches every one of them within seconds.
const (
	pendingBudget     = 64 << 20        // bytes of uploads not yet committed, over all sources
	committedBudget   = 64 << 20        // bytes of committed submissions per hour
	maxUploadSessions = 500             // upload sessions open at once
	maxFormUpload     = 4 << 20         // one submission without JavaScript
	maxFileBytes      = 8 << 20         // one file with JavaScript
	deskHourlyLimit   = 20              // submissions per desk per hour (a soft limit)
	totalHourlyLimit  = 40              // submissions over all desks per hour (a soft limit)
	uploadGrace       = 5 * time.Second // before an upload body must keep the minimum rate (8 KiB/s by default)
	uploadIdle        = 7 * time.Second // an upload session without a chunk for this long (up to twice) is removed
)

// uploadIdle is scaled with pendingBudget as the defaults are: holding the
// whole pending budget takes resending it within two idle periods, 16 GiB
// per hour by default (about 4.5 MiB/s), here 64 MiB per 14 s.

// slowLimit is how long a slow client may keep an upload open: the grace
// period and ample time for the server to notice.
const slowLimit = uploadGrace + 10*time.Second

// The bounds on storage growth during a drill: the object store holds
// pending and committed blobs, so it grows by at most both budgets; the
// database grows by the rows the flood leaves (refusals counted per hour,
// audit entries, junk tips), which must stay small.
const (
	blobBound     = pendingBudget + committedBudget
	databaseBound = 32 << 20
)

// settings are the TIPLINE_* settings of the drill's server, beyond its
// addresses and backends.
func settings() map[string]string {
	return map[string]string{
		"TIPLINE_PENDING_BYTES_BUDGET":     strconv.Itoa(pendingBudget),
		"TIPLINE_COMMITTED_BYTES_PER_HOUR": strconv.Itoa(committedBudget),
		"TIPLINE_MAX_UPLOAD_SESSIONS":      strconv.Itoa(maxUploadSessions),
		"TIPLINE_UPLOAD_GRACE":             uploadGrace.String(),
		"TIPLINE_UPLOAD_IDLE":              uploadIdle.String(),
		"TIPLINE_MAX_FORM_UPLOAD_BYTES":    strconv.Itoa(maxFormUpload),
		"TIPLINE_MAX_FILE_BYTES":           strconv.Itoa(maxFileBytes),
		"TIPLINE_DESK_HOURLY_LIMIT":        strconv.Itoa(deskHourlyLimit),
		"TIPLINE_TOTAL_HOURLY_LIMIT":       strconv.Itoa(totalHourlyLimit),
		"TIPLINE_LOG_LEVEL":                "warn",
	}
}

// TestFloodDrill floods a real tipline binary on loopback from a separate
// attacker process while real users act, on SQLite with a blob directory
// and on PostgreSQL with MinIO, and checks the promise of "the door stays
// open": every real user succeeds, GET / stays fast, storage grows only
// within the budgets, memory stays bounded, and nothing the server must
// refuse was taken. It prints a results table either way.
func TestFloodDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binaries and floods a server")
	}
	sc, ok := scales[os.Getenv(scaleEnv)]
	if !ok {
		// make test runs it at small scale after every other package, on
		// its own (scripts/test.sh), and make drill at full scale: its
		// latency check must not measure other tests' load.
		t.Skipf("the flood drill runs with %s=small (make test runs it on its own) or full (make drill)", scaleEnv)
	}
	bins := buildBinaries(t)
	browser := newBrowser(t)

	t.Run("SQLite", func(t *testing.T) {
		drill(t, sc, bins, browser, func(t *testing.T) backend {
			dataDir := t.TempDir()
			blobs := filepath.Join(dataDir, "blobs")
			return backend{
				env: map[string]string{"TIPLINE_DATA_DIR": dataDir},
				stores: []bounded{
					{dirStorage{dir: blobs, what: "blob directory"}, blobBound, 500 * time.Millisecond},
					{dirStorage{dir: dataDir, exclude: blobs, what: "SQLite files"}, databaseBound, 500 * time.Millisecond},
				},
			}
		})
	})
	t.Run("PostgreSQL+MinIO", func(t *testing.T) {
		drill(t, sc, bins, browser, func(t *testing.T) backend {
			s3 := testenv.Get(t, testenv.S3URL)
			u, err := url.Parse(s3)
			if err != nil {
				t.Fatal(err)
			}
			u.Path = "/drill-" + randomHex(6)
			store, err := blob.Open(u.String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { emptyBucket(t, store) })
			dbURL := dbtest.URL(t, database.Postgres)
			db, err := sql.Open("pgx", dbURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return backend{
				env: map[string]string{
					"TIPLINE_DATA_DIR":     t.TempDir(),
					"TIPLINE_DATABASE_URL": dbURL,
					"TIPLINE_BLOB_URL":     u.String(),
				},
				stores: []bounded{
					// A full listing of the bucket each time: less often.
					{bucketStorage{store}, blobBound, time.Second},
					{postgresStorage{db}, databaseBound, 500 * time.Millisecond},
				},
			}
		})
	})
}

// drill runs one drill on a fresh backend and fails the test on every
// promise it broke. When the only one broken is GET /'s latency, it runs
// the drill once more on another fresh backend and judges that one: the
// latency check measures the machine too, and a burst of load from outside
// the drill (a busy neighbour on a shared host) must not fail the suite,
// while a server that is slow under the flood misses it both times.
func drill(t *testing.T, sc scale, bins binaries, browser context.Context, newBackend func(*testing.T) backend) {
	broken := runDrill(t, sc, bins, browser, newBackend(t))
	if len(broken) == 1 && broken[0].name == latencyCheck {
		t.Logf("only %s missed its bound (%s): running the drill again on a fresh backend", latencyCheck, broken[0].measured)
		broken = runDrill(t, sc, bins, browser, newBackend(t))
	}
	for _, c := range broken {
		t.Errorf("BROKEN: %s: %s (limit %s)", c.name, c.measured, c.limit)
	}
}

// backend is where a drill's server keeps its data, and how much each
// part may grow.
type backend struct {
	env    map[string]string
	stores []bounded
}

// bounded is a storage with the most it may grow during a drill, sampled
// every interval.
type bounded struct {
	storage
	bound    int64
	interval time.Duration
}

// describe names a backend in the results: its stores.
func (b backend) describe() string {
	var names []string
	for _, s := range b.stores {
		names = append(names, s.Describe())
	}
	return strings.Join(names, " + ")
}

// runDrill is one drill on one backend.
func runDrill(t *testing.T, sc scale, bins binaries, browser context.Context, b backend) []check {
	srv, st := startServer(t, bins.tipline, b)
	ctx := context.Background()
	marker := []byte("DRILL-PLAINTEXT-" + randomHex(8))

	// Baselines, then the monitors and the flood.
	rssBefore, err := procStatus(srv.pid(), "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	monitors, stopMonitors := context.WithCancel(ctx)
	defer stopMonitors()
	var wg sync.WaitGroup
	grows := make([]*growth, len(b.stores))
	for i, s := range b.stores {
		if grows[i], err = newGrowth(ctx, s.storage, s.interval); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { grows[i].run(monitors) })
	}
	probe := newProber(srv.intake + "/")
	wg.Go(func() { probe.run(monitors) })
	state := newStateSampler(srv.intake, srv.casework)
	wg.Go(func() { state.run(monitors) })

	floodStart := time.Now()
	att := startAttacker(t, bins.attacker, srv, st, sc, marker)
	select {
	case <-time.After(sc.warmup):
	case <-att.done:
	}

	usersCtx, cancelUsers := context.WithDeadline(ctx, floodStart.Add(sc.maxFlood-5*time.Second))
	steps := newUsers(t, srv, st, browser).run(usersCtx)
	cancelUsers()
	usersDone := time.Now()
	if wait := sc.minFlood - time.Since(floodStart); wait > 0 {
		select {
		case <-time.After(wait):
		case <-att.done:
		}
	}
	report := att.stop(t, sc.maxFlood)
	floodEnd := time.Now()
	stopMonitors()
	wg.Wait()

	m := measured{
		steps: steps, report: report, latency: probe.summary(),
		usersTook: usersDone.Sub(floodStart), usersDone: usersDone.Before(floodEnd),
		rssBefore: rssBefore,
	}
	if m.rssPeak, err = procStatus(srv.pid(), "VmHWM"); err != nil {
		t.Fatal(err)
	}
	for i, s := range b.stores {
		grows[i].sample(ctx)
		growth, err := grows[i].peakGrowth()
		m.growth = append(m.growth, storeGrowth{s, growth, err})
		found, err := s.Find(ctx, marker)
		m.plaintext = append(m.plaintext, found...)
		m.scanErr = cmp.Or(m.scanErr, err)
	}
	checks := m.checks()
	pow, budget := state.summary()
	checks = append(checks,
		check{name: "proof of work asked of a source (GET /api/v1/pow)", ok: true, info: true, measured: pow},
		check{name: "pending bytes (casework /readyz)", ok: true, info: true, measured: budget},
	)

	var out strings.Builder
	capped := ""
	if report.BytesSpent {
		capped = ", where the bulk attacks stopped"
	}
	fmt.Fprintf(&out, "flood drill, %s scale, %s: %.1f s, %d requests, %s of request bodies%s, %d proofs of work solved in %.0f s (summed over the workers)\n\n",
		sc.name, b.describe(), report.Seconds, report.Requests, mib(report.BodyBytes), capped, report.PowSolved, report.PowSeconds)
	writeChecks(&out, checks)
	out.WriteString("\n")
	writeAttacks(&out, report)
	t.Log("\n" + out.String())

	var broken []check
	for _, c := range checks {
		if !c.ok {
			broken = append(broken, c)
		}
	}
	if len(broken) > 0 {
		t.Logf("server log (last lines):\n%s", srv.logTail())
	}
	return broken
}

// latencyCheck names the check of GET /'s latency during the flood.
const latencyCheck = "GET / p99 during the flood"

// measured is what one drill saw.
type measured struct {
	steps     []step
	report    attackReport
	usersTook time.Duration // from the start of the flood until the users were done
	usersDone bool          // the users were done before the flood ended
	latency   latencies
	growth    []storeGrowth
	rssBefore int64
	rssPeak   int64
	plaintext []string // where the attacker's plaintext was found at rest
	scanErr   error
}

// storeGrowth is the peak growth of one store during the flood.
type storeGrowth struct {
	store  bounded
	growth int64
	err    error
}

// checks judges what was measured against the promises.
func (m measured) checks() []check {
	var checks []check
	for _, s := range m.steps {
		checks = append(checks, check{name: s.name, ok: s.err == nil, measured: stepResult(s), limit: "succeeds"})
	}
	lat := m.latency
	checks = append(checks,
		check{
			name:     "the users acted while the flood ran",
			ok:       m.report.StoppedBy == "stdin" && m.usersDone,
			measured: fmt.Sprintf("users done %.1f s into a flood of %.1f s (stopped by %s)", m.usersTook.Seconds(), m.report.Seconds, m.report.StoppedBy),
			limit:    "the attacker still sending",
		},
		check{
			name:     latencyCheck,
			ok:       lat.samples > 0 && lat.p99 < pageLatencyLimit,
			measured: fmt.Sprintf("p99 %s (p50 %s, max %s, %d samples, %d failed%s)", ms(lat.p99), ms(lat.p50), ms(lat.peak), lat.samples, lat.failures, suffix(lat.lastError)),
			limit:    "< " + ms(pageLatencyLimit),
		},
	)
	for _, g := range m.growth {
		checks = append(checks, check{
			name:     "storage growth: " + g.store.Describe(),
			ok:       g.err == nil && g.growth <= g.store.bound,
			measured: "peak +" + mib(g.growth) + suffix(errString(g.err)),
			limit:    "≤ " + mib(g.store.bound),
		})
	}
	breaches := m.report.breaches()
	return append(checks,
		check{
			name:     "server peak RSS (VmHWM)",
			ok:       m.rssPeak <= rssBound(),
			measured: fmt.Sprintf("%s (%s before the flood)", mib(m.rssPeak), mib(m.rssBefore)),
			limit:    "≤ " + mib(rssBound()),
		},
		check{
			name:     "no attacker plaintext at rest",
			ok:       m.scanErr == nil && len(m.plaintext) == 0,
			measured: foundResult(m.plaintext, m.scanErr),
			limit:    "none",
		},
		check{
			name:     "everything that must be refused was refused",
			ok:       len(breaches) == 0,
			measured: breachResult(breaches),
			limit:    "none taken",
		},
	)
}

// check is one row of the results table.
type check struct {
	name     string
	ok       bool
	info     bool // a measurement that explains the others, without a limit
	measured string
	limit    string
}

func writeChecks(w io.Writer, checks []check) {
	fmt.Fprintln(w, "| check | measured | limit | result |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, c := range checks {
		result := "PASS"
		switch {
		case c.info:
			result = "info"
		case !c.ok:
			result = "**FAIL**"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", c.name, strings.ReplaceAll(c.measured, "|", "/"), c.limit, result)
	}
}

// writeAttacks writes the attacker's tallies: per kind, every outcome.
func writeAttacks(w io.Writer, r attackReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "attack\toutcomes (HTTP status or what happened: count)")
	for _, kind := range sortedKeys(r.Kinds) {
		var parts []string
		for _, o := range sortedKeys(r.Kinds[kind]) {
			parts = append(parts, fmt.Sprintf("%s: %d", o, r.Kinds[kind][o]))
		}
		fmt.Fprintf(tw, "%s\t%s\n", kind, strings.Join(parts, ", "))
	}
	tw.Flush()
}

func stepResult(s step) string {
	if s.err != nil {
		return "failed after " + s.took.Round(time.Millisecond).String() + ": " + s.err.Error()
	}
	return "done in " + s.took.Round(time.Millisecond).String()
}

func foundResult(found []string, err error) string {
	switch {
	case err != nil:
		return "scan failed: " + err.Error()
	case len(found) == 0:
		return "none found"
	}
	return "found in " + strings.Join(found, ", ")
}

func breachResult(b []string) string {
	if len(b) == 0 {
		return "none taken"
	}
	return strings.Join(b, "; ")
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return "; " + s
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ---------------------------------------------------------------- what the attacker saw

// attackReport is what the attacker prints when it stops (attacker.Report).
type attackReport struct {
	Seconds      float64                   `json:"seconds"`
	StoppedBy    string                    `json:"stopped_by"`
	Requests     int64                     `json:"requests"`
	BodyBytes    int64                     `json:"body_bytes"`
	BytesSpent   bool                      `json:"bytes_spent"`
	PowSolved    int64                     `json:"pow_solved"`
	PowSeconds   float64                   `json:"pow_seconds"`
	DeclaredSize bool                      `json:"declared_size"`
	Kinds        map[string]map[string]int `json:"kinds"`
}

// mustRefuse lists the outcomes of attacks that mean the server took what
// it must refuse, with the promise each one breaks.
var mustRefuse = []struct{ kind, outcome, promise string }{
	{"form/one-field", "200", "a post without the required narrative was accepted"},
	{"form/many-files", "200", "a post with thousands of files was accepted (at most 100 files)"},
	{"upload/no-pow", "201", "an upload session was opened without a proof of work"},
	{"upload/oversized/chunk-beyond-size", "200", "a session took more than its declared size"},
	{"upload/plaintext/chunk", "200", "a chunk of plaintext in an \"encrypted\" packet was stored"},
	{"upload/plaintext/submit", "200", "plaintext was committed as a browser-encrypted tip"},
	{"mailbox/guess", "200", "a wrong codename opened a mailbox"},
	{"staff/unknown-email", "201", "an unknown email logged in"},
	{"staff/wrong-password", "201", "a wrong password logged in"},
	{"slow/form", "held-past-limit", "a slow no-JavaScript post stayed open past the grace period"},
	{"slow/chunk", "held-past-limit", "a slow upload chunk stayed open past the grace period"},
}

// breaches names every outcome of mustRefuse the attacker saw.
func (r attackReport) breaches() []string {
	var out []string
	for _, m := range mustRefuse {
		if n := r.Kinds[m.kind][m.outcome]; n > 0 {
			out = append(out, fmt.Sprintf("%s (%s → %s ×%d)", m.promise, m.kind, m.outcome, n))
		}
	}
	if !r.DeclaredSize {
		out = append(out, `POST /api/v1/uploads does not take the declared "size"`)
	}
	return out
}
