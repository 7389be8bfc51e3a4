package intake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
)

// Authors of stored objects: the source (the tip, follow-ups) or staff
// (replies to the source).
const (
	AuthorSource = "source"
	AuthorStaff  = "staff"
)

// MailboxSessionTTL is how long a source's mailbox session lasts.
const MailboxSessionTTL = time.Hour

// codenameFailuresBucket is the rate_limits bucket that counts failed
// codename logins per hour over all desks. It is a count for staff and the
// drill, never a limit: a correct codename logs in whatever it says.
const codenameFailuresBucket = "codename-failures"

// Limits of what a source reads and writes in the mailbox.
const (
	MaxSourceMessage = 64 << 10 // bytes of one follow-up message
	maxReplyPlain    = 1 << 20  // bytes of one decrypted reply shown
)

// MailboxEntry is a submission as the mailbox needs it.
type MailboxEntry struct {
	SubmissionID string
	DeskSlug     string
	Status       string // the triage status
	ReceivedDay  string
	LookupKey    [32]byte
	ReplySalt    []byte
	ReplyPublic  []byte // nil for submissions made before reply keys
	ReplyPrivate []byte
}

// MailboxStore keeps what the two-way mailbox needs beyond SubmissionStore.
type MailboxStore interface {
	// MailboxByLookup finds a submission by its codename lookup key;
	// NotFound when there is none.
	MailboxByLookup(ctx context.Context, lookup [32]byte) (MailboxEntry, error)
	// MailboxByID finds a submission by id; NotFound when there is none.
	MailboxByID(ctx context.Context, id string) (MailboxEntry, error)
	// AddObjects records more objects of a committed submission, in one
	// transaction, at the next free positions in their order.
	AddObjects(ctx context.Context, submissionID string, objects []Object, author string) error
	// ThreadMessages lists the messages of a submission's thread (the
	// source's follow-ups and the staff's replies), in order, each with its
	// author and day (its submission's day when it has none).
	ThreadMessages(ctx context.Context, submissionID string) ([]ThreadObject, error)
	// DeleteMailboxSession ends a session; none to end is no error.
	DeleteMailboxSession(ctx context.Context, tokenHash [32]byte) error
	// CreateMailboxSession records a session by the SHA-256 of its token
	// until expires (a day boundary: the token carries its exact expiry),
	// and removes expired ones.
	CreateMailboxSession(ctx context.Context, tokenHash [32]byte, submissionID string, expires time.Time) error
	// MailboxSession returns the submission of a session that has not
	// expired at now; NotFound otherwise.
	MailboxSession(ctx context.Context, tokenHash [32]byte, now time.Time) (string, error)
	// RateCount returns a rate bucket's count in a window.
	RateCount(ctx context.Context, bucket string, windowStart int64) (int, error)
}

// ThreadObject is a message of a source's thread as stored.
type ThreadObject struct {
	Object
	Author string // AuthorSource or AuthorStaff
}

// ThreadItem is a message of a source's thread as the source reads it.
type ThreadItem struct {
	Author string // AuthorSource or AuthorStaff
	Day    string // YYYY-MM-DD, UTC
	Text   string
	// Unreadable marks a message of the source's sent before messages were
	// also encrypted to the source's reply key: only investigators read it.
	Unreadable bool
}

// Mailbox is what a logged-in source sees.
type Mailbox struct {
	SubmissionID string
	Desk         string // slug: the browser encrypts files to its keys
	Status       string
	ReceivedDay  string // of the tip
	// Thread holds the messages decrypted for this one request, oldest
	// first; nil when the session cannot unlock them.
	Thread   []ThreadItem
	Unlocked bool
	HasKey   bool // false for submissions made before reply keys
}

// Errors of the mailbox. Their messages are English, for staff and logs;
// the server shows a source each one in the source's language.
var (
	// ErrWrongCodename refuses a codename that opens no mailbox.
	ErrWrongCodename = tipline.Errorf(tipline.Forbidden, "This codename opens no mailbox.")
	// ErrMailboxBusy refuses a login that found the line for a codename
	// derivation full (see Service.derive): nothing about its
	// codename was checked or counted.
	ErrMailboxBusy = tipline.Errorf(tipline.RateLimited, "Too many logins are waiting for a codename check; try again in a few minutes.")
	// ErrNoMailboxSession refuses a mailbox session token that is unknown
	// or expired.
	ErrNoMailboxSession = tipline.Errorf(tipline.Forbidden, "The mailbox session has ended; the codename is needed again.")
	// ErrCodenameInText refuses a follow-up whose text holds a codename.
	ErrCodenameInText = tipline.Errorf(tipline.Invalid, "The message holds a codename, which must never be written into a message.")
	// ErrEmptyMessage refuses a follow-up with neither text nor files.
	ErrEmptyMessage = tipline.Errorf(tipline.Invalid, "The follow-up has neither a message nor files.")
	// ErrMessageTooLong refuses a follow-up text over MaxSourceMessage.
	ErrMessageTooLong = tipline.Errorf(tipline.TooLarge, "The message is longer than %d bytes.", MaxSourceMessage)
)

// replyKeyPassphrase is the passphrase of the source's reply private key:
// the hex of the KEK derived from the codename and the row's salt, in a
// derivation slot. For a submission being committed or a codename
// already found it is urgent: it waits at the front of the line and is
// never refused for the line's length; for an identity made ahead it
// waits in the ordinary line. The KEK is never stored.
func (s *Service) replyKeyPassphrase(ctx context.Context, c crypto.Codename, salt []byte, urgent bool) ([]byte, error) {
	var kek [32]byte
	if err := s.derive(ctx, urgent, func() { kek = c.ReplyKeyKEK(s.Pepper, salt, s.CodenameParams) }); err != nil {
		return nil, err
	}
	defer clear(kek[:])
	return []byte(hex.EncodeToString(kek[:])), nil
}

// newReplyKey makes the source's reply key pair in the interoperable
// profile, its private half locked with the codename's passphrase. The key
// is dated to day, the start of a day: no finer time is stored.
func (s *Service) newReplyKey(ctx context.Context, c crypto.Codename, salt []byte, day time.Time, urgent bool) (public, private []byte, err error) {
	pass, err := s.replyKeyPassphrase(ctx, c, salt, urgent)
	if err != nil {
		return nil, nil, err
	}
	defer clear(pass)
	public, private, _, err = crypto.GenerateKey("Tipline source", "", pass, day)
	return public, private, err
}

// OpenMailbox logs a source in with the codename they typed: it finds the
// submission through the slow lookup key, decrypts the thread in memory
// with the reply key the codename unlocks, and starts a session whose
// cookie value it returns (see sessionCookie). A wrong codename is refused
// (ErrWrongCodename) and counted, but never locks anyone out (see
// checkCodename). This is the path without JavaScript; UnlockMailbox is
// the one with it.
func (s *Service) OpenMailbox(ctx context.Context, typed string) (*Mailbox, string, error) {
	entry, codename, err := s.checkCodename(ctx, typed)
	if err != nil {
		return nil, "", err
	}
	var pass []byte
	if entry.ReplyPrivate != nil {
		if pass, err = s.replyKeyPassphrase(ctx, codename, entry.ReplySalt, true); err != nil {
			return nil, "", err
		}
		defer clear(pass)
	}
	box, err := s.mailbox(ctx, entry, pass)
	if err != nil {
		return nil, "", err
	}
	cookie, err := s.startSession(ctx, entry.SubmissionID, pass)
	if err != nil {
		return nil, "", err
	}
	return box, cookie, nil
}

// mailbox builds the mailbox of entry, with its thread decrypted when pass
// (the reply key's passphrase) is given.
func (s *Service) mailbox(ctx context.Context, entry MailboxEntry, pass []byte) (*Mailbox, error) {
	box := &Mailbox{SubmissionID: entry.SubmissionID, Desk: entry.DeskSlug, Status: entry.Status,
		ReceivedDay: entry.ReceivedDay, HasKey: entry.ReplyPrivate != nil}
	if !box.HasKey || pass == nil {
		return box, nil
	}
	thread, err := s.readThread(ctx, entry, pass)
	if err != nil {
		return nil, err
	}
	box.Thread, box.Unlocked = thread, true
	return box, nil
}

// ReplyKeyMaterial is what a source's browser needs to read the thread
// itself: the reply private key, still locked, the passphrase the codename
// derives (with the server's pepper, so only here), and the thread's
// messages as stored, encrypted.
type ReplyKeyMaterial struct {
	LockedKey  []byte // armored, passphrase-protected
	Passphrase []byte // hex
	Thread     []ThreadMessage
}

// ThreadMessage is a message of the thread as stored: a complete OpenPGP
// message, which the source's browser decrypts.
type ThreadMessage struct {
	Author  string `json:"author"`
	Day     string `json:"day"`
	Message []byte `json:"message"` // base64 in JSON
}

// UnlockMailbox logs a source in with the codename as OpenMailbox does,
// but hands over what the browser needs to decrypt the thread itself
// (JavaScript on) instead of decrypting it. The material is nil for a
// submission made before reply keys.
func (s *Service) UnlockMailbox(ctx context.Context, typed string) (*Mailbox, string, *ReplyKeyMaterial, error) {
	entry, codename, err := s.checkCodename(ctx, typed)
	if err != nil {
		return nil, "", nil, err
	}
	box, _ := s.mailbox(ctx, entry, nil)
	var m *ReplyKeyMaterial
	if box.HasKey {
		pass, err := s.replyKeyPassphrase(ctx, codename, entry.ReplySalt, true)
		if err != nil {
			return nil, "", nil, err
		}
		m = &ReplyKeyMaterial{LockedKey: entry.ReplyPrivate, Passphrase: pass, Thread: []ThreadMessage{}}
		objects, err := s.Store.ThreadMessages(ctx, entry.SubmissionID)
		if err != nil {
			return nil, "", nil, err
		}
		for _, o := range objects {
			message, err := s.readObject(ctx, o.Object)
			if err != nil {
				return nil, "", nil, err
			}
			m.Thread = append(m.Thread, ThreadMessage{Author: o.Author, Day: o.Day, Message: message})
		}
	}
	var pass []byte
	if m != nil {
		pass = m.Passphrase
	}
	cookie, err := s.startSession(ctx, entry.SubmissionID, pass)
	if err != nil {
		return nil, "", nil, err
	}
	return box, cookie, m, nil
}

// readObject reads a reply whole, as a complete OpenPGP message.
func (s *Service) readObject(ctx context.Context, o Object) ([]byte, error) {
	rc, err := s.OpenObject(ctx, o)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 2*maxReplyPlain+1))
	if err == nil && len(b) > 2*maxReplyPlain {
		err = errors.New("intake: reply too long to hand over")
	}
	return b, err
}

// checkCodename finds the submission of a typed codename through the slow
// lookup key. The codename is checked first and only failures are counted
// (codenameFailuresBucket), so a correct codename always logs in however
// many wrong ones came before it: guessing is slowed by the cost of the
// derivation itself, run in one of a bounded number of slots, not by a
// limit that an outsider could use up. A typed text that is no codename at
// all fails without a derivation. ErrMailboxBusy when the line for a slot
// is full.
func (s *Service) checkCodename(ctx context.Context, typed string) (MailboxEntry, crypto.Codename, error) {
	codename, err := crypto.ParseCodename(typed)
	if err != nil {
		return MailboxEntry{}, "", s.codenameFailed(ctx)
	}
	var lookup [32]byte
	err = s.derive(ctx, false, func() { lookup = codename.LookupKey(s.Pepper, s.CodenameParams) })
	if errors.Is(err, errDerivationLineFull) {
		return MailboxEntry{}, "", ErrMailboxBusy
	}
	if err != nil {
		return MailboxEntry{}, "", err
	}
	entry, err := s.Store.MailboxByLookup(ctx, lookup)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && !crypto.EqualKeys(entry.LookupKey, lookup)) {
		return MailboxEntry{}, "", s.codenameFailed(ctx)
	}
	return entry, codename, err
}

// codenameFailed counts a failed login in this hour's codenameFailuresBucket
// and returns ErrWrongCodename.
func (s *Service) codenameFailed(ctx context.Context) error {
	if s.Rates != nil {
		window := s.Now().UTC().Truncate(time.Hour).Unix()
		if _, err := s.Rates.Take(ctx, codenameFailuresBucket, window, math.MaxInt32); err != nil {
			return err
		}
	}
	return ErrWrongCodename
}

// CodenameFailures returns how many codename logins failed in the current
// hour, over all desks: a sign of guessing, for staff and the drill.
func (s *Service) CodenameFailures(ctx context.Context) (int, error) {
	return s.Store.RateCount(ctx, codenameFailuresBucket, s.Now().UTC().Truncate(time.Hour).Unix())
}

// Codename derivations (argon2id, 64 MiB and about 150 ms of one core each
// with crypto.DefaultCodenameParams) run in at most DerivationSlots slots
// per node, so a flood of guesses cannot exhaust memory: the others wait in
// line, first come first served, and a wait ends when the request is
// cancelled. Derivations of a submission being committed and of a codename
// already found (the reply key) wait at the front of the line and are
// never refused. A login's lookup derivation is refused (ErrMailboxBusy)
// only when DerivationLine logins are already waiting.
const (
	// maxDefaultDerivationSlots caps the default: 8 slots hold 512 MiB.
	maxDefaultDerivationSlots = 8
	// DefaultDerivationLinePerSlot is the default line per slot: with 150
	// ms per derivation, the last in a full line waits about 30 seconds.
	DefaultDerivationLinePerSlot = 200
)

// DefaultDerivationSlots is the default number of derivation slots: one
// per core but one, which is left to pages, uploads and everything else
// while guesses flood in; at least one, at most 8.
func DefaultDerivationSlots() int {
	return max(1, min(runtime.NumCPU()-1, maxDefaultDerivationSlots))
}

// errDerivationLineFull is the derivation line's refusal; a login shows it
// as ErrMailboxBusy, anything else as a generic RateLimited.
var errDerivationLineFull = tipline.Errorf(tipline.RateLimited, "Too many codename derivations are waiting.")

// derivationHook, when set (by tests), runs in each derivation slot before
// the derivation with the number of derivations running, itself included.
var derivationHook func(running int)

// derivationSlots is a semaphore with two first-come-first-served lines:
// urgent waiters get a free slot before ordinary ones, and only the
// ordinary line has a length limit.
type derivationSlots struct {
	once    sync.Once
	mu      sync.Mutex
	free    int
	line    int // the longest ordinary line
	running int
	urgent  []chan struct{}
	waiting []chan struct{}
}

func (s *Service) slots() *derivationSlots {
	d := &s.derivations
	d.once.Do(func() {
		n := s.DerivationSlots
		if n <= 0 {
			n = DefaultDerivationSlots()
		}
		d.free = n
		d.line = s.DerivationLine
		if d.line <= 0 {
			d.line = DefaultDerivationLinePerSlot * n
		}
	})
	return d
}

// derive runs f, a codename derivation, in a derivation slot once one is
// free. urgent derivations go before the others and are never refused;
// others get errDerivationLineFull when the line is full. When ctx ends
// first, derive returns a RateLimited error wrapping ctx's error and f does
// not run.
func (s *Service) derive(ctx context.Context, urgent bool, f func()) error {
	d := s.slots()
	if err := d.acquire(ctx, urgent); err != nil {
		return err
	}
	defer d.release()
	d.mu.Lock()
	d.running++
	running := d.running
	d.mu.Unlock()
	if derivationHook != nil {
		derivationHook(running)
	}
	f()
	d.mu.Lock()
	d.running--
	d.mu.Unlock()
	return nil
}

func (d *derivationSlots) acquire(ctx context.Context, urgent bool) error {
	d.mu.Lock()
	if d.free > 0 && len(d.urgent) == 0 && len(d.waiting) == 0 {
		d.free--
		d.mu.Unlock()
		return nil
	}
	if !urgent && len(d.waiting) >= d.line {
		d.mu.Unlock()
		return errDerivationLineFull
	}
	ready := make(chan struct{})
	if urgent {
		d.urgent = append(d.urgent, ready)
	} else {
		d.waiting = append(d.waiting, ready)
	}
	d.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, line := range []*[]chan struct{}{&d.urgent, &d.waiting} {
		if i := slices.Index(*line, ready); i >= 0 {
			*line = slices.Delete(*line, i, i+1)
			// The client left: no fault to log.
			return tipline.Wrap(tipline.RateLimited, ctx.Err(), errDerivationLineFull.Message)
		}
	}
	// The slot was handed over just as ctx ended: pass it on.
	d.releaseLocked()
	return tipline.Wrap(tipline.RateLimited, ctx.Err(), errDerivationLineFull.Message)
}

func (d *derivationSlots) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.releaseLocked()
}

// releaseLocked hands a slot to the first urgent waiter, or else to the
// first ordinary one, or frees it.
func (d *derivationSlots) releaseLocked() {
	for _, line := range []*[]chan struct{}{&d.urgent, &d.waiting} {
		if len(*line) > 0 {
			close((*line)[0])
			*line = slices.Delete(*line, 0, 1)
			return
		}
	}
	d.free++
}

// waitingLine returns how many derivations wait for a slot.
func (d *derivationSlots) waitingLine() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.urgent) + len(d.waiting)
}

// readThread unlocks the reply key with its passphrase and decrypts the
// thread, in memory only. A message of the source's that was not encrypted
// to the reply key (sent before it was) is marked Unreadable.
func (s *Service) readThread(ctx context.Context, e MailboxEntry, pass []byte) ([]ThreadItem, error) {
	key, err := crypto.ReadPrivateKey(e.ReplyPrivate, pass)
	if err != nil {
		return nil, err
	}
	objects, err := s.Store.ThreadMessages(ctx, e.SubmissionID)
	if err != nil {
		return nil, err
	}
	thread := make([]ThreadItem, 0, len(objects))
	for _, o := range objects {
		item := ThreadItem{Author: o.Author, Day: o.Day}
		item.Text, err = s.decryptReply(ctx, o.Object, key)
		if tipline.ErrorCode(err) == tipline.Unavailable {
			// The store is down: no message would read, and the source
			// must not be told that there are none.
			return nil, err
		}
		if err != nil {
			if o.Author == AuthorStaff {
				s.Logger.Warn("a reply does not decrypt with the source's key", "err", err)
				continue
			}
			item.Unreadable = true
		}
		thread = append(thread, item)
	}
	return thread, nil
}

func (s *Service) decryptReply(ctx context.Context, o Object, key *crypto.PrivateKey) (string, error) {
	rc, err := s.OpenObject(ctx, o)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	plain, err := crypto.Decrypt(rc, key)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(plain, maxReplyPlain+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxReplyPlain {
		return "", errors.New("intake: reply too long to show")
	}
	return string(b), nil
}

// newMailboxSession starts a session: a token of 24 random bytes and the
// session's expiry (8 bytes, Unix seconds), of which only the SHA-256 is
// stored. The token carries its own expiry, so the row needs to say only
// the day after which it can go: it does not tell when the source logged in
// more precisely than the day.
func (s *Service) newMailboxSession(ctx context.Context, ms MailboxStore, submissionID string) (string, error) {
	var raw [32]byte
	rand.Read(raw[:24])
	expires := s.Now().UTC().Add(MailboxSessionTTL)
	binary.BigEndian.PutUint64(raw[24:], uint64(expires.Unix()))
	token := hex.EncodeToString(raw[:])
	rowExpires := expires.Truncate(24 * time.Hour).Add(24 * time.Hour)
	if err := ms.CreateMailboxSession(ctx, sha256.Sum256([]byte(token)), submissionID, rowExpires); err != nil {
		return "", err
	}
	return token, nil
}

// The mailbox session cookie holds the session token and, for a
// submission with a reply key, the key's passphrase sealed with the
// server's pepper and bound to the token (sessionKeyLabel): so every page
// of the session shows the thread, decrypted in memory for that page,
// while the database holds only the token's SHA-256 and nothing that
// opens a reply. The cookie ends with the session.
const sessionKeyLabel = "tipline mailbox session key v1"

// startSession starts a mailbox session and returns its cookie value.
func (s *Service) startSession(ctx context.Context, submissionID string, pass []byte) (string, error) {
	token, err := s.newMailboxSession(ctx, s.Store, submissionID)
	if err != nil {
		return "", err
	}
	if pass == nil {
		return token, nil
	}
	sealer, err := s.Pepper.Sealer(sessionKeyLabel)
	if err != nil {
		return "", err
	}
	return token + "." + base64.RawURLEncoding.EncodeToString(sealer.Seal(pass, []byte(token))), nil
}

// sessionPassphrase opens the passphrase a session cookie holds; nil when
// it holds none that opens.
func (s *Service) sessionPassphrase(cookie string) []byte {
	token, sealed, ok := strings.Cut(cookie, ".")
	if !ok {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return nil
	}
	sealer, err := s.Pepper.Sealer(sessionKeyLabel)
	if err != nil {
		return nil
	}
	pass, err := sealer.Open(raw, []byte(token))
	if err != nil {
		return nil
	}
	return pass
}

// MailboxBySession returns the mailbox of a session, with the thread
// decrypted in memory when the session's cookie holds the key to it.
func (s *Service) MailboxBySession(ctx context.Context, cookie string) (*Mailbox, error) {
	ms := s.Store
	id, err := s.sessionSubmission(ctx, ms, cookie)
	if err != nil {
		return nil, err
	}
	e, err := ms.MailboxByID(ctx, id)
	if err != nil {
		return nil, err
	}
	pass := s.sessionPassphrase(cookie)
	defer clear(pass)
	return s.mailbox(ctx, e, pass)
}

// CloseMailbox ends the session of a cookie (logging out); an unknown or
// ended session is no error.
func (s *Service) CloseMailbox(ctx context.Context, cookie string) error {
	token, _, _ := strings.Cut(cookie, ".")
	return s.Store.DeleteMailboxSession(ctx, sha256.Sum256([]byte(token)))
}

func (s *Service) sessionSubmission(ctx context.Context, ms MailboxStore, cookie string) (string, error) {
	token, _, _ := strings.Cut(cookie, ".")
	raw, err := hex.DecodeString(token)
	if err != nil || len(raw) != 32 {
		return "", ErrNoMailboxSession
	}
	// The token's own expiry, exact (the row's is the day's end): a token
	// whose expiry was changed has another hash, and no row.
	if expires := int64(binary.BigEndian.Uint64(raw[24:])); s.Now().Unix() >= expires {
		return "", ErrNoMailboxSession
	}
	id, err := ms.MailboxSession(ctx, sha256.Sum256([]byte(token)), s.Now())
	if tipline.ErrorCode(err) == tipline.NotFound {
		return "", ErrNoMailboxSession
	}
	return id, err
}

// FollowUp is what a logged-in source sends after the tip: a message, more
// files, or both, read from the mailbox form as it streams in. Like a
// ServerSubmission, each file is encrypted to the desk's keys in memory and
// written to a pending blob before the next part is read; Commit records
// the whole follow-up in one transaction. The file names and types are
// encrypted too, in a follow-up manifest ({"files": [...]}) stored just
// before the files it lists.
type FollowUp struct {
	svc          *Service
	submissionID string
	desk         string
	recipients   []*crypto.PublicKey
	// readers of the message text: the desk's keys and the source's reply
	// key, so that the source reads their own messages in the thread.
	readers []*crypto.PublicKey
	files   []ManifestFile // of files the server encrypted
	objects []Object       // the files, pending
	// manifest is the follow-up manifest the source's browser encrypted,
	// with the files it encrypted (JavaScript on); nil otherwise.
	manifest *Object
}

// MaxFollowUpFiles bounds the files of one follow-up.
const MaxFollowUpFiles = 20

// BeginFollowUp starts a follow-up from the source of a mailbox session.
func (s *Service) BeginFollowUp(ctx context.Context, token string) (*FollowUp, error) {
	ms := s.Store
	id, err := s.sessionSubmission(ctx, ms, token)
	if err != nil {
		return nil, err
	}
	e, err := ms.MailboxByID(ctx, id)
	if err != nil {
		return nil, err
	}
	_, recipients, err := s.Desks.Accepting(ctx, e.DeskSlug)
	if err != nil {
		return nil, err
	}
	if err := s.checkBudget(ctx); err != nil {
		return nil, err
	}
	f := &FollowUp{svc: s, submissionID: id, desk: e.DeskSlug, recipients: recipients, readers: recipients}
	if e.ReplyPublic != nil {
		replyKey, err := crypto.ParsePublicKey(e.ReplyPublic, s.Now())
		if err != nil {
			return nil, err
		}
		f.readers = append(slices.Clip(recipients), replyKey)
	}
	return f, nil
}

// AddFile encrypts one more file as it streams in.
func (f *FollowUp) AddFile(ctx context.Context, name, contentType string, r io.Reader) error {
	if len(f.files) == MaxFollowUpFiles {
		return tipline.Errorf(tipline.TooLarge, "At most %d files at a time.", MaxFollowUpFiles)
	}
	plain := sha256.New()
	counter := &countingReader{r: io.TeeReader(r, plain)}
	obj, err := f.svc.storeEncryptedReserved(ctx, f.recipients, counter, KindFile, 0, false)
	if err != nil {
		return err
	}
	f.objects = append(f.objects, obj)
	f.files = append(f.files, ManifestFile{Name: name, Type: contentType, Size: counter.n, SHA256: hex.EncodeToString(plain.Sum(nil))})
	return nil
}

// AddEncryptedFile stores a file that the source's browser encrypted to
// the desk's keys, checked by the one validated path. Its name and type
// are in the manifest the browser encrypts too (SetEncryptedManifest).
func (f *FollowUp) AddEncryptedFile(ctx context.Context, r io.Reader) error {
	if len(f.objects) == MaxFollowUpFiles {
		return tipline.Errorf(tipline.TooLarge, "At most %d files at a time.", MaxFollowUpFiles)
	}
	obj, err := f.svc.storeMessageReserved(ctx, r, f.recipients, KindFile, 0, false)
	if err != nil {
		return err
	}
	f.objects = append(f.objects, obj)
	return nil
}

// SetEncryptedManifest stores the follow-up manifest that the source's
// browser encrypted for the files it encrypted.
func (f *FollowUp) SetEncryptedManifest(ctx context.Context, r io.Reader) error {
	if f.manifest != nil {
		return tipline.Errorf(tipline.Invalid, "One manifest per follow-up.")
	}
	obj, err := f.svc.storeMessageReserved(ctx, r, f.recipients, KindManifest, 0, true)
	if err != nil {
		return err
	}
	f.manifest = &obj
	return nil
}

// Commit checks the message (it may be empty when files came with it),
// encrypts it and the follow-up manifest, and records them with the files
// in one transaction, in this order: message, manifest, files. A message
// that holds a codename is refused. On any error the pending blobs are
// removed and nothing is recorded.
func (f *FollowUp) Commit(ctx context.Context, text string) error {
	s := f.svc
	var err error
	encrypted := f.manifest != nil
	switch {
	case encrypted && (len(f.files) > 0 || len(f.objects) == 0):
		err = tipline.Errorf(tipline.Invalid, "Files encrypted in the browser come with their encrypted manifest, and only with it.")
	case !encrypted && len(f.objects) > len(f.files):
		err = tipline.Errorf(tipline.Invalid, "Encrypted files need their encrypted manifest.")
	case strings.TrimSpace(text) == "" && len(f.objects) == 0:
		err = ErrEmptyMessage
	case len(text) > MaxSourceMessage:
		err = ErrMessageTooLong
	case ContainsCodename(text):
		err = ErrCodenameInText
	}
	var head []Object
	if err == nil && strings.TrimSpace(text) != "" {
		var msg Object
		msg, err = s.storeEncryptedReserved(ctx, f.readers, strings.NewReader(text), KindMessage, 0, true)
		head = append(head, msg)
	}
	if encrypted {
		head = append(head, *f.manifest)
		f.manifest = nil
	}
	if err == nil && len(f.files) > 0 {
		var m []byte
		if m, err = json.Marshal(struct {
			Files []ManifestFile `json:"files"`
		}{f.files}); err == nil {
			var manifest Object
			manifest, err = s.storeEncryptedReserved(ctx, f.recipients, bytes.NewReader(m), KindManifest, 0, true)
			head = append(head, manifest)
		}
	}
	f.objects = append(head, f.objects...)
	if err == nil {
		err = s.holdReserved(ctx, f.objects)
	}
	if err == nil {
		err = s.recordObjects(ctx, f.submissionID, f.objects, AuthorSource)
	}
	if err != nil {
		f.Abort(ctx)
		return err
	}
	s.committedFollowUp(ctx, f.objects)
	s.sourceWrote(ctx, f.desk)
	return nil
}

// committedFollowUp counts a committed follow-up's bytes (key packets and
// bodies) in the hour's committed bytes, as a submission's are, and
// releases their pending reservations. The follow-up began only while the
// budgets had room (BeginFollowUp), and its bytes were reserved as they
// arrived, so the count may go over the hour's budget by what was in
// flight, never more; new tips and follow-ups then wait for the next hour.
func (s *Service) committedFollowUp(ctx context.Context, objects []Object) {
	var size int64
	keys := make([]string, len(objects))
	for i, o := range objects {
		size += o.BodySize + int64(len(o.KeyPackets))
		keys[i] = o.BlobKey
	}
	if s.Rates != nil {
		if err := s.Rates.Add(context.WithoutCancel(ctx), bytesBucket, s.hourWindow(), size); err != nil {
			s.Logger.Warn("a follow-up's bytes are not counted in the hour's committed bytes", "err", err)
		}
	}
	s.release(ctx, keys...)
}

// Abort removes what the follow-up stored. Use a context that outlives a
// cancelled request.
func (f *FollowUp) Abort(ctx context.Context) {
	if f.manifest != nil {
		f.objects = append(f.objects, *f.manifest)
		f.manifest = nil
	}
	var keys []string
	for _, o := range f.objects {
		if o.BlobKey == "" {
			continue
		}
		if err := f.svc.Blobs.Delete(context.WithoutCancel(ctx), o.BlobKey); err != nil {
			f.svc.Logger.Warn("abandoned pending blob; the janitor will remove it", "err", err)
			continue // its reservation goes with it, when the janitor removes it
		}
		keys = append(keys, o.BlobKey)
	}
	f.svc.release(ctx, keys...)
	f.objects = nil
}

// ReplyKey returns the armored public reply key of a submission; Conflict
// when it has none (it was made before reply keys).
func (s *Service) ReplyKey(ctx context.Context, submissionID string) ([]byte, error) {
	ms := s.Store
	e, err := ms.MailboxByID(ctx, submissionID)
	if err != nil {
		return nil, err
	}
	if e.ReplyPublic == nil {
		return nil, tipline.Errorf(tipline.Conflict, "This submission was made before sources had reply keys; it cannot be answered.")
	}
	return e.ReplyPublic, nil
}

// ObjectRecorder records objects of a committed submission in one
// transaction, at the next free positions in their order, as
// MailboxStore.AddObjects does; a caller's recorder may write its own rows
// (casework's audit entry) in the same transaction.
type ObjectRecorder func(ctx context.Context, submissionID string, objects []Object, author string) error

// AddReply stores an investigator's reply: an OpenPGP message encrypted
// (in the browser) to exactly the desk's keys and the source's reply key,
// checked by the one validated path. record writes its object row (nil:
// Store.AddObjects).
func (s *Service) AddReply(ctx context.Context, submissionID string, src io.Reader, record ObjectRecorder) (Object, error) {
	ms := s.Store
	e, err := ms.MailboxByID(ctx, submissionID)
	if err != nil {
		return Object{}, err
	}
	if e.ReplyPublic == nil {
		return Object{}, tipline.Errorf(tipline.Conflict, "This submission was made before sources had reply keys; it cannot be answered.")
	}
	replyKey, err := crypto.ParsePublicKey(e.ReplyPublic, s.Now())
	if err != nil {
		return Object{}, err
	}
	desk, err := s.Desks.Recipients(ctx, e.DeskSlug)
	if err != nil {
		return Object{}, err
	}
	if len(desk) == 0 {
		return Object{}, ErrNotAccepting
	}
	obj, err := s.storeMessage(ctx, src, append(desk, replyKey), KindMessage, 0)
	if err != nil {
		if tipline.ErrorCode(err) == tipline.Invalid {
			err = tipline.Wrap(tipline.Invalid, err, "The reply is not an OpenPGP message encrypted to exactly the desk's keys and the source's reply key.")
		}
		return Object{}, err
	}
	if record == nil {
		record = s.Store.AddObjects
	}
	if err := s.recordObjectsWith(ctx, record, submissionID, []Object{obj}, AuthorStaff); err != nil {
		s.Blobs.Delete(context.WithoutCancel(ctx), obj.BlobKey)
		return Object{}, err
	}
	return obj, nil
}

// recordObjects records pending objects of a committed submission, in
// order and in one transaction. Their blobs stay under the pending prefix
// until the janitor's daily batch moves them (SweepPending). When
// recording fails the pending blobs are left to the caller.
func (s *Service) recordObjects(ctx context.Context, submissionID string, objects []Object, author string) error {
	return s.recordObjectsWith(ctx, s.Store.AddObjects, submissionID, objects, author)
}

// recordObjectsWith is recordObjects with the rows written by record.
func (s *Service) recordObjectsWith(ctx context.Context, record ObjectRecorder, submissionID string, objects []Object, author string) error {
	day := s.Now().UTC().Format(time.DateOnly)
	for i := range objects {
		objects[i].Day = day
	}
	return record(ctx, submissionID, objects, author)
}

// ContainsCodename reports whether text holds something that reads as a
// codename: CodenameWords list words in a row, or 28 digits in a row in
// any grouping (full-width digits too), however they are separated. The
// server cannot tell the source's own codename from another one without
// it, so any will do.
func ContainsCodename(text string) bool {
	return len(codenameSpans(text)) > 0
}

// RemoveCodenames returns text without what ContainsCodename finds in it,
// so that a refused message comes back to the source without the codename.
func RemoveCodenames(text string) string {
	var b strings.Builder
	last := 0
	for _, span := range codenameSpans(text) {
		b.WriteString(text[last:span[0]])
		last = span[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// codenameSpans returns the byte ranges of text that read as codenames, in
// order and apart.
func codenameSpans(text string) [][2]int {
	type token struct {
		start, end int
		digits     int // how many digits, when the token is digits only
	}
	var tokens []token
	inToken := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Dash, r) || unicode.Is(unicode.Hyphen, r)
	}
	for i, r := range text {
		if !inToken(r) {
			continue
		}
		if n := len(tokens); n > 0 && tokens[n-1].end == i {
			tokens[n-1].end = i + utf8.RuneLen(r)
		} else {
			tokens = append(tokens, token{start: i, end: i + utf8.RuneLen(r)})
		}
	}
	for i := range tokens {
		t := &tokens[i]
		for _, r := range text[t.start:t.end] {
			if !unicode.IsDigit(r) {
				t.digits = 0
				break
			}
			t.digits++
		}
	}
	var spans [][2]int
	var buf bytes.Buffer
	for i := 0; i < len(tokens); i++ {
		end := -1
		// Words: up to CodenameWords tokens, however a hyphen splits them.
		buf.Reset()
		for k := i; k < len(tokens) && k < i+crypto.CodenameWords && end < 0; k++ {
			if k > i {
				buf.WriteByte(' ')
			}
			buf.WriteString(text[tokens[k].start:tokens[k].end])
			if _, err := crypto.ParseCodename(buf.String()); err == nil {
				end = k
			}
		}
		// Digits: a run of digit tokens holding exactly 28 digits.
		digits := 0
		for k := i; end < 0 && k < len(tokens) && tokens[k].digits > 0 && digits < 28; k++ {
			digits += tokens[k].digits
			if digits == 28 {
				buf.Reset()
				for j := i; j <= k; j++ {
					buf.WriteString(text[tokens[j].start:tokens[j].end])
				}
				if _, err := crypto.ParseCodename(buf.String()); err == nil {
					end = k
				}
			}
		}
		if end >= 0 {
			spans = append(spans, [2]int{tokens[i].start, tokens[end].end})
			i = end
		}
	}
	return spans
}
