//go:build linux

package blob_test

import (
	"context"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDirTimesToTheDay proves that after each kind of change (and a read)
// no file or folder of the store has a modification time, and no file an
// access time, other than 00:00 UTC. (A folder's access time tells when it
// was last listed, by the janitor or by this test's own walk.)
func TestDirTimesToTheDay(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d := mustOpenDir(t, root)
	steps := []struct {
		name string
		do   func() error
	}{
		{"put", func() error {
			_, err := d.Put(ctx, "pending/aaaa", strings.NewReader("ciphertext"))
			return err
		}},
		{"put in a new folder", func() error {
			_, err := d.Put(ctx, "uploads/s1/0", strings.NewReader("chunk"))
			return err
		}},
		{"move", func() error { return d.Move(ctx, "pending/aaaa", "objects/aaaa") }},
		{"get", func() error {
			r, err := d.Get(ctx, "objects/aaaa")
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = io.ReadAll(r)
			return err
		}},
		{"delete", func() error { return d.Delete(ctx, "uploads/s1/0") }},
		{"ping", func() error { return d.Ping(ctx) }},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		for path, times := range storeTimes(t, root) {
			for i, tm := range times {
				if !tm.Equal(tm.Truncate(24 * time.Hour)) {
					t.Errorf("after %s: %s has %s time %s, want 00:00 UTC", step.name, path, [2]string{"modification", "access"}[i], tm)
				}
			}
		}
	}
}

// storeTimes returns the modification time of every file and folder under
// root, root included, and the access time of every file.
func storeTimes(t *testing.T, root string) map[string][]time.Time {
	t.Helper()
	times := map[string][]time.Time{}
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			return err
		}
		mtime := time.Unix(st.Mtim.Unix()).UTC()
		if de.IsDir() {
			times[p] = []time.Time{mtime}
		} else {
			times[p] = []time.Time{mtime, time.Unix(st.Atim.Unix()).UTC()}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return times
}
