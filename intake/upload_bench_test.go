package intake_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/internal/testenv"
)

// BenchmarkUploadCommit measures the commit of a browser submission whose
// file is an upload session of 64 or 128 MiB in chunks of the default
// size, on the directory store and on MinIO (with TIPLINE_TEST_S3_URL,
// as `make bench` sets it):
//   - finish: SubmitUploads as it is, the whole commit a source waits
//     for: the chunks' states checked, the session's assembly finished by
//     the store (the multipart upload completed, the file renamed), the
//     rows committed, the sessions removed;
//   - rewrite: the body alone written a second time, from memory, through
//     PutMessage (SplitMessage): a lower bound of any commit that writes
//     the body again, as this one did before its chunks were stored in
//     place (BENCHMARKS.md has the earlier figures).
//
// MB/s is the upload's size over the time per commit.
func BenchmarkUploadCommit(b *testing.B) {
	stores := []struct {
		name string
		open func(testing.TB) blob.Store
	}{
		{"dir", func(tb testing.TB) blob.Store {
			d, err := blob.OpenDir(tb.TempDir())
			if err != nil {
				tb.Fatal(err)
			}
			return d
		}},
		{"minio", openTestBucket},
	}
	for _, st := range stores {
		for _, mib := range []int{64, 128} {
			for _, mode := range []string{"finish", "rewrite"} {
				b.Run(fmt.Sprintf("%s/%dMiB/%s", st.name, mib, mode), func(b *testing.B) {
					benchmarkCommit(b, st.open(b), mib<<20, mode)
				})
			}
		}
	}
}

func benchmarkCommit(b *testing.B, blobs blob.Store, size int, mode string) {
	ctx := context.Background()
	svc, _, _ := newTestService(b, dbtest.Dialects[0])
	svc.Blobs = blobs
	svc.Limits.PerDeskPerHour, svc.Limits.TotalPerHour = 1<<20, 1<<20
	recipients, err := svc.Desks.Recipients(ctx, intake.DefaultDeskSlug)
	if err != nil {
		b.Fatal(err)
	}
	plain := make([]byte, size)
	rand.Read(plain)
	msg := encryptTo(b, plain, recipients...)
	manifest := deskMessage(b, svc, 100)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		manifestID := sendChunks(b, svc, manifest, intake.DefaultChunkSize)
		fileID := sendChunks(b, svc, msg, intake.DefaultChunkSize)
		pow := solvePow(b, svc)
		b.StartTimer()
		switch mode {
		case "finish":
			if _, err := svc.SubmitUploads(ctx, intake.DefaultDeskSlug, manifestID, []string{fileID}, pow, intake.CommitOptions{}); err != nil {
				b.Fatal(err)
			}
		case "rewrite":
			key := blob.NewKey("pending/")
			// A plain io.Reader, as a stream from the network is.
			if _, err := intake.PutMessage(ctx, blobs, key, struct{ io.Reader }{bytes.NewReader(msg)}, recipients); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			blobs.Delete(ctx, key) // the sessions go with the store
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(size)/1e6/(b.Elapsed().Seconds()/float64(b.N)), "MB/s")
}

// openTestBucket returns a store in a new bucket of the MinIO that
// TIPLINE_TEST_S3_URL names, emptied when the test ends; the test is
// skipped without it.
func openTestBucket(tb testing.TB) blob.Store {
	u, err := url.Parse(testenv.Get(tb, testenv.S3URL))
	if err != nil {
		tb.Fatalf("%s is not a URL", testenv.S3URL) // the error would show the secret key
	}
	u.Path = "/t-" + strings.ToLower(rand.Text())
	s, err := blob.Open(u.String())
	if err != nil {
		tb.Fatalf("opening a bucket on %s: %v", testenv.S3URL, err)
	}
	if err := s.(*blob.S3).EnsureBucket(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx := context.Background()
		infos, _ := s.List(ctx, "")
		for _, info := range infos {
			s.Delete(ctx, info.Key)
		}
	})
	return s
}
