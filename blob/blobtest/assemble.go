package blobtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/tipline/tipline/blob"
)

// RunAssembly runs the contract tests of a Store's assemblies (BeginAssembly,
// PutPiece, FinishAssembly, AbortAssembly) on stores from open, as Run does.
func RunAssembly(t *testing.T, open func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		test func(*testing.T, blob.Store)
	}{
		{"Joins", testAssemblyJoins},
		{"PieceSentAgain", testAssemblyPieceSentAgain},
		{"PieceFails", testAssemblyPieceFails},
		{"WrongSizes", testAssemblyWrongSizes},
		{"FinishedOrAborted", testAssemblyFinishedOrAborted},
		{"InvalidKeys", testAssemblyInvalidKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, open(t)) })
	}
}

// assembly is an assembly under way in a test, with what its pieces hold.
type assembly struct {
	t      *testing.T
	s      blob.Store
	a      blob.Assembly
	pieces [][]byte
}

func beginAssembly(t *testing.T, s blob.Store, key string) *assembly {
	t.Helper()
	a, err := s.BeginAssembly(t.Context(), key)
	if err != nil {
		t.Fatalf("BeginAssembly: %v", err)
	}
	if a.Key != key || a.Handle == "" {
		t.Fatalf("BeginAssembly(%q) = %+v", key, a)
	}
	return &assembly{t: t, s: s, a: a}
}

// put stores piece n from r, at the offset the pieces before it hold.
func (x *assembly) put(n int, r io.Reader) (int64, error) {
	var offset int64
	for _, p := range x.pieces[:min(n, len(x.pieces))] {
		offset += int64(len(p))
	}
	return x.s.PutPiece(x.t.Context(), x.a, n, offset, r)
}

// mustPut stores piece n, and keeps it as the last piece.
func (x *assembly) mustPut(n int, data []byte) {
	x.t.Helper()
	size, err := x.put(n, bytes.NewReader(data))
	if err != nil {
		x.t.Fatalf("PutPiece(%d): %v", n, err)
	}
	if size != int64(len(data)) {
		x.t.Fatalf("PutPiece(%d) = %d bytes, want %d", n, size, len(data))
	}
	x.pieces = append(x.pieces[:n], data)
}

// finish finishes the assembly with the first n pieces kept.
func (x *assembly) finish(n int) (blob.Info, error) {
	sizes := make([]int64, n)
	for i := range sizes {
		sizes[i] = int64(len(x.pieces[i]))
	}
	return x.s.FinishAssembly(x.t.Context(), x.a, sizes)
}

// mustFinish finishes the assembly with its first n pieces, and checks
// the blob they make.
func (x *assembly) mustFinish(n int) {
	x.t.Helper()
	info, err := x.finish(n)
	if err != nil {
		x.t.Fatalf("FinishAssembly: %v", err)
	}
	want := bytes.Join(x.pieces[:n], nil)
	checkInfo(x.t, "FinishAssembly", info, x.a.Key, int64(len(want)))
	if got := mustGet(x.t, x.s, x.a.Key); !bytes.Equal(got, want) {
		x.t.Errorf("Get after FinishAssembly: %d bytes, not the %d bytes of the pieces joined", len(got), len(want))
	}
}

// testAssemblyJoins assembles pieces of the sizes an upload's chunks have
// (at least MinPiece but the last); the blob appears only when finished,
// replacing an older one.
func testAssemblyJoins(t *testing.T, s blob.Store) {
	tests := []struct {
		name  string
		sizes []int
	}{
		{"one piece", []int{100}},
		{"one empty piece", []int{0}},
		{"pieces", []int{blob.MinPiece, blob.MinPiece + 7, 100}},
		{"last piece full", []int{blob.MinPiece, blob.MinPiece}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := blob.NewKey("assembled/")
			mustPut(t, s, key, []byte("an older blob, replaced"))
			x := beginAssembly(t, s, key)
			for n, size := range tt.sizes {
				x.mustPut(n, payload(uint64(100*i+n), size))
			}
			if got := mustGet(t, s, key); !bytes.Equal(got, []byte("an older blob, replaced")) {
				t.Errorf("before FinishAssembly, Get = %d bytes, want the older blob", len(got))
			}
			x.mustFinish(len(tt.sizes))
			if keys := listKeys(t, s, key); len(keys) != 1 || keys[0] != key {
				t.Errorf("List(%q) after FinishAssembly = %q", key, keys)
			}
		})
	}
}

// testAssemblyPieceSentAgain sends the last piece again, longer or
// shorter, and a piece after the pieces FinishAssembly keeps.
func testAssemblyPieceSentAgain(t *testing.T, s blob.Store) {
	x := beginAssembly(t, s, blob.NewKey("assembled/"))
	x.mustPut(0, payload(1, blob.MinPiece))
	x.mustPut(1, payload(2, 1000))
	x.mustPut(1, payload(3, 3000)) // the answer was lost; a longer one
	x.mustPut(1, payload(4, 10))
	x.mustPut(2, payload(5, 50)) // FinishAssembly drops it
	x.mustFinish(2)
}

// testAssemblyPieceFails: a piece whose reader fails (the connection
// broke) or whose ctx ends leaves the pieces as they were, whether it was
// a new piece or one sent again; the piece sent again after it counts.
func testAssemblyPieceFails(t *testing.T, s blob.Store) {
	x := beginAssembly(t, s, blob.NewKey("assembled/"))
	x.mustPut(0, payload(1, blob.MinPiece))
	x.mustPut(1, payload(2, 4000))
	half := io.MultiReader(bytes.NewReader(payload(3, 2000)), failReader{})
	if _, err := x.put(1, half); err == nil {
		t.Fatal("PutPiece of a piece sent again whose reader fails succeeded")
	}
	if _, err := x.put(2, io.MultiReader(bytes.NewReader(payload(4, 3000)), failReader{})); err == nil {
		t.Fatal("PutPiece of a new piece whose reader fails succeeded")
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.PutPiece(cancelled, x.a, 1, blob.MinPiece, bytes.NewReader(payload(5, 100))); err == nil {
		t.Fatal("PutPiece with its ctx ended succeeded")
	}
	x.mustFinish(2)
}

// testAssemblyWrongSizes: FinishAssembly with sizes the pieces do not
// have (in total, or a piece missing) fails with ErrPieces and leaves the
// assembly to be finished right.
func testAssemblyWrongSizes(t *testing.T, s blob.Store) {
	x := beginAssembly(t, s, blob.NewKey("assembled/"))
	x.mustPut(0, payload(1, blob.MinPiece))
	x.mustPut(1, payload(2, 100))
	ctx := t.Context()
	for _, sizes := range [][]int64{
		{blob.MinPiece, 101},
		{blob.MinPiece, 100, 100},
		{},
	} {
		_, err := s.FinishAssembly(ctx, x.a, sizes)
		checkErr(t, "FinishAssembly with wrong sizes", err, blob.ErrPieces)
	}
	if _, err := get(ctx, s, x.a.Key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get after failed FinishAssembly: %v, want ErrNotFound", err)
	}
	x.mustFinish(2)
}

// testAssemblyFinishedOrAborted: an assembly finished or aborted takes no
// more pieces and cannot be finished (ErrNotFound); aborting it again, or
// aborting the finished one, is no error and leaves its blob.
func testAssemblyFinishedOrAborted(t *testing.T, s blob.Store) {
	ctx := t.Context()
	done := beginAssembly(t, s, blob.NewKey("assembled/"))
	done.mustPut(0, []byte("done"))
	done.mustFinish(1)
	aborted := beginAssembly(t, s, blob.NewKey("assembled/"))
	aborted.mustPut(0, payload(1, blob.MinPiece))
	if err := s.AbortAssembly(ctx, aborted.a); err != nil {
		t.Fatalf("AbortAssembly: %v", err)
	}
	for _, x := range []*assembly{done, aborted} {
		if _, err := s.PutPiece(ctx, x.a, 1, int64(len(x.pieces[0])), bytes.NewReader([]byte("late"))); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("PutPiece after the end: %v, want ErrNotFound", err)
		}
		if _, err := x.finish(1); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("FinishAssembly after the end: %v, want ErrNotFound", err)
		}
		if err := s.AbortAssembly(ctx, x.a); err != nil {
			t.Errorf("AbortAssembly after the end: %v", err)
		}
	}
	if got := mustGet(t, s, done.a.Key); string(got) != "done" {
		t.Errorf("the finished blob after AbortAssembly = %q", got)
	}
	if _, err := get(ctx, s, aborted.a.Key); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get of an aborted assembly's key: %v, want ErrNotFound", err)
	}
}

func testAssemblyInvalidKeys(t *testing.T, s blob.Store) {
	ctx := t.Context()
	if _, err := s.BeginAssembly(ctx, "../x"); !errors.Is(err, blob.ErrInvalidKey) {
		t.Errorf("BeginAssembly(../x): %v, want ErrInvalidKey", err)
	}
	x := beginAssembly(t, s, blob.NewKey("assembled/"))
	bad := blob.Assembly{Key: "a//b", Handle: x.a.Handle}
	if _, err := s.PutPiece(ctx, bad, 0, 0, bytes.NewReader([]byte("x"))); !errors.Is(err, blob.ErrInvalidKey) {
		t.Errorf("PutPiece with a bad key: %v, want ErrInvalidKey", err)
	}
	if _, err := s.FinishAssembly(ctx, bad, []int64{1}); !errors.Is(err, blob.ErrInvalidKey) {
		t.Errorf("FinishAssembly with a bad key: %v, want ErrInvalidKey", err)
	}
	if err := s.AbortAssembly(ctx, blob.Assembly{Key: x.a.Key}); !errors.Is(err, blob.ErrInvalidKey) {
		t.Errorf("AbortAssembly without a handle: %v, want ErrInvalidKey", err)
	}
}
