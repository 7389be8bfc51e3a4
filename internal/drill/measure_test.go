package drill

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tipline/tipline/blob"
)

// What the drill measures while the flood runs: how fast the front page
// answers, how much the storage grows, how much memory the server takes,
// and whether any of the attacker's plaintext came to rest.

// pageLatencyLimit is the promise for GET / during the flood, at the 99th
// percentile.
const pageLatencyLimit = 100 * time.Millisecond

// rssBound is the most memory (peak resident set) the server may take
// under the flood, whatever the number of attackers: 256 MiB for the
// runtime, templates, connection pools and the buffers of requests in
// flight, plus two 64 MiB blocks (the garbage collector frees a block only
// after the next one is taken) for every argon2id derivation that may run
// at once: the codename derivations (one per core) and the staff password
// derivations (two).
func rssBound() int64 {
	return 256<<20 + 2*(64<<20)*int64(runtime.NumCPU()+2)
}

// ---------------------------------------------------------------- latency

// prober fetches a page over a fresh connection every interval and keeps
// every duration; a failed request counts as errLatency.
type prober struct {
	url      string
	interval time.Duration
	client   *http.Client

	mu        sync.Mutex
	durations []time.Duration
	failures  int
	lastError string
}

// errLatency is what a failed request counts as: it must show in the p99.
const errLatency = 10 * time.Second

func newProber(url string) *prober {
	return &prober{
		url:      url,
		interval: 20 * time.Millisecond,
		client: &http.Client{
			Timeout:   errLatency,
			Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		},
	}
}

// run probes until ctx ends.
func (p *prober) run(ctx context.Context) {
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		start := time.Now()
		err := p.get(ctx)
		took := time.Since(start)
		if ctx.Err() != nil {
			return
		}
		p.mu.Lock()
		if err != nil {
			p.failures++
			p.lastError = err.Error()
			took = errLatency
		}
		p.durations = append(p.durations, took)
		p.mu.Unlock()
	}
}

func (p *prober) get(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s = %s", p.url, resp.Status)
	}
	return nil
}

// latencies summarizes what a prober saw.
type latencies struct {
	samples        int
	failures       int
	lastError      string
	p50, p99, peak time.Duration
}

func (p *prober) summary() latencies {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := slices.Clone(p.durations)
	slices.Sort(d)
	l := latencies{samples: len(d), failures: p.failures, lastError: p.lastError}
	if len(d) > 0 {
		l.p50 = d[len(d)*50/100]
		l.p99 = d[min(len(d)-1, len(d)*99/100)]
		l.peak = d[len(d)-1]
	}
	return l
}

// ---------------------------------------------------------------- storage

// storage is what a backend keeps at rest that an outsider can make grow.
type storage interface {
	// Bytes returns how many bytes are stored now.
	Bytes(ctx context.Context) (int64, error)
	// Find returns where marker occurs in what is stored (at most a few).
	Find(ctx context.Context, marker []byte) ([]string, error)
	// Describe names what is measured, for the results table.
	Describe() string
}

// dirStorage is a folder of the embedded default: the blob directory, or
// the data folder without it (the SQLite files).
type dirStorage struct {
	dir     string
	exclude string // a subfolder not counted, or ""
	what    string
}

func (d dirStorage) Describe() string { return d.what }

// walk calls fn for every regular file of the folder but the excluded one.
func (d dirStorage) walk(fn func(path string, e fs.DirEntry)) error {
	return filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		switch {
		case err != nil && os.IsNotExist(err):
			return nil // removed while the walk runs (a deleted chunk): no longer stored
		case err != nil:
			return err
		case e.IsDir() && d.exclude != "" && path == d.exclude:
			return filepath.SkipDir
		case e.Type().IsRegular():
			fn(path, e)
		}
		return nil
	})
}

func (d dirStorage) Bytes(context.Context) (int64, error) {
	var n int64
	err := d.walk(func(_ string, e fs.DirEntry) {
		if fi, err := e.Info(); err == nil {
			n += fi.Size()
		}
	})
	return n, err
}

func (d dirStorage) Find(_ context.Context, marker []byte) ([]string, error) {
	var found []string
	err := d.walk(func(path string, _ fs.DirEntry) {
		if len(found) >= 5 {
			return
		}
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, marker) {
			rel, _ := filepath.Rel(d.dir, path)
			found = append(found, rel)
		}
	})
	return found, err
}

// postgresStorage is a PostgreSQL database, measured by pg_database_size.
type postgresStorage struct{ db *sql.DB }

func (p postgresStorage) Describe() string { return "PostgreSQL database" }

func (p postgresStorage) Bytes(ctx context.Context) (int64, error) {
	var n int64
	err := p.db.QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&n)
	return n, err
}

// Find finds nothing: the attacker's plaintext only ever travels in
// upload bodies, which the database does not hold.
func (p postgresStorage) Find(context.Context, []byte) ([]string, error) { return nil, nil }

// bucketStorage is an S3 bucket (MinIO), listed through minio-go.
type bucketStorage struct{ store blob.Store }

func (b bucketStorage) Describe() string { return "MinIO bucket" }

func (b bucketStorage) Bytes(ctx context.Context) (int64, error) {
	infos, err := b.store.List(ctx, "")
	if err != nil {
		return 0, err
	}
	var n int64
	for _, i := range infos {
		n += i.Size
	}
	return n, nil
}

func (b bucketStorage) Find(ctx context.Context, marker []byte) ([]string, error) {
	infos, err := b.store.List(ctx, "")
	if err != nil {
		return nil, err
	}
	var found []string
	for _, i := range infos {
		rc, err := b.store.Get(ctx, i.Key)
		if err != nil {
			continue // removed since the listing
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err == nil && bytes.Contains(data, marker) {
			found = append(found, i.Key)
			if len(found) >= 5 {
				break
			}
		}
	}
	return found, nil
}

// growth samples a storage every interval and keeps the peak.
type growth struct {
	store    storage
	interval time.Duration
	baseline int64

	mu      sync.Mutex
	peak    int64
	lastErr error
}

func newGrowth(ctx context.Context, s storage, interval time.Duration) (*growth, error) {
	base, err := s.Bytes(ctx)
	if err != nil {
		return nil, err
	}
	return &growth{store: s, interval: interval, baseline: base, peak: base}, nil
}

func (g *growth) run(ctx context.Context) {
	tick := time.NewTicker(g.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			g.sample(ctx)
		}
	}
}

func (g *growth) sample(ctx context.Context) {
	n, err := g.store.Bytes(ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			g.lastErr = err
		}
		return
	}
	g.peak = max(g.peak, n)
}

// peakGrowth returns the largest growth over the baseline seen so far.
func (g *growth) peakGrowth() (int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak - g.baseline, g.lastErr
}

// ---------------------------------------------------------------- memory

// procStatus reads one "kB" field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// mib writes bytes as MiB for the results table.
func mib(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// ms writes a duration in milliseconds for the results table.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// ---------------------------------------------------------------- server state

// stateSampler reads what the server says about itself while the flood
// runs, to explain the results: the pending bytes of its storage budget
// (on the casework listener's /readyz) and the proof of work it asks of a
// source with JavaScript, for a submission and for an upload session of
// the size a source's small file needs.
type stateSampler struct {
	intake, casework string
	client           *http.Client

	mu            sync.Mutex
	samples       int
	peakPending   int64
	pendingBudget int64
	storageFull   bool
	submitBits    [2]int // least and most seen
	uploadBits    [2]int
}

// sampleUploadSize is the declared size of a source's small upload: what
// the page declares for a 64 KiB file (intake.MaxMessageBytes).
const sampleUploadSize = 64<<10 + 1<<10 + 1<<20

func newStateSampler(intake, casework string) *stateSampler {
	return &stateSampler{
		intake: intake, casework: casework,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}},
	}
}

func (s *stateSampler) run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.sample(ctx)
		}
	}
}

func (s *stateSampler) sample(ctx context.Context) {
	var ready struct {
		StorageFull bool `json:"storage_full"`
		Budget      struct {
			PendingBytes  int64 `json:"pending_bytes"`
			PendingBudget int64 `json:"pending_budget"`
		} `json:"budget"`
	}
	var submit, upload struct {
		Bits int `json:"bits"`
	}
	errReady := s.getJSON(ctx, s.casework+"/readyz", &ready)
	errSubmit := s.getJSON(ctx, s.intake+"/api/v1/pow?desk="+desk, &submit)
	errUpload := s.getJSON(ctx, s.intake+"/api/v1/pow?desk="+desk+"&size="+strconv.Itoa(sampleUploadSize), &upload)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples++
	if errReady == nil {
		s.peakPending = max(s.peakPending, ready.Budget.PendingBytes)
		s.pendingBudget = ready.Budget.PendingBudget
		s.storageFull = s.storageFull || ready.StorageFull
	}
	widen := func(r *[2]int, bits int) {
		if r[1] == 0 {
			*r = [2]int{bits, bits}
		}
		r[0], r[1] = min(r[0], bits), max(r[1], bits)
	}
	if errSubmit == nil && submit.Bits > 0 {
		widen(&s.submitBits, submit.Bits)
	}
	if errUpload == nil && upload.Bits > 0 {
		widen(&s.uploadBits, upload.Bits)
	}
}

func (s *stateSampler) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s = %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// summary describes what the sampler saw, for the results table.
func (s *stateSampler) summary() (pow, budget string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bits := func(r [2]int) string {
		if r[0] == r[1] {
			return strconv.Itoa(r[0])
		}
		return fmt.Sprintf("%d–%d", r[0], r[1])
	}
	pow = fmt.Sprintf("submission %s bits, upload of %s %s bits (%d samples)", bits(s.submitBits), mib(sampleUploadSize), bits(s.uploadBits), s.samples)
	budget = "peak " + mib(s.peakPending) + " of " + mib(s.pendingBudget)
	if s.pendingBudget == 0 {
		budget = "no budget reported"
	}
	if s.storageFull {
		budget += "; storage full at some point"
	}
	return pow, budget
}
