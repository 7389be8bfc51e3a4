package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipline/tipline/awards/awardstest"
)

// estimateJSON is what the tests read back from `tipline awards estimate`;
// amounts are JSON numbers in decimal dollars.
type estimateJSON struct {
	Program        string   `json:"program"`
	Eligible       bool     `json:"eligible"`
	Reasons        []string `json:"reasons"`
	Threshold      float64  `json:"threshold"`
	Base           float64  `json:"base"`
	Min            float64  `json:"min"`
	Max            float64  `json:"max"`
	PerClaimantMin float64  `json:"per_claimant_min"`
	PerClaimantMax float64  `json:"per_claimant_max"`
	Presumption    string   `json:"presumption"`
	Excluded       []struct {
		Kind   string  `json:"kind"`
		Amount float64 `json:"amount"`
		Reason string  `json:"reason"`
	} `json:"excluded"`
	VerifiedOn string   `json:"verified_on"`
	Citations  []string `json:"citations"`
}

func TestAwardsEstimate(t *testing.T) {
	for _, tc := range []struct {
		name                                  string
		args                                  []string
		eligible                              bool
		threshold, base, min, max, pmin, pmax float64
		excluded                              string
		presumption                           bool
	}{
		{"SEC joint claimants", []string{"--program", "sec", "--ordered", "2,000,000", "--collected", "1500000", "--claimants", "2"},
			true, 1000000, 1500000, 150000, 450000, 75000, 225000, "", true},
		{"SEC exactly at the threshold", []string{"--program", "sec", "--ordered", "1000000", "--collected", "1000000"},
			false, 1000000, 1000000, 0, 0, 0, 0, "", false},
		{"IRS 7623(b)", []string{"--program", "irs", "--amount-in-dispute", "3000000", "--individual-income", "250000.01", "--collected", "1000000"},
			true, 2000000, 1000000, 150000, 300000, 150000, 300000, "", false},
		{"IRS individual under the income test", []string{"--program", "irs", "--amount-in-dispute", "3000000", "--individual-income", "200000", "--collected", "1000000"},
			true, 2000000, 1000000, 0, 150000, 0, 150000, "", false},
		{"FCA declined", []string{"--program", "fca", "--collected", "10000000", "--intervened=false"},
			true, 0, 10000000, 2500000, 3000000, 2500000, 3000000, "", false},
		{"FCA intervened public disclosure", []string{"--program", "fca", "--collected", "10000000", "--intervened", "--public-disclosure"},
			true, 0, 10000000, 0, 1000000, 0, 1000000, "", false},
		{"DOJ pilot brackets", []string{"--program", "doj-pilot", "--forfeited", "300,000,000"},
			true, 1000000, 300000000, 0, 40000000, 0, 40000000, "", false},
		{"FinCEN forfeiture excluded", []string{"--program", "fincen", "--ordered", "5000000", "--collected", "5000000", "--forfeited", "9000000"},
			true, 1000000, 5000000, 500000, 1500000, 500000, 1500000, "forfeiture", false},
		{"H.R.6322 one cent over", []string{"--program", "bis-hr6322", "--ordered", "1000000.01", "--collected", "1000000.01"},
			true, 1000000, 1000000.01, 100000, 300000, 100000, 300000, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runTipline(t, map[string]string{}, append([]string{"awards", "estimate"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got estimateJSON
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("%v:\n%s", err, stdout)
			}
			if got.Eligible != tc.eligible || got.Threshold != tc.threshold || got.Base != tc.base || got.Min != tc.min || got.Max != tc.max ||
				got.PerClaimantMin != tc.pmin || got.PerClaimantMax != tc.pmax {
				t.Errorf("got eligible %v threshold %v base %v range %v..%v per claimant %v..%v\n%s", got.Eligible, got.Threshold, got.Base, got.Min, got.Max, got.PerClaimantMin, got.PerClaimantMax, stdout)
			}
			if len(got.Reasons) == 0 || got.VerifiedOn == "" || len(got.Citations) == 0 {
				t.Errorf("reasons, verification date and citations are required:\n%s", stdout)
			}
			if (got.Presumption != "") != tc.presumption {
				t.Errorf("presumption = %q, want %v", got.Presumption, tc.presumption)
			}
			if tc.excluded != "" && (len(got.Excluded) != 1 || got.Excluded[0].Kind != tc.excluded || got.Excluded[0].Reason == "") {
				t.Errorf("excluded = %+v, want %s", got.Excluded, tc.excluded)
			}
		})
	}
}

func TestAwardsEstimateUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"NoProgram", []string{"awards", "estimate", "--ordered", "5"}, 2, "want tipline awards estimate"},
		{"UnknownProgram", []string{"awards", "estimate", "--program", "ofac"}, 2, "No award program"},
		{"FractionOfACent", []string{"awards", "estimate", "--program", "sec", "--ordered", "1.005"}, 2, "Not an amount in dollars"},
		{"Negative", []string{"awards", "estimate", "--program", "sec", "--ordered", "-5"}, 2, "Not an amount"},
		{"BadClaimants", []string{"awards", "estimate", "--program", "sec", "--claimants", "0"}, 2, "--claimants must be at least 1"},
		{"NoSubcommand", []string{"awards"}, 2, "tipline awards estimate"},
		{"Help", []string{"awards", "--help"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runTipline(t, map[string]string{}, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.err) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.err)
			}
		})
	}
}

func TestAwardsPrograms(t *testing.T) {
	stdout, stderr, code := runTipline(t, map[string]string{}, "awards", "programs")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, id := range []string{"sec", "cftc", "irs", "fincen", "doj-pilot", "fca", "bis-s1473", "bis-hr6322", "2026-12-06", "UNVERIFIED"} {
		if !strings.Contains(stdout, id) {
			t.Errorf("programs list lacks %s:\n%s", id, stdout)
		}
	}
}

// TestAwardsEstimateCaseFile runs every case issue 13 quotes, and the
// boundaries around them, through `tipline awards estimate --case FILE`:
// the same table as the engine's test (awards/testdata/issue13.json).
func TestAwardsEstimateCaseFile(t *testing.T) {
	dir := t.TempDir()
	for i, tc := range awardstest.LoadCases(t, "../../awards/testdata/issue13.json") {
		t.Run(tc.Name, func(t *testing.T) {
			path := filepath.Join(dir, "case"+strings.Repeat("x", i)+".json")
			if err := os.WriteFile(path, tc.Case, 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runTipline(t, map[string]string{}, "awards", "estimate", "--case", path)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tc.Check(t, []byte(stdout))
		})
	}
}

// TestAwardsEstimateCaseStdin reads the case file from standard input
// ("-") and checks the keys the output adds to the flag form's.
func TestAwardsEstimateCaseStdin(t *testing.T) {
	caseFile := `{"program": "sec", "as_of": "2026-03-01", "actions": [
	  {"id": "sec-1", "role": "covered", "program": "sec", "notice_of_covered_action": "2026-01-05", "sanctions": [{"kind": "penalty", "ordered": "2000000", "collected": "2000000"}]},
	  {"id": "doj-1", "role": "related", "program": "doj", "final_order": "2026-02-01", "sanctions": [{"kind": "fine", "ordered": 1000000}]}],
	 "claimants": [{"id": "A", "joint": false, "culpable_amount": 0, "negative_factors": []}]}`
	var out, errOut lockedBuffer
	p := &program{args: []string{"awards", "estimate", "--case", "-"}, getenv: func(string) string { return "" },
		stdin: strings.NewReader(caseFile), stdout: &out, stderr: &errOut}
	if code := p.run(context.Background()); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"eligible", "reasons", "min", "max", "base", "threshold", "projected", "actions", "claimants", "deadlines", "warnings", "sources", "citations", "verified_on"} {
		if _, ok := got[key]; !ok {
			t.Errorf("output lacks %q:\n%s", key, out.String())
		}
	}
	deadlines, _ := got["deadlines"].([]any)
	if len(deadlines) != 2 {
		t.Fatalf("deadlines = %v", got["deadlines"])
	}
	related := deadlines[1].(map[string]any)
	if related["due"] != "2026-04-05" || related["rule"] != "17 CFR 240.21F-11(b)" || related["what"] == "" {
		t.Errorf("related deadline = %v", related)
	}
}

// TestAwardsEstimateCaseErrors: bad input names the field.
func TestAwardsEstimateCaseErrors(t *testing.T) {
	const action = `{"id": "a", "role": "covered", "program": "sec", "sanctions": [%s]}`
	withSanction := func(s string) string {
		return `{"program": "sec", "actions": [` + strings.Replace(action, "%s", s, 1) + `]}`
	}
	for _, tc := range []struct{ name, file, want string }{
		{"UnknownKind", withSanction(`{"kind": "bitcoin", "ordered": "5"}`), `actions[0].sanctions[0].kind: unknown kind "bitcoin"`},
		{"NegativeAmount", withSanction(`{"kind": "penalty", "ordered": "-5"}`), "actions[0].sanctions[0].ordered: cannot be negative"},
		{"NegativeNumber", withSanction(`{"kind": "penalty", "ordered": -5}`), "actions[0].sanctions[0].ordered: cannot be negative"},
		{"NotAnAmount", withSanction(`{"kind": "penalty", "ordered": "five"}`), "actions[0].sanctions[0].ordered: not an amount in dollars"},
		{"CollectedAboveOrdered", withSanction(`{"kind": "penalty", "ordered": "5", "collected": "6"}`), "actions[0].sanctions[0].collected: $6.00 collected is more than the $5.00 ordered"},
		{"BadDate", `{"program": "sec", "actions": [{"id": "a", "role": "covered", "program": "sec", "final_order": "2026-13-01"}]}`, `actions[0].final_order: "2026-13-01" is not a date`},
		{"BadAsOf", `{"program": "sec", "as_of": "yesterday"}`, `as_of: "yesterday" is not a date`},
		{"BadRole", `{"program": "sec", "actions": [{"id": "a", "role": "primary", "program": "sec"}]}`, `actions[0].role: "primary"`},
		{"BadAuthority", `{"program": "sec", "actions": [{"id": "a", "role": "covered", "program": "ofac"}]}`, `actions[0].program: "ofac"`},
		{"CreditAboveOrdered", `{"program": "sec", "actions": [{"id": "a", "role": "covered", "program": "sec", "credited": "10", "sanctions": [{"kind": "penalty", "ordered": "5"}]}]}`, "actions[0].credited"},
		{"UnknownField", `{"program": "sec", "action": []}`, `"action": unknown field`},
		{"WrongType", `{"program": "sec", "claimants": [{"id": "a", "joint": "yes"}]}`, "claimants.joint: want bool"},
		{"UnknownFactor", `{"program": "sec", "claimants": [{"id": "a", "negative_factors": ["greed"]}]}`, `claimants[0].negative_factors[0]: "greed"`},
		{"NegativeCulpable", `{"program": "sec", "claimants": [{"id": "a", "culpable_amount": "-1"}]}`, "claimants[0].culpable_amount: cannot be negative"},
		{"BadIntervention", `{"program": "fca", "fca": {"intervention": "maybe"}}`, `fca.intervention: "maybe"`},
		{"UnknownProgram", `{"program": "ofac"}`, `program: No award program "ofac"`},
		{"NoProgram", `{}`, "program: required"},
		{"NotJSON", `program: sec`, "case file: not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "case.json")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr, code := runTipline(t, map[string]string{}, "awards", "estimate", "--case", path)
			if code == 0 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want an error with %q", code, stderr, tc.want)
			}
		})
	}
	_, stderr, code := runTipline(t, map[string]string{}, "awards", "estimate", "--case", "x.json", "--program", "sec")
	if code != 2 || !strings.Contains(stderr, "--case FILE|-") {
		t.Errorf("--case with --program: exit %d, %q", code, stderr)
	}
}
