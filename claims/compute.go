package claims

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
)

// Verdict is a claim's eligibility and award range: the award engine's
// result and counsel's checklist screen.
type Verdict struct {
	Result awards.Result `json:"result"`
	// Eligible: the engine finds the claim eligible and no condition of
	// the checklist is marked not met.
	Eligible bool `json:"eligible"`
	// Incomplete: nothing decides the claim yet (no action with money
	// ordered or collected is linked) and no condition is marked not met;
	// the claim is shown neither as eligible nor as not eligible.
	Incomplete bool `json:"incomplete"`
	// Failed lists the conditions marked not met; Open the items nobody
	// has decided yet (conditions and disqualifiers).
	Failed []string `json:"failed_conditions"`
	Open   []string `json:"open_items"`
	// LedgerVersion is the latest ledger entry the result counts.
	LedgerVersion int64 `json:"ledger_version"`
	// Deadlines are the result's deadlines as the casework deadline engine
	// keeps them on the claim's submissions.
	Deadlines []casework.Deadline `json:"deadlines"`
}

// Input builds the award engine's input for a claim from its actions and
// the ledger up to and including the day asOf ("" for all of it); today
// sets the fiscal year of sequestration. Covered and aggregated actions
// are the covered action; each related action is its own claim, with its
// own final order. The claim's action terms override the role and the
// authority and say what is credited.
func Input(c Claim, actions []Action, asOf, today string) awards.Input {
	in := awards.Input{Program: c.Program, AsOf: day(today),
		IRS: awards.IRSFacts{AmountInDispute: c.AmountInDispute, TaxpayerIndividual: c.TaxpayerIndividual, IndividualIncome: c.IndividualIncome,
			PublicDisclosure: c.PublicDisclosure, OriginalSource: c.OriginalSource},
		FCA: awards.FCAFacts{Intervention: intervention(c.Intervened), PublicDisclosure: c.PublicDisclosure, OriginalSource: c.OriginalSource},
	}
	if asOf != "" {
		in.AsOf = day(asOf)
	}
	for _, a := range actions {
		ordered := map[awards.Kind]awards.Cents{}
		collected := map[awards.Kind]awards.Cents{}
		var kinds []awards.Kind
		for _, s := range a.Sanctions {
			k := currentKind(s.Kind)
			ordered[k] += s.Ordered
			kinds = append(kinds, k)
		}
		for _, col := range a.Collections {
			if asOf == "" || col.ReceivedDay <= asOf {
				k := currentKind(col.Kind)
				collected[k] += col.Amount
				kinds = append(kinds, k)
			}
		}
		act := awards.Action{ID: actionLabel(a), Role: a.DefaultRole(), Authority: a.DefaultAuthority(c.Program),
			FinalOrder: day(a.FinalOrderDay), NoticeOfCoveredAction: day(a.NoticeDay)}
		if t := c.TermsOf(a.ID); t.Action != "" {
			if t.Role != "" {
				act.Role = t.Role
			}
			if t.Authority != "" {
				act.Authority = t.Authority
			}
			act.Credited = t.Credited
		}
		if act.Role == awards.Related {
			act.NoticeOfCoveredAction = time.Time{}
		}
		slices.Sort(kinds)
		for _, k := range slices.Compact(kinds) {
			// The ledger may hold a payment before its order is entered:
			// what was collected was at least ordered.
			act.Sanctions = append(act.Sanctions, awards.Sanction{Kind: k, Ordered: max(ordered[k], max(collected[k], 0)), Collected: max(collected[k], 0)})
		}
		in.Actions = append(in.Actions, act)
	}
	if len(c.Splits) == 0 {
		in.Claimants = []awards.Claimant{{ID: c.Pseudonym}}
	}
	for i, s := range c.Splits {
		id := s.Claimant
		if slices.ContainsFunc(in.Claimants, func(o awards.Claimant) bool { return o.ID == id }) {
			id = fmt.Sprintf("%s (%d)", id, i+1) // pseudonyms need not differ
		}
		in.Claimants = append(in.Claimants, awards.Claimant{ID: id, Joint: s.Joint, ShareBP: s.ShareBP, CulpableAmount: s.CulpableAmount,
			Disqualified: s.Disqualified, NegativeFactors: s.NegativeFactors})
	}
	for _, it := range c.Checklist {
		if it.Kind == Disqualifier && it.Status == Yes {
			in.Disqualifiers = append(in.Disqualifiers, it.Item)
		}
	}
	return in
}

// TermsOf returns the terms the claim records for action id; zero when
// it records none.
func (c Claim) TermsOf(id string) ActionTerms {
	for _, t := range c.Terms {
		if t.Action == id {
			return t
		}
	}
	return ActionTerms{}
}

// intervention reads a claim's FCA intervention: nil is undecided.
func intervention(v *bool) awards.Intervention {
	switch {
	case v == nil:
		return awards.NotYetDecided
	case *v:
		return awards.Intervened
	}
	return awards.Declined
}

// legacyKinds are kinds of money recorded before the award engine merged
// prejudgment interest into interest and renamed victim compensation.
var legacyKinds = map[awards.Kind]awards.Kind{"prejudgment_interest": awards.Interest, "compensatory": awards.Compensatory}

// currentKind maps a recorded kind to the engine's; an unknown kind is
// "other", which no program counts.
func currentKind(k awards.Kind) awards.Kind {
	if n, ok := legacyKinds[k]; ok {
		return n
	}
	if !slices.Contains(awards.Kinds, k) {
		return awards.Other
	}
	return k
}

// actionLabel names an action in the engine's input and its reasons.
func actionLabel(a Action) string {
	if a.CaseNumber != "" {
		return a.Agency + " " + a.CaseNumber
	}
	return a.Agency + ": " + a.Title
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Evaluate computes a claim's verdict from its actions, as of the day asOf
// ("" for the whole ledger) on the day today. c's checklist must be complete (as the
// service returns claims).
func Evaluate(c Claim, actions []Action, asOf, today string) (Verdict, error) {
	res, err := awards.Estimate(Input(c, actions, asOf, today))
	if err != nil {
		return Verdict{}, tipline.Wrap(tipline.Invalid, err, "The award engine cannot estimate this claim: "+err.Error())
	}
	v := Verdict{Result: res, Failed: []string{}, Open: []string{}, Deadlines: []casework.Deadline{}}
	for _, it := range c.Checklist {
		switch {
		case it.Status == Open:
			v.Open = append(v.Open, it.Label)
		case it.Kind == Condition && it.Status == No:
			v.Failed = append(v.Failed, it.Label)
		}
	}
	v.Eligible = res.Eligible && len(v.Failed) == 0
	var ordered awards.Cents
	for _, a := range actions {
		v.LedgerVersion = max(v.LedgerVersion, a.LedgerVersion())
		ordered += max(a.Ordered(), a.Collected(asOf)) // a payment may be recorded before its order
	}
	v.Incomplete = len(v.Failed) == 0 && ordered == 0
	// The deadline engine keeps one deadline of a kind per submission:
	// the earliest (the engine lists them by due day), as when several
	// related actions are each claimed under the same rule.
	for _, d := range res.Deadlines {
		kind := DeadlineKind(c.Program, d.ID)
		if slices.ContainsFunc(v.Deadlines, func(o casework.Deadline) bool { return o.Kind == kind }) {
			continue
		}
		v.Deadlines = append(v.Deadlines, casework.Deadline{Kind: kind, DueDay: d.Due.UTC().Format(time.DateOnly)})
	}
	return v, nil
}

// DeadlineKind names the deadline of program's deadline rule id in the
// casework deadline engine.
func DeadlineKind(program, id string) casework.DeadlineKind {
	return casework.AwardClaimDeadline(program, id)
}

// claimActions loads a claim's actions: covered, then aggregated, then
// related ones, each by title.
func (s *Service) claimActions(ctx context.Context, c Claim) ([]Action, error) {
	actions := make([]Action, 0, len(c.Actions))
	for _, id := range c.Actions {
		a, err := s.Store.Action(ctx, id)
		if err != nil {
			return nil, err
		}
		actions = append(actions, a)
	}
	slices.SortStableFunc(actions, func(a, b Action) int {
		return cmp.Or(cmp.Compare(slices.Index(Relations, a.Relation), slices.Index(Relations, b.Relation)), strings.Compare(a.Title, b.Title))
	})
	return actions, nil
}

// verdict computes a completed claim's current verdict.
func (s *Service) verdict(ctx context.Context, c Claim) (Verdict, error) {
	actions, err := s.claimActions(ctx, c)
	if err != nil {
		return Verdict{}, err
	}
	return Evaluate(c, actions, "", s.today())
}

// Recompute evaluates a claim on the current ledger, keeps the result when
// it changed, and puts its deadlines in the casework deadline engine (none
// for a closed claim). It returns the claim.
func (s *Service) Recompute(ctx context.Context, id string) (Claim, error) {
	c, err := s.Store.Claim(ctx, id)
	if err != nil {
		return Claim{}, err
	}
	if c, err = s.complete(c); err != nil {
		return Claim{}, err
	}
	v, err := s.verdict(ctx, c)
	if err != nil {
		return Claim{}, err
	}
	result, err := json.Marshal(v.Result)
	if err != nil {
		return Claim{}, fmt.Errorf("claims: result of claim %s: %w", id, err)
	}
	e := Estimate{LedgerVersion: v.LedgerVersion, ComputedAt: s.now(), Eligible: v.Eligible, Incomplete: v.Incomplete,
		Base: v.Result.Base, Min: v.Result.Min, Max: v.Result.Max, Result: string(result)}
	if _, err := s.Store.AddEstimate(ctx, id, e); err != nil {
		return Claim{}, err
	}
	deadlines := v.Deadlines
	if c.Status.Closed() {
		deadlines = nil
	}
	if err := s.Store.SetClaimDeadlines(ctx, id, deadlines); err != nil {
		return Claim{}, err
	}
	return c, nil
}

// Estimate returns a claim's current verdict and its estimates so far,
// and audits the view.
func (s *Service) Estimate(ctx context.Context, p casework.Principal, id string) (Verdict, []Estimate, error) {
	c, err := s.claim(ctx, p, id)
	if err != nil {
		return Verdict{}, nil, err
	}
	v, err := s.verdict(ctx, c)
	if err != nil {
		return Verdict{}, nil, err
	}
	history, err := s.Store.Estimates(ctx, id)
	if err != nil {
		return Verdict{}, nil, err
	}
	if err := s.audit(ctx, p, AuditClaimEstimate, claimTarget(c.ID)); err != nil {
		return Verdict{}, nil, err
	}
	return v, history, nil
}

// Point is the state of a claim on one day of its ledger.
type Point struct {
	Day       string       `json:"day"`
	Collected awards.Cents `json:"collected"` // all kinds, net of reversals
	Min       awards.Cents `json:"min"`
	Max       awards.Cents `json:"max"`
}

// Timeline evaluates a claim as of each day the ledger changed: the money
// collected to date and the award range it supports.
func Timeline(c Claim, actions []Action, today string) ([]Point, error) {
	var days []string
	for _, a := range actions {
		for _, col := range a.Collections {
			days = append(days, col.ReceivedDay)
		}
	}
	slices.Sort(days)
	var out []Point
	for _, d := range slices.Compact(days) {
		v, err := Evaluate(c, actions, d, today)
		if err != nil {
			return nil, err
		}
		var collected awards.Cents
		for _, a := range actions {
			collected += a.Collected(d)
		}
		out = append(out, Point{Day: d, Collected: collected, Min: v.Result.Min, Max: v.Result.Max})
	}
	return out, nil
}

// programDisqualifiers lists the disqualifiers the award engine screens
// for under a program.
func programDisqualifiers(program string) []awards.Disqualifier {
	p, err := awards.ProgramByID(program)
	if err != nil {
		return nil
	}
	return p.Disqualifiers
}
