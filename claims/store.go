package claims

import (
	"context"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/quitam"
)

// Store keeps actions, the ledger and claims. Every method that changes
// them appends its audit record rec in the change's transaction: when the
// record cannot be written, nothing changes. Views are recorded with
// AppendAudit.
type Store interface {
	casework.AuditAppender

	// CreateAction stores a new action created by the user byID. NotFound
	// when its covered action does not exist; Invalid when that action is
	// not itself a covered action.
	CreateAction(ctx context.Context, id string, f ActionFields, byID int64, at time.Time, rec casework.AuditRecord) error
	// UpdateAction replaces an action's fields, as CreateAction checks
	// them; NotFound for no such action.
	UpdateAction(ctx context.Context, id string, f ActionFields, at time.Time, rec casework.AuditRecord) error
	// Action returns one action with its sanctions, ledger and the counsel
	// of its claims; NotFound when there is none.
	Action(ctx context.Context, id string) (Action, error)
	// ListActions returns up to limit actions, newest first, with the same
	// detail as Action.
	ListActions(ctx context.Context, limit int) ([]Action, error)
	// CaseDesk returns the desk of a case; NotFound when there is none.
	CaseDesk(ctx context.Context, caseID string) (string, error)
	// LinkActionCase links an action to a case ("" unlinks); NotFound for
	// no such action.
	LinkActionCase(ctx context.Context, id, caseID string, at time.Time, rec casework.AuditRecord) error
	// SetSanction sets what an action orders of one kind (0 removes it);
	// NotFound for no such action.
	SetSanction(ctx context.Context, actionID string, s Sanction, at time.Time, rec casework.AuditRecord) error
	// AppendCollection appends an entry to the ledger and returns it with
	// its id; the audit record is rec of the entry appended. With
	// c.Reverses set it reverses that entry of the same action (the amount
	// is its negation); Conflict when it is reversed already, Invalid when
	// it is itself a reversal.
	AppendCollection(ctx context.Context, c Collection, byID int64, at time.Time, rec func(Collection) casework.AuditRecord) (Collection, error)
	// CollectionAction returns the action of a ledger entry.
	CollectionAction(ctx context.Context, id int64) (string, error)

	// CreateClaim stores a new draft claim; Invalid when a counsel email is
	// no counsel's.
	CreateClaim(ctx context.Context, c Claim, at time.Time, rec casework.AuditRecord) error
	// UpdateClaim replaces a claim's fields and counsel.
	UpdateClaim(ctx context.Context, c Claim, at time.Time, rec casework.AuditRecord) error
	// SetClaimStatus changes a claim's status, and marks the open
	// award-claim deadlines of the claim's submissions whose kind is in
	// meet as met on day.
	SetClaimStatus(ctx context.Context, id string, st Status, meet []casework.DeadlineKind, day string, at time.Time, rec casework.AuditRecord) error
	// SetClaimSubmissions replaces a claim's submissions; NotFound for an
	// unknown submission.
	SetClaimSubmissions(ctx context.Context, id string, submissions []string, at time.Time, rec casework.AuditRecord) error
	// SetClaimActions replaces a claim's actions, keeping the terms of
	// those it still counts; NotFound for an unknown action.
	SetClaimActions(ctx context.Context, id string, actions []string, at time.Time, rec casework.AuditRecord) error
	// SetActionTerms sets the terms of the claim's actions named in terms;
	// the others get their defaults.
	SetActionTerms(ctx context.Context, id string, terms []ActionTerms, at time.Time, rec casework.AuditRecord) error
	// SetChecklist stores the status and evidence of the items given.
	SetChecklist(ctx context.Context, id string, items []ChecklistItem, at time.Time, rec casework.AuditRecord) error
	// SetSplits replaces a claim's claimants and their facts.
	SetSplits(ctx context.Context, id string, splits []Split, at time.Time, rec casework.AuditRecord) error
	// Claim returns one claim with its counsel, submissions (with their
	// receipt hash and day from the intake log), actions, checklist items
	// as stored and splits; NotFound when there is none.
	Claim(ctx context.Context, id string) (Claim, error)
	// ListClaims returns up to q.Limit claims q selects, newest first,
	// with the same detail as Claim.
	ListClaims(ctx context.Context, q ClaimQuery) ([]Claim, error)
	// ClaimsOfAction returns the ids of the claims an action is part of.
	ClaimsOfAction(ctx context.Context, actionID string) ([]string, error)
	// AddEstimate appends an estimate unless it equals the latest in
	// ledger version and result; it reports whether it appended.
	AddEstimate(ctx context.Context, claimID string, e Estimate) (bool, error)
	// Estimates returns a claim's estimates, oldest first.
	Estimates(ctx context.Context, claimID string) ([]Estimate, error)
	// SetClaimDeadlines replaces the unmet award-claim deadlines of the
	// claim's submissions for its program with ds.
	SetClaimDeadlines(ctx context.Context, claimID string, ds []casework.Deadline) error
	// ClaimMatters returns the qui tam matters linked to a claim, with
	// their extensions, collections and counsel, oldest first.
	ClaimMatters(ctx context.Context, claimID string) ([]quitam.Matter, error)
}
