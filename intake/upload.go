package intake

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
)

// Uploads on the JavaScript path. A source's browser encrypts the manifest
// and each file to the desk's keys, then sends each resulting OpenPGP
// message to an upload session in chunks, each stored as it streams in as
// the next piece of the object the session becomes (see
// upload_assembly.go). A dropped connection costs one chunk: the browser
// asks which chunks arrived and goes on. Each chunk is checked as it
// arrives, and the submission then has the blob store finish each
// session's object in place, without reading or copying its chunks, and
// commits.
const (
	// DefaultChunkSize is the chunk size of an upload session, and the
	// largest a client may ask for.
	DefaultChunkSize = 8 << 20
	// MinChunkSize is the smallest chunk size a client may ask for: on S3
	// every part of an object but the last holds at least 5 MiB
	// (blob.MinPiece), and chunk 0's piece is the chunk less its key
	// packets, given a mebibyte here.
	MinChunkSize = blob.MinPiece + 1<<20
	// UploadTTL is how long an upload session lives after it is opened,
	// rounded up to the hour; chunks do not extend it. The janitor then
	// removes it (SweepUploads).
	UploadTTL = 24 * time.Hour
	// maxUploadLife is the longest an upload session lives: UploadTTL
	// from the start of the hour it was opened in, plus an hour.
	maxUploadLife = UploadTTL + time.Hour
	// DefaultMaxUploadSessions is the default cap on open upload sessions
	// over all desks (UploadLimits.MaxSessions).
	DefaultMaxUploadSessions = 10000
	// DefaultUploadIdle is how long an upload session may stay idle by
	// default (UploadLimits.IdleAfter): longer than a whole chunk takes at
	// the minimum upload rate (8 MiB at 8 KiB/s, 17 minutes).
	DefaultUploadIdle = 30 * time.Minute
	// MaxSubmissionFiles bounds the files of one browser submission.
	MaxSubmissionFiles = 100

	uploadsPrefix = "uploads/"
	// maxChunks bounds the chunks of one session, whatever the limits.
	maxChunks = 1 << 20
)

// Upload is an upload session: one OpenPGP message arriving in chunks, in
// order. Every chunk but the last is exactly ChunkSize bytes.
type Upload struct {
	ID          string
	DeskSlug    string
	ChunkSize   int64
	MaxBytes    int64 // the size the client declared: the most the session takes
	Claimed     bool  // a submission is reading it
	ExpiresHour int64 // Unix seconds, on the hour: no finer time is kept
	Chunks      []UploadChunk
}

// UploadChunk is one stored chunk of an upload session.
type UploadChunk struct {
	N    int
	Size int64
}

// Bytes returns how many bytes of the session's chunks are stored.
func (u Upload) Bytes() int64 {
	var n int64
	for _, c := range u.Chunks {
		n += c.Size
	}
	return n
}

// UploadLimits bounds the upload sessions of the JavaScript path. Their
// bytes are reserved against the pending-bytes budget (Limits.PendingBytes)
// as they arrive, a chunk at a time, and released when the session is
// submitted or removed.
type UploadLimits struct {
	// MaxFileBytes is the largest file a session may be declared for; 0
	// means 2 GiB.
	MaxFileBytes int64
	// MaxSessions caps the sessions open at once over all desks; 0 means
	// DefaultMaxUploadSessions.
	MaxSessions int
	// IdleAfter is how long a session may go without a new chunk stored
	// before it is removed (SweepIdleUploads), with its chunks and their
	// reservation; 0 means DefaultUploadIdle.
	IdleAfter time.Duration
}

// ErrTooManyUploads refuses a new upload session while the cap on open
// sessions is reached. It is Busy, not Unavailable: the form without
// JavaScript opens no session and still takes tips, and the desk page
// offers it.
var ErrTooManyUploads = tipline.Errorf(tipline.Busy, "Too many uploads are in progress right now; nothing was saved. Send the form without browser encryption, or try again later.")

// UploadStore keeps the upload sessions of the JavaScript path.
type UploadStore interface {
	// CreateUpload records a new session unless maxOpen sessions or more
	// have not expired at now (Unix seconds; maxOpen 0: no cap), checked
	// and recorded at once; NotFound for an unknown desk,
	// ErrTooManyUploads at the cap.
	CreateUpload(ctx context.Context, u Upload, maxOpen int, now int64) error
	// OpenUploads counts the sessions that have not expired at now.
	OpenUploads(ctx context.Context, now int64) (int, error)
	// Upload returns a session with its chunks sorted by N; NotFound when
	// there is none.
	Upload(ctx context.Context, id string) (Upload, error)
	// AddChunk records chunk n of an unclaimed session, in order: n is the
	// next chunk, or the last one recorded sent again (its record is
	// replaced). NotFound when there is no such session, Conflict when it
	// is claimed or n is out of order.
	AddChunk(ctx context.Context, id string, n int, size int64) error
	// KeepUpload counts progress of an unclaimed session and marks it as
	// held by keeps, until its next new chunk (see Service.KeepUpload);
	// NotFound when it is missing, Conflict when it is claimed, and
	// ErrKeepsFull when the bytes of the sessions held by keeps, this one
	// included, would exceed maxKept (0: no cap).
	KeepUpload(ctx context.Context, id string, maxKept int64) error
	// ClaimUploads marks sessions as being submitted, all of them or none;
	// NotFound when one is missing, Conflict when one is claimed already.
	ClaimUploads(ctx context.Context, ids []string) error
	// SweepIdleUploads removes the unclaimed sessions, with their chunk
	// records, whose progress has not changed since the last sweep, and
	// returns their ids; unless a sweep ran less than every seconds before
	// now (Unix seconds), on any node: then it does nothing.
	SweepIdleUploads(ctx context.Context, now, every int64) ([]string, error)
	// ReleaseUploads undoes ClaimUploads, and counts progress.
	ReleaseUploads(ctx context.Context, ids []string) error
	// DeleteUploads removes sessions and their chunk records.
	DeleteUploads(ctx context.Context, ids []string) error
	// ExpiredUploads lists the sessions whose expiry is at or before now
	// (Unix seconds).
	ExpiredUploads(ctx context.Context, now int64) ([]string, error)
}

// MaxMessageBytes returns the largest OpenPGP message a browser may upload
// for a file of at most maxFile bytes: the file plus room for key packets,
// packet headers and integrity tags.
func MaxMessageBytes(maxFile int64) int64 {
	return maxFile + maxFile/64 + 1<<20
}

// ValidUploadID reports whether id has the form of an upload session id.
func ValidUploadID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for i := range len(id) {
		if c := id[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// expiresHour returns the expiry of a session opened at now: UploadTTL
// later, rounded up to the hour.
func expiresHour(now time.Time) int64 {
	return now.UTC().Truncate(time.Hour).Add(maxUploadLife).Unix()
}

// BeginUpload opens an upload session to a desk for one message of at
// most size bytes: the size the client declares, at most
// MaxMessageBytes of the largest file (TooLarge). A browser that encrypts
// a stream does not know the exact size of the result in advance; it
// declares MaxMessageBytes of the file's size, which bounds it. chunkSize 0
// means DefaultChunkSize; a client on a poor connection may ask for
// smaller chunks, down to MinChunkSize.
//
// The session opens the assembly of the object it will become in the blob
// store (Unavailable when the store fails). It costs a proof of work that
// grows with size (UploadPowBits). None opens while a byte budget is
// exhausted (ErrStorageFull), and at most Uploads.MaxSessions are open at once
// (ErrTooManyUploads). It lives UploadTTL from now, whatever arrives, and
// is removed sooner when it goes Uploads.IdleAfter without progress.
func (s *Service) BeginUpload(ctx context.Context, slug string, size, chunkSize int64, pow Pow) (Upload, error) {
	if limit := MaxMessageBytes(s.maxFileBytes()); size > limit {
		return Upload{}, tipline.Errorf(tipline.TooLarge, "The upload is larger than this site accepts (at most %d bytes).", limit)
	}
	if size <= 0 {
		return Upload{}, tipline.Errorf(tipline.Invalid, "Declare the size of the message, in bytes, when opening an upload.")
	}
	if chunkSize == 0 {
		chunkSize = DefaultChunkSize
	}
	if chunkSize < MinChunkSize || chunkSize > DefaultChunkSize {
		return Upload{}, tipline.Errorf(tipline.Invalid, "The chunk size must be between %d and %d bytes.", MinChunkSize, DefaultChunkSize)
	}
	if _, _, err := s.Desks.Accepting(ctx, slug); err != nil {
		return Upload{}, err
	}
	// The budget before the proof of work, which stays unspent when the
	// storage is full: the browser asks again with it once there is room.
	if err := s.checkBudget(ctx); err != nil {
		return Upload{}, err
	}
	if err := s.checkUploadPow(ctx, slug, size, pow); err != nil {
		return Upload{}, err
	}
	u := Upload{
		ID:          blob.NewKey(""),
		DeskSlug:    slug,
		ChunkSize:   chunkSize,
		MaxBytes:    size,
		ExpiresHour: expiresHour(s.Now()),
	}
	if err := s.Store.CreateUpload(ctx, u, s.maxUploadSessions(), s.Now().Unix()); err != nil {
		return Upload{}, err
	}
	if err := s.beginAssembly(ctx, u.ID); err != nil {
		if derr := s.Store.DeleteUploads(context.WithoutCancel(ctx), []string{u.ID}); derr != nil {
			s.Logger.Warn("upload session stays until the janitor removes it", "err", derr)
		}
		return Upload{}, err
	}
	return u, nil
}

// maxFileBytes returns Uploads.MaxFileBytes, or its default.
func (s *Service) maxFileBytes() int64 {
	if s.Uploads.MaxFileBytes > 0 {
		return s.Uploads.MaxFileBytes
	}
	return 2 << 30
}

// maxUploadSessions returns Uploads.MaxSessions, or its default.
func (s *Service) maxUploadSessions() int {
	if s.Uploads.MaxSessions > 0 {
		return s.Uploads.MaxSessions
	}
	return DefaultMaxUploadSessions
}

// KeepUpload counts as progress of session id, so that the idle sweep
// leaves it (see SweepIdleUploads). A browser keeps the sessions of the
// files it has sent whole while it sends the tip's next files, which over
// Tor can take longer than the idle period. A keep costs a proof of work
// of the size the session declared, as opening the session again would,
// and brings no more bytes nor a longer life (UploadTTL).
//
// Without keeps, holding bytes of the pending budget takes sending new
// ones every idle period or two. Keeps must not make that cheap: the
// sessions held by keeps may hold an eighth of the budget together
// (ErrKeepsFull beyond). A source whose keep is refused loses nothing
// but time: should its session be removed, the page sends the file again.
func (s *Service) KeepUpload(ctx context.Context, id string, pow Pow) error {
	u, err := s.Upload(ctx, id)
	if err != nil {
		return err
	}
	if err := s.checkUploadPow(ctx, u.DeskSlug, u.MaxBytes, pow); err != nil {
		return err
	}
	err = s.Store.KeepUpload(ctx, id, s.Limits.PendingBytes/keptShare)
	if tipline.ErrorCode(err) == tipline.NotFound {
		return ErrUploadGone
	}
	return err
}

// keptShare is the share of the pending budget (one in keptShare) that
// the sessions held by keeps may hold together.
const keptShare = 8

// ErrKeepsFull refuses a keep when the sessions held by keeps hold their
// share of the pending budget already.
var ErrKeepsFull = tipline.Errorf(tipline.Busy, "Too many uploads are waiting to be submitted; this one was not kept.")

// KeepAfter is how often a browser keeps a session it has sent whole
// (KeepUpload): a third of the idle period, so that every idle sweep
// sees progress even when a keep is late.
func (s *Service) KeepAfter() time.Duration {
	return s.idleAfter() / 3
}

// idleAfter returns Uploads.IdleAfter, or its default.
func (s *Service) idleAfter() time.Duration {
	if s.Uploads.IdleAfter > 0 {
		return s.Uploads.IdleAfter
	}
	return DefaultUploadIdle
}

// sessionKey is the key under which an upload session's bytes are
// reserved against the pending-bytes budget: the prefix of its chunks.
func sessionKey(id string) string {
	return uploadsPrefix + id + "/"
}

// Upload returns an upload session that has not expired, with its chunks.
func (s *Service) Upload(ctx context.Context, id string) (Upload, error) {
	if !ValidUploadID(id) {
		return Upload{}, ErrUploadGone
	}
	u, err := s.Store.Upload(ctx, id)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && u.ExpiresHour <= s.Now().Unix()) {
		return Upload{}, ErrUploadGone
	}
	return u, err
}

// ErrUploadGone is the answer for an upload session that does not exist:
// never opened, expired, or removed as idle (SweepIdleUploads). The page
// that was sending it starts its file again in a new session.
var ErrUploadGone = tipline.Errorf(tipline.NotFound, "This upload does not exist or has expired. Please send your tip again.")

// errNotCiphertext is the refusal of anything but an OpenPGP message to
// the desk's keys.
const errNotCiphertext = "The upload is not an OpenPGP message encrypted to this desk's keys; it was removed."

// errChunkNotCiphertext refuses a chunk that is not part of an OpenPGP
// message to the desk's keys, and its whole session with it.
var errChunkNotCiphertext = tipline.Errorf(tipline.Invalid, errNotCiphertext)

// PutChunk stores chunk n of an upload session as it streams in from r,
// and returns its size. Chunks arrive in order: n must be the next chunk,
// or the last one stored sent again (a retry after a lost answer), which
// replaces it; Conflict otherwise. A chunk may be at most the session's
// chunk size, and the session at most its declared size (TooLarge).
//
// Each chunk is checked as it streams, so that a session that is not an
// OpenPGP message to the desk is refused at its first bad chunk, not at
// submission: chunk 0 must hold the complete key packets, to exactly the
// desk's keys, and the header of the encrypted data packet
// (crypto.ReadBodyStart); in every chunk the length headers of the
// encrypted packet must follow on from the chunk before, nothing may
// follow the packet's end, and its data must look like ciphertext
// (crypto.BodyCheck). A refused chunk, or one that does not follow on from
// the pieces stored (the chunk before it was sent again, different, while
// it arrived), removes the whole session with its chunks (Invalid). What
// the check knows after each chunk is stored with it (chunkState), with
// the running SHA-256 of the message; at submission only the states are
// read, to check that the message is complete.
//
// Before it is read, the chunk's largest size is reserved against the
// pending-bytes budget (ErrStorageFull when the budget is exhausted: the
// browser sends the chunk again later); once stored, the reservation is
// its size, and a new chunk counts as progress of the session (see
// SweepIdleUploads).
//
// The chunk after the next may arrive while the next is stored on this
// node, or shortly before that starts: it waits for the next one's end,
// then is taken or refused as above (see arrivals).
//
// When reading r fails, the chunk did not arrive whole: Invalid, or r's
// own error when it carries a code (the caller classified it); the
// session stays for the chunk to be sent again. When the blob store
// fails: Unavailable.
func (s *Service) PutChunk(ctx context.Context, id string, n int, r io.Reader) (int64, error) {
	u, err := s.chunkTurn(ctx, id, n)
	if err != nil {
		return 0, err
	}
	defer s.arrivals.begin(id, n)()
	var before int64 // bytes of the chunks before n
	for _, c := range u.Chunks {
		if c.N < n {
			before += c.Size
		}
	}
	limit := min(u.ChunkSize, u.MaxBytes-int64(n)*u.ChunkSize)
	if err := s.reserve(ctx, sessionKey(id), before+limit); err != nil {
		return 0, err
	}
	size, err := s.putChunk(ctx, u, n, limit, r)
	switch {
	case errors.Is(err, errChunkNotCiphertext) || errors.Is(err, blob.ErrPieces):
		s.removeUploads(context.WithoutCancel(ctx), []string{id})
	case tipline.ErrorCode(err) == tipline.NotFound:
		s.release(ctx, sessionKey(id)) // removed meanwhile
	case err != nil:
		s.reserveAnyway(context.WithoutCancel(ctx), sessionKey(id), u.Bytes()) // as before; else it lapses
	default:
		s.reserveAnyway(context.WithoutCancel(ctx), sessionKey(id), before+size)
	}
	return size, err
}

// chunkTurn returns session id once chunk n may be stored in it: at once,
// or after the chunk before it, which this node is storing, is stored
// (arrivals). NotFound when the session is gone, Conflict when it is
// claimed or n is out of order, TooLarge when n lies past its declared
// size.
func (s *Service) chunkTurn(ctx context.Context, id string, n int) (Upload, error) {
	for waited := false; ; waited = true {
		u, err := s.Upload(ctx, id)
		if err != nil {
			return Upload{}, err
		}
		if u.Claimed {
			return Upload{}, tipline.Errorf(tipline.Conflict, "This upload is being submitted already.")
		}
		if n < 0 || n >= maxChunks || int64(n)*u.ChunkSize >= u.MaxBytes {
			return Upload{}, tipline.Errorf(tipline.TooLarge, "The upload is larger than its declared size of %d bytes.", u.MaxBytes)
		}
		err = u.inOrder(n)
		if err == nil || waited || n != len(u.Chunks)+1 {
			return u, err
		}
		// Load the session again after any wait: chunk n-1 may have
		// started and been stored between the load above and the wait.
		s.arrivals.waitFor(ctx, id, n-1)
		if err := ctx.Err(); err != nil {
			return Upload{}, err
		}
	}
}

// putChunk checks chunk n, of at most limit bytes, of session u for
// PutChunk and stores it as the next piece of the session's assembly,
// then the state of the check after it (chunkState);
// errChunkNotCiphertext when the check refuses it.
func (s *Service) putChunk(ctx context.Context, u Upload, n int, limit int64, r io.Reader) (int64, error) {
	id := u.ID
	a, err := s.loadAssembly(ctx, id)
	if errors.Is(err, ErrUploadGone) {
		s.removeUploads(context.WithoutCancel(ctx), []string{id})
	}
	if err != nil {
		return 0, err
	}
	check := &chunkCheck{hash: sha256.New()}
	var prev []byte  // SHA-256 of the message before chunk n
	var offset int64 // bytes of the pieces before chunk n's
	if n == 0 {
		if _, check.recipients, err = s.Desks.Accepting(ctx, u.DeskSlug); err != nil {
			return 0, err
		}
	} else {
		st, err := s.loadChunkState(ctx, id, n-1)
		if errors.Is(err, ErrUploadGone) {
			s.removeUploads(context.WithoutCancel(ctx), []string{id})
		}
		if err != nil {
			return 0, err
		}
		if check.hash, err = st.hash(); err != nil {
			return 0, err
		}
		if prev, err = st.digest(); err != nil {
			return 0, err
		}
		check.body.BodyState = st.Body
		offset = st.End
	}
	body := &limitedReader{r: r, left: limit}
	check.r = bufio.NewReader(body)
	stored, err := s.Blobs.PutPiece(ctx, a, n, offset, check)
	switch {
	case body.over:
		return 0, tipline.Errorf(tipline.TooLarge, "A chunk may be at most %d bytes, and the upload at most its declared size of %d.", u.ChunkSize, u.MaxBytes)
	case body.err != nil:
		err := fmt.Errorf("intake: reading chunk %d: %w", n, body.err)
		var coded *tipline.Error
		if errors.As(body.err, &coded) {
			return 0, err
		}
		return 0, tipline.Wrap(tipline.Invalid, err, "The chunk did not arrive whole. Please send it again.")
	case check.refused != nil:
		return 0, fmt.Errorf("%w: chunk %d: %w", errChunkNotCiphertext, n, check.refused)
	case errors.Is(err, blob.ErrNotFound):
		return 0, tipline.Wrap(tipline.Conflict, err, "This upload was submitted or removed; it takes no more chunks.")
	case errors.Is(err, blob.ErrPieces):
		// The chunks stored do not end where the one before said: one was
		// sent again, different, while this one arrived.
		return 0, tipline.Wrap(tipline.Invalid, err, errUploadChanged.Message)
	case err != nil:
		return 0, storeFailure(err)
	case stored == 0:
		return 0, tipline.Errorf(tipline.Invalid, "A chunk cannot be empty.")
	}
	size := int64(len(check.keyPackets)) + stored
	if size == u.ChunkSize && stored < blob.MinPiece {
		// Only chunk 0 can, with key packets of more than a mebibyte.
		return 0, tipline.Errorf(tipline.Invalid, "The key packets leave too little of the first chunk; open the upload with larger chunks.")
	}
	sum, err := check.hash.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return 0, err
	}
	st := chunkState{Size: size, Stored: stored, End: offset + stored, Prev: prev, SHA256: sum, Body: check.body.BodyState,
		KeyPackets: check.keyPackets, BodyStart: check.bodyStart}
	if err := s.saveSessionBlob(ctx, chunkStateKey(id, n), st); err != nil {
		return 0, err
	}
	if err := s.Store.AddChunk(ctx, id, n, size); err != nil {
		if tipline.ErrorCode(err) == tipline.NotFound {
			// The session went idle and was removed while this chunk arrived.
			s.deleteChunks(context.WithoutCancel(ctx), id)
			return 0, ErrUploadGone
		}
		return 0, err
	}
	return size, nil
}

// inOrder checks that chunk n may be stored now: the next chunk after a
// whole one, or the last chunk stored, sent again.
func (u Upload) inOrder(n int) error {
	k := len(u.Chunks)
	switch {
	case n == k && k > 0 && u.Chunks[k-1].Size != u.ChunkSize:
		return tipline.Errorf(tipline.Conflict, "The upload ended with chunk %d; no chunk may follow it.", k-1)
	case n == k || n == k-1:
		return nil
	case n > k:
		return tipline.Errorf(tipline.Conflict, "Chunk %d has not arrived: chunks are taken in order.", k)
	}
	return tipline.Errorf(tipline.Conflict, "Chunk %d was stored already; only the last chunk may be sent again.", n)
}

// chunkCheck passes a chunk through as it is read and checks it: in chunk
// 0 (recipients set) the start of the message, whose key packets it keeps
// out of the chunk's blob, and in every chunk the rest of the encrypted
// packet (crypto.BodyCheck), while it hashes every byte that arrived. The
// read fails at the first refusal, which stays in refused (it wraps
// crypto.ErrInvalidMessage).
type chunkCheck struct {
	r          *bufio.Reader
	recipients []*crypto.PublicKey // the desk's keys, for chunk 0 only
	hash       hash.Hash           // of the message, from its first byte
	body       crypto.BodyCheck
	started    bool
	keyPackets []byte // chunk 0: the key packets
	bodyStart  []byte // chunk 0: the encrypted packet's header and first octet
	header     []byte // the encrypted packet's header, still to pass on
	refused    error
}

func (c *chunkCheck) Read(p []byte) (int, error) {
	if c.refused != nil {
		return 0, c.refused
	}
	if !c.started {
		c.started = true
		if c.recipients != nil {
			keyPackets, header, state, err := crypto.ReadBodyStart(c.r, c.recipients...)
			if err != nil {
				return 0, c.refuse(err)
			}
			version, _ := c.r.Peek(1) // ReadBodyStart peeked at it
			c.keyPackets, c.header, c.body.BodyState = keyPackets, header, state
			c.bodyStart = append(slices.Clip(header), version...)
			c.hash.Write(keyPackets)
			c.hash.Write(header)
		}
	}
	if len(c.header) > 0 {
		n := copy(p, c.header)
		c.header = c.header[n:]
		return n, nil
	}
	n, err := c.r.Read(p)
	c.hash.Write(p[:n])
	if _, werr := c.body.Write(p[:n]); werr != nil {
		return 0, c.refuse(werr)
	}
	if err == io.EOF {
		if cerr := c.body.EndPiece(); cerr != nil {
			return 0, c.refuse(cerr)
		}
	}
	return n, err
}

// refuse keeps err when it is a refusal of the message, and returns it.
func (c *chunkCheck) refuse(err error) error {
	if errors.Is(err, crypto.ErrInvalidMessage) {
		c.refused = err
	}
	return err
}

// limitedReader reads at most left bytes, and fails if r has more. It
// keeps the first error of r other than io.EOF.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
	err  error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One more byte tells a chunk of exactly the limit from a longer one.
		var b [1]byte
		n, err := l.r.Read(b[:])
		if n > 0 {
			l.over = true
			return 0, errors.New("intake: chunk too large")
		}
		return 0, l.keep(err)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, l.keep(err)
}

// keep records the first error of r, leaving io.EOF alone.
func (l *limitedReader) keep(err error) error {
	if err != nil && err != io.EOF && l.err == nil {
		l.err = err
	}
	return err
}

// SubmitUploads submits a tip made in the browser: the manifest and the
// files, each a complete upload session to the desk. After the proof of
// work and the rate limits, each session becomes its object
// (finishUpload): the states its chunks left are checked (they chain,
// the message is complete, its key packets are for exactly the desk's
// current keys) and the blob store finishes the session's assembly into
// the pending blob, in place; then the submission is committed and the
// sessions removed. A message that fails the check (a foreign or missing
// recipient, a truncated message, chunks that do not chain) fails the
// whole submission with an Invalid error: nothing is committed and every
// upload of it is removed. On any other error (an incomplete upload, an
// unreachable store, a commit refused) nothing is committed either, and
// the uploads stay for the source to complete or retry, with the objects
// finished already, which the retry takes as they are.
func (s *Service) SubmitUploads(ctx context.Context, slug, manifest string, files []string, pow Pow, opts CommitOptions) (*Receipt, error) {
	if err := s.CheckProofOfWork(ctx, slug, pow); err != nil {
		return nil, err
	}
	ids := append([]string{manifest}, files...)
	if len(files) > MaxSubmissionFiles {
		return nil, tipline.Errorf(tipline.TooLarge, "A tip can have at most %d files; you can add more later with your codename.", MaxSubmissionFiles)
	}
	for i, id := range ids {
		if !ValidUploadID(id) {
			return nil, ErrUploadGone
		}
		if slices.Contains(ids[:i], id) {
			return nil, tipline.Errorf(tipline.Invalid, "The same upload is named twice.")
		}
	}
	_, recipients, err := s.Desks.Accepting(ctx, slug)
	if err != nil {
		return nil, err
	}
	if err := s.Store.ClaimUploads(ctx, ids); err != nil {
		switch tipline.ErrorCode(err) {
		case tipline.NotFound:
			return nil, ErrUploadGone
		case tipline.Conflict:
			return nil, tipline.Wrap(tipline.Conflict, err, "These uploads are being submitted already.")
		}
		return nil, err
	}
	var objects []Object
	// discard ends a failed submission. When a message failed the check
	// (drop), the objects finished go with every upload. Otherwise the
	// source may retry: the uploads stay, and so do the objects, which the
	// retry takes as they are (the janitor removes them if none comes).
	discard := func(err error, drop bool) error {
		cleanup := context.WithoutCancel(ctx)
		if drop {
			for _, o := range objects {
				if derr := s.Blobs.Delete(cleanup, o.BlobKey); derr != nil {
					s.Logger.Warn("abandoned pending blob; the janitor will remove it", "err", derr)
				}
			}
			s.removeUploads(cleanup, ids)
		} else if rerr := s.Store.ReleaseUploads(cleanup, ids); rerr != nil {
			s.Logger.Warn("upload sessions stay claimed until they expire", "err", rerr)
		}
		return err
	}
	uploads := make([]Upload, len(ids))
	for i, id := range ids {
		u, err := s.Upload(ctx, id)
		if err == nil && u.DeskSlug != slug {
			err = ErrUploadGone
		}
		if err == nil {
			err = u.complete()
		}
		if err != nil {
			return nil, discard(err, false)
		}
		uploads[i] = u
	}
	for i, u := range uploads {
		kind := KindFile
		if i == 0 {
			kind = KindManifest
		}
		obj, err := s.finishUpload(ctx, u, recipients, kind, i)
		if err != nil {
			return nil, discard(err, tipline.ErrorCode(err) == tipline.Invalid)
		}
		objects = append(objects, obj)
	}
	receipt, err := s.commit(ctx, slug, "browser", objects, opts)
	if err != nil {
		return nil, discard(err, false)
	}
	s.removeUploads(context.WithoutCancel(ctx), ids)
	return receipt, nil
}

// complete checks that a session holds a whole message: chunks 0 to n-1,
// every one but the last exactly the chunk size.
func (u Upload) complete() error {
	if len(u.Chunks) == 0 {
		return tipline.Errorf(tipline.Conflict, "An upload is empty. Please send it, then submit again.")
	}
	for i, c := range u.Chunks {
		if c.N != i {
			return tipline.Errorf(tipline.Conflict, "Chunk %d of an upload is missing. Please send it, then submit again.", i)
		}
		if i < len(u.Chunks)-1 && c.Size != u.ChunkSize {
			return tipline.Errorf(tipline.Conflict, "Chunk %d of an upload is incomplete. Please send it again, then submit again.", i)
		}
	}
	return nil
}

// removeUploads deletes the sessions' chunks and rows. What it cannot
// delete, the janitor removes once the sessions expire.
func (s *Service) removeUploads(ctx context.Context, ids []string) {
	for _, id := range ids {
		if err := s.deleteChunks(ctx, id); err != nil {
			s.Logger.Warn("upload chunks stay until the janitor removes them", "err", err)
		}
	}
	if err := s.Store.DeleteUploads(ctx, ids); err != nil {
		s.Logger.Warn("upload sessions stay until the janitor removes them", "err", err)
	}
}

// deleteChunks aborts a session's assembly with its chunks (one that was
// finished stays, as the object it became), deletes the session's blobs
// (its chunks' states and its assembly's name), then releases the
// session's reservation of pending bytes.
func (s *Service) deleteChunks(ctx context.Context, id string) error {
	a, err := s.loadAssembly(ctx, id)
	if err == nil {
		err = s.Blobs.AbortAssembly(ctx, a)
	}
	if err != nil && !errors.Is(err, ErrUploadGone) {
		return err
	}
	infos, err := s.Blobs.List(ctx, sessionKey(id))
	if err != nil {
		return err
	}
	for _, info := range infos {
		if err := s.Blobs.Delete(ctx, info.Key); err != nil {
			return err
		}
	}
	s.release(ctx, sessionKey(id))
	return nil
}

// SweepIdleUploads removes the upload sessions that went a whole sweep
// without progress, that is between one and two Uploads.IdleAfter without
// a new chunk stored (a chunk sent again does not count), with their
// chunks and their reservation of
// pending bytes: a session that was opened and left holds its bytes for
// minutes, not for its whole UploadTTL. A session being submitted is left
// alone. No time is kept about a session for this: each sweep compares
// its progress count with what the previous sweep saw, and the sweeps of
// all app nodes together run at most once per IdleAfter. It returns how
// many sessions it removed (none when a sweep ran too recently).
func (s *Service) SweepIdleUploads(ctx context.Context) (int, error) {
	every := int64(s.idleAfter() / time.Second)
	ids, err := s.Store.SweepIdleUploads(ctx, s.Now().Unix(), every)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := s.deleteChunks(ctx, id); err != nil {
			return i, err // the rest: chunks without a session, for SweepUploads
		}
	}
	return len(ids), nil
}

// RunIdleSweep calls SweepIdleUploads four times per Uploads.IdleAfter
// until ctx ends.
func (s *Service) RunIdleSweep(ctx context.Context) {
	tick := time.NewTicker(s.idleAfter() / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if n, err := s.SweepIdleUploads(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("could not remove idle upload sessions", "err", err)
		} else if n > 0 {
			s.Logger.Info("removed idle upload sessions", "sessions", n)
		}
	}
}

// SweepUploads removes expired upload sessions with their chunks, and chunk
// blobs that belong to no session (a chunk that finished arriving after its
// session was submitted or removed). It returns how many sessions' chunks
// it removed.
func (s *Service) SweepUploads(ctx context.Context) (int, error) {
	expired, err := s.Store.ExpiredUploads(ctx, s.Now().Unix())
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, id := range expired {
		if err := s.deleteChunks(ctx, id); err != nil {
			return removed, err
		}
		if err := s.Store.DeleteUploads(ctx, []string{id}); err != nil {
			return removed, err
		}
		removed++
	}
	infos, err := s.Blobs.List(ctx, uploadsPrefix)
	if err != nil {
		return removed, err
	}
	seen := map[string]bool{}
	for _, info := range infos {
		id, _, _ := strings.Cut(strings.TrimPrefix(info.Key, uploadsPrefix), "/")
		if seen[id] {
			continue
		}
		seen[id] = true
		// A chunk is stored only after its session is recorded, and ids are
		// never reused: a chunk without a session is abandoned for good.
		_, err := s.Store.Upload(ctx, id)
		if tipline.ErrorCode(err) != tipline.NotFound {
			if err != nil {
				return removed, err
			}
			continue
		}
		if err := s.deleteChunks(ctx, id); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}
