package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// lockedBuffer collects a command's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runTipline runs one command in-process with exactly the given environment.
func runTipline(t testing.TB, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut lockedBuffer
	p := &program{args: args, getenv: func(k string) string { return env[k] }, stdout: &out, stderr: &errOut}
	code = p.run(context.Background())
	return out.String(), errOut.String(), code
}

// running is a serve command running in-process.
type running struct {
	intake, casework string
	service          *intake.Service
	log              *lockedBuffer
}

// startServe runs `tipline serve` in-process on free ports until the test ends.
func startServe(t testing.TB, env map[string]string) *running {
	t.Helper()
	env["TIPLINE_INTAKE_ADDR"] = "127.0.0.1:0"
	env["TIPLINE_CASEWORK_ADDR"] = "127.0.0.1:0"
	r := &running{log: &lockedBuffer{}}
	ready := make(chan struct{})
	p := &program{
		args: []string{"serve"}, getenv: func(k string) string { return env[k] },
		stdout: r.log, stderr: r.log,
		onListen: func(intakeAddr, caseworkAddr string, in *intake.Service) {
			r.intake, r.casework, r.service = intakeAddr, caseworkAddr, in
			close(ready)
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- p.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited with %d:\n%s", code, r.log)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop after cancel")
		}
	})
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("serve exited with %d before listening:\n%s", code, r.log)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not listen:\n%s", r.log)
	}
	return r
}

type readiness struct {
	code    int
	failing []string
}

func getReadyz(t *testing.T, addr string) readiness {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Failing []string `json:"failing"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return readiness{resp.StatusCode, body.Failing}
}

// waitReadyz polls /readyz until it answers want, or fails after a while.
func waitReadyz(t *testing.T, addr string, want int) readiness {
	t.Helper()
	var got readiness
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got = getReadyz(t, addr); got.code == want {
			return got
		}
	}
	t.Fatalf("%s/readyz = %d %v, want %d", addr, got.code, got.failing, want)
	return got
}

func TestServeEmbeddedDefault(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "tipline-data")
	r := startServe(t, map[string]string{"TIPLINE_DATA_DIR": dataDir})
	for _, addr := range []string{r.intake, r.casework} {
		waitReadyz(t, addr, http.StatusOK)
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s/healthz = %d", addr, resp.StatusCode)
		}
	}
	for _, name := range []string{"tipline.db", "blobs"} {
		fi, err := os.Stat(filepath.Join(dataDir, name))
		if err != nil {
			t.Fatalf("embedded default did not create %s: %v", name, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v is readable by others", name, fi.Mode().Perm())
		}
	}
}

// TestServePostgresMinIO runs serve on the production backends and proves
// that /readyz follows the blob store down and back up without a restart.
func TestServePostgresMinIO(t *testing.T) {
	m := testenv.StartMinIO(t)
	r := startServe(t, map[string]string{
		"TIPLINE_DATABASE_URL": dbtest.URL(t, database.Postgres),
		"TIPLINE_BLOB_URL":     m.URL("tipline"),
		"TIPLINE_DATA_DIR":     filepath.Join(t.TempDir(), "unused"),
		"TIPLINE_PEPPER":       strings.Repeat("5e", 32), // never a file in the data folder with PostgreSQL
	})
	for _, addr := range []string{r.intake, r.casework} {
		waitReadyz(t, addr, http.StatusOK)
	}

	m.Stop()
	for _, addr := range []string{r.intake, r.casework} {
		got := waitReadyz(t, addr, http.StatusServiceUnavailable)
		if len(got.failing) != 1 || got.failing[0] != "blob store" {
			t.Errorf("%s/readyz failing = %v, want [blob store]", addr, got.failing)
		}
	}

	m.Start()
	for _, addr := range []string{r.intake, r.casework} {
		waitReadyz(t, addr, http.StatusOK)
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "unused")); err == nil {
		t.Error("serve created the embedded data folder although both backends were configured")
	}
}

func TestMigrateCommand(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			env := map[string]string{"TIPLINE_DATABASE_URL": dbtest.URL(t, d)}
			out, errOut, code := runTipline(t, env, "migrate", "status")
			if code != 0 || !strings.Contains(out, "pending") || strings.Contains(out, "applied") {
				t.Fatalf("migrate status on empty database = %d\n%s%s", code, out, errOut)
			}
			if _, errOut, code := runTipline(t, env, "migrate", "up"); code != 0 {
				t.Fatalf("migrate up = %d: %s", code, errOut)
			}
			out, _, _ = runTipline(t, env, "migrate", "status")
			if strings.Contains(out, "pending") || !strings.Contains(out, "00003_submissions.sql") {
				t.Errorf("migrate status after up:\n%s", out)
			}
		})
	}
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{"Help", nil, []string{"help"}, 0, "serve", ""},
		{"NoArguments", nil, nil, 0, "migrate", ""},
		{"Version", nil, []string{"version"}, 0, "tipline ", ""},
		{"ServeHelp", nil, []string{"serve", "--help"}, 0, "", "TIPLINE_BLOB_URL"},
		{"UnknownCommand", nil, []string{"frobnicate"}, 2, "serve", "unknown command"},
		{"InvalidSetting", map[string]string{"TIPLINE_INTAKE_ADDR": "nonsense"}, []string{"serve"}, 2, "", "TIPLINE_INTAKE_ADDR"},
		{"MigrateWithoutAction", nil, []string{"migrate"}, 2, "", "migrate up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runTipline(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.inStdout) || !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("tipline %v = %d\nstdout: %s\nstderr: %s", tt.args, code, out, errOut)
			}
		})
	}
}

// TestBinaryShutsDownOnSIGTERM builds the real binary, serves, and stops it
// the way a process supervisor does.
func TestBinaryShutsDownOnSIGTERM(t *testing.T) {
	bin := buildBinary(t)
	intake, casework := testenv.FreeAddr(t), testenv.FreeAddr(t)
	cmd := exec.Command(bin, "serve", "--intake-addr", intake, "--casework-addr", casework)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var log lockedBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{intake, casework} {
		var err error
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			var resp *http.Response
			if resp, err = http.Get("http://" + addr + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
		}
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("%s not ready: %v\n%s", addr, err, log.String())
		}
	}
	if _, err := os.Stat(filepath.Join(cmd.Dir, "tipline-data", "tipline.db")); err != nil {
		t.Errorf("no ./tipline-data/tipline.db in the working directory: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not exit after SIGTERM")
	}
	if !strings.Contains(log.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", log.String())
	}
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// buildBinary builds the real tipline binary once per test run, as a user
// would (no race detector), for tests that run it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tipline-bin")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "tipline")
		build := exec.Command("go", "build", "-o", binaryPath, ".")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryPath != "" {
		os.RemoveAll(filepath.Dir(binaryPath))
	}
	os.Exit(code)
}
