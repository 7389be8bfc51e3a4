package drill

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/internal/testenv"
)

// The processes of the drill: the tipline binary serving, set up with its
// own CLI, and the attacker, each built as a user builds them.

// attacker is the running attacker process.
type attacker struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// startAttacker starts the attacker process against srv. It floods until
// stop closes its standard input, or by itself after sc.maxFlood.
func startAttacker(t *testing.T, bin string, srv *server, st staff, sc scale, marker []byte) *attacker {
	t.Helper()
	args := append([]string{
		"-intake", srv.intake, "-casework", srv.casework, "-desk", desk,
		"-staff-email", st.email, "-marker", string(marker),
		"-duration", sc.maxFlood.String(), "-stop-on-stdin", "-slow-limit", slowLimit.String(),
	}, sc.attacker...)
	args = append(args, strings.Fields(os.Getenv(attackerArgsEnv))...)
	// The attacker runs at a lower CPU priority: it shares this machine's
	// cores with the server, and its own work (solving proofs of work) must
	// not be what slows the server down. A real attacker's CPU is their own.
	cmd := exec.Command(bin, args...)
	if nice, err := exec.LookPath("nice"); err == nil {
		cmd = exec.Command(nice, append([]string{"-n", "10", bin}, args...)...)
	}
	a := &attacker{cmd: cmd, done: make(chan struct{})}
	a.cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	a.cmd.Stdout, a.cmd.Stderr = &a.stdout, &a.stderr
	stdin, err := a.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	a.stdin = stdin
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		a.err = a.cmd.Wait()
		close(a.done)
	}()
	t.Cleanup(func() {
		select {
		case <-a.done:
		default:
			a.cmd.Process.Kill()
			<-a.done
		}
	})
	return a
}

// stop ends the flood and returns the attacker's report.
func (a *attacker) stop(t *testing.T, maxFlood time.Duration) attackReport {
	t.Helper()
	a.stdin.Close()
	select {
	case <-a.done:
	case <-time.After(maxFlood + 30*time.Second):
		a.cmd.Process.Kill()
		<-a.done
		t.Fatalf("the attacker did not stop:\n%s", a.stderr.String())
	}
	if a.err != nil {
		t.Fatalf("attacker: %v\n%s", a.err, a.stderr.String())
	}
	var r attackReport
	if err := json.Unmarshal(a.stdout.Bytes(), &r); err != nil {
		t.Fatalf("attacker report: %v\n%s", err, a.stdout.String())
	}
	return r
}

// ---------------------------------------------------------------- server

// server is a running `tipline serve`.
type server struct {
	cmd              *exec.Cmd
	intake, casework string // base URLs
	logPath          string
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// logTail returns the end of the server's log.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// startServer sets a server up with the CLI as an admin would (a desk key,
// an investigator) and serves it on loopback ports until the test ends.
func startServer(t *testing.T, bin string, b backend) (*server, staff) {
	t.Helper()
	dir := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir(),
		"TIPLINE_PEPPER=" + randomHex(32)}
	for k, v := range settings() {
		env = append(env, k+"="+v)
	}
	for k, v := range b.env {
		env = append(env, k+"="+v)
	}
	cli := func(args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tipline %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out)
	}
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	st := staff{email: "investigator@drill.example", password: "flood drill staff " + randomHex(4)}
	cli("keys", "generate", "--name", "Drill desk", "--out-public", filepath.Join(dir, "desk.asc"),
		"--out-private", filepath.Join(dir, "desk-secret.asc"), "--passphrase-file", write("desk-pass", "drill desk passphrase"))
	cli("keys", "add", "--desk", desk, "--file", filepath.Join(dir, "desk.asc"))
	uri, err := url.Parse(strings.TrimSpace(cli("users", "add", "--email", st.email, "--role", "investigator",
		"--password-file", write("staff-pass", st.password), "--desk", desk)))
	if err != nil || uri.Query().Get("secret") == "" {
		t.Fatalf("users add printed no otpauth URI: %v", err)
	}
	st.totpSecret = uri.Query().Get("secret")

	intake, casework := testenv.FreeAddr(t), testenv.FreeAddr(t)
	srv := &server{intake: "http://" + intake, casework: "http://" + casework, logPath: filepath.Join(dir, "serve.log")}
	logFile, err := os.Create(srv.logPath)
	if err != nil {
		t.Fatal(err)
	}
	srv.cmd = exec.Command(bin, "serve")
	srv.cmd.Env = append(env, "TIPLINE_INTAKE_ADDR="+intake, "TIPLINE_CASEWORK_ADDR="+casework)
	srv.cmd.Stdout, srv.cmd.Stderr = logFile, logFile
	if err := srv.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		srv.cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		srv.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			srv.cmd.Process.Kill()
			<-exited
		}
	})
	for _, base := range []string{srv.intake, srv.casework} {
		deadline := time.Now().Add(60 * time.Second)
		for {
			resp, err := http.Get(base + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			select {
			case <-exited:
				t.Fatalf("serve exited:\n%s", srv.logTail())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s/readyz did not answer 200:\n%s", base, srv.logTail())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return srv, st
}

// emptyBucket removes what a drill left in its bucket.
func emptyBucket(t *testing.T, store blob.Store) {
	ctx := context.Background()
	infos, err := store.List(ctx, "")
	if err != nil {
		t.Logf("emptying the drill's bucket: %v", err)
		return
	}
	for _, i := range infos {
		store.Delete(ctx, i.Key)
	}
}

// ---------------------------------------------------------------- binaries

// binaries are the programs of the drill, built as a user builds them (no
// race detector), once per test run.
type binaries struct {
	tipline, attacker string
}

var (
	buildOnce sync.Once
	built     binaries
	buildErr  error
	buildDir  string
)

func buildBinaries(t *testing.T) binaries {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "tipline-drill")
		if buildErr != nil {
			return
		}
		built = binaries{tipline: filepath.Join(buildDir, "tipline"), attacker: filepath.Join(buildDir, "attacker")}
		for out, pkg := range map[string]string{
			built.tipline:  "github.com/tipline/tipline/cmd/tipline",
			built.attacker: "github.com/tipline/tipline/internal/drill/attacker",
		} {
			cmd := exec.Command("go", "build", "-o", out, pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}
