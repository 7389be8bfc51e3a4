package awards

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tipline/tipline"
)

// Role says how an action counts for a claim.
type Role string

// The roles.
const (
	Covered Role = "covered" // the covered action, or one aggregated with it
	Related Role = "related" // another authority's action on the same information
)

// Authorities are the authorities that bring actions: the agencies with
// award programs, the DOJ, BIS, a False Claims Act court and the states.
var Authorities = []string{"sec", "cftc", "irs", "fincen", "doj", "bis", "fca", "state"}

// ProgramAuthority is the authority that brings a program's covered
// actions ("" for an unknown program).
func ProgramAuthority(program string) string {
	switch {
	case program == "doj-pilot":
		return "doj"
	case strings.HasPrefix(program, "bis-"):
		return "bis"
	}
	if _, err := ProgramByID(program); err != nil {
		return ""
	}
	return program
}

// authorityProgram is the award program an authority runs, for the rule
// against being paid twice on a related action.
var authorityProgram = map[string]string{"sec": "sec", "cftc": "cftc", "irs": "irs", "fincen": "fincen", "fca": "fca"}

// NegativeFactors are the factors that may lower an award and defeat the
// SEC's presumption of the maximum (17 CFR 240.21F-6(b), (c)).
var NegativeFactors = []string{"culpability", "unreasonable_delay", "interference_with_internal_compliance"}

// Sanction is money of one kind ordered in, and collected from, one
// action.
type Sanction struct {
	Kind      Kind
	Ordered   Cents
	Collected Cents
}

// Action is one enforcement action of a claim.
type Action struct {
	ID   string
	Role Role
	// Authority brings the action: one of Authorities.
	Authority             string
	FinalOrder            time.Time // zero if none yet
	NoticeOfCoveredAction time.Time // covered actions; zero if none yet
	// Credited is the part of the action's sanctions credited or offset
	// against another action the claim counts: paid once, counted once.
	Credited  Cents
	Sanctions []Sanction
}

// Claimant is one whistleblower or relator.
type Claimant struct {
	ID string
	// Joint: reported jointly with the other joint claimants (one
	// whistleblower under 15 U.S.C. 78u-6(a)(6)).
	Joint bool
	// CulpableAmount is the total of the sanctions that SEC Rule 21F-16
	// leaves out for this claimant.
	CulpableAmount Cents
	// Disqualified gives a reason the claimant is barred: a program
	// disqualifier id (its effect applies) or words (a bar).
	Disqualified    string
	NegativeFactors []string
	// ShareBP is an agreed share of a joint award in basis points; 0 for
	// none. Either every joint claimant has one or none does.
	ShareBP int
}

// FCAFacts are the False Claims Act facts that choose the band.
type FCAFacts struct {
	Intervention     Intervention // "" is NotYetDecided
	PublicDisclosure bool
	OriginalSource   bool
}

// IRSFacts are the 7623(b) facts.
type IRSFacts struct {
	AmountInDispute Cents
	// TaxpayerIndividual: the taxpayer is an individual, so that the
	// 7623(b)(5)(A) income test applies to IndividualIncome.
	TaxpayerIndividual bool
	IndividualIncome   Cents
	PublicDisclosure   bool
	OriginalSource     bool
}

// Input is one claim under one program: the case file of `tipline awards
// estimate --case`.
type Input struct {
	Program   string
	AsOf      time.Time // the day of the estimate; its fiscal year sets sequestration
	Actions   []Action
	Claimants []Claimant // none: one claimant
	FCA       FCAFacts
	IRS       IRSFacts
	// Disqualifiers are program disqualifier ids that apply to every
	// claimant (from counsel's checklist).
	Disqualifiers []string
}

// Range is an award range.
type Range struct {
	Min Cents `json:"min"`
	Max Cents `json:"max"`
}

// ClaimantShare is one claimant's part of the award.
type ClaimantShare struct {
	Claimant string `json:"id"`
	Joint    bool   `json:"joint"`
	ShareBP  int    `json:"share_bp,omitempty"` // an agreed or equal share of a joint award
	Eligible bool   `json:"eligible"`
	Min      Cents  `json:"min"`
	Max      Cents  `json:"max"`
	Basis    string `json:"basis"` // how the part was found
}

// Exclusion is money that does not count, with the reason.
type Exclusion struct {
	Action    string `json:"action,omitempty"`
	Kind      Kind   `json:"kind"`
	Related   bool   `json:"related"`
	Amount    Cents  `json:"amount"` // ordered
	Collected Cents  `json:"collected"`
	Reason    string `json:"reason"`
	Citation  string `json:"citation"`
}

// Deadline is a date that follows from the actions' dates.
type Deadline struct {
	ID       string    `json:"id"`
	Action   string    `json:"action,omitempty"` // the related action it is for
	Name     string    `json:"what"`
	Due      time.Time `json:"-"`
	Citation string    `json:"rule"`
	Status   Checked   `json:"status"`
}

// MarshalJSON writes the due day as YYYY-MM-DD.
func (d Deadline) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID     string  `json:"id"`
		Action string  `json:"action,omitempty"`
		What   string  `json:"what"`
		Due    string  `json:"due"`
		Rule   string  `json:"rule"`
		Status Checked `json:"status"`
	}{d.ID, d.Action, d.Name, d.Due.Format(time.DateOnly), d.Citation, d.Status})
}

// ActionResult is one action's part of the claim: a related action is its
// own claim, with its paying program, deadline and floor.
type ActionResult struct {
	ID            string   `json:"id"`
	Role          Role     `json:"role"`
	Eligible      bool     `json:"eligible"`
	Discretionary bool     `json:"discretionary"`
	Ordered       Cents    `json:"ordered"` // counting kinds, net of credits
	Base          Cents    `json:"base"`    // collected that counts, net of credits
	Min           Cents    `json:"min"`
	Max           Cents    `json:"max"`
	Deadline      string   `json:"deadline,omitempty"` // YYYY-MM-DD
	PayingProgram string   `json:"paying_program"`
	DoubleRecover string   `json:"double_recovery,omitempty"` // the rule against being paid twice, where it bites
	Notes         []string `json:"notes"`
}

// Scenario is one way an undecided fact may go, with its band.
type Scenario struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	MinBP int    `json:"min_bp"`
	MaxBP int    `json:"max_bp"`
	Min   Cents  `json:"min"`
	Max   Cents  `json:"max"`
}

// Net is the award after a payment reduction (IRS sequestration).
type Net struct {
	FiscalYear int     `json:"fiscal_year"`
	RateBP     int     `json:"rate_bp"`
	Min        Cents   `json:"min"`
	Max        Cents   `json:"max"`
	Citation   string  `json:"rule"`
	Status     Checked `json:"status"`
}

// Warning kinds.
const (
	WarnPublicDisclosure = "public_disclosure_bar"
	WarnFirstToFile      = "first_to_file"
	WarnDoubleRecovery   = "double_recovery"
	WarnUnverified       = "unverified"
	WarnContested        = "contested"
	WarnNotLaw           = "not_law"
)

// Warning is something counsel must weigh that the range cannot show.
type Warning struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// Result is the engine's answer.
type Result struct {
	Program      string   `json:"program"`
	Eligible     bool     `json:"eligible"`
	Reasons      []string `json:"reasons"`
	Threshold    Cents    `json:"threshold"`
	Measured     Cents    `json:"measured"` // what the threshold was measured on
	ThresholdMet bool     `json:"threshold_met"`
	// Ordered is the total ordered of the kinds that count, covered and
	// related actions, net of credits.
	Ordered        Cents           `json:"ordered"`
	Base           Cents           `json:"base"` // collected amounts that count
	Band           string          `json:"band"`
	MinBP          int             `json:"min_bp"`
	MaxBP          int             `json:"max_bp"` // 0 when brackets apply
	Min            Cents           `json:"min"`
	Max            Cents           `json:"max"`
	PerClaimantMin Cents           `json:"per_claimant_min"`
	PerClaimantMax Cents           `json:"per_claimant_max"`
	Claimants      []ClaimantShare `json:"claimants"`
	Projected      Range           `json:"projected"` // if everything ordered were collected
	Scenarios      []Scenario      `json:"scenarios"`
	Actions        []ActionResult  `json:"actions"`
	Excluded       []Exclusion     `json:"excluded"`
	Presumption    string          `json:"presumption,omitempty"`
	PresumedAward  Cents           `json:"presumed_award,omitempty"`
	Deadlines      []Deadline      `json:"deadlines"`
	Net            *Net            `json:"net,omitempty"`
	Warnings       []Warning       `json:"warnings"`
	Citations      []Citation      `json:"citations"`
	// Sources are the citations of the figures this result used, each
	// with how it was checked.
	Sources    []Citation `json:"sources"`
	VerifiedOn string     `json:"verified_on"`
}

// Estimate applies one program's rules to a claim. Errors are
// tipline.NotFound for an unknown program and tipline.Invalid, naming the
// case file's field, for input that does not make sense.
func Estimate(in Input) (Result, error) {
	p, err := ProgramByID(in.Program)
	if err != nil {
		return Result{}, err
	}
	if len(in.Claimants) == 0 {
		in.Claimants = []Claimant{{ID: "claimant"}}
	}
	if err := checkInput(&p, in); err != nil {
		return Result{}, err
	}
	e := estimator{p: &p, in: in, r: Result{Program: p.ID, Threshold: p.Threshold.Amount, Citations: p.Citations, VerifiedOn: p.VerifiedOn,
		Excluded: []Exclusion{}, Deadlines: []Deadline{}, Warnings: []Warning{}, Scenarios: []Scenario{}, Actions: []ActionResult{}, Claimants: []ClaimantShare{}}}
	e.use(p.Citations[0])
	if p.Status == Bill {
		e.warn(WarnNotLaw, "%s is a bill, not law: the estimate shows what its text would pay.", p.Name)
	}
	if err := e.run(); err != nil {
		return Result{}, err
	}
	return e.r, nil
}

// estimator holds one estimate in progress.
type estimator struct {
	p       *Program
	in      Input
	r       Result
	actions []counted
	used    []Citation
}

// counted is an action's money that counts under the program.
type counted struct {
	Action
	ordered, collected Cents // counting kinds, net of credits
	gross              Cents // counting kinds ordered, before credits
	largest            Cents // the largest single counting sanction ordered
	thresholdOrdered   Cents // kinds that count toward the threshold, ordered
	thresholdCollected Cents
}

func (e *estimator) reason(format string, args ...any) {
	e.r.Reasons = append(e.r.Reasons, fmt.Sprintf(format, args...))
}

func (e *estimator) warn(kind, format string, args ...any) {
	w := Warning{Kind: kind, Text: fmt.Sprintf(format, args...)}
	if !slices.Contains(e.r.Warnings, w) {
		e.r.Warnings = append(e.r.Warnings, w)
	}
}

// use records a citation the result relies on; unverified ones warn.
func (e *estimator) use(c Citation) {
	if slices.ContainsFunc(e.used, func(u Citation) bool { return u.Ref == c.Ref && u.Label == c.Label }) {
		return
	}
	e.used = append(e.used, c)
	if c.Status == Unverified {
		e.warn(WarnUnverified, "Unverified figure used: %s (%s): %s", c.Label, c.Ref, c.Note)
	}
}

func (e *estimator) run() error {
	p := e.p
	if err := e.count(); err != nil {
		return err
	}
	// Threshold, per claimant (Rule 21F-16 takes each claimant's own
	// culpable sanctions out).
	bestCulpable, anyMet := Cents(-1), false
	met := make([]bool, len(e.in.Claimants))
	for i, c := range e.in.Claimants {
		met[i] = e.thresholdMet(e.culpable(c))
		if met[i] && (bestCulpable < 0 || e.culpable(c) < bestCulpable) {
			bestCulpable, anyMet = e.culpable(c), true
		}
	}
	if !anyMet {
		bestCulpable = e.culpable(e.in.Claimants[0])
		for _, c := range e.in.Claimants[1:] {
			bestCulpable = min(bestCulpable, e.culpable(c))
		}
	}
	e.r.Measured = e.measure(bestCulpable)
	e.r.ThresholdMet = anyMet
	e.explainThreshold(bestCulpable)
	e.r.Eligible = anyMet || p.Threshold.Below == BelowBand

	// Band of the covered action, or scenarios while a fact is undecided.
	band, scenarios, err := e.band(anyMet)
	if err != nil {
		return err
	}
	e.use(band.Cite)
	e.r.Band, e.r.MinBP, e.r.MaxBP = band.Label, band.MinBP, band.MaxBP
	if len(band.Brackets) > 0 {
		e.r.MaxBP = 0
	}
	base, projected := e.coveredBase(bestCulpable)
	e.r.Base = base
	e.r.Ordered = projected
	cmin, cmax := band.apply(base)
	pmin, pmax := band.apply(projected)
	for _, s := range scenarios {
		s.Min, s.Max = Band{MinBP: s.MinBP, MaxBP: s.MaxBP}.apply(base)
		e.r.Scenarios = append(e.r.Scenarios, s)
	}
	if e.r.Eligible {
		e.reason("%s (%s).", band.Label, band.Cite.Ref)
		if base == 0 {
			e.reason("Nothing that counts has been collected yet: the award is a share of amounts collected.")
		}
	}

	// Each action: the covered ones share the band; each related action
	// is its own claim.
	for _, a := range e.actions {
		ar := e.actionResult(a, band, anyMet)
		if a.Role == Related && ar.Eligible {
			e.r.Base += ar.Base
			e.r.Ordered += ar.Ordered
			cmin += ar.Min
			cmax += ar.Max
			rmin, rmax := ar.projected(band)
			pmin += rmin
			pmax += rmax
		}
		e.r.Actions = append(e.r.Actions, ar)
	}
	if e.r.Eligible {
		e.r.Min, e.r.Max = cmin, cmax
	}
	if e.r.Eligible || anyMet {
		e.r.Projected = Range{Min: pmin, Max: pmax}
	}
	if !e.r.Eligible && e.measureProjectedMet(bestCulpable) {
		e.r.Projected = Range{Min: pmin, Max: pmax}
	}

	// Disqualifiers from the checklist apply to every claimant.
	reduced, barred := false, false
	for _, id := range e.in.Disqualifiers {
		d := p.disqualifier(id)
		e.use(d.Cite)
		if d.Effect == Bar {
			barred = true
			e.reason("Not eligible: %s (%s).", d.Label, d.Cite.Ref)
			continue
		}
		reduced = true
		e.reason("Award may be reduced, to nothing: %s (%s).", d.Label, d.Cite.Ref)
	}
	if barred {
		e.r.Eligible = false
		e.r.Projected = Range{}
	}
	if !e.r.Eligible {
		e.r.Min, e.r.Max = 0, 0
		for i := range e.r.Actions {
			e.r.Actions[i].Eligible, e.r.Actions[i].Min, e.r.Actions[i].Max = false, 0, 0
		}
	}
	if reduced {
		e.r.Min, e.r.Projected.Min = 0, 0
	}

	e.claimants(band, met, reduced)
	e.presumption(reduced)
	e.deadlines()
	e.net()
	e.warnings()
	if len(e.r.Excluded) > 0 {
		e.reason("Money that does not count is listed under excluded.")
	}
	e.r.Sources = e.used
	return nil
}

// count sums each action's money that counts and lists what does not.
func (e *estimator) count() error {
	p := e.p
	for ai, a := range e.in.Actions {
		c := counted{Action: a}
		related := a.Role == Related
		for _, s := range a.Sanctions {
			ex, ok := exclusionFor(p, related, s.Kind)
			if !ok {
				ex.Action = a.ID
				addExclusion(&e.r.Excluded, ex, s)
				continue
			}
			e.use(p.rule(s.Kind).Cite)
			var ok1, ok2 bool
			c.gross, ok1 = addCents(c.gross, s.Ordered)
			c.collected, ok2 = addCents(c.collected, s.Collected)
			if !ok1 || !ok2 {
				return tipline.Errorf(tipline.Invalid, "actions[%d]: the sanctions add up to more than the engine can count.", ai)
			}
			c.largest = max(c.largest, s.Ordered)
			if len(p.Threshold.Kinds) == 0 || slices.Contains(p.Threshold.Kinds, s.Kind) {
				c.thresholdOrdered += s.Ordered
				c.thresholdCollected += s.Collected
			}
		}
		c.ordered = c.gross - min(a.Credited, c.gross)
		if a.Credited > 0 {
			c.collected = min(c.collected, c.ordered)
			e.reason("Action %s: %s credited against another action is counted once, there.", a.ID, usd(a.Credited))
			e.warn(WarnDoubleRecovery, "Action %s: %s is credited or offset against another action; it is counted once, in the action that collects it.", a.ID, usd(a.Credited))
		}
		e.actions = append(e.actions, c)
	}
	return nil
}

// culpable is the claimant's culpable amount where the program applies
// Rule 21F-16, else zero.
func (e *estimator) culpable(c Claimant) Cents {
	if e.p.Culpable == nil {
		return 0
	}
	return c.CulpableAmount
}

// measure is what the threshold is compared with, less culpable
// sanctions.
func (e *estimator) measure(culpable Cents) Cents {
	th := e.p.Threshold
	var m Cents
	for _, a := range e.actions {
		if a.Role == Related && !th.Related {
			continue
		}
		switch th.Measure {
		case MeasureOrdered, MeasureAmountInDispute:
			m += a.thresholdOrdered
		case MeasureCollected:
			m += a.thresholdCollected
		case MeasureOneFine:
			m = max(m, a.largest)
		}
	}
	if th.Measure == MeasureAmountInDispute && e.in.IRS.AmountInDispute > 0 {
		m = e.in.IRS.AmountInDispute
	}
	return max(0, m-culpable)
}

// thresholdMet tests the threshold for a claimant with culpable sanctions.
func (e *estimator) thresholdMet(culpable Cents) bool {
	th := e.p.Threshold
	if th.Measure == MeasureNone {
		return true
	}
	met := e.measure(culpable) > th.Amount
	if it := e.p.IncomeTest; it != nil && e.in.IRS.TaxpayerIndividual && e.in.IRS.IndividualIncome <= it.Amount {
		met = false
	}
	return met
}

// measureProjectedMet: would the threshold be met once everything
// ordered is collected (DOJ pilot measures collections)?
func (e *estimator) measureProjectedMet(culpable Cents) bool {
	if e.p.Threshold.Measure != MeasureCollected {
		return false
	}
	var m Cents
	for _, a := range e.actions {
		if a.Role == Covered {
			m += a.thresholdOrdered
		}
	}
	return m-culpable > e.p.Threshold.Amount
}

func (e *estimator) explainThreshold(culpable Cents) {
	th := e.p.Threshold
	e.use(th.Cite)
	m := e.r.Measured
	switch th.Measure {
	case MeasureNone:
		e.reason("No dollar threshold applies (%s).", th.Cite.Ref)
		return
	case MeasureAmountInDispute:
		if e.in.IRS.AmountInDispute == 0 {
			e.reason("No amount in dispute given: measured on the tax, tax penalties and tax interest ordered, %s; fines, forfeitures and other penalties count toward the award base, not this test.", usd(m))
		}
		if m > th.Amount {
			e.reason("Amount in dispute of %s exceeds %s (%s).", usd(m), usd(th.Amount), th.Cite.Ref)
		} else {
			e.reason("Amount in dispute of %s does not exceed %s (%s).", usd(m), usd(th.Amount), th.Cite.Ref)
		}
		if it := e.p.IncomeTest; it != nil && e.in.IRS.TaxpayerIndividual {
			e.use(it.Cite)
			if e.in.IRS.IndividualIncome > it.Amount {
				e.reason("The individual taxpayer's gross income of %s exceeds %s (%s).", usd(e.in.IRS.IndividualIncome), usd(it.Amount), it.Cite.Ref)
			} else {
				e.reason("The individual taxpayer's gross income of %s does not exceed %s (%s).", usd(e.in.IRS.IndividualIncome), usd(it.Amount), it.Cite.Ref)
			}
		}
		return
	}
	what := map[Measure]string{MeasureOrdered: "monetary sanctions ordered", MeasureCollected: "amounts collected", MeasureOneFine: "the largest single fine ordered"}[th.Measure]
	if culpable > 0 {
		e.use(*e.p.Culpable)
		e.reason("Sanctions of %s arising from the claimant's own conduct are left out of the threshold and the base (%s).", usd(culpable), e.p.Culpable.Ref)
	}
	if m > th.Amount {
		e.reason("Threshold met: %s of %s exceed %s (%s).", what, usd(m), usd(th.Amount), th.Cite.Ref)
		if th.Aggregation != "" {
			e.reason("Aggregation: %s", th.Aggregation)
		}
	} else {
		e.reason("Threshold not met: %s of %s do not exceed %s (%s).", what, usd(m), usd(th.Amount), th.Cite.Ref)
	}
}

// band picks the covered action's band. While the FCA intervention is
// undecided, it returns the envelope of the intervened and declined bands
// and those bands as scenarios.
func (e *estimator) band(met bool) (Band, []Scenario, error) {
	pd, os := e.in.FCA.PublicDisclosure || e.in.IRS.PublicDisclosure, e.in.FCA.OriginalSource || e.in.IRS.OriginalSource
	matches := func(b Band, iv Intervention) bool {
		w := b.When
		return (w.Intervention == AnyIntervention || w.Intervention == iv) &&
			(w.PublicDisclosure == nil || *w.PublicDisclosure == pd) &&
			(w.OriginalSource == nil || *w.OriginalSource == os) &&
			(w.ThresholdMet == nil || *w.ThresholdMet == met)
	}
	iv := e.in.FCA.Intervention
	if iv == "" {
		iv = NotYetDecided
	}
	if iv != NotYetDecided || !slices.ContainsFunc(e.p.Bands, func(b Band) bool { return b.When.Intervention != AnyIntervention }) {
		for _, b := range e.p.Bands {
			if matches(b, iv) {
				return b, nil, nil
			}
		}
		return Band{}, nil, tipline.Errorf(tipline.Internal, "No award band of %s fits the claim.", e.p.ID)
	}
	var scenarios []Scenario
	env := Band{ID: "undecided", MinBP: 10000}
	var cites []string
	for _, want := range []Intervention{Intervened, Declined} {
		for _, b := range e.p.Bands {
			if matches(b, want) {
				e.use(b.Cite)
				scenarios = append(scenarios, Scenario{ID: b.ID, Label: b.Label, MinBP: b.MinBP, MaxBP: b.MaxBP})
				env.MinBP, env.MaxBP = min(env.MinBP, b.MinBP), max(env.MaxBP, b.MaxBP)
				cites = append(cites, b.Cite.Ref)
				break
			}
		}
	}
	if len(scenarios) == 0 {
		return Band{}, nil, tipline.Errorf(tipline.Internal, "No award band of %s fits the claim.", e.p.ID)
	}
	env.Label = fmt.Sprintf("Intervention not yet decided: %s to %s, the envelope of the scenarios", Percent(env.MinBP), Percent(env.MaxBP))
	env.Cite = Citation{Label: "Bands for intervened and declined actions", Ref: strings.Join(slices.Compact(cites), "; "), Status: Primary}
	return env, scenarios, nil
}

// coveredBase returns the collected and ordered money of the covered
// actions that counts, less the collected part of culpable sanctions.
func (e *estimator) coveredBase(culpable Cents) (base, ordered Cents) {
	var gross Cents
	for _, a := range e.actions {
		if a.Role == Covered {
			base += a.collected
			ordered += a.ordered
			gross += a.gross
		}
	}
	if culpable <= 0 || gross == 0 {
		return base, ordered
	}
	keep := max(0, gross-culpable)
	return mulFrac(base, keep, gross), mulFrac(ordered, keep, gross)
}

// actionResult works out one action's part.
func (e *estimator) actionResult(a counted, band Band, met bool) ActionResult {
	ar := ActionResult{ID: a.ID, Role: a.Role, Ordered: a.ordered, Base: a.collected, PayingProgram: e.p.ID, Notes: []string{}}
	if a.Role == Covered {
		ar.Eligible = e.r.Eligible
		ar.Min, ar.Max = band.apply(a.collected)
		ar.Discretionary = band.MinBP == 0
		return ar
	}
	rule := e.p.RelatedActions
	if rule == nil {
		ar.PayingProgram = ""
		ar.Notes = append(ar.Notes, "Related actions do not count under this program.")
		return ar
	}
	e.use(rule.Cite)
	ar.Eligible = met
	ar.Discretionary = rule.Discretion != FloorApplies || band.MinBP == 0
	if other := authorityProgram[a.Authority]; other != "" && other != e.p.ID {
		e.use(rule.OtherProgram)
		ar.PayingProgram, ar.Discretionary = other, true
		ar.DoubleRecover = fmt.Sprintf("%s (%s)", rule.OtherProgram.Label, rule.OtherProgram.Ref)
		ar.Notes = append(ar.Notes, fmt.Sprintf("The %s runs its own award program: claim the action there; the %s pays only under %s.", strings.ToUpper(a.Authority), e.p.Name, rule.OtherProgram.Ref))
		e.warn(WarnDoubleRecovery, "Related action %s: an award is paid once; %s (%s).", a.ID, rule.OtherProgram.Label, rule.OtherProgram.Ref)
	}
	if rule.Discretion == Contested {
		ar.Notes = append(ar.Notes, "Contested: "+rule.Contested+".")
		e.warn(WarnContested, "Related action %s: %s (%s).", a.ID, rule.Contested, rule.Cite.Ref)
		if e.p.Threshold.Measure == MeasureOneFine && a.largest <= e.p.Threshold.Amount {
			ar.Notes = append(ar.Notes, fmt.Sprintf("Its largest fine, %s, does not exceed %s: on the narrower reading it pays nothing.", usd(a.largest), usd(e.p.Threshold.Amount)))
		}
	}
	ar.Min, ar.Max = band.apply(a.collected)
	if ar.Discretionary {
		ar.Min = 0
	}
	if !ar.Eligible {
		ar.Min, ar.Max = 0, 0
	}
	return ar
}

// projected is the related action's range if everything ordered were
// collected.
func (ar ActionResult) projected(band Band) (Cents, Cents) {
	lo, hi := band.apply(ar.Ordered)
	if ar.Discretionary {
		lo = 0
	}
	return lo, hi
}

// claimants splits the award. One whistleblower (a single claimant, or
// joint claimants acting as one) has the whole range; joint claimants
// share it by agreed shares, equally where the law requires it or by
// practice. Separate whistleblowers, and claimants under a discretionary
// split, each get nothing up to the whole maximum.
func (e *estimator) claimants(band Band, met []bool, reduced bool) {
	p := e.p
	e.use(p.Split.Cite)
	var joint []int
	separate := 0
	for i, c := range e.in.Claimants {
		if c.Joint {
			joint = append(joint, i)
		} else {
			separate++
		}
	}
	whistleblowers := separate
	if len(joint) > 0 {
		whistleblowers++
	}
	shared := len(joint) > 1
	first := true
	for i, c := range e.in.Claimants {
		cs := ClaimantShare{Claimant: c.ID, Joint: c.Joint}
		base, _ := e.coveredBase(e.culpable(c))
		lo, hi := band.apply(base)
		for _, ar := range e.r.Actions {
			if ar.Role == Related {
				lo, hi = lo+ar.Min, hi+ar.Max
			}
		}
		barred := ""
		if c.Disqualified != "" {
			if d := p.disqualifier(c.Disqualified); d.ID != "" {
				e.use(d.Cite)
				if d.Effect == Bar {
					barred = fmt.Sprintf("%s (%s)", d.Label, d.Cite.Ref)
				} else {
					lo = 0
				}
			} else {
				barred = c.Disqualified
			}
		}
		cs.Eligible = e.r.Eligible && (met[i] || p.Threshold.Below == BelowBand) && barred == ""
		switch {
		case barred != "":
			cs.Basis = "Disqualified: " + barred + "."
		case !cs.Eligible:
			cs.Basis = "Not eligible: the threshold is not met for this claimant."
		case whistleblowers > 1:
			lo = 0
			cs.Basis = "Separate whistleblowers share one award: each may get nothing up to the whole maximum; all together get the program's range."
		case p.Split.Joint == Discretionary:
			if shared {
				lo = 0
			}
			cs.Basis = "The split is discretionary: " + p.Split.Cite.Label + " (" + p.Split.Cite.Ref + ")."
		default:
			cs.Basis = "One whistleblower: the whole range."
		}
		if cs.Eligible && shared && c.Joint {
			k := Cents(len(joint))
			switch {
			case p.Split.Joint == Equal:
				cs.ShareBP = 10000 / int(k)
				lo, hi = lo/k, hi/k
				cs.Basis = "Joint report: equal shares by law (" + p.Split.Cite.Ref + ")."
				if whistleblowers > 1 {
					lo = 0
				}
			case p.Split.Joint == EqualUnlessAgreed && c.ShareBP > 0:
				cs.ShareBP = c.ShareBP
				lo, hi = mulBP(lo, c.ShareBP), mulBP(hi, c.ShareBP)
				cs.Basis = "Joint whistleblowers: the agreed share (" + p.Split.Cite.Ref + ")."
			case p.Split.Joint == EqualUnlessAgreed:
				cs.ShareBP = 10000 / int(k)
				lo, hi = lo/k, hi/k
				cs.Basis = "Joint whistleblowers count as one; an equal split is common practice, not a rule (" + p.Split.Cite.Ref + ")."
			}
		}
		if reduced || !cs.Eligible {
			lo = 0
		}
		if !cs.Eligible {
			hi = 0
		}
		cs.Min, cs.Max = lo, hi
		if first || cs.Min < e.r.PerClaimantMin {
			e.r.PerClaimantMin = cs.Min
		}
		if first || cs.Max > e.r.PerClaimantMax {
			e.r.PerClaimantMax = cs.Max
		}
		first = false
		e.r.Claimants = append(e.r.Claimants, cs)
	}
	if !slices.ContainsFunc(e.r.Claimants, func(c ClaimantShare) bool { return c.Eligible }) && e.r.Eligible && len(e.in.Claimants) > 0 {
		e.r.Eligible, e.r.Min, e.r.Max = false, 0, 0
		e.reason("No claimant is eligible.")
	}
	if n := len(e.in.Claimants); n > 1 {
		e.reason("%d claimants: the range is for all of them together; each claimant's part is listed under claimants (%s).", n, p.Split.Cite.Ref)
	}
}

// presumption applies the SEC's presumption of the maximum where no
// negative factor or culpable conduct defeats it.
func (e *estimator) presumption(reduced bool) {
	pr := e.p.Presumption
	if pr == nil || !e.r.Eligible || e.r.Max == 0 || e.r.Max > pr.AtMost {
		return
	}
	var against []string
	for _, c := range e.in.Claimants {
		for _, f := range c.NegativeFactors {
			against = append(against, fmt.Sprintf("%s (%s)", strings.ReplaceAll(f, "_", " "), c.ID))
		}
		if e.culpable(c) > 0 {
			against = append(against, fmt.Sprintf("culpable conduct under Rule 21F-16 (%s)", c.ID))
		}
	}
	if reduced {
		against = append(against, "a disqualifier that allows a reduction")
	}
	e.use(pr.Cite)
	if len(against) > 0 {
		e.reason("No presumption of the maximum: %s (%s).", strings.Join(against, "; "), pr.Cite.Ref)
		return
	}
	e.r.Presumption = fmt.Sprintf("%s (%s)", pr.Text, pr.Cite.Ref)
	e.r.PresumedAward = e.r.Max
	e.reason("Presumption: %s", e.r.Presumption)
}

// deadlines computes the covered action's deadlines and each related
// action's own.
func (e *estimator) deadlines() {
	var notice, order time.Time
	for _, a := range e.actions {
		if a.Role != Covered {
			continue
		}
		if !a.NoticeOfCoveredAction.IsZero() && (notice.IsZero() || a.NoticeOfCoveredAction.Before(notice)) {
			notice = a.NoticeOfCoveredAction
		}
		if a.FinalOrder.After(order) {
			order = a.FinalOrder
		}
	}
	add := func(d DeadlineRule, action string, due time.Time) {
		e.use(d.Cite)
		e.r.Deadlines = append(e.r.Deadlines, Deadline{ID: d.ID, Action: action, Name: d.Name, Due: due, Citation: d.Cite.Ref, Status: d.Cite.Status})
	}
	for _, d := range e.p.Deadlines {
		switch d.From {
		case FromNotice:
			if !notice.IsZero() {
				add(d, "", addDays(notice, d.Days))
			}
		case FromFinalOrder:
			if !order.IsZero() {
				add(d, "", addDays(order, d.Days))
			}
		case FromLaterOfNoticeAndFinalOrder:
			if !notice.IsZero() && !order.IsZero() {
				add(d, "", addDays(later(notice, order), d.Days))
			}
		case FromRelatedFinalOrder, FromNoticeOrRelatedFinalOrder:
			for i, a := range e.actions {
				if a.Role != Related || a.FinalOrder.IsZero() || e.r.Actions[i].PayingProgram != e.p.ID {
					continue
				}
				due := addDays(a.FinalOrder, d.Days)
				if d.From == FromNoticeOrRelatedFinalOrder {
					if notice.IsZero() {
						e.r.Actions[i].Notes = append(e.r.Actions[i].Notes, "No deadline yet: the related claim goes on the covered action's application once its Notice of Covered Action is posted.")
						continue
					}
					if covered := addDays(notice, d.Days); !a.FinalOrder.After(covered) {
						due = covered
						e.r.Actions[i].Notes = append(e.r.Actions[i].Notes, "Its final order exists by the covered action's deadline: claim it on the covered action's Form WB-APP.")
					}
				}
				add(d, a.ID, due)
				e.r.Actions[i].Deadline = due.Format(time.DateOnly)
			}
		}
	}
	slices.SortStableFunc(e.r.Deadlines, func(a, b Deadline) int { return a.Due.Compare(b.Due) })
}

// net applies the program's payment reduction for the fiscal year of the
// estimate's day.
func (e *estimator) net() {
	if len(e.p.Sequestration) == 0 || e.in.AsOf.IsZero() {
		return
	}
	fy := e.in.AsOf.Year()
	if e.in.AsOf.Month() >= time.October {
		fy++
	}
	i := slices.IndexFunc(e.p.Sequestration, func(r Rate) bool { return r.FiscalYear == fy })
	if i < 0 {
		e.warn(WarnUnverified, "No sequestration rate is known for fiscal year %d: the net is not computed.", fy)
		return
	}
	rate := e.p.Sequestration[i]
	e.use(rate.Cite)
	e.r.Net = &Net{FiscalYear: fy, RateBP: rate.BP, Min: e.r.Min - mulBP(e.r.Min, rate.BP), Max: e.r.Max - mulBP(e.r.Max, rate.BP),
		Citation: rate.Cite.Ref, Status: rate.Cite.Status}
	status := ""
	if rate.Cite.Status == Unverified {
		status = " (unverified rate)"
	}
	e.reason("Sequestration of %s in fiscal year %d%s: net %s to %s.", Percent(rate.BP), fy, status, usd(e.r.Net.Min), usd(e.r.Net.Max))
}

// warnings adds the bars the range cannot show.
func (e *estimator) warnings() {
	if e.p.ID == "fca" {
		if e.in.FCA.PublicDisclosure {
			if e.in.FCA.OriginalSource {
				e.warn(WarnPublicDisclosure, "Public-disclosure bar: the allegations were publicly disclosed; the relator must prove original-source status or the court must dismiss unless the government opposes (31 U.S.C. 3730(e)(4)).")
			} else {
				e.warn(WarnPublicDisclosure, "Public-disclosure bar: substantially the same allegations were publicly disclosed and the relator is not an original source; the court must dismiss unless the government opposes (31 U.S.C. 3730(e)(4)(A)). If the government intervenes, the share is at most 10%% (3730(d)(1)).")
			}
		}
		if len(e.in.Claimants) > 1 {
			e.warn(WarnFirstToFile, "First-to-file: once an action is pending, no person other than the government may bring a related action on the same facts; later relators may be barred (31 U.S.C. 3730(b)(5)).")
		}
	}
	if e.p.ID == "irs" && e.in.IRS.PublicDisclosure && !e.in.IRS.OriginalSource {
		e.warn(WarnPublicDisclosure, "Based principally on public disclosures: at most 10%% unless the whistleblower is the original source (26 U.S.C. 7623(b)(2)).")
	}
}

// checkInput refuses input that cannot be estimated, naming the case
// file's field.
func checkInput(p *Program, in Input) error {
	bad := func(field, format string, args ...any) error {
		return tipline.Errorf(tipline.Invalid, "%s: %s", field, fmt.Sprintf(format, args...))
	}
	if len(in.Actions) > 100 {
		return bad("actions", "at most 100 actions")
	}
	ids := map[string]bool{}
	for i, a := range in.Actions {
		f := fmt.Sprintf("actions[%d]", i)
		if a.ID == "" || ids[a.ID] {
			return bad(f+".id", "each action needs its own id")
		}
		ids[a.ID] = true
		if a.Role != Covered && a.Role != Related {
			return bad(f+".role", "%q (covered or related)", a.Role)
		}
		if !slices.Contains(Authorities, a.Authority) {
			return bad(f+".program", "%q (one of %s)", a.Authority, strings.Join(Authorities, ", "))
		}
		if a.Credited < 0 {
			return bad(f+".credited", "cannot be negative")
		}
		var ordered Cents
		for j, s := range a.Sanctions {
			sf := fmt.Sprintf("%s.sanctions[%d]", f, j)
			if !slices.Contains(Kinds, s.Kind) {
				return bad(sf+".kind", "unknown kind %q (one of %s)", s.Kind, joinKinds())
			}
			if s.Ordered < 0 {
				return bad(sf+".ordered", "cannot be negative")
			}
			if s.Collected < 0 {
				return bad(sf+".collected", "cannot be negative")
			}
			if s.Collected > s.Ordered {
				return bad(sf+".collected", "%s collected is more than the %s ordered", usd(s.Collected), usd(s.Ordered))
			}
			ordered += s.Ordered
		}
		if a.Credited > ordered {
			return bad(f+".credited", "%s credited is more than the %s ordered", usd(a.Credited), usd(ordered))
		}
	}
	if len(in.Claimants) > 1000 {
		return bad("claimants", "at most 1000 claimants")
	}
	ids = map[string]bool{}
	shares, sharesSum, joint := 0, 0, 0
	for i, c := range in.Claimants {
		f := fmt.Sprintf("claimants[%d]", i)
		if c.ID == "" || ids[c.ID] {
			return bad(f+".id", "each claimant needs their own id")
		}
		ids[c.ID] = true
		if c.CulpableAmount < 0 {
			return bad(f+".culpable_amount", "cannot be negative")
		}
		for j, nf := range c.NegativeFactors {
			if !slices.Contains(NegativeFactors, nf) {
				return bad(fmt.Sprintf("%s.negative_factors[%d]", f, j), "%q (one of %s)", nf, strings.Join(NegativeFactors, ", "))
			}
		}
		if c.ShareBP < 0 || c.ShareBP > 10000 || (c.ShareBP > 0 && !c.Joint) {
			return bad(f+".share_bp", "a joint claimant's share is 1 to 10000 basis points")
		}
		if c.Joint {
			joint++
			if c.ShareBP > 0 {
				shares++
				sharesSum += c.ShareBP
			}
		}
	}
	if shares > 0 && (shares != joint || sharesSum != 10000) {
		return bad("claimants", "the joint claimants' shares must all be given and add up to 10000 basis points, not %d", sharesSum)
	}
	switch in.FCA.Intervention {
	case "", Intervened, Declined, NotYetDecided:
	default:
		return bad("fca.intervention", "%q (intervened, declined or undecided)", in.FCA.Intervention)
	}
	if in.IRS.AmountInDispute < 0 {
		return bad("irs.amount_in_dispute", "cannot be negative")
	}
	if in.IRS.IndividualIncome < 0 {
		return bad("irs.individual_income", "cannot be negative")
	}
	for i, id := range in.Disqualifiers {
		if p.disqualifier(id).ID == "" {
			return bad(fmt.Sprintf("disqualifiers[%d]", i), "no disqualifier %q under %s", id, p.ID)
		}
	}
	return nil
}

func joinKinds() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// exclusionFor reports whether money of kind k counts, and if not, why.
func exclusionFor(p *Program, related bool, k Kind) (Exclusion, bool) {
	if related && p.RelatedActions == nil {
		return Exclusion{Kind: k, Related: true, Reason: "related actions do not count under this program", Citation: p.Citations[0].Ref}, false
	}
	if p.counts(k) {
		return Exclusion{}, true
	}
	r := p.exclusion(k)
	return Exclusion{Kind: k, Related: related, Reason: r.Reason, Citation: r.Cite.Ref}, false
}

// addExclusion adds s to the matching exclusion, or a new one.
func addExclusion(list *[]Exclusion, ex Exclusion, s Sanction) {
	for i := range *list {
		e := &(*list)[i]
		if e.Action == ex.Action && e.Kind == ex.Kind && e.Reason == ex.Reason {
			a, ok1 := addCents(e.Amount, s.Ordered)
			c, ok2 := addCents(e.Collected, s.Collected)
			if ok1 && ok2 {
				e.Amount, e.Collected = a, c
				return
			}
		}
	}
	ex.Amount, ex.Collected = s.Ordered, s.Collected
	*list = append(*list, ex)
}

// apply returns the band's range on base.
func (b Band) apply(base Cents) (Cents, Cents) {
	if base <= 0 {
		return 0, 0
	}
	lo := mulBP(base, b.MinBP)
	if len(b.Brackets) == 0 {
		return lo, mulBP(base, b.MaxBP)
	}
	var hi, from Cents
	for _, br := range b.Brackets {
		to := br.UpTo
		if to == 0 || to > base {
			to = base
		}
		if to > from {
			hi += mulBP(to-from, br.MaxBP)
			from = to
		}
		if from >= base {
			break
		}
	}
	return lo, hi
}

// mulFrac returns c × num / den rounded down, exactly.
func mulFrac(c, num, den Cents) Cents {
	v := new(big.Int).Mul(big.NewInt(int64(c)), big.NewInt(int64(num)))
	return Cents(v.Quo(v, big.NewInt(int64(den))).Int64())
}

// disqualifier returns the program's disqualifier with the id, or a zero one.
func (p *Program) disqualifier(id string) Disqualifier {
	for _, d := range p.Disqualifiers {
		if d.ID == id {
			return d
		}
	}
	return Disqualifier{}
}

// rule returns the rule under which kind k counts.
func (p *Program) rule(k Kind) KindRule {
	for _, r := range p.Counts {
		if r.Kind == k {
			return r
		}
	}
	return KindRule{}
}

func addDays(t time.Time, days int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, time.UTC)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// usd formats c for people: "$1,234,567.89".
func usd(c Cents) string {
	s := c.String()
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := "$" + b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// USD formats c for people with thousands separators: "$1,234,567.89".
func (c Cents) USD() string { return usd(c) }

// Percent formats basis points as a percentage: 1500 → "15%", 2963 → "29.63%".
func Percent(bp int) string {
	s := strconv.Itoa(bp/100) + "." + twoDigits(uint64(bp%100))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), "0")
	return strings.TrimSuffix(s, ".") + "%"
}

// Percent is the claimant's share as a percentage, e.g. "50.31%".
func (c ClaimantShare) Percent() string { return Percent(c.ShareBP) }

// Percent is the reduction as a percentage, e.g. "5.7%".
func (n Net) Percent() string { return Percent(n.RateBP) }
