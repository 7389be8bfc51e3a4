package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Composition: a blob made of other blobs, joined by the store itself, so
// that the caller never reads their bytes (Store.Compose). The chunks of a
// browser upload become one object so: on S3 by server-side copies into a
// multipart upload, in a directory by copies in the kernel.

// validCompose checks the keys of a Compose call.
func validCompose(dst string, srcs []string) error {
	if err := ValidKey(dst); err != nil {
		return err
	}
	if len(srcs) == 0 {
		return fmt.Errorf("blob: compose %s: no sources", dst)
	}
	for _, src := range srcs {
		if err := ValidKey(src); err != nil {
			return err
		}
	}
	return nil
}

// Compose implements Store. It appends the sources, in order, to a
// temporary file beside dst with copy_file_range on Linux (the kernel
// copies the bytes, or shares the blocks on file systems that can), then
// syncs the file, dates it to the day and renames it into place, as Put
// does.
func (d *Dir) Compose(ctx context.Context, dst string, srcs []string) (Info, error) {
	if err := validCompose(dst, srcs); err != nil {
		return Info{}, err
	}
	info, err := d.compose(ctx, dst, srcs)
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return Info{}, fmt.Errorf("blob: compose %s: %w: %w", dst, ErrFull, err)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: compose %s: %w", dst, err)
	}
	return info, nil
}

func (d *Dir) compose(ctx context.Context, dst string, srcs []string) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	if err := d.mkdirs(dst); err != nil {
		return Info{}, err
	}
	final := d.path(dst)
	dir := filepath.Dir(final)
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return Info{}, err
	}
	for _, src := range srcs {
		if err = ctx.Err(); err != nil {
			break
		}
		if err = d.appendBlob(f, src); err != nil {
			break
		}
	}
	var fi fs.FileInfo
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	day := today()
	if err == nil {
		err = os.Chtimes(f.Name(), day, day)
	}
	if err == nil {
		err = os.Rename(f.Name(), final)
	}
	if err != nil {
		// Best effort, as in put: a temporary file is invisible anyway.
		_ = os.Remove(f.Name())
		_ = d.dateFolders(dst, day)
		return Info{}, err
	}
	if err := syncDir(dir); err != nil {
		return Info{}, err
	}
	if err := d.dateFolders(dst, day); err != nil {
		return Info{}, err
	}
	return Info{Key: dst, Size: fi.Size(), Modified: day}, nil
}

// appendBlob appends the blob under key to f. (*os.File).ReadFrom from
// another file is copy_file_range on Linux: the bytes never reach the
// program.
func (d *Dir) appendBlob(f *os.File, key string) error {
	src, err := os.OpenFile(d.path(key), os.O_RDONLY|openNoAccessTime, 0)
	if notExist(err) {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return err
	}
	defer src.Close() // read-only, nothing to lose
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	n, err := f.ReadFrom(src)
	if err == nil && n != fi.Size() {
		err = errors.New("source changed while it was copied")
	}
	return err
}
