package claims

import (
	"context"
	"strconv"

	"github.com/tipline/tipline/casework"
)

// Audit actions recorded by the claims service. They are named Audit… here,
// since an Action in this package is an enforcement action. The log names
// claims, actions and ledger entries by id, never a claimant's name.
const (
	// Changes, each written in the transaction of the change.
	AuditClaimCreate       casework.AuditAction = "claim.create"
	AuditClaimUpdate       casework.AuditAction = "claim.update"
	AuditClaimStatus       casework.AuditAction = "claim.status"
	AuditClaimSubmissions  casework.AuditAction = "claim.submissions"
	AuditClaimActions      casework.AuditAction = "claim.actions"
	AuditClaimActionTerms  casework.AuditAction = "claim.action_terms"
	AuditClaimChecklist    casework.AuditAction = "claim.checklist"
	AuditClaimSplits       casework.AuditAction = "claim.splits"
	AuditActionCreate      casework.AuditAction = "action.create"
	AuditActionUpdate      casework.AuditAction = "action.update"
	AuditActionCase        casework.AuditAction = "action.case"
	AuditActionSanction    casework.AuditAction = "action.sanction"
	AuditCollectionRecord  casework.AuditAction = "collection.record"
	AuditCollectionReverse casework.AuditAction = "collection.reverse"

	// Views, written before what was read is handed out.
	AuditClaimList      casework.AuditAction = "claim.list"
	AuditClaimView      casework.AuditAction = "claim.view"
	AuditClaimEstimate  casework.AuditAction = "claim.estimate"
	AuditClaimReport    casework.AuditAction = "claim.report"
	AuditClaimReportPDF casework.AuditAction = "claim.report_pdf"
	AuditActionList     casework.AuditAction = "action.list"
	AuditActionView     casework.AuditAction = "action.view"
	AuditDashboard      casework.AuditAction = "awards.dashboard"
)

// Audit targets.
const (
	claimsTarget  = "claims"  // a list of claims, or the dashboard over them
	actionsTarget = "actions" // a list of actions
)

func claimTarget(id string) string  { return "claim:" + id }
func actionTarget(id string) string { return "action:" + id }

// collectionTarget names ledger entry entry of action actionID.
func collectionTarget(actionID string, entry int64) string {
	return actionTarget(actionID) + "/collection:" + strconv.FormatInt(entry, 10)
}

// record is the audit entry of what p does now. An entry by no staff
// member (user id 0: the command line) says so.
func (s *Service) record(p casework.Principal, action casework.AuditAction, target string) casework.AuditRecord {
	rec := casework.AuditRecord{At: s.now(), Actor: p.UserID, Action: action, Target: target}
	if p.UserID == 0 {
		rec.Detail = map[string]string{"via": "command line"}
	}
	return rec
}

// audit records that p viewed target. Callers hand out what p viewed only
// when it returns nil.
func (s *Service) audit(ctx context.Context, p casework.Principal, action casework.AuditAction, target string) error {
	return s.Store.AppendAudit(ctx, s.record(p, action, target))
}
