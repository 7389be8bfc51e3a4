package intake

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/crypto"
)

// Blob key prefixes. Every blob is written under pendingPrefix first and
// stays there, named by its row, when the database transaction that
// records it commits; the janitor moves the blobs committed on a day to
// objectsPrefix together, on a later day (SweepPending). A pending blob
// that no row references is an abandoned submission, which the janitor
// removes.
const (
	pendingPrefix = "pending/"
	objectsPrefix = "objects/"
)

// Object kinds.
const (
	KindManifest = "manifest" // the answers, narrative and file list
	KindFile     = "file"     // one evidence file
	KindMessage  = "message"  // a follow-up message or reply
)

// Submission is a committed tip as the database holds it: metadata and
// references to ciphertext, never content.
type Submission struct {
	ID          string
	DeskSlug    string
	ReceivedDay string // YYYY-MM-DD, UTC: no finer time is ever stored
	EncryptedBy string // "browser" or "server"
	// Lang is the language of the source's pages, so that investigators
	// know which language to reply in.
	Lang      Lang
	LookupKey [32]byte
	ReplySalt []byte
	// The source's reply key pair, made at commit: the public key armored,
	// the private key armored and protected by a passphrase derived from
	// the codename (see replyKeyPassphrase).
	ReplyPublic  []byte
	ReplyPrivate []byte
	Objects      []Object
	// Flood marks a submission received while its desk, or the whole
	// intake, was over its hourly soft limit (see Limits): accepted, and
	// triaged apart.
	Flood bool
}

// Object is one stored OpenPGP message: key packets in the database, the
// encrypted body in the blob store.
type Object struct {
	ID         string
	Kind       string
	Position   int
	BlobKey    string
	KeyPackets []byte
	BodySize   int64
	SHA256     [32]byte // of the whole message: key packets then body
	Day        string   // YYYY-MM-DD, UTC, the day it was recorded

	reserved bool // its blob holds a reservation of pending bytes (see holdReserved)
}

// LogEntry is one entry of the hash-chained intake log.
type LogEntry struct {
	Seq          int64
	SubmissionID string
	ReceivedDay  string
	Payload      []byte // canonical JSON, see logPayload
	PrevHash     [32]byte
	EntryHash    [32]byte // SHA-256 of Payload, which holds PrevHash
}

// SubmissionStore keeps committed submissions and the intake log.
type SubmissionStore interface {
	LogStore
	UploadStore
	MailboxStore
	BudgetStore
	JanitorStore
	// CommitCounted records a submission, its objects and its intake log
	// entry in one transaction, and counts it in the same transaction: one
	// more in the hour's desk and total counters of q, its bytes (key
	// packets and bodies) in the hour's committed bytes, and the pending
	// reservations of its objects' blob keys released. It reports whether
	// the submission was flagged as received during a flood (a counter went
	// over its soft limit; s.Flood is ignored). It returns ErrStorageFull
	// when the hour's committed bytes had reached q.CommittedBytesPerHour,
	// and nothing is recorded. payload builds the entry's payload from its
	// sequence number and the previous entry's hash (zero for the first).
	CommitCounted(ctx context.Context, s Submission, q Quota, payload func(seq int64, prev [32]byte) []byte) (LogEntry, bool, error)
	// MoveObject records that an object's blob now lives under blobKey;
	// NotFound when there is no such object.
	MoveObject(ctx context.Context, objectID, blobKey string) error
	// ObjectCommitted reports whether a committed submission holds the
	// object, and the UTC day (YYYY-MM-DD) it was recorded on: "" for rows
	// older than that day's column.
	ObjectCommitted(ctx context.Context, objectID string) (day string, committed bool, err error)
	// Submissions lists up to limit submissions, newest day first, of one
	// desk or of all when desk is "". Lookup keys are left out.
	Submissions(ctx context.Context, desk string, limit int) ([]Submission, error)
	// SubmissionObjects returns a submission's objects in order; NotFound
	// when there is no such submission.
	SubmissionObjects(ctx context.Context, submissionID string) ([]Object, error)
	// ObjectSubmission returns the id of the submission that holds an
	// object; NotFound when there is no such object.
	ObjectSubmission(ctx context.Context, objectID string) (string, error)
	// Checkpoint clears deleted rows from the database's write-ahead log.
	Checkpoint(ctx context.Context) error
}

// Service accepts submissions.
type Service struct {
	Desks          *Desks
	Store          SubmissionStore
	Blobs          blob.Store
	Questionnaires func(deskSlug string) *Questionnaire
	Pepper         crypto.Pepper
	CodenameParams crypto.CodenameParams
	Receipts       *ReceiptSigner
	Rates          RateStore // nil: no limits
	Limits         Limits
	PowBits        int // proof-of-work difficulty of the JavaScript path
	// Uploads bounds the upload sessions of the JavaScript path.
	Uploads UploadLimits
	// DerivationSlots bounds the codename derivations running at once
	// (DefaultDerivationSlots when 0); DerivationLine bounds the mailbox
	// logins waiting for one (DefaultDerivationLinePerSlot per slot when
	// 0). See derive.
	DerivationSlots int
	DerivationLine  int
	derivations     derivationSlots
	// IdentitiesAhead is how many source identities the node keeps made
	// ahead, in memory (see identities.go); 0 makes each at its commit.
	IdentitiesAhead int
	identities      identityPool
	retry           retryTokens
	Logger          *slog.Logger
	Now             func() time.Time
	// Events hears of committed tips and follow-ups, for staff notices
	// (nil: nobody is told).
	Events Events
	// Swept hears of each janitor sweep of pending blobs, for the
	// metrics (nil: nobody is told).
	Swept func(JanitorReport, error)
	// janitor is what this node's janitor keeps in memory (SweepPending).
	janitor janitorState
	// arrivals are the chunks this node is storing (PutChunk).
	arrivals arrivals
}

// Receipt is what a source gets after a committed submission.
type Receipt struct {
	Codename     crypto.Codename
	SubmissionID string
	ReceivedDay  string
	EncryptedBy  string
	Entry        LogEntry
	Objects      []Object
}

// CommitOptions are the source's choices that a commit records.
type CommitOptions struct {
	Lang    Lang // the language of the source's pages, for investigators
	Numeric bool // a numeric codename (groups of digits) instead of words
}

// ErrNotAccepting means the desk has no valid recipient key, so no tip
// can be encrypted to it (Unavailable).
var ErrNotAccepting = tipline.Errorf(tipline.Unavailable, "This desk is not accepting tips: it has no valid recipient key.")

// ValidationError lists the answers a source must correct. Kept refers to
// the files already received (see KeptFiles), which the corrected form
// carries instead of asking for them again.
type ValidationError struct {
	Fields []FieldError
	Kept   KeptFiles
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("intake: %d answers need correcting", len(e.Fields))
}

// ServerSubmission is a submission that the server encrypts as its form
// streams in, for sources without JavaScript. Plaintext exists only in
// memory while a part passes through; each file is encrypted and written to
// the blob store before the next part is read.
type ServerSubmission struct {
	svc        *Service
	desk       Desk
	q          *Questionnaire
	recipients []*crypto.PublicKey
	answers    Answers
	textBytes  int
	files      []ManifestFile
	objects    []Object
	// kept are the ids of objects that a kept-file reference holds; Abort
	// leaves their blobs to the janitor. lostKept notes files of such a
	// reference that were not found.
	kept     []string
	lostKept bool
	numeric  bool
	claim    *RetryClaim
	// identity delivers the source's identity once made ahead, while a
	// large file streams in (see prepareIdentity); nil until then.
	identity chan preparedIdentity
}

// preparedIdentity is the outcome of making a source's identity ahead.
type preparedIdentity struct {
	id  sourceIdentity
	err error
}

// identityAheadAfter is how much of a file must have arrived before the
// source's identity is made while the rest streams in, on the other core,
// instead of after it at commit. Small tips gain little from it, and a
// client must send this much to make the server derive a codename for a
// form that may then not commit (the derivation slots bound them all).
const identityAheadAfter = 16 << 20

// maxTextBytes bounds the answers of one submission (files not counted).
const maxTextBytes = 1 << 20

// BeginServerSubmission starts a submission to a desk. It takes nothing
// from any limit: only a committed submission counts (see Limits). It
// refuses with ErrStorageFull while a byte budget is exhausted, before the
// source's form is read.
func (s *Service) BeginServerSubmission(ctx context.Context, slug string) (*ServerSubmission, error) {
	desk, recipients, err := s.Desks.Accepting(ctx, slug)
	if err != nil {
		return nil, err
	}
	if err := s.checkBudget(ctx); err != nil {
		return nil, err
	}
	return &ServerSubmission{svc: s, desk: desk, q: s.Questionnaires(slug), recipients: recipients, answers: Answers{}}, nil
}

// Questionnaire returns the questionnaire the submission answers.
func (b *ServerSubmission) Questionnaire() *Questionnaire { return b.q }

// Answers returns the answers received so far, to fill the form again when
// some need correcting.
func (b *ServerSubmission) Answers() Answers { return b.answers }

// ChooseNumericCodename asks for a numeric codename (digit groups) in
// place of words.
func (b *ServerSubmission) ChooseNumericCodename(numeric bool) { b.numeric = numeric }

// ClaimRetry claims the form's retry token (see BeginRetry). When the same
// form was committed already, it returns that receipt: the caller shows it
// and reads no further. Commit or Abort finishes the claim.
func (b *ServerSubmission) ClaimRetry(ctx context.Context, token string) (*Receipt, error) {
	if b.claim != nil {
		return nil, nil // one token per form: a second one is ignored
	}
	claim, r, err := b.svc.BeginRetry(ctx, token)
	b.claim = claim
	return r, err
}

// AddValue records one form value.
func (b *ServerSubmission) AddValue(name, value string) error {
	b.textBytes += len(name) + len(value)
	if b.textBytes > maxTextBytes {
		return tipline.Errorf(tipline.TooLarge, "The answers are longer than %d bytes.", maxTextBytes)
	}
	b.answers[name] = append(b.answers[name], value)
	return nil
}

// AddFile encrypts one evidence file as it streams in and stores it under
// the pending prefix. The file name and type go into the manifest only. A
// file beyond MaxSubmissionFiles is refused with ErrTooManyFiles before any
// of it is read or stored.
func (b *ServerSubmission) AddFile(ctx context.Context, name, contentType string, r io.Reader) error {
	if len(b.files) >= MaxSubmissionFiles {
		return ErrTooManyFiles
	}
	plain := sha256.New()
	counter := &countingReader{r: io.TeeReader(r, plain)}
	r = &onceAfter{r: counter, after: identityAheadAfter, f: func() { b.prepareIdentity(ctx) }}
	obj, err := b.svc.storeEncryptedReserved(ctx, b.recipients, r, KindFile, len(b.objects)+1, false)
	if err != nil {
		return err
	}
	b.objects = append(b.objects, obj)
	b.files = append(b.files, ManifestFile{Name: name, Type: contentType, Size: counter.n, SHA256: hex.EncodeToString(plain.Sum(nil))})
	return nil
}

// Commit checks the answers, encrypts the manifest, records the submission
// in one transaction and only then returns the receipt with the codename.
// On a validation error the caller re-renders the form; on any error the
// pending blobs are removed.
func (b *ServerSubmission) Commit(ctx context.Context, lang Lang) (receipt *Receipt, err error) {
	defer func() { b.claim.Finish(receipt) }()
	cleaned, errs := b.q.Check(b.answers)
	if lost := b.keptLost(); lost != nil {
		errs = append(errs, *lost)
	}
	if len(errs) > 0 {
		// The files stay, encrypted, for the corrected form.
		kept, err := b.keep()
		if err != nil {
			b.Abort(ctx)
			return nil, err
		}
		return nil, &ValidationError{Fields: errs, Kept: kept}
	}
	for i := range b.objects { // kept files first, then those sent with this form
		b.objects[i].Position = i + 1
	}
	m := b.q.NewManifest(b.desk.Slug, lang, cleaned)
	m.Files = b.files
	manifest, err := json.Marshal(m)
	if err != nil {
		b.Abort(ctx)
		return nil, err
	}
	// The manifest (at most maxTextBytes and the file list) completes a
	// submission whose files were admitted: counted, never refused.
	obj, err := b.svc.storeEncryptedReserved(ctx, b.recipients, bytes.NewReader(manifest), KindManifest, 0, true)
	clear(manifest)
	if err != nil {
		b.Abort(ctx)
		return nil, err
	}
	b.objects = append([]Object{obj}, b.objects...)
	id, err := b.sourceIdentity(ctx)
	if err == nil {
		receipt, err = b.svc.commitAs(ctx, id, b.desk.Slug, "server", b.objects, CommitOptions{Lang: lang, Numeric: b.numeric})
	}
	if err != nil {
		b.Abort(ctx)
		return nil, err
	}
	return receipt, nil
}

// prepareIdentity starts making the source's identity, once, while the
// form still streams in. The codename kind is chosen at the end of the
// form, so it is made of words, as the form proposes; a source who chose
// digits gets theirs made at commit.
func (b *ServerSubmission) prepareIdentity(ctx context.Context) {
	if b.identity != nil || b.numeric {
		return
	}
	b.identity = make(chan preparedIdentity, 1)
	go func() {
		id, err := b.svc.identity(ctx, false)
		b.identity <- preparedIdentity{id, err}
	}()
}

// sourceIdentity returns the identity made ahead when it is of the kind
// the source chose, or makes one now.
func (b *ServerSubmission) sourceIdentity(ctx context.Context) (sourceIdentity, error) {
	if b.identity != nil {
		ahead := <-b.identity
		b.identity = nil
		if ahead.err == nil && ahead.id.numeric == b.numeric {
			return ahead.id, nil
		}
	}
	return b.svc.identity(ctx, b.numeric)
}

// Abort removes what the submission stored. Use a context that outlives a
// cancelled request.
func (b *ServerSubmission) Abort(ctx context.Context) {
	b.claim.Finish(nil)
	keys := make([]string, 0, len(b.objects))
	for _, o := range b.objects {
		if b.isKept(o) {
			continue // a corrected form may still commit it; else the janitor removes it
		}
		if err := b.svc.Blobs.Delete(context.WithoutCancel(ctx), o.BlobKey); err != nil {
			b.svc.Logger.Warn("abandoned pending blob; the janitor will remove it", "err", err)
			continue
		}
		keys = append(keys, o.BlobKey)
	}
	b.svc.release(ctx, keys...)
	b.objects = nil
}

// storeEncryptedReserved encrypts r to the recipients in memory as it
// reads it, and stores the message as storeMessageReserved stores one: the
// key packets for the object's row, the body in a new pending blob,
// reserved as it is stored, and the SHA-256 of the whole message. The
// message is made here, by crypto.EncryptSplit, so it is not parsed again
// to be cut and checked. Goroutines share the work: one reads r
// (readAhead), this one encrypts (with the MDC's SHA-1 beside it on one of
// its own, see crypto's seal), and one hashes the message and writes it to
// the blob store.
func (s *Service) storeEncryptedReserved(ctx context.Context, recipients []*crypto.PublicKey, r io.Reader, kind string, position int, anyway bool) (Object, error) {
	id := blob.NewKey("")
	key := pendingPrefix + id
	// go-crypto writes the start of a SEIPD v2 body before EncryptSplit
	// returns, when nothing reads the pipe yet: the pipe's buffer holds it.
	pipe := newBufferedPipe()
	w, keyPackets, err := crypto.EncryptSplit(pipe, recipients...)
	if err != nil {
		return Object{}, err
	}
	whole := sha256.New()
	whole.Write(keyPackets)
	reserving := &reservingReader{ctx: ctx, svc: s, key: key, r: io.TeeReader(pipe, whole), anyway: anyway}
	body := &countingReader{r: reserving}
	put := make(chan error, 1)
	go func() {
		_, err := s.Blobs.Put(ctx, key, body)
		pipe.closeRead(err) // stops the encryption if Put failed
		put <- err
	}()
	src := startReadAhead(r)
	readErr, err := src.writeTo(w)
	src.close()
	if err == nil && readErr == nil {
		err = w.Close()
	}
	pipe.closeWrite(cmp.Or(readErr, err))
	putErr := <-put
	reserving.settle()
	if readErr == nil && err == nil && putErr == nil {
		obj := Object{ID: id, Kind: kind, Position: position, BlobKey: key, KeyPackets: keyPackets, BodySize: body.n, reserved: true}
		whole.Sum(obj.SHA256[:0])
		// Keep what is stored, no more: a shrink is never refused.
		if err := s.reserveAnyway(ctx, key, body.n); err != nil {
			s.Logger.Warn("pending reservation stays at its step until it is released", "err", err)
		}
		return obj, nil
	}
	s.Blobs.Delete(context.WithoutCancel(ctx), key)
	s.release(ctx, key)
	// Which failed first: reading r (the caller knows what r is and
	// classifies its errors), reserving room for the body (the only error
	// the body's reader meets when r did not fail), the store on its own,
	// or the encryption.
	switch {
	case readErr != nil:
		return Object{}, fmt.Errorf("intake: reading the message: %w", readErr)
	case body.err != nil:
		return Object{}, body.err
	case putErr != nil:
		return Object{}, storeFailure(putErr)
	}
	return Object{}, err
}

// storeMessageReserved is storeMessage with the message's bytes reserved
// against the pending budget as they are stored (ErrStorageFull once it is
// exhausted, unless anyway). The reservation is released when the
// submission or follow-up commits or is aborted, or when the janitor
// removes the blob.
func (s *Service) storeMessageReserved(ctx context.Context, src io.Reader, recipients []*crypto.PublicKey, kind string, position int, anyway bool) (Object, error) {
	id := blob.NewKey("")
	reserving := &reservingReader{ctx: ctx, svc: s, key: pendingPrefix + id, r: src, anyway: anyway}
	obj, err := s.storeMessageAt(ctx, id, reserving, recipients, kind, position)
	reserving.settle()
	if err != nil {
		s.release(ctx, pendingPrefix+id)
		return Object{}, err
	}
	// Keep what is stored, no more: a shrink is never refused.
	if err := s.reserveAnyway(ctx, obj.BlobKey, obj.BodySize); err != nil {
		s.Logger.Warn("pending reservation stays at its step until it is released", "err", err)
	}
	obj.reserved = true
	return obj, nil
}

// storeMessage checks that src is an OpenPGP message to exactly the
// recipients (whoever encrypted it), streams its encrypted body into a
// pending blob and keeps its key packets for the database. Browser uploads
// and server-side encryption go through this one path.
func (s *Service) storeMessage(ctx context.Context, src io.Reader, recipients []*crypto.PublicKey, kind string, position int) (Object, error) {
	return s.storeMessageAt(ctx, blob.NewKey(""), src, recipients, kind, position)
}

// storeMessageAt is storeMessage with the object's id chosen by the caller.
func (s *Service) storeMessageAt(ctx context.Context, id string, src io.Reader, recipients []*crypto.PublicKey, kind string, position int) (Object, error) {
	m, err := PutMessage(ctx, s.Blobs, pendingPrefix+id, src, recipients)
	if err != nil {
		return Object{}, err
	}
	return Object{ID: id, Kind: kind, Position: position, BlobKey: pendingPrefix + id, KeyPackets: m.KeyPackets, BodySize: m.BodySize, SHA256: m.SHA256}, nil
}

// StoredMessage is an OpenPGP message that PutMessage stored: its key
// packets, kept apart from the body, the body's size, and the SHA-256 of
// the whole message as it arrived.
type StoredMessage struct {
	KeyPackets []byte
	BodySize   int64
	SHA256     [32]byte
}

// PutMessage checks that src is an OpenPGP message to exactly the
// recipients (whoever encrypted it) and streams its encrypted body into
// the blob key, never holding it whole. On any error nothing is left under
// key. It returns:
//   - Invalid for a message that is not to exactly the recipients, or that
//     ends too soon;
//   - Unavailable when the blob store fails, ErrStoreFull when it is full;
//   - src's own error, wrapped, when reading src fails: the caller knows
//     what src is and classifies it (a request body that broke off is the
//     client's mistake, a blob that cannot be read is Unavailable).
//
// Tips, follow-ups, replies and case documents are all stored through it.
func PutMessage(ctx context.Context, blobs blob.Store, key string, src io.Reader, recipients []*crypto.PublicKey) (StoredMessage, error) {
	whole := sha256.New()
	in := &countingReader{r: src}
	pr, pw := io.Pipe()
	body := &countingReader{r: pr}
	put := make(chan error, 1)
	go func() {
		_, err := blobs.Put(ctx, key, body)
		pr.CloseWithError(err) // unblocks SplitMessage if Put failed
		put <- err
	}()
	keyPackets, splitErr := crypto.SplitMessage(io.TeeReader(in, whole), pw, recipients...)
	pw.CloseWithError(splitErr)
	putErr := <-put
	// Which side failed first: reading src (in.err), checking the message
	// (splitErr, which then ends the body Put reads: body.err), or the
	// store on its own (putErr while its body never failed).
	switch {
	case splitErr == nil && putErr == nil:
		m := StoredMessage{KeyPackets: keyPackets, BodySize: body.n}
		whole.Sum(m.SHA256[:0])
		return m, nil
	case in.err != nil:
		blobs.Delete(context.WithoutCancel(ctx), key)
		err := fmt.Errorf("intake: reading the message: %w", in.err)
		var coded *tipline.Error
		if !errors.As(in.err, &coded) && errors.Is(in.err, io.ErrUnexpectedEOF) {
			return StoredMessage{}, tipline.Wrap(tipline.Invalid, err, errNotCiphertext)
		}
		return StoredMessage{}, err
	case putErr != nil && body.err == nil:
		blobs.Delete(context.WithoutCancel(ctx), key)
		return StoredMessage{}, storeFailure(putErr)
	case errors.Is(splitErr, crypto.ErrInvalidMessage):
		blobs.Delete(context.WithoutCancel(ctx), key)
		return StoredMessage{}, tipline.Wrap(tipline.Invalid, splitErr, errNotCiphertext)
	case splitErr != nil:
		blobs.Delete(context.WithoutCancel(ctx), key)
		return StoredMessage{}, splitErr
	}
	blobs.Delete(context.WithoutCancel(ctx), key)
	return StoredMessage{}, storeFailure(putErr)
}

// errStoreDown is the message of an error of the blob store.
const errStoreDown = "The evidence store is not reachable. Nothing was saved; please try again later."

// ErrStoreFull refuses a message because the blob store has no room left
// (Unavailable): the directory store's disk is full, or the S3 service's
// storage. Sources read that the desk cannot take files now.
var ErrStoreFull = tipline.Errorf(tipline.Unavailable, "The evidence store is full: this desk cannot take files right now. Nothing was saved.")

// storeFailure classifies an error of the blob store's Put: ErrStoreFull
// when it has no room left, else Unavailable (errStoreDown). Either way the
// store failed, not the message or whoever sent it.
func storeFailure(err error) error {
	if errors.Is(err, blob.ErrFull) {
		return fmt.Errorf("%w: %w", ErrStoreFull, err)
	}
	return tipline.Wrap(tipline.Unavailable, err, errStoreDown)
}

// commit records the submission with a new codename. Its blobs stay under
// the pending prefix, where its rows name them, until the janitor's daily
// batch moves them: moving each one now would date its file to the second.
func (s *Service) commit(ctx context.Context, desk, encryptedBy string, objects []Object, opts CommitOptions) (*Receipt, error) {
	id, err := s.identity(ctx, opts.Numeric)
	if err != nil {
		return nil, err
	}
	return s.commitAs(ctx, id, desk, encryptedBy, objects, opts)
}

// sourceIdentity is what a new submission's source is known by: the
// codename, its slow lookup key, and the reply key pair it unlocks. Making
// one takes two argon2id derivations, the longest step of a commit.
type sourceIdentity struct {
	codename                  crypto.Codename
	numeric                   bool
	lookup                    [32]byte
	salt                      []byte
	replyPublic, replyPrivate []byte
	day                       time.Time // the day the reply key is dated to
}

// newIdentity makes a new codename (numeric or of words) and derives what
// it unlocks; urgent as for derive.
func (s *Service) newIdentity(ctx context.Context, numeric, urgent bool) (sourceIdentity, error) {
	codename, err := newCodename(numeric)
	if err != nil {
		return sourceIdentity{}, err
	}
	lookup, err := s.deriveLookupKey(ctx, codename, urgent)
	if err != nil {
		return sourceIdentity{}, err
	}
	salt := crypto.NewCodenameSalt()
	day := s.today()
	replyPublic, replyPrivate, err := s.newReplyKey(ctx, codename, salt, day, urgent)
	if err != nil {
		return sourceIdentity{}, err
	}
	return sourceIdentity{codename: codename, numeric: numeric, lookup: lookup, salt: salt, replyPublic: replyPublic, replyPrivate: replyPrivate, day: day}, nil
}

// today is the start of the current day (UTC): the finest time Tipline
// keeps of a tip.
func (s *Service) today() time.Time { return s.Now().UTC().Truncate(24 * time.Hour) }

// commitAs is commit with the source's identity made already. An identity
// made on an earlier day (ahead, or while a long upload streamed across
// midnight) is replaced by a new one: its reply key, dated to that day,
// would tell that the tip arrived just after midnight.
func (s *Service) commitAs(ctx context.Context, id sourceIdentity, desk, encryptedBy string, objects []Object, opts CommitOptions) (*Receipt, error) {
	defer s.MakeIdentitiesAhead()
	today := s.today()
	if !id.day.Equal(today) {
		var err error
		if id, err = s.newIdentity(ctx, id.numeric, true); err != nil {
			return nil, err
		}
	}
	sub := Submission{
		ID:           blob.NewKey(""),
		DeskSlug:     desk,
		ReceivedDay:  today.Format(time.DateOnly),
		EncryptedBy:  encryptedBy,
		Lang:         opts.Lang,
		LookupKey:    id.lookup,
		ReplySalt:    id.salt,
		ReplyPublic:  id.replyPublic,
		ReplyPrivate: id.replyPrivate,
		Objects:      objects,
	}
	if err := s.holdReserved(ctx, objects); err != nil {
		return nil, err
	}
	entry, flood, err := s.Store.CommitCounted(ctx, sub, s.quota(desk), func(seq int64, prev [32]byte) []byte {
		return logPayload(seq, prev, sub)
	})
	if err != nil {
		return nil, err
	}
	if flood {
		s.Logger.Info("submission accepted above the hourly soft limit; flagged as received during a flood", "desk", desk)
	}
	s.tipReceived(ctx, desk)
	return &Receipt{Codename: id.codename, SubmissionID: sub.ID, ReceivedDay: sub.ReceivedDay, EncryptedBy: encryptedBy, Entry: entry, Objects: objects}, nil
}

// deriveLookupKey derives the lookup key of a new submission's codename in
// a derivation slot (see Service.derive): urgent, at the front of the line,
// for a submission being committed, which is never refused for the line's
// length; in the ordinary line for an identity made ahead.
func (s *Service) deriveLookupKey(ctx context.Context, c crypto.Codename, urgent bool) ([32]byte, error) {
	var key [32]byte
	err := s.derive(ctx, urgent, func() { key = c.LookupKey(s.Pepper, s.CodenameParams) })
	return key, err
}

// logPayload is the canonical JSON of an intake log entry. Its fields are in
// a fixed order and hold no secret: what a receipt proves and a verifier
// recomputes.
func logPayload(seq int64, prev [32]byte, s Submission) []byte {
	type object struct {
		ID     string `json:"id"`
		Kind   string `json:"kind"`
		SHA256 string `json:"sha256"`
	}
	p := struct {
		Version     int      `json:"v"`
		Seq         int64    `json:"seq"`
		Prev        string   `json:"prev"`
		Submission  string   `json:"submission"`
		Desk        string   `json:"desk"`
		ReceivedDay string   `json:"received_day"`
		Objects     []object `json:"objects"`
	}{1, seq, hex.EncodeToString(prev[:]), s.ID, s.DeskSlug, s.ReceivedDay, make([]object, len(s.Objects))}
	for i, o := range s.Objects {
		p.Objects[i] = object{o.ID, o.Kind, hex.EncodeToString(o.SHA256[:])}
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // only strings and numbers
	}
	return b
}

// OpenObject returns a stored object as one standard OpenPGP message: its
// key packets joined to its encrypted body, which GnuPG, OpenPGP.js or
// `tipline decrypt` read with a recipient's private key. It returns
// Unavailable when the blob store fails, and an error wrapping
// blob.ErrNotFound (Internal: a recorded object must have its blob) when
// the blob is missing.
func (s *Service) OpenObject(ctx context.Context, o Object) (io.ReadCloser, error) {
	body, err := s.Blobs.Get(ctx, o.BlobKey)
	if id, pending := strings.CutPrefix(o.BlobKey, pendingPrefix); pending && errors.Is(err, blob.ErrNotFound) {
		// The janitor moved it since its row was read.
		body, err = s.Blobs.Get(ctx, objectsPrefix+id)
	}
	if errors.Is(err, blob.ErrNotFound) {
		return nil, fmt.Errorf("intake: object %s: %w", o.ID, err)
	}
	if err != nil {
		return nil, tipline.Wrap(tipline.Unavailable, err, "The evidence store is not reachable. Please try again later.")
	}
	return struct {
		io.Reader
		io.Closer
	}{crypto.JoinMessage(o.KeyPackets, body), body}, nil
}

// onceAfter calls f once, when more than after bytes have been read
// through it.
type onceAfter struct {
	r     io.Reader
	n     int64
	after int64
	f     func()
}

func (o *onceAfter) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if o.n <= o.after && o.n+int64(n) > o.after {
		o.f()
	}
	o.n += int64(n)
	return n, err
}

// countingReader counts the bytes read through it and keeps the first
// error other than io.EOF that it read.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}
