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

// Split is one joint claimant's share.
type Split struct {
	Claimant string `json:"claimant"` // a pseudonym
	ShareBP  int    `json:"share_bp"` // basis points; all shares sum to 10000
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
	PublicDisclosure   bool         `json:"public_disclosure,omitempty"`   // FCA 3730(d)(1)
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
	Counsel            []string        `json:"counsel"`
	Submissions        []SubmissionRef `json:"submissions"`
	Actions            []string        `json:"actions"`
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

// checkSplits validates joint claimants' shares: none for a single
// claimant, or two or more that sum to 10000 basis points.
func checkSplits(splits []Split) ([]Split, error) {
	if len(splits) == 0 {
		return []Split{}, nil
	}
	if len(splits) == 1 || len(splits) > 20 {
		return nil, tipline.Errorf(tipline.Invalid, "A joint claim has 2 to 20 claimants; a single claimant needs no split.")
	}
	out := make([]Split, len(splits))
	sum := 0
	for i, s := range splits {
		name, err := oneLine(s.Claimant, "A claimant's pseudonym", 200, false)
		if err != nil {
			return nil, err
		}
		if s.ShareBP < 1 || s.ShareBP > 10000 {
			return nil, tipline.Errorf(tipline.Invalid, "A share is 1 to 10000 basis points.")
		}
		sum += s.ShareBP
		out[i] = Split{Claimant: name, ShareBP: s.ShareBP}
	}
	if sum != 10000 {
		return nil, tipline.Errorf(tipline.Invalid, "The shares sum to %d basis points, not 10000.", sum)
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
	Base          awards.Cents `json:"base"`
	Min           awards.Cents `json:"min"`
	Max           awards.Cents `json:"max"`
	Result        string       `json:"-"` // the engine's result as JSON, for the record
}
