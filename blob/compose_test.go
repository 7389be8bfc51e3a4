package blob_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/blob/blobtest"
)

func TestDirCompose(t *testing.T) {
	blobtest.RunCompose(t, func(t *testing.T) blob.Store { return mustOpenDir(t, t.TempDir()) })
}

// TestDirComposeFiles checks the file Compose leaves: dated to the day like
// Put's, and no temporary file after a Compose that failed halfway.
func TestDirComposeFiles(t *testing.T) {
	root := t.TempDir()
	d := mustOpenDir(t, root)
	ctx := t.Context()
	for _, key := range []string{"c/1", "c/2"} {
		if _, err := d.Put(ctx, key, strings.NewReader(key)); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	if _, err := d.Compose(ctx, "joined/x", []string{"c/1", "c/2"}); err != nil {
		t.Fatalf("Compose: %v", err)
	}
	if _, err := d.Compose(ctx, "joined/y", []string{"c/1", "c/missing", "c/2"}); err == nil {
		t.Fatal("Compose with a missing source succeeded")
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(de.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", p)
		}
		if p == filepath.Join(root, "joined", "x") {
			fi, err := de.Info()
			if err != nil {
				return err
			}
			if got := fi.ModTime().UTC(); !got.Equal(day) {
				t.Errorf("composed file modified at %v, want %v", got, day)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
