package quitam

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
)

// Store keeps matters. Every change writes the matter, its deadlines in
// the deadline table and the audit entry in one transaction.
type Store interface {
	// CreateMatter inserts a new matter with its deadlines.
	CreateMatter(ctx context.Context, m Matter, createdBy int64, deadlines []casework.Deadline, rec casework.AuditRecord) error
	// SaveMatter writes a matter's facts, election and extensions, and
	// replaces its deadlines on the case's submissions.
	SaveMatter(ctx context.Context, m Matter, deadlines []casework.Deadline, rec casework.AuditRecord) error
	// AddMatterCollection appends a collection to the matter's ledger.
	AddMatterCollection(ctx context.Context, matterID string, c Collection, by int64, at time.Time, rec casework.AuditRecord) (int64, error)
	// Matter returns a matter with its extensions, collections and the
	// linked claim's counsel; NotFound when there is none.
	Matter(ctx context.Context, id string) (Matter, error)
	// ListMatters returns up to limit matters, newest first.
	ListMatters(ctx context.Context, limit int) ([]Matter, error)
	// MatterClaim returns a claim's program and counsel; NotFound when
	// there is none.
	MatterClaim(ctx context.Context, claimID string) (program string, counsel []string, err error)
	// CaseHoldsClaimSubmission reports whether the case holds one of the
	// claim's submissions; NotFound when there is no such case.
	CaseHoldsClaimSubmission(ctx context.Context, caseID, claimID string) (bool, error)
	// MatterOpenings returns up to limit pairs of an FCA claim and a case
	// that holds one of its submissions, with the claim's counsel.
	MatterOpenings(ctx context.Context, limit int) ([]Opening, error)
	AppendAudit(ctx context.Context, rec casework.AuditRecord) error
}

// Opening is a claim and case a matter may be opened on.
type Opening struct {
	ClaimID  string
	Claimant string // the claim's pseudonym
	CaseID   string
	Desk     string // the case's desk
	Counsel  []string
}

// MaxListed bounds a list of matters.
const MaxListed = 500

// Service decides who sees and changes which matter and keeps each
// matter's deadlines in step with its facts.
type Service struct {
	Store Store
	Now   func() time.Time
}

// Audit actions of the service.
const (
	AuditCreate       casework.AuditAction = "quitam.create"
	AuditFacts        casework.AuditAction = "quitam.facts"
	AuditExtension    casework.AuditAction = "quitam.extension"
	AuditIntervention casework.AuditAction = "quitam.intervention"
	AuditCollection   casework.AuditAction = "quitam.collection"
	AuditList         casework.AuditAction = "quitam.list"
	AuditView         casework.AuditAction = "quitam.view"
)

// The program of the award claims a matter links to.
const fcaProgram = "fca"

var errNoMatter = tipline.Errorf(tipline.NotFound, "Qui tam matter not found.")

func (s *Service) now() time.Time { return s.Now().UTC() }

// Today is the service's current UTC day.
func (s *Service) Today() string { return s.now().Format(time.DateOnly) }

func target(id string) string { return "quitam:" + id }

func (s *Service) record(p casework.Principal, action casework.AuditAction, tgt string) casework.AuditRecord {
	return casework.AuditRecord{At: s.now(), Actor: p.UserID, Action: action, Target: tgt}
}

// worksMatters refuses the roles that see no matter.
func worksMatters(p casework.Principal) error {
	if p.Role == casework.RoleAdmin || p.Role == casework.RoleCounsel {
		return nil
	}
	return tipline.Errorf(tipline.Forbidden, "Qui tam matters are for counsel and admins.")
}

// canSee: admins every matter; counsel those of their claims.
func canSee(p casework.Principal, counsel []string) bool {
	return p.Role == casework.RoleAdmin || (p.Role == casework.RoleCounsel && slices.Contains(counsel, p.Email))
}

// VisibleTo reports whether p may see the matter, by the rule of the
// qui tam pages: admins every matter, counsel those of their claims.
func (m Matter) VisibleTo(p casework.Principal) bool { return canSee(p, m.Counsel) }

// matter returns a matter p may see; a matter p may not see is not found.
func (s *Service) matter(ctx context.Context, p casework.Principal, id string) (Matter, error) {
	if err := worksMatters(p); err != nil {
		return Matter{}, err
	}
	m, err := s.Store.Matter(ctx, id)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && !canSee(p, m.Counsel)) {
		return Matter{}, errNoMatter
	}
	return m, err
}

// Create opens a matter on an FCA claim p is counsel of (admins: any),
// linked to a case that holds one of the claim's submissions.
func (s *Service) Create(ctx context.Context, p casework.Principal, n NewMatter) (Matter, error) {
	if err := worksMatters(p); err != nil {
		return Matter{}, err
	}
	program, counsel, err := s.Store.MatterClaim(ctx, strings.TrimSpace(n.ClaimID))
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && !canSee(p, counsel)) {
		return Matter{}, tipline.Errorf(tipline.NotFound, "Claim not found.")
	}
	if err != nil {
		return Matter{}, err
	}
	if program != fcaProgram {
		return Matter{}, tipline.Errorf(tipline.Invalid, "A qui tam matter is linked to a False Claims Act claim (program fca).")
	}
	holds, err := s.Store.CaseHoldsClaimSubmission(ctx, strings.TrimSpace(n.CaseID), n.ClaimID)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && !holds) {
		return Matter{}, tipline.Errorf(tipline.Invalid, "Link the matter to the case that holds the claim's submission.")
	}
	if err != nil {
		return Matter{}, err
	}
	f, err := Facts{Caption: n.Caption}.Check()
	if err != nil {
		return Matter{}, err
	}
	now := s.now()
	m := Matter{ID: blob.NewKey(""), CaseID: strings.TrimSpace(n.CaseID), ClaimID: strings.TrimSpace(n.ClaimID), Facts: f, Intervention: Undecided, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateMatter(ctx, m, p.UserID, m.Deadlines(), s.record(p, AuditCreate, target(m.ID))); err != nil {
		return Matter{}, err
	}
	return s.Store.Matter(ctx, m.ID)
}

// Openings returns the FCA claims p may open a matter on, each with a
// case that holds one of its submissions.
func (s *Service) Openings(ctx context.Context, p casework.Principal) ([]Opening, error) {
	if err := worksMatters(p); err != nil {
		return nil, err
	}
	all, err := s.Store.MatterOpenings(ctx, MaxListed)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(o Opening) bool { return !canSee(p, o.Counsel) }), nil
}

// List returns the matters p may see, newest first, and audits the view.
func (s *Service) List(ctx context.Context, p casework.Principal) ([]Matter, error) {
	if err := worksMatters(p); err != nil {
		return nil, err
	}
	all, err := s.Store.ListMatters(ctx, MaxListed)
	if err != nil {
		return nil, err
	}
	seen := slices.DeleteFunc(all, func(m Matter) bool { return !canSee(p, m.Counsel) })
	if err := s.Store.AppendAudit(ctx, s.record(p, AuditList, "quitam")); err != nil {
		return nil, err
	}
	return seen, nil
}

// Get returns one matter and audits the view.
func (s *Service) Get(ctx context.Context, p casework.Principal, id string) (Matter, error) {
	m, err := s.matter(ctx, p, id)
	if err != nil {
		return Matter{}, err
	}
	if err := s.Store.AppendAudit(ctx, s.record(p, AuditView, target(id))); err != nil {
		return Matter{}, err
	}
	return m, nil
}

// save writes a changed matter with its recomputed deadlines.
func (s *Service) save(ctx context.Context, p casework.Principal, m Matter, action casework.AuditAction) (Matter, error) {
	m.UpdatedAt = s.now()
	if err := s.Store.SaveMatter(ctx, m, m.Deadlines(), s.record(p, action, target(m.ID))); err != nil {
		return Matter{}, err
	}
	return s.Store.Matter(ctx, m.ID)
}

// SetFacts records counsel's facts: the filing, the violation and the
// official's knowledge, the retaliation, and the bars' checkboxes.
func (s *Service) SetFacts(ctx context.Context, p casework.Principal, id string, f Facts) (Matter, error) {
	m, err := s.matter(ctx, p, id)
	if err != nil {
		return Matter{}, err
	}
	if f, err = f.Check(); err != nil {
		return Matter{}, err
	}
	if f.FiledDay == "" && (len(m.Extensions) > 0 || m.Intervention != Undecided) {
		return Matter{}, tipline.Errorf(tipline.Invalid, "The filing day stays: the seal was extended or the Government elected.")
	}
	if len(m.Extensions) > 0 {
		if due, _ := SealDue(f.FiledDay, f.ServedDay); due >= m.Extensions[0].NewDay {
			return Matter{}, tipline.Errorf(tipline.Invalid, "The first extension must end after the 60-day seal.")
		}
	}
	if m.InterventionDay != "" && f.FiledDay > m.InterventionDay {
		return Matter{}, tipline.Errorf(tipline.Invalid, "The filing day comes before the Government's election.")
	}
	m.Facts = f
	return s.save(ctx, p, m, AuditFacts)
}

// AddExtension records an extension of the seal granted on grantedDay
// until newDay (3730(b)(3)): only while the Government has not elected,
// and only to a day after the current end of the seal.
func (s *Service) AddExtension(ctx context.Context, p casework.Principal, id string, e Extension) (Matter, error) {
	m, err := s.matter(ctx, p, id)
	if err != nil {
		return Matter{}, err
	}
	if m.FiledDay == "" {
		return Matter{}, tipline.Errorf(tipline.Invalid, "Record the day the complaint was filed under seal first.")
	}
	if m.Intervention != Undecided {
		return Matter{}, tipline.Errorf(tipline.Invalid, "The Government has elected; the seal is no longer extended.")
	}
	if _, err := parseDay("day the extension was granted", e.GrantedDay); err != nil {
		return Matter{}, err
	}
	if _, err := parseDay("new end of the seal", e.NewDay); err != nil {
		return Matter{}, err
	}
	if e.GrantedDay < m.FiledDay {
		return Matter{}, tipline.Errorf(tipline.Invalid, "An extension is granted on or after the filing day.")
	}
	if n := len(m.Extensions); n > 0 && e.GrantedDay < m.Extensions[n-1].GrantedDay {
		return Matter{}, tipline.Errorf(tipline.Invalid, "Extensions are recorded in the order they were granted.")
	}
	if end := m.SealEnds(); e.NewDay <= end {
		return Matter{}, tipline.Errorf(tipline.Invalid, "The new end of the seal must come after the current one, %s.", end)
	}
	m.Extensions = append(m.Extensions, e)
	return s.save(ctx, p, m, AuditExtension)
}

// Decide records the Government's election on day; Undecided clears it.
func (s *Service) Decide(ctx context.Context, p casework.Principal, id string, i Intervention, day string) (Matter, error) {
	m, err := s.matter(ctx, p, id)
	if err != nil {
		return Matter{}, err
	}
	if !slices.Contains(Interventions, i) {
		return Matter{}, tipline.Errorf(tipline.Invalid, "Unknown election %q.", i)
	}
	if i == Undecided {
		m.Intervention, m.InterventionDay = Undecided, ""
		return s.save(ctx, p, m, AuditIntervention)
	}
	if m.FiledDay == "" {
		return Matter{}, tipline.Errorf(tipline.Invalid, "Record the day the complaint was filed under seal first.")
	}
	if _, err := parseDay("day of the election", day); err != nil {
		return Matter{}, err
	}
	if day < m.FiledDay {
		return Matter{}, tipline.Errorf(tipline.Invalid, "The Government elects on or after the filing day.")
	}
	if n := len(m.Extensions); n > 0 && day < m.Extensions[n-1].GrantedDay {
		return Matter{}, tipline.Errorf(tipline.Invalid, "The election comes on or after the last extension was granted.")
	}
	m.Intervention, m.InterventionDay = i, day
	return s.save(ctx, p, m, AuditIntervention)
}

// NewCollection is a payment as counsel type it, in dollars.
type NewCollection struct {
	ReceivedDay string `json:"received_day"`
	Federal     string `json:"federal"`
	State       string `json:"state"`
	DocumentRef string `json:"document_ref"`
}

// AddCollection records a payment received under the judgment or
// settlement: the federal part, which the relator's federal share is
// computed on, and any state part, kept apart.
func (s *Service) AddCollection(ctx context.Context, p casework.Principal, id string, n NewCollection) (Matter, error) {
	m, err := s.matter(ctx, p, id)
	if err != nil {
		return Matter{}, err
	}
	if _, err := parseDay("day received", n.ReceivedDay); err != nil {
		return Matter{}, err
	}
	if n.ReceivedDay > s.Today() {
		return Matter{}, tipline.Errorf(tipline.Invalid, "A collection is recorded once received, not ahead of time.")
	}
	amount := func(field, v string) (awards.Cents, error) {
		if strings.TrimSpace(v) == "" {
			return 0, nil
		}
		c, err := awards.ParseUSD(v)
		if err != nil {
			return 0, tipline.Errorf(tipline.Invalid, "The %s amount is not an amount in dollars: %q (write 1234.56).", field, v)
		}
		return c, nil
	}
	c := Collection{ReceivedDay: n.ReceivedDay, DocumentRef: strings.TrimSpace(n.DocumentRef)}
	if c.Federal, err = amount("federal", n.Federal); err != nil {
		return Matter{}, err
	}
	if c.State, err = amount("state", n.State); err != nil {
		return Matter{}, err
	}
	if c.Federal == 0 && c.State == 0 {
		return Matter{}, tipline.Errorf(tipline.Invalid, "A collection has a federal or a state amount above zero.")
	}
	if len(c.DocumentRef) > 300 {
		return Matter{}, tipline.Errorf(tipline.Invalid, "The document reference is at most 300 characters.")
	}
	if _, err := s.Store.AddMatterCollection(ctx, m.ID, c, p.UserID, s.now(), s.record(p, AuditCollection, target(m.ID))); err != nil {
		return Matter{}, err
	}
	return s.Store.Matter(ctx, m.ID)
}
