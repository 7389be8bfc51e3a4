package awards

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tipline/tipline"
)

// Sanction is money ordered in, and collected from, one action.
type Sanction struct {
	Action    string `json:"action"`  // case name or number, for the reasons
	Related   bool   `json:"related"` // a related action (another agency's), not the covered action
	Kind      Kind   `json:"kind"`
	Ordered   Cents  `json:"ordered"`
	Collected Cents  `json:"collected"`
}

// Input is everything the engine needs for one claim under one program.
type Input struct {
	Program   string
	Sanctions []Sanction
	// AmountInDispute is the IRS 7623(b)(5)(B) amount: tax, penalties,
	// interest, additions to tax and additional amounts in dispute.
	AmountInDispute Cents
	// TaxpayerIndividual says the IRS taxpayer is an individual, so that
	// the 7623(b)(5)(A) gross income test applies to IndividualIncome.
	TaxpayerIndividual bool
	IndividualIncome   Cents
	Intervened         *bool // FCA: the government intervened; nil if not decided
	PublicDisclosure   bool  // FCA 3730(d)(1), IRS 7623(b)(2): based principally on public disclosures
	Claimants          int   // joint claimants sharing the award; 0 means 1
	// Shares optionally splits the award in basis points (sum 10000), one
	// per claimant.
	Shares                []int
	NoticeOfCoveredAction time.Time // zero if none
	FinalOrder            time.Time // final order (or judgment) in the action; zero if none
	Disqualifiers         []string  // ids from the program's disqualifiers found on the checklist
}

// Range is an award range for all claimants together.
type Range struct {
	Min Cents `json:"min"`
	Max Cents `json:"max"`
}

// ClaimantShare is one joint claimant's part of the range.
type ClaimantShare struct {
	Claimant int   `json:"claimant"` // 1-based
	ShareBP  int   `json:"share_bp"`
	Min      Cents `json:"min"`
	Max      Cents `json:"max"`
}

// Exclusion is money that does not count, with the reason.
type Exclusion struct {
	Kind      Kind   `json:"kind"`
	Related   bool   `json:"related"`
	Amount    Cents  `json:"amount"` // ordered
	Collected Cents  `json:"collected"`
	Reason    string `json:"reason"`
	Citation  string `json:"citation"`
}

// Deadline is a date that follows from the action's dates.
type Deadline struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Due      time.Time `json:"due"`
	Citation string    `json:"citation"`
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
	// related actions.
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
	Excluded       []Exclusion     `json:"excluded"`
	Presumption    string          `json:"presumption,omitempty"`
	PresumedAward  Cents           `json:"presumed_award,omitempty"`
	Deadlines      []Deadline      `json:"deadlines"`
	Citations      []Citation      `json:"citations"`
	VerifiedOn     string          `json:"verified_on"`
}

// Estimate applies one program's rules to a claim. Errors are
// tipline.NotFound for an unknown program and tipline.Invalid for input
// that does not make sense (negative money, shares that do not add up,
// unknown kinds or disqualifiers).
func Estimate(in Input) (Result, error) {
	p, err := ProgramByID(in.Program)
	if err != nil {
		return Result{}, err
	}
	n := in.Claimants
	if n == 0 {
		n = 1
	}
	if err := checkInput(&p, in, n); err != nil {
		return Result{}, err
	}
	r := Result{Program: p.ID, Threshold: p.Threshold.Amount, Citations: p.Citations, VerifiedOn: p.VerifiedOn, Excluded: []Exclusion{}, Deadlines: []Deadline{}}
	reason := func(format string, args ...any) { r.Reasons = append(r.Reasons, fmt.Sprintf(format, args...)) }

	// Sum what counts; list what does not.
	var t totals
	for _, s := range in.Sanctions {
		ex, counted := exclusionFor(&p, s)
		if !counted {
			addExclusion(&r.Excluded, ex, s)
			continue
		}
		if !t.add(s) {
			return Result{}, tipline.Errorf(tipline.Invalid, "The sanctions add up to more than the engine can count.")
		}
	}
	r.Ordered, r.Base = t.ordered(), t.collected()

	// Threshold.
	th := p.Threshold
	met, projectedMet := true, true
	switch th.Measure {
	case MeasureNone:
		reason("No dollar threshold applies (%s).", th.Cite.Ref)
	case MeasureOrdered, MeasureCollected:
		r.Measured = t.coveredOrdered
		projected := t.coveredOrdered
		if th.Related {
			r.Measured, projected = t.ordered(), t.ordered()
		}
		what := "monetary sanctions ordered"
		if th.Measure == MeasureCollected {
			r.Measured = t.coveredCollected
			if th.Related {
				r.Measured = t.collected()
			}
			what = "amounts collected"
		}
		met, projectedMet = r.Measured > th.Amount, projected > th.Amount
		if met {
			reason("Threshold met: %s of %s exceed %s (%s).", what, usd(r.Measured), usd(th.Amount), th.Cite.Ref)
		} else {
			reason("Threshold not met: %s of %s do not exceed %s (%s).", what, usd(r.Measured), usd(th.Amount), th.Cite.Ref)
		}
		if th.Aggregation != "" && met {
			reason("Aggregation: %s", th.Aggregation)
		}
	case MeasureAmountInDispute:
		r.Measured = in.AmountInDispute
		if r.Measured == 0 {
			r.Measured = t.ordered()
			reason("No amount in dispute given: measured on the amounts ordered that count, %s.", usd(r.Measured))
		}
		met = r.Measured > th.Amount
		if met {
			reason("Amount in dispute of %s exceeds %s (%s).", usd(r.Measured), usd(th.Amount), th.Cite.Ref)
		} else {
			reason("Amount in dispute of %s does not exceed %s (%s).", usd(r.Measured), usd(th.Amount), th.Cite.Ref)
		}
		if it := p.IncomeTest; it != nil && in.TaxpayerIndividual {
			if in.IndividualIncome > it.Amount {
				reason("The individual taxpayer's gross income of %s exceeds %s (%s).", usd(in.IndividualIncome), usd(it.Amount), it.Cite.Ref)
			} else {
				met = false
				reason("The individual taxpayer's gross income of %s does not exceed %s (%s).", usd(in.IndividualIncome), usd(it.Amount), it.Cite.Ref)
			}
		}
		projectedMet = met
	}
	r.ThresholdMet = met
	r.Eligible = met || th.Below == BelowBand

	// Band.
	band, ok := pickBand(&p, in, met)
	if !ok {
		return Result{}, tipline.Errorf(tipline.Internal, "No award band of %s fits the claim.", p.ID)
	}
	projBand, _ := pickBand(&p, in, projectedMet)
	r.Band, r.MinBP, r.MaxBP = band.Label, band.MinBP, band.MaxBP
	if len(band.Brackets) > 0 {
		r.MaxBP = 0
	}
	if r.Eligible {
		r.Min, r.Max = band.apply(r.Base)
		reason("%s (%s).", band.Label, band.Cite.Ref)
		if r.Base == 0 {
			reason("Nothing that counts has been collected yet: the award is a share of amounts collected.")
		}
	}
	if met || projectedMet || th.Below == BelowBand {
		r.Projected.Min, r.Projected.Max = projBand.apply(r.Ordered)
	}

	// Disqualifiers.
	reduced, barred := false, false
	for _, id := range in.Disqualifiers {
		d := p.disqualifier(id)
		if d.Effect == Bar {
			r.Eligible, barred = false, true
			reason("Not eligible: %s (%s).", d.Label, d.Cite.Ref)
			continue
		}
		reduced = true
		reason("Award may be reduced, to nothing: %s (%s).", d.Label, d.Cite.Ref)
	}
	if !r.Eligible {
		r.Min, r.Max = 0, 0
	}
	if barred {
		r.Projected = Range{}
	}
	if reduced {
		r.Min, r.Projected.Min = 0, 0
	}

	// Presumption.
	if pr := p.Presumption; pr != nil && r.Eligible && !reduced && r.Max > 0 && r.Max <= pr.AtMost {
		r.Presumption = fmt.Sprintf("%s (%s)", pr.Text, pr.Cite.Ref)
		r.PresumedAward = r.Max
		reason("Presumption: %s", r.Presumption)
	}

	// Split among claimants.
	shares := in.Shares
	if len(shares) > 0 && p.Split.Joint == Equal {
		reason("Joint claimants share equally under %s; the shares given are ignored.", p.Split.Cite.Ref)
		shares = nil
	}
	r.Claimants, r.PerClaimantMin, r.PerClaimantMax = split(r.Min, r.Max, n, shares)
	if n > 1 {
		reason("%d joint claimants share one award: the range is for all of them together (%s).", n, p.Split.Cite.Ref)
	}

	// Deadlines.
	for _, d := range p.Deadlines {
		if due, ok := d.due(in); ok {
			r.Deadlines = append(r.Deadlines, Deadline{ID: d.ID, Name: d.Name, Due: due, Citation: d.Cite.Ref})
		}
	}
	if len(r.Excluded) > 0 {
		reason("Money that does not count is listed under excluded.")
	}
	return r, nil
}

// checkInput refuses input that cannot be estimated.
func checkInput(p *Program, in Input, n int) error {
	if n < 0 || n > 1000 {
		return tipline.Errorf(tipline.Invalid, "Claimants must be between 1 and 1000.")
	}
	for i, s := range in.Sanctions {
		if !slices.Contains(Kinds, s.Kind) {
			return tipline.Errorf(tipline.Invalid, "Sanction %d: unknown kind %q.", i+1, s.Kind)
		}
		if s.Ordered < 0 || s.Collected < 0 {
			return tipline.Errorf(tipline.Invalid, "Sanction %d: amounts cannot be negative.", i+1)
		}
	}
	if in.AmountInDispute < 0 || in.IndividualIncome < 0 {
		return tipline.Errorf(tipline.Invalid, "Amounts cannot be negative.")
	}
	if len(in.Shares) > 0 {
		if len(in.Shares) != n {
			return tipline.Errorf(tipline.Invalid, "Give one share per claimant (%d shares for %d claimants).", len(in.Shares), n)
		}
		sum := 0
		for _, s := range in.Shares {
			if s < 0 || s > 10000 {
				return tipline.Errorf(tipline.Invalid, "Shares are basis points between 0 and 10000.")
			}
			sum += s
		}
		if sum != 10000 {
			return tipline.Errorf(tipline.Invalid, "Shares must add up to 10000 basis points (100%%), not %d.", sum)
		}
	}
	for _, id := range in.Disqualifiers {
		if p.disqualifier(id).ID == "" {
			return tipline.Errorf(tipline.Invalid, "No disqualifier %q under %s.", id, p.ID)
		}
	}
	return nil
}

// totals sums the money that counts.
type totals struct {
	coveredOrdered, coveredCollected, relatedOrdered, relatedCollected Cents
}

func (t *totals) add(s Sanction) bool {
	o, c := &t.coveredOrdered, &t.coveredCollected
	if s.Related {
		o, c = &t.relatedOrdered, &t.relatedCollected
	}
	var ok1, ok2 bool
	*o, ok1 = addCents(*o, s.Ordered)
	*c, ok2 = addCents(*c, s.Collected)
	_, ok3 := addCents(t.coveredOrdered, t.relatedOrdered)
	_, ok4 := addCents(t.coveredCollected, t.relatedCollected)
	return ok1 && ok2 && ok3 && ok4
}

func (t totals) ordered() Cents   { return t.coveredOrdered + t.relatedOrdered }
func (t totals) collected() Cents { return t.coveredCollected + t.relatedCollected }

// exclusionFor reports whether s counts, and if not, why.
func exclusionFor(p *Program, s Sanction) (Exclusion, bool) {
	if s.Related && p.RelatedActions == nil {
		return Exclusion{Kind: s.Kind, Related: true, Reason: "related actions do not count under this program", Citation: p.Citations[0].Ref}, false
	}
	if p.counts(s.Kind) {
		return Exclusion{}, true
	}
	k := p.exclusion(s.Kind)
	return Exclusion{Kind: s.Kind, Related: s.Related, Reason: k.Reason, Citation: k.Cite.Ref}, false
}

// addExclusion adds s to the matching exclusion, or a new one.
func addExclusion(list *[]Exclusion, ex Exclusion, s Sanction) {
	for i := range *list {
		e := &(*list)[i]
		if e.Kind == ex.Kind && e.Related == ex.Related && e.Reason == ex.Reason {
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

// pickBand returns the first band whose conditions hold.
func pickBand(p *Program, in Input, met bool) (Band, bool) {
	intervened := NotYetDecided
	if in.Intervened != nil {
		intervened = map[bool]Intervention{true: Intervened, false: Declined}[*in.Intervened]
	}
	for _, b := range p.Bands {
		w := b.When
		if w.Intervened != AnyIntervention && w.Intervened != intervened {
			continue
		}
		if w.PublicDisclosure != nil && *w.PublicDisclosure != in.PublicDisclosure {
			continue
		}
		if w.ThresholdMet != nil && *w.ThresholdMet != met {
			continue
		}
		return b, true
	}
	return Band{}, false
}

// apply returns the band's range on base.
func (b Band) apply(base Cents) (Cents, Cents) {
	if base <= 0 {
		return 0, 0
	}
	min := mulBP(base, b.MinBP)
	if len(b.Brackets) == 0 {
		return min, mulBP(base, b.MaxBP)
	}
	var max, from Cents
	for _, br := range b.Brackets {
		to := br.UpTo
		if to == 0 || to > base {
			to = base
		}
		if to > from {
			max += mulBP(to-from, br.MaxBP)
			from = to
		}
		if from >= base {
			break
		}
	}
	return min, max
}

// split divides a range among n claimants, by shares in basis points or
// equally; the parts never add up to more than the whole.
func split(min, max Cents, n int, shares []int) ([]ClaimantShare, Cents, Cents) {
	out := make([]ClaimantShare, n)
	for i := range out {
		out[i].Claimant = i + 1
		if shares != nil {
			out[i].ShareBP = shares[i]
			out[i].Min, out[i].Max = mulBP(min, shares[i]), mulBP(max, shares[i])
		} else {
			out[i].ShareBP = 10000 / n
			out[i].Min, out[i].Max = min/Cents(n), max/Cents(n)
		}
	}
	lo, hi := out[0].Min, out[0].Max
	for _, c := range out[1:] {
		lo, hi = minCents(lo, c.Min), maxCents(hi, c.Max)
	}
	return out, lo, hi
}

func minCents(a, b Cents) Cents {
	if a < b {
		return a
	}
	return b
}

func maxCents(a, b Cents) Cents {
	if a > b {
		return a
	}
	return b
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

// due returns the deadline for in, if its anchor dates are known.
func (d DeadlineRule) due(in Input) (time.Time, bool) {
	var from time.Time
	switch d.From {
	case FromNotice:
		from = in.NoticeOfCoveredAction
	case FromFinalOrder:
		from = in.FinalOrder
	case FromLaterOfNoticeAndFinalOrder:
		if in.NoticeOfCoveredAction.IsZero() || in.FinalOrder.IsZero() {
			return time.Time{}, false
		}
		from = in.NoticeOfCoveredAction
		if in.FinalOrder.After(from) {
			from = in.FinalOrder
		}
	}
	if from.IsZero() {
		return time.Time{}, false
	}
	y, m, day := from.Date()
	return time.Date(y, m, day+d.Days, 0, 0, 0, 0, time.UTC), true
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
