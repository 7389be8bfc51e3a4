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
	c := claims.Claim{Program: "sec", Pseudonym: "Source A", Splits: []claims.Split{{Claimant: "Source", ShareBP: 5000}, {Claimant: "Source", ShareBP: 5000}}}
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
