package awards

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tipline/tipline"
)

// Kind is a kind of money an action orders or collects.
type Kind string

// The kinds of money the program files name.
const (
	Penalty             Kind = "penalty"              // civil money penalty
	Disgorgement        Kind = "disgorgement"         // ill-gotten gains given up
	PrejudgmentInterest Kind = "prejudgment_interest" // interest on disgorgement
	Interest            Kind = "interest"             // other interest ordered
	Fine                Kind = "fine"                 // criminal fine, or a fine a bill names as such
	Forfeiture          Kind = "forfeiture"           // criminal or civil forfeiture (net proceeds)
	Restitution         Kind = "restitution"          // restitution ordered
	Compensatory        Kind = "compensatory"         // compensation paid to victims
	Tax                 Kind = "tax"                  // tax, additions to tax and tax penalties
	Damages             Kind = "damages"              // False Claims Act damages (trebled) and per-claim penalties
	Other               Kind = "other"                // anything else
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{Penalty, Disgorgement, PrejudgmentInterest, Interest, Fine, Forfeiture, Restitution, Compensatory, Tax, Damages, Other}

// Checked says how a citation's figure was checked.
type Checked string

// How figures are checked.
const (
	Primary    Checked = "primary"    // read in the statute, rule or bill
	Secondary  Checked = "secondary"  // a law firm's, the press's or the agency's summary
	Unverified Checked = "unverified" // could not be checked; the citation's note says what is open
)

// Citation is the source of a figure or rule.
type Citation struct {
	Label string `json:"label"`
	Ref   string `json:"ref"` // statute, CFR section or bill section
	URL   string `json:"url,omitempty"`
	// Status says how the figure was checked.
	Status Checked `json:"status"`
	Note   string  `json:"note,omitempty"`
}

// Measure is what a threshold is compared with.
type Measure string

// The measures.
const (
	MeasureNone            Measure = "none"              // no threshold
	MeasureOrdered         Measure = "ordered"           // sanctions of the counting kinds ordered
	MeasureCollected       Measure = "collected"         // collected, such as net forfeiture
	MeasureAmountInDispute Measure = "amount_in_dispute" // the IRS amount in dispute
)

// Below says what happens to a claim under the threshold.
type Below string

// What happens under the threshold.
const (
	BelowIneligible Below = "ineligible" // no award
	BelowBand       Below = "band"       // another band applies (IRS 7623(a))
)

// Threshold is the amount an action must exceed before any award.
type Threshold struct {
	Amount Cents `json:"amount"` // 0: no threshold
	// Measure is what the amount is compared with.
	Measure Measure `json:"measure"`
	// Related: amounts in related actions count toward the threshold too.
	Related bool `json:"related"`
	// Aggregation explains which proceedings are added together.
	Aggregation string `json:"aggregation,omitempty"`
	// Below is what happens under the threshold.
	Below Below    `json:"below"`
	Cite  Citation `json:"cite"`
}

// IncomeTest is the IRS 7623(b)(5)(A) test on an individual taxpayer's
// gross income.
type IncomeTest struct {
	Amount Cents    `json:"amount"`
	Cite   Citation `json:"cite"`
}

// KindRule says that a kind of money counts, or does not and why.
type KindRule struct {
	Kind   Kind     `json:"kind"`
	Reason string   `json:"reason,omitempty"`
	Cite   Citation `json:"cite"`
}

// Intervention says whether the government intervened in a False Claims
// Act case, for choosing a band.
type Intervention string

// The interventions.
const (
	Intervened      Intervention = "yes"
	Declined        Intervention = "no"
	NotYetDecided   Intervention = "unknown"
	AnyIntervention Intervention = "" // a band for any
)

// When selects a band. Empty fields match anything.
type When struct {
	Intervened       Intervention `json:"intervened,omitempty"`
	PublicDisclosure *bool        `json:"public_disclosure,omitempty"`
	ThresholdMet     *bool        `json:"threshold_met,omitempty"`
}

// Bracket caps the award on the slice of the base up to UpTo (0: no upper
// end) at MaxBP basis points.
type Bracket struct {
	UpTo  Cents `json:"up_to"`
	MaxBP int   `json:"max_bp"`
}

// Band is an award range in basis points of the base, or brackets.
type Band struct {
	ID       string    `json:"id"`
	Label    string    `json:"label"`
	When     When      `json:"when"`
	MinBP    int       `json:"min_bp"`
	MaxBP    int       `json:"max_bp"`
	Brackets []Bracket `json:"brackets,omitempty"`
	Cite     Citation  `json:"cite"`
}

// Presumption raises the expected award to the maximum when the maximum is
// at most AtMost and no exception applies.
type Presumption struct {
	AtMost Cents    `json:"at_most"`
	Text   string   `json:"text"`
	Cite   Citation `json:"cite"`
}

// Joint says how joint claimants share an award.
type Joint string

// How joint claimants share.
const (
	Equal             Joint = "equal" // fixed by law: shares given are ignored
	EqualUnlessAgreed Joint = "equal_unless_agreed"
	Discretionary     Joint = "discretionary"
)

// Split says how joint claimants share an award.
type Split struct {
	Joint Joint    `json:"joint"`
	Cite  Citation `json:"cite"`
}

// Anchor is the date of the action a deadline runs from.
type Anchor string

// The anchors.
const (
	FromNotice                     Anchor = "notice_of_covered_action"
	FromFinalOrder                 Anchor = "final_order"
	FromLaterOfNoticeAndFinalOrder Anchor = "later_of_notice_and_final_order"
)

// DeadlineRule is a period that runs from a date of the action.
type DeadlineRule struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Days int    `json:"days"`
	// From is the date the period runs from.
	From Anchor   `json:"from"`
	Cite Citation `json:"cite"`
}

// Effect is what a disqualifier does to an award.
type Effect string

// The effects.
const (
	Bar    Effect = "bar"    // no award
	Reduce Effect = "reduce" // the award may be cut to nothing: the minimum drops to zero
)

// Disqualifier is a fact that bars an award or allows it to be cut to
// nothing.
type Disqualifier struct {
	ID     string   `json:"id"`
	Label  string   `json:"label"`
	Effect Effect   `json:"effect"`
	Cite   Citation `json:"cite"`
}

// Condition is an eligibility condition or a procedural rule, for the
// checklist and the reports.
type Condition struct {
	ID   string   `json:"id"`
	Text string   `json:"text"`
	Cite Citation `json:"cite"`
}

// Standing says whether a program is law.
type Standing string

// The standings of programs.
const (
	Enacted Standing = "enacted"
	Pilot   Standing = "pilot"
	Bill    Standing = "bill" // not law
)

// Program is one award program's rules, loaded from the embedded data files.
type Program struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Agency         string         `json:"agency"`
	Status         Standing       `json:"status"`      // whether the program is law
	VerifiedOn     string         `json:"verified_on"` // YYYY-MM-DD
	Citations      []Citation     `json:"citations"`
	Threshold      Threshold      `json:"threshold"`
	IncomeTest     *IncomeTest    `json:"income_test,omitempty"`
	Counts         []KindRule     `json:"counts"`
	Excluded       []KindRule     `json:"excluded"`
	RelatedActions *Citation      `json:"related_actions,omitempty"` // nil: related actions do not count
	Bands          []Band         `json:"bands"`
	Presumption    *Presumption   `json:"presumption,omitempty"`
	Split          Split          `json:"split"`
	Deadlines      []DeadlineRule `json:"deadlines"`
	Disqualifiers  []Disqualifier `json:"disqualifiers"`
	Conditions     []Condition    `json:"conditions"`
	Notes          []string       `json:"notes,omitempty"`
}

//go:embed programs/*.json
var programFiles embed.FS

// programs holds every program, loaded and validated once.
var programs = mustLoad(programFiles)

func mustLoad(fsys fs.FS) []Program {
	ps, err := load(fsys)
	if err != nil {
		panic(err)
	}
	return ps
}

// load reads and validates every programs/*.json file of fsys.
func load(fsys fs.FS) ([]Program, error) {
	names, err := fs.Glob(fsys, "programs/*.json")
	if err != nil {
		return nil, err
	}
	var ps []Program
	seen := map[string]bool{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var p Program
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("awards: %s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); p.ID != want {
			return nil, fmt.Errorf("awards: %s: id %q does not match the file name", name, p.ID)
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("awards: %s: duplicate id", name)
		}
		seen[p.ID] = true
		if err := p.validate(); err != nil {
			return nil, fmt.Errorf("awards: %s: %w", name, err)
		}
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	return ps, nil
}

// validate checks that a program is complete and consistent and that every
// figure carries a citation.
func (p *Program) validate() error {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	cite := func(where string, c Citation) {
		if c.Ref == "" || c.Label == "" {
			fail("%s: citation needs a label and a ref", where)
		}
		switch c.Status {
		case Primary, Secondary:
		case Unverified:
			if c.Note == "" {
				fail("%s: an unverified citation needs a note saying what is open", where)
			}
		default:
			fail("%s: citation status %q (want primary, secondary or unverified)", where, c.Status)
		}
	}
	if p.ID == "" || p.Name == "" || p.Agency == "" {
		fail("id, name and agency are required")
	}
	if !slices.Contains([]Standing{Enacted, Pilot, Bill}, p.Status) {
		fail("status %q (want enacted, pilot or bill)", p.Status)
	}
	if _, err := time.Parse(time.DateOnly, p.VerifiedOn); err != nil {
		fail("verified_on %q is not YYYY-MM-DD", p.VerifiedOn)
	}
	if len(p.Citations) == 0 {
		fail("no citations")
	}
	for i, c := range p.Citations {
		cite(fmt.Sprintf("citations[%d]", i), c)
	}
	t := p.Threshold
	switch t.Measure {
	case MeasureNone:
		if t.Amount != 0 {
			fail("threshold: measure none with an amount")
		}
	case MeasureOrdered, MeasureCollected, MeasureAmountInDispute:
		if t.Amount <= 0 {
			fail("threshold: measure %s needs a positive amount", t.Measure)
		}
	default:
		fail("threshold: measure %q", t.Measure)
	}
	if !slices.Contains([]Below{BelowIneligible, BelowBand}, t.Below) {
		fail("threshold: below %q (want ineligible or band)", t.Below)
	}
	cite("threshold", t.Cite)
	if p.IncomeTest != nil {
		if p.IncomeTest.Amount <= 0 {
			fail("income_test: amount must be positive")
		}
		cite("income_test", p.IncomeTest.Cite)
	}
	kinds := map[Kind]bool{}
	for i, k := range append(slices.Clone(p.Counts), p.Excluded...) {
		where := fmt.Sprintf("kinds[%d] %s", i, k.Kind)
		if !slices.Contains(Kinds, k.Kind) {
			fail("%s: unknown kind", where)
		}
		if kinds[k.Kind] {
			fail("%s: listed twice", where)
		}
		kinds[k.Kind] = true
		cite(where, k.Cite)
	}
	for _, k := range p.Excluded {
		if k.Reason == "" {
			fail("excluded %s: needs a reason", k.Kind)
		}
	}
	for _, k := range Kinds {
		if !kinds[k] {
			fail("kind %s is neither counted nor excluded", k)
		}
	}
	if len(p.Counts) == 0 {
		fail("no kind of money counts")
	}
	if p.RelatedActions != nil {
		cite("related_actions", *p.RelatedActions)
	}
	if len(p.Bands) == 0 {
		fail("no bands")
	}
	for i, b := range p.Bands {
		where := fmt.Sprintf("bands[%d] %s", i, b.ID)
		if b.ID == "" || b.Label == "" {
			fail("%s: id and label are required", where)
		}
		if !slices.Contains([]Intervention{AnyIntervention, Intervened, Declined, NotYetDecided}, b.When.Intervened) {
			fail("%s: when.intervened %q", where, b.When.Intervened)
		}
		if b.MinBP < 0 || b.MaxBP > 10000 || b.MinBP > b.MaxBP {
			fail("%s: want 0 ≤ min_bp ≤ max_bp ≤ 10000", where)
		}
		var last Cents
		for j, br := range b.Brackets {
			if br.MaxBP < 0 || br.MaxBP > 10000 {
				fail("%s: bracket %d: max_bp out of range", where, j)
			}
			if j < len(b.Brackets)-1 && br.UpTo <= last {
				fail("%s: bracket %d: up_to must increase", where, j)
			}
			if j == len(b.Brackets)-1 && br.UpTo != 0 {
				fail("%s: the last bracket must be open-ended (up_to 0)", where)
			}
			last = br.UpTo
		}
		cite(where, b.Cite)
	}
	if p.Presumption != nil {
		if p.Presumption.AtMost <= 0 || p.Presumption.Text == "" {
			fail("presumption: needs at_most and text")
		}
		cite("presumption", p.Presumption.Cite)
	}
	if !slices.Contains([]Joint{Equal, EqualUnlessAgreed, Discretionary}, p.Split.Joint) {
		fail("split: joint %q", p.Split.Joint)
	}
	cite("split", p.Split.Cite)
	for i, d := range p.Deadlines {
		where := fmt.Sprintf("deadlines[%d] %s", i, d.ID)
		if d.ID == "" || d.Name == "" || d.Days <= 0 {
			fail("%s: id, name and positive days are required", where)
		}
		if !slices.Contains([]Anchor{FromNotice, FromFinalOrder, FromLaterOfNoticeAndFinalOrder}, d.From) {
			fail("%s: from %q", where, d.From)
		}
		cite(where, d.Cite)
	}
	ids := map[string]bool{}
	for i, d := range p.Disqualifiers {
		where := fmt.Sprintf("disqualifiers[%d] %s", i, d.ID)
		if d.ID == "" || d.Label == "" || ids[d.ID] {
			fail("%s: a unique id and a label are required", where)
		}
		ids[d.ID] = true
		if d.Effect != Bar && d.Effect != Reduce {
			fail("%s: effect %q (want bar or reduce)", where, d.Effect)
		}
		cite(where, d.Cite)
	}
	for i, c := range p.Conditions {
		if c.ID == "" || c.Text == "" {
			fail("conditions[%d]: id and text are required", i)
		}
		cite(fmt.Sprintf("conditions[%d] %s", i, c.ID), c.Cite)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// Programs returns every program, sorted by id.
func Programs() []Program {
	return slices.Clone(programs)
}

// ProgramByID returns the program with the given id (sec, cftc, irs, fincen,
// doj-pilot, fca, bis-s1473, bis-hr6322); tipline.NotFound otherwise.
func ProgramByID(id string) (Program, error) {
	for _, p := range programs {
		if p.ID == id {
			return p, nil
		}
	}
	ids := make([]string, len(programs))
	for i, p := range programs {
		ids[i] = p.ID
	}
	return Program{}, tipline.Errorf(tipline.NotFound, "No award program %q (programs: %s).", id, strings.Join(ids, ", "))
}

// counts reports whether money of kind k counts toward the threshold and
// the award base.
func (p *Program) counts(k Kind) bool {
	return slices.ContainsFunc(p.Counts, func(r KindRule) bool { return r.Kind == k })
}

// exclusion returns the rule that leaves kind k out.
func (p *Program) exclusion(k Kind) KindRule {
	for _, r := range p.Excluded {
		if r.Kind == k {
			return r
		}
	}
	return KindRule{Kind: k, Reason: "not listed among the kinds that count", Cite: p.Citations[0]}
}
