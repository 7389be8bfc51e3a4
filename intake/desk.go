package intake

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
)

// DefaultDeskSlug names the desk every fresh install has.
const DefaultDeskSlug = "export-controls"

// Desk is a routing target for tips: its own titles, questionnaire and
// recipient keys.
type Desk struct {
	ID             int64
	Slug           string
	TitleEN        string
	TitleZH        string
	AckDays        int // days to acknowledge a submission (EU Directive 2019/1937: 7)
	FeedbackMonths int // months to give feedback after the acknowledgement (3)
	CreatedAt      time.Time
}

// RecipientKey is an OpenPGP public key that every submission to a desk is
// encrypted to.
type RecipientKey struct {
	ID          int64
	DeskSlug    string
	Fingerprint string
	Armored     string
	CreatedAt   time.Time
}

// DeskStore keeps desks and their keys.
type DeskStore interface {
	// CreateDesk stores a new desk; Conflict when the slug is taken.
	CreateDesk(ctx context.Context, d Desk) (Desk, error)
	// Desks lists every desk by slug.
	Desks(ctx context.Context) ([]Desk, error)
	// Desk returns one desk; NotFound when there is none.
	Desk(ctx context.Context, slug string) (Desk, error)
	// AddKey stores a recipient key; NotFound for an unknown desk,
	// Conflict when the desk has the key already.
	AddKey(ctx context.Context, k RecipientKey) (RecipientKey, error)
	// Keys lists the keys of one desk, or of every desk when slug is "".
	Keys(ctx context.Context, slug string) ([]RecipientKey, error)
	// RemoveKey removes a key from a desk; NotFound when it is not there.
	RemoveKey(ctx context.Context, slug, fingerprint string) error
	// SetDeadlines changes a desk's deadline rules for submissions received
	// from now on; NotFound for an unknown desk.
	SetDeadlines(ctx context.Context, slug string, ackDays, feedbackMonths int) error
}

// Desks is the service behind the desk and key commands and pages.
type Desks struct {
	Store DeskStore
	Now   func() time.Time
	// CacheFor, when set, keeps the desks and their parsed keys in memory
	// for that long, for the intake's reads (List, Desk, Recipients,
	// Accepting): every page and upload of a source reads them, and a flood
	// would otherwise take the database's connections and the cores to
	// read and parse the same few keys again and again. Changes through
	// this Desks take effect at once; changes made elsewhere (the CLI,
	// another app node) within CacheFor.
	CacheFor time.Duration

	mu  sync.Mutex
	dir *deskDirectory // nil until read, and after a change
}

// deskDirectory is what Desks keeps in memory: every desk and the keys a
// submission to it is encrypted to, read at once.
type deskDirectory struct {
	desks      []Desk
	recipients map[string][]*crypto.PublicKey // by desk slug
	until      time.Time
}

// directory returns the desks and their keys, from memory while they are
// fresh; nil when there is no cache.
func (s *Desks) directory(ctx context.Context) (*deskDirectory, error) {
	if s.CacheFor <= 0 {
		return nil, nil
	}
	s.mu.Lock() // one refresh at a time; the others wait for it
	defer s.mu.Unlock()
	now := s.Now()
	if s.dir != nil && now.Before(s.dir.until) {
		return s.dir, nil
	}
	desks, err := s.Store.Desks(ctx)
	if err != nil {
		return nil, err
	}
	dir := &deskDirectory{desks: desks, recipients: map[string][]*crypto.PublicKey{}, until: now.Add(s.CacheFor)}
	for _, d := range desks {
		if dir.recipients[d.Slug], err = s.readRecipients(ctx, d.Slug); err != nil {
			return nil, err
		}
	}
	s.dir = dir
	return dir, nil
}

// changed drops the desks kept in memory after a change through s.
func (s *Desks) changed() {
	s.mu.Lock()
	s.dir = nil
	s.mu.Unlock()
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// AddDesk creates a desk after checking its slug and titles.
func (s *Desks) AddDesk(ctx context.Context, slug, titleEN, titleZH string) (Desk, error) {
	if !slugPattern.MatchString(slug) {
		return Desk{}, tipline.Errorf(tipline.Invalid, "A desk slug is 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit.")
	}
	titleEN, titleZH = strings.TrimSpace(titleEN), strings.TrimSpace(titleZH)
	if titleEN == "" {
		return Desk{}, tipline.Errorf(tipline.Invalid, "A desk needs an English title.")
	}
	defer s.changed()
	return s.Store.CreateDesk(ctx, Desk{Slug: slug, TitleEN: titleEN, TitleZH: titleZH})
}

// SetDeadlines changes how long the desk has to acknowledge a submission
// and to give feedback. The defaults are EU Directive 2019/1937's: 7 days
// and 3 months; a desk may only shorten them or lengthen them within reason.
func (s *Desks) SetDeadlines(ctx context.Context, slug string, ackDays, feedbackMonths int) error {
	if ackDays < 1 || ackDays > 90 || feedbackMonths < 1 || feedbackMonths > 24 {
		return tipline.Errorf(tipline.Invalid, "Acknowledge within 1 to 90 days, give feedback within 1 to 24 months.")
	}
	defer s.changed()
	return s.Store.SetDeadlines(ctx, slug, ackDays, feedbackMonths)
}

// List returns every desk, by slug.
func (s *Desks) List(ctx context.Context) ([]Desk, error) {
	dir, err := s.directory(ctx)
	if dir == nil || err != nil {
		return s.Store.Desks(ctx)
	}
	return slices.Clone(dir.desks), nil
}

// Desk returns one desk; NotFound when there is none.
func (s *Desks) Desk(ctx context.Context, slug string) (Desk, error) {
	if dir, err := s.directory(ctx); dir != nil && err == nil {
		for _, d := range dir.desks {
			if d.Slug == slug {
				return d, nil
			}
		}
	}
	return s.Store.Desk(ctx, slug) // and a desk added since, or NotFound
}

// AddKey parses an armored public key, refuses one that cannot receive
// submissions (expired, revoked, no encryption key, a private key) and adds
// it to the desk.
func (s *Desks) AddKey(ctx context.Context, slug string, armored []byte) (RecipientKey, *crypto.PublicKey, error) {
	if _, err := s.Store.Desk(ctx, slug); err != nil {
		return RecipientKey{}, nil, err
	}
	pub, err := crypto.ParsePublicKey(armored, s.Now())
	if err != nil {
		return RecipientKey{}, nil, tipline.Wrap(tipline.Invalid, err, "This key cannot receive submissions: "+strings.TrimPrefix(err.Error(), "crypto: "))
	}
	defer s.changed()
	k, err := s.Store.AddKey(ctx, RecipientKey{DeskSlug: slug, Fingerprint: pub.Fingerprint, Armored: pub.Armored})
	return k, pub, err
}

// Recipients returns the keys a submission to the desk is encrypted to now.
// Keys that expired or were revoked since they were added are left out; an
// empty result means the desk is not accepting tips.
func (s *Desks) Recipients(ctx context.Context, slug string) ([]*crypto.PublicKey, error) {
	if dir, err := s.directory(ctx); dir != nil && err == nil {
		if keys, ok := dir.recipients[slug]; ok {
			return keys, nil
		}
	}
	return s.readRecipients(ctx, slug)
}

// readRecipients reads and parses the keys of a desk for Recipients.
func (s *Desks) readRecipients(ctx context.Context, slug string) ([]*crypto.PublicKey, error) {
	keys, err := s.Store.Keys(ctx, slug)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var out []*crypto.PublicKey
	for _, k := range keys {
		pub, err := crypto.ParsePublicKey([]byte(k.Armored), now)
		if err != nil {
			continue
		}
		out = append(out, pub)
	}
	return out, nil
}

// Accepting returns a desk and the keys a submission to it is encrypted to
// now; ErrNotAccepting when it has none, NotFound when there is no desk.
func (s *Desks) Accepting(ctx context.Context, slug string) (Desk, []*crypto.PublicKey, error) {
	desk, err := s.Desk(ctx, slug)
	if err != nil {
		return Desk{}, nil, err
	}
	recipients, err := s.Recipients(ctx, slug)
	if err != nil {
		return Desk{}, nil, err
	}
	if len(recipients) == 0 {
		return Desk{}, nil, ErrNotAccepting
	}
	return desk, recipients, nil
}
