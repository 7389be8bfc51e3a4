package blob_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/blob/blobtest"
)

func TestDirStore(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return mustOpenDir(t, t.TempDir()) })
}

func mustOpenDir(t *testing.T, path string) *blob.Dir {
	t.Helper()
	d, err := blob.OpenDir(path)
	if err != nil {
		t.Fatalf("OpenDir: %v", err)
	}
	return d
}

// TestDirFiles checks the files behind the blobs: their modes, and that no
// temporary file survives a failed Put.
func TestDirFiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "blobs")
	d := mustOpenDir(t, root)
	ctx := t.Context()
	if _, err := d.Put(ctx, "a/b/c", strings.NewReader("x")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	errFail := errors.New("fail")
	if _, err := d.Put(ctx, "a/b/d", io.MultiReader(strings.NewReader("partial"), errReader{errFail})); !errors.Is(err, errFail) {
		t.Fatalf("Put with a failing reader: got %v, want %v", err, errFail)
	}

	want := map[string]fs.FileMode{
		".":     fs.ModeDir | 0o700,
		"a":     fs.ModeDir | 0o700,
		"a/b":   fs.ModeDir | 0o700,
		"a/b/c": 0o600,
	}
	got := map[string]fs.FileMode{}
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = fi.Mode()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	for name, mode := range want {
		if got[name] != mode {
			t.Errorf("%s: mode %v, want %v", name, got[name], mode)
		}
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestDirListSkipsStrays checks that List reports only files named like keys.
func TestDirListSkipsStrays(t *testing.T) {
	root := t.TempDir()
	d := mustOpenDir(t, root)
	if _, err := d.Put(t.Context(), "a/1", strings.NewReader("x")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	for _, name := range []string{".tmp-123", "a/.tmp-456", "README.md", "Upper/1", ".git/x"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("stray"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	infos, err := d.List(t.Context(), "")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(infos) != 1 || infos[0].Key != "a/1" {
		t.Errorf("List = %v, want only a/1", infos)
	}
}

func TestDirPing(t *testing.T) {
	root := filepath.Join(t.TempDir(), "blobs")
	d := mustOpenDir(t, root)
	if err := d.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if entries, err := os.ReadDir(root); err != nil || len(entries) != 0 {
		t.Errorf("Ping left %v behind (err %v)", entries, err)
	}
	if err := os.Remove(root); err != nil {
		t.Fatal(err)
	}
	if err := d.Ping(t.Context()); err == nil {
		t.Error("Ping of a removed directory succeeded")
	}
}

func TestOpenDirOnFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.OpenDir(path); err == nil {
		t.Error("OpenDir of a regular file succeeded")
	}
	if _, err := blob.OpenDir(""); err == nil {
		t.Error("OpenDir of an empty path succeeded")
	}
}

// TestDirKeepsOnlyTheDay: a stored file's times hold the day, not the
// moment a source sent it.
func TestDirKeepsOnlyTheDay(t *testing.T) {
	d := mustOpenDir(t, t.TempDir())
	info, err := d.Put(context.Background(), "pending/x", strings.NewReader("ciphertext"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Stat(context.Background(), "pending/x")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []time.Time{info.Modified, st.Modified} {
		if !m.Equal(m.Truncate(24*time.Hour)) || time.Since(m) > 24*time.Hour {
			t.Errorf("Modified = %v, want midnight UTC of today", m)
		}
	}
}
