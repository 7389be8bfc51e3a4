package quitam

import (
	"strconv"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
)

// Intervention is the Government's election under 3730(b)(2) and (4).
type Intervention string

// The elections.
const (
	Undecided  Intervention = "undecided"
	Intervened Intervention = "intervened"
	Declined   Intervention = "declined"
)

// Interventions lists every election, undecided first.
var Interventions = []Intervention{Undecided, Intervened, Declined}

// Label says the election in words.
func (i Intervention) Label() string {
	switch i {
	case Intervened:
		return "The Government intervened"
	case Declined:
		return "The Government declined to intervene"
	}
	return "Not decided yet"
}

// Facts are what counsel enter about a matter; "" is a day not known yet.
type Facts struct {
	Caption             string `json:"caption"`               // e.g. "United States ex rel. Relator A v. Example Chips Ltd."
	FiledDay            string `json:"filed_day"`             // complaint filed in camera, under seal
	ServedDay           string `json:"served_day"`            // complaint and material evidence served on the Government
	ViolationDay        string `json:"violation_day"`         // the violation (the earliest, when there are several)
	KnowledgeDay        string `json:"knowledge_day"`         // the responsible U.S. official knew or should have known
	RetaliationDay      string `json:"retaliation_day"`       // the employer's retaliation against the relator
	RetaliationFiledDay string `json:"retaliation_filed_day"` // the 3730(h) action was brought
	PublicDisclosure    bool   `json:"public_disclosure"`     // substantially the same allegations publicly disclosed
	OriginalSource      bool   `json:"original_source"`       // the relator is an original source
	PrimarilyPublic     bool   `json:"primarily_public"`      // the action rests primarily on public disclosures
	FirstToFile         bool   `json:"first_to_file"`         // a related action was pending when this one was filed
	PlannedInitiated    bool   `json:"planned_initiated"`     // the relator planned and initiated the violation
}

// Extension is one extension of the seal (3730(b)(3)): the day the court
// granted it and the new last day of the seal.
type Extension struct {
	GrantedDay string `json:"granted_day"`
	NewDay     string `json:"new_day"`
}

// Collection is one payment the United States (and, separately, a state)
// received under the judgment or settlement.
type Collection struct {
	ID          int64        `json:"id"`
	ReceivedDay string       `json:"received_day"`
	Federal     awards.Cents `json:"federal"`
	State       awards.Cents `json:"state"`
	DocumentRef string       `json:"document_ref"`
}

// Matter is a relator's qui tam matter.
type Matter struct {
	ID      string `json:"id"`
	CaseID  string `json:"case_id"`
	ClaimID string `json:"claim_id"`
	Facts
	Intervention    Intervention `json:"intervention"`
	InterventionDay string       `json:"intervention_day,omitempty"`
	Extensions      []Extension  `json:"extensions"`
	Collections     []Collection `json:"collections"`
	// Counsel are the linked claim's counsel, who see the matter.
	Counsel   []string  `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NewMatter opens a matter.
type NewMatter struct {
	CaseID  string `json:"case_id"`
	ClaimID string `json:"claim_id"`
	Caption string `json:"caption"`
}

// The deadline rules of a matter, each a casework.QuiTamDeadline.
const (
	RuleSeal        = "seal"        // the 60-day seal
	ruleExtension   = "seal-ext-"   // + the extension's number, from 1
	RuleLimitations = "limitations" // 3731(b)
	RuleRetaliation = "retaliation" // 3730(h)(3)
)

// ExtensionRule is the deadline rule of the nth extension, from 1.
func ExtensionRule(n int) string { return ruleExtension + strconv.Itoa(n) }

// RuleName says a deadline rule in words, for the queue.
func RuleName(rule string) (string, bool) {
	switch rule {
	case RuleSeal:
		return "qui tam: 60-day seal ends, Government to elect (31 U.S.C. 3730(b)(2))", true
	case RuleLimitations:
		return "qui tam: limitations date (31 U.S.C. 3731(b))", true
	case RuleRetaliation:
		return "qui tam: retaliation action due (31 U.S.C. 3730(h)(3))", true
	}
	if n, ok := strings.CutPrefix(rule, ruleExtension); ok {
		if i, err := strconv.Atoi(n); err == nil && i > 0 {
			return "qui tam: extended seal ends, extension " + n + " (31 U.S.C. 3730(b)(3))", true
		}
	}
	return "", false
}

// RuleCitation is the source of law of a deadline rule; ok is false for
// a rule that is not a matter's.
func RuleCitation(rule string) (Citation, bool) {
	switch rule {
	case RuleSeal:
		return CiteSeal, true
	case RuleLimitations:
		return CiteLimitations, true
	case RuleRetaliation:
		return CiteRetaliation, true
	}
	if _, ok := RuleName(rule); ok {
		return CiteExtension, true
	}
	return Citation{}, false
}

// parseDay reads a YYYY-MM-DD day, naming the field when it is not one.
func parseDay(field, v string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, tipline.Errorf(tipline.Invalid, "The %s is not a day (write YYYY-MM-DD): %q.", field, v)
	}
	return t, nil
}

// Check validates facts: days are days, the caption is short, and the
// days follow each other as events do.
func (f Facts) Check() (Facts, error) {
	f.Caption = strings.TrimSpace(f.Caption)
	if f.Caption == "" || len(f.Caption) > 300 {
		return f, tipline.Errorf(tipline.Invalid, "The caption is 1 to 300 characters.")
	}
	for _, d := range []struct{ name, v string }{
		{"filing day", f.FiledDay}, {"service day", f.ServedDay}, {"violation day", f.ViolationDay},
		{"official's knowledge day", f.KnowledgeDay}, {"retaliation day", f.RetaliationDay}, {"retaliation filing day", f.RetaliationFiledDay},
	} {
		if d.v == "" {
			continue
		}
		if _, err := parseDay(d.name, d.v); err != nil {
			return f, err
		}
	}
	if f.ServedDay != "" && (f.FiledDay == "" || f.ServedDay < f.FiledDay) {
		return f, tipline.Errorf(tipline.Invalid, "The complaint is served on the Government on or after the day it is filed.")
	}
	if f.KnowledgeDay != "" && (f.ViolationDay == "" || f.KnowledgeDay < f.ViolationDay) {
		return f, tipline.Errorf(tipline.Invalid, "The official's knowledge day comes with a violation day, on or after it.")
	}
	if f.RetaliationFiledDay != "" && (f.RetaliationDay == "" || f.RetaliationFiledDay < f.RetaliationDay) {
		return f, tipline.Errorf(tipline.Invalid, "A retaliation action is brought on or after the retaliation.")
	}
	if f.OriginalSource && !f.PublicDisclosure {
		return f, tipline.Errorf(tipline.Invalid, "Original source answers the public-disclosure bar: tick it only with a public disclosure.")
	}
	return f, nil
}

// SealEnds is the current last day of the seal: the 60 days, or the last
// extension's new day; "" before the complaint is filed.
func (m Matter) SealEnds() string {
	if n := len(m.Extensions); n > 0 {
		return m.Extensions[n-1].NewDay
	}
	if m.FiledDay == "" {
		return ""
	}
	due, err := SealDue(m.FiledDay, m.ServedDay)
	if err != nil {
		return ""
	}
	return due
}

// FederalCollected and StateCollected add up the collections.
func (m Matter) FederalCollected() awards.Cents {
	return m.sum(func(c Collection) awards.Cents { return c.Federal })
}

// StateCollected is what states received, kept apart from the federal
// proceeds the relator's federal share is computed on.
func (m Matter) StateCollected() awards.Cents {
	return m.sum(func(c Collection) awards.Cents { return c.State })
}

func (m Matter) sum(f func(Collection) awards.Cents) awards.Cents {
	var t awards.Cents
	for _, c := range m.Collections {
		t += f(c)
	}
	return t
}

// Shares returns the relator's share scenarios on the federal proceeds
// collected so far.
func (m Matter) Shares() []Scenario {
	return Shares(ShareFacts{Intervention: m.Intervention, PublicDisclosure: m.PublicDisclosure, OriginalSource: m.OriginalSource,
		PrimarilyPublic: m.PrimarilyPublic, PlannedInitiated: m.PlannedInitiated, FederalCollected: m.FederalCollected()})
}

// Limitations returns the 3731(b) date; ok is false without a violation
// day.
func (m Matter) Limitations() (Limitations, bool) {
	if m.ViolationDay == "" {
		return Limitations{}, false
	}
	l, err := LimitationsDate(m.ViolationDay, m.KnowledgeDay)
	return l, err == nil
}

// Deadlines are the matter's deadlines for the deadline table, met as
// the events that meet them are recorded: the seal by an extension or the
// Government's election, each extension by the next one or the election,
// the limitations date by the filing (on or before it), the retaliation
// deadline by bringing the action.
func (m Matter) Deadlines() []casework.Deadline {
	var out []casework.Deadline
	add := func(rule, due, met string) {
		out = append(out, casework.Deadline{Kind: casework.QuiTamDeadline(m.ID, rule), DueDay: due, MetDay: met})
	}
	if m.FiledDay != "" {
		if due, err := SealDue(m.FiledDay, m.ServedDay); err == nil {
			// Each seal period ends with the next extension or the election.
			ends := []string{due}
			for _, e := range m.Extensions {
				ends = append(ends, e.NewDay)
			}
			for i, end := range ends {
				met := m.InterventionDay
				if i < len(m.Extensions) {
					met = m.Extensions[i].GrantedDay
				}
				rule := RuleSeal
				if i > 0 {
					rule = ExtensionRule(i)
				}
				add(rule, end, met)
			}
		}
	}
	if l, ok := m.Limitations(); ok {
		met := ""
		if m.FiledDay != "" && m.FiledDay <= l.Due {
			met = m.FiledDay
		}
		add(RuleLimitations, l.Due, met)
	}
	if m.RetaliationDay != "" {
		if due, err := RetaliationDue(m.RetaliationDay); err == nil {
			add(RuleRetaliation, due, m.RetaliationFiledDay)
		}
	}
	return out
}

// Warning is something counsel must not miss, with its source.
type Warning struct {
	Text string
	Cite Citation
}

// Warnings are the bars and risks the recorded facts raise, as of today.
func (m Matter) Warnings(today string) []Warning {
	var out []Warning
	if m.FirstToFile {
		out = append(out, Warning{"First to file: a related action was pending when this one was filed. Only the Government may intervene or bring a related action on the facts underlying a pending action; this action may be dismissed.", CiteFirstToFile})
	}
	if m.PublicDisclosure && !m.OriginalSource {
		out = append(out, Warning{"Public-disclosure bar: substantially the same allegations were publicly disclosed and the relator is not recorded as an original source. The court shall dismiss unless the Government opposes dismissal.", CitePublicBar})
	}
	if m.PublicDisclosure && m.OriginalSource {
		out = append(out, Warning{"Public disclosure recorded: the action survives the bar only if the relator is an original source as (e)(4)(B) defines it; keep the evidence of it on file.", CitePublicBar})
	}
	if m.PrimarilyPublic {
		out = append(out, Warning{"The action rests primarily on public disclosures: if the Government intervenes, the share is at most 10 %.", CiteIntervened})
	}
	if m.PlannedInitiated {
		out = append(out, Warning{"The relator planned and initiated the violation: the court may reduce the share; a criminal conviction for that role means dismissal and no share.", CitePlanned})
	}
	if l, ok := m.Limitations(); ok {
		switch {
		case m.FiledDay != "" && m.FiledDay > l.Due:
			out = append(out, Warning{"The complaint was filed on " + m.FiledDay + ", after the limitations date of " + l.Due + ".", CiteLimitations})
		case m.FiledDay == "" && today > l.Due:
			out = append(out, Warning{"The limitations date of " + l.Due + " has passed and no complaint is recorded as filed.", CiteLimitations})
		}
	}
	if end := m.SealEnds(); end != "" && m.Intervention == Undecided && today > end {
		out = append(out, Warning{"The seal ended on " + end + " with no election and no further extension recorded.", CiteExtension})
	}
	return out
}
