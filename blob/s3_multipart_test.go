package blob_test

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
	"github.com/tipline/tipline/store"
)

// TestS3AbortIncompleteUploads: a multipart upload that never completes
// (a Put cut off by a crash; issue 16: MinIO kept them forever) is aborted
// by the janitor's sweep once it is older than the pending max age and
// than an upload session lives (25 hours: it may be a session's assembly),
// and left alone before.
func TestS3AbortIncompleteUploads(t *testing.T) {
	ctx := t.Context()
	cfg := s3Config(t, testenv.Get(t, testenv.S3URL))
	s, err := blob.OpenS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	if err := s.EnsureBucket(ctx); err != nil {
		t.Fatal(err)
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.TLS, Region: cfg.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	core := minio.Core{Client: client}
	bucket := cfg.Bucket
	uploadID, err := core.NewMultipartUpload(ctx, bucket, "pending/interrupted", minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	part := bytes.Repeat([]byte{7}, 5<<20)
	if _, err := core.PutObjectPart(ctx, bucket, "pending/interrupted", uploadID, 1, bytes.NewReader(part), int64(len(part)), minio.PutObjectPartOptions{}); err != nil {
		t.Fatal(err)
	}
	incomplete := func() int {
		n := 0
		for up := range client.ListIncompleteUploads(ctx, bucket, "", true) {
			if up.Err != nil {
				t.Fatal(up.Err)
			}
			n++
		}
		return n
	}
	if n := incomplete(); n != 1 {
		t.Fatalf("incomplete uploads before the sweep = %d, want 1", n)
	}
	started := time.Now()
	now := started
	svc := &intake.Service{Store: store.New(dbtest.Open(t, database.SQLite)), Blobs: s,
		Limits: intake.Limits{PendingMaxAge: time.Hour}, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	for _, step := range []struct {
		name    string
		after   time.Duration
		aborted int
		left    int
	}{
		{"older than the max age, younger than a session", 24 * time.Hour, 0, 1},
		{"older than a session lives", 25*time.Hour + time.Minute, 1, 0},
		{"already gone", 26 * time.Hour, 0, 0},
	} {
		now = started.Add(step.after)
		r, err := svc.SweepPending(ctx)
		if err != nil || r.Aborted != step.aborted {
			t.Errorf("%s: sweep = %+v, %v; want %d aborted", step.name, r, err, step.aborted)
		}
		if left := incomplete(); left != step.left {
			t.Errorf("%s: %d incomplete uploads left, want %d", step.name, left, step.left)
		}
	}
}
