package claims

import (
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
)

// The words a client reads for the codes of claims and the award engine,
// and the legal terms an award report states beside the estimate: appeal
// periods, the tax treatment of an award, the collection scenarios and the
// evidence of the report date.

// kindLabels name the kinds of money.
var kindLabels = map[awards.Kind]string{
	awards.Penalty:             "Civil penalty",
	awards.Disgorgement:        "Disgorgement",
	awards.Interest:            "Interest",
	awards.Fine:                "Criminal fine",
	awards.Forfeiture:          "Forfeiture",
	awards.Restitution:         "Restitution",
	awards.Compensatory:        "Victim compensation",
	awards.NPADPA:              "Non-prosecution or deferred-prosecution agreement payment",
	awards.SettlementAgreement: "Settlement agreement payment",
	awards.Tax:                 "Tax and additions to tax",
	awards.TaxPenalty:          "Tax penalties",
	awards.TaxInterest:         "Interest on tax",
	awards.Damages:             "False Claims Act damages and penalties",
	awards.Other:               "Other",
}

// KindLabel names a kind of money in words.
func KindLabel(k awards.Kind) string {
	if l, ok := kindLabels[currentKind(k)]; ok {
		return l
	}
	return "Other"
}

// StatusLabel names a claim's status.
func StatusLabel(st Status) string {
	switch st {
	case Draft:
		return "Draft (not yet filed)"
	case Filed:
		return "Filed with the agency"
	case Pending:
		return "Pending determination"
	}
	return upperFirst(string(st))
}

// ClaimantKindLabel names who claims.
func ClaimantKindLabel(k ClaimantKind) string {
	if k == Relator {
		return "Qui tam relator"
	}
	return "Whistleblower, represented by counsel"
}

// RelationLabel names how an action counts.
func RelationLabel(r Relation) string {
	switch r {
	case Aggregated:
		return "Aggregated with the covered action"
	case Related:
		return "Related action"
	}
	return "Covered action"
}

// ItemStatusLabel reads a checklist item's status for its kind: a
// condition is met or not, a disqualifier applies or not.
func ItemStatusLabel(kind ItemKind, st ItemStatus) string {
	switch {
	case st == Open:
		return "Not yet determined"
	case st == NotApplicable:
		return "Not applicable"
	case kind == Disqualifier && st == Yes:
		return "Applies"
	case kind == Disqualifier:
		return "Does not apply"
	case st == Yes:
		return "Met"
	}
	return "Not met"
}

// CheckedLabel says how a figure's source was checked.
func CheckedLabel(c awards.Checked) string {
	switch c {
	case awards.Primary:
		return "Verified (primary source)"
	case awards.Secondary:
		return "Secondary source"
	}
	return "Unverified"
}

// StandingLabel says whether a program is law.
func StandingLabel(s awards.Standing) string {
	switch s {
	case awards.Bill:
		return "Bill, not law"
	case awards.Pilot:
		return "Pilot program (agency policy, not statute)"
	}
	return "In force"
}

// WarningLabel names a kind of warning of the award engine.
func WarningLabel(kind string) string {
	switch kind {
	case awards.WarnPublicDisclosure:
		return "Public-disclosure bar"
	case awards.WarnFirstToFile:
		return "First-to-file bar"
	case awards.WarnDoubleRecovery:
		return "Double recovery"
	case awards.WarnUnverified:
		return "Unverified figure"
	case awards.WarnContested:
		return "Contested reading"
	case awards.WarnNotLaw:
		return "Not law"
	}
	return "Note"
}

// authorityNames name the authorities that bring actions.
var authorityNames = map[string]string{
	"sec": "Securities and Exchange Commission", "cftc": "Commodity Futures Trading Commission", "irs": "Internal Revenue Service",
	"fincen": "Financial Crimes Enforcement Network", "doj": "Department of Justice", "bis": "Bureau of Industry and Security",
	"fca": "a False Claims Act court", "state": "a state or other authority",
}

// AuthorityLabel names an authority that brings actions, in words.
func AuthorityLabel(id string) string {
	if name, ok := authorityNames[id]; ok {
		return upperFirst(name)
	}
	return id
}

// RoleLabel names how a claim counts an action.
func RoleLabel(r awards.Role) string {
	if r == awards.Related {
		return "A related action: its own claim"
	}
	return "The covered action"
}

// negativeFactorLabels name the factors that may lower an award.
var negativeFactorLabels = map[string]string{
	"culpability":                           "Culpable conduct in the violation",
	"unreasonable_delay":                    "Unreasonable delay in reporting",
	"interference_with_internal_compliance": "Interfered with internal compliance or reporting",
}

// NegativeFactorLabel names a negative factor (awards.NegativeFactors).
func NegativeFactorLabel(f string) string {
	if l, ok := negativeFactorLabels[f]; ok {
		return l
	}
	return f
}

// PayingProgramLabel names the program that would pay on an action: its
// name, or "No award program" where none does.
func PayingProgramLabel(id string) string {
	if p, err := awards.ProgramByID(id); err == nil {
		return p.Name
	}
	if name, ok := authorityNames[id]; ok {
		return "No award program of " + name
	}
	return "No award program"
}

// NoFee is the fee of a report for which counsel entered none.
const NoFee = -1

// ParseFee reads counsel's fee, a percentage of the award with at most
// two decimals ("33.33", "33.33 %"), in basis points; "" is NoFee.
func ParseFee(s string) (int, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return NoFee, nil
	}
	bp, err := awards.ParseUSD(s) // hundredths, as cents are of a dollar
	if err != nil || bp < 0 || bp > 10000 {
		return 0, tipline.Errorf(tipline.Invalid, "The fee is a percentage from 0 to 100 with at most two decimals, such as 33.33.")
	}
	return int(bp), nil
}

// SharePercent writes a share in basis points as a percentage, "33.33 %".
func SharePercent(bp int) string {
	return strings.TrimSuffix(awards.Percent(bp), "%") + " %"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Appeal is how a program's award determination may be appealed.
type Appeal struct {
	Text string
	Cite *awards.Citation // nil where no appeal lies
}

// appeals are the appeal periods of the programs with one.
var appeals = map[string]Appeal{
	"sec": {Text: "30 days after the Commission's final order on the award, to a United States court of appeals.",
		Cite: &awards.Citation{Label: "Appeal of an SEC award determination", Ref: "15 U.S.C. 78u-6(f)", Status: awards.Primary}},
	"cftc": {Text: "30 days after the Commission's final order on the award, to a United States court of appeals.",
		Cite: &awards.Citation{Label: "Appeal of a CFTC award determination", Ref: "7 U.S.C. 26(g)", Status: awards.Primary}},
	"irs": {Text: "30 days after the Whistleblower Office's determination of a 7623(b) award, to the United States Tax Court. A 7623(a) award is discretionary and not appealable.",
		Cite: &awards.Citation{Label: "Tax Court review of a 7623(b) determination", Ref: "26 U.S.C. 7623(b)(4)", Status: awards.Primary}},
}

// AppealOf returns how program's award determination is appealed. The DOJ
// pilot's awards are discretionary and the bills are not law: no appeal
// lies from them; a relator's share is set by the court in the action.
func AppealOf(program string) Appeal {
	if a, ok := appeals[program]; ok {
		return a
	}
	switch {
	case program == "fca":
		return Appeal{Text: "No separate award appeal: the court in the qui tam action sets the relator's share, and it is reviewed on appeal of that court's judgment."}
	case program == "doj-pilot":
		return Appeal{Text: "None: awards under the DOJ pilot are at the Department's discretion, and the pilot provides no appeal."}
	case strings.HasPrefix(program, "bis-"):
		return Appeal{Text: "None: the bill is not law. Its text provides no appeal period that applies today."}
	}
	return Appeal{Text: "The program text provides no appeal period the report can state; counsel to confirm."}
}

// TaxNote is a note on how an award is taxed, with its source.
type TaxNote struct {
	Text string
	Cite awards.Citation
}

// TaxNotes are the notes on tax treatment every award report carries.
var TaxNotes = []TaxNote{
	{Text: "A whistleblower award is gross income, taxed as ordinary income in the year it is received; it is not a capital gain.",
		Cite: awards.Citation{Label: "Gross income", Ref: "26 U.S.C. 61(a)", Status: awards.Secondary, Note: "General rule; read in practitioners' summaries, not checked against an award-specific ruling."}},
	{Text: "Attorney fees and court costs paid in connection with an IRS award under 7623(b) are deductible above the line, so the client is taxed on the award net of them (up to the award included in income).",
		Cite: awards.Citation{Label: "Above-the-line deduction of attorney fees, IRS awards", Ref: "26 U.S.C. 62(a)(21)", Status: awards.Secondary, Note: "Confirmed in IRS Form 1040 Schedule 1 summaries (line 24i); the statute's text was not read."}},
	{Text: "The same deduction is understood to reach SEC awards (15 U.S.C. 78u-6) and CFTC awards (7 U.S.C. 26) since the Bipartisan Budget Act of 2018; it does not reach awards under other programs.",
		Cite: awards.Citation{Label: "Extension of 62(a)(21) to SEC and CFTC awards", Ref: "26 U.S.C. 62(a)(21), as amended by Pub. L. 115-123", Status: awards.Unverified, Note: "The amendment was not read; confirm before relying on the deduction for an SEC or CFTC award."}},
}

// CollectionScenario is the award if a share of what was ordered is
// collected: what is collected today, half, or all of it.
type CollectionScenario struct {
	Label string
	// ShareBP is the share of each sanction ordered assumed collected; 0
	// for what the ledger holds today.
	ShareBP  int
	Base     awards.Cents
	Min, Max awards.Cents
	Net      *awards.Net // after sequestration, where the program has it
}

// collectionShares are the scenarios of every report.
var collectionShares = []struct {
	label string
	bp    int
}{{"Collected to date", 0}, {"50 % collected", 5000}, {"Fully collected", 10000}}

// CollectionScenarios estimates a claim under each collection scenario on
// the day today. A scenario never assumes less than the ledger holds.
func CollectionScenarios(c Claim, actions []Action, today string) ([]CollectionScenario, error) {
	var out []CollectionScenario
	for _, sc := range collectionShares {
		in := Input(c, actions, "", today)
		if sc.bp > 0 {
			for i := range in.Actions {
				for j, s := range in.Actions[i].Sanctions {
					in.Actions[i].Sanctions[j].Collected = max(s.Collected, s.Ordered/10000*awards.Cents(sc.bp)+s.Ordered%10000*awards.Cents(sc.bp)/10000)
				}
			}
		}
		res, err := awards.Estimate(in)
		if err != nil {
			return nil, err
		}
		out = append(out, CollectionScenario{Label: sc.label, ShareBP: sc.bp, Base: res.Base, Min: res.Min, Max: res.Max, Net: res.Net})
	}
	return out, nil
}

// LookBackDays is the period before a report to the SEC or CFTC within
// which an internal or other-agency report gives the claim its earlier
// date; the program's condition internal_report_120_days cites the rule.
const LookBackDays = 120

// LookBack is the earliest day an internal or other-agency report may
// have been made and still date the claim: LookBackDays before the first
// submission, with the program's rule. ok is false when no submission is
// linked or the program has no such rule.
func LookBack(c Claim) (day string, cite awards.Citation, ok bool) {
	p, err := awards.ProgramByID(c.Program)
	if err != nil || len(c.Submissions) == 0 {
		return "", cite, false
	}
	i := slices.IndexFunc(p.Conditions, func(x awards.Condition) bool { return x.ID == "internal_report_120_days" })
	if i < 0 {
		return "", cite, false
	}
	first := c.Submissions[0].ReceivedDay
	for _, s := range c.Submissions[1:] {
		first = min(first, s.ReceivedDay)
	}
	t, err := time.Parse(time.DateOnly, first)
	if err != nil {
		return "", cite, false
	}
	return t.AddDate(0, 0, -LookBackDays).Format(time.DateOnly), p.Conditions[i].Cite, true
}

// Anonymity says how the claimant is known, in words.
func Anonymity(c Claim) string {
	switch {
	case c.ShowLegalName && c.LegalName != "":
		return "Identified: the legal name is shown in this report."
	case c.LegalName != "":
		return "Anonymous through counsel: the legal name is sealed and not shown; the claimant appears as " + c.Pseudonym + "."
	}
	return "Anonymous: no legal name is recorded; the claimant appears as " + c.Pseudonym + "."
}
