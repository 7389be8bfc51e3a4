package intake

// The stages of server-side encryption (storeEncryptedReserved): the
// plaintext read a buffer ahead of its encryption (readAhead), and the
// ciphertext handed to the blob store through a pipe with room
// (bufferedPipe). Each stage runs on a goroutine of its own.

import (
	"cmp"
	"io"
	"sync"
)

// readAheadSize is the size of the buffers a readAhead reads into: the
// SEIPD v1 writer's chunk (crypto/seipd1.go), so that each full buffer
// is encrypted without being copied again.
const readAheadSize = 256 << 10

var readAheadBuffers = sync.Pool{New: func() any { return new([readAheadSize]byte) }}

// readAhead reads a plaintext on a goroutine of its own, one buffer ahead
// of its encryption, so that receiving a form (the request's reads, the
// multipart parsing and the file's hash, which the caller's reader takes)
// and encrypting it (AES and the MDC's SHA-1) run on two cores instead of
// one after the other on one (BENCHMARKS.md). It holds two buffers at
// most: the one being filled and the one being encrypted.
type readAhead struct {
	full chan []byte   // buffers read, in order; closed at the end of r
	stop chan struct{} // closed by close: the reader is done
	done chan struct{} // closed when the goroutine no longer reads r
	err  error         // r's error other than io.EOF, once full is closed
}

// startReadAhead starts reading r. The caller must call close, which waits
// until r is no longer read: r may be a part of a request that the
// caller reads on after.
func startReadAhead(r io.Reader) *readAhead {
	a := &readAhead{full: make(chan []byte), stop: make(chan struct{}), done: make(chan struct{})}
	go a.read(r)
	return a
}

func (a *readAhead) read(r io.Reader) {
	defer close(a.done)
	defer close(a.full)
	for {
		buf := readAheadBuffers.Get().(*[readAheadSize]byte)
		n, err := 0, error(nil)
		for n < len(buf) && err == nil {
			var m int
			m, err = r.Read(buf[n:])
			n += m
		}
		if n > 0 {
			select {
			case a.full <- buf[:n]:
			case <-a.stop:
				readAheadBuffers.Put(buf)
				return
			}
		} else {
			readAheadBuffers.Put(buf)
		}
		if err != nil {
			if err != io.EOF {
				a.err = err
			}
			return
		}
	}
}

// writeTo writes what is read to w until the end of r, and returns the
// error of w, or else that of r (readErr).
func (a *readAhead) writeTo(w io.Writer) (readErr, writeErr error) {
	for buf := range a.full {
		_, err := w.Write(buf)
		readAheadBuffers.Put((*[readAheadSize]byte)(buf[:readAheadSize]))
		if err != nil {
			return nil, err
		}
	}
	return a.err, nil
}

// close stops the reading and waits until r is no longer read.
func (a *readAhead) close() {
	close(a.stop)
	<-a.done
}

// pipeDepth is how many full buffers a bufferedPipe holds for its reader.
const pipeDepth = 2

// parkMax is the most a bufferedPipe keeps in a small array of its own,
// rather than in a buffer of readAheadSize, after a Write that handed
// buffers to the reader: a SEIPD v1 writer's chunks (crypto/seipd1.go) are
// not aligned with the pipe's buffers, and leave a few bytes over after
// each. A slow upload, whose chunks come seconds apart, then holds no
// buffer here while it waits. Small Writes still fill a buffer.
const parkMax = 16 << 10

// bufferedPipe is an io.Pipe with room: its writer goes on while its
// reader is busy with what was written before (the blob store's writes
// and the message's hash), instead of waiting at every write until the
// reader has taken it all; that wait was a third of the encryption's
// time (BENCHMARKS.md). Writes are copied into buffers of readAheadSize,
// which go to the reader once full or at closeWrite; the writer waits
// only when pipeDepth of them wait for the reader. One goroutine writes,
// another reads.
type bufferedPipe struct {
	full chan []byte   // buffers written, in order; closed by closeWrite
	done chan struct{} // closed by closeRead
	werr error         // the writer's end, once full is closed
	rerr error         // the reader's end, once done is closed

	writing *[readAheadSize]byte // the writer's buffer, filled up to written
	written int
	parked  []byte               // the writer's bytes between Writes, when few (see park)
	reading *[readAheadSize]byte // the reader's buffer, whose unread bytes are unread
	unread  []byte
}

func newBufferedPipe() *bufferedPipe {
	return &bufferedPipe{full: make(chan []byte, pipeDepth), done: make(chan struct{})}
}

// Write implements io.Writer; it fails once the reader has closed.
func (p *bufferedPipe) Write(b []byte) (int, error) {
	n, sent := 0, false
	for len(b) > 0 {
		if p.writing == nil {
			p.unpark()
		}
		k := copy(p.writing[p.written:], b)
		p.written += k
		n += k
		b = b[k:]
		if p.written == readAheadSize {
			if err := p.send(); err != nil {
				return n, err
			}
			sent = true
		}
	}
	if sent {
		p.park()
	}
	return n, nil
}

// park moves the writer's bytes into parked, and its buffer back to the
// pool, when they are parkMax or fewer.
func (p *bufferedPipe) park() {
	if p.writing == nil || p.written > parkMax {
		return
	}
	p.parked = append(p.parked[:0], p.writing[:p.written]...)
	readAheadBuffers.Put(p.writing)
	p.writing, p.written = nil, 0
}

// unpark gives the writer a buffer that starts with the parked bytes.
func (p *bufferedPipe) unpark() {
	p.writing = readAheadBuffers.Get().(*[readAheadSize]byte)
	p.written = copy(p.writing[:], p.parked)
	p.parked = p.parked[:0]
}

// send hands the writer's buffer to the reader.
func (p *bufferedPipe) send() error {
	buf := p.writing[:p.written]
	p.writing = nil
	select {
	case <-p.done:
		return p.rerr
	default:
	}
	select {
	case p.full <- buf:
		return nil
	case <-p.done:
		return p.rerr
	}
}

// closeWrite ends what the reader reads: with err, or io.EOF when err is
// nil, after the bytes written so far.
func (p *bufferedPipe) closeWrite(err error) {
	if err == nil && (p.written > 0 || len(p.parked) > 0) {
		if p.writing == nil {
			p.unpark()
		}
		err = p.send()
	}
	p.werr = cmp.Or(err, io.EOF)
	close(p.full)
}

// Read implements io.Reader.
func (p *bufferedPipe) Read(b []byte) (int, error) {
	for len(p.unread) == 0 {
		if p.reading != nil {
			readAheadBuffers.Put(p.reading)
			p.reading = nil
		}
		buf, ok := <-p.full
		if !ok {
			return 0, p.werr
		}
		p.reading, p.unread = (*[readAheadSize]byte)(buf[:readAheadSize]), buf
	}
	n := copy(b, p.unread)
	p.unread = p.unread[n:]
	return n, nil
}

// closeRead makes the writer's writes fail with err (io.ErrClosedPipe when
// nil) from now on. Call it once, when reading ends.
func (p *bufferedPipe) closeRead(err error) {
	p.rerr = cmp.Or(err, io.ErrClosedPipe)
	close(p.done)
}
