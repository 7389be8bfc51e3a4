package blob

import "time"

// SetSpill sets when the parts of s leave memory for a file (see
// s3_part.go): after filling for after, or once all of them hold budget
// bytes; so that a test need not wait seconds, or send hundreds of MiB.
func SetSpill(s *S3, after time.Duration, budget int64) {
	s.spill.after, s.spill.budget = after, budget
}
