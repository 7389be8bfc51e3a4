package server

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
)

// TestReadyzDiskLow: with the embedded default, once free space under the
// blob folder falls below TIPLINE_DISK_MIN_FREE, /readyz answers 503 with
// the reason (the free MiB on the casework listener only) and the staff
// start page warns "disk nearly full: N MiB free"; once space is freed,
// /readyz answers 200 and the start page leads straight on (issue 16: at
// 0 bytes free every tip failed while /readyz stayed 200). As root (CI),
// the blob folder is a real 16 MiB file system that a file fills;
// otherwise the floor is set above the free space.
func TestReadyzDiskLow(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("free space is read on Linux only")
	}
	ts, secret := newStaffTestServer(t)
	code, _ := casework.TOTPCode(secret, time.Now())
	res := loginForm(ts, "ana@example.org", staffPassword, code, nil)
	if len(res.Cookies()) != 1 {
		t.Fatalf("login = %d", res.StatusCode)
	}
	cookie := res.Cookies()[0]

	fill, free := diskFiller(t, ts)
	for _, step := range []struct {
		name string
		act  func()
		low  bool
	}{
		{"room", func() {}, false},
		{"nearly full", fill, true},
		{"space freed", free, false},
	} {
		step.act()
		for _, listener := range listeners {
			w := ts.get(listener, "/readyz")
			var body struct {
				Failing []string `json:"failing"`
				Reason  string   `json:"reason"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			wantReason := ""
			switch {
			case step.low && listener == "casework":
				wantReason = "disk nearly full: "
			case step.low:
				wantReason = "disk nearly full"
			}
			switch {
			case step.low && (w.Code != http.StatusServiceUnavailable || !strings.Contains(strings.Join(body.Failing, ","), "disk")):
				t.Errorf("%s: %s /readyz = %d %s, want 503 failing disk", step.name, listener, w.Code, w.Body)
			case !step.low && w.Code != http.StatusOK:
				t.Errorf("%s: %s /readyz = %d %s, want 200", step.name, listener, w.Code, w.Body)
			case !strings.HasPrefix(body.Reason, wantReason) || (wantReason == "" && body.Reason != ""),
				listener == "intake" && body.Reason != wantReason:
				t.Errorf("%s: %s /readyz reason %q, want %q", step.name, listener, body.Reason, wantReason)
			}
		}
		w := getWithCookie(ts, "/home", cookie)
		switch {
		case step.low && (w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "disk nearly full: ") || !strings.Contains(w.Body.String(), " MiB free")):
			t.Errorf("%s: /home = %d without the disk warning\n%s", step.name, w.Code, w.Body)
		case !step.low && w.Code != http.StatusSeeOther:
			t.Errorf("%s: /home = %d, want the redirect to the start page", step.name, w.Code)
		}
	}
}

// diskFiller returns how to make the disk of ts's blob folder nearly full
// and how to free it again.
func diskFiller(t *testing.T, ts *testServer) (fill, free func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		floor := ts.deps.Config.DiskMinFree
		return func() {
				have, err := freeBytes(ts.blobDir)
				if err != nil {
					t.Fatal(err)
				}
				ts.deps.Config.DiskMinFree = have + 1<<30
			}, func() {
				ts.deps.Config.DiskMinFree = floor
			}
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tipline-test", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	blobs, err := blob.OpenDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	ts.deps.Blobs = blobs
	ts.deps.Config.DiskMinFree = 8 << 20
	big := filepath.Join(dir, "big")
	return func() {
			if err := os.WriteFile(big, make([]byte, 12<<20), 0o600); err != nil {
				t.Fatal(err)
			}
		}, func() {
			if err := os.Remove(big); err != nil {
				t.Fatal(err)
			}
		}
}
