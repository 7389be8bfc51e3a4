// Package quitam tracks False Claims Act qui tam matters: a relator's
// complaint filed under seal, the seal period and its extensions, the
// Government's intervention decision, the limitations and retaliation
// deadlines, and the relator's share of what the United States collects.
//
// A matter is linked to an investigators' case and to counsel's award
// claim under the "fca" program. Its deadlines go into the casework
// deadline table on the case's submissions, so they appear in the triage
// queue in words beside the award claims' deadlines.
//
// Who sees what: admins every matter; counsel the matters of the claims
// assigned to them. Nobody else.
//
// The law, each citation marked primary, secondary or unverified:
//
//   - 31 U.S.C. 3730(b)(2) (primary): "The complaint shall be filed in
//     camera, shall remain under seal for at least 60 days, and shall not
//     be served on the defendant until the court so orders. The Government
//     may elect to intervene and proceed with the action within 60 days
//     after it receives both the complaint and the material evidence and
//     information."
//   - 3730(b)(3) (primary): the Government may, for good cause shown,
//     move the court for extensions of the time during which the
//     complaint remains under seal.
//   - 3730(b)(5) (primary): when a person brings an action, no person
//     other than the Government may intervene or bring a related action
//     based on the facts underlying the pending action (first to file).
//   - 3730(d)(1) (primary): the Government proceeds: at least 15 and not
//     more than 25 percent of the proceeds; where the action is based
//     primarily on disclosures of specific information not provided by
//     the relator, no more than 10 percent.
//   - 3730(d)(2) (primary): the Government does not proceed: not less than
//     25 and not more than 30 percent.
//   - 3730(d)(3) (primary): a relator who planned and initiated the
//     violation: the court may reduce the share to the extent it considers
//     appropriate; one convicted of criminal conduct arising from that
//     role is dismissed and receives no share.
//   - 3730(e)(4)(A) (primary): the court shall dismiss, unless opposed by
//     the Government, if substantially the same allegations were publicly
//     disclosed, unless the relator is an original source ((e)(4)(B)).
//   - 3730(h)(3) (primary): a retaliation action may not be brought more
//     than 3 years after the date when the retaliation occurred.
//   - 3731(b) (primary): an action under 3730 may not be brought (1) more
//     than 6 years after the violation, or (2) more than 3 years after the
//     facts material to the right of action are known or reasonably should
//     have been known by the official of the United States charged with
//     responsibility to act, but in no event more than 10 years after the
//     violation, whichever occurs last. Cochise Consultancy v. United
//     States ex rel. Hunt, 139 S. Ct. 1507 (2019) (primary): (b)(2) applies in
//     relator suits whether or not the Government intervenes, and the
//     relator is not "the official".
//
// The statute's text was checked against the U.S. Code as published by
// the Legal Information Institute (law.cornell.edu/uscode/text/31/3730 and
// 3731) and quotations of it in court opinions found through the search
// tool; the day counting below (calendar days, no roll-over to the next
// business day, February 29 anniversaries on February 28) is Tipline's
// conservative choice, not a rule of the statute (unverified).
package quitam

import (
	"time"

	"github.com/tipline/tipline/awards"
)

// Citation is a source of law for a figure, with how sure it is.
type Citation struct {
	Ref    string // "31 U.S.C. 3731(b)"
	Label  string // what it says, in a few words
	Status string // "primary", "secondary" or "unverified"
}

// The citations the matter page and the package's results use.
var (
	CiteSeal         = Citation{"31 U.S.C. 3730(b)(2)", "complaint under seal for at least 60 days; the Government elects within 60 days of receiving the complaint and the material evidence", "primary"}
	CiteExtension    = Citation{"31 U.S.C. 3730(b)(3)", "extensions of the seal on the Government's motion for good cause", "primary"}
	CiteFirstToFile  = Citation{"31 U.S.C. 3730(b)(5)", "no one but the Government may bring a related action based on the facts underlying a pending action", "primary"}
	CiteIntervened   = Citation{"31 U.S.C. 3730(d)(1)", "Government proceeds: 15–25 % of the proceeds; at most 10 % if based primarily on public disclosures", "primary"}
	CiteDeclined     = Citation{"31 U.S.C. 3730(d)(2)", "Government does not proceed: 25–30 % of the proceeds", "primary"}
	CitePlanned      = Citation{"31 U.S.C. 3730(d)(3)", "relator who planned and initiated the violation: share reduced as the court considers appropriate", "primary"}
	CitePublicBar    = Citation{"31 U.S.C. 3730(e)(4)", "public-disclosure bar, unless opposed by the Government or the relator is an original source", "primary"}
	CiteRetaliation  = Citation{"31 U.S.C. 3730(h)(3)", "retaliation action within 3 years after the retaliation", "primary"}
	CiteLimitations  = Citation{"31 U.S.C. 3731(b)", "6 years after the violation, or 3 years after the responsible official knew or should have known, at most 10 years; whichever is later", "primary"}
	CiteCochise      = Citation{"Cochise Consultancy, Inc. v. United States ex rel. Hunt, 139 S. Ct. 1507 (2019)", "3731(b)(2) applies in relator suits the Government declined; the relator is not the official", "primary"}
	CiteCountingDays = Citation{"Tipline's counting", "calendar days, no roll-over to the next business day, 29 February anniversaries on 28 February", "unverified"}
)

// SealDays is the seal period of 3730(b)(2).
const SealDays = 60

// Years of the limitations and retaliation periods.
const (
	LimitationsYears = 6  // 3731(b)(1)
	KnowledgeYears   = 3  // 3731(b)(2)
	CapYears         = 10 // 3731(b)(2): "in no event more than 10 years"
	RetaliationYears = 3  // 3730(h)(3)
)

// addYears adds whole years, keeping 29 February on 28 February in a
// common year (the earlier, safer day).
func addYears(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	out := time.Date(y+n, m, d, 0, 0, 0, 0, time.UTC)
	if out.Month() != m {
		out = time.Date(y+n, m+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return out
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// Limitations is the 3731(b) date and how it was reached.
type Limitations struct {
	Due           string   // the last day to file
	SixYears      string   // violation + 6 years, 3731(b)(1)
	ThreeYears    string   // knowledge + 3 years, "" without a knowledge day
	TenYears      string   // violation + 10 years, the cap of (b)(2)
	Capped        bool     // knowledge + 3 years passed the cap
	Explanation   []string // in words, one step a line
	UsedKnowledge bool     // the (b)(2) date is the later one
}

// LimitationsDate computes the 3731(b) date from the violation day and,
// when counsel enter it, the day the responsible U.S. official knew or
// reasonably should have known the material facts.
func LimitationsDate(violationDay, knowledgeDay string) (Limitations, error) {
	v, err := parseDay("violation day", violationDay)
	if err != nil {
		return Limitations{}, err
	}
	l := Limitations{SixYears: day(addYears(v, LimitationsYears)), TenYears: day(addYears(v, CapYears))}
	l.Due = l.SixYears
	l.Explanation = append(l.Explanation, "6 years after the violation of "+violationDay+": "+l.SixYears+" (3731(b)(1)).")
	if knowledgeDay == "" {
		l.Explanation = append(l.Explanation, "No day is entered on which the responsible U.S. official knew or should have known the material facts, so only (b)(1) applies.")
		return l, nil
	}
	k, err := parseDay("official's knowledge day", knowledgeDay)
	if err != nil {
		return Limitations{}, err
	}
	three := day(addYears(k, KnowledgeYears))
	l.ThreeYears = three
	line := "3 years after the official knew or should have known (" + knowledgeDay + "): " + three
	if three > l.TenYears {
		l.Capped = true
		three = l.TenYears
		line += ", capped at 10 years after the violation: " + l.TenYears
	}
	l.Explanation = append(l.Explanation, line+" (3731(b)(2)).")
	if three > l.Due {
		l.Due, l.UsedKnowledge = three, true
		l.Explanation = append(l.Explanation, "The later of the two applies: "+l.Due+" under (b)(2).")
	} else {
		l.Explanation = append(l.Explanation, "The later of the two applies: "+l.Due+" under (b)(1).")
	}
	return l, nil
}

// RetaliationDue is the last day to bring a 3730(h) action for
// retaliation on retaliationDay (3730(h)(3)).
func RetaliationDue(retaliationDay string) (string, error) {
	r, err := parseDay("retaliation day", retaliationDay)
	if err != nil {
		return "", err
	}
	return day(addYears(r, RetaliationYears)), nil
}

// SealDue is the end of the 60-day seal: 60 days after the later of the
// filing and the service of the complaint and disclosure on the
// Government (3730(b)(2)); servedDay may be empty.
func SealDue(filedDay, servedDay string) (string, error) {
	f, err := parseDay("filing day", filedDay)
	if err != nil {
		return "", err
	}
	anchor := f
	if servedDay != "" {
		s, err := parseDay("service day", servedDay)
		if err != nil {
			return "", err
		}
		if s.After(anchor) {
			anchor = s
		}
	}
	return day(anchor.AddDate(0, 0, SealDays)), nil
}

// Scenario is the relator's share under one outcome: a band of percent of
// the federal proceeds collected, and what it comes to.
type Scenario struct {
	Name     string // "The Government intervenes"
	MinPct   int
	MaxPct   int
	Min, Max awards.Cents
	Notes    []string
	Cites    []Citation
}

// ShareFacts are what the relator's share depends on.
type ShareFacts struct {
	Intervention     Intervention
	PublicDisclosure bool // substantially the same allegations were publicly disclosed (3730(e)(4)(A))
	OriginalSource   bool // the relator is an original source (3730(e)(4)(B))
	PrimarilyPublic  bool // the action is based primarily on such disclosures (3730(d)(1), second sentence)
	PlannedInitiated bool // the relator planned and initiated the violation (3730(d)(3))
	FederalCollected awards.Cents
}

// Shares returns the relator's share under each outcome still open: the
// decided one, or both while the Government has not decided. The band of
// each is applied to the federal proceeds collected; a state's share is
// set by the state's own statute and is not computed here.
func Shares(f ShareFacts) []Scenario {
	var out []Scenario
	if f.Intervention != Declined {
		s := Scenario{Name: "The Government intervenes", MinPct: 15, MaxPct: 25, Cites: []Citation{CiteIntervened}}
		if f.PrimarilyPublic {
			s.MinPct, s.MaxPct = 0, 10
			s.Notes = append(s.Notes, "Based primarily on public disclosures: no more than 10 %, as the court considers appropriate.")
		}
		out = append(out, s)
	}
	if f.Intervention != Intervened {
		s := Scenario{Name: "The Government declines", MinPct: 25, MaxPct: 30, Cites: []Citation{CiteDeclined}}
		if f.PublicDisclosure && !f.OriginalSource {
			s.MinPct = 0
			s.Notes = append(s.Notes, "Public-disclosure bar: the court dismisses unless the Government opposes dismissal; only then does 25–30 % apply, so $0 if it does not.")
			s.Cites = append(s.Cites, CitePublicBar)
		}
		out = append(out, s)
	}
	for i := range out {
		if f.PlannedInitiated {
			out[i].MinPct = 0
			out[i].Notes = append(out[i].Notes, "The relator planned and initiated the violation: the court may reduce the share as it considers appropriate (to nothing on a criminal conviction).")
			out[i].Cites = append(out[i].Cites, CitePlanned)
		}
		out[i].Min = percentOf(f.FederalCollected, out[i].MinPct)
		out[i].Max = percentOf(f.FederalCollected, out[i].MaxPct)
	}
	return out
}

// Envelope is the lowest and highest percent over the scenarios.
func Envelope(ss []Scenario) (minPct, maxPct int) {
	for i, s := range ss {
		if i == 0 || s.MinPct < minPct {
			minPct = s.MinPct
		}
		if s.MaxPct > maxPct {
			maxPct = s.MaxPct
		}
	}
	return minPct, maxPct
}

// percentOf returns pct percent of c, rounded down, without overflow.
func percentOf(c awards.Cents, pct int) awards.Cents {
	return c/100*awards.Cents(pct) + c%100*awards.Cents(pct)/100
}
