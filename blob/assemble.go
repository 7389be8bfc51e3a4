package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Assembly: a blob that arrives in pieces, each sent in a request of its
// own (the chunks of a browser upload), and that becomes a blob where its
// pieces were stored, without the program or the store copying them. On
// S3 an assembly is a multipart upload whose parts are the pieces,
// completed by FinishAssembly; in a directory it is one file that each
// piece is appended to, renamed into place by FinishAssembly.

// MinPiece is the least every piece of an assembly but the last must hold:
// S3's smallest part.
const MinPiece = minPartSize

// Assembly names an assembly: the key of the blob it becomes and the
// store's handle of its pieces. It holds no secret; the caller keeps it
// (as JSON, say) between the requests that bring the pieces.
type Assembly struct {
	Key    string `json:"key"`
	Handle string `json:"handle"`
}

// valid checks an assembly's key, and that its handle is one a store
// could have given.
func (a Assembly) valid() error {
	if err := ValidKey(a.Key); err != nil {
		return err
	}
	if a.Handle == "" || len(a.Handle) > 1024 {
		return fmt.Errorf("%w: assembly handle", ErrInvalidKey)
	}
	return nil
}

// assemblyFolder holds the files of a Dir's assemblies under its root. Its
// name cannot be a key segment, so List never enters it.
const assemblyFolder = ".assembly"

// staleAssemblyDays is how many days after its last piece an assembly file
// is surely abandoned (an upload session lives 25 hours at most, so it
// spans three days at most), and the first BeginAssembly of a day removes
// it.
const staleAssemblyDays = 3

// dirAssemblies serializes the writes to each assembly file of a Dir: a
// piece sent again while its first attempt is still being written waits
// for it, and FinishAssembly waits for the piece being written.
type dirAssemblies struct {
	mu    sync.Mutex
	busy  map[string]chan struct{} // by handle; closed when free
	swept time.Time                // the day stale files were last removed
}

// sweepDue reports whether stale assembly files are still to be removed
// on day, and notes that they will be.
func (l *dirAssemblies) sweepDue(day time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.swept.Equal(day) {
		return false
	}
	l.swept = day
	return true
}

// lock waits until the assembly is free or ctx ends, and takes it.
func (l *dirAssemblies) lock(ctx context.Context, handle string) (unlock func(), err error) {
	for {
		l.mu.Lock()
		wait, busy := l.busy[handle]
		if !busy {
			if l.busy == nil {
				l.busy = make(map[string]chan struct{})
			}
			free := make(chan struct{})
			l.busy[handle] = free
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				delete(l.busy, handle)
				l.mu.Unlock()
				close(free)
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// assemblyPath returns the file of a valid Dir handle, and whether the
// handle is one: 26 characters of NewKey.
func (d *Dir) assemblyPath(handle string) (string, error) {
	if len(handle) != 26 || ValidKey(handle) != nil {
		return "", fmt.Errorf("%w: assembly handle", ErrInvalidKey)
	}
	return filepath.Join(d.root, assemblyFolder, handle), nil
}

// BeginAssembly implements Store: an empty file in the assembly folder,
// dated to the day. The first of each day first removes the assembly files
// left for staleAssemblyDays (by a process that died before it could abort
// them): a session's open reads the folder once a day, not every time.
func (d *Dir) BeginAssembly(ctx context.Context, key string) (Assembly, error) {
	if err := ValidKey(key); err != nil {
		return Assembly{}, err
	}
	a := Assembly{Key: key, Handle: NewKey("")}
	err := d.beginAssembly(ctx, a)
	if err != nil {
		return Assembly{}, fmt.Errorf("blob: begin assembly of %s: %w", key, err)
	}
	return a, nil
}

func (d *Dir) beginAssembly(ctx context.Context, a Assembly) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	folder := filepath.Join(d.root, assemblyFolder)
	switch err := os.Mkdir(folder, 0o700); {
	case err == nil:
		if err := syncDir(d.root); err != nil {
			return err
		}
		if err := os.Chtimes(d.root, today(), today()); err != nil {
			return err
		}
	case !errors.Is(err, os.ErrExist):
		return err
	}
	day := today()
	if d.assemblies.sweepDue(day) {
		d.removeStaleAssemblies(folder, day)
	}
	path, _ := d.assemblyPath(a.Handle)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chtimes(path, day, day); err != nil {
		return err
	}
	if err := syncDir(folder); err != nil {
		return err
	}
	return os.Chtimes(folder, day, day)
}

// removeStaleAssemblies removes the assembly files dated staleAssemblyDays
// or more before day. It is best effort: what it misses, the next
// BeginAssembly removes.
func (d *Dir) removeStaleAssemblies(folder string, day time.Time) {
	entries, err := os.ReadDir(folder)
	if err != nil {
		return
	}
	stale := day.AddDate(0, 0, -staleAssemblyDays)
	for _, e := range entries {
		fi, err := e.Info()
		if err == nil && !fi.ModTime().After(stale) {
			_ = os.Remove(filepath.Join(folder, e.Name()))
		}
	}
}

// PutPiece implements Store. A new piece (offset at the end of the file)
// is appended in place and synced; when it fails, the file is cut back to
// offset. A piece sent again (offset before the end) is first written to
// a temporary file, and replaces the stored piece and those after it only
// once it has arrived whole.
func (d *Dir) PutPiece(ctx context.Context, a Assembly, n int, offset int64, r io.Reader) (int64, error) {
	if err := a.valid(); err != nil {
		return 0, err
	}
	path, err := d.assemblyPath(a.Handle)
	if err != nil {
		return 0, err
	}
	if n < 0 || offset < 0 {
		return 0, fmt.Errorf("blob: piece %d at byte %d: %w", n, offset, ErrPieces)
	}
	unlock, err := d.assemblies.lock(ctx, a.Handle)
	if err != nil {
		return 0, err
	}
	defer unlock()
	size, err := d.putPiece(ctx, path, offset, r)
	switch {
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		return 0, fmt.Errorf("blob: piece %d of %s: %w: %w", n, a.Key, ErrFull, err)
	case err != nil:
		return 0, fmt.Errorf("blob: piece %d of %s: %w", n, a.Key, err)
	}
	return size, nil
}

func (d *Dir) putPiece(ctx context.Context, path string, offset int64, r io.Reader) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if notExist(err) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	stored := fi.Size()
	switch {
	case offset > stored:
		f.Close()
		return 0, fmt.Errorf("%w: it starts at byte %d of %d stored", ErrPieces, offset, stored)
	case offset == stored:
		var written os.FileInfo
		if _, err = f.Seek(offset, io.SeekStart); err == nil {
			written, err = writeFile(f, ctxReader{ctx, r}, offset)
		} else {
			f.Close()
		}
		if err != nil {
			// Best effort: a longer file only has bytes after the pieces,
			// which the next piece or FinishAssembly cuts.
			_ = os.Truncate(path, offset)
			return 0, err
		}
		return written.Size() - offset, d.datePiece(path)
	}
	defer f.Close()
	return d.replacePiece(ctx, f, path, offset, r)
}

// replacePiece writes the piece sent again from r to a temporary file,
// then into f from offset on, cutting what f held after it.
func (d *Dir) replacePiece(ctx context.Context, f *os.File, path string, offset int64, r io.Reader) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+"*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // no sync needed: f is synced once it has the piece
	defer tmp.Close()
	size, err := io.Copy(tmp, ctxReader{ctx, r})
	if err != nil {
		return 0, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	if err := f.Truncate(offset); err != nil {
		return 0, err
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	// From another file, ReadFrom is copy_file_range on Linux.
	if _, err := f.ReadFrom(io.LimitReader(tmp, size)); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	return size, d.datePiece(path)
}

// datePiece gives an assembly file, just written, and its folder the day
// as their time.
func (d *Dir) datePiece(path string) error {
	day := today()
	if err := os.Chtimes(path, day, day); err != nil {
		return err
	}
	return os.Chtimes(filepath.Dir(path), day, day)
}

// FinishAssembly implements Store: the file is cut to the pieces' total
// size, synced, dated to the day and renamed into place, as Put does. A
// directory store cannot tell the pieces apart: it checks their total.
func (d *Dir) FinishAssembly(ctx context.Context, a Assembly, sizes []int64) (Info, error) {
	if err := a.valid(); err != nil {
		return Info{}, err
	}
	path, err := d.assemblyPath(a.Handle)
	if err != nil {
		return Info{}, err
	}
	if len(sizes) == 0 {
		return Info{}, fmt.Errorf("blob: finish %s: no pieces: %w", a.Key, ErrPieces)
	}
	unlock, err := d.assemblies.lock(ctx, a.Handle)
	if err != nil {
		return Info{}, err
	}
	defer unlock()
	info, err := d.finishAssembly(ctx, a, path, sizes)
	if err != nil {
		return Info{}, fmt.Errorf("blob: finish %s: %w", a.Key, err)
	}
	return info, nil
}

func (d *Dir) finishAssembly(ctx context.Context, a Assembly, path string, sizes []int64) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	var total int64
	for _, size := range sizes {
		total += size
	}
	fi, err := os.Stat(path)
	if notExist(err) {
		return Info{}, ErrNotFound
	}
	if err != nil {
		return Info{}, err
	}
	if fi.Size() < total {
		return Info{}, fmt.Errorf("%w: %d bytes stored, %d named", ErrPieces, fi.Size(), total)
	}
	if fi.Size() > total {
		if err := os.Truncate(path, total); err != nil {
			return Info{}, err
		}
	}
	if err := d.mkdirs(a.Key); err != nil {
		return Info{}, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return Info{}, err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	day := today()
	if err == nil {
		err = os.Chtimes(path, day, day)
	}
	final := d.path(a.Key)
	if err == nil {
		err = os.Rename(path, final)
	}
	if err == nil {
		err = syncDir(filepath.Dir(final))
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err == nil {
		err = os.Chtimes(filepath.Dir(path), day, day)
	}
	if err == nil {
		err = d.dateFolders(a.Key, day)
	}
	if err != nil {
		return Info{}, err
	}
	return Info{Key: a.Key, Size: total, Modified: day}, nil
}

// AbortAssembly implements Store: the assembly file is removed. A piece
// being written meanwhile writes to a file no name leads to any more.
func (d *Dir) AbortAssembly(ctx context.Context, a Assembly) error {
	if err := a.valid(); err != nil {
		return err
	}
	path, err := d.assemblyPath(a.Handle)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err = os.Remove(path)
	if notExist(err) {
		return nil
	}
	if err == nil {
		err = os.Chtimes(filepath.Dir(path), today(), today())
	}
	if err != nil {
		return fmt.Errorf("blob: abort assembly of %s: %w", a.Key, err)
	}
	return nil
}
