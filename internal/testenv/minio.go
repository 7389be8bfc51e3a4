package testenv

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// MinIO is a MinIO server of a test's own, which the test may stop and start
// again on the same port and data folder (to prove that a dependency outage
// is noticed and survived).
type MinIO struct {
	tb      testing.TB
	bin     string
	dir     string
	addr    string
	console string
	cmd     *exec.Cmd
}

// Credentials of every test MinIO.
const (
	MinIOUser     = "tiplinetest"
	MinIOPassword = "tiplinetest-secret"
)

// StartMinIO starts a MinIO server on a free loopback port, stopped when tb
// ends. It needs TIPLINE_TEST_MINIO_BIN.
func StartMinIO(tb testing.TB) *MinIO {
	tb.Helper()
	m := &MinIO{
		tb:      tb,
		bin:     Get(tb, MinIOBin),
		dir:     filepath.Join(tb.TempDir(), "minio"),
		addr:    FreeAddr(tb),
		console: FreeAddr(tb),
	}
	m.Start()
	tb.Cleanup(m.Stop)
	return m
}

// URL returns the TIPLINE_BLOB_URL of bucket on this server.
func (m *MinIO) URL(bucket string) string {
	return fmt.Sprintf("s3://%s:%s@%s/%s?tls=false", MinIOUser, MinIOPassword, m.addr, bucket)
}

// Start (re)starts the server and waits until it answers.
func (m *MinIO) Start() {
	m.tb.Helper()
	if m.cmd != nil {
		m.tb.Fatal("MinIO already running")
	}
	cmd := exec.Command(m.bin, "server", "--quiet", "--address", m.addr, "--console-address", m.console, m.dir)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+MinIOUser, "MINIO_ROOT_PASSWORD="+MinIOPassword,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	log, err := os.Create(filepath.Join(m.tb.TempDir(), "minio.log"))
	if err != nil {
		m.tb.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		m.tb.Fatalf("start MinIO: %v", err)
	}
	m.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + m.addr + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := os.ReadFile(log.Name())
	m.tb.Fatalf("MinIO did not become ready on %s:\n%s", m.addr, out)
}

// Pid returns the process id of the running server.
func (m *MinIO) Pid() int {
	if m.cmd == nil {
		m.tb.Fatal("MinIO is not running")
	}
	return m.cmd.Process.Pid
}

// Stop kills the server and waits for it to exit.
func (m *MinIO) Stop() {
	if m.cmd == nil {
		return
	}
	m.cmd.Process.Kill()
	m.cmd.Wait()
	m.cmd = nil
}

// FreeAddr returns a loopback host:port that was free a moment ago.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
