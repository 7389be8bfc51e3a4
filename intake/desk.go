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
	// read and parse the same few keys again and again. Once CacheFor has
	// passed, the next read starts a refresh in the background and is
	// answered from memory meanwhile, so no page waits for the database
	// except the first after start or after a change. Changes through this
	// Desks take effect at once; changes made elsewhere (the CLI, another
	// app node) within CacheFor and a refresh.
	CacheFor time.Duration

	mu         sync.Mutex     // guards dir, generation and refreshing
	dir        *deskDirectory // nil until read, and after a change
	generation int            // counts changes: a read begun before one is not kept
	refreshing bool           // a background refresh is running
	loading    sync.Mutex     // one read at a time by callers that wait for it
}

// deskDirectory is what Desks keeps in memory: every desk and the keys a
// submission to it is encrypted to, read at once.
type deskDirectory struct {
	desks      []Desk
	recipients map[string][]*crypto.PublicKey // by desk slug
	until      time.Time
}

// deskRefreshTimeout bounds a background refresh of the desks in memory.
const deskRefreshTimeout = 30 * time.Second

// directory returns the desks and their keys from memory, nil when there
// is no cache. Past CacheFor it still returns them and starts one refresh
// in the background; only when nothing is in memory does it read them
// and wait.
func (s *Desks) directory(ctx context.Context) (*deskDirectory, error) {
	if s.CacheFor <= 0 {
		return nil, nil
	}
	s.mu.Lock()
	dir, generation := s.dir, s.generation
	if dir != nil && !s.Now().Before(dir.until) && !s.refreshing {
		s.refreshing = true
		go s.refresh(generation)
	}
	s.mu.Unlock()
	if dir != nil {
		return dir, nil
	}
	s.loading.Lock() // the others wait for this read instead of repeating it
	defer s.loading.Unlock()
	s.mu.Lock()
	dir, generation = s.dir, s.generation
	s.mu.Unlock()
	if dir != nil {
		return dir, nil
	}
	dir, err := s.read(ctx)
	if err != nil {
		return nil, err
	}
	s.keep(dir, generation)
	return dir, nil
}

// refresh reads the desks again in the background and keeps them unless a
// change came meanwhile; on failure the desks in memory stay, and the
// next read starts another refresh.
func (s *Desks) refresh(generation int) {
	ctx, cancel := context.WithTimeout(context.Background(), deskRefreshTimeout)
	defer cancel()
	dir, err := s.read(ctx)
	if err == nil {
		s.keep(dir, generation)
	}
	s.mu.Lock()
	s.refreshing = false
	s.mu.Unlock()
}

// read reads every desk and parses its keys.
func (s *Desks) read(ctx context.Context) (*deskDirectory, error) {
	desks, err := s.Store.Desks(ctx)
	if err != nil {
		return nil, err
	}
	dir := &deskDirectory{desks: desks, recipients: map[string][]*crypto.PublicKey{}, until: s.Now().Add(s.CacheFor)}
	for _, d := range desks {
		if dir.recipients[d.Slug], err = s.readRecipients(ctx, d.Slug); err != nil {
			return nil, err
		}
	}
	return dir, nil
}

// keep keeps dir in memory unless a change came since the read began.
func (s *Desks) keep(dir *deskDirectory, generation int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if generation == s.generation {
		s.dir = dir
	}
}

// changed drops the desks kept in memory after a change through s.
func (s *Desks) changed() {
	s.mu.Lock()
	s.dir = nil
	s.generation++
	s.mu.Unlock()
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// AddDesk creates a desk after checking its slug and titles.
func (s *Desks) AddDesk(ctx context.Context, slug, titleEN, titleZH string) (Desk, error) {
	d, err := CheckDesk(slug, titleEN, titleZH)
	if err != nil {
		return Desk{}, err
	}
	defer s.changed()
	return s.Store.CreateDesk(ctx, d)
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
