package main

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// TestServeGivesUpOnUnreachableDatabase: serve against a PostgreSQL that
// never answers retries, saying which dependency it waits for and where,
// and exits non-zero naming it once the start-up timeout has passed. The
// password in the URL is never printed.
func TestServeGivesUpOnUnreachableDatabase(t *testing.T) {
	const password = "pw-never-printed"
	addr := testenv.FreeAddr(t) // nothing listens there
	env := map[string]string{
		"TIPLINE_DATABASE_URL":    "postgres://tipline:" + password + "@" + addr + "/tipline?sslmode=disable",
		"TIPLINE_BLOB_URL":        filepath.Join(t.TempDir(), "blobs"),
		"TIPLINE_PEPPER":          strings.Repeat("5e", 32),
		"TIPLINE_STARTUP_TIMEOUT": "4s",
		"TIPLINE_INTAKE_ADDR":     "127.0.0.1:0",
		"TIPLINE_CASEWORK_ADDR":   "127.0.0.1:0",
	}
	out, errOut, code := runTipline(t, env, "serve")
	if code != 1 {
		t.Fatalf("serve = %d, want 1\n%s%s", code, out, errOut)
	}
	waiting := regexp.MustCompile(`waiting for PostgreSQL at ` + regexp.QuoteMeta(addr) + ` \(attempt 1, next in 1s\): connect: connection refused`)
	if !waiting.MatchString(errOut) {
		t.Errorf("the log does not say what serve waits for:\n%s", errOut)
	}
	if !strings.Contains(errOut, "tipline serve: PostgreSQL at "+addr+" is not reachable after") {
		t.Errorf("the exit message does not name PostgreSQL:\n%s", errOut)
	}
	if strings.Contains(out+errOut, password) {
		t.Errorf("serve printed the database password:\n%s%s", out, errOut)
	}
}

// TestServeWaitsForBlobStore starts serve on PostgreSQL while its MinIO is
// down: serve waits, saying so with the store's URL without its keys, and
// comes up once MinIO is started, without a restart.
func TestServeWaitsForBlobStore(t *testing.T) {
	m := testenv.StartMinIO(t)
	m.Stop()
	env := map[string]string{
		"TIPLINE_DATABASE_URL":  dbtest.URL(t, database.Postgres),
		"TIPLINE_BLOB_URL":      m.URL("tipline"),
		"TIPLINE_DATA_DIR":      filepath.Join(t.TempDir(), "unused"),
		"TIPLINE_PEPPER":        strings.Repeat("5e", 32),
		"TIPLINE_INTAKE_ADDR":   "127.0.0.1:0",
		"TIPLINE_CASEWORK_ADDR": "127.0.0.1:0",
	}
	log := &lockedBuffer{}
	listening := make(chan [2]string, 1)
	p := &program{
		args: []string{"serve"}, getenv: func(k string) string { return env[k] }, stdout: log, stderr: log,
		onListen: func(intakeAddr, caseworkAddr string, _ *intake.Service) {
			listening <- [2]string{intakeAddr, caseworkAddr}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan int, 1)
	go func() { exited <- p.run(ctx) }()

	u, err := url.Parse(m.URL("tipline"))
	if err != nil {
		t.Fatal(err)
	}
	bucketURL := "s3://" + u.Host + "/tipline" // without the keys
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(log.String(), "waiting for the blob store at "+bucketURL+" (attempt 1"); time.Sleep(100 * time.Millisecond) {
		select {
		case code := <-exited:
			t.Fatalf("serve exited with %d while the blob store was down:\n%s", code, log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not say that it waits for the blob store at %s:\n%s", bucketURL, log)
		}
	}
	select {
	case <-listening:
		t.Fatal("serve listened before the blob store was reachable")
	default:
	}

	m.Start()
	var addrs [2]string
	select {
	case addrs = <-listening:
	case code := <-exited:
		t.Fatalf("serve exited with %d:\n%s", code, log)
	case <-time.After(90 * time.Second):
		t.Fatalf("serve did not come up once the blob store was back:\n%s", log)
	}
	for _, addr := range addrs {
		waitReadyz(t, addr, http.StatusOK)
	}
	if !strings.Contains(log.String(), "the blob store at "+bucketURL+" is reachable") {
		t.Errorf("serve did not say that the blob store came back:\n%s", log)
	}
	for _, secret := range []string{testenv.MinIOPassword, testenv.MinIOUser + ":"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("serve printed the blob store's credentials (%q):\n%s", secret, log)
		}
	}
	cancel()
	if code := <-exited; code != 0 {
		t.Errorf("serve exited with %d after SIGTERM:\n%s", code, log)
	}
}
