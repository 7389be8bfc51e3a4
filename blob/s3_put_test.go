package blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/internal/testenv"
)

// oddReader returns its bytes in reads of varying, odd sizes, as a pipe
// from the encrypting goroutine does, and cannot seek.
type oddReader struct {
	data []byte
	rng  *rand.Rand
}

func (o *oddReader) Read(p []byte) (int, error) {
	if len(o.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+o.rng.IntN(300_000))], o.data)
	o.data = o.data[n:]
	return n, nil
}

// s3StoreWithParts opens a store in a new bucket of the test MinIO,
// uploading in parts of part bytes, and returns it with its configuration.
func s3StoreWithParts(t *testing.T, part uint64) (*blob.S3, blob.S3Config) {
	t.Helper()
	cfg := s3Config(t, testenv.Get(t, testenv.S3URL))
	cfg.PartSize = part
	s, err := blob.OpenS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	if err := s.EnsureBucket(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s, cfg
}

// rawS3 is a minio-go client of cfg's server, to look at what Put left.
func rawS3(t *testing.T, cfg blob.S3Config) *minio.Client {
	t.Helper()
	client, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.TLS, Region: cfg.Region})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// incompleteUploads counts the multipart uploads under way in cfg's bucket.
func incompleteUploads(t *testing.T, cfg blob.S3Config) int {
	t.Helper()
	n := 0
	for up := range rawS3(t, cfg).ListIncompleteUploads(t.Context(), cfg.Bucket, "", true) {
		if up.Err != nil {
			t.Fatal(up.Err)
		}
		n++
	}
	return n
}

// TestS3PutParts: a blob of any size, read from a stream that cannot seek,
// comes back byte for byte; one under a part goes up in one request and a
// larger one in parts of exactly the part size (the ETag of a multipart
// object ends in "-" and its number of parts), never in one huge part.
func TestS3PutParts(t *testing.T) {
	const part = 5 << 20
	s, cfg := s3StoreWithParts(t, part)
	for _, tt := range []struct {
		size  int
		parts int // 0: a single PUT
	}{
		{0, 0}, {1, 0}, {part - 1, 0}, {part, 1}, {part + 1, 2}, {2*part + 3, 3},
	} {
		t.Run(fmt.Sprint(tt.size), func(t *testing.T) {
			data := make([]byte, tt.size)
			rand.NewChaCha8([32]byte{byte(tt.size)}).Read(data)
			key := fmt.Sprintf("parts/b%d", tt.size)
			info, err := s.Put(t.Context(), key, &oddReader{data, rand.New(rand.NewPCG(1, uint64(tt.size)))})
			if err != nil || info.Size != int64(tt.size) {
				t.Fatalf("Put = %+v, %v", info, err)
			}
			rc, err := s.Get(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("Get: %d bytes (%v), want the %d put", len(got), err, len(data))
			}
			oi, err := rawS3(t, cfg).StatObject(t.Context(), cfg.Bucket, key, minio.StatObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			_, parts, multipart := strings.Cut(strings.Trim(oi.ETag, `"`), "-")
			if tt.parts == 0 && multipart || tt.parts > 0 && parts != fmt.Sprint(tt.parts) {
				t.Errorf("ETag %s, want %d parts (0: a single PUT)", oi.ETag, tt.parts)
			}
		})
	}
	if n := incompleteUploads(t, cfg); n != 0 {
		t.Errorf("%d incomplete uploads left", n)
	}
}

// TestS3PutAbortsFailedUpload: a Put whose stream fails, or whose context
// ends, after some parts went up leaves nothing: no object and no
// incomplete multipart upload holding its parts.
func TestS3PutAbortsFailedUpload(t *testing.T) {
	const part = 5 << 20
	s, cfg := s3StoreWithParts(t, part)
	boom := errors.New("the client went away")
	for _, cancelled := range []bool{false, true} {
		ctx, cancel := context.WithCancel(t.Context())
		pr, pw := io.Pipe()
		go func() {
			_, err := io.CopyN(pw, rand.NewChaCha8([32]byte{}), 2*part+100)
			if cancelled {
				cancel()
				pw.Write([]byte("more")) // read, if at all, after ctx ended
			}
			pw.CloseWithError(errors.Join(err, boom))
		}()
		key := fmt.Sprintf("failed/c%t", cancelled)
		if _, err := s.Put(ctx, key, pr); err == nil {
			t.Errorf("cancelled=%t: Put of a failing stream succeeded", cancelled)
		}
		pr.Close() // the writer may still be waiting
		cancel()
		if _, err := s.Stat(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("cancelled=%t: Stat after the failed Put = %v, want ErrNotFound", cancelled, err)
		}
	}
	if n := incompleteUploads(t, cfg); n != 0 {
		t.Errorf("%d incomplete uploads left after failed Puts", n)
	}
}

// TestS3SlowUploadsMemory: uploads that trickle in hold memory for what
// they have received, not a whole part each. Twenty Puts with the default
// part size (16 MiB) that have each received 100 KiB grow the heap by less
// than 2 MiB each, and then complete.
func TestS3SlowUploadsMemory(t *testing.T) {
	s := mustOpenS3(t, testenv.Get(t, testenv.S3URL))
	const uploads, sent = 20, 100 << 10
	var before, during runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	writers := make([]*io.PipeWriter, uploads)
	errs := make(chan error, uploads)
	var wg sync.WaitGroup
	for i := range writers {
		pr, pw := io.Pipe()
		writers[i] = pw
		wg.Go(func() {
			_, err := s.Put(context.Background(), fmt.Sprintf("slow/u%d", i), pr)
			errs <- err
		})
		if _, err := pw.Write(make([]byte, sent)); err != nil { // returns once Put has read it
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&during)
	growth := int64(during.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("heap grew by %d KiB for %d uploads of %d KiB under way", growth>>10, uploads, sent>>10)
	if growth > uploads*(2<<20) {
		t.Errorf("heap grew by %d MiB for %d slow uploads, want under 2 MiB each", growth>>20, uploads)
	}
	for _, pw := range writers {
		pw.Close()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Put of a slow upload: %v", err)
		}
	}
}
