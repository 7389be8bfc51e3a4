package casework

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
)

// CaseStatus is where a case stands.
type CaseStatus string

// The case statuses.
const (
	CaseOpen     CaseStatus = "open"
	CaseOnHold   CaseStatus = "on_hold"
	CaseReferred CaseStatus = "referred"
	CaseClosed   CaseStatus = "closed"
)

// CaseStatuses lists every case status.
var CaseStatuses = []CaseStatus{CaseOpen, CaseOnHold, CaseReferred, CaseClosed}

// Limits on what staff write into a case.
const (
	MaxCaseTitle       = 200   // characters of a title
	MaxNoteText        = 20000 // characters of a note
	MaxCaseSubmissions = 100   // submissions linked when a case is opened
)

// CaseSummary is a case as lists show it.
type CaseSummary struct {
	ID        string     `json:"id"`
	Desk      string     `json:"desk"`
	Title     string     `json:"title"`
	Lead      string     `json:"lead"` // staff email
	Status    CaseStatus `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Note is an investigator's note on a case.
//
// Notes are investigator work product, written by staff and stored as
// text in the database. Staff must not paste tip plaintext into them: the
// server never holds a tip's content, and a note is no exception. A later
// change may encrypt notes to the desk's keys in the browser.
type Note struct {
	ID     int64     `json:"id"`
	Author string    `json:"author"` // staff email
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// CaseDetail is one case with the ids of its submissions, in the order of
// their tip numbers, and its notes, oldest first.
type CaseDetail struct {
	CaseSummary
	Submissions []string       `json:"submissions"`
	Numbers     map[string]int `json:"numbers"` // tip number of each submission, by id
	Notes       []Note         `json:"notes"`
}

// NewCase is a case to open.
type NewCase struct {
	ID          string   `json:"-"`
	Desk        string   `json:"desk"`
	Title       string   `json:"title"`
	Lead        string   `json:"lead"`        // staff email; the opener when empty
	Submissions []string `json:"submissions"` // ids, all of the desk
}

// CaseChange is an update of a case; nil fields stay as they are.
type CaseChange struct {
	Title  *string     `json:"title,omitempty"`
	Lead   *string     `json:"lead,omitempty"` // staff email
	Status *CaseStatus `json:"status,omitempty"`
}

// CaseQuery selects cases, newest first.
type CaseQuery struct {
	Desks      []string // the desks the caller may see; nil means all
	Desk       string
	Status     CaseStatus
	Submission string // only cases holding this submission
	Limit      int
}

// CaseStore keeps cases. Methods that take an AuditRecord append it in the
// same transaction as the change; AppendAudit records views.
type CaseStore interface {
	AuditAppender
	// CreateCase stores a new open case with its submissions and moves
	// them to case_opened, meeting their deadlines on the day of at.
	// NotFound for an unknown desk or a submission that is not of the desk;
	// Invalid when the lead is not an investigator of the desk.
	CreateCase(ctx context.Context, c NewCase, at time.Time, rec AuditRecord) error
	// ListCases returns up to q.Limit cases matching q, newest first.
	ListCases(ctx context.Context, q CaseQuery) ([]CaseSummary, error)
	// CaseDetail returns one case; NotFound when there is none.
	CaseDetail(ctx context.Context, id string) (CaseDetail, error)
	// UpdateCase applies a checked change; Invalid when a new lead is not
	// an investigator of the case's desk, NotFound for no such case.
	UpdateCase(ctx context.Context, id string, ch CaseChange, at time.Time, rec AuditRecord) error
	// LinkSubmission adds a submission to a case (linking twice is no
	// error) and, when the case is open, moves the submission to
	// case_opened; NotFound when the submission is not of the case's desk.
	LinkSubmission(ctx context.Context, caseID, submissionID string, at time.Time, rec AuditRecord) error
	// AddNote stores a note by the user authorID and returns it.
	AddNote(ctx context.Context, caseID string, authorID int64, text string, at time.Time, rec AuditRecord) (Note, error)
}

// Cases is the service behind cases. A case belongs to one desk:
// investigators of the desk open and work it; admins read every desk's
// cases; counsel and auditors see none here. Linking a submission to an
// open case moves the submission to case_opened in the same transaction,
// so that the deadline engine records the step. Every change writes its
// audit entry in the change's transaction; View and ViewList are the
// audited reads.
type Cases struct {
	Store CaseStore
	Now   func() time.Time
}

// errNoCase hides whether a case exists from those who may not see it.
var errNoCase = tipline.Errorf(tipline.NotFound, "Case not found.")

// caseDesks returns the desks p may see cases of (nil: all), or Forbidden.
func caseDesks(p Principal) ([]string, error) {
	if p.Role != RoleAdmin && p.Role != RoleInvestigator {
		return nil, tipline.Errorf(tipline.Forbidden, "Your role does not work cases.")
	}
	return visibleDesks(p)
}

// checkTitle trims a title and checks its length and characters.
func checkTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	n := utf8.RuneCountInString(title)
	if n == 0 || n > MaxCaseTitle || !utf8.ValidString(title) || strings.ContainsFunc(title, unicode.IsControl) {
		return "", tipline.Errorf(tipline.Invalid, "A case title is 1 to %d characters on one line.", MaxCaseTitle)
	}
	return title, nil
}

// Create opens a case on a desk of p's, who must be an investigator of
// it, and moves its submissions to case_opened, in one transaction with
// its audit entry.
func (s *Cases) Create(ctx context.Context, p Principal, c NewCase) (CaseDetail, error) {
	if _, err := caseDesks(p); err != nil {
		return CaseDetail{}, err
	}
	if p.Role != RoleInvestigator {
		return CaseDetail{}, tipline.Errorf(tipline.Forbidden, "Only investigators of a desk open its cases.")
	}
	if !slices.Contains(p.Desks, c.Desk) {
		return CaseDetail{}, tipline.Errorf(tipline.NotFound, "Desk not found.")
	}
	title, err := checkTitle(c.Title)
	if err != nil {
		return CaseDetail{}, err
	}
	if c.Lead == "" {
		c.Lead = p.Email
	}
	subs := slices.Compact(slices.Sorted(slices.Values(c.Submissions)))
	if len(subs) > MaxCaseSubmissions {
		return CaseDetail{}, tipline.Errorf(tipline.Invalid, "At most %d submissions when opening a case.", MaxCaseSubmissions)
	}
	c.ID, c.Title, c.Submissions = blob.NewKey(""), title, subs
	now := s.Now()
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionCaseCreate, Target: "case:" + c.ID}
	if err := s.Store.CreateCase(ctx, c, now, rec); err != nil {
		return CaseDetail{}, err
	}
	return s.Store.CaseDetail(ctx, c.ID)
}

// List returns up to MaxPage cases q selects, within what p may see. It is
// not audited: pages that show a submission list the cases holding it as
// part of that audited view; ViewList is the audited list.
func (s *Cases) List(ctx context.Context, p Principal, q CaseQuery) ([]CaseSummary, error) {
	desks, err := caseDesks(p)
	if err != nil {
		return nil, err
	}
	if q.Status != "" && !slices.Contains(CaseStatuses, q.Status) {
		return nil, tipline.Errorf(tipline.Invalid, "Unknown case status %q.", q.Status)
	}
	q.Desks, q.Limit = desks, MaxPage
	return s.Store.ListCases(ctx, q)
}

// ViewList is List recorded in the audit log; when the entry cannot be
// written it returns the error and no cases.
func (s *Cases) ViewList(ctx context.Context, p Principal, q CaseQuery) ([]CaseSummary, error) {
	items, err := s.List(ctx, p, q)
	if err != nil {
		return nil, err
	}
	if err := s.Store.AppendAudit(ctx, AuditRecord{At: s.Now(), Actor: p.UserID, Action: ActionCaseList, Target: "cases"}); err != nil {
		return nil, err
	}
	return items, nil
}

// Get returns one case that p may see. It is not audited: it is for checks
// and for changes; View is the audited read.
func (s *Cases) Get(ctx context.Context, p Principal, id string) (CaseDetail, error) {
	desks, err := caseDesks(p)
	if err != nil {
		return CaseDetail{}, err
	}
	d, err := s.Store.CaseDetail(ctx, id)
	if tipline.ErrorCode(err) == tipline.NotFound || (err == nil && desks != nil && !slices.Contains(desks, d.Desk)) {
		return CaseDetail{}, errNoCase
	}
	return d, err
}

// View returns one case that p may see and records the view in the audit
// log; when the entry cannot be written it returns the error and no case.
func (s *Cases) View(ctx context.Context, p Principal, id string) (CaseDetail, error) {
	d, err := s.Get(ctx, p, id)
	if err != nil {
		return CaseDetail{}, err
	}
	if err := s.Store.AppendAudit(ctx, AuditRecord{At: s.Now(), Actor: p.UserID, Action: ActionCaseView, Target: "case:" + d.ID}); err != nil {
		return CaseDetail{}, err
	}
	return d, nil
}

// writable returns the case if p may change it: p sees it and is an
// investigator (hence of its desk).
func (s *Cases) writable(ctx context.Context, p Principal, id string) (CaseDetail, error) {
	d, err := s.Get(ctx, p, id)
	if err != nil {
		return d, err
	}
	if p.Role != RoleInvestigator {
		return d, tipline.Errorf(tipline.Forbidden, "Only investigators of this desk change a case.")
	}
	return d, nil
}

// Update changes a case's title, lead or status.
func (s *Cases) Update(ctx context.Context, p Principal, id string, ch CaseChange) (CaseDetail, error) {
	if _, err := s.writable(ctx, p, id); err != nil {
		return CaseDetail{}, err
	}
	if ch.Title == nil && ch.Lead == nil && ch.Status == nil {
		return CaseDetail{}, tipline.Errorf(tipline.Invalid, "Nothing to change.")
	}
	if ch.Title != nil {
		title, err := checkTitle(*ch.Title)
		if err != nil {
			return CaseDetail{}, err
		}
		ch.Title = &title
	}
	if ch.Status != nil && !slices.Contains(CaseStatuses, *ch.Status) {
		return CaseDetail{}, tipline.Errorf(tipline.Invalid, "Unknown case status %q.", *ch.Status)
	}
	if ch.Lead != nil && *ch.Lead == "" {
		return CaseDetail{}, tipline.Errorf(tipline.Invalid, "A case always has a lead investigator.")
	}
	now := s.Now()
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionCaseUpdate, Target: "case:" + id}
	if err := s.Store.UpdateCase(ctx, id, ch, now, rec); err != nil {
		return CaseDetail{}, err
	}
	return s.Store.CaseDetail(ctx, id)
}

// Link adds a submission of the case's desk to the case; linked to an
// open case, the submission moves to case_opened.
func (s *Cases) Link(ctx context.Context, p Principal, id, submissionID string) (CaseDetail, error) {
	d, err := s.writable(ctx, p, id)
	if err != nil {
		return d, err
	}
	now := s.Now()
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionCaseLink, Target: "case:" + d.ID + "/submission:" + submissionID}
	if err := s.Store.LinkSubmission(ctx, d.ID, submissionID, now, rec); err != nil {
		return CaseDetail{}, err
	}
	return s.Store.CaseDetail(ctx, d.ID)
}

// AddNote adds p's note to a case. See Note: staff write notes; they must
// not hold tip plaintext.
func (s *Cases) AddNote(ctx context.Context, p Principal, id, text string) (Note, error) {
	if _, err := s.writable(ctx, p, id); err != nil {
		return Note{}, err
	}
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxNoteText || !utf8.ValidString(text) {
		return Note{}, tipline.Errorf(tipline.Invalid, "A note is 1 to %d characters.", MaxNoteText)
	}
	now := s.Now()
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionCaseNote, Target: "case:" + id}
	return s.Store.AddNote(ctx, id, p.UserID, text, now, rec)
}
