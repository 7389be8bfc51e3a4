package blob_test

import (
	"context"
	"crypto/rand"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/blob/blobtest"
	"github.com/tipline/tipline/internal/testenv"
)

func TestS3Store(t *testing.T) {
	base := testenv.Get(t, testenv.S3URL)
	blobtest.Run(t, func(t *testing.T) blob.Store { return mustOpenS3(t, base) })
}

// mustOpenS3 returns a store in a new bucket on the server that base, an
// s3:// URL without a bucket, names. The bucket goes when the test ends.
func mustOpenS3(t *testing.T, base string) *blob.S3 {
	t.Helper()
	cfg := s3Config(t, base)
	s, err := blob.OpenS3(cfg)
	if err != nil {
		t.Fatalf("OpenS3: %v", err)
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	if err := s.EnsureBucket(t.Context()); err != nil {
		t.Fatalf("EnsureBucket: %v", err)
	}
	return s
}

// s3Config returns the configuration of base with a new bucket name.
func s3Config(t *testing.T, base string) blob.S3Config {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL", testenv.S3URL) // the error would show the secret key
	}
	u.Path = "/t-" + strings.ToLower(rand.Text())
	cfg, err := blob.ParseS3URL(u.String())
	if err != nil {
		t.Fatalf("ParseS3URL(%s with a bucket): %v", testenv.S3URL, err)
	}
	return cfg
}

// removeBucket removes cfg's bucket with its objects and incomplete uploads,
// if it exists.
func removeBucket(t *testing.T, cfg blob.S3Config) {
	t.Helper()
	// t.Context is done by the time clean-ups run.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: cfg.Region,
	})
	if err != nil {
		t.Fatalf("minio.New: %v", err)
	}
	if ok, err := client.BucketExists(ctx, cfg.Bucket); err != nil || !ok {
		if err != nil {
			t.Errorf("BucketExists(%s): %v", cfg.Bucket, err)
		}
		return
	}
	for obj := range client.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Errorf("listing %s: %v", cfg.Bucket, obj.Err)
			return
		}
		if err := client.RemoveObject(ctx, cfg.Bucket, obj.Key, minio.RemoveObjectOptions{}); err != nil {
			t.Errorf("removing %s/%s: %v", cfg.Bucket, obj.Key, err)
		}
	}
	for up := range client.ListIncompleteUploads(ctx, cfg.Bucket, "", true) {
		if up.Err != nil {
			t.Errorf("listing uploads to %s: %v", cfg.Bucket, up.Err)
			return
		}
		if err := client.RemoveIncompleteUpload(ctx, cfg.Bucket, up.Key); err != nil {
			t.Errorf("aborting upload to %s/%s: %v", cfg.Bucket, up.Key, err)
		}
	}
	if err := client.RemoveBucket(ctx, cfg.Bucket); err != nil {
		t.Errorf("RemoveBucket(%s): %v", cfg.Bucket, err)
	}
}

func TestS3EnsureBucket(t *testing.T) {
	cfg := s3Config(t, testenv.Get(t, testenv.S3URL))
	s, err := blob.OpenS3(cfg)
	if err != nil {
		t.Fatalf("OpenS3: %v", err)
	}
	t.Cleanup(func() { removeBucket(t, cfg) })

	err = s.Ping(t.Context())
	if err == nil || !strings.Contains(err.Error(), cfg.Bucket) {
		t.Errorf("Ping before EnsureBucket = %v, want an error naming bucket %s", err, cfg.Bucket)
	}
	for i := range 2 { // a second call finds the bucket
		if err := s.EnsureBucket(t.Context()); err != nil {
			t.Fatalf("EnsureBucket #%d: %v", i+1, err)
		}
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestS3WrongSecretKey(t *testing.T) {
	cfg := s3Config(t, testenv.Get(t, testenv.S3URL))
	cfg.SecretKey = secret
	s, err := blob.OpenS3(cfg)
	if err != nil {
		t.Fatalf("OpenS3: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err = s.Ping(ctx)
	if err == nil {
		t.Fatal("Ping with a wrong secret key succeeded")
	}
	checkSafeError(t, err)
	_, err = s.Put(ctx, "a", strings.NewReader("x"))
	if err == nil {
		t.Fatal("Put with a wrong secret key succeeded")
	}
	checkSafeError(t, err)
}

// TestS3PingUnreachable needs no server: there is none on port 1.
func TestS3PingUnreachable(t *testing.T) {
	s, err := blob.OpenS3(blob.S3Config{Endpoint: "127.0.0.1:1", AccessKey: "ak", SecretKey: secret, Bucket: "tips"})
	if err != nil {
		t.Fatalf("OpenS3: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping of an unreachable server succeeded")
	} else {
		checkSafeError(t, err)
	}
}
