package blob

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
)

// maxParts is the most parts an S3 multipart upload may have.
const maxParts = 10000

// Compose implements Store as one multipart upload, completed only when
// every part is in, so that S3 makes dst visible at once or not at all; a
// failure aborts it. A source of at least 5 MiB (S3's smallest part but
// the last) becomes a part by a server-side copy (UploadPartCopy): its
// bytes never leave the server. Smaller sources are gathered with the ones
// after them until the part reaches 5 MiB, and those parts are sent
// through the program (one part in memory at a time). Each source may be
// at most 5 GiB.
func (s *S3) Compose(ctx context.Context, dst string, srcs []string) (Info, error) {
	if err := validCompose(dst, srcs); err != nil {
		return Info{}, err
	}
	core := minio.Core{Client: s.client}
	uploadID, err := core.NewMultipartUpload(ctx, s.bucket, dst, minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return Info{}, fmt.Errorf("blob: compose %s: %w", dst, err)
	}
	size, parts, err := s.composeParts(ctx, core, dst, uploadID, srcs)
	if err == nil {
		_, err = core.CompleteMultipartUpload(ctx, s.bucket, dst, uploadID, parts, minio.PutObjectOptions{})
	}
	if err != nil {
		// Best effort: parts left behind are invisible, and expire.
		_ = core.AbortMultipartUpload(context.WithoutCancel(ctx), s.bucket, dst, uploadID)
		if s3Code(err) == "XMinioStorageFull" {
			return Info{}, fmt.Errorf("blob: compose %s: %w: %w", dst, ErrFull, err)
		}
		return Info{}, fmt.Errorf("blob: compose %s: %w", dst, err)
	}
	return Info{Key: dst, Size: size, Modified: time.Now().UTC()}, nil
}

// composeParts uploads the parts of Compose and returns the size of the
// whole and the parts to complete the upload with.
func (s *S3) composeParts(ctx context.Context, core minio.Core, dst, uploadID string, srcs []string) (int64, []minio.CompletePart, error) {
	var total int64
	var parts []minio.CompletePart
	for i := 0; i < len(srcs); {
		// A part: the sources from i on until it holds 5 MiB, or the rest.
		var group []Info
		var size int64
		for ; i < len(srcs) && (len(group) == 0 || size < minPartSize); i++ {
			info, err := s.Stat(ctx, srcs[i])
			if err != nil {
				return 0, nil, err
			}
			if info.Size > maxPartSize {
				return 0, nil, fmt.Errorf("source %s is larger than %d bytes", srcs[i], maxPartSize)
			}
			group = append(group, info)
			size += info.Size
		}
		if len(parts) == maxParts {
			return 0, nil, fmt.Errorf("more than %d parts", maxParts)
		}
		part, err := s.composePart(ctx, core, dst, uploadID, len(parts)+1, group, size)
		if err != nil {
			return 0, nil, err
		}
		parts = append(parts, part)
		total += size
	}
	return total, parts, nil
}

// composePart uploads part n of Compose from the sources in group, of size
// bytes in all: a server-side copy of a single source, or the sources read
// one after the other.
func (s *S3) composePart(ctx context.Context, core minio.Core, dst, uploadID string, n int, group []Info, size int64) (minio.CompletePart, error) {
	if len(group) == 1 {
		// Length -1: the whole source, without a range.
		return core.CopyObjectPart(ctx, s.bucket, group[0].Key, s.bucket, dst, uploadID, n, 0, -1, nil)
	}
	readers := make([]io.Reader, len(group))
	for i, info := range group {
		rc, err := s.Get(ctx, info.Key)
		if err != nil {
			return minio.CompletePart{}, err
		}
		defer rc.Close()
		readers[i] = rc
	}
	p, err := core.PutObjectPart(ctx, s.bucket, dst, uploadID, n, io.MultiReader(readers...), size, partOptions)
	if err != nil {
		return minio.CompletePart{}, err
	}
	return minio.CompletePart{
		PartNumber: p.PartNumber, ETag: p.ETag,
		ChecksumCRC32: p.ChecksumCRC32, ChecksumCRC32C: p.ChecksumCRC32C,
		ChecksumSHA1: p.ChecksumSHA1, ChecksumSHA256: p.ChecksumSHA256,
		ChecksumCRC64NVME: p.ChecksumCRC64NVME,
	}, nil
}
