package casework

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tipline/tipline"
)

// Audit actions of retention.
const (
	ActionRetentionPolicy  AuditAction = "desk.retention"
	ActionLegalHoldSet     AuditAction = "submission.legal_hold"
	ActionLegalHoldRelease AuditAction = "submission.legal_hold_release"
	// ActionRetentionDelete records a tip deleted by retention, by ids
	// only: the submission, its desk and number, its objects.
	ActionRetentionDelete AuditAction = "submission.retention_delete"
)

// MaxRetentionDays bounds a desk's retention period (100 years).
const MaxRetentionDays = 36500

// MaxHoldReason bounds the reason an admin gives for a legal hold.
const MaxHoldReason = 300

// HoldKind says why a tip may not be deleted.
type HoldKind string

// The kinds of hold, each of which blocks deletion on its own.
const (
	// HoldOpenCase: the tip is in a case that is not closed.
	HoldOpenCase HoldKind = "open_case"
	// HoldAwardClaim: the tip is linked to an award claim that is not
	// closed (claims.Status.Closed: paid, denied or withdrawn).
	HoldAwardClaim HoldKind = "award_claim"
	// HoldEnforcementAction: an enforcement action is linked to a case
	// holding the tip or to a claim on it, and is not closed: it has no
	// final order yet, or less is collected than it ordered.
	HoldEnforcementAction HoldKind = "enforcement_action"
	// HoldDeadline: the tip has a deadline not yet met (an award claim's
	// window, a qui tam seal or limitations date, ...), due or past due.
	HoldDeadline HoldKind = "deadline"
	// HoldLegal: an admin put the tip under a legal hold.
	HoldLegal HoldKind = "legal"
)

// Hold is one reason a tip is kept.
type Hold struct {
	Kind HoldKind `json:"kind"`
	// Ref names what holds it: the case, claim or action id, or the
	// deadline's kind; "" for a legal hold.
	Ref string `json:"ref,omitempty"`
	// A legal hold's admin (email), day (YYYY-MM-DD) and reason ("" when
	// none was given).
	SetBy  string `json:"set_by,omitempty"`
	SetDay string `json:"set_day,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// String describes the hold in words, with ids only.
func (h Hold) String() string {
	switch h.Kind {
	case HoldOpenCase:
		return "in case " + h.Ref + ", not closed"
	case HoldAwardClaim:
		return "linked to award claim " + h.Ref + ", not closed"
	case HoldEnforcementAction:
		return "linked to enforcement action " + h.Ref + ", not closed"
	case HoldDeadline:
		return "deadline " + h.Ref + " not met"
	case HoldLegal:
		return "legal hold set by " + h.SetBy + " on " + h.SetDay
	}
	return string(h.Kind) + " " + h.Ref
}

// RetentionState is where one tip stands under its desk's retention
// policy: metadata and ids only.
type RetentionState struct {
	SubmissionID string `json:"submission"`
	Desk         string `json:"desk"`
	Number       int    `json:"number"`
	ClosedDay    string `json:"closed_day,omitempty"` // YYYY-MM-DD; "" while not closed
	KeepDays     int    `json:"keep_days"`            // the desk's policy; 0: kept forever
	Holds        []Hold `json:"holds"`
}

// DeleteOn is the day the tip is due for deletion under its desk's policy
// (YYYY-MM-DD), holds aside; "" while it is not closed or when its desk
// keeps tips forever.
func (r RetentionState) DeleteOn() string {
	if r.ClosedDay == "" || r.KeepDays <= 0 {
		return ""
	}
	closed, err := time.Parse(time.DateOnly, r.ClosedDay)
	if err != nil {
		return ""
	}
	return closed.AddDate(0, 0, r.KeepDays).Format(time.DateOnly)
}

// Due reports whether retention deletes the tip on day today: its delete
// day has come and nothing holds it.
func (r RetentionState) Due(today string) bool {
	on := r.DeleteOn()
	return on != "" && on <= today && len(r.Holds) == 0
}

// UnderLegalHold reports whether an admin put the tip under a legal hold.
func (r RetentionState) UnderLegalHold() bool {
	for _, h := range r.Holds {
		if h.Kind == HoldLegal {
			return true
		}
	}
	return false
}

// RetentionStore keeps desks' retention policies and legal holds, and
// deletes tips. Every change appends its audit record in its transaction.
type RetentionStore interface {
	// SetRetentionPolicy sets how many days after closing a desk's tips are
	// deleted; 0 keeps them forever. NotFound for an unknown desk.
	SetRetentionPolicy(ctx context.Context, desk string, closedDays int, rec AuditRecord) error
	// RetentionPolicy returns a desk's days (0: kept forever).
	RetentionPolicy(ctx context.Context, desk string) (int, error)
	// RetentionState returns one tip's state, holds included.
	RetentionState(ctx context.Context, submissionID string) (RetentionState, error)
	// ExpiredSubmissions returns the states of the closed tips whose
	// delete day is today or earlier, held or not, oldest first.
	ExpiredSubmissions(ctx context.Context, today string) ([]RetentionState, error)
	// SetLegalHold puts a tip under a legal hold; Conflict when it is
	// under one already.
	SetLegalHold(ctx context.Context, submissionID string, by int64, day, reason string, rec AuditRecord) error
	// ReleaseLegalHold releases a tip's legal hold; NotFound when it has none.
	ReleaseLegalHold(ctx context.Context, submissionID string, rec AuditRecord) error
	// DeleteExpired deletes a tip that is still Due(today) when its
	// transaction has it locked: its rows, key packets and grants, with the
	// audit record that record makes of it and its object ids, and queues
	// its blobs for deletion in the same transaction. ok is false when
	// nothing was deleted: the tip is gone (another node deleted it) or no
	// longer due.
	DeleteExpired(ctx context.Context, submissionID, today string, record func(s RetentionState, objects []string) AuditRecord) (ok bool, err error)
	// QueuedBlobDeletions returns up to limit blob keys queued for deletion,
	// pending/ keys before objects/ keys.
	QueuedBlobDeletions(ctx context.Context, limit int) ([]string, error)
	// BlobDeleted takes a deleted blob's key off the queue.
	BlobDeleted(ctx context.Context, key string) error
}

// BlobDeleter deletes blobs; deleting a missing blob is not an error
// (blob.Store).
type BlobDeleter interface {
	Delete(ctx context.Context, key string) error
}

// Retention deletes closed tips when their desk's policy says so and
// nothing holds them, and keeps the policies and legal holds. Deleting
// cannot be undone: the rows go first, in one transaction with the audit
// entry and a queue of the blobs to delete, and the blobs after, so that
// a crash never leaves a row naming a missing blob; a later run finishes
// the queue.
type Retention struct {
	Store  RetentionStore
	Blobs  BlobDeleter
	Triage *Triage // who may see which tip
	Now    func() time.Time
}

func (r *Retention) today() string { return r.Now().UTC().Format(time.DateOnly) }

// Policy returns a desk's retention days (0: kept forever), for admins.
func (r *Retention) Policy(ctx context.Context, p Principal, desk string) (int, error) {
	if err := requireAdmin(p); err != nil {
		return 0, err
	}
	return r.Store.RetentionPolicy(ctx, desk)
}

// SetPolicy sets how many days after closing a desk's tips are deleted;
// 0 keeps them forever.
func (r *Retention) SetPolicy(ctx context.Context, p Principal, desk string, closedDays int) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if closedDays < 0 || closedDays > MaxRetentionDays {
		return tipline.Errorf(tipline.Invalid, "Give the days as a whole number from 1 to %d, or 0 to keep tips forever.", MaxRetentionDays)
	}
	rec := AuditRecord{At: r.Now(), Actor: p.UserID, Action: ActionRetentionPolicy, Target: "desk:" + desk,
		Detail: map[string]string{"closed_days": strconv.Itoa(closedDays)}}
	return r.Store.SetRetentionPolicy(ctx, desk, closedDays, rec)
}

// State returns where a tip that p may see stands under retention.
func (r *Retention) State(ctx context.Context, p Principal, submissionID string) (RetentionState, error) {
	if _, err := r.Triage.Get(ctx, p, submissionID); err != nil {
		return RetentionState{}, err
	}
	return r.Store.RetentionState(ctx, submissionID)
}

// SetLegalHold puts a tip under a legal hold, for admins; reason is
// optional.
func (r *Retention) SetLegalHold(ctx context.Context, p Principal, submissionID, reason string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	reason = strings.Join(strings.Fields(reason), " ")
	if utf8.RuneCountInString(reason) > MaxHoldReason {
		return tipline.Errorf(tipline.Invalid, "The reason is at most %d characters.", MaxHoldReason)
	}
	if _, err := r.Triage.Get(ctx, p, submissionID); err != nil {
		return err
	}
	now := r.Now()
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionLegalHoldSet, Target: "submission:" + submissionID,
		Detail: map[string]string{"reason": reason}}
	return r.Store.SetLegalHold(ctx, submissionID, p.UserID, now.UTC().Format(time.DateOnly), reason, rec)
}

// ReleaseLegalHold releases a tip's legal hold, for admins.
func (r *Retention) ReleaseLegalHold(ctx context.Context, p Principal, submissionID string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if _, err := r.Triage.Get(ctx, p, submissionID); err != nil {
		return err
	}
	rec := AuditRecord{At: r.Now(), Actor: p.UserID, Action: ActionLegalHoldRelease, Target: "submission:" + submissionID}
	return r.Store.ReleaseLegalHold(ctx, submissionID, rec)
}

// RetentionReport is what one run deleted (or, dry, would delete) and
// which expired tips it kept because of holds.
type RetentionReport struct {
	Today   string
	Deleted []RetentionState
	Held    []RetentionState
	// Blobs counts the blobs deleted from the blob store, those of tips
	// deleted by an earlier run that stopped halfway included.
	Blobs int
}

// blobBatch is how many queued blob deletions one query fetches.
const blobBatch = 500

// Run deletes every tip due today and its blobs, and reports the expired
// tips it keeps because of holds. With dryRun it changes nothing and
// reports what it would delete. Several nodes may run it at once: each tip
// is deleted in its own transaction once, and the others find nothing to
// do. It is the system's work, not an account's, and is audited as actor 0.
func (r *Retention) Run(ctx context.Context, dryRun bool) (RetentionReport, error) {
	rep := RetentionReport{Today: r.today()}
	if !dryRun {
		if err := r.deleteQueuedBlobs(ctx, &rep); err != nil {
			return rep, err
		}
	}
	expired, err := r.Store.ExpiredSubmissions(ctx, rep.Today)
	if err != nil {
		return rep, err
	}
	for _, st := range expired {
		if !st.Due(rep.Today) {
			rep.Held = append(rep.Held, st)
			continue
		}
		if dryRun {
			rep.Deleted = append(rep.Deleted, st)
			continue
		}
		ok, err := r.Store.DeleteExpired(ctx, st.SubmissionID, rep.Today, r.deletionRecord)
		if err != nil {
			return rep, err
		}
		if ok {
			rep.Deleted = append(rep.Deleted, st)
		}
	}
	if dryRun {
		return rep, nil
	}
	return rep, r.deleteQueuedBlobs(ctx, &rep)
}

// deletionRecord is the audit record of a tip deleted by retention: ids
// only, at the UTC day of the run (a time about a tip, so no finer).
func (r *Retention) deletionRecord(s RetentionState, objects []string) AuditRecord {
	return AuditRecord{At: r.Now().UTC().Truncate(24 * time.Hour), Action: ActionRetentionDelete, Target: "submission:" + s.SubmissionID,
		Detail: map[string]string{"desk": s.Desk, "number": strconv.Itoa(s.Number), "objects": strings.Join(objects, ",")}}
}

// deleteQueuedBlobs deletes the queued blobs from the blob store.
func (r *Retention) deleteQueuedBlobs(ctx context.Context, rep *RetentionReport) error {
	for {
		keys, err := r.Store.QueuedBlobDeletions(ctx, blobBatch)
		if err != nil || len(keys) == 0 {
			return err
		}
		for _, k := range keys {
			if err := r.Blobs.Delete(ctx, k); err != nil {
				return tipline.Wrap(tipline.Unavailable, err, "The evidence store did not delete a blob; the next run tries again.")
			}
			if err := r.Store.BlobDeleted(ctx, k); err != nil {
				return err
			}
			rep.Blobs++
		}
	}
}

// RunDaily runs retention at start and then once a day until ctx ends,
// reporting each run's outcome to report.
func (r *Retention) RunDaily(ctx context.Context, report func(RetentionReport, error)) {
	for {
		report(r.Run(ctx, false))
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}

// Summary is one line about a run, ids-free, for logs.
func (rep RetentionReport) Summary() string {
	return fmt.Sprintf("retention on %s: %d tips deleted, %d held, %d blobs deleted", rep.Today, len(rep.Deleted), len(rep.Held), rep.Blobs)
}
