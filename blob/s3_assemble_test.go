package blob_test

import (
	"bytes"
	"testing"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/blob/blobtest"
	"github.com/tipline/tipline/internal/testenv"
)

func TestS3Assembly(t *testing.T) {
	base := testenv.Get(t, testenv.S3URL)
	blobtest.RunAssembly(t, func(t *testing.T) blob.Store { return mustOpenS3(t, base) })
}

// TestS3AssemblyAbortLeavesNothing: an aborted assembly leaves no
// multipart upload, and so no parts, in the bucket.
func TestS3AssemblyAbortLeavesNothing(t *testing.T) {
	s, cfg := s3StoreWithParts(t, blob.DefaultPartSize)
	ctx := t.Context()
	a, err := s.BeginAssembly(ctx, blob.NewKey("pending/"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPiece(ctx, a, 0, 0, bytes.NewReader(make([]byte, blob.MinPiece))); err != nil {
		t.Fatal(err)
	}
	if n := incompleteUploads(t, cfg); n != 1 {
		t.Fatalf("%d incomplete uploads during the assembly, want 1", n)
	}
	if err := s.AbortAssembly(ctx, a); err != nil {
		t.Fatal(err)
	}
	if n := incompleteUploads(t, cfg); n != 0 {
		t.Errorf("%d incomplete uploads after AbortAssembly", n)
	}
}
