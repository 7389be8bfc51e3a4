package awards

import (
	"math"
	"strings"
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

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

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
			in: Input{Program: "sec", Sanctions: []Sanction{
				{Action: "covered", Kind: Penalty, Ordered: usdc(t, "1,000,000.01"), Collected: usdc(t, "500,000")},
			}},
			award: "150,000", exact: "150,000",
		},
		{
			name:   "SEC Merrill Lynch customer protection rule, 2018 awards",
			source: "SEC press release 2018-44 and Labaton Sucharow (Mar. 19, 2018): $50 million to two joint claimants and $33 million to a third, on the $415 million Merrill Lynch settlement (SEC press release 2016-128)",
			in: Input{Program: "sec", Claimants: 3, Sanctions: []Sanction{
				{Action: "In re Merrill Lynch, Pierce, Fenner & Smith", Kind: Penalty, Ordered: usdc(t, "415,000,000"), Collected: usdc(t, "415,000,000")},
			}},
			award: "83,000,000",
		},
		{
			name:   "IRS Birkenfeld (UBS), 2012",
			source: "Tax Notes / Kohn, Kohn & Colapinto (Sept. 11, 2012): $104 million award computed on the $400 million UBS paid the IRS (tax restitution, interest, penalties) under its $780 million DPA; the other $380 million was disgorgement to the SEC",
			in: Input{Program: "irs", AmountInDispute: usdc(t, "400,000,000"), Sanctions: []Sanction{
				{Action: "U.S. v. UBS AG (DPA)", Kind: Restitution, Ordered: usdc(t, "400,000,000"), Collected: usdc(t, "400,000,000")},
				{Action: "SEC v. UBS AG", Kind: Disgorgement, Ordered: usdc(t, "380,000,000"), Collected: usdc(t, "380,000,000")},
			}},
			award: "104,000,000", bp: 2600,
		},
		{
			name:   "IRS first 7623(b) award, 2011",
			source: "Accounting Today / Tax Notes (Apr. 8, 2011): $4.5 million, 22% of the tax a Fortune 500 financial firm paid on more than $20 million underreported",
			in: Input{Program: "irs", AmountInDispute: usdc(t, "20,000,000"), Sanctions: []Sanction{
				{Kind: Tax, Ordered: usdc(t, "20,454,545.45"), Collected: usdc(t, "20,454,545.45")},
			}},
			award: "4,500,000", bp: 2200,
		},
		{
			name:   "IRS Fortune 500 award, 2022",
			source: "Whistleblower Network News (Aug. 22, 2022): $11.9 million award where the IRS recovered $55 million in taxes, penalties and interest",
			in: Input{Program: "irs", AmountInDispute: usdc(t, "55,000,000"), Sanctions: []Sanction{
				{Kind: Tax, Ordered: usdc(t, "55,000,000"), Collected: usdc(t, "55,000,000")},
			}},
			award: "11,900,000",
		},
		{
			name:   "FCA Pfizer, 2009 (intervened)",
			source: "DOJ press release 09-900 (Sept. 2, 2009): federal share of the civil settlement $668,514,830, state Medicaid share $331,485,170, criminal fine $1.195 billion and forfeiture $105 million; relators' shares from the settlement agreement total $102,365,512",
			in: Input{Program: "fca", Intervened: yes(), Claimants: 6, Shares: []int{5031, 2834, 911, 726, 268, 230}, Sanctions: []Sanction{
				{Action: "civil settlement (federal share)", Kind: Damages, Ordered: 66851483000, Collected: 66851483000},
				{Action: "civil settlement (state Medicaid share)", Kind: Other, Ordered: 33148517000, Collected: 33148517000},
				{Action: "U.S. v. Pharmacia & Upjohn", Kind: Fine, Ordered: usdc(t, "1,195,000,000"), Collected: usdc(t, "1,195,000,000")},
				{Action: "U.S. v. Pharmacia & Upjohn", Kind: Forfeiture, Ordered: usdc(t, "105,000,000"), Collected: usdc(t, "105,000,000")},
			}},
			award: "102,365,512",
		},
		{
			name:   "FCA Biogen, 2022 (declined)",
			source: "Greene LLP / PR Newswire (Sept. 27, 2022) and DOJ D. Mass. (Sept. 26, 2022): $900 million settlement without intervention; the United States paid the relator a 29.63% share, $250 million federal",
			in: Input{Program: "fca", Intervened: no(), Sanctions: []Sanction{
				{Action: "U.S. ex rel. Bawduniak v. Biogen", Kind: Damages, Ordered: usdc(t, "843,739,453.26"), Collected: usdc(t, "843,739,453.26")},
			}},
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
			var parts Cents
			for _, c := range r.Claimants {
				parts += c.Max
			}
			if parts > r.Max {
				t.Errorf("claimants' maxima add up to %s, more than %s", parts.USD(), r.Max.USD())
			}
		})
	}
}

// TestPublishedExclusions checks the money the published cases left out.
func TestPublishedExclusions(t *testing.T) {
	r, err := Estimate(Input{Program: "fca", Intervened: yes(), Sanctions: []Sanction{
		{Kind: Damages, Ordered: 66851483000, Collected: 66851483000},
		{Kind: Fine, Ordered: 119500000000, Collected: 119500000000},
		{Kind: Forfeiture, Ordered: 10500000000, Collected: 10500000000},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Base != 66851483000 {
		t.Errorf("Pfizer base = %s, want the federal civil share only", r.Base.USD())
	}
	if len(r.Excluded) != 2 || r.Excluded[0].Kind != Fine || r.Excluded[1].Kind != Forfeiture || !strings.Contains(r.Excluded[0].Reason, "criminal") {
		t.Errorf("excluded = %+v", r.Excluded)
	}
	// Birkenfeld: the SEC disgorgement does not count for the IRS.
	r, err = Estimate(Input{Program: "irs", AmountInDispute: 40000000000, Sanctions: []Sanction{
		{Kind: Restitution, Ordered: 40000000000, Collected: 40000000000},
		{Kind: Disgorgement, Ordered: 38000000000, Collected: 38000000000},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Base != 40000000000 || len(r.Excluded) != 1 || r.Excluded[0].Amount != 38000000000 {
		t.Errorf("base %s, excluded %+v", r.Base.USD(), r.Excluded)
	}
}

// example is one worked example from the text of a statute, rule, guidance
// or bill, or a boundary case.
type example struct {
	name string
	in   Input
	// want
	eligible     bool
	thresholdMet bool
	min, max     string
	perMin       string // "" to skip
	perMax       string
	projMax      string // "" to skip
	excluded     []Kind
	presumption  bool
	reason       string // a substring of one reason
}

func TestWorkedExamples(t *testing.T) {
	m := func(s string) Cents { return usdc(t, s) }
	sanction := func(k Kind, ordered, collected string) Sanction {
		return Sanction{Kind: k, Ordered: m(ordered), Collected: m(collected)}
	}
	related := func(s Sanction) Sanction { s.Related = true; return s }
	for _, tc := range []example{
		// SEC: 15 U.S.C. 78u-6(a)(1) "exceeding $1,000,000".
		{name: "SEC exactly at the threshold", in: Input{Program: "sec", Sanctions: []Sanction{sanction(Penalty, "1,000,000", "1,000,000")}},
			eligible: false, min: "0", max: "0", reason: "do not exceed"},
		{name: "SEC one cent over the threshold", in: Input{Program: "sec", Sanctions: []Sanction{sanction(Penalty, "1,000,000.01", "1,000,000.01")}},
			eligible: true, thresholdMet: true, min: "100,000", max: "300,000", presumption: true},
		{name: "SEC aggregation of two proceedings from the same facts", in: Input{Program: "sec", Sanctions: []Sanction{sanction(Penalty, "600,000", "0"), sanction(Disgorgement, "500,000", "0")}},
			eligible: true, thresholdMet: true, min: "0", max: "0", projMax: "330,000", reason: "Nothing that counts has been collected"},
		{name: "SEC related action counts for the base, not the threshold", in: Input{Program: "sec", Sanctions: []Sanction{sanction(Penalty, "900,000", "900,000"), related(sanction(Fine, "5,000,000", "5,000,000"))}},
			eligible: false, min: "0", max: "0"},
		{name: "SEC covered plus related action", in: Input{Program: "sec", Sanctions: []Sanction{sanction(Penalty, "2,000,000", "2,000,000"), related(sanction(Fine, "8,000,000", "4,000,000"))}},
			eligible: true, thresholdMet: true, min: "600,000", max: "1,800,000", projMax: "3,000,000", presumption: true},
		{name: "SEC presumption at exactly $5 million maximum", in: Input{Program: "sec", Sanctions: []Sanction{sanction(Penalty, "16,666,666.67", "16,666,666.67")}},
			eligible: true, thresholdMet: true, min: "1,666,666.66", max: "5,000,000", presumption: true},
		{name: "SEC no presumption one cent above $5 million", in: Input{Program: "sec", Sanctions: []Sanction{sanction(Penalty, "16,666,666.70", "16,666,666.70")}},
			eligible: true, thresholdMet: true, min: "1,666,666.67", max: "5,000,000.01", presumption: false},
		{name: "SEC convicted claimant", in: Input{Program: "sec", Disqualifiers: []string{"convicted"}, Sanctions: []Sanction{sanction(Penalty, "3,000,000", "3,000,000")}},
			eligible: false, thresholdMet: true, min: "0", max: "0", projMax: "0", reason: "Not eligible"},
		{name: "SEC culpable claimant: minimum drops, no presumption", in: Input{Program: "sec", Disqualifiers: []string{"culpable_conduct"}, Sanctions: []Sanction{sanction(Penalty, "3,000,000", "3,000,000")}},
			eligible: true, thresholdMet: true, min: "0", max: "900,000", presumption: false},
		{name: "SEC joint claimants share equally", in: Input{Program: "sec", Claimants: 3, Sanctions: []Sanction{sanction(Penalty, "10,000,000", "10,000,000")}},
			eligible: true, thresholdMet: true, min: "1,000,000", max: "3,000,000", perMin: "333,333.33", perMax: "1,000,000", presumption: true},
		{name: "SEC victim compensation does not count", in: Input{Program: "sec", Sanctions: []Sanction{sanction(Penalty, "2,000,000", "2,000,000"), sanction(Compensatory, "9,000,000", "9,000,000")}},
			eligible: true, thresholdMet: true, min: "200,000", max: "600,000", excluded: []Kind{Compensatory}, presumption: true},
		// CFTC: 7 U.S.C. 26(a)(3) counts restitution, unlike the SEC.
		{name: "CFTC restitution counts", in: Input{Program: "cftc", Sanctions: []Sanction{sanction(Restitution, "2,000,000", "2,000,000")}},
			eligible: true, thresholdMet: true, min: "200,000", max: "600,000"},
		{name: "CFTC foreign regulator related action", in: Input{Program: "cftc", Sanctions: []Sanction{sanction(Penalty, "1,500,000", "1,500,000"), related(sanction(Penalty, "10,000,000", "10,000,000"))}},
			eligible: true, thresholdMet: true, min: "1,150,000", max: "3,450,000"},
		{name: "CFTC no presumption of the maximum", in: Input{Program: "cftc", Sanctions: []Sanction{sanction(Penalty, "2,000,000", "2,000,000")}},
			eligible: true, thresholdMet: true, min: "200,000", max: "600,000", presumption: false},
		{name: "CFTC exactly at the threshold", in: Input{Program: "cftc", Sanctions: []Sanction{sanction(Penalty, "1,000,000", "1,000,000")}},
			eligible: false, min: "0", max: "0"},
		// FinCEN: 31 U.S.C. 5323(a)(2)(B) excludes forfeiture, restitution, victim compensation.
		{name: "FinCEN forfeiture and restitution do not count, even for the threshold", in: Input{Program: "fincen", Sanctions: []Sanction{sanction(Penalty, "900,000", "900,000"), sanction(Forfeiture, "50,000,000", "50,000,000"), sanction(Restitution, "3,000,000", "3,000,000"), sanction(Compensatory, "1,000,000", "1,000,000")}},
			eligible: false, min: "0", max: "0", excluded: []Kind{Forfeiture, Restitution, Compensatory}},
		{name: "FinCEN sanctions case over the threshold", in: Input{Program: "fincen", Sanctions: []Sanction{sanction(Penalty, "10,000,000", "4,000,000"), sanction(Fine, "5,000,000", "5,000,000")}},
			eligible: true, thresholdMet: true, min: "900,000", max: "2,700,000", projMax: "4,500,000"},
		// IRS: 26 U.S.C. 7623(b)(5) thresholds, (b)(2) public information, (a) discretionary.
		{name: "IRS amount in dispute exactly $2 million: 7623(a)", in: Input{Program: "irs", AmountInDispute: m("2,000,000"), Sanctions: []Sanction{sanction(Tax, "2,000,000", "2,000,000")}},
			eligible: true, thresholdMet: false, min: "0", max: "300,000"},
		{name: "IRS one cent over $2 million: 7623(b)", in: Input{Program: "irs", AmountInDispute: m("2,000,000.01"), Sanctions: []Sanction{sanction(Tax, "2,000,000", "2,000,000")}},
			eligible: true, thresholdMet: true, min: "300,000", max: "600,000"},
		{name: "IRS individual with gross income of exactly $200,000", in: Input{Program: "irs", AmountInDispute: m("5,000,000"), TaxpayerIndividual: true, IndividualIncome: m("200,000"), Sanctions: []Sanction{sanction(Tax, "5,000,000", "1,000,000")}},
			eligible: true, thresholdMet: false, min: "0", max: "150,000"},
		{name: "IRS individual over both thresholds", in: Input{Program: "irs", AmountInDispute: m("5,000,000"), TaxpayerIndividual: true, IndividualIncome: m("200,000.01"), Sanctions: []Sanction{sanction(Tax, "5,000,000", "1,000,000")}},
			eligible: true, thresholdMet: true, min: "150,000", max: "300,000", projMax: "1,500,000"},
		{name: "IRS public sources cap the award at 10%", in: Input{Program: "irs", AmountInDispute: m("5,000,000"), PublicDisclosure: true, Sanctions: []Sanction{sanction(Tax, "5,000,000", "5,000,000")}},
			eligible: true, thresholdMet: true, min: "0", max: "500,000"},
		{name: "IRS criminal fine and civil forfeiture count (7623(c))", in: Input{Program: "irs", AmountInDispute: m("3,000,000"), Sanctions: []Sanction{sanction(Fine, "1,000,000", "1,000,000"), sanction(Forfeiture, "1,000,000", "1,000,000")}},
			eligible: true, thresholdMet: true, min: "300,000", max: "600,000"},
		{name: "IRS convicted planner", in: Input{Program: "irs", AmountInDispute: m("3,000,000"), Disqualifiers: []string{"convicted_planner"}, Sanctions: []Sanction{sanction(Tax, "3,000,000", "3,000,000")}},
			eligible: false, thresholdMet: true, min: "0", max: "0"},
		// DOJ pilot brackets: 30% of the first $100M, 5% from $100M to $500M, nothing above.
		{name: "DOJ pilot exactly $1 million net forfeiture", in: Input{Program: "doj-pilot", Sanctions: []Sanction{sanction(Forfeiture, "1,000,000", "1,000,000")}},
			eligible: false, min: "0", max: "0"},
		{name: "DOJ pilot $1 million and one cent", in: Input{Program: "doj-pilot", Sanctions: []Sanction{sanction(Forfeiture, "1,000,000.01", "1,000,000.01")}},
			eligible: true, thresholdMet: true, min: "0", max: "300,000"},
		{name: "DOJ pilot bracket edge at $100 million", in: Input{Program: "doj-pilot", Sanctions: []Sanction{sanction(Forfeiture, "100,000,000", "100,000,000")}},
			eligible: true, thresholdMet: true, min: "0", max: "30,000,000"},
		{name: "DOJ pilot $300 million", in: Input{Program: "doj-pilot", Sanctions: []Sanction{sanction(Forfeiture, "300,000,000", "300,000,000")}},
			eligible: true, thresholdMet: true, min: "0", max: "40,000,000"},
		{name: "DOJ pilot bracket edge at $500 million", in: Input{Program: "doj-pilot", Sanctions: []Sanction{sanction(Forfeiture, "500,000,000", "500,000,000")}},
			eligible: true, thresholdMet: true, min: "0", max: "50,000,000"},
		{name: "DOJ pilot nothing above $500 million", in: Input{Program: "doj-pilot", Sanctions: []Sanction{sanction(Forfeiture, "2,000,000,000", "2,000,000,000")}},
			eligible: true, thresholdMet: true, min: "0", max: "50,000,000"},
		{name: "DOJ pilot fines do not count", in: Input{Program: "doj-pilot", Sanctions: []Sanction{sanction(Fine, "500,000,000", "500,000,000"), sanction(Forfeiture, "900,000", "900,000")}},
			eligible: false, min: "0", max: "0", excluded: []Kind{Fine}},
		{name: "DOJ pilot threshold on net forfeiture collected", in: Input{Program: "doj-pilot", Sanctions: []Sanction{sanction(Forfeiture, "10,000,000", "0")}},
			eligible: false, min: "0", max: "0", projMax: "3,000,000"},
		{name: "DOJ pilot claimant eligible under another program", in: Input{Program: "doj-pilot", Disqualifiers: []string{"other_program_eligible"}, Sanctions: []Sanction{sanction(Forfeiture, "10,000,000", "10,000,000")}},
			eligible: false, thresholdMet: true, min: "0", max: "0"},
		// FCA bands, 31 U.S.C. 3730(d).
		{name: "FCA intervened", in: Input{Program: "fca", Intervened: yes(), Sanctions: []Sanction{sanction(Damages, "10,000,000", "10,000,000")}},
			eligible: true, thresholdMet: true, min: "1,500,000", max: "2,500,000"},
		{name: "FCA intervened, public disclosure", in: Input{Program: "fca", Intervened: yes(), PublicDisclosure: true, Sanctions: []Sanction{sanction(Damages, "10,000,000", "10,000,000")}},
			eligible: true, thresholdMet: true, min: "0", max: "1,000,000"},
		{name: "FCA declined", in: Input{Program: "fca", Intervened: no(), Sanctions: []Sanction{sanction(Damages, "10,000,000", "10,000,000")}},
			eligible: true, thresholdMet: true, min: "2,500,000", max: "3,000,000"},
		{name: "FCA intervention undecided", in: Input{Program: "fca", Sanctions: []Sanction{sanction(Damages, "10,000,000", "10,000,000")}},
			eligible: true, thresholdMet: true, min: "1,500,000", max: "3,000,000"},
		{name: "FCA relator who planned the fraud", in: Input{Program: "fca", Intervened: yes(), Disqualifiers: []string{"planned_initiated"}, Sanctions: []Sanction{sanction(Damages, "10,000,000", "10,000,000")}},
			eligible: true, thresholdMet: true, min: "0", max: "2,500,000"},
		{name: "FCA zero collected", in: Input{Program: "fca", Intervened: yes(), Sanctions: []Sanction{sanction(Damages, "10,000,000", "0")}},
			eligible: true, thresholdMet: true, min: "0", max: "0", projMax: "2,500,000"},
		// BIS bills.
		{name: "S.1473 no floor, fines only", in: Input{Program: "bis-s1473", Sanctions: []Sanction{sanction(Fine, "500,000", "500,000"), sanction(Forfeiture, "2,000,000", "2,000,000")}},
			eligible: true, thresholdMet: true, min: "50,000", max: "150,000", excluded: []Kind{Forfeiture}},
		{name: "S.1473 related actions do not count", in: Input{Program: "bis-s1473", Sanctions: []Sanction{sanction(Penalty, "300,000", "300,000"), related(sanction(Fine, "1,000,000", "1,000,000"))}},
			eligible: true, thresholdMet: true, min: "30,000", max: "90,000", excluded: []Kind{Fine}},
		{name: "S.1473 joint report split equally", in: Input{Program: "bis-s1473", Claimants: 2, Shares: []int{9000, 1000}, Sanctions: []Sanction{sanction(Fine, "1,000,000", "1,000,000")}},
			eligible: true, thresholdMet: true, min: "100,000", max: "300,000", perMin: "50,000", perMax: "150,000", reason: "share equally"},
		{name: "S.1473 Entity List claimant", in: Input{Program: "bis-s1473", Disqualifiers: []string{"listed_person"}, Sanctions: []Sanction{sanction(Fine, "1,000,000", "1,000,000")}},
			eligible: false, thresholdMet: true, min: "0", max: "0"},
		{name: "H.R.6322 exactly $1 million fine", in: Input{Program: "bis-hr6322", Sanctions: []Sanction{sanction(Fine, "1,000,000", "1,000,000")}},
			eligible: false, min: "0", max: "0"},
		{name: "H.R.6322 related action fine counts toward the threshold", in: Input{Program: "bis-hr6322", Sanctions: []Sanction{sanction(Fine, "600,000", "600,000"), related(sanction(Fine, "400,000.01", "0"))}},
			eligible: true, thresholdMet: true, min: "60,000", max: "180,000", projMax: "300,000"},
		{name: "H.R.6322 forfeiture net proceeds count", in: Input{Program: "bis-hr6322", Sanctions: []Sanction{sanction(Fine, "1,000,000.01", "0"), sanction(Forfeiture, "4,000,000", "4,000,000")}},
			eligible: true, thresholdMet: true, min: "400,000", max: "1,200,000"},
		{name: "H.R.6322 split by the Secretary", in: Input{Program: "bis-hr6322", Claimants: 2, Shares: []int{7500, 2500}, Sanctions: []Sanction{sanction(Fine, "2,000,000", "2,000,000")}},
			eligible: true, thresholdMet: true, min: "200,000", max: "600,000", perMin: "50,000", perMax: "450,000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Estimate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Eligible != tc.eligible {
				t.Errorf("eligible = %v, want %v: %v", r.Eligible, tc.eligible, r.Reasons)
			}
			if tc.eligible && r.ThresholdMet != tc.thresholdMet {
				t.Errorf("threshold met = %v, want %v", r.ThresholdMet, tc.thresholdMet)
			}
			if r.Min != m(tc.min) || r.Max != m(tc.max) {
				t.Errorf("range = %s to %s, want %s to %s", r.Min, r.Max, m(tc.min), m(tc.max))
			}
			if tc.perMin != "" && (r.PerClaimantMin != m(tc.perMin) || r.PerClaimantMax != m(tc.perMax)) {
				t.Errorf("per claimant = %s to %s, want %s to %s", r.PerClaimantMin, r.PerClaimantMax, tc.perMin, tc.perMax)
			}
			if tc.projMax != "" && r.Projected.Max != m(tc.projMax) {
				t.Errorf("projected max = %s, want %s", r.Projected.Max, m(tc.projMax))
			}
			var excluded []Kind
			for _, e := range r.Excluded {
				excluded = append(excluded, e.Kind)
				if e.Reason == "" || e.Citation == "" {
					t.Errorf("exclusion without reason or citation: %+v", e)
				}
			}
			if strings.Join(kindStrings(excluded), ",") != strings.Join(kindStrings(tc.excluded), ",") {
				t.Errorf("excluded = %v, want %v", excluded, tc.excluded)
			}
			if (r.Presumption != "") != tc.presumption {
				t.Errorf("presumption = %q, want %v", r.Presumption, tc.presumption)
			}
			if tc.reason != "" && !strings.Contains(strings.Join(r.Reasons, "\n"), tc.reason) {
				t.Errorf("no reason mentions %q: %v", tc.reason, r.Reasons)
			}
			if len(r.Citations) == 0 || r.VerifiedOn == "" {
				t.Error("result without citations or verification date")
			}
		})
	}
}

func kindStrings(ks []Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestDeadlines(t *testing.T) {
	day := func(s string) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return d
	}
	for _, tc := range []struct {
		name string
		in   Input
		want map[string]string
	}{
		{"SEC notice only", Input{Program: "sec", NoticeOfCoveredAction: day("2026-01-15")}, map[string]string{"sec-wb-app": "2026-04-15"}},
		{"SEC related final order after the notice", Input{Program: "sec", NoticeOfCoveredAction: day("2026-01-15"), FinalOrder: day("2026-03-01")},
			map[string]string{"sec-wb-app": "2026-04-15", "sec-related-wb-app": "2026-05-30"}},
		{"SEC related final order before the notice", Input{Program: "sec", NoticeOfCoveredAction: day("2026-01-15"), FinalOrder: day("2025-12-01")},
			map[string]string{"sec-wb-app": "2026-04-15", "sec-related-wb-app": "2026-04-15"}},
		{"CFTC across a leap day", Input{Program: "cftc", NoticeOfCoveredAction: day("2028-02-01"), FinalOrder: day("2028-01-01")},
			map[string]string{"cftc-wb-app": "2028-05-01", "cftc-related-wb-app": "2028-03-31"}},
		{"No dates, no deadlines", Input{Program: "sec"}, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Estimate(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, d := range r.Deadlines {
				got[d.ID] = d.Due.Format(time.DateOnly)
				if d.Citation == "" {
					t.Errorf("%s without citation", d.ID)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("deadlines = %v, want %v", got, tc.want)
			}
			for id, due := range tc.want {
				if got[id] != due {
					t.Errorf("%s due %s, want %s", id, got[id], due)
				}
			}
		})
	}
}

func TestEstimateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
		code tipline.Code
	}{
		{"UnknownProgram", Input{Program: "ofac"}, tipline.NotFound},
		{"NegativeMoney", Input{Program: "sec", Sanctions: []Sanction{{Kind: Penalty, Ordered: -1}}}, tipline.Invalid},
		{"UnknownKind", Input{Program: "sec", Sanctions: []Sanction{{Kind: "bribe", Ordered: 1}}}, tipline.Invalid},
		{"SharesNotFull", Input{Program: "sec", Claimants: 2, Shares: []int{5000, 4000}}, tipline.Invalid},
		{"SharesWrongCount", Input{Program: "sec", Claimants: 3, Shares: []int{5000, 5000}}, tipline.Invalid},
		{"UnknownDisqualifier", Input{Program: "sec", Disqualifiers: []string{"meaningful_participation"}}, tipline.Invalid},
		{"TooManyClaimants", Input{Program: "sec", Claimants: 1001}, tipline.Invalid},
		{"Overflow", Input{Program: "sec", Sanctions: []Sanction{{Kind: Penalty, Ordered: math.MaxInt64}, {Kind: Penalty, Ordered: 1}}}, tipline.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Estimate(tc.in)
			if tipline.ErrorCode(err) != tc.code {
				t.Errorf("err = %v, want %s", err, tc.code)
			}
		})
	}
}

// FuzzEstimate checks the invariants for any amounts: min ≤ max, nothing
// negative, the claimants' parts never add up to more than the whole, the
// projection on ordered amounts is never below the range on collected ones
// when everything ordered was collected, and no overflow near the top of
// Cents.
func FuzzEstimate(f *testing.F) {
	f.Add(uint8(0), int64(150000000), int64(50000000), int64(0), uint8(1), uint16(0), false, uint8(0))
	f.Add(uint8(4), int64(math.MaxInt64/2), int64(math.MaxInt64/2), int64(math.MaxInt64/3), uint8(7), uint16(3333), true, uint8(1))
	f.Add(uint8(5), int64(100000000), int64(100000000), int64(1), uint8(2), uint16(10000), false, uint8(2))
	f.Fuzz(func(t *testing.T, prog uint8, ordered, collected, related int64, claimants uint8, share uint16, public bool, intervened uint8) {
		ps := Programs()
		p := ps[int(prog)%len(ps)]
		if ordered < 0 {
			ordered = -(ordered + 1)
		}
		if collected < 0 {
			collected = -(collected + 1)
		}
		if related < 0 {
			related = -(related + 1)
		}
		n := int(claimants)%8 + 1
		in := Input{Program: p.ID, Claimants: n, PublicDisclosure: public, AmountInDispute: Cents(ordered)}
		switch intervened % 3 {
		case 1:
			in.Intervened = yes()
		case 2:
			in.Intervened = no()
		}
		if n == 2 && share <= 10000 {
			in.Shares = []int{int(share), 10000 - int(share)}
		}
		for _, k := range Kinds {
			in.Sanctions = append(in.Sanctions, Sanction{Kind: k, Ordered: Cents(ordered / 32), Collected: Cents(collected / 32)})
		}
		in.Sanctions = append(in.Sanctions, Sanction{Kind: p.Counts[0].Kind, Related: true, Ordered: Cents(related / 4), Collected: Cents(related / 4)})
		r, err := Estimate(in)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if r.Min < 0 || r.Min > r.Max || r.Projected.Min > r.Projected.Max || r.Base < 0 {
			t.Fatalf("%s: range %d..%d, projected %d..%d, base %d", p.ID, r.Min, r.Max, r.Projected.Min, r.Projected.Max, r.Base)
		}
		if r.Max > r.Base {
			t.Fatalf("%s: max %d above the base %d", p.ID, r.Max, r.Base)
		}
		if len(r.Claimants) != n {
			t.Fatalf("%d claimants, want %d", len(r.Claimants), n)
		}
		var sumMin, sumMax Cents
		for _, c := range r.Claimants {
			if c.Min < 0 || c.Min > c.Max {
				t.Fatalf("claimant %+v", c)
			}
			sumMin += c.Min
			sumMax += c.Max
		}
		if sumMin > r.Min || sumMax > r.Max || r.PerClaimantMax > r.Max {
			t.Fatalf("%s: parts %d..%d exceed the whole %d..%d", p.ID, sumMin, sumMax, r.Min, r.Max)
		}
	})
}
