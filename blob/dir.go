package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// tmpPrefix starts the names of the files that Put and Ping write before
// they are complete. It cannot start a key segment, so List skips them.
const tmpPrefix = ".tmp-"

// Dir is a Store in a local directory, the embedded default. Key segments
// become subdirectories (mode 0700) and blobs become files (mode 0600).
//
// Put writes a temporary file beside the final one, syncs it, renames it into
// place and syncs the directory, so a blob is durable once Put returns and
// is never seen half-written. Directories are left behind when their last
// blob is deleted.
//
// No file or folder keeps a time finer than the UTC day: Put, Move and
// Delete set the modification and access times of the blob and of every
// folder above it to 00:00 UTC of the day, and Get opens files without
// updating their access time where the system allows it (Linux). The
// inode change time (ctime) cannot be set by any program: it still tells
// when each file or folder last changed (see the README).
type Dir struct {
	root       string
	assemblies dirAssemblies
}

var _ Store = (*Dir)(nil)

// OpenDir opens the directory store at path, creating the directory (mode
// 0700) when it is missing.
func OpenDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("blob: directory path is empty")
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, fmt.Errorf("blob: open directory: %w", err)
	}
	// An absolute path without symlinks keeps the store in place when the
	// working directory changes and lets List walk from the root.
	abs, err := filepath.Abs(path)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open directory: %w", err)
	}
	return &Dir{root: abs}, nil
}

// path returns the file name of a valid key.
func (d *Dir) path(key string) string {
	return filepath.Join(d.root, filepath.FromSlash(key))
}

// Put implements Store.
func (d *Dir) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	info, err := d.put(ctx, key, r)
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return Info{}, fmt.Errorf("blob: put %s: %w: %w", key, ErrFull, err)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	return info, nil
}

func (d *Dir) put(ctx context.Context, key string, r io.Reader) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	if err := d.mkdirs(key); err != nil {
		return Info{}, err
	}
	final := d.path(key)
	dir := filepath.Dir(final)
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return Info{}, err
	}
	fi, err := writeFile(f, ctxReader{ctx, r}, 0)
	if err == nil {
		err = ctx.Err()
	}
	// A file's times would tell to the nanosecond when a source sent it:
	// keep only the day, as the database does.
	day := today()
	if err == nil {
		err = os.Chtimes(f.Name(), day, day)
	}
	if err == nil {
		err = os.Rename(f.Name(), final)
	}
	if err != nil {
		// Best effort: the write already failed, and a leftover temporary
		// file is invisible to Get, Stat and List.
		_ = os.Remove(f.Name())
		_ = d.dateFolders(key, day)
		return Info{}, err
	}
	if err := syncDir(dir); err != nil {
		return Info{}, err
	}
	if err := d.dateFolders(key, day); err != nil {
		return Info{}, err
	}
	return Info{Key: key, Size: fi.Size(), Modified: day}, nil
}

// today returns 00:00 UTC of the current day, the only time the store
// gives files and folders.
func today() time.Time {
	return time.Now().UTC().Truncate(24 * time.Hour)
}

// dateFolders sets the modification and access times of every folder from
// key's parent up to the root to day: adding, renaming or removing an
// entry would otherwise leave the exact time in the folder.
func (d *Dir) dateFolders(key string, day time.Time) error {
	for dir := filepath.Dir(d.path(key)); ; dir = filepath.Dir(dir) {
		if err := os.Chtimes(dir, day, day); err != nil && !notExist(err) {
			return err
		}
		if dir == d.root {
			return nil
		}
	}
}

// mkdirs creates the directories of key's leading segments, syncing the
// parent of each one it creates so that the new entry is durable too.
func (d *Dir) mkdirs(key string) error {
	segs := strings.Split(key, "/")
	parent := d.root
	for _, seg := range segs[:len(segs)-1] {
		p := filepath.Join(parent, seg)
		switch err := os.Mkdir(p, 0o700); {
		case err == nil:
			if err := syncDir(parent); err != nil {
				return err
			}
		case !errors.Is(err, fs.ErrExist):
			return err
		}
		parent = p
	}
	return nil
}

// Writes of Put: writeBuffer bytes at most each, and the system told to
// start writing to disk every writebackStep bytes, so that the sync at the
// end waits for little more than the last step. A Put holds its buffer
// while it waits for more of a slow upload, so it is kept small: 64 KiB
// makes 4,096 writes of a 256 MiB upload, a few milliseconds of system
// calls.
const (
	writeBuffer   = 64 << 10
	writebackStep = 8 << 20
)

// writeFile copies r into f, whose offset is at, syncs and closes f, and
// returns f's description.
func writeFile(f *os.File, r io.Reader, at int64) (fs.FileInfo, error) {
	buf := make([]byte, writeBuffer)
	written, flushed := at, at
	var err error
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			if _, err = f.Write(buf[:n]); err != nil {
				break
			}
			written += int64(n)
			if written-flushed >= writebackStep {
				startWriteback(f, flushed, written-flushed)
				flushed = written
			}
		}
		if rerr != nil {
			if rerr != io.EOF {
				err = rerr
			}
			break
		}
	}
	if err == nil {
		err = f.Sync()
	}
	var fi fs.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return fi, err
}

// syncDir makes the entries of directory dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// notExist reports whether err means that a path does not exist, including
// when one of its parents is a file.
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// Move implements Store with an atomic rename.
func (d *Dir) Move(ctx context.Context, from, to string) error {
	if err := ValidKey(from); err != nil {
		return err
	}
	if err := ValidKey(to); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: move %s: %w", from, err)
	}
	if fi, err := os.Stat(d.path(from)); notExist(err) || err == nil && fi.IsDir() {
		return fmt.Errorf("%w: %s", ErrNotFound, from)
	}
	if err := d.mkdirs(to); err != nil {
		return fmt.Errorf("blob: move %s: %w", from, err)
	}
	if err := os.Rename(d.path(from), d.path(to)); err != nil {
		return fmt.Errorf("blob: move %s: %w", from, err)
	}
	for _, dir := range []string{filepath.Dir(d.path(to)), filepath.Dir(d.path(from))} {
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("blob: move %s: %w", from, err)
		}
	}
	day := today()
	err := os.Chtimes(d.path(to), day, day)
	if err == nil {
		err = d.dateFolders(to, day)
	}
	if err == nil {
		err = d.dateFolders(from, day)
	}
	if err != nil {
		return fmt.Errorf("blob: move %s: %w", from, err)
	}
	return nil
}

// Get implements Store.
func (d *Dir) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	f, err := os.OpenFile(d.path(key), os.O_RDONLY|openNoAccessTime, 0)
	if notExist(err) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
		err = fmt.Errorf("blob: get %s: %w", key, err)
	case !fi.Mode().IsRegular():
		// A directory of other keys is not a blob.
		err = fmt.Errorf("%w: %s", ErrNotFound, key)
	default:
		return f, nil
	}
	_ = f.Close() // read-only, nothing to lose
	return nil, err
}

// Stat implements Store.
func (d *Dir) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("blob: stat %s: %w", key, err)
	}
	fi, err := os.Lstat(d.path(key))
	if notExist(err) || err == nil && !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %s: %w", key, err)
	}
	return Info{Key: key, Size: fi.Size(), Modified: fi.ModTime().UTC()}, nil
}

// Delete implements Store.
func (d *Dir) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := d.delete(ctx, key); err != nil {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

func (d *Dir) delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := d.path(key)
	fi, err := os.Lstat(p)
	if notExist(err) || err == nil && fi.IsDir() {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		if notExist(err) {
			return nil
		}
		return err
	}
	if err := syncDir(filepath.Dir(p)); err != nil {
		return err
	}
	return d.dateFolders(key, today())
}

// List implements Store. It reports only files whose names form valid keys,
// so it skips temporary files and anything else put into the directory.
func (d *Dir) List(ctx context.Context, prefix string) ([]Info, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	// Walk only the deepest directory that the prefix names in full.
	start := d.root
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		start = d.path(prefix[:i])
	}
	infos := []Info{}
	err := filepath.WalkDir(start, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			// A directory deleted or replaced during the walk holds no blob.
			if notExist(err) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == start {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if de.IsDir() {
			if ValidKey(key) != nil || !strings.HasPrefix(key+"/", prefix) {
				return fs.SkipDir
			}
			return nil
		}
		if !de.Type().IsRegular() || ValidKey(key) != nil || !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := de.Info()
		if notExist(err) {
			return nil // deleted during the walk
		}
		if err != nil {
			return err
		}
		infos = append(infos, Info{Key: key, Size: fi.Size(), Modified: fi.ModTime().UTC()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("blob: list: %w", err)
	}
	slices.SortFunc(infos, func(a, b Info) int { return strings.Compare(a.Key, b.Key) })
	return infos, nil
}

// Ping implements Store: the directory must exist and take a new file.
func (d *Dir) Ping(ctx context.Context) error {
	if err := d.ping(ctx); err != nil {
		return fmt.Errorf("blob: ping %s: %w", d.root, err)
	}
	return nil
}

func (d *Dir) ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.root, tmpPrefix+"ping-*")
	if err != nil {
		return err
	}
	err = f.Close()
	if rerr := os.Remove(f.Name()); err == nil {
		err = rerr
	}
	if err == nil {
		day := today()
		err = os.Chtimes(d.root, day, day)
	}
	return err
}
