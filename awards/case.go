package awards

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tipline/tipline"
)

// The case file of `tipline awards estimate --case`: one JSON object, a
// stable contract. Amounts are decimal strings or numbers in US dollars;
// dates are YYYY-MM-DD.
type caseFile struct {
	Program       string         `json:"program"`
	AsOf          string         `json:"as_of"`
	Actions       []caseAction   `json:"actions"`
	Claimants     []caseClaimant `json:"claimants"`
	FCA           *caseFCA       `json:"fca"`
	IRS           *caseIRS       `json:"irs"`
	Disqualifiers []string       `json:"disqualifiers"`
}

type caseAction struct {
	ID         string          `json:"id"`
	Role       Role            `json:"role"`
	Program    string          `json:"program"`
	FinalOrder string          `json:"final_order"`
	Notice     string          `json:"notice_of_covered_action"`
	Credited   json.RawMessage `json:"credited"`
	Sanctions  []caseSanction  `json:"sanctions"`
}

type caseSanction struct {
	Kind      Kind            `json:"kind"`
	Ordered   json.RawMessage `json:"ordered"`
	Collected json.RawMessage `json:"collected"`
}

type caseClaimant struct {
	ID              string          `json:"id"`
	Joint           bool            `json:"joint"`
	CulpableAmount  json.RawMessage `json:"culpable_amount"`
	Disqualified    string          `json:"disqualified"`
	NegativeFactors []string        `json:"negative_factors"`
	ShareBP         int             `json:"share_bp"`
}

type caseFCA struct {
	Intervention     Intervention `json:"intervention"`
	PublicDisclosure bool         `json:"public_disclosure"`
	OriginalSource   bool         `json:"original_source"`
}

type caseIRS struct {
	AmountInDispute  json.RawMessage `json:"amount_in_dispute"`
	IndividualIncome json.RawMessage `json:"individual_income"`
	PublicDisclosure bool            `json:"public_disclosure"`
	OriginalSource   bool            `json:"original_source"`
}

// ReadCase reads one case file from r into the engine's input. as_of
// defaults to today. Errors are tipline.Invalid and name the field.
func ReadCase(r io.Reader, today time.Time) (Input, error) {
	bad := func(field, format string, args ...any) (Input, error) {
		return Input{}, tipline.Errorf(tipline.Invalid, "%s: %s", field, fmt.Sprintf(format, args...))
	}
	dec := json.NewDecoder(io.LimitReader(r, 4<<20))
	dec.DisallowUnknownFields()
	var f caseFile
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return bad(te.Field, "want %s, not a JSON %s", te.Type, te.Value)
		case errors.As(err, &se):
			return bad("case file", "not JSON at byte %d: %v", se.Offset, err)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return bad(strings.TrimPrefix(err.Error(), "json: unknown field "), "unknown field")
		case err == io.EOF:
			return bad("case file", "empty; want one JSON object")
		}
		return bad("case file", "%v", err)
	}
	if dec.More() {
		return bad("case file", "one JSON object, and nothing after it")
	}
	if f.Program == "" {
		return bad("program", "required (sec, cftc, irs, fincen, doj-pilot, fca, bis-s1473, bis-hr6322)")
	}
	in := Input{Program: f.Program, Disqualifiers: f.Disqualifiers}
	var err error
	if in.AsOf, err = caseDay(f.AsOf); err != nil {
		return bad("as_of", "%v", err)
	}
	if in.AsOf.IsZero() {
		in.AsOf = today.UTC().Truncate(24 * time.Hour)
	}
	for i, a := range f.Actions {
		at := fmt.Sprintf("actions[%d]", i)
		act := Action{ID: a.ID, Role: a.Role, Authority: a.Program}
		if act.FinalOrder, err = caseDay(a.FinalOrder); err != nil {
			return bad(at+".final_order", "%v", err)
		}
		if act.NoticeOfCoveredAction, err = caseDay(a.Notice); err != nil {
			return bad(at+".notice_of_covered_action", "%v", err)
		}
		if act.Credited, err = caseAmount(a.Credited); err != nil {
			return bad(at+".credited", "%v", err)
		}
		for j, s := range a.Sanctions {
			st := fmt.Sprintf("%s.sanctions[%d]", at, j)
			sn := Sanction{Kind: s.Kind}
			if sn.Ordered, err = caseAmount(s.Ordered); err != nil {
				return bad(st+".ordered", "%v", err)
			}
			if sn.Collected, err = caseAmount(s.Collected); err != nil {
				return bad(st+".collected", "%v", err)
			}
			act.Sanctions = append(act.Sanctions, sn)
		}
		in.Actions = append(in.Actions, act)
	}
	for i, c := range f.Claimants {
		cl := Claimant{ID: c.ID, Joint: c.Joint, Disqualified: strings.TrimSpace(c.Disqualified), NegativeFactors: c.NegativeFactors, ShareBP: c.ShareBP}
		if cl.CulpableAmount, err = caseAmount(c.CulpableAmount); err != nil {
			return bad(fmt.Sprintf("claimants[%d].culpable_amount", i), "%v", err)
		}
		in.Claimants = append(in.Claimants, cl)
	}
	if f.FCA != nil {
		in.FCA = FCAFacts{Intervention: f.FCA.Intervention, PublicDisclosure: f.FCA.PublicDisclosure, OriginalSource: f.FCA.OriginalSource}
	}
	if f.IRS != nil {
		in.IRS = IRSFacts{PublicDisclosure: f.IRS.PublicDisclosure, OriginalSource: f.IRS.OriginalSource, TaxpayerIndividual: len(f.IRS.IndividualIncome) > 0}
		if in.IRS.AmountInDispute, err = caseAmount(f.IRS.AmountInDispute); err != nil {
			return bad("irs.amount_in_dispute", "%v", err)
		}
		if in.IRS.IndividualIncome, err = caseAmount(f.IRS.IndividualIncome); err != nil {
			return bad("irs.individual_income", "%v", err)
		}
	}
	return in, nil
}

// caseAmount reads an optional amount: a JSON number or string of dollars.
func caseAmount(raw json.RawMessage) (Cents, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	s = strings.Trim(s, `"`)
	if strings.HasPrefix(strings.TrimSpace(s), "-") {
		return 0, errors.New("cannot be negative")
	}
	c, err := ParseUSD(s)
	if err != nil {
		return 0, fmt.Errorf("not an amount in dollars: %s (write 1234.56)", string(raw))
	}
	return c, nil
}

// caseDay reads an optional YYYY-MM-DD.
func caseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date as YYYY-MM-DD", s)
	}
	return t, nil
}
