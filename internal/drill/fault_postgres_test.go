package drill

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tipline/tipline/internal/testenv"
)

// pgBinEnv names the folder of PostgreSQL's server programs (initdb,
// pg_ctl) that scripts/test.sh exports.
const pgBinEnv = "TIPLINE_TEST_PG_BIN"

// pgCluster is a throwaway PostgreSQL server of one test, which the test
// stops and starts again on the same port and data.
type pgCluster struct {
	t    *testing.T
	bin  string
	dir  string // data/ and postgres.log
	port int
	// asPostgres runs the server programs as the postgres user when the
	// test runs as root, since PostgreSQL refuses to run as root.
	asPostgres bool
}

// pgStartCluster makes a cluster on a free loopback port and starts it.
func pgStartCluster(t *testing.T) *pgCluster {
	t.Helper()
	c := &pgCluster{t: t, bin: testenv.Get(t, pgBinEnv), asPostgres: os.Geteuid() == 0}
	var err error
	if c.dir, err = os.MkdirTemp("", "pgdrill"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(c.dir) })
	if c.asPostgres {
		pg, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	_, portText, _ := net.SplitHostPort(testenv.FreeAddr(t))
	c.port, _ = strconv.Atoi(portText)
	c.run("initdb", "-D", c.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
	conf, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conf, "listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nfsync = off\nmax_connections = 100\n", c.port, c.dir)
	if err := conf.Close(); err != nil {
		t.Fatal(err)
	}
	c.start()
	t.Cleanup(c.stop)
	return c
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// url is the superuser URL of the cluster's postgres database.
func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) addr() string { return "127.0.0.1:" + strconv.Itoa(c.port) }

func (c *pgCluster) start() {
	c.t.Helper()
	c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "postgres.log"), "-w", "-t", "60", "start")
}

// stop stops the server at once ("immediate": as a crash would, without
// a checkpoint), or does nothing when it is not running.
func (c *pgCluster) stop() {
	if _, err := os.Stat(filepath.Join(c.data(), "postmaster.pid")); err != nil {
		return
	}
	c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "-t", "60", "stop")
}

// run runs one of PostgreSQL's programs as the server's user.
func (c *pgCluster) run(program string, args ...string) {
	c.t.Helper()
	name := filepath.Join(c.bin, program)
	cmd := exec.Command(name, args...)
	if c.asPostgres {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// TestFaultPostgresRestart starts tipline while its PostgreSQL is down
// (it waits, saying for what, and comes up once the database does), then
// restarts PostgreSQL while sources send tips without JavaScript and
// through browser upload sessions, on MinIO. The requests in flight fail
// cleanly (an error page or JSON error, never a codename without a
// commit), later ones succeed without a restart of tipline, and every
// codename shown belongs to a complete submission that GnuPG decrypts.
func TestFaultPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and restarts a PostgreSQL server")
	}
	sc := faultScaleOf()
	pg := pgStartCluster(t)
	bucketURL, _ := faultBucket(t)
	n := newFaultNode(t, buildBinaries(t).tipline, map[string]string{
		"TIPLINE_DATABASE_URL":          pg.url(),
		"TIPLINE_BLOB_URL":              bucketURL,
		"TIPLINE_MAX_FORM_UPLOAD_BYTES": fmt.Sprint(sc.maxFormUpload),
	})

	// Start-up while the database is down.
	pg.stop()
	n.start()
	waiting := "waiting for PostgreSQL at " + pg.addr() + " (attempt 2"
	for deadline := time.Now().Add(time.Minute); !strings.Contains(n.log(), waiting); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve does not say that it waits for PostgreSQL (%q):\n%s", waiting, n.logTail())
		}
	}
	pg.start()
	n.waitReady(time.Minute)
	pid := n.cmd.Process.Pid

	// Traffic, and PostgreSQL restarted in its middle.
	ctx := context.Background()
	src := newFaultSource(n.intake, sc.bytesPerSec, sc.chunksPerSec)
	var (
		mu       sync.Mutex
		shown    []shownTip
		outcomes = map[string]int{}
		dirty    []string
	)
	record := func(tip shownTip, err error) {
		mu.Lock()
		defer mu.Unlock()
		var f *failure
		switch {
		case err == nil:
			shown = append(shown, tip)
			outcomes["codename shown"]++
		case errors.As(err, &f) && f.clean && f.status != http.StatusInternalServerError:
			// A database that is away is a 503 the source is told to
			// retry, never a 500 that hides it behind a request id.
			outcomes[fmt.Sprintf("error %d", f.status)]++
		default:
			outcomes["unclean"]++
			dirty = append(dirty, err.Error())
		}
	}
	restarted := make(chan struct{})
	var wg sync.WaitGroup
	for i := range sc.formTips {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 100 * time.Millisecond)
			record(src.sendForm(ctx, fmt.Sprintf("Form tip %d across a database restart.", i), faultEvidence(sc.formBytes)))
		})
	}
	for i := range sc.sessions {
		wg.Go(func() { record(pgBrowserTip(ctx, src, i, sc.sessionBytes)) })
	}
	wg.Go(func() {
		defer close(restarted)
		time.Sleep(time.Second)
		pg.stop()
		time.Sleep(2 * time.Second)
		pg.start()
	})
	wg.Wait()
	<-restarted

	// Later requests succeed, on the same process.
	n.waitReady(time.Minute)
	if n.cmd.Process.Pid != pid {
		t.Fatal("tipline was restarted")
	}
	after := newFaultSource(n.intake, 1<<30, 1<<30)
	for i := range 3 {
		tip, err := after.sendForm(ctx, fmt.Sprintf("Form tip %d after the restart.", i), faultEvidence(sc.formBytes))
		if err != nil {
			t.Errorf("a form sent after the database restart: %v", err)
			continue
		}
		shown = append(shown, tip)
	}
	if tip, err := pgBrowserTip(ctx, after, sc.sessions, sc.sessionBytes); err != nil {
		t.Errorf("a browser tip sent after the database restart: %v", err)
	} else {
		shown = append(shown, tip)
	}
	t.Logf("PostgreSQL restart drill, %s scale: requests across the restart: %v", sc.name, outcomes)
	if len(dirty) > 0 {
		var failed []string
		for line := range strings.Lines(n.log()) {
			if strings.Contains(line, "request failed") {
				failed = append(failed, line)
			}
		}
		t.Errorf("%d requests did not fail cleanly: %s\nthe failures serve logged:\n%s", len(dirty), strings.Join(dirty, "; "), strings.Join(failed, ""))
	}
	select {
	case <-n.exited:
		t.Fatalf("serve exited:\n%s", n.logTail())
	default:
	}
	checkShownTips(t, n, shown)
	if t.Failed() {
		t.Logf("server log (last lines):\n%s", n.logTail())
	}
}

// pgBrowserTip sends tip i through the browser's upload API, from
// encryption to commit.
func pgBrowserTip(ctx context.Context, src *faultSource, i, size int) (shownTip, error) {
	b, err := src.newBrowserTip(ctx, fmt.Sprintf("Browser tip %d across a database restart.", i), faultEvidence(size))
	if err != nil {
		return shownTip{}, err
	}
	if b.manifestID, err = src.openUpload(ctx, b.manifest); err != nil {
		return shownTip{}, err
	}
	if err := src.putChunks(ctx, b.manifestID, b.manifest, nil); err != nil {
		return shownTip{}, err
	}
	if b.fileID, err = src.openUpload(ctx, b.file); err != nil {
		return shownTip{}, err
	}
	if err := src.putChunks(ctx, b.fileID, b.file, nil); err != nil {
		return shownTip{}, err
	}
	return src.submit(ctx, b)
}
