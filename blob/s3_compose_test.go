package blob_test

import (
	"io"

	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/blob/blobtest"
	"github.com/tipline/tipline/internal/testenv"
)

func TestS3Compose(t *testing.T) {
	base := testenv.Get(t, testenv.S3URL)
	blobtest.RunCompose(t, func(t *testing.T) blob.Store { return mustOpenS3(t, base) })
}

// TestS3ComposeAborts checks that a Compose that fails after its first
// parts aborts its multipart upload: no parts stay behind in the bucket.
func TestS3ComposeAborts(t *testing.T) {
	cfg := s3Config(t, testenv.Get(t, testenv.S3URL))
	s, err := blob.OpenS3(cfg)
	if err != nil {
		t.Fatalf("OpenS3: %v", err)
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	ctx := t.Context()
	if err := s.EnsureBucket(ctx); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	src := blob.NewKey("c/")
	if _, err := s.Put(ctx, src, &zeros{n: 6 << 20}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if _, err := s.Compose(ctx, "joined", []string{src, src, blob.NewKey("c/")}); err == nil {
		t.Fatal("Compose with a missing source succeeded")
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: cfg.Region,
	})
	if err != nil {
		t.Fatalf("minio.New: %v", err)
	}
	for up := range client.ListIncompleteUploads(ctx, cfg.Bucket, "", true) {
		if up.Err != nil {
			t.Fatalf("ListIncompleteUploads: %v", up.Err)
		}
		t.Errorf("multipart upload to %s left behind", up.Key)
	}
}

// zeros reads n zero bytes.
type zeros struct{ n int }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), z.n)
	clear(p[:k])
	z.n -= k
	return k, nil
}
