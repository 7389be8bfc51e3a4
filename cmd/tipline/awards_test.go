package main

import (
	"encoding/json"
	"strings"
	"testing"
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
	for _, id := range []string{"sec", "cftc", "irs", "fincen", "doj-pilot", "fca", "bis-s1473", "bis-hr6322", "2026-11-29"} {
		if !strings.Contains(stdout, id) {
			t.Errorf("programs list lacks %s:\n%s", id, stdout)
		}
	}
}
