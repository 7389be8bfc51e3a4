package intake

import (
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
