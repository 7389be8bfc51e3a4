package casework

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// Replies is the service behind investigators' replies to sources. The
// investigator's browser encrypts a reply to the desk's keys and the
// source's reply key; the source mailbox (intake) checks and stores it.
// Only investigators of the submission's desk reply, and read the reply
// key; both are recorded in the audit log.
type Replies struct {
	Triage  *Triage
	Mailbox ReplyMailbox
	Store   ReplyStore
	// Recipients returns the keys a desk's material is encrypted to now.
	Recipients func(ctx context.Context, desk string) ([]*crypto.PublicKey, error)
	Now        func() time.Time
}

// ReplyMailbox is the source mailbox side of replies (intake.Service).
type ReplyMailbox interface {
	// ReplyKey returns the armored public reply key of a submission;
	// Conflict when it has none.
	ReplyKey(ctx context.Context, submissionID string) ([]byte, error)
	// AddReply checks a reply and stores it; record writes its object row.
	AddReply(ctx context.Context, submissionID string, src io.Reader, record intake.ObjectRecorder) (intake.Object, error)
}

// ReplyStore records replies and views of reply keys in the audit log.
type ReplyStore interface {
	AuditAppender
	// AddObjectsAudited records objects of a committed submission, as
	// intake.MailboxStore.AddObjects does, and appends rec, in one
	// transaction.
	AddObjectsAudited(ctx context.Context, submissionID string, objects []intake.Object, author string, rec AuditRecord) error
}

func (s *Replies) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// replier returns the submission p replies to: p must be an investigator
// who sees it.
func (s *Replies) replier(ctx context.Context, p Principal, submissionID string) (SubmissionDetail, error) {
	d, err := s.Triage.Get(ctx, p, submissionID)
	if err != nil {
		return d, err
	}
	if p.Role != RoleInvestigator {
		return SubmissionDetail{}, tipline.Errorf(tipline.Forbidden, "Only investigators of this desk answer its sources.")
	}
	return d, nil
}

// Key returns the source's armored public reply key of a submission, which
// the investigator's browser encrypts replies to, and records the view in
// the audit log; when the entry cannot be written it returns the error and
// no key. Conflict for a submission made before reply keys.
func (s *Replies) Key(ctx context.Context, p Principal, submissionID string) ([]byte, error) {
	d, err := s.replier(ctx, p, submissionID)
	if err != nil {
		return nil, err
	}
	key, err := s.Mailbox.ReplyKey(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	rec := AuditRecord{At: s.now(), Actor: p.UserID, Action: ActionReplyKeyView, Target: "submission:" + d.ID}
	if err := s.Store.AppendAudit(ctx, rec); err != nil {
		return nil, err
	}
	return key, nil
}

// DeskKeys returns the keys a desk of p's encrypts to now: replies (with
// the source's reply key) and case documents must be encrypted to exactly
// these. NotFound for a desk p is not a member of.
func (s *Replies) DeskKeys(ctx context.Context, p Principal, desk string) ([]*crypto.PublicKey, error) {
	if !slices.Contains(p.Desks, desk) {
		return nil, tipline.Errorf(tipline.NotFound, "Desk not found.")
	}
	return s.Recipients(ctx, desk)
}

// Create stores p's reply to the source of a submission: an OpenPGP
// message encrypted to exactly the desk's keys and the source's reply key
// (Invalid otherwise). The reply's row and its audit entry are one
// transaction; when either fails nothing is kept.
func (s *Replies) Create(ctx context.Context, p Principal, submissionID string, src io.Reader) (intake.Object, error) {
	d, err := s.replier(ctx, p, submissionID)
	if err != nil {
		return intake.Object{}, err
	}
	record := func(ctx context.Context, submissionID string, objects []intake.Object, author string) error {
		rec := AuditRecord{At: s.now(), Actor: p.UserID, Action: ActionReplyCreate, Target: "submission:" + submissionID}
		if len(objects) == 1 {
			rec.Detail = map[string]string{"object": objects[0].ID}
		}
		return s.Store.AddObjectsAudited(ctx, submissionID, objects, author, rec)
	}
	return s.Mailbox.AddReply(ctx, d.ID, src, record)
}
