package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/internal/testenv"
)

// peakRSS returns a process's peak resident set size (VmHWM) in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// waitIdle waits until the process pid has used no CPU for half a second:
// the codenames serve makes ahead after each submission are made.
func waitIdle(t *testing.T, pid int) {
	t.Helper()
	last := processCPU(t, pid)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		now := processCPU(t, pid)
		if now == last {
			return
		}
		last = now
	}
	t.Fatal("the server stayed busy for a minute")
}

// submitStream posts the no-JavaScript form with one file of size bytes,
// generated as it is sent.
func submitStream(t *testing.T, addr string, size int64) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("narrative", "memory test")
		var fw io.Writer
		if err == nil {
			fw, err = mw.CreateFormFile("evidence", "big.bin")
		}
		if err == nil {
			rng := rand.NewChaCha8([32]byte{1})
			_, err = io.CopyN(fw, rng, size)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	resp, err := http.Post("http://"+addr+"/desk/export-controls/submit", mw.FormDataContentType(), pr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `class="codename"`) {
		t.Fatalf("submission of %d bytes = %d\\n%.500s", size, resp.StatusCode, body)
	}
}

// TestNoJavaScriptUploadMemory sends 1 GiB through the no-JavaScript path of
// the real binary and checks that the server's peak memory grows by less
// than 64 MiB: the file is encrypted and stored as a stream.
func TestNoJavaScriptUploadMemory(t *testing.T) {
	bin := buildBinary(t)
	dataDir := t.TempDir()
	env := append(os.Environ(), "TIPLINE_DATA_DIR="+dataDir, "TIPLINE_MAX_FORM_UPLOAD_BYTES="+strconv.Itoa(2<<30))
	run := func(args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("tipline %v: %v\\n%s", args, err, out)
		}
	}
	pass := filepath.Join(dataDir, "pass")
	os.WriteFile(pass, []byte("memory test passphrase\\n"), 0o600)
	pub, priv := filepath.Join(dataDir, "pub.asc"), filepath.Join(dataDir, "priv.asc")
	run("keys", "generate", "--name", "Memory Test", "--out-public", pub, "--out-private", priv, "--passphrase-file", pass)
	run("keys", "add", "--desk", "export-controls", "--file", pub)

	addr := testenv.FreeAddr(t)
	cmd := exec.Command(bin, "serve", "--intake-addr", addr, "--casework-addr", testenv.FreeAddr(t))
	cmd.Env = env
	var log lockedBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready:\\n%s", log.String())
		}
	}

	// Two small submissions first, so that the baseline holds what every
	// submission needs whatever its size: the codename's argon2id block of
	// 64 MiB, which the Go runtime may hold twice (a freed block's pages are
	// returned to the system lazily while the next one is touched). The
	// large one then comes to an idle node, with its codenames made ahead
	// (README): else the ones still being made for the small submissions
	// meet the one the large form's commit prepares, two 64 MiB blocks at
	// once, as they may at any time on a busy node, whatever the upload.
	submitStream(t, addr, 1<<20)
	submitStream(t, addr, 1<<20)
	waitIdle(t, cmd.Process.Pid)
	before := peakRSS(t, cmd.Process.Pid)
	submitStream(t, addr, 1<<30)
	growth := peakRSS(t, cmd.Process.Pid) - before
	t.Logf("peak RSS %d MiB before, grew by %d MiB over a 1 GiB upload", before>>20, growth>>20)
	if growth > 64<<20 {
		t.Errorf("peak memory grew by %d MiB over a 1 GiB upload, want under 64 MiB", growth>>20)
	}
}
