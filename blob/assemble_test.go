package blob_test

import (
	"bytes"
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

func TestDirAssembly(t *testing.T) {
	blobtest.RunAssembly(t, func(t *testing.T) blob.Store { return mustOpenDir(t, t.TempDir()) })
}

// TestDirAssemblyFiles checks the files of a directory store's assemblies:
// hidden from List, dated to the day like Put's, no temporary file left
// after a piece sent again, and a file left for three days removed by the
// first BeginAssembly of the day of a store opened again.
func TestDirAssemblyFiles(t *testing.T) {
	root := t.TempDir()
	d := mustOpenDir(t, root)
	ctx := t.Context()
	a, err := d.BeginAssembly(ctx, "assembled/x")
	if err != nil {
		t.Fatal(err)
	}
	for _, piece := range []string{"first", "first, sent again"} {
		if _, err := d.PutPiece(ctx, a, 0, 0, strings.NewReader(piece)); err != nil {
			t.Fatalf("PutPiece: %v", err)
		}
	}
	if keys, err := d.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Errorf("List during an assembly = %v, %v; want nothing", keys, err)
	}
	if _, err := d.PutPiece(ctx, a, 2, 100, strings.NewReader("gap")); !errors.Is(err, blob.ErrPieces) {
		t.Errorf("PutPiece after a gap: %v, want ErrPieces", err)
	}
	abandoned, err := d.BeginAssembly(ctx, "assembled/y")
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
	abandonedFile := filepath.Join(root, ".assembly", abandoned.Handle)
	if err := os.Chtimes(abandonedFile, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := d.FinishAssembly(ctx, a, []int64{int64(len("first, sent again"))}); err != nil {
		t.Fatalf("FinishAssembly: %v", err)
	}
	// The store of a process started again: its first BeginAssembly of the
	// day removes what an earlier one left.
	if _, err := mustOpenDir(t, root).BeginAssembly(ctx, "assembled/z"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(abandonedFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an assembly file dated three days ago is still there: %v", err)
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	err = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(de.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", p)
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		if got := fi.ModTime().UTC(); !got.Equal(day) {
			t.Errorf("%s modified at %v, want %v", p, got, day)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDirAssemblyWaitsForPiece: FinishAssembly waits for the piece being
// written (it would otherwise rename a file still growing), and so does
// the same piece sent again.
func TestDirAssemblyWaitsForPiece(t *testing.T) {
	d := mustOpenDir(t, t.TempDir())
	ctx := t.Context()
	a, err := d.BeginAssembly(ctx, "assembled/x")
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := d.PutPiece(ctx, a, 0, 0, pr)
		done <- err
	}()
	if _, err := pw.Write([]byte("half")); err != nil { // PutPiece is writing
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := d.FinishAssembly(short, a, []int64{4}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("FinishAssembly during a piece: %v, want it to wait until its ctx ends", err)
	}
	if _, err := d.PutPiece(short, a, 0, 0, strings.NewReader("other")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("PutPiece during the same piece: %v, want it to wait until its ctx ends", err)
	}
	pw.Write([]byte(" and the rest"))
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("PutPiece: %v", err)
	}
	if _, err := d.FinishAssembly(ctx, a, []int64{int64(len("half and the rest"))}); err != nil {
		t.Fatalf("FinishAssembly: %v", err)
	}
	rc, err := d.Get(ctx, "assembled/x")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, []byte("half and the rest")) {
		t.Errorf("blob = %q", got)
	}
}
