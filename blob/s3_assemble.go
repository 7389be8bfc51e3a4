package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
)

// maxParts is the most parts an S3 multipart upload may have.
const maxParts = 10000

// BeginAssembly implements Store: a multipart upload to key, whose upload
// ID is the handle. It stays invisible until FinishAssembly completes it.
func (s *S3) BeginAssembly(ctx context.Context, key string) (Assembly, error) {
	if err := ValidKey(key); err != nil {
		return Assembly{}, err
	}
	id, err := s.core().NewMultipartUpload(ctx, s.bucket, key, s.putOptions())
	if err != nil {
		return Assembly{}, fmt.Errorf("blob: begin assembly of %s: %w", key, err)
	}
	return Assembly{Key: key, Handle: id}, nil
}

// PutPiece implements Store: piece n is part n+1 of the multipart upload.
// It is held (in memory, or in a spill file when it arrives slowly, as
// Put's parts are) until it has arrived whole, then uploaded: S3 needs
// each part's size first, and keeps the part it had until the new one is
// complete. offset is not needed.
func (s *S3) PutPiece(ctx context.Context, a Assembly, n int, offset int64, r io.Reader) (int64, error) {
	if err := a.valid(); err != nil {
		return 0, err
	}
	if n < 0 || n >= maxParts || offset < 0 {
		return 0, fmt.Errorf("blob: piece %d of %s: %w", n, a.Key, ErrPieces)
	}
	part := partBuffer{spill: s.spill}
	defer part.release()
	ended, err := part.fill(ctxReader{ctx, r}, maxPartSize)
	if err == nil && !ended {
		err = fmt.Errorf("more than %d bytes", maxPartSize)
	}
	if err == nil {
		_, err = s.core().PutObjectPart(ctx, s.bucket, a.Key, a.Handle, n+1, part.reader(), part.n, partOptions)
	}
	if err != nil {
		return 0, fmt.Errorf("blob: piece %d of %s: %w", n, a.Key, assemblyError(err))
	}
	return part.n, nil
}

// FinishAssembly implements Store: it lists the upload's parts, checks
// parts 1 to len(sizes) against sizes, and completes the upload with them
// (S3 drops the others). An upload completed already is ErrNotFound, as
// the handle no longer names one.
func (s *S3) FinishAssembly(ctx context.Context, a Assembly, sizes []int64) (Info, error) {
	if err := a.valid(); err != nil {
		return Info{}, err
	}
	parts, total, err := s.assembledParts(ctx, a, sizes)
	if err == nil {
		_, err = s.core().CompleteMultipartUpload(ctx, s.bucket, a.Key, a.Handle, parts, s.putOptions())
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: finish %s: %w", a.Key, assemblyError(err))
	}
	return Info{Key: a.Key, Size: total, Modified: time.Now().UTC()}, nil
}

// assembledParts returns the parts that make the pieces of sizes, and
// their total size; ErrPieces when one is missing or of another size.
func (s *S3) assembledParts(ctx context.Context, a Assembly, sizes []int64) ([]minio.CompletePart, int64, error) {
	if len(sizes) == 0 || len(sizes) > maxParts {
		return nil, 0, fmt.Errorf("%w: %d pieces", ErrPieces, len(sizes))
	}
	stored := make(map[int]minio.ObjectPart, len(sizes))
	for marker := 0; ; {
		res, err := s.core().ListObjectParts(ctx, s.bucket, a.Key, a.Handle, marker, 1000)
		if err != nil {
			return nil, 0, err
		}
		for _, p := range res.ObjectParts {
			stored[p.PartNumber] = p
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			break
		}
		marker = res.NextPartNumberMarker
	}
	parts := make([]minio.CompletePart, len(sizes))
	var total int64
	for i, size := range sizes {
		p, ok := stored[i+1]
		if !ok || p.Size != size {
			return nil, 0, fmt.Errorf("%w: piece %d", ErrPieces, i)
		}
		parts[i] = minio.CompletePart{PartNumber: p.PartNumber, ETag: p.ETag}
		total += size
	}
	return parts, total, nil
}

// AbortAssembly implements Store.
func (s *S3) AbortAssembly(ctx context.Context, a Assembly) error {
	if err := a.valid(); err != nil {
		return err
	}
	err := s.core().AbortMultipartUpload(ctx, s.bucket, a.Key, a.Handle)
	if err != nil && !errors.Is(assemblyError(err), ErrNotFound) {
		return fmt.Errorf("blob: abort assembly of %s: %w", a.Key, err)
	}
	return nil
}

// assemblyError wraps ErrNotFound around S3's answer that the upload is
// gone, ErrFull around its storage full, and ErrPieces around a part too
// small, which only pieces of the wrong sizes make.
func assemblyError(err error) error {
	switch s3Code(err) {
	case "NoSuchUpload":
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case "XMinioStorageFull":
		return fmt.Errorf("%w: %w", ErrFull, err)
	case "EntityTooSmall", "InvalidPart", "InvalidPartOrder":
		return fmt.Errorf("%w: %w", ErrPieces, err)
	}
	return err
}
