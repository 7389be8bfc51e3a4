// Package blobtest is the contract test suite of blob.Store: every store
// implementation runs it from its own tests.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tipline/tipline/blob"
)

// Run runs the contract tests, one subtest each, on stores from open. Each
// call of open must return a new, empty store and register its clean-up with
// t.Cleanup. The subtests do not run in parallel: one of them measures the
// heap while it streams 256 MiB into the store.
func Run(t *testing.T, open func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		test func(*testing.T, blob.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Overwrite", testOverwrite},
		{"StreamUnknownSize", testStreamUnknownSize},
		{"NotFound", testNotFound},
		{"Delete", testDelete},
		{"Move", testMove},
		{"List", testList},
		{"InvalidKeys", testInvalidKeys},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ReaderFails", testReaderFails},
		{"ContextCancelled", testContextCancelled},
		{"StreamMemory", testStreamMemory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, open(t)) })
	}
}

func testRoundTrip(t *testing.T, s blob.Store) {
	for _, size := range []int{0, 1, 64 << 10, 5<<20 + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			ctx := t.Context()
			key := blob.NewKey("roundtrip/")
			want := payload(uint64(size), size)
			info, err := s.Put(ctx, key, bytes.NewReader(want))
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			checkInfo(t, "Put", info, key, int64(size))
			if got := mustGet(t, s, key); !bytes.Equal(got, want) {
				t.Errorf("Get returned %d bytes that differ from the %d put", len(got), len(want))
			}
			info, err = s.Stat(ctx, key)
			if err != nil {
				t.Fatalf("Stat: %v", err)
			}
			checkInfo(t, "Stat", info, key, int64(size))
		})
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	key := blob.NewKey("")
	mustPut(t, s, key, payload(1, 100<<10))
	want := payload(2, 10<<10) // shorter, so a stale tail would show
	mustPut(t, s, key, want)
	if got := mustGet(t, s, key); !bytes.Equal(got, want) {
		t.Errorf("Get after overwrite: got %d bytes, want the second blob (%d bytes)", len(got), len(want))
	}
	if got := listKeys(t, s, ""); len(got) != 1 || got[0] != key {
		t.Errorf("List = %q, want only %q", got, key)
	}
}

func testStreamUnknownSize(t *testing.T, s blob.Store) {
	const size = 64 << 20
	ctx := t.Context()
	key := blob.NewKey("stream/")
	h := sha256.New()
	// TeeReader hides the size and any io.WriterTo or io.Seeker.
	info, err := s.Put(ctx, key, io.TeeReader(stream(3, size), h))
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	checkInfo(t, "Put", info, key, size)
	want := h.Sum(nil)

	rc, err := s.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	defer rc.Close()
	h.Reset()
	n, err := io.Copy(h, rc)
	if err != nil {
		t.Fatalf("reading the blob: %v", err)
	}
	if got := h.Sum(nil); n != size || !bytes.Equal(got, want) {
		t.Errorf("Get returned %d bytes with SHA-256 %x, want %d bytes with %x", n, got, size, want)
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	ctx := t.Context()
	mustPut(t, s, "p/1", []byte("x"))
	// "p" is a directory of keys in some stores, but not a blob.
	for _, key := range []string{blob.NewKey(""), "p"} {
		rc, err := s.Get(ctx, key)
		if rc != nil {
			rc.Close()
			t.Errorf("Get(%q) returned a reader", key)
		}
		checkErr(t, "Get", err, blob.ErrNotFound)
		_, err = s.Stat(ctx, key)
		checkErr(t, "Stat", err, blob.ErrNotFound)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := t.Context()
	if err := s.Delete(ctx, blob.NewKey("")); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	key := blob.NewKey("d/")
	mustPut(t, s, key, []byte("x"))
	mustPut(t, s, "p/1", []byte("y"))
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := s.Stat(ctx, key)
	checkErr(t, "Stat after Delete", err, blob.ErrNotFound)
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	// Deleting "p", a directory of keys in some stores, must not touch p/1.
	if err := s.Delete(ctx, "p"); err != nil {
		t.Errorf("Delete(%q): %v", "p", err)
	}
	if got, want := listKeys(t, s, ""), []string{"p/1"}; !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}
}

func testMove(t *testing.T, s blob.Store) {
	ctx := context.Background()
	data := payload(7, 70_000)
	mustPut(t, s, "pending/x1", data)
	mustPut(t, s, "objects/x1", []byte("old"))
	if err := s.Move(ctx, "pending/x1", "objects/x1"); err != nil {
		t.Fatalf("Move: %v", err)
	}
	if got := mustGet(t, s, "objects/x1"); !bytes.Equal(got, data) {
		t.Errorf("after Move the destination holds %d bytes, want the %d moved", len(got), len(data))
	}
	if _, err := s.Stat(ctx, "pending/x1"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("after Move, Stat(source) = %v, want ErrNotFound", err)
	}
	mustPut(t, s, "pending/x2", data)
	if err := s.Move(ctx, "pending/x2", "objects/new/x2"); err != nil {
		t.Fatalf("Move into a new prefix: %v", err)
	}
	if got := listKeys(t, s, ""); !slices.Equal(got, []string{"objects/new/x2", "objects/x1"}) {
		t.Errorf("keys after moves = %v", got)
	}
	checkErr(t, "Move(missing)", s.Move(ctx, "pending/missing", "objects/y"), blob.ErrNotFound)
	checkErr(t, "Move(bad key)", s.Move(ctx, "pending/x1", "../y"), blob.ErrInvalidKey)
}

func testList(t *testing.T, s blob.Store) {
	sizes := map[string]int{"a/2": 2, "b/1": 3, "a-x": 4, "a/1": 1} // put out of order
	for key, n := range sizes {
		mustPut(t, s, key, payload(uint64(n), n))
	}
	for _, tt := range []struct{ prefix, want string }{
		{"a/", "a/1 a/2"},
		{"a", "a-x a/1 a/2"}, // a string prefix; '-' sorts before '/'
		{"", "a-x a/1 a/2 b/1"},
		{"b/1", "b/1"},
		{"c/", ""},
		{"a/1/", ""},
	} {
		infos, err := s.List(t.Context(), tt.prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", tt.prefix, err)
		}
		var keys []string
		for _, info := range infos {
			keys = append(keys, info.Key)
			checkInfo(t, "List", info, info.Key, int64(sizes[info.Key]))
		}
		if got := strings.Join(keys, " "); got != tt.want {
			t.Errorf("List(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	ctx := t.Context()
	long := "k/" + strings.Repeat("x", blob.MaxKeyLen-2)
	mustPut(t, s, long, []byte("x"))
	for _, key := range []string{"../x", "/x", "A", "a//b", "a/./b", "", "a/", "a b", "a.b", long + "x"} {
		_, err := s.Put(ctx, key, strings.NewReader("x"))
		checkErr(t, fmt.Sprintf("Put(%q)", key), err, blob.ErrInvalidKey)
		rc, err := s.Get(ctx, key)
		if rc != nil {
			rc.Close()
		}
		checkErr(t, fmt.Sprintf("Get(%q)", key), err, blob.ErrInvalidKey)
		_, err = s.Stat(ctx, key)
		checkErr(t, fmt.Sprintf("Stat(%q)", key), err, blob.ErrInvalidKey)
		checkErr(t, fmt.Sprintf("Delete(%q)", key), s.Delete(ctx, key), blob.ErrInvalidKey)
	}
	for _, prefix := range []string{"../", "/a", "A/", "a//", "/"} {
		_, err := s.List(ctx, prefix)
		checkErr(t, fmt.Sprintf("List(%q)", prefix), err, blob.ErrInvalidKey)
	}
	if got, want := listKeys(t, s, ""), []string{long}; !slices.Equal(got, want) {
		t.Errorf("List = %q, want only the long valid key", got)
	}
}

func testConcurrentWriters(t *testing.T, s blob.Store) {
	const distinct, same, readers = 16, 8, 4
	ctx := t.Context()
	shared := "c/shared"
	candidates := make([][]byte, same)
	for i := range candidates {
		candidates[i] = payload(uint64(100+i), 256<<10+i*1000)
	}
	var writers, all sync.WaitGroup
	for i := range distinct {
		writers.Go(func() {
			key := fmt.Sprintf("c/%02d", i)
			if _, err := s.Put(ctx, key, bytes.NewReader(payload(uint64(i), 64<<10+i))); err != nil {
				t.Errorf("Put(%q): %v", key, err)
			}
		})
	}
	for i := range same {
		writers.Go(func() {
			if _, err := s.Put(ctx, shared, bytes.NewReader(candidates[i])); err != nil {
				t.Errorf("Put(%q) #%d: %v", shared, i, err)
			}
		})
	}
	// Readers see either nothing or one writer's whole blob, never a mix.
	var done atomic.Bool
	for range readers {
		all.Go(func() {
			for !done.Load() {
				got, err := get(ctx, s, shared)
				if errors.Is(err, blob.ErrNotFound) {
					continue
				}
				if err != nil {
					t.Errorf("Get(%q) during writes: %v", shared, err)
					return
				}
				if !oneOf(got, candidates) {
					t.Errorf("Get(%q) during writes returned %d bytes that no writer wrote", shared, len(got))
					return
				}
			}
		})
	}
	writers.Wait()
	done.Store(true)
	all.Wait()

	for i := range distinct {
		key := fmt.Sprintf("c/%02d", i)
		if got := mustGet(t, s, key); !bytes.Equal(got, payload(uint64(i), 64<<10+i)) {
			t.Errorf("Get(%q) returned another blob", key)
		}
	}
	got := mustGet(t, s, shared)
	if !oneOf(got, candidates) {
		t.Errorf("Get(%q) returned %d bytes that no single writer wrote", shared, len(got))
	}
	if keys := listKeys(t, s, "c/"); len(keys) != distinct+1 {
		t.Errorf("List found %d keys, want %d", len(keys), distinct+1)
	}
}

var errReader = errors.New("blobtest: reader failed")

func testReaderFails(t *testing.T, s blob.Store) {
	ctx := t.Context()
	// 20 MiB: past the first part of a multipart upload with 16 MiB parts.
	failing := func() io.Reader { return io.MultiReader(stream(4, 20<<20), failReader{}) }

	key := blob.NewKey("")
	_, err := s.Put(ctx, key, failing())
	checkErr(t, "Put", err, errReader)
	_, err = s.Stat(ctx, key)
	checkErr(t, "Stat after failed Put", err, blob.ErrNotFound)
	if got := listKeys(t, s, ""); len(got) != 0 {
		t.Errorf("List after failed Put = %q, want nothing", got)
	}

	want := []byte("old")
	mustPut(t, s, key, want)
	_, err = s.Put(ctx, key, failing())
	checkErr(t, "overwriting Put", err, errReader)
	if got := mustGet(t, s, key); !bytes.Equal(got, want) {
		t.Errorf("after a failed overwrite Get returned %d bytes, want the old %d", len(got), len(want))
	}
}

func testContextCancelled(t *testing.T, s blob.Store) {
	t.Run("Before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		key := blob.NewKey("")
		_, err := s.Put(ctx, key, strings.NewReader("x"))
		checkErr(t, "Put", err, context.Canceled)
		_, err = s.Stat(t.Context(), key)
		checkErr(t, "Stat", err, blob.ErrNotFound)
	})
	t.Run("Midway", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		key := blob.NewKey("")
		r := io.MultiReader(stream(5, 1<<20), cancelReader(cancel), stream(6, 7<<20))
		_, err := s.Put(ctx, key, r)
		checkErr(t, "Put", err, context.Canceled)
		_, err = s.Stat(t.Context(), key)
		checkErr(t, "Stat", err, blob.ErrNotFound)
	})
	if got := listKeys(t, s, ""); len(got) != 0 {
		t.Errorf("List = %q, want nothing", got)
	}
}

// testStreamMemory checks that a Put of unknown size streams: the heap must
// not grow with the blob. An S3 store buffers one part (16 MiB by default).
func testStreamMemory(t *testing.T, s blob.Store) {
	const size, limit = 256 << 20, 64 << 20
	key := blob.NewKey("")

	// The limit holds with the default pacing, whatever GOGC says.
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	info, err := s.Put(t.Context(), key, stream(7, size))
	close(stop)
	<-sampled
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	checkInfo(t, "Put", info, key, size)

	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	growth := int64(peak) - int64(before.HeapInuse)
	t.Logf("streaming %d MiB: heap in use grew by %.1f MiB at most; %.1f MiB allocated in all",
		size>>20, float64(growth)/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	if growth > limit {
		t.Errorf("heap in use grew by %d MiB while streaming %d MiB, want under %d MiB", growth>>20, size>>20, limit>>20)
	}
	if err := s.Delete(t.Context(), key); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

// payload returns n deterministic pseudo-random bytes.
func payload(seed uint64, n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(stream(seed, int64(n)), b); err != nil {
		panic(err) // a ChaCha8 stream does not fail
	}
	return b
}

// stream returns n deterministic pseudo-random bytes as a plain io.Reader,
// with no size a store could discover.
func stream(seed uint64, n int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return io.LimitReader(rand.NewChaCha8(key), n)
}

// failReader fails every read with errReader.
type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errReader }

// cancelReader calls cancel on its first read and returns no data.
type cancelReader context.CancelFunc

func (c cancelReader) Read([]byte) (int, error) {
	c()
	return 0, io.EOF
}

// oneOf reports whether b equals one of the candidates.
func oneOf(b []byte, candidates [][]byte) bool {
	return slices.ContainsFunc(candidates, func(c []byte) bool { return bytes.Equal(b, c) })
}

func mustPut(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	checkInfo(t, "Put", info, key, int64(len(data)))
}

func get(ctx context.Context, s blob.Store, key string) ([]byte, error) {
	rc, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func mustGet(t *testing.T, s blob.Store, key string) []byte {
	t.Helper()
	b, err := get(t.Context(), s, key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return b
}

func listKeys(t *testing.T, s blob.Store, prefix string) []string {
	t.Helper()
	infos, err := s.List(t.Context(), prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	keys := []string{}
	for _, info := range infos {
		keys = append(keys, info.Key)
	}
	return keys
}

func checkInfo(t *testing.T, op string, got blob.Info, key string, size int64) {
	t.Helper()
	if got.Key != key || got.Size != size {
		t.Errorf("%s: got key %q and size %d, want %q and %d", op, got.Key, got.Size, key, size)
	}
	if got.Modified.IsZero() || got.Modified.Location() != time.UTC {
		t.Errorf("%s: Modified = %v, want a UTC time", op, got.Modified)
	}
}

// checkErr checks that err wraps want and carries the "blob: " prefix.
func checkErr(t *testing.T, op string, err, want error) {
	t.Helper()
	switch {
	case !errors.Is(err, want):
		t.Errorf("%s: got error %v, want %v", op, err, want)
	case !strings.HasPrefix(err.Error(), "blob: "):
		t.Errorf("%s: error %q lacks the %q prefix", op, err, "blob: ")
	}
}
