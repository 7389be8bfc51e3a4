package casework

import (
	"context"
	"errors"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/chain"
)

// MaxAuditPage bounds one page of the audit log.
const MaxAuditPage = 1000

// AuditLog is one page of the audit log as an auditor reads it.
type AuditLog struct {
	Entries []AuditEntry // in order
	// Checked is set when the whole chain was verified.
	Checked  bool
	Count    int64 // entries verified
	BrokenAt int64 // the first broken entry, 0 when the chain holds
	// Tail says what is wrong at the log's end, when Checked: truncation,
	// rollback, anchors that do not verify (see package chain). Empty
	// when the log ends where its anchors say.
	Tail []string
}

// AuditAnchors checks that the audit log ends where its anchors say:
// chain.Witness, which also reads the copy outside the database.
type AuditAnchors interface {
	Check(ctx context.Context, log chain.Name) (chain.Report, error)
}

// auditReader checks that p reads the audit log: auditors do.
func auditReader(p Principal) error {
	if p.Role != RoleAuditor {
		return tipline.Errorf(tipline.Forbidden, "Only auditors read the audit log.")
	}
	return nil
}

// AuditEntries returns up to limit (1 to MaxAuditPage) entries of the
// audit log with seq > after, in order, for the auditor p: the export of
// the log through the API, which is not itself recorded.
func (s *Staff) AuditEntries(ctx context.Context, p Principal, after int64, limit int) ([]AuditEntry, error) {
	if err := auditReader(p); err != nil {
		return nil, err
	}
	if after < 0 || limit < 1 || limit > MaxAuditPage {
		return nil, tipline.Errorf(tipline.Invalid, "Bad page of the audit log.")
	}
	return s.Store.AuditEntries(ctx, after, limit)
}

// ViewAuditLog returns up to limit entries with seq > after for the
// auditor p and, when verify is set, checks the whole hash chain and, with
// Anchors set, the log's tail, as `tipline audit verify` does (what is
// broken is reported in the result, not as an error). Reading the log is
// itself recorded in the audit log; when the entry cannot be written it
// returns the error and no entries.
func (s *Staff) ViewAuditLog(ctx context.Context, p Principal, after int64, limit int, verify bool) (AuditLog, error) {
	entries, err := s.AuditEntries(ctx, p, after, limit)
	if err != nil {
		return AuditLog{}, err
	}
	l := AuditLog{Entries: entries, Checked: verify}
	if verify {
		l.Count, l.BrokenAt, err = VerifyAuditLog(ctx, s.Store)
		if err != nil && !errors.Is(err, ErrAuditBroken) {
			return AuditLog{}, err
		}
		if s.Anchors != nil {
			r, err := s.Anchors.Check(ctx, chain.Audit)
			if err != nil {
				return AuditLog{}, err
			}
			l.Tail = r.Problems
		}
	}
	rec := AuditRecord{At: s.Now(), Actor: p.UserID, Action: ActionAuditView, Target: "audit"}
	if err := s.Store.AppendAudit(ctx, rec); err != nil {
		return AuditLog{}, err
	}
	return l, nil
}
