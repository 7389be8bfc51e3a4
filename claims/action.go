package claims

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
)

// Relation says how an action counts for a claim.
type Relation string

// The relations.
const (
	// Covered is the covered action itself (for example the SEC action
	// whose Notice of Covered Action opens the claim window).
	Covered Relation = "covered"
	// Aggregated is an action of the same authority grouped with the
	// covered action because it arises from the same nucleus of operative
	// facts (17 CFR 240.21F-4(d)(1)); it counts towards the threshold.
	Aggregated Relation = "aggregated"
	// Related is an action of another authority based on the same original
	// information (17 CFR 240.21F-3(b)).
	Related Relation = "related"
)

// Relations lists every relation.
var Relations = []Relation{Covered, Aggregated, Related}

// Limits on what staff write into actions and claims.
const (
	MaxText       = 300  // characters of a one-line field
	MaxLongText   = 4000 // characters of evidence and bases
	MaxDefendants = 50
	MaxListed     = 500 // actions or claims one list returns
)

// Defendant is a party an action names.
type Defendant struct {
	Name string `json:"name"`
	// EntityID is reserved for the entities module, which will link a
	// defendant to an entity; empty until then.
	EntityID string `json:"entity_id,omitempty"`
}

// Sanction is an amount an action orders of one kind of money.
type Sanction struct {
	Kind    awards.Kind  `json:"kind"`
	Ordered awards.Cents `json:"ordered"`
}

// Collection is one entry of the collections ledger. A reversing entry
// names the entry it reverses and carries its negated amount.
type Collection struct {
	ID          int64        `json:"id"`
	ActionID    string       `json:"action"`
	Kind        awards.Kind  `json:"kind"`
	Amount      awards.Cents `json:"amount"`
	ReceivedDay string       `json:"received_day"` // YYYY-MM-DD
	DocumentRef string       `json:"document_ref,omitempty"`
	Reverses    int64        `json:"reverses,omitempty"`
	Reversed    bool         `json:"reversed,omitempty"` // a later entry reverses this one
	RecordedBy  string       `json:"recorded_by"`        // staff email
	RecordedAt  time.Time    `json:"recorded_at"`
}

// ActionFields are what staff write about an action.
type ActionFields struct {
	Relation      Relation    `json:"relation"`
	CoveredID     string      `json:"covered_action,omitempty"` // for aggregated and related actions
	Basis         string      `json:"basis,omitempty"`          // why the action is grouped under the covered one
	Agency        string      `json:"agency"`
	Forum         string      `json:"forum,omitempty"`
	CaseNumber    string      `json:"case_number,omitempty"`
	Title         string      `json:"title"`
	Defendants    []Defendant `json:"defendants"`
	FiledDay      string      `json:"filed_day,omitempty"`       // YYYY-MM-DD
	FinalOrderDay string      `json:"final_order_day,omitempty"` // YYYY-MM-DD
	NoticeDay     string      `json:"notice_day,omitempty"`      // Notice of Covered Action posted, YYYY-MM-DD
}

// Action is an enforcement action with its sanctions and ledger.
type Action struct {
	ID string `json:"id"`
	ActionFields
	CaseID      string       `json:"case,omitempty"` // the investigators' case it is linked to
	CaseDesk    string       `json:"-"`              // that case's desk
	CreatedBy   string       `json:"created_by"`     // staff email
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	Sanctions   []Sanction   `json:"sanctions"`
	Collections []Collection `json:"collections"`
	// Counsel are the counsel of the claims the action is part of.
	Counsel []string `json:"-"`
	// ClaimDesks are the desks of the submissions of the claims the
	// action is part of.
	ClaimDesks []string `json:"-"`
}

// Ordered returns what the action orders in all.
func (a Action) Ordered() awards.Cents {
	var sum awards.Cents
	for _, s := range a.Sanctions {
		sum += s.Ordered
	}
	return sum
}

// Collected returns what the ledger holds for the action up to and
// including the day asOf ("" for all), net of reversals.
func (a Action) Collected(asOf string) awards.Cents {
	var sum awards.Cents
	for _, c := range a.Collections {
		if asOf == "" || c.ReceivedDay <= asOf {
			sum += c.Amount
		}
	}
	return sum
}

// LedgerVersion is the id of the action's latest ledger entry (0: none).
func (a Action) LedgerVersion() int64 {
	var v int64
	for _, c := range a.Collections {
		v = max(v, c.ID)
	}
	return v
}

// oneLine trims s and checks it is 1 to n characters on one line (0 to n
// when optional).
func oneLine(s, what string, n int, optional bool) (string, error) {
	s = strings.TrimSpace(s)
	l := utf8.RuneCountInString(s)
	if (l == 0 && !optional) || l > n || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		if optional {
			return "", tipline.Errorf(tipline.Invalid, "%s is at most %d characters on one line.", what, n)
		}
		return "", tipline.Errorf(tipline.Invalid, "%s is 1 to %d characters on one line.", what, n)
	}
	return s, nil
}

// longText trims s and checks it is at most n characters of text.
func longText(s, what string, n int) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > n || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
		return "", tipline.Errorf(tipline.Invalid, "%s is at most %d characters.", what, n)
	}
	return s, nil
}

// checkDay checks an optional YYYY-MM-DD.
func checkDay(s, what string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", tipline.Errorf(tipline.Invalid, "%s is a date as YYYY-MM-DD.", what)
	}
	return s, nil
}

// checkKind checks a kind of money: lowercase letters and '_'.
func checkKind(k awards.Kind) error {
	if len(k) == 0 || len(k) > 40 || strings.ContainsFunc(string(k), func(r rune) bool { return (r < 'a' || r > 'z') && r != '_' }) {
		return tipline.Errorf(tipline.Invalid, "A kind of money is 1 to 40 lowercase letters and '_', such as penalty or disgorgement.")
	}
	return nil
}

// Check trims and validates the fields.
func (f ActionFields) Check() (ActionFields, error) {
	var err error
	if !slices.Contains(Relations, f.Relation) {
		return f, tipline.Errorf(tipline.Invalid, "An action is covered, aggregated or related.")
	}
	if (f.Relation == Covered) != (f.CoveredID == "") {
		return f, tipline.Errorf(tipline.Invalid, "Aggregated and related actions name their covered action; a covered action names none.")
	}
	if f.Basis, err = longText(f.Basis, "The basis", MaxLongText); err != nil {
		return f, err
	}
	if f.Relation != Covered && f.Basis == "" {
		return f, tipline.Errorf(tipline.Invalid, "Say why the action is grouped under the covered action (the basis).")
	}
	if f.Agency, err = oneLine(f.Agency, "The agency", 200, false); err != nil {
		return f, err
	}
	if f.Forum, err = oneLine(f.Forum, "The forum", 200, true); err != nil {
		return f, err
	}
	if f.CaseNumber, err = oneLine(f.CaseNumber, "The case number", 200, true); err != nil {
		return f, err
	}
	if f.Title, err = oneLine(f.Title, "The title", MaxText, false); err != nil {
		return f, err
	}
	if len(f.Defendants) > MaxDefendants {
		return f, tipline.Errorf(tipline.Invalid, "At most %d defendants.", MaxDefendants)
	}
	defs := make([]Defendant, 0, len(f.Defendants))
	for _, d := range f.Defendants {
		name, err := oneLine(d.Name, "A defendant's name", MaxText, false)
		if err != nil {
			return f, err
		}
		defs = append(defs, Defendant{Name: name, EntityID: strings.TrimSpace(d.EntityID)})
	}
	f.Defendants = defs
	if f.FiledDay, err = checkDay(f.FiledDay, "The filing date"); err != nil {
		return f, err
	}
	if f.FinalOrderDay, err = checkDay(f.FinalOrderDay, "The final-order date"); err != nil {
		return f, err
	}
	if f.NoticeDay, err = checkDay(f.NoticeDay, "The Notice of Covered Action date"); err != nil {
		return f, err
	}
	return f, nil
}

// NewCollection is a payment to record.
type NewCollection struct {
	Kind        awards.Kind `json:"kind"`
	Amount      string      `json:"amount"` // USD, e.g. "1250000.00"
	ReceivedDay string      `json:"received_day"`
	DocumentRef string      `json:"document_ref,omitempty"`
}

// check validates a new collection and returns it as a ledger entry.
func (n NewCollection) check(actionID string, today string) (Collection, error) {
	if err := checkKind(n.Kind); err != nil {
		return Collection{}, err
	}
	amount, err := awards.ParseUSD(n.Amount)
	if err != nil || amount <= 0 {
		return Collection{}, tipline.Errorf(tipline.Invalid, "A collection is a positive amount in dollars, such as 1250000.00.")
	}
	day, err := checkDay(n.ReceivedDay, "The day received")
	if err != nil {
		return Collection{}, err
	}
	if day == "" || day > today {
		return Collection{}, tipline.Errorf(tipline.Invalid, "The day received is a date as YYYY-MM-DD, not in the future.")
	}
	ref, err := oneLine(n.DocumentRef, "The document reference", MaxText, true)
	if err != nil {
		return Collection{}, err
	}
	return Collection{ActionID: actionID, Kind: n.Kind, Amount: amount, ReceivedDay: day, DocumentRef: ref}, nil
}

// DefaultRole is how a claim counts the action unless its terms say
// otherwise: covered and aggregated actions are the covered action.
func (a Action) DefaultRole() awards.Role {
	if a.Relation == Related {
		return awards.Related
	}
	return awards.Covered
}

// DefaultAuthority is the authority that brought the action unless a
// claim under program says otherwise: the program's own for a covered
// action, and for a related one the authority read from the agency staff
// wrote (the short names SEC, CFTC, IRS, FinCEN, DOJ, BIS; any other
// agency is a state or other authority).
func (a Action) DefaultAuthority(program string) string {
	if a.Relation != Related {
		return awards.ProgramAuthority(program)
	}
	agency := strings.ToLower(strings.TrimSpace(a.Agency))
	if slices.Contains(awards.Authorities, agency) {
		return agency
	}
	return "state"
}

// ActionTerms are how a claim counts one of its actions, where counsel
// say so: the role ("" as the action's relation says: covered and
// aggregated actions are the covered action, related ones related), the
// authority that brought it ("" for the claim's program for the covered
// action, or as read from the agency for a related one), and the part of
// its sanctions credited or offset against another action the claim
// counts (paid once, counted once).
type ActionTerms struct {
	Action    string       `json:"action"`
	Role      awards.Role  `json:"role,omitempty"`
	Authority string       `json:"authority,omitempty"` // one of awards.Authorities
	Credited  awards.Cents `json:"credited"`
}

// check validates the terms of action a for a claim under program; a
// role or authority that is the action's default is stored as "".
func (t ActionTerms) check(a Action, program string) (ActionTerms, error) {
	switch t.Role {
	case "", awards.Covered, awards.Related:
	default:
		return t, tipline.Errorf(tipline.Invalid, "%s: an action counts as the covered action or as a related action.", a.Title)
	}
	if t.Authority != "" && !slices.Contains(awards.Authorities, t.Authority) {
		return t, tipline.Errorf(tipline.Invalid, "%s: unknown authority %q.", a.Title, t.Authority)
	}
	if t.Credited < 0 || t.Credited > a.Ordered() {
		return t, tipline.Errorf(tipline.Invalid, "%s: the amount credited is 0 to the %s the action orders.", a.Title, a.Ordered().USD())
	}
	if t.Role == a.DefaultRole() {
		t.Role = ""
	}
	if t.Authority == a.DefaultAuthority(program) {
		t.Authority = ""
	}
	return t, nil
}
