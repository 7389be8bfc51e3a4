package entities

import (
	"context"
	"strconv"

	"github.com/tipline/tipline/casework"
)

// Audit actions recorded by the entities service. The log names entities,
// submissions, cases, links, relations and merges by id, never by name or
// query: entity names are investigators' work product.
const (
	// Changes, each written in the transaction of the change.
	ActionCreate    casework.AuditAction = "entity.create"
	ActionUpdate    casework.AuditAction = "entity.update"
	ActionLink      casework.AuditAction = "entity.link"
	ActionUnlink    casework.AuditAction = "entity.unlink"
	ActionRelate    casework.AuditAction = "entity.relate"
	ActionUnrelate  casework.AuditAction = "entity.unrelate"
	ActionMerge     casework.AuditAction = "entity.merge"
	ActionUndoMerge casework.AuditAction = "entity.undo_merge"

	// Views, written before what was read is handed out.
	ActionSearch       casework.AuditAction = "entity.search"
	ActionCorroborated casework.AuditAction = "entity.corroborated"
	ActionView         casework.AuditAction = "entity.view"
	ActionLinksView    casework.AuditAction = "entity.links_view"
	ActionSuggest      casework.AuditAction = "entity.suggest"
	ActionGraph        casework.AuditAction = "entity.graph"
)

// Audit targets.
func entityTarget(id string) string     { return "entity:" + id }
func submissionTarget(id string) string { return "submission:" + id }
func pairTarget(from, to string) string { return entityTarget(from) + "/" + entityTarget(to) }
func itemTarget(entityID, item string, id int64) string {
	return entityTarget(entityID) + "/" + item + ":" + strconv.FormatInt(id, 10)
}

// searchTarget is the target of a search from the entities page or the
// API: no one entity.
const searchTarget = "entities"

// record is the audit entry of a change by.
func record(by Actor, action casework.AuditAction, target string) casework.AuditRecord {
	return casework.AuditRecord{At: by.At, Actor: by.UserID, Action: action, Target: target}
}

// audit records that p viewed target. Callers hand out what p viewed only
// when it returns nil.
func (s *Service) audit(ctx context.Context, p casework.Principal, action casework.AuditAction, target string) error {
	return s.Store.AppendAudit(ctx, record(s.actor(p), action, target))
}
