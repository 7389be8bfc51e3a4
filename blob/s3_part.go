package blob

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A Put to S3 holds the part it is reading until the part is full (S3 needs
// parts of at least 5 MiB) or the stream ends. A source that sends fast
// fills a part in well under a second. But a part could be held far
// longer: by a source that trickles over a poor Tor circuit, and by an
// attacker holding the door, either with many connections that trickle or
// with many that send most of a part at once and then wait as long as the
// minimum upload rate lets them. Kept in memory, either would take all of
// it. So a part leaves memory for a file in the spill folder (see
// [S3.SpillTo]), and the rest of it goes there as it arrives, once
//
//   - it has been filling for longer than spillAfter (the trickle), or
//   - it needs more memory while the parts of every Put under way hold
//     the spill budget together (the burst).
//
// What the parts of all Puts hold in memory is then at most the budget
// (give or take a piece for each Put that reaches it at the same moment),
// and a slow upload holds no more than what it sent in spillAfter.
//
// A spill file holds ciphertext only, as every blob does. It has no name
// (it is opened with O_TMPFILE), so the folder never lists it, its time
// never changes, and nothing is left of it when the Put ends or the
// process dies.
const (
	defaultSpillAfter  = 2 * time.Second
	defaultSpillBudget = 128 << 20
)

// s3Piece is the unit of memory in which Put holds a part.
const s3Piece = 128 << 10

// s3Pieces are the pieces of every Put, shared.
var s3Pieces = sync.Pool{New: func() any { return new([s3Piece]byte) }}

// spillRead is the buffer a spilled part reads into before it writes to
// its file; a slow upload holds one while it waits for its next bytes.
const spillRead = 32 << 10

// spillReads are the read buffers of every spilled part, shared.
var spillReads = sync.Pool{New: func() any { return new([spillRead]byte) }}

// spilling says where and when the parts of a store's Puts leave memory.
type spilling struct {
	dir    string        // "" when parts stay in memory
	after  time.Duration // how long a part fills in memory first
	budget int64         // bytes all parts may hold in memory together
	held   atomic.Int64  // bytes all parts hold in memory now
}

// SpillTo makes the parts of uploads that fill slowly, or that would take
// the store's uploads over their memory budget, move to unnamed files in
// dir (see the comment at the top of s3_part.go) instead of staying in
// memory. dir must be on a local file system that supports O_TMPFILE
// (ext4, XFS, Btrfs, or tmpfs, which keeps the part in memory, but
// swappable); SpillTo checks that by opening one such file, and leaves the
// store as it was when it cannot. Call it before the store is used.
func (s *S3) SpillTo(dir string) error {
	f, err := openSpillFile(dir)
	if err != nil {
		return fmt.Errorf("blob: S3 parts cannot spill to %s: %w", dir, err)
	}
	f.Close()
	s.spill.dir = dir
	return nil
}

// partBuffer holds up to one part of a Put: in pieces from s3Pieces, taken
// only as bytes arrive, and once it spills (see spilling), in its file. A
// partBuffer that spilled keeps its file for the parts after.
type partBuffer struct {
	spill   *spilling
	pieces  []*[s3Piece]byte
	file    *os.File // the part's bytes from offset 0, once spilled
	n       int64    // bytes held
	started time.Time
	noSpill bool // a spill file could not be opened: stay in memory
}

// fill reads from r until the buffer holds limit bytes or r ends, and
// reports whether r ended.
func (b *partBuffer) fill(r io.Reader, limit int64) (ended bool, err error) {
	if b.n == 0 {
		b.started = time.Now()
	}
	for b.n < limit {
		i, off := b.n/s3Piece, b.n%s3Piece
		needPiece := int(i) == len(b.pieces)
		if b.file == nil && b.spillDue(needPiece) {
			b.moveToFile()
		}
		if b.file != nil {
			return b.fillFile(r, limit)
		}
		if needPiece {
			b.pieces = append(b.pieces, s3Pieces.Get().(*[s3Piece]byte))
			b.spill.held.Add(s3Piece)
		}
		k, err := r.Read(b.pieces[i][off:min(s3Piece, off+limit-b.n)])
		b.n += int64(k)
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// spillDue reports whether the part should now leave memory; needPiece
// says whether it is about to take another piece.
func (b *partBuffer) spillDue(needPiece bool) bool {
	sp := b.spill
	if sp.dir == "" || b.noSpill {
		return false
	}
	return time.Since(b.started) > sp.after || needPiece && sp.held.Load()+s3Piece > sp.budget
}

// moveToFile writes the pieces held to a new spill file and gives them
// back. When the file cannot be opened or written (no file descriptors
// left, say), the part stays in memory: a Put that holds memory is better
// than one that fails a source.
func (b *partBuffer) moveToFile() {
	f, err := openSpillFile(b.spill.dir)
	if err != nil {
		b.noSpill = true
		return
	}
	for off := int64(0); off < b.n && err == nil; off += s3Piece {
		_, err = f.WriteAt(b.pieces[off/s3Piece][:min(s3Piece, b.n-off)], off)
	}
	if err != nil {
		f.Close()
		b.noSpill = true
		return
	}
	b.file = f
	b.releasePieces()
}

// fillFile is fill once the part is in its file.
func (b *partBuffer) fillFile(r io.Reader, limit int64) (ended bool, err error) {
	buf := spillReads.Get().(*[spillRead]byte)
	defer spillReads.Put(buf)
	for b.n < limit {
		k, rerr := r.Read(buf[:min(spillRead, limit-b.n)])
		if k > 0 {
			if _, err := b.file.WriteAt(buf[:k], b.n); err != nil {
				if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
					err = fmt.Errorf("%w: spill: %w", ErrFull, err)
				}
				return false, err
			}
			b.n += int64(k)
		}
		if rerr == io.EOF {
			return true, nil
		}
		if rerr != nil {
			return false, rerr
		}
	}
	return false, nil
}

// reader reads the bytes held; it can seek, so minio-go may send them again.
func (b *partBuffer) reader() *io.SectionReader { return io.NewSectionReader(b, 0, b.n) }

// ReadAt implements io.ReaderAt over the bytes held.
func (b *partBuffer) ReadAt(p []byte, off int64) (int, error) {
	if b.file != nil {
		n, err := b.file.ReadAt(p[:max(0, min(int64(len(p)), b.n-off))], off)
		if err == nil && n < len(p) {
			err = io.EOF
		}
		return n, err
	}
	n := 0
	for n < len(p) && off < b.n {
		piece := b.pieces[off/s3Piece][off%s3Piece:]
		k := copy(p[n:], piece[:min(int64(len(piece)), b.n-off)])
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// reset empties the buffer for the next part; a spilled buffer keeps its
// file, which the next part overwrites.
func (b *partBuffer) reset() {
	b.releasePieces()
	b.n = 0
}

// release gives back what the buffer holds: its pieces, for other Puts,
// and its file, which the system then frees.
func (b *partBuffer) release() {
	b.reset()
	if b.file != nil {
		b.file.Close()
		b.file = nil
	}
}

func (b *partBuffer) releasePieces() {
	for _, piece := range b.pieces {
		s3Pieces.Put(piece)
	}
	b.spill.held.Add(-int64(len(b.pieces)) * s3Piece)
	b.pieces = nil
}
