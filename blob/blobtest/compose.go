package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tipline/tipline/blob"
)

// RunCompose runs the contract tests of Store.Compose on stores from open,
// as Run does.
func RunCompose(t *testing.T, open func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		test func(*testing.T, blob.Store)
	}{
		{"Joins", testComposeJoins},
		{"FailsHalfway", testComposeFailsHalfway},
		{"InvalidKeys", testComposeInvalidKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, open(t)) })
	}
}

// testComposeJoins composes sources of the sizes an upload's chunks have:
// at least S3's 5 MiB part (copied on the server) and smaller ones
// (gathered into parts), first, in the middle and last.
func testComposeJoins(t *testing.T, s blob.Store) {
	const mib = 1 << 20
	tests := []struct {
		name  string
		sizes []int
	}{
		{"one", []int{100}},
		{"large chunks", []int{6 * mib, 6 * mib, 100}},
		{"small chunks", []int{64 << 10, 64 << 10, 64 << 10, 1}},
		{"small then large", []int{3 * mib, 6 * mib, 3 * mib, 3 * mib, 200}},
		{"first chunk a little short", []int{5*mib - 700, 5 * mib, 5 * mib}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			var srcs []string
			var want []byte
			for j, size := range tt.sizes {
				key := blob.NewKey("compose/")
				data := payload(uint64(100*i+j), size)
				mustPut(t, s, key, data)
				srcs = append(srcs, key)
				want = append(want, data...)
			}
			dst := blob.NewKey("composed/")
			mustPut(t, s, dst, []byte("an older blob, replaced"))
			info, err := s.Compose(ctx, dst, srcs)
			if err != nil {
				t.Fatalf("Compose: %v", err)
			}
			checkInfo(t, "Compose", info, dst, int64(len(want)))
			if got := mustGet(t, s, dst); !bytes.Equal(got, want) {
				t.Errorf("Get after Compose: %d bytes, not the %d bytes of the sources joined", len(got), len(want))
			}
			for _, src := range srcs {
				if _, err := s.Stat(ctx, src); err != nil {
					t.Errorf("a source is gone after Compose: %v", err)
				}
			}
		})
	}
}

// testComposeFailsHalfway checks that a Compose that fails after some
// sources were joined (a source missing, or ctx ended) leaves nothing new
// under dst: no blob where there was none, the older blob where there was.
func testComposeFailsHalfway(t *testing.T, s blob.Store) {
	const mib = 1 << 20
	a, b := blob.NewKey("compose/"), blob.NewKey("compose/")
	mustPut(t, s, a, payload(1, 6*mib))
	mustPut(t, s, b, payload(2, 6*mib))
	missing := blob.NewKey("compose/")
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		srcs  []string
		older []byte // under dst before, or nil
	}{
		{"missing source", t.Context(), []string{a, b, missing, a}, nil},
		{"missing source, older blob stays", t.Context(), []string{a, missing}, []byte("older")},
		{"missing last source", t.Context(), []string{a, b, missing}, nil},
		{"context ended", cancelled, []string{a, b}, []byte("older")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := blob.NewKey("composed/")
			if tt.older != nil {
				mustPut(t, s, dst, tt.older)
			}
			_, err := s.Compose(tt.ctx, dst, tt.srcs)
			switch {
			case err == nil:
				t.Fatal("Compose succeeded")
			case tt.ctx == t.Context() && !errors.Is(err, blob.ErrNotFound):
				t.Errorf("Compose with a missing source: %v, want an error wrapping ErrNotFound", err)
			}
			got, err := get(t.Context(), s, dst)
			switch {
			case tt.older == nil && !errors.Is(err, blob.ErrNotFound):
				t.Errorf("after a failed Compose, Get(dst) = %d bytes, %v; want ErrNotFound", len(got), err)
			case tt.older != nil && !bytes.Equal(got, tt.older):
				t.Errorf("after a failed Compose, Get(dst) = %q, %v; want the older blob", got, err)
			}
		})
	}
}

func testComposeInvalidKeys(t *testing.T, s blob.Store) {
	ok := blob.NewKey("compose/")
	mustPut(t, s, ok, []byte("x"))
	tests := []struct {
		dst  string
		srcs []string
	}{
		{"../x", []string{ok}},
		{blob.NewKey("composed/"), []string{"a//b"}},
		{blob.NewKey("composed/"), []string{ok, "/etc/passwd"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q<-%q", tt.dst, tt.srcs), func(t *testing.T) {
			if _, err := s.Compose(t.Context(), tt.dst, tt.srcs); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Compose: %v, want an error wrapping ErrInvalidKey", err)
			}
		})
	}
	if _, err := s.Compose(t.Context(), blob.NewKey("composed/"), nil); err == nil {
		t.Error("Compose of no sources succeeded")
	}
}
