// Package blob stores Tipline's encrypted tips and evidence: opaque blobs,
// always OpenPGP ciphertext, under random keys.
//
// [Store] is the interface the rest of Tipline uses. [Dir] keeps blobs in a
// local directory (the embedded default); [S3] keeps them in a bucket of
// MinIO, AWS S3 or another S3-compatible service. Both make a blob visible
// only once Put has written all of it, and both stream: a Put of any size
// holds at most two S3 parts (16 MiB each by default) in memory, and one
// that fills slowly far less (see s3_part.go). Both also make a blob of
// pieces that arrive in requests of their own, where the pieces were
// stored ([Store.BeginAssembly], assemble.go): the chunks of a browser
// upload become its object so.
//
// # Keys
//
// Keys are random ids from [NewKey], never names a user chose. [ValidKey]
// says what a key may hold: '/'-separated segments of [a-z0-9_-].
//
// # URLs
//
// [Open] takes the TIPLINE_BLOB_URL setting in one of these forms:
//
//	s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[?tls=true|false][&region=REGION][&part_size=BYTES]
//	file:///ABSOLUTE/PATH
//	PATH
//
// In the s3 form the keys are percent-encoded ('/' as %2F, '@' as %40,
// ':' as %3A, '%' as %25); tls defaults to true, region to us-east-1 and
// part_size to 16777216 (16 MiB, at least 5 MiB). Any other PATH, absolute or
// relative, is a directory, created with mode 0700 when missing. Other
// schemes are rejected, and no error repeats a URL, so secret keys stay out of
// logs.
package blob
