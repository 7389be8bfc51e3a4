package awards

import (
	"math"
	"testing"
	"time"

	"github.com/tipline/tipline"
)

func usdc(t testing.TB, s string) Cents {
	t.Helper()
	c, err := ParseUSD(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// covered is a program's covered action with the sanctions given.
func covered(program string, s ...Sanction) Action {
	return Action{ID: "covered", Role: Covered, Authority: ProgramAuthority(program), Sanctions: s}
}

// published is a real award or settlement: the engine's range for its
// figures must hold the award actually paid.
type published struct {
	name   string
	source string // where the figures were published
	in     Input
	award  string // the award paid, all claimants together ("" when only a percentage is public)
	bp     int    // the published percentage, when public
	// exact, when set, is what the engine must compute for Max.
	exact string
}

// TestPublishedAwards checks the engine against awards and settlements that
// were published with their figures. Where a program has paid no award yet
// (FinCEN, the DOJ pilot, the BIS bills) TestWorkedExamples covers it from
// the text of the statute, guidance or bill.
func TestPublishedAwards(t *testing.T) {
	for _, tc := range []published{
		{
			name:   "SEC first award, additional payment",
			source: "SEC press release 2013-76 (June 2013) and Compliance Week: 30% of the additional $500,000 collected, $150,000; sanctions ordered over $1 million (SEC press release 2012-162)",
			in:     Input{Program: "sec", Actions: []Action{covered("sec", Sanction{Kind: Penalty, Ordered: usdc(t, "1,000,000.01"), Collected: usdc(t, "500,000")})}},
			award:  "150,000", exact: "150,000",
		},
		{
			name:   "SEC Merrill Lynch customer protection rule, 2018 awards",
			source: "SEC press release 2018-44 and Labaton Sucharow (Mar. 19, 2018): $50 million to two joint claimants and $33 million to a third, on the $415 million Merrill Lynch settlement (SEC press release 2016-128)",
			in: Input{Program: "sec", Claimants: []Claimant{{ID: "A", Joint: true}, {ID: "B", Joint: true}, {ID: "C"}},
				Actions: []Action{covered("sec", Sanction{Kind: Penalty, Ordered: usdc(t, "415,000,000"), Collected: usdc(t, "415,000,000")})}},
			award: "83,000,000",
		},
		{
			name:   "IRS Birkenfeld (UBS), 2012",
			source: "Tax Notes / Kohn, Kohn & Colapinto (Sept. 11, 2012): $104 million award computed on the $400 million UBS paid the IRS (tax restitution, interest, penalties) under its $780 million DPA; the other $380 million was disgorgement to the SEC",
			in: Input{Program: "irs", IRS: IRSFacts{AmountInDispute: usdc(t, "400,000,000")}, Actions: []Action{covered("irs",
				Sanction{Kind: Restitution, Ordered: usdc(t, "400,000,000"), Collected: usdc(t, "400,000,000")},
				Sanction{Kind: Disgorgement, Ordered: usdc(t, "380,000,000"), Collected: usdc(t, "380,000,000")})}},
			award: "104,000,000", bp: 2600,
		},
		{
			name:   "IRS first 7623(b) award, 2011",
			source: "Accounting Today / Tax Notes (Apr. 8, 2011): $4.5 million, 22% of the tax a Fortune 500 financial firm paid on more than $20 million underreported",
			in: Input{Program: "irs", IRS: IRSFacts{AmountInDispute: usdc(t, "20,000,000")}, Actions: []Action{covered("irs",
				Sanction{Kind: Tax, Ordered: usdc(t, "20,454,545.45"), Collected: usdc(t, "20,454,545.45")})}},
			award: "4,500,000", bp: 2200,
		},
		{
			name:   "IRS Fortune 500 award, 2022",
			source: "Whistleblower Network News (Aug. 22, 2022): $11.9 million award where the IRS recovered $55 million in taxes, penalties and interest",
			in: Input{Program: "irs", IRS: IRSFacts{AmountInDispute: usdc(t, "55,000,000")}, Actions: []Action{covered("irs",
				Sanction{Kind: Tax, Ordered: usdc(t, "55,000,000"), Collected: usdc(t, "55,000,000")})}},
			award: "11,900,000",
		},
		{
			name:   "FCA Pfizer, 2009 (intervened)",
			source: "DOJ press release 09-900 (Sept. 2, 2009): federal share of the civil settlement $668,514,830, state Medicaid share $331,485,170, criminal fine $1.195 billion and forfeiture $105 million; relators' shares from the settlement agreement total $102,365,512",
			in: Input{Program: "fca", FCA: FCAFacts{Intervention: Intervened},
				Claimants: []Claimant{{ID: "R1"}, {ID: "R2"}, {ID: "R3"}, {ID: "R4"}, {ID: "R5"}, {ID: "R6"}}, Actions: []Action{covered("fca",
					Sanction{Kind: Damages, Ordered: 66851483000, Collected: 66851483000},
					Sanction{Kind: Other, Ordered: 33148517000, Collected: 33148517000},
					Sanction{Kind: Fine, Ordered: usdc(t, "1,195,000,000"), Collected: usdc(t, "1,195,000,000")},
					Sanction{Kind: Forfeiture, Ordered: usdc(t, "105,000,000"), Collected: usdc(t, "105,000,000")})}},
			award: "102,365,512",
		},
		{
			name:   "FCA Biogen, 2022 (declined)",
			source: "Greene LLP / PR Newswire (Sept. 27, 2022) and DOJ D. Mass. (Sept. 26, 2022): $900 million settlement without intervention; the United States paid the relator a 29.63% share, $250 million federal",
			in: Input{Program: "fca", FCA: FCAFacts{Intervention: Declined}, Actions: []Action{covered("fca",
				Sanction{Kind: Damages, Ordered: usdc(t, "843,739,453.26"), Collected: usdc(t, "843,739,453.26")})}},
			award: "250,000,000", bp: 2963,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Estimate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Eligible {
				t.Fatalf("not eligible: %v", r.Reasons)
			}
			award := usdc(t, tc.award)
			if award < r.Min || award > r.Max {
				t.Errorf("published award %s outside the range %s to %s (%s)", award.USD(), r.Min.USD(), r.Max.USD(), tc.source)
			}
			if tc.bp != 0 && (tc.bp < r.MinBP || tc.bp > r.MaxBP) {
				t.Errorf("published %s outside the band %s to %s", Percent(tc.bp), Percent(r.MinBP), Percent(r.MaxBP))
			}
			if tc.exact != "" && r.Max != usdc(t, tc.exact) {
				t.Errorf("max = %s, want %s", r.Max.USD(), tc.exact)
			}
			for _, c := range r.Claimants {
				if c.Max > r.Max || c.Min > c.Max {
					t.Errorf("claimant %s: %s to %s, outside the whole %s", c.Claimant, c.Min.USD(), c.Max.USD(), r.Max.USD())
				}
			}
		})
	}
}

// TestEstimateRefuses: input that cannot be estimated is refused with the
// right code.
func TestEstimateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
		code tipline.Code
	}{
		{"UnknownProgram", Input{Program: "ofac"}, tipline.NotFound},
		{"NegativeMoney", Input{Program: "sec", Actions: []Action{covered("sec", Sanction{Kind: Penalty, Ordered: -1})}}, tipline.Invalid},
		{"UnknownKind", Input{Program: "sec", Actions: []Action{covered("sec", Sanction{Kind: "bribe", Ordered: 1})}}, tipline.Invalid},
		{"SharesNotFull", Input{Program: "sec", Claimants: []Claimant{{ID: "A", Joint: true, ShareBP: 5000}, {ID: "B", Joint: true, ShareBP: 4000}}}, tipline.Invalid},
		{"SharesMissing", Input{Program: "sec", Claimants: []Claimant{{ID: "A", Joint: true, ShareBP: 10000}, {ID: "B", Joint: true}}}, tipline.Invalid},
		{"ShareOfASeparateClaimant", Input{Program: "sec", Claimants: []Claimant{{ID: "A", ShareBP: 10000}}}, tipline.Invalid},
		{"SameClaimantTwice", Input{Program: "sec", Claimants: []Claimant{{ID: "A"}, {ID: "A"}}}, tipline.Invalid},
		{"SameActionTwice", Input{Program: "sec", Actions: []Action{covered("sec"), covered("sec")}}, tipline.Invalid},
		{"UnknownDisqualifier", Input{Program: "sec", Disqualifiers: []string{"meaningful_participation"}}, tipline.Invalid},
		{"Overflow", Input{Program: "sec", Actions: []Action{covered("sec", Sanction{Kind: Penalty, Ordered: math.MaxInt64}, Sanction{Kind: Penalty, Ordered: 1})}}, tipline.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Estimate(tc.in); tipline.ErrorCode(err) != tc.code {
				t.Errorf("Estimate = %v, want %s", err, tc.code)
			}
		})
	}
}

// TestDisqualifiers: a bar leaves nothing; a reduction drops the minimum
// and the presumption; a claimant's own disqualification bars only them.
func TestDisqualifiers(t *testing.T) {
	penalty := covered("sec", Sanction{Kind: Penalty, Ordered: 300000000, Collected: 300000000})
	for _, tc := range []struct {
		name                     string
		in                       Input
		eligible                 bool
		min, max                 Cents
		presumption              bool
		claimantMin, claimantMax []Cents
	}{
		{"Convicted", Input{Program: "sec", Disqualifiers: []string{"convicted"}, Actions: []Action{penalty}}, false, 0, 0, false, []Cents{0}, []Cents{0}},
		{"Culpable conduct checked", Input{Program: "sec", Disqualifiers: []string{"culpable_conduct"}, Actions: []Action{penalty}}, true, 0, 90000000, false, []Cents{0}, []Cents{90000000}},
		{"One of two claimants barred", Input{Program: "sec", Actions: []Action{penalty}, Claimants: []Claimant{{ID: "A", Disqualified: "convicted"}, {ID: "B"}}},
			true, 30000000, 90000000, true, []Cents{0, 0}, []Cents{0, 90000000}},
		{"A reason in words bars", Input{Program: "fca", FCA: FCAFacts{Intervention: Declined}, Actions: []Action{covered("fca", Sanction{Kind: Damages, Ordered: 100, Collected: 100})},
			Claimants: []Claimant{{ID: "R", Disqualified: "relator is a government employee who learned it on duty"}}}, false, 0, 0, false, []Cents{0}, []Cents{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Estimate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Eligible != tc.eligible || r.Min != tc.min || r.Max != tc.max || (r.Presumption != "") != tc.presumption {
				t.Errorf("eligible %v, %s to %s, presumption %q\n%v", r.Eligible, r.Min.USD(), r.Max.USD(), r.Presumption, r.Reasons)
			}
			for i, c := range r.Claimants {
				if c.Min != tc.claimantMin[i] || c.Max != tc.claimantMax[i] {
					t.Errorf("claimant %s: %s to %s, want %s to %s", c.Claimant, c.Min.USD(), c.Max.USD(), tc.claimantMin[i].USD(), tc.claimantMax[i].USD())
				}
			}
		})
	}
}

// TestDeadlineAcrossALeapDay: periods count calendar days.
func TestDeadlineAcrossALeapDay(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	c := covered("cftc")
	c.NoticeOfCoveredAction = day("2028-02-01")
	r, err := Estimate(Input{Program: "cftc", Actions: []Action{c, {ID: "doj", Role: Related, Authority: "doj", FinalOrder: day("2028-01-01")}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Deadlines) != 2 || r.Deadlines[0].Due.Format(time.DateOnly) != "2028-03-31" || r.Deadlines[1].Due.Format(time.DateOnly) != "2028-05-01" {
		t.Errorf("deadlines = %+v", r.Deadlines)
	}
}

// TestUnverifiedPrintsAsUnverified: every program file that carries an
// unverified citation says so, and an estimate using one warns.
func TestUnverifiedPrintsAsUnverified(t *testing.T) {
	for _, p := range Programs() {
		if len(p.Unverified()) > 0 && p.VerifiedNote == "" {
			t.Errorf("%s carries unverified citations without a verified_note", p.ID)
		}
	}
	r, err := Estimate(Input{Program: "doj-pilot", Actions: []Action{covered("doj-pilot", Sanction{Kind: Forfeiture, Ordered: 200000000, Collected: 200000000})}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range r.Warnings {
		found = found || (w.Kind == WarnUnverified && len(w.Text) > 0)
	}
	for _, s := range r.Sources {
		if s.Ref == "Pilot Program guidance §IV (award determination)" && s.Status != Unverified {
			t.Errorf("the DOJ brackets are %s", s.Status)
		}
	}
	if !found {
		t.Errorf("no unverified warning: %+v", r.Warnings)
	}
}
