package blob

import (
	"context"
	"fmt"
	"time"

	"github.com/minio/minio-go/v7"
)

// AbortIncompleteUploads aborts the multipart uploads of the bucket that
// were started before before and never completed, such as the Put of a
// request that broke off when the server was killed: their parts take
// room in the store and no listing of blobs shows them. It returns how
// many it aborted; one that was completed or aborted meanwhile is not
// counted and is no error.
func (s *S3) AbortIncompleteUploads(ctx context.Context, before time.Time) (int, error) {
	core := minio.Core{Client: s.client}
	aborted := 0
	for up := range s.client.ListIncompleteUploads(ctx, s.bucket, "", true) {
		if up.Err != nil {
			return aborted, fmt.Errorf("blob: list incomplete uploads: %w", up.Err)
		}
		if !up.Initiated.Before(before) {
			continue
		}
		err := core.AbortMultipartUpload(ctx, s.bucket, up.Key, up.UploadID)
		switch {
		case s3Code(err) == "NoSuchUpload":
		case err != nil:
			return aborted, fmt.Errorf("blob: abort incomplete upload: %w", err)
		default:
			aborted++
		}
	}
	return aborted, nil
}
