package intake

import (
	"bytes"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// TestReadAhead checks that a readAhead hands on every byte in order, in
// buffers of the SEIPD writer's chunk, keeps the reader's and the
// writer's errors apart, and never reads again once close returned.
func TestReadAhead(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), (3*readAheadSize+1000)/16)
	broken := errors.New("the connection dropped")
	full := errors.New("no room")

	t.Run("whole", func(t *testing.T) {
		for _, tt := range []struct {
			r    io.Reader
			want []byte
		}{
			{bytes.NewReader(data), data},
			{iotest.HalfReader(bytes.NewReader(data)), data},
			{iotest.DataErrReader(bytes.NewReader(data)), data},
			{bytes.NewReader(nil), nil},
		} {
			r := tt.r
			var got bytes.Buffer
			sizes := &writeSizes{w: &got}
			a := startReadAhead(r)
			readErr, writeErr := a.writeTo(sizes)
			a.close()
			if readErr != nil || writeErr != nil {
				t.Fatalf("errors %v, %v", readErr, writeErr)
			}
			if !bytes.Equal(got.Bytes(), tt.want) {
				t.Fatalf("%d bytes out, differ from the %d in", got.Len(), len(tt.want))
			}
			for _, n := range sizes.n[:max(len(sizes.n)-1, 0)] {
				if n != readAheadSize {
					t.Fatalf("buffers of %v bytes, want %d but for the last", sizes.n, readAheadSize)
				}
			}
		}
	})

	t.Run("reader fails", func(t *testing.T) {
		r := io.MultiReader(bytes.NewReader(data[:readAheadSize+10]), iotest.ErrReader(broken))
		var got bytes.Buffer
		a := startReadAhead(r)
		readErr, writeErr := a.writeTo(&got)
		a.close()
		if !errors.Is(readErr, broken) || writeErr != nil {
			t.Fatalf("errors %v, %v; want the reader's", readErr, writeErr)
		}
		if got.Len() != readAheadSize+10 {
			t.Errorf("%d bytes written before the failure, want %d", got.Len(), readAheadSize+10)
		}
	})

	// The writer fails while the reader waits for more of a slow upload:
	// close returns only once that read has returned, and nothing reads
	// after it (the request's handler reads on).
	t.Run("writer fails", func(t *testing.T) {
		r := &slowReader{data: data[:readAheadSize], waiting: make(chan struct{}), release: make(chan struct{})}
		a := startReadAhead(r)
		readErr, writeErr := a.writeTo(failingWriter{full})
		if readErr != nil || !errors.Is(writeErr, full) {
			t.Fatalf("errors %v, %v; want the writer's", readErr, writeErr)
		}
		closed := make(chan struct{})
		go func() {
			a.close()
			close(closed)
		}()
		<-r.waiting
		select {
		case <-closed:
			t.Fatal("close returned while the reader was still being read")
		case <-time.After(50 * time.Millisecond):
		}
		close(r.release)
		<-closed
		if n := r.reads.Load(); n != 2 {
			t.Errorf("%d reads, want 2: the first buffer and the one close waited for", n)
		}
	})
}

// slowReader gives data in one read, then waits in the next until release
// is closed.
type slowReader struct {
	data    []byte
	reads   atomic.Int64
	waiting chan struct{}
	release chan struct{}
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.reads.Add(1) == 1 {
		return copy(p, r.data), nil
	}
	close(r.waiting)
	<-r.release
	return 0, io.EOF
}

type writeSizes struct {
	w io.Writer
	n []int
}

func (s *writeSizes) Write(p []byte) (int, error) {
	s.n = append(s.n, len(p))
	return s.w.Write(p)
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestBufferedPipe checks that a bufferedPipe delivers every byte in
// order whatever the sizes written and read, ends with the writer's error,
// lets the writer run pipeDepth buffers ahead of a reader that does not
// read, and fails the writer's writes once the reader has closed.
func TestBufferedPipe(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), (3*readAheadSize+1000)/16)

	t.Run("whole", func(t *testing.T) {
		for _, write := range []int{1, 1000, readAheadSize, readAheadSize + 2, 3 * readAheadSize} {
			p := newBufferedPipe()
			go func() {
				for b := data; len(b) > 0; {
					n := min(write, len(b))
					p.Write(b[:n])
					b = b[n:]
				}
				p.closeWrite(nil)
			}()
			got, err := io.ReadAll(iotest.HalfReader(p))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("writes of %d: read %d bytes (%v), want the %d written", write, len(got), err, len(data))
			}
		}
	})

	// Writes of a SEIPD v1 writer's chunks, each a few bytes longer than a
	// buffer: after each, the few bytes over wait in a small array, not in
	// a buffer of readAheadSize (a slow upload writes one every few
	// seconds).
	t.Run("parks what is left over", func(t *testing.T) {
		p := newBufferedPipe()
		held := make(chan int, 1)
		go func() {
			most := 0
			for b := data; len(b) > 0; {
				n := min(readAheadSize+3, len(b))
				p.Write(b[:n])
				b = b[n:]
				if n == readAheadSize+3 && p.writing != nil {
					most = max(most, p.written)
				}
			}
			p.closeWrite(nil)
			held <- most
		}()
		got, err := io.ReadAll(p)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes (%v), want the %d written", len(got), err, len(data))
		}
		if most := <-held; most > 0 {
			t.Errorf("a buffer holding %d bytes kept between Writes", most)
		}
	})

	t.Run("writer fails", func(t *testing.T) {
		broken := errors.New("the source broke off")
		p := newBufferedPipe()
		go func() {
			p.Write(data[:1000])
			p.closeWrite(broken)
		}()
		got, err := io.ReadAll(p)
		if !errors.Is(err, broken) || len(got) != 0 {
			t.Errorf("read %d bytes, %v; want the writer's error and nothing of an unfinished buffer", len(got), err)
		}
	})

	t.Run("reader closes", func(t *testing.T) {
		full := errors.New("the store is full")
		p := newBufferedPipe()
		written := make(chan error)
		go func() {
			for {
				if _, err := p.Write(data[:readAheadSize]); err != nil {
					written <- err
					return
				}
			}
		}()
		// The writer fills pipeDepth buffers and then waits.
		for deadline := time.Now().Add(10 * time.Second); len(p.full) < pipeDepth; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d buffers waiting, want %d", len(p.full), pipeDepth)
			}
		}
		select {
		case err := <-written:
			t.Fatalf("the writer stopped (%v) before the reader closed", err)
		case <-time.After(50 * time.Millisecond):
		}
		p.closeRead(full)
		if err := <-written; !errors.Is(err, full) {
			t.Errorf("write after the reader closed = %v, want the reader's error", err)
		}
	})
}
