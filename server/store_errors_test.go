package server

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// mountFullDisk mounts a tmpfs of size bytes in a temporary folder,
// unmounted when the test ends. It needs root: skipped without it, unless
// CI=true or under `make test`.
func mountFullDisk(t *testing.T, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if testenv.Required() {
			t.Fatal("mounting a small filesystem needs root")
		}
		t.Skip("mounting a small filesystem needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a file of zeros into dir until at most free bytes are
// left, and returns its name.
func fillDisk(t *testing.T, dir string, free int64) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zeros := make([]byte, 64<<10)
	for {
		var st syscall.Statfs_t
		if err := syscall.Statfs(dir, &st); err != nil {
			t.Fatal(err)
		}
		left := int64(st.Bavail) * int64(st.Bsize)
		if left <= free {
			return name
		}
		if _, err := f.Write(zeros[:min(int64(len(zeros)), left-free)]); err != nil {
			return name // full already
		}
	}
}

// postFormStream posts the no-JavaScript form to the export-controls desk
// in lang with a file of size random bytes, made as it is sent; after the
// first half of the file, midway runs (when not nil).
func postFormStream(t *testing.T, base string, lang intake.Lang, size int64, midway func()) (int, string) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("narrative", "store fault "+canary)
		var fw io.Writer
		if err == nil {
			fw, err = mw.CreateFormFile("evidence", "ledger-"+canary+".bin")
		}
		rng := rand.NewChaCha8([32]byte{16})
		if err == nil {
			_, err = io.CopyN(fw, rng, size/2)
		}
		if err == nil && midway != nil {
			midway()
		}
		if err == nil {
			_, err = io.CopyN(fw, rng, size-size/2)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest(http.MethodPost, base+"/desk/export-controls/submit?lang="+string(lang), pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

// TestStoreFaultsAnswerPlainly: when the evidence store fails while a
// source sends a tip without JavaScript, the source reads in their own
// language what happened on our side (503), never that their upload broke
// and never a codename: MinIO stopped before or in the middle of a file of
// several S3 parts says the store is not reachable; a directory store on a
// full disk says the desk cannot take files now. Nothing of the tip is
// left in the store.
func TestStoreFaultsAnswerPlainly(t *testing.T) {
	type fault struct {
		name  string
		setup func(t *testing.T) (base string, blobs blob.Store, start, midway func())
		size  int64
		want  string // message key
	}
	onMinIO := func(stopMidway bool) func(t *testing.T) (string, blob.Store, func(), func()) {
		return func(t *testing.T) (string, blob.Store, func(), func()) {
			ts, m := newIntakeOnMinIO(t)
			ts.deps.Config.MaxFormUpload = 256 << 20
			addGPGKey(t, ts)
			ts = rebuild(t, ts)
			if stopMidway {
				return serveTest(t, ts), ts.deps.Blobs, func() {}, m.Stop
			}
			return serveTest(t, ts), ts.deps.Blobs, m.Stop, nil
		}
	}
	onFullDisk := func(free int64) func(t *testing.T) (string, blob.Store, func(), func()) {
		return func(t *testing.T) (string, blob.Store, func(), func()) {
			disk := mountFullDisk(t, 64<<20)
			ts := newTestServer(t)
			ts.deps.Config.MaxFormUpload = 256 << 20
			blobs, err := blob.OpenDir(filepath.Join(disk, "blobs"))
			if err != nil {
				t.Fatal(err)
			}
			ts.deps.Blobs, ts.intake.Blobs, ts.blobDir = blobs, blobs, filepath.Join(disk, "blobs")
			addGPGKey(t, ts)
			ts = rebuild(t, ts)
			return serveTest(t, ts), blobs, func() { fillDisk(t, disk, free) }, nil
		}
	}
	faults := []fault{
		{"MinIODown", onMinIO(false), 40 << 20, "error_unavailable"},
		{"MinIOStopsMidFile", onMinIO(true), 40 << 20, "error_unavailable"},
		{"DiskAlmostFull", onFullDisk(1 << 20), 8 << 20, "error_store_full"},
		{"DiskFull", onFullDisk(0), 64 << 10, "error_store_full"},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			base, blobs, start, midway := f.setup(t)
			start()
			for _, lang := range []intake.Lang{intake.EN, intake.ZH} {
				code, page := postFormStream(t, base, lang, f.size, midway)
				midway = nil
				if want := intake.T(lang, f.want); code != http.StatusServiceUnavailable || !strings.Contains(page, want) {
					t.Errorf("%s: submit = %d, want 503 with %q\n%.1500s", lang, code, want, page)
				}
				if strings.Contains(page, intake.T(lang, "error_upload_broken")) || strings.Contains(page, `class="codename"`) {
					t.Errorf("%s: the page blames the source's upload or shows a codename", lang)
				}
			}
			if f.name == "MinIODown" || f.name == "MinIOStopsMidFile" {
				return // nothing to list while the store is down
			}
			if infos, err := blobs.List(context.Background(), ""); err != nil || len(infos) != 0 {
				t.Errorf("blobs left after the refusals: %v, %v", infos, err)
			}
		})
	}
}
