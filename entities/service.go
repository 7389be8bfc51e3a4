package entities

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
)

// Limits on what staff write into an entity.
const (
	MaxName        = 300   // characters of a name or alias
	MaxAliases     = 50    // aliases of one entity
	MaxIdentifiers = 50    // identifiers of one entity
	MaxIdentifier  = 200   // characters of an identifier's value
	MaxCountries   = 20    // countries of one entity
	MaxNotes       = 20000 // characters of the notes
	MaxPage        = 100   // entities in one answer
)

// Screener finds the screening-list parties a name matches.
type Screener interface {
	// Screen returns the listed parties that name matches closely enough
	// to flag, best first; EntityName and CheckedAt are left to the
	// caller.
	Screen(ctx context.Context, name string) ([]ScreeningFlag, error)
}

// Service is the entities service. It decides who may see and change
// what: investigators work their desks' entities; admins read every
// desk's; counsel and auditors see none (entities are investigative work
// product drawn from tips).
type Service struct {
	Store    Store
	Screener Screener // nil when no screening lists are configured
	Now      func() time.Time
}

// errNoEntity hides whether an entity exists from those who may not see it.
var errNoEntity = tipline.Errorf(tipline.NotFound, "Entity not found.")

// readDesks returns the desks p may see entities of (nil: all), or
// Forbidden.
func readDesks(p casework.Principal) ([]string, error) {
	switch p.Role {
	case casework.RoleAdmin:
		return nil, nil
	case casework.RoleInvestigator:
		return append([]string{}, p.Desks...), nil
	}
	return nil, tipline.Errorf(tipline.Forbidden, "Your role does not work with entities.")
}

// canWrite returns Forbidden unless p is an investigator of desk.
func canWrite(p casework.Principal, desk string) error {
	if p.Role != casework.RoleInvestigator || !slices.Contains(p.Desks, desk) {
		return tipline.Errorf(tipline.Forbidden, "Only investigators of the entity's desk change it.")
	}
	return nil
}

func (s *Service) actor(p casework.Principal) Actor {
	return Actor{UserID: p.UserID, At: s.Now().UTC()}
}

// visible returns the entity if p may see it.
func (s *Service) visible(ctx context.Context, p casework.Principal, id string) (Entity, error) {
	desks, err := readDesks(p)
	if err != nil {
		return Entity{}, err
	}
	if !validID(id) {
		return Entity{}, errNoEntity
	}
	e, err := s.Store.Entity(ctx, id)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && desks != nil && !slices.Contains(desks, e.Desk)) {
		return Entity{}, errNoEntity
	}
	return e, err
}

// Writable returns the entity id when p may change it: NotFound when p
// may not see it, Forbidden when p may not change it, Conflict when it was
// merged into another. Forms that ask for a confirmation check it first.
func (s *Service) Writable(ctx context.Context, p casework.Principal, id string) (Entity, error) {
	return s.writable(ctx, p, id)
}

// writable returns the entity if p may change it: p sees it, is an
// investigator of its desk, and it was not merged into another.
func (s *Service) writable(ctx context.Context, p casework.Principal, id string) (Entity, error) {
	e, err := s.visible(ctx, p, id)
	if err != nil {
		return e, err
	}
	if err := canWrite(p, e.Desk); err != nil {
		return e, err
	}
	if e.MergedInto != "" {
		return e, tipline.Errorf(tipline.Conflict, "This entity was merged into %s; change that one, or undo the merge.", e.MergedInto)
	}
	return e, nil
}

// NewEntity is an entity to create.
type NewEntity struct {
	Desk        string       `json:"desk"`
	Kind        Kind         `json:"kind"`
	Name        string       `json:"name"`
	Aliases     []string     `json:"aliases"`
	Identifiers []Identifier `json:"identifiers"`
	Countries   []string     `json:"countries"`
	Notes       string       `json:"notes"`
}

// Change is an update of an entity; nil fields stay as they are. Aliases,
// Identifiers and Countries replace the lists.
type Change struct {
	Kind        *Kind         `json:"kind,omitempty"`
	Name        *string       `json:"name,omitempty"`
	Aliases     *[]string     `json:"aliases,omitempty"`
	Identifiers *[]Identifier `json:"identifiers,omitempty"`
	Countries   *[]string     `json:"countries,omitempty"`
	Notes       *string       `json:"notes,omitempty"`
}

// Create stores a new entity on a desk of p's, who must be an investigator
// of it, and screens its names.
func (s *Service) Create(ctx context.Context, p casework.Principal, n NewEntity) (Detail, error) {
	if _, err := readDesks(p); err != nil {
		return Detail{}, err
	}
	if p.Role != casework.RoleInvestigator {
		return Detail{}, tipline.Errorf(tipline.Forbidden, "Only investigators of a desk create its entities.")
	}
	if !slices.Contains(p.Desks, n.Desk) {
		return Detail{}, tipline.Errorf(tipline.NotFound, "Desk not found.")
	}
	e := Entity{ID: blob.NewKey(""), Desk: n.Desk, Kind: n.Kind, Name: n.Name, Aliases: n.Aliases,
		Identifiers: n.Identifiers, Countries: n.Countries, Notes: n.Notes}
	if err := clean(&e); err != nil {
		return Detail{}, err
	}
	flags, err := s.screen(ctx, e)
	if err != nil {
		return Detail{}, err
	}
	by := s.actor(p)
	if err := s.Store.CreateEntity(ctx, e, flags, by, record(by, ActionCreate, entityTarget(e.ID))); err != nil {
		return Detail{}, err
	}
	return s.Store.EntityDetail(ctx, e.ID, firstLinks)
}

// firstLinks is the first page of an entity's submission links.
var firstLinks = LinkWindow{Limit: LinkPageSize}

// Get returns an entity that p may see, with one page of its submission
// links, its case links, relations, history and corroboration. It does
// not audit: View shows an entity, while Get serves a page that shows it
// again after a refused change.
func (s *Service) Get(ctx context.Context, p casework.Principal, id string, page LinkPage) (Detail, error) {
	w, err := page.window()
	if err != nil {
		return Detail{}, err
	}
	if _, err := s.visible(ctx, p, id); err != nil {
		return Detail{}, err
	}
	return s.Store.EntityDetail(ctx, id, w)
}

// View is Get for showing the entity to p, and audits the view.
func (s *Service) View(ctx context.Context, p casework.Principal, id string, page LinkPage) (Detail, error) {
	d, err := s.Get(ctx, p, id, page)
	if err != nil {
		return Detail{}, err
	}
	if err := s.audit(ctx, p, ActionView, entityTarget(d.ID)); err != nil {
		return Detail{}, err
	}
	return d, nil
}

// Update changes an entity; a change of names screens them again.
func (s *Service) Update(ctx context.Context, p casework.Principal, id string, ch Change) (Detail, error) {
	old, err := s.writable(ctx, p, id)
	if err != nil {
		return Detail{}, err
	}
	e := old
	e.Aliases, e.Identifiers, e.Countries = slices.Clone(old.Aliases), slices.Clone(old.Identifiers), slices.Clone(old.Countries)
	if ch.Kind != nil {
		e.Kind = *ch.Kind
	}
	if ch.Name != nil {
		e.Name = *ch.Name
	}
	if ch.Aliases != nil {
		e.Aliases = *ch.Aliases
	}
	if ch.Identifiers != nil {
		e.Identifiers = *ch.Identifiers
	}
	if ch.Countries != nil {
		e.Countries = *ch.Countries
	}
	if ch.Notes != nil {
		e.Notes = *ch.Notes
	}
	if err := clean(&e); err != nil {
		return Detail{}, err
	}
	detail := describeChange(old, e)
	if detail == "" {
		return Detail{}, tipline.Errorf(tipline.Invalid, "Nothing to change.")
	}
	var flags NameFlags
	if e.Name != old.Name || !slices.Equal(e.Aliases, old.Aliases) {
		if flags, err = s.screen(ctx, e); err != nil {
			return Detail{}, err
		}
	}
	by := s.actor(p)
	if err := s.Store.UpdateEntity(ctx, e, flags, detail, by, record(by, ActionUpdate, entityTarget(e.ID))); err != nil {
		return Detail{}, err
	}
	return s.Store.EntityDetail(ctx, id, firstLinks)
}

// screen returns the screening flags of each of e's names; none without a
// Screener.
func (s *Service) screen(ctx context.Context, e Entity) (NameFlags, error) {
	flags := NameFlags{}
	if s.Screener == nil {
		return flags, nil
	}
	at := s.Now().UTC()
	for _, name := range append([]string{e.Name}, e.Aliases...) {
		hits, err := s.Screener.Screen(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("entities: screen: %w", err)
		}
		for i := range hits {
			hits[i].EntityName, hits[i].CheckedAt = name, at
		}
		flags[name] = hits
	}
	return flags, nil
}

// RefreshScreening screens every unmerged entity's names again, as after a
// re-import of the screening lists, and returns how many entities' flags
// changed. Changes are recorded in the entities' history as the system's.
func (s *Service) RefreshScreening(ctx context.Context) (int, error) {
	changed, after := 0, ""
	for {
		page, err := s.Store.EntityNames(ctx, after, 500)
		if err != nil {
			return changed, err
		}
		for _, en := range page {
			flags, err := s.screen(ctx, Entity{Name: en.Names[0], Aliases: en.Names[1:]})
			if err != nil {
				return changed, err
			}
			ok, err := s.Store.SetEntityScreening(ctx, en.ID, flags, Actor{At: s.Now().UTC()})
			if err != nil {
				return changed, err
			}
			if ok {
				changed++
			}
		}
		if len(page) < 500 {
			return changed, nil
		}
		after = page[len(page)-1].ID
	}
}

// validID reports whether id has the form of an entity, case or
// submission id (blob.NewKey): 26 lowercase letters and digits.
func validID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

var identifierType = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)

// checkName trims a name and checks its length and characters.
func checkName(name, what string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxName || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", tipline.Errorf(tipline.Invalid, "%s is 1 to %d characters on one line.", what, MaxName)
	}
	return name, nil
}

// clean checks e's fields and puts them in canonical form: names trimmed,
// aliases without duplicates or the name, identifiers with lowercase types,
// countries upper case and sorted.
func clean(e *Entity) error {
	if !slices.Contains(Kinds, e.Kind) {
		return tipline.Errorf(tipline.Invalid, "Unknown entity kind %q.", e.Kind)
	}
	name, err := checkName(e.Name, "A name")
	if err != nil {
		return err
	}
	e.Name = name
	if len(e.Aliases) > MaxAliases {
		return tipline.Errorf(tipline.Invalid, "At most %d aliases.", MaxAliases)
	}
	aliases := []string{}
	for _, a := range e.Aliases {
		a, err := checkName(a, "An alias")
		if err != nil {
			return err
		}
		if a != e.Name && !slices.Contains(aliases, a) {
			aliases = append(aliases, a)
		}
	}
	e.Aliases = aliases
	if len(e.Identifiers) > MaxIdentifiers {
		return tipline.Errorf(tipline.Invalid, "At most %d identifiers.", MaxIdentifiers)
	}
	ids := []Identifier{}
	for _, id := range e.Identifiers {
		id.Type, id.Value = strings.ToLower(strings.TrimSpace(id.Type)), strings.TrimSpace(id.Value)
		n := utf8.RuneCountInString(id.Value)
		if !identifierType.MatchString(id.Type) {
			return tipline.Errorf(tipline.Invalid, "An identifier type is a lowercase word such as lei, imo, registration or serial.")
		}
		if n == 0 || n > MaxIdentifier || !utf8.ValidString(id.Value) || strings.ContainsFunc(id.Value, unicode.IsControl) {
			return tipline.Errorf(tipline.Invalid, "An identifier is 1 to %d characters on one line.", MaxIdentifier)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	e.Identifiers = ids
	if len(e.Countries) > MaxCountries {
		return tipline.Errorf(tipline.Invalid, "At most %d countries.", MaxCountries)
	}
	countries := []string{}
	for _, c := range e.Countries {
		c = strings.ToUpper(strings.TrimSpace(c))
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			return tipline.Errorf(tipline.Invalid, "Countries are ISO 3166-1 alpha-2 codes such as CN or SG.")
		}
		countries = append(countries, c)
	}
	slices.Sort(countries)
	e.Countries = slices.Compact(countries)
	if utf8.RuneCountInString(e.Notes) > MaxNotes || !utf8.ValidString(e.Notes) {
		return tipline.Errorf(tipline.Invalid, "Notes are at most %d characters.", MaxNotes)
	}
	e.Notes = strings.TrimSpace(e.Notes)
	return nil
}

// describeChange says in words what changed from old to e, "" for nothing.
func describeChange(old, e Entity) string {
	var parts []string
	if old.Kind != e.Kind {
		parts = append(parts, fmt.Sprintf("kind %s → %s", old.Kind, e.Kind))
	}
	if old.Name != e.Name {
		parts = append(parts, fmt.Sprintf("name %q → %q", old.Name, e.Name))
	}
	added, removed := diff(old.Aliases, e.Aliases)
	parts = appendDiff(parts, "alias", added, removed)
	ids := func(l []Identifier) []string {
		out := make([]string, len(l))
		for i, id := range l {
			out[i] = id.Type + " " + id.Value
		}
		return out
	}
	added, removed = diff(ids(old.Identifiers), ids(e.Identifiers))
	parts = appendDiff(parts, "identifier", added, removed)
	added, removed = diff(old.Countries, e.Countries)
	parts = appendDiff(parts, "country", added, removed)
	if old.Notes != e.Notes {
		parts = append(parts, "notes changed")
	}
	return strings.Join(parts, "; ")
}

// diff returns what b has that a has not, and what a has that b has not.
func diff(a, b []string) (added, removed []string) {
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

func appendDiff(parts []string, what string, added, removed []string) []string {
	for _, x := range added {
		parts = append(parts, fmt.Sprintf("%s added %q", what, x))
	}
	for _, x := range removed {
		parts = append(parts, fmt.Sprintf("%s removed %q", what, x))
	}
	return parts
}
