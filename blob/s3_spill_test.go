//go:build linux

package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
)

// TestS3SpillSlowParts: a part that has filled slowly moves out of memory
// to an unnamed file in the spill folder. Six Puts that have each received
// 3 MiB of a 5 MiB part, and then more after a pause, grow the heap by far
// less than the 18 MiB they hold, and each holds a file of the spill
// folder, yet the folder lists nothing and keeps its time. Each blob then
// completes byte for byte, over three parts read from files (the third
// reusing the file of the first), and no file is left open.
func TestS3SpillSlowParts(t *testing.T) {
	s, spill := spillingS3(t)
	blob.SetSpill(s, 20*time.Millisecond, 1<<30)
	ups := startSpillUploads(t, s, 6)
	before := heapAlloc()
	for _, u := range ups {
		u.send(t, 3<<20)
	}
	time.Sleep(50 * time.Millisecond)
	for _, u := range ups {
		u.send(t, 1) // read after the pause: the part is due to spill…
		u.send(t, 1) // …and has, by the time the Put reads again
	}
	checkHeld(t, spill, before, 6, 6*512<<10)
	finishSpillUploads(t, s, spill, ups)
}

// TestS3SpillOverBudget: once the parts under way hold the memory budget
// together, a part that needs more moves to a file, however fast it comes:
// many uploads that send most of a part at once and then wait (as the
// minimum upload rate allows them to) cannot take the memory either.
// With a budget of 4 MiB, six Puts that each received 3 MiB at once hold
// no more than the budget in memory, and all but the first hold a file.
func TestS3SpillOverBudget(t *testing.T) {
	s, spill := spillingS3(t)
	const budget = 4 << 20
	blob.SetSpill(s, time.Hour, budget)
	ups := startSpillUploads(t, s, 6)
	before := heapAlloc()
	for _, u := range ups {
		u.send(t, 3<<20)
	}
	checkHeld(t, spill, before, 5, budget+6*512<<10)
	finishSpillUploads(t, s, spill, ups)
}

// spillingS3 returns a store in a new bucket, with 5 MiB parts, whose
// parts spill to the folder it returns. The folder has a time no spill
// file could give it (see checkSpillFolder).
func spillingS3(t *testing.T) (*blob.S3, string) {
	t.Helper()
	s, _ := s3StoreWithParts(t, 5<<20)
	spill := t.TempDir()
	if err := s.SpillTo(spill); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(spill, spillFolderTime, spillFolderTime); err != nil {
		t.Fatal(err)
	}
	return s, spill
}

var spillFolderTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// spillUpload is a Put under way, fed through a pipe with random bytes.
type spillUpload struct {
	key  string
	pw   *io.PipeWriter
	src  io.Reader
	sum  hash.Hash // of what was sent
	sent int64
	done chan error
}

func startSpillUploads(t *testing.T, s *blob.S3, n int) []*spillUpload {
	ups := make([]*spillUpload, n)
	for i := range ups {
		pr, pw := io.Pipe()
		u := &spillUpload{key: fmt.Sprintf("spill/u%d", i), pw: pw, src: rand.NewChaCha8([32]byte{byte(i)}), sum: sha256.New(), done: make(chan error, 1)}
		ups[i] = u
		go func() {
			_, err := s.Put(context.Background(), u.key, pr)
			pr.CloseWithError(err)
			u.done <- err
		}()
	}
	t.Cleanup(func() {
		for _, u := range ups {
			u.pw.CloseWithError(io.ErrUnexpectedEOF) // no Put outlives the test
		}
	})
	return ups
}

// send sends n more bytes; a Write to the pipe returns once the Put has
// read it.
func (u *spillUpload) send(t *testing.T, n int64) {
	t.Helper()
	if _, err := io.CopyN(io.MultiWriter(u.pw, u.sum), u.src, n); err != nil {
		t.Fatal(err)
	}
	u.sent += n
}

// finishSpillUploads sends the rest of 11 MiB (three parts) to each
// upload, ends it, and checks that the blob came out byte for byte, that
// no spill file is left open and that the folder still lists nothing.
func finishSpillUploads(t *testing.T, s *blob.S3, spill string, ups []*spillUpload) {
	t.Helper()
	const total = 11<<20 + 125
	for _, u := range ups {
		u.send(t, total-u.sent)
		u.pw.Close()
	}
	for _, u := range ups {
		if err := <-u.done; err != nil {
			t.Fatalf("Put %s: %v", u.key, err)
		}
		rc, err := s.Get(t.Context(), u.key)
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.New()
		n, err := io.Copy(got, rc)
		rc.Close()
		if err != nil || n != total || !bytes.Equal(got.Sum(nil), u.sum.Sum(nil)) {
			t.Errorf("blob %s: %d bytes (%v), not the %d put", u.key, n, err, total)
		}
	}
	if n := openFilesIn(t, spill); n != 0 {
		t.Errorf("%d files still open in the spill folder after every Put ended", n)
	}
	checkSpillFolder(t, spill)
}

// heapAlloc returns the bytes of the heap in use once garbage is collected
// and the pools' caches emptied.
func heapAlloc() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC() // the second empties the pools' victim caches
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// checkHeld fails unless the heap grew by at most maxGrowth since before,
// the Puts under way hold files open files in the spill folder, and the
// folder lists nothing.
func checkHeld(t *testing.T, spill string, before int64, files int, maxGrowth int64) {
	t.Helper()
	growth := heapAlloc() - before
	t.Logf("heap grew by %d KiB", growth>>10)
	if growth > maxGrowth {
		t.Errorf("heap grew by %d KiB, want at most %d KiB", growth>>10, maxGrowth>>10)
	}
	if n := openFilesIn(t, spill); n != files {
		t.Errorf("%d files open in the spill folder, want %d", n, files)
	}
	checkSpillFolder(t, spill)
}

// openFilesIn counts this process's open files that are, or were, in dir.
func openFilesIn(t *testing.T, dir string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+"/") {
			n++
		}
	}
	return n
}

// checkSpillFolder fails unless dir lists nothing and still has the time
// spillingS3 gave it: a spill file never shows.
func checkSpillFolder(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("the spill folder lists %d entries, want none", len(entries))
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(spillFolderTime) {
		t.Errorf("the spill folder was modified at %v, want its time left at %v", fi.ModTime(), spillFolderTime)
	}
}
