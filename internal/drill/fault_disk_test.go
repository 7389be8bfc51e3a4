package drill

import (
	"database/sql"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite" // database/sql driver "sqlite", for SQLite's integrity check

	"github.com/tipline/tipline/intake"
)

// The small filesystem the disk drill runs on, and the free space below
// which the service says it is not ready.
const (
	diskSize    = 64 << 20
	diskMinFree = 8 << 20
)

// TestFaultDiskFull runs the embedded default (SQLite and a blob folder) on
// a small filesystem of its own (a tmpfs, mounted as root), fills it, and
// acts as sources and a source's mailbox: with the disk full, and with
// less free space than a tip's file, no codename is shown without its data
// stored, the intake tells the source in their language that it cannot
// take tips now (503, not "your upload was interrupted" nor a 500), and a
// mailbox login works or says so clearly. Once space is freed the service
// takes tips again without a restart, SQLite's integrity check passes and
// nothing committed is lost.
func TestFaultDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds tipline and fills a filesystem")
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the disk drill mounts a tmpfs and must run as root in CI")
		}
		t.Skip("the disk drill mounts a tmpfs: run it as root")
	}
	sc := storeScaleOf()
	bins := buildBinaries(t)
	data := diskMount(t)
	d := storeSetUp(t, bins.tipline, map[string]string{
		"TIPLINE_DATA_DIR": data,
		// /readyz turns 503 below this much free space; the filesystem
		// has room enough above it for the tips before it is filled.
		"TIPLINE_DISK_MIN_FREE": strconv.Itoa(diskMinFree),
	})
	node := d.serve(t)
	src := newStoreSource(t, node.server)
	ctx := t.Context()
	langs := []string{"en", "zh-Hans"}

	var codenames []string
	for i := range sc.tips {
		for _, tip := range []storeTip{src.formTip(t, ctx, langs[i%2]), src.apiTip(t, ctx, langs[i%2])} {
			d.expect(tip)
			codenames = append(codenames, tip.codename)
		}
	}

	filler := filepath.Join(data, "filler")
	for _, c := range []struct {
		name string
		free int64 // bytes left free
	}{
		{"Full", 0},
		{"LessThanAFile", 512 << 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			diskFill(t, filler, c.free)
			for _, lang := range langs {
				status, page := src.formPost(t, ctx, lang, storeEvidence(1<<20))
				diskWantRefused(t, d, "no-JavaScript form", lang, status, page)

				msg := src.encrypt(t, storeEvidence(1<<20))
				status, body, id := src.tryOpenUpload(t, ctx, lang, int64(len(msg)))
				if status == http.StatusCreated {
					status, body = src.putChunk(ctx, lang, id, 0, msg, nil)
				}
				diskWantRefused(t, d, "browser upload", lang, status, body)
			}
			status, page, err := src.mailbox(ctx, codenames[0])
			switch {
			case err != nil:
				t.Errorf("mailbox login: %v", err)
			case status == http.StatusOK && strings.Contains(page, `action="/mailbox/logout`):
			case status == http.StatusServiceUnavailable && strings.Contains(page, intake.T(intake.EN, "error_unavailable")):
			default:
				t.Errorf("mailbox login = %d, want the mailbox or 503 saying %q: %s", status, intake.T(intake.EN, "error_unavailable"), pageText(page))
			}
			// Below TIPLINE_DISK_MIN_FREE the service says it is not ready.
			if err := storeAwaitReadyz(node.server, http.StatusServiceUnavailable, 20*time.Second); err != nil {
				t.Error(err)
			}
		})
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	t.Run("Recovers", func(t *testing.T) {
		storeWaitReady(t, node.server, http.StatusOK)
		for _, lang := range langs {
			d.expect(src.formTip(t, ctx, lang))
			d.expect(src.apiTip(t, ctx, lang))
		}
		status, page, err := src.mailbox(ctx, codenames[0])
		if err != nil || status != http.StatusOK || !strings.Contains(page, `action="/mailbox/logout`) {
			t.Errorf("mailbox login after the disk was freed = %d %v: %s", status, err, pageText(page))
		}
	})
	if !node.running() {
		t.Errorf("tipline exited during the drill:\n%s", node.logTail())
	}
	diskIntegrityCheck(t, filepath.Join(data, "tipline.db"))
	d.verify(t)
}

// diskWantRefused fails the test unless a tip sent while the disk is full
// was refused as storeWantUnavailable says; a tip whose codename was shown
// anyway is recorded, so that the final check finds whether its data was
// stored.
func diskWantRefused(t *testing.T, d *storeDeployment, what, lang string, status int, body string) {
	t.Helper()
	if tip, err := storeCodenamePage(status, body); err == nil {
		d.expect(tip)
	}
	storeWantUnavailable(t, what, lang, status, body)
}

// diskMount mounts a tmpfs of diskSize bytes on a new folder, unmounted
// when the test ends (after the server, whose cleanup runs first).
func diskMount(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.Itoa(diskSize)+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// diskFill grows (or shrinks) the filler file until free bytes are left on
// its filesystem, or none can be written.
func diskFill(t *testing.T, filler string, free int64) {
	t.Helper()
	f, err := os.OpenFile(filler, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(0, 2); err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 64<<10)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	size, err := f.Seek(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(max(0, size-free)); err != nil {
		t.Fatal(err)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(filler), &st); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d KiB free on the data filesystem", int64(st.Bavail)*st.Bsize>>10)
}

// diskIntegrityCheck runs SQLite's integrity check on the database.
func diskIntegrityCheck(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var result string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Errorf("SQLite integrity check: %q %v", result, err)
	}
}
