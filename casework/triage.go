package casework

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tipline/tipline"
)

// Status is where a submission stands in triage.
type Status string

// The statuses, in their usual order.
const (
	New              Status = "new"
	Acknowledged     Status = "acknowledged"
	UnderReview      Status = "under_review"
	NeedsInformation Status = "needs_information"
	CaseOpened       Status = "case_opened"
	Referred         Status = "referred"
	Closed           Status = "closed"
)

// Statuses lists every status.
var Statuses = []Status{New, Acknowledged, UnderReview, NeedsInformation, CaseOpened, Referred, Closed}

// ClosingCode says why a submission was closed.
type ClosingCode string

// The closing codes.
var ClosingCodes = []ClosingCode{"not_credible", "duplicate", "no_jurisdiction", "insufficient_information", "resolved"}

// Deadline kinds of the triage engine. Later capabilities (award claims,
// qui tam seal periods) add their own kinds to the same table.
const (
	// DeadlineAcknowledge: acknowledge receipt within 7 days (EU Directive
	// 2019/1937, art. 9(1)(b)).
	DeadlineAcknowledge = "acknowledge"
	// DeadlineFeedback: give feedback within 3 months of the acknowledgement,
	// or of the end of the 7 days when none was sent (art. 9(1)(f)).
	DeadlineFeedback = "feedback"
	// DeadlineAwardClaim is the kind of the deadlines of award claims
	// (package claims) on the claim's submissions, one per program and
	// rule of the program (AwardClaimDeadline), due when the award engine
	// says, such as an award application 90 days after a Notice of Covered
	// Action (17 CFR 240.21F-10(b)).
	DeadlineAwardClaim = "award_claim"
	// DeadlineQuiTam is the kind of the deadlines of a qui tam matter
	// (package quitam) on its case's submissions, one per rule of the
	// matter (QuiTamDeadline): the 60-day seal of 31 U.S.C. 3730(b)(2) and
	// each extension, the 3731(b) limitations date, the 3730(h)(3)
	// retaliation deadline.
	DeadlineQuiTam = "qui_tam"
)

// DeadlineKind names a deadline in the deadline table: DeadlineAcknowledge,
// DeadlineFeedback, an award claim's deadline under one rule of one
// program, which AwardClaimDeadline makes and AwardClaim reads, or a qui
// tam matter's under one of its rules, which QuiTamDeadline makes and
// QuiTam reads. It is kept as its text ("award_claim:PROGRAM:RULE",
// "qui_tam:MATTER:RULE"); nothing else builds or takes that text apart.
type DeadlineKind string

// awardClaimPrefix starts the text of every award claim's deadline kind.
const awardClaimPrefix = DeadlineAwardClaim + ":"

// AwardClaimDeadline is the kind of an award claim's deadline under
// program's deadline rule (awards.DeadlineRule.ID).
func AwardClaimDeadline(program, rule string) DeadlineKind {
	return DeadlineKind(awardClaimPrefix + program + ":" + rule)
}

// AwardClaimDeadlines is the text every kind of award claim's deadline
// under program starts with, for a store to select them by prefix.
func AwardClaimDeadlines(program string) string {
	return awardClaimPrefix + program + ":"
}

// AwardClaim returns the program and rule of an award claim's deadline;
// ok is false for any other kind.
func (k DeadlineKind) AwardClaim() (program, rule string, ok bool) {
	rest, isAward := strings.CutPrefix(string(k), awardClaimPrefix)
	if !isAward {
		return "", "", false
	}
	program, rule, ok = strings.Cut(rest, ":")
	if !ok || program == "" || rule == "" {
		return "", "", false
	}
	return program, rule, true
}

// quiTamPrefix starts the text of every qui tam matter's deadline kind.
const quiTamPrefix = DeadlineQuiTam + ":"

// QuiTamDeadline is the kind of qui tam matter's deadline under rule
// ("qui_tam:MATTER:RULE").
func QuiTamDeadline(matter, rule string) DeadlineKind {
	return DeadlineKind(quiTamPrefix + matter + ":" + rule)
}

// QuiTamDeadlines is the text every deadline kind of matter starts with,
// for a store to select them by prefix.
func QuiTamDeadlines(matter string) string {
	return quiTamPrefix + matter + ":"
}

// QuiTam returns the matter and rule of a qui tam matter's deadline; ok
// is false for any other kind.
func (k DeadlineKind) QuiTam() (matter, rule string, ok bool) {
	rest, isQuiTam := strings.CutPrefix(string(k), quiTamPrefix)
	if !isQuiTam {
		return "", "", false
	}
	matter, rule, ok = strings.Cut(rest, ":")
	if !ok || matter == "" || rule == "" {
		return "", "", false
	}
	return matter, rule, true
}

// Policy is a desk's deadline rules.
type Policy struct {
	AckDays        int // days to acknowledge receipt
	FeedbackMonths int // months to give feedback, from the acknowledgement
}

// DefaultPolicy is EU Directive 2019/1937's.
var DefaultPolicy = Policy{AckDays: 7, FeedbackMonths: 3}

// Deadline is one dated obligation.
type Deadline struct {
	Kind   DeadlineKind `json:"kind"`
	DueDay string       `json:"due_day"`           // YYYY-MM-DD
	MetDay string       `json:"met_day,omitempty"` // YYYY-MM-DD once met
}

// Overdue reports whether the deadline is unmet after its day.
func (d Deadline) Overdue(today string) bool { return d.MetDay == "" && d.DueDay < today }

// ReceivedDeadlines are the deadlines a new submission starts with.
func (p Policy) ReceivedDeadlines(receivedDay string) ([]Deadline, error) {
	received, err := time.Parse(time.DateOnly, receivedDay)
	if err != nil {
		return nil, fmt.Errorf("casework: received day: %w", err)
	}
	ackDue := received.AddDate(0, 0, p.AckDays)
	return []Deadline{
		{Kind: DeadlineAcknowledge, DueDay: ackDue.Format(time.DateOnly)},
		{Kind: DeadlineFeedback, DueDay: addMonths(ackDue, p.FeedbackMonths).Format(time.DateOnly)},
	}, nil
}

// FeedbackDue is the feedback deadline once receipt was acknowledged on
// ackDay.
func (p Policy) FeedbackDue(ackDay string) (string, error) {
	ack, err := time.Parse(time.DateOnly, ackDay)
	if err != nil {
		return "", fmt.Errorf("casework: acknowledged day: %w", err)
	}
	return addMonths(ack, p.FeedbackMonths).Format(time.DateOnly), nil
}

// addMonths adds calendar months, keeping to the last day of a shorter
// month (January 31 plus one month is February 28 or 29), as periods in
// months are counted in law.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// Change is a triage update; nil fields stay as they are.
type Change struct {
	Status      *Status      `json:"status,omitempty"`
	ClosingCode *ClosingCode `json:"closing_code,omitempty"`
	Assignee    *string      `json:"assignee,omitempty"` // staff email; "" unassigns
	Labels      *[]string    `json:"labels,omitempty"`
	Priority    *int         `json:"priority,omitempty"` // 0 (none) to 3 (urgent)
}

var labelPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// Check validates a change against the submission's current status and
// returns the closing code the submission will have afterwards.
func (ch Change) Check(current Status, currentCode ClosingCode) (ClosingCode, error) {
	status, code := current, currentCode
	if ch.Status != nil {
		if !slices.Contains(Statuses, *ch.Status) {
			return "", tipline.Errorf(tipline.Invalid, "Unknown status %q.", *ch.Status)
		}
		if *ch.Status == New && current != New {
			return "", tipline.Errorf(tipline.Invalid, "A submission cannot go back to new.")
		}
		status = *ch.Status
		if status != Closed {
			code = ""
		}
	}
	if ch.ClosingCode != nil {
		if !slices.Contains(ClosingCodes, *ch.ClosingCode) {
			return "", tipline.Errorf(tipline.Invalid, "Unknown closing code %q.", *ch.ClosingCode)
		}
		if status != Closed {
			return "", tipline.Errorf(tipline.Invalid, "Only a closed submission has a closing code.")
		}
		code = *ch.ClosingCode
	}
	if status == Closed && code == "" {
		return "", tipline.Errorf(tipline.Invalid, "Closing a submission needs a closing code.")
	}
	if ch.Priority != nil && (*ch.Priority < 0 || *ch.Priority > 3) {
		return "", tipline.Errorf(tipline.Invalid, "Priority runs from 0 (none) to 3 (urgent).")
	}
	if ch.Labels != nil {
		if len(*ch.Labels) > 20 {
			return "", tipline.Errorf(tipline.Invalid, "At most 20 labels.")
		}
		for _, l := range *ch.Labels {
			if !labelPattern.MatchString(l) {
				return "", tipline.Errorf(tipline.Invalid, "A label is 1 to 40 lowercase letters, digits, '-' and '_'.")
			}
		}
	}
	return code, nil
}

// MeetsDeadlines returns the deadline kinds that moving to status meets:
// any step past new acknowledges receipt; a step that tells the source
// where their tip stands gives feedback.
func MeetsDeadlines(status Status) []string {
	switch status {
	case New:
		return nil
	case Acknowledged, UnderReview:
		return []string{DeadlineAcknowledge}
	}
	return []string{DeadlineAcknowledge, DeadlineFeedback}
}

// SubmissionSummary is a submission as the triage queue lists it: metadata
// only, never content.
type SubmissionSummary struct {
	ID   string `json:"id"`
	Desk string `json:"desk"`
	// Number is the tip's number on its desk ("Tip #14"), given at commit
	// in the order of commits on the desk.
	Number      int         `json:"number"`
	ReceivedDay string      `json:"received_day"`
	Status      Status      `json:"status"`
	ClosingCode ClosingCode `json:"closing_code,omitempty"`
	Priority    int         `json:"priority"`
	Assignee    string      `json:"assignee,omitempty"` // staff email
	Labels      []string    `json:"labels"`
	Deadlines   []Deadline  `json:"deadlines"`
	// Flood is set when the submission was committed while its desk, or
	// all desks, were over the hourly soft limit: it may be part of a
	// flood and is triaged apart from the others.
	Flood bool `json:"flood"`
	// Lang is the language of the source's pages ("en", "zh"): the
	// language to reply in.
	Lang string `json:"lang"`
	// Files counts the evidence files, the tip's and its follow-ups'.
	Files int `json:"files"`
	// Unread counts the source's messages and follow-ups after the last
	// object the listing staff member saw on the submission's page.
	Unread int `json:"unread"`
}

// ObjectRef names one encrypted object of a submission.
type ObjectRef struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Position int    `json:"position"`
	Author   string `json:"author"` // "source" (the tip, follow-up messages) or "staff" (replies)
	Size     int64  `json:"size"`   // of the encrypted body
	SHA256   string `json:"sha256"` // of the whole message, as in the receipt
}

// SubmissionDetail is one submission with the ids of its encrypted objects.
type SubmissionDetail struct {
	SubmissionSummary
	EncryptedBy string      `json:"encrypted_by"`
	Objects     []ObjectRef `json:"objects"`
}

// Query selects submissions for the triage queue, newest (or oldest)
// first, a page at a time by keyset (received day and id of the last item
// seen).
type Query struct {
	Desks         []string // the desks the caller may see; nil means all
	Viewer        int64    // the staff member whose unread messages are counted
	Desk          string
	Status        Status
	Assignee      string // staff email
	Label         string
	Flood         *bool // only submissions received during a flood (true) or not (false)
	Priority      *int
	Overdue       bool // an unmet deadline is past
	DueWithinDays int  // an unmet deadline falls within this many days (0: no filter)
	Today         string
	Oldest        bool   // oldest first instead of newest first
	AfterDay      string // keyset: continue after this (day, id)
	AfterID       string
	Limit         int
}

// TriageStore keeps the triage state of submissions, and records views of
// them in the audit log.
type TriageStore interface {
	AuditAppender
	// StaffDirectory finds assignees.
	StaffDirectory
	// ListSubmissions returns up to q.Limit submissions matching q.
	ListSubmissions(ctx context.Context, q Query) ([]SubmissionSummary, error)
	// ViewSubmission records that userID saw every object the submission
	// has now, and appends rec to the audit log, in one transaction.
	ViewSubmission(ctx context.Context, userID int64, id string, rec AuditRecord) error
	// SubmissionDetail returns one submission; NotFound when there is none.
	SubmissionDetail(ctx context.Context, id string) (SubmissionDetail, error)
	// UpdateSubmission checks a change against the submission's current
	// state (Change.Check) and applies it in one transaction: the status and
	// the deadlines it meets, closing code, assignee (NotFound for an
	// unknown one), labels and priority, and appends rec to the audit log.
	// NotFound when there is no such submission.
	UpdateSubmission(ctx context.Context, id string, ch Change, today string, rec AuditRecord) error
}
