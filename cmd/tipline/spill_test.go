//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/internal/testenv"
)

// TestServeSpillsSlowUploads: on PostgreSQL and MinIO, a no-JavaScript
// upload that pauses has the part it is sending moved out of memory into an
// unnamed file of $TMPDIR. The file holds ciphertext (the evidence's
// plaintext is not in it), the folder lists nothing and keeps its time,
// and the upload then completes with a codename; the file is gone after.
func TestServeSpillsSlowUploads(t *testing.T) {
	m := testenv.StartMinIO(t)
	g := testenv.NewGPG(t)
	dir := t.TempDir()
	spill := filepath.Join(dir, "tmp")
	if err := os.Mkdir(spill, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", spill)
	env := map[string]string{
		"TIPLINE_DATA_DIR": filepath.Join(dir, "data"),
		"TIPLINE_BLOB_URL": m.URL("tipline"),
	}
	key := filepath.Join(dir, "desk.asc")
	if err := os.WriteFile(key, g.Public, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runTipline(t, env, "keys", "add", "--desk", "export-controls", "--file", key); code != 0 {
		t.Fatal(errOut)
	}
	r := startServe(t, env)
	if strings.Contains(r.log.String(), "hold their parts in memory") {
		t.Fatalf("serve cannot spill to $TMPDIR:\n%s", r.log)
	}
	midnight := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(spill, midnight, midnight); err != nil {
		t.Fatal(err)
	}

	// The evidence: a line a reader of the spill file would find in
	// plaintext, 2 MiB of it, sent as 1 MiB, a pause, and the rest.
	const canary = "Shipment 7 relabelled as routers at the Shenzhen forwarder.\n"
	evidence := bytes.Repeat([]byte(canary), (2<<20)/len(canary))
	var head, tail bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField("narrative", "See the shipping list.")
	mw.CreateFormFile("evidence", "list.txt")
	tw := multipart.NewWriter(&tail)
	tw.SetBoundary(mw.Boundary())
	tw.Close()
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, "http://"+r.intake+"/desk/export-controls/submit", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(head.Len() + len(evidence) + tail.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
		}
		answered <- resp
	}()
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) })
	send := func(b []byte) {
		t.Helper()
		if _, err := pw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	send(head.Bytes())
	send(evidence[:1<<20])
	time.Sleep(2500 * time.Millisecond)   // past the 2 s a part may fill in memory
	send(evidence[1<<20 : 1<<20+512<<10]) // two of the encrypting writer's 256 KiB chunks

	// The file is opened, then written: on a busy machine a look between
	// the two finds it empty.
	var spilled []byte
	for deadline := time.Now().Add(10 * time.Second); len(spilled) < 1<<20; time.Sleep(50 * time.Millisecond) {
		spilled = readOpenFileIn(t, spill)
		if time.Now().After(deadline) {
			if spilled == nil {
				t.Fatal("no file of the spill folder is open 10 s after the upload paused")
			}
			t.Fatalf("the spill file holds %d bytes 10 s after the upload paused, want the part's MiB and more", len(spilled))
		}
	}
	t.Logf("the spill file holds %d bytes", len(spilled))
	if bytes.Contains(spilled, []byte("Shenzhen forwarder")) {
		t.Error("the spill file holds the evidence's plaintext")
	}
	if entries, err := os.ReadDir(spill); err != nil || len(entries) != 0 {
		t.Errorf("the spill folder lists %d entries (%v), want none", len(entries), err)
	}
	if fi, err := os.Stat(spill); err != nil || !fi.ModTime().Equal(midnight) {
		t.Errorf("the spill folder's time changed: %v (%v)", fi.ModTime(), err)
	}

	send(evidence[1<<20+512<<10:])
	send(tail.Bytes())
	pw.Close()
	resp := <-answered
	if resp == nil {
		t.FailNow()
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte(`class="codename"`)) {
		t.Fatalf("the slow submission = %d\n%.500s", resp.StatusCode, page)
	}
	if b := readOpenFileIn(t, spill); b != nil {
		t.Errorf("a spill file is still open after the upload ended (%d bytes)", len(b))
	}
}

// readOpenFileIn returns what is in a file of dir this process has open
// (a file without a name included), or nil when it has none open.
func readOpenFileIn(t *testing.T, dir string) []byte {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		link := filepath.Join("/proc/self/fd", fd.Name())
		if target, err := os.Readlink(link); err == nil && strings.HasPrefix(target, dir+"/") {
			b, err := os.ReadFile(link)
			if err != nil {
				t.Fatal(fmt.Errorf("read the spill file: %w", err))
			}
			return b
		}
	}
	return nil
}
