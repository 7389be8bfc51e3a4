package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Part sizes of S3 uploads. S3 needs at least 5 MiB for every part but the
// last, and allows at most 5 GiB.
const (
	// DefaultPartSize is the part size when S3Config.PartSize is 0. An
	// upload in progress holds what it has received of its current part,
	// in memory or in a spill file (see S3.Put).
	DefaultPartSize = 16 << 20
	minPartSize     = 5 << 20
	maxPartSize     = 5 << 30
)

// defaultRegion is the region when S3Config.Region is empty; MinIO accepts it.
const defaultRegion = "us-east-1"

// S3Config says how to reach an S3 bucket. [ParseS3URL] builds one from a
// TIPLINE_BLOB_URL.
type S3Config struct {
	Endpoint  string // HOST or HOST:PORT
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string // "" means us-east-1
	TLS       bool   // HTTPS, as it should be outside a test
	PartSize  uint64 // bytes of each part of a multipart upload; 0 means DefaultPartSize
}

// String describes c without its secret key, so that a logged configuration
// does not leak it.
func (c S3Config) String() string {
	return fmt.Sprintf("{Endpoint:%s AccessKey:%s SecretKey:REDACTED Bucket:%s Region:%s TLS:%t PartSize:%d}",
		c.Endpoint, c.AccessKey, c.Bucket, c.Region, c.TLS, c.PartSize)
}

// validate checks c without echoing the secret key.
func (c S3Config) validate() error {
	switch {
	case c.Endpoint == "":
		return errors.New("blob: S3 endpoint is empty")
	case c.AccessKey == "" || c.SecretKey == "":
		return errors.New("blob: S3 access key or secret key is empty")
	case c.PartSize != 0 && (c.PartSize < minPartSize || c.PartSize > maxPartSize):
		return fmt.Errorf("blob: S3 part size %d is outside [%d, %d] bytes", c.PartSize, minPartSize, maxPartSize)
	}
	if err := s3utils.CheckValidBucketNameStrict(c.Bucket); err != nil {
		return fmt.Errorf("blob: S3 bucket %q: %w", c.Bucket, err)
	}
	return nil
}

// S3 is a Store in a bucket of MinIO, AWS S3 or another S3-compatible
// service, through minio-go. Put uploads a stream of unknown size a part
// (S3Config.PartSize) at a time; S3 makes the object visible only when the
// upload completes.
//
// A failed Put aborts its multipart upload. When the process dies
// mid-upload, the uploaded parts stay, invisible, until the server expires
// them (MinIO does so after a day; on AWS S3 give the bucket an
// AbortIncompleteMultipartUpload lifecycle rule).
type S3 struct {
	client   *minio.Client
	bucket   string
	region   string
	partSize uint64
	spill    *spilling // where and when parts leave memory
}

var _ Store = (*S3)(nil)

// OpenS3 returns the S3 store that cfg describes. It sends no request, so
// the server need not be up: Ping reports when it is ready, and
// EnsureBucket creates the bucket.
func OpenS3(cfg S3Config) (*S3, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.TLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 client: %w", err)
	}
	return &S3{client: client, bucket: cfg.Bucket, region: cfg.Region, partSize: cfg.PartSize,
		spill: &spilling{after: defaultSpillAfter, budget: defaultSpillBudget}}, nil
}

// EnsureBucket creates the bucket unless it exists already.
func (s *S3) EnsureBucket(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: check bucket %s: %w", s.bucket, err)
	}
	if ok {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	if err != nil && s3Code(err) != minio.BucketAlreadyOwnedByYou {
		return fmt.Errorf("blob: create bucket %s: %w", s.bucket, err)
	}
	return nil
}

// s3Code returns the S3 error code of err, or "".
func s3Code(err error) string {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code
	}
	return ""
}

// Put implements Store. A blob smaller than a part goes up in one request;
// a larger one as a multipart upload, a part at a time. Put holds what it
// has read of the current part in memory, in pieces of s3Piece bytes taken
// as the bytes arrive, or, once the part has filled for a while, in a file
// (see s3_part.go): a slow upload holds little memory. Every part but the last
// has the configured part size (minio-go, given a stream of unknown size,
// would make parts of 537 MiB), and a multipart upload that fails, or whose
// ctx ends, is aborted.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	part := partBuffer{spill: s.spill}
	defer part.release()
	r = ctxReader{ctx, r}
	ended, err := part.fill(r, int64(s.partSize))
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	size := part.n
	if ended {
		_, err = s.core().PutObject(ctx, s.bucket, key, part.reader(), part.n, "", "", s.putOptions())
	} else {
		size, err = s.putParts(ctx, key, r, &part)
	}
	if s3Code(err) == "XMinioStorageFull" {
		return Info{}, fmt.Errorf("blob: put %s: %w: %w", key, ErrFull, err)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", key, err)
	}
	// S3 answers an upload without its modification time.
	return Info{Key: key, Size: size, Modified: time.Now().UTC()}, nil
}

// putParts uploads the full part, then the rest of r a part at a time, as
// one multipart upload under key, and returns the blob's size. Each part
// uploads while the next one is read from r: a Put that arrives fast holds
// two parts, and its writer does not wait for the store at every part.
func (s *S3) putParts(ctx context.Context, key string, r io.Reader, first *partBuffer) (int64, error) {
	core := s.core()
	uploadID, err := core.NewMultipartUpload(ctx, s.bucket, key, s.putOptions())
	if err != nil {
		return 0, err
	}
	var (
		parts      []minio.CompletePart
		size       int64
		cur, other = first, &partBuffer{spill: s.spill} // the part being read, the one uploading
		uploading  bool
		uploaded   = make(chan error, 1)
		up         minio.ObjectPart // the part uploaded, once uploaded sends nil
	)
	defer other.release()
	// wait waits for the part uploading, if any, empties its buffer (a slow
	// upload must not keep a whole part while it reads the next) and adds
	// it to parts.
	wait := func() error {
		if !uploading {
			return nil
		}
		uploading = false
		err := <-uploaded
		other.reset()
		if err != nil {
			return err
		}
		parts = append(parts, minio.CompletePart{PartNumber: up.PartNumber, ETag: up.ETag})
		return nil
	}
	for ended := false; err == nil; {
		if cur.n > 0 {
			if err = wait(); err != nil {
				break
			}
			size += cur.n
			uploading = true
			go func(part *partBuffer, number int) {
				var err error
				up, err = core.PutObjectPart(ctx, s.bucket, key, uploadID, number, part.reader(), part.n, partOptions)
				uploaded <- err
			}(cur, len(parts)+1)
			cur, other = other, cur
		}
		if ended {
			if err = wait(); err != nil {
				break
			}
			_, err = core.CompleteMultipartUpload(ctx, s.bucket, key, uploadID, parts, s.putOptions())
			if err == nil {
				return size, nil
			}
			break
		}
		ended, err = cur.fill(r, int64(s.partSize))
	}
	// No part may still be read when its buffer is given back.
	if werr := wait(); werr != nil && err == nil {
		err = werr
	}
	// Uploaded parts would stay, invisible, until the server expires them.
	abortCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_ = core.AbortMultipartUpload(abortCtx, s.bucket, key, uploadID) // best effort: the Put failed already
	return 0, err
}

func (s *S3) core() minio.Core { return minio.Core{Client: s.client} }

// putOptions are the options of every upload. Bodies go up as unsigned
// payload, with tls=false as minio-go sends them over TLS anyway: the
// requests stay signed, but neither minio-go (for the signature) nor the
// store (to check it) hashes every byte again. What is stored is an
// OpenPGP message, whose integrity its readers check (its MDC, and the
// SHA-256 the intake log holds for each object).
func (s *S3) putOptions() minio.PutObjectOptions {
	return minio.PutObjectOptions{ContentType: "application/octet-stream", DisableContentSha256: true}
}

// partOptions are the options of every part uploaded, unsigned as in
// putOptions.
var partOptions = minio.PutObjectPartOptions{DisableContentSha256: true}

// Get implements Store.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	// Client.GetObject waits for the first read to send its request; Core's
	// sends it now, so a missing key is reported here.
	body, _, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if s3Code(err) == minio.NoSuchKey {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	return body, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if s3Code(err) == minio.NoSuchKey {
		return Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %s: %w", key, err)
	}
	return Info{Key: key, Size: oi.Size, Modified: oi.LastModified.UTC()}, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && s3Code(err) != minio.NoSuchKey {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

// Move implements Store as a server-side copy followed by a delete. Blobs
// up to 5 GiB copy in one request, which covers every blob Tipline makes.
func (s *S3) Move(ctx context.Context, from, to string) error {
	if err := ValidKey(from); err != nil {
		return err
	}
	if err := ValidKey(to); err != nil {
		return err
	}
	_, err := s.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.bucket, Object: to},
		minio.CopySrcOptions{Bucket: s.bucket, Object: from})
	if s3Code(err) == minio.NoSuchKey {
		return fmt.Errorf("%w: %s", ErrNotFound, from)
	}
	if err != nil {
		return fmt.Errorf("blob: move %s: %w", from, err)
	}
	return s.Delete(ctx, from)
}

// List implements Store. It reports only objects whose names are valid keys.
func (s *S3) List(ctx context.Context, prefix string) ([]Info, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	// Cancelling stops minio-go's listing goroutine when we return early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	infos := []Info{}
	for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return nil, fmt.Errorf("blob: list: %w", oi.Err)
		}
		if ValidKey(oi.Key) != nil {
			continue
		}
		infos = append(infos, Info{Key: oi.Key, Size: oi.Size, Modified: oi.LastModified.UTC()})
	}
	slices.SortFunc(infos, func(a, b Info) int { return strings.Compare(a.Key, b.Key) })
	return infos, nil
}

// Ping implements Store: the bucket must exist and the credentials must be
// good. It gives up when ctx ends; minio-go retries until then.
func (s *S3) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("blob: ping bucket %s: %w", s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("blob: ping: bucket %s does not exist", s.bucket)
	}
	return nil
}
