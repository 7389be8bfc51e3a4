package claims

import (
	"slices"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
)

// Status is where a claim stands.
type Status string

// The statuses, in their usual order.
const (
	Draft     Status = "draft"
	Filed     Status = "filed"
	Pending   Status = "pending"
	Awarded   Status = "awarded"
	Denied    Status = "denied"
	Paid      Status = "paid"
	Withdrawn Status = "withdrawn"
)

// Statuses lists every status.
var Statuses = []Status{Draft, Filed, Pending, Awarded, Denied, Paid, Withdrawn}

// next lists the statuses a claim may move to from each status.
var next = map[Status][]Status{
	Draft:   {Filed, Withdrawn},
	Filed:   {Pending, Awarded, Denied, Withdrawn},
	Pending: {Awarded, Denied, Withdrawn},
	Awarded: {Paid},
	Denied:  {Pending}, // reconsideration or appeal
}

// Next lists the statuses a claim in status st may move to, in their
// usual order; none for a paid or withdrawn claim.
func (st Status) Next() []Status { return slices.Clone(next[st]) }

// Closed reports whether a claim in status st has no deadlines left.
func (st Status) Closed() bool { return st == Paid || st == Withdrawn || st == Denied }

// ClaimantKind says who claims.
type ClaimantKind string

// The claimant kinds.
const (
	// Source is a source of the tipline claiming through counsel,
	// identified or by pseudonym.
	Source ClaimantKind = "source"
	// Relator is a qui tam relator (31 U.S.C. 3730(b)).
	Relator ClaimantKind = "relator"
)

// ItemStatus is the status of a checklist item. For a condition, yes
// means it is met; for a disqualifier, yes means it applies.
type ItemStatus string

// The item statuses.
const (
	Open          ItemStatus = "open"
	Yes           ItemStatus = "yes"
	No            ItemStatus = "no"
	NotApplicable ItemStatus = "n_a"
)

// ItemStatuses lists every item status.
var ItemStatuses = []ItemStatus{Open, Yes, No, NotApplicable}

// ItemKind is a condition (must be met) or a disqualifier (must not
// apply).
type ItemKind string

// The item kinds.
const (
	Condition    ItemKind = "condition"
	Disqualifier ItemKind = "disqualifier"
)

// ChecklistItem is one item of the eligibility checklist with counsel's
// evidence for its status.
type ChecklistItem struct {
	Item      string     `json:"item"`
	Kind      ItemKind   `json:"kind"`
	Label     string     `json:"label"`
	Cite      string     `json:"cite,omitempty"` // the rule, when the program cites one
	Status    ItemStatus `json:"status"`
	Evidence  string     `json:"evidence"`
	UpdatedAt time.Time  `json:"updated_at,omitzero"`
}

// Conditions are the eligibility conditions every program shares in
// substance (17 CFR 240.21F-4; 31 U.S.C. 5323; the DOJ pilot's terms).
var Conditions = []ChecklistItem{
	{Item: "voluntary", Label: "Information provided voluntarily"},
	{Item: "original_information", Label: "Original information (independent knowledge or analysis, not already known)"},
	{Item: "before_request", Label: "Provided before any request from an authority"},
	{Item: "timely", Label: "Timely: reported, and the award applied for, within the program's periods"},
	{Item: "internal_report_120_days", Label: "120-day rule: reported to the authority within 120 days of an internal or other-agency report"},
}

// Split is one claimant of a claim with the facts that decide their part
// of the award: whether they reported jointly with others, their agreed
// share, the sanctions SEC Rule 21F-16 disregards for them, a bar, and
// the factors that may lower their award. A claim without splits has one
// claimant, its pseudonym, with none of these facts.
type Split struct {
	Claimant string `json:"claimant"` // a pseudonym
	// Joint: reported jointly with the other joint claimants. A claimant
	// with a share is joint.
	Joint bool `json:"joint"`
	// ShareBP is an agreed share of a joint award in basis points: the
	// joint claimants' shares are all given and sum to 10000, or none is.
	ShareBP int `json:"share_bp"`
	// CulpableAmount is the total of the sanctions ordered for conduct the
	// claimant directed, planned or initiated (17 CFR 240.21F-16).
	CulpableAmount awards.Cents `json:"culpable_amount"`
	// Disqualified is why the claimant is barred: a disqualifier id of the
	// program, or counsel's words; "" for none.
	Disqualified    string   `json:"disqualified,omitempty"`
	NegativeFactors []string `json:"negative_factors"` // of awards.NegativeFactors
}

// SubmissionRef is a submission as a claim shows it: its receipt, never
// its content.
type SubmissionRef struct {
	ID          string `json:"id"`
	ReceivedDay string `json:"received_day"`
	ReceiptHash string `json:"receipt_sha256"` // the intake log entry's SHA-256, as on the signed receipt
	Seq         int64  `json:"log_seq"`        // the entry's position in the intake log
	Desk        string `json:"-"`
}

// ClaimFields are what counsel write about a claim.
type ClaimFields struct {
	Program            string       `json:"program"`
	ClaimantKind       ClaimantKind `json:"claimant_kind"`
	Pseudonym          string       `json:"pseudonym"`
	LegalName          string       `json:"legal_name,omitempty"`
	ShowLegalName      bool         `json:"show_legal_name"`
	AmountInDispute    string       `json:"amount_in_dispute,omitempty"`   // USD; IRS 7623(b)
	TaxpayerIndividual bool         `json:"taxpayer_individual,omitempty"` // IRS 7623(b)(5)(A)
	IndividualIncome   string       `json:"individual_income,omitempty"`   // USD; IRS 7623(b)
	Intervened         *bool        `json:"intervened,omitempty"`          // FCA
	PublicDisclosure   bool         `json:"public_disclosure,omitempty"`   // FCA 3730(e)(4), IRS 7623(b)(2)
	OriginalSource     bool         `json:"original_source,omitempty"`     // FCA 3730(e)(4)(B), IRS 7623(b)(2)(B)
	Counsel            []string     `json:"counsel"`                       // staff emails of role counsel
}

// Claim is an award claim.
type Claim struct {
	ID                 string          `json:"id"`
	Program            string          `json:"program"`
	Status             Status          `json:"status"`
	ClaimantKind       ClaimantKind    `json:"claimant_kind"`
	Pseudonym          string          `json:"pseudonym"`
	LegalName          string          `json:"legal_name,omitempty"`
	LegalNameSealed    []byte          `json:"-"`
	ShowLegalName      bool            `json:"show_legal_name"`
	AmountInDispute    awards.Cents    `json:"amount_in_dispute"`
	TaxpayerIndividual bool            `json:"taxpayer_individual"`
	IndividualIncome   awards.Cents    `json:"individual_income"`
	Intervened         *bool           `json:"intervened,omitempty"`
	PublicDisclosure   bool            `json:"public_disclosure"`
	OriginalSource     bool            `json:"original_source"`
	Counsel            []string        `json:"counsel"`
	Submissions        []SubmissionRef `json:"submissions"`
	Actions            []string        `json:"actions"`
	Terms              []ActionTerms   `json:"action_terms"` // how the claim counts each of its actions, one per action
	Checklist          []ChecklistItem `json:"checklist"`
	Splits             []Split         `json:"splits"`
	CreatedAt          time.Time       `json:"created_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
}

// Claimant is the name the claim shows: the pseudonym unless counsel chose
// to show the legal name.
func (c Claim) Claimant() string {
	if c.ShowLegalName && c.LegalName != "" {
		return c.LegalName
	}
	return c.Pseudonym
}

// check validates the fields; it returns the parsed amounts.
func (f ClaimFields) check() (ClaimFields, awards.Cents, awards.Cents, error) {
	var err error
	if _, err := awards.ProgramByID(f.Program); err != nil {
		return f, 0, 0, tipline.Errorf(tipline.Invalid, "Unknown program %q.", f.Program)
	}
	if f.ClaimantKind != Source && f.ClaimantKind != Relator {
		return f, 0, 0, tipline.Errorf(tipline.Invalid, "The claimant is a source or a relator.")
	}
	if f.Pseudonym, err = oneLine(f.Pseudonym, "The pseudonym", 200, false); err != nil {
		return f, 0, 0, err
	}
	if f.LegalName, err = oneLine(f.LegalName, "The legal name", 200, true); err != nil {
		return f, 0, 0, err
	}
	if f.ShowLegalName && f.LegalName == "" {
		return f, 0, 0, tipline.Errorf(tipline.Invalid, "There is no legal name to show.")
	}
	amount := func(s, what string) (awards.Cents, error) {
		if s == "" {
			return 0, nil
		}
		c, err := awards.ParseUSD(s)
		if err != nil || c < 0 {
			return 0, tipline.Errorf(tipline.Invalid, "%s is an amount in dollars, such as 2500000.00.", what)
		}
		return c, nil
	}
	dispute, err := amount(f.AmountInDispute, "The amount in dispute")
	if err != nil {
		return f, 0, 0, err
	}
	income, err := amount(f.IndividualIncome, "The individual's income")
	if err != nil {
		return f, 0, 0, err
	}
	if len(f.Counsel) > 20 {
		return f, 0, 0, tipline.Errorf(tipline.Invalid, "At most 20 counsel.")
	}
	f.Counsel = slices.Compact(slices.Sorted(slices.Values(f.Counsel)))
	return f, dispute, income, nil
}

// bare reports whether the split names a claimant and nothing else.
func (s Split) bare() bool {
	return !s.Joint && s.ShareBP == 0 && s.CulpableAmount == 0 && s.Disqualified == "" && len(s.NegativeFactors) == 0
}

// checkSplits validates a claim's claimants: none (the claim's
// pseudonym alone) or 1 to 20. Joint claimants report with at least one
// other; their agreed shares are all given and sum to 10000 basis points,
// or none is; a claimant with a share is joint.
func checkSplits(splits []Split) ([]Split, error) {
	if len(splits) > 20 {
		return nil, tipline.Errorf(tipline.Invalid, "A claim has at most 20 claimants.")
	}
	out := make([]Split, len(splits))
	joint, shares, sum := 0, 0, 0
	for i, s := range splits {
		name, err := oneLine(s.Claimant, "A claimant's pseudonym", 200, false)
		if err != nil {
			return nil, err
		}
		if s.ShareBP < 0 || s.ShareBP > 10000 {
			return nil, tipline.Errorf(tipline.Invalid, "%s: a share is 0 to 100%%.", name)
		}
		if s.CulpableAmount < 0 {
			return nil, tipline.Errorf(tipline.Invalid, "%s: the sanctions for their own conduct are an amount in dollars, not negative.", name)
		}
		barred, err := oneLine(s.Disqualified, name+": the reason they are barred", MaxText, true)
		if err != nil {
			return nil, err
		}
		factors := []string{}
		for _, f := range s.NegativeFactors {
			if !slices.Contains(awards.NegativeFactors, f) {
				return nil, tipline.Errorf(tipline.Invalid, "%s: unknown negative factor %q.", name, f)
			}
			if !slices.Contains(factors, f) {
				factors = append(factors, f)
			}
		}
		sp := Split{Claimant: name, Joint: s.Joint || s.ShareBP > 0, ShareBP: s.ShareBP, CulpableAmount: s.CulpableAmount,
			Disqualified: barred, NegativeFactors: factors}
		if sp.Joint {
			joint++
			if sp.ShareBP > 0 {
				shares++
				sum += sp.ShareBP
			}
		}
		out[i] = sp
	}
	if joint == 1 {
		return nil, tipline.Errorf(tipline.Invalid, "A joint claimant reported with at least one other: mark two or more claimants joint, or none.")
	}
	if shares > 0 && (shares != joint || sum != 10000) {
		return nil, tipline.Errorf(tipline.Invalid, "The joint claimants' shares are all given and add up to 100%%, not %s; or leave every share empty.", awards.Percent(sum))
	}
	return out, nil
}

// ClaimQuery selects claims.
type ClaimQuery struct {
	Counsel string   // staff email: only claims assigned to them
	Desks   []string // only claims with a submission of one of these desks; nil: any
	Status  Status
	Limit   int
}

// Estimate is one stored result of the award engine for a claim.
type Estimate struct {
	ID            int64        `json:"id"`
	LedgerVersion int64        `json:"ledger_version"`
	ComputedAt    time.Time    `json:"computed_at"`
	Eligible      bool         `json:"eligible"`
	Incomplete    bool         `json:"incomplete"` // nothing decided the claim yet (see Verdict)
	Base          awards.Cents `json:"base"`
	Min           awards.Cents `json:"min"`
	Max           awards.Cents `json:"max"`
	Result        string       `json:"-"` // the engine's result as JSON, for the record
}
