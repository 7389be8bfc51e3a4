package drill

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tipline/tipline/internal/testenv"
)

// The capacity of one node: what a single `tipline serve` (SQLite and a
// blob directory, the default deployment) takes from sources without
// JavaScript, measured from outside the process as a source sees it.
const (
	// capacityWorkers sources per core post small tips back to back to
	// measure committed submissions per second.
	capacityWorkers = 4
	// capacityCommitWindow is how long they post.
	capacityCommitWindow = 20 * time.Second
	// capacityUploadBytes is the file each slow source attaches.
	capacityUploadBytes = 1 << 20
	// capacityRate is a slow source's speed, a Tor circuit's (50 to 200
	// KiB/s): a 1 MiB file takes ten seconds to arrive.
	capacityRate = 100 << 10
	// capacityLevelsEnv changes the numbers of slow sources at once that
	// are tried, in order: TIPLINE_BENCH_CAPACITY_LEVELS=25,50.
	capacityLevelsEnv = "TIPLINE_BENCH_CAPACITY_LEVELS"

	// capacityHeldSources sources send at capacityHeldRate, the least an
	// upload may keep to (TIPLINE_UPLOAD_MIN_RATE's default), for
	// capacityHeldFor, then give up: what each holds of the server's
	// memory is what an attacker gets for that much bandwidth.
	capacityHeldSources = 400
	capacityHeldRate    = 8 << 10
	capacityHeldFor     = 45 * time.Second
	// capacityBurstSources sources send capacityBurst bytes of their
	// form at once and the rest at capacityHeldRate, as the minimum rate
	// allows: on S3 each would hold a part that big, but for the spill
	// budget (blob/s3_part.go).
	capacityBurstSources = 200
	capacityBurst        = 5 << 19 // 2.5 MiB
)

// capacityLevels are the numbers of slow sources at once tried by default.
var capacityLevels = []int{50, 100, 200}

// BenchmarkCapacity measures the capacity of one node and reports:
//
//   - committed-subs/s: submissions without JavaScript committed per
//     second, capacityWorkers sources per core posting small tips (a
//     narrative and a 16 KiB file) back to back for capacityCommitWindow.
//     The codename's argon2id derivation bounds it.
//   - slow-uploads: the most sources without JavaScript, each sending a
//     1 MiB file at capacityRate, all of whose submissions were committed
//     when that many sent at once (of the levels tried; 0 when even the
//     first level lost one). slow-uploads-s is how long that level took
//     from the first byte to the last codename.
//   - held-KiB/slow-upload: the server's resident set gained per source
//     while capacityHeldSources sources each trickle a form at the
//     minimum rate for capacityHeldFor (measured first, on a fresh node).
//     held-KiB/slow-upload-s3 is the same on a fresh node on MinIO
//     (measured last), and held-KiB/burst-upload-s3 there too, for
//     capacityBurstSources that each send capacityBurst bytes at once
//     before they trickle.
//   - peak-rss-MiB: the server's peak resident set (VmHWM) over the run
//     of the node on the blob directory.
//
// It runs once whatever b.N, in about five and a half minutes on two
// cores; the sources run in the benchmark's process, so on a small machine
// they take some of the server's CPU. `go test -short` skips it. Measure
// on an idle machine: make bench, or
//
//	TIPLINE_TEST_CMD='go test -run "^$" -bench Capacity -benchtime 1x -v ./internal/drill/' bash scripts/test.sh bench
func BenchmarkCapacity(b *testing.B) {
	if testing.Short() {
		b.Skip("builds tipline and loads it for minutes")
	}
	levels := capacityLevelsOf(b)
	bin := capacityBuild(b)
	srv := capacityServe(b, bin, "")
	client := &http.Client{Timeout: 3 * time.Minute, Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 256}}

	file := filepath.Join(b.TempDir(), "shipping-records.bin")
	small := make([]byte, 16<<10)
	rand.Read(small)
	if err := os.WriteFile(file, small, 0o600); err != nil {
		b.Fatal(err)
	}
	src := &users{srv: srv, evidence: file, client: client}
	if _, _, err := src.submitWithoutJavaScript(context.Background()); err != nil {
		b.Fatalf("a first submission: %v\n%s", err, srv.logTail())
	}

	held := capacityHeld(b, client, srv, capacityHeldSources, 0)
	b.Logf("%d sources sending at %d B/s for %s: %.0f KiB of the server's resident set each",
		capacityHeldSources, capacityHeldRate, capacityHeldFor, float64(held)/1024)

	perSecond, failed := capacityCommits(src, capacityWorkers*runtime.NumCPU(), capacityCommitWindow)
	b.Logf("committed %.1f submissions/s (%d refused or failed) with %d sources posting back to back",
		perSecond, failed, capacityWorkers*runtime.NumCPU())

	sustained, took := 0, time.Duration(0)
	for _, n := range levels {
		ok, elapsed, peak, errs := capacitySlowLevel(client, srv, n)
		b.Logf("%d slow sources at once: %d committed in %s, server RSS peak %s; failures: %v",
			n, ok, elapsed.Round(time.Second), mib(peak), errs)
		if ok < n {
			break
		}
		sustained, took = n, elapsed
	}
	hwm, err := procStatus(srv.pid(), "VmHWM")
	if err != nil {
		b.Fatal(err)
	}
	// Last, so that the node on MinIO runs on none of the figures above.
	heldS3, burstS3 := capacityHeldS3(b, bin, client, file)
	b.ReportMetric(0, "ns/op") // one run, not an operation
	b.ReportMetric(perSecond, "committed-subs/s")
	b.ReportMetric(float64(held)/1024, "held-KiB/slow-upload")
	b.ReportMetric(float64(heldS3)/1024, "held-KiB/slow-upload-s3")
	b.ReportMetric(float64(burstS3)/1024, "held-KiB/burst-upload-s3")
	b.ReportMetric(float64(sustained), "slow-uploads")
	b.ReportMetric(took.Seconds(), "slow-uploads-s")
	b.ReportMetric(float64(hwm)/(1<<20), "peak-rss-MiB")
}

// capacityLevelsOf reads capacityLevelsEnv, or returns the default levels.
func capacityLevelsOf(b *testing.B) []int {
	v := os.Getenv(capacityLevelsEnv)
	if v == "" {
		return capacityLevels
	}
	var levels []int
	for f := range strings.SplitSeq(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want numbers of sources such as 50,100", capacityLevelsEnv, v)
		}
		levels = append(levels, n)
	}
	return levels
}

// capacityCommits has workers sources submit back to back for window and
// returns the submissions committed per second and how many failed.
func capacityCommits(src *users, workers int, window time.Duration) (float64, int64) {
	ctx, cancel := context.WithTimeout(context.Background(), window)
	defer cancel()
	var committed, failed atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, _, err := src.submitWithoutJavaScript(ctx); err == nil {
					committed.Add(1)
				} else if ctx.Err() == nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(committed.Load()) / time.Since(start).Seconds(), failed.Load()
}

// capacityFormAction reads the desk form's action off its page.
func capacityFormAction(client *http.Client, srv *server) (string, error) {
	resp, err := client.Get(srv.intake + "/desk/" + desk + "?lang=en")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := formAction.FindSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("the desk page has no form: %s", pageText(string(page)))
	}
	return html.UnescapeString(string(m[1])), nil
}

// capacitySlowLevel has n sources send a tip with a capacityUploadBytes
// file at capacityRate each, all starting within a second, and returns
// how many were committed, how long the level took, the server's largest
// resident set sampled meanwhile, and the distinct failures.
func capacitySlowLevel(client *http.Client, srv *server, n int) (int, time.Duration, int64, []string) {
	var (
		ok   atomic.Int64
		mu   sync.Mutex
		errs []string
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if msg := err.Error(); !slices.Contains(errs, msg) {
			errs = append(errs, msg)
		}
	}
	sampled := make(chan int64)
	stop := make(chan struct{})
	go func() {
		var peak int64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				sampled <- peak
				return
			case <-tick.C:
				if rss, err := procStatus(srv.pid(), "VmRSS"); err == nil {
					peak = max(peak, rss)
				}
			}
		}
	}()
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * time.Second / time.Duration(n))
			if err := capacitySlowSubmit(client, srv); err != nil {
				fail(err)
				return
			}
			ok.Add(1)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	return int(ok.Load()), elapsed, <-sampled, errs
}

// capacitySlowSubmit opens the desk's page and posts its form without
// JavaScript with a capacityUploadBytes file, sending the body at
// capacityRate, and checks that the answer shows a codename.
func capacitySlowSubmit(client *http.Client, srv *server) error {
	req, err := capacitySlowPost(context.Background(), client, srv, capacityUploadBytes, 0, capacityRate)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || codenameRE.Find(page) == nil {
		return fmt.Errorf("submit = %d: %s", resp.StatusCode, pageText(string(page)))
	}
	return nil
}

// capacitySlowPost opens the desk's page and returns the post of its form
// without JavaScript with a random file of size bytes, whose body reads
// its first burst bytes at once and the rest at rate bytes per second.
func capacitySlowPost(ctx context.Context, client *http.Client, srv *server, size, burst int64, rate float64) (*http.Request, error) {
	action, err := capacityFormAction(client, srv)
	if err != nil {
		return nil, err
	}
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	w.WriteField("lang", "en")
	w.WriteField("violation", "smuggling")
	w.WriteField("narrative", "H100 servers relabelled as routers, shipped through a forwarder.")
	if _, err := w.CreateFormFile("evidence", "shipping-records.bin"); err != nil {
		return nil, err
	}
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	body := io.MultiReader(&head, io.LimitReader(rand.Reader, size), strings.NewReader(tail))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.intake+action, &capacitySlowReader{r: body, rate: rate, burst: burst, start: time.Now()})
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(head.Len()) + size + int64(len(tail))
	req.Header.Set("Content-Type", w.FormDataContentType())
	browserFormHeaders(req)
	return req, nil
}

// capacityHeld has sources sources post a form with a file of 3 MiB, the
// first burst bytes at once and the rest at capacityHeldRate, all starting
// within a second, and give up after capacityHeldFor; it returns the
// server's resident set gained per source, sampled just before they give
// up.
func capacityHeld(b *testing.B, client *http.Client, srv *server, sources int, burst int64) int64 {
	before, err := procStatus(srv.pid(), "VmRSS")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var started atomic.Int64
	for i := range sources {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * time.Second / time.Duration(sources))
			req, err := capacitySlowPost(ctx, client, srv, 3<<20, burst, capacityHeldRate)
			if err != nil {
				return
			}
			started.Add(1)
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	time.Sleep(capacityHeldFor)
	after, err := procStatus(srv.pid(), "VmRSS")
	cancel()
	wg.Wait()
	if err != nil {
		b.Fatal(err)
	}
	if n := started.Load(); n != int64(sources) {
		b.Fatalf("%d of %d slow sources started\n%s", n, sources, srv.logTail())
	}
	return (after - before) / int64(sources)
}

// capacityHeldS3 measures, on a fresh node on a MinIO of its own, what
// capacityHeldSources slow sources hold each, and then what
// capacityBurstSources hold each that sent capacityBurst bytes at once.
func capacityHeldS3(b *testing.B, bin string, client *http.Client, evidence string) (slow, burst int64) {
	m := testenv.StartMinIO(b)
	srv := capacityServe(b, bin, m.URL("capacity"))
	src := &users{srv: srv, evidence: evidence, client: client}
	if _, _, err := src.submitWithoutJavaScript(context.Background()); err != nil {
		b.Fatalf("a first submission on MinIO: %v\n%s", err, srv.logTail())
	}
	slow = capacityHeld(b, client, srv, capacityHeldSources, 0)
	b.Logf("on MinIO, %d sources sending at %d B/s for %s: %.0f KiB of the server's resident set each",
		capacityHeldSources, capacityHeldRate, capacityHeldFor, float64(slow)/1024)
	burst = capacityHeld(b, client, srv, capacityBurstSources, capacityBurst)
	b.Logf("on MinIO, %d sources sending %d KiB at once, then at %d B/s: %.0f KiB of the server's resident set each",
		capacityBurstSources, capacityBurst>>10, capacityHeldRate, float64(burst)/1024)
	return slow, burst
}

// capacitySlowReader reads r in 8 KiB pieces, as a slow circuit delivers
// a body: its first burst bytes at once, the rest no faster than rate
// bytes per second.
type capacitySlowReader struct {
	r     io.Reader
	rate  float64
	burst int64
	start time.Time
	sent  int64
}

func (s *capacitySlowReader) Read(p []byte) (int, error) {
	due := s.start.Add(time.Duration(float64(s.sent-s.burst) / s.rate * float64(time.Second)))
	time.Sleep(time.Until(due))
	n, err := s.r.Read(p[:min(len(p), 8<<10)])
	s.sent += int64(n)
	return n, err
}

// capacityBuild builds tipline as a user builds it (no race detector).
func capacityBuild(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "tipline")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/tipline/tipline/cmd/tipline")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// capacityServe sets a node up with the CLI (a desk key) and serves it on
// loopback until the benchmark ends, on the blob store blobURL names (""
// for a blob directory), with budgets and soft limits far
// above what the benchmark sends: it measures the node, not its limits.
func capacityServe(b *testing.B, bin, blobURL string) *server {
	dir := b.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir(), "TIPLINE_PEPPER=" + randomHex(32),
		"TIPLINE_DATA_DIR=" + dir, "TIPLINE_LOG_LEVEL=warn",
		"TIPLINE_PENDING_BYTES_BUDGET=" + strconv.Itoa(4<<30), "TIPLINE_COMMITTED_BYTES_PER_HOUR=" + strconv.Itoa(64<<30),
		"TIPLINE_MAX_FORM_UPLOAD_BYTES=" + strconv.Itoa(4<<20), "TIPLINE_DESK_HOURLY_LIMIT=1000000", "TIPLINE_TOTAL_HOURLY_LIMIT=1000000"}
	if blobURL != "" {
		env = append(env, "TIPLINE_BLOB_URL="+blobURL)
	}
	cli := func(args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("tipline %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	pass := filepath.Join(dir, "desk-pass")
	if err := os.WriteFile(pass, []byte("capacity desk passphrase\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	cli("keys", "generate", "--name", "Capacity desk", "--out-public", filepath.Join(dir, "desk.asc"),
		"--out-private", filepath.Join(dir, "desk-secret.asc"), "--passphrase-file", pass)
	cli("keys", "add", "--desk", desk, "--file", filepath.Join(dir, "desk.asc"))

	intake, casework := testenv.FreeAddr(b), testenv.FreeAddr(b)
	srv := &server{intake: "http://" + intake, casework: "http://" + casework, logPath: filepath.Join(dir, "serve.log")}
	logFile, err := os.Create(srv.logPath)
	if err != nil {
		b.Fatal(err)
	}
	srv.cmd = exec.Command(bin, "serve")
	srv.cmd.Env = append(env, "TIPLINE_INTAKE_ADDR="+intake, "TIPLINE_CASEWORK_ADDR="+casework)
	srv.cmd.Stdout, srv.cmd.Stderr = logFile, logFile
	if err := srv.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		srv.cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	b.Cleanup(func() {
		srv.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			srv.cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(srv.intake + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return srv
			}
		}
		select {
		case <-exited:
			b.Fatalf("serve exited:\n%s", srv.logTail())
		default:
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s/readyz did not answer 200:\n%s", srv.intake, srv.logTail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
