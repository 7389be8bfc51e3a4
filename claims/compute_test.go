package claims_test

import (
	"testing"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/claims"
)

// TestEvaluateRelatedActions: each related action is its own claim with
// its own final order (issue 13: the covered action's was used), the
// program of an authority that runs one pays it, and joint claimants with
// the same pseudonym still count.
func TestEvaluateRelatedActions(t *testing.T) {
	covered := claims.Action{ID: "a1", ActionFields: claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. X",
		NoticeDay: "2026-01-05", FinalOrderDay: "2025-11-01"},
		Sanctions: []claims.Sanction{{Kind: awards.Penalty, Ordered: 200000000}},
		Collections: []claims.Collection{{ID: 1, Kind: awards.Penalty, Amount: 200000000, ReceivedDay: "2026-01-02"},
			{ID: 2, Kind: "prejudgment_interest", Amount: 1000000, ReceivedDay: "2026-01-02"}}}
	doj := claims.Action{ID: "a2", ActionFields: claims.ActionFields{Relation: claims.Related, CoveredID: "a1", Agency: "DOJ", Title: "U.S. v. X", FinalOrderDay: "2026-02-01"},
		Sanctions: []claims.Sanction{{Kind: awards.Fine, Ordered: 100000000}}}
	cftc := claims.Action{ID: "a3", ActionFields: claims.ActionFields{Relation: claims.Related, CoveredID: "a1", Agency: "CFTC", Title: "CFTC v. X", FinalOrderDay: "2026-06-01"},
		Sanctions: []claims.Sanction{{Kind: awards.Penalty, Ordered: 100000000}}}
	c := claims.Claim{Program: "sec", Pseudonym: "Source A", Splits: []claims.Split{{Claimant: "Source", Joint: true, ShareBP: 5000}, {Claimant: "Source", Joint: true, ShareBP: 5000}}}
	v, err := claims.Evaluate(c, []claims.Action{covered, doj, cftc}, "", "2026-03-01")
	if err != nil {
		t.Fatal(err)
	}
	r := v.Result
	if len(r.Actions) != 3 || r.Actions[1].Deadline != "2026-04-05" || r.Actions[1].PayingProgram != "sec" {
		t.Errorf("DOJ related action = %+v", r.Actions[1])
	}
	if r.Actions[2].PayingProgram != "cftc" || !r.Actions[2].Discretionary || r.Actions[2].Deadline != "" {
		t.Errorf("CFTC related action = %+v", r.Actions[2])
	}
	if r.Base != 201000000 || len(r.Claimants) != 2 || r.Claimants[0].Max != r.Claimants[1].Max {
		t.Errorf("base %s, claimants %+v", r.Base.USD(), r.Claimants)
	}
}

// TestInputTerms: what counsel enter on a claim's page reaches the award
// engine: the role and authority of each action override what the action
// records, money credited is taken off, and each claimant's facts and
// the original-source fact go in as entered.
func TestInputTerms(t *testing.T) {
	covered := claims.Action{ID: "a1", ActionFields: claims.ActionFields{Relation: claims.Covered, Agency: "SEC", Title: "SEC v. X", NoticeDay: "2026-01-05"}}
	related := claims.Action{ID: "a2", ActionFields: claims.ActionFields{Relation: claims.Related, CoveredID: "a1", Agency: "Ministry of Justice", Title: "X"}}
	split := claims.Split{Claimant: "Source A", CulpableAmount: 150000000, Disqualified: "convicted", NegativeFactors: []string{"unreasonable_delay"}}
	tests := []struct {
		name      string
		terms     []claims.ActionTerms
		splits    []claims.Split
		role      [2]awards.Role
		authority [2]string
		credited  awards.Cents
		claimant  awards.Claimant
	}{
		{"defaults", nil, nil, [2]awards.Role{awards.Covered, awards.Related}, [2]string{"sec", "state"}, 0, awards.Claimant{ID: "Pseudonym"}},
		{"authority and credit", []claims.ActionTerms{{Action: "a1", Credited: 50000000}, {Action: "a2", Authority: "cftc"}}, nil,
			[2]awards.Role{awards.Covered, awards.Related}, [2]string{"sec", "cftc"}, 50000000, awards.Claimant{ID: "Pseudonym"}},
		{"related counted as covered", []claims.ActionTerms{{Action: "a2", Role: awards.Covered}}, []claims.Split{split},
			[2]awards.Role{awards.Covered, awards.Covered}, [2]string{"sec", "state"}, 0,
			awards.Claimant{ID: "Source A", CulpableAmount: 150000000, Disqualified: "convicted", NegativeFactors: []string{"unreasonable_delay"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := claims.Claim{Program: "sec", Pseudonym: "Pseudonym", Terms: tc.terms, Splits: tc.splits, OriginalSource: true, PublicDisclosure: true}
			in := claims.Input(c, []claims.Action{covered, related}, "", "2026-03-01")
			for i, a := range in.Actions {
				if a.Role != tc.role[i] || a.Authority != tc.authority[i] {
					t.Errorf("action %d: %s brought by %s, want %s by %s", i, a.Role, a.Authority, tc.role[i], tc.authority[i])
				}
			}
			if in.Actions[0].Credited != tc.credited {
				t.Errorf("credited %s, want %s", in.Actions[0].Credited.USD(), tc.credited.USD())
			}
			if len(in.Claimants) != 1 || in.Claimants[0].ID != tc.claimant.ID || in.Claimants[0].CulpableAmount != tc.claimant.CulpableAmount ||
				in.Claimants[0].Disqualified != tc.claimant.Disqualified || len(in.Claimants[0].NegativeFactors) != len(tc.claimant.NegativeFactors) {
				t.Errorf("claimants %+v, want %+v", in.Claimants, tc.claimant)
			}
			if !in.FCA.OriginalSource || !in.IRS.OriginalSource || !in.IRS.PublicDisclosure {
				t.Errorf("original source and public disclosure: FCA %+v, IRS %+v", in.FCA, in.IRS)
			}
		})
	}
}
