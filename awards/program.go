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
	Penalty      Kind = "penalty"      // civil money penalty
	Disgorgement Kind = "disgorgement" // ill-gotten gains given up
	Interest     Kind = "interest"     // interest ordered, prejudgment interest included
	Fine         Kind = "fine"         // criminal fine, or a fine a bill names as such
	Forfeiture   Kind = "forfeiture"   // criminal or civil forfeiture (net proceeds)
	Restitution  Kind = "restitution"  // restitution ordered
	Compensatory Kind = "victim_compensation"
	// NPADPA is money paid under a DOJ non-prosecution or deferred
	// prosecution agreement (17 CFR 240.21F-4(d)(3)(i)).
	NPADPA Kind = "npa_dpa"
	// SettlementAgreement is money paid under an SEC settlement agreement
	// outside a judicial or administrative proceeding (17 CFR
	// 240.21F-4(d)(3)(ii)).
	SettlementAgreement Kind = "settlement_agreement"
	Tax                 Kind = "tax"          // tax and additions to tax
	TaxPenalty          Kind = "tax_penalty"  // penalties under the Internal Revenue Code
	TaxInterest         Kind = "tax_interest" // interest under the Internal Revenue Code
	Damages             Kind = "damages"      // False Claims Act damages (trebled) and per-claim penalties
	Other               Kind = "other"        // anything else
)

// Kinds lists every kind, in the order forms show them.
var Kinds = []Kind{Penalty, Disgorgement, Interest, Fine, Forfeiture, Restitution, Compensatory, NPADPA, SettlementAgreement,
	Tax, TaxPenalty, TaxInterest, Damages, Other}

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
	// MeasureOneFine: one sanction of a counting kind ordered in the
	// covered action must exceed the amount on its own (H.R.6322
	// (b)(3)(A): "a fine greater than $1,000,000").
	MeasureOneFine Measure = "one_fine_ordered"
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
	// Kinds, when given, are the only kinds that count toward the
	// threshold (IRS 7623(b)(5)(B): tax, penalties, interest, additions
	// to tax and additional amounts); the base counts every kind of
	// Counts.
	Kinds []Kind `json:"kinds,omitempty"`
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
	Intervened      Intervention = "intervened"
	Declined        Intervention = "declined"
	NotYetDecided   Intervention = "undecided"
	AnyIntervention Intervention = "" // a band for any
)

// When selects a band. Empty fields match anything. A band for an
// intervention never matches NotYetDecided: the engine then shows the
// intervened and declined bands as scenarios.
type When struct {
	Intervention     Intervention `json:"intervention,omitempty"`
	PublicDisclosure *bool        `json:"public_disclosure,omitempty"`
	OriginalSource   *bool        `json:"original_source,omitempty"`
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
	// FromRelatedFinalOrder runs from each related action's own final
	// order.
	FromRelatedFinalOrder Anchor = "related_final_order"
	// FromNoticeOrRelatedFinalOrder is SEC Rule 21F-11(b): a related
	// final order that exists when the covered action's application is
	// due goes on that application (due Days after the Notice of Covered
	// Action); a later one is claimed Days after the related final order.
	FromNoticeOrRelatedFinalOrder Anchor = "notice_or_related_final_order"
)

// Discretion says whether a related action's award has the band's floor.
type Discretion string

// The discretions.
const (
	FloorApplies Discretion = "floor"         // the band's minimum applies
	MayPay       Discretion = "discretionary" // whether and how much: the minimum is zero
	Contested    Discretion = "contested"     // discretionary, and the text is read more than one way
)

// RelatedRule says what a program pays on related actions.
type RelatedRule struct {
	Cite       Citation   `json:"cite"`
	Discretion Discretion `json:"discretion"`
	// Contested says what is contested, when Discretion is Contested.
	Contested string `json:"contested,omitempty"`
	// OtherProgram is the rule against being paid twice when the related
	// action's own authority runs an award program.
	OtherProgram Citation `json:"other_program"`
}

// Rate is a payment reduction in force in one federal fiscal year
// (sequestration of IRS awards).
type Rate struct {
	FiscalYear int      `json:"fiscal_year"`
	BP         int      `json:"rate_bp"`
	Cite       Citation `json:"cite"`
}

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
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Agency     string   `json:"agency"`
	Status     Standing `json:"status"`      // whether the program is law
	VerifiedOn string   `json:"verified_on"` // YYYY-MM-DD
	// VerifiedNote says what the check on VerifiedOn left open; required
	// when any citation of the file is unverified.
	VerifiedNote   string       `json:"verified_note,omitempty"`
	Citations      []Citation   `json:"citations"`
	Threshold      Threshold    `json:"threshold"`
	IncomeTest     *IncomeTest  `json:"income_test,omitempty"`
	Counts         []KindRule   `json:"counts"`
	Excluded       []KindRule   `json:"excluded"`
	RelatedActions *RelatedRule `json:"related_actions,omitempty"` // nil: related actions do not count
	// Culpable is the rule that leaves sanctions arising from the
	// claimant's own conduct out of the threshold and the base (SEC Rule
	// 21F-16); nil where the program has none.
	Culpable *Citation `json:"culpable_conduct,omitempty"`
	// Sequestration lists the reduction of payments by fiscal year.
	Sequestration []Rate         `json:"sequestration,omitempty"`
	Bands         []Band         `json:"bands"`
	Presumption   *Presumption   `json:"presumption,omitempty"`
	Split         Split          `json:"split"`
	Deadlines     []DeadlineRule `json:"deadlines"`
	Disqualifiers []Disqualifier `json:"disqualifiers"`
	Conditions    []Condition    `json:"conditions"`
	Notes         []string       `json:"notes,omitempty"`
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
	case MeasureOrdered, MeasureCollected, MeasureAmountInDispute, MeasureOneFine:
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
	for _, k := range t.Kinds {
		if !p.counts(k) {
			fail("threshold: kind %s does not count", k)
		}
	}
	if r := p.RelatedActions; r != nil {
		cite("related_actions", r.Cite)
		cite("related_actions.other_program", r.OtherProgram)
		if !slices.Contains([]Discretion{FloorApplies, MayPay, Contested}, r.Discretion) {
			fail("related_actions: discretion %q", r.Discretion)
		}
		if (r.Discretion == Contested) != (r.Contested != "") {
			fail("related_actions: a contested rule says what is contested, and only then")
		}
	}
	if p.Culpable != nil {
		cite("culpable_conduct", *p.Culpable)
	}
	for i, r := range p.Sequestration {
		if r.FiscalYear < 2013 || r.BP <= 0 || r.BP >= 10000 || (i > 0 && r.FiscalYear <= p.Sequestration[i-1].FiscalYear) {
			fail("sequestration[%d]: fiscal years increase from 2013 and rates are 1 to 9999 bp", i)
		}
		cite(fmt.Sprintf("sequestration[%d]", i), r.Cite)
	}
	if len(p.Unverified()) > 0 && p.VerifiedNote == "" {
		fail("verified_note: the file carries unverified citations and must say so")
	}
	if len(p.Bands) == 0 {
		fail("no bands")
	}
	for i, b := range p.Bands {
		where := fmt.Sprintf("bands[%d] %s", i, b.ID)
		if b.ID == "" || b.Label == "" {
			fail("%s: id and label are required", where)
		}
		if !slices.Contains([]Intervention{AnyIntervention, Intervened, Declined}, b.When.Intervention) {
			fail("%s: when.intervention %q (intervened or declined)", where, b.When.Intervention)
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
		if !slices.Contains([]Anchor{FromNotice, FromFinalOrder, FromLaterOfNoticeAndFinalOrder, FromRelatedFinalOrder, FromNoticeOrRelatedFinalOrder}, d.From) {
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

// Unverified lists the program's citations that could not be checked,
// wherever in the file they are.
func (p *Program) Unverified() []Citation {
	var all []Citation
	all = append(all, p.Citations...)
	all = append(all, p.Threshold.Cite)
	if p.IncomeTest != nil {
		all = append(all, p.IncomeTest.Cite)
	}
	for _, k := range append(slices.Clone(p.Counts), p.Excluded...) {
		all = append(all, k.Cite)
	}
	if r := p.RelatedActions; r != nil {
		all = append(all, r.Cite, r.OtherProgram)
	}
	if p.Culpable != nil {
		all = append(all, *p.Culpable)
	}
	for _, b := range p.Bands {
		all = append(all, b.Cite)
	}
	if p.Presumption != nil {
		all = append(all, p.Presumption.Cite)
	}
	all = append(all, p.Split.Cite)
	for _, d := range p.Deadlines {
		all = append(all, d.Cite)
	}
	for _, d := range p.Disqualifiers {
		all = append(all, d.Cite)
	}
	for _, c := range p.Conditions {
		all = append(all, c.Cite)
	}
	for _, r := range p.Sequestration {
		all = append(all, r.Cite)
	}
	return slices.DeleteFunc(all, func(c Citation) bool { return c.Status != Unverified })
}
