package entities

import (
	"context"
	"time"

	"github.com/tipline/tipline/casework"
)

// Actor is who makes a change, and when: a staff user's id, or 0 for the
// system.
type Actor struct {
	UserID int64
	At     time.Time
}

// Candidates selects entities for a search: those sharing the most
// candidate keys (match.Keys) with the query, those whose name or alias is
// trigram-similar to Text (on PostgreSQL, with pg_trgm), and those with an
// identifier whose normalized value is Norm. Merged entities are never
// candidates.
type Candidates struct {
	Desks []string // the desks to search; nil means all
	Kind  Kind     // "" for any
	Keys  []string
	Text  string // match.SearchText of the query
	Norm  string // match.Normalize of the query
	Limit int
}

// Listing selects entities without a query, most recently changed first.
type Listing struct {
	Desks []string // nil means all
	Kind  Kind
	Limit int
}

// EntityNames is an entity's names, for a screening refresh.
type EntityNames struct {
	ID    string
	Names []string // canonical name first
}

// EntityConnections are what connects to a set of entities, for a graph.
type Connections struct {
	Entities    map[string]EntityRef // the entities asked about and those related to them
	Submissions []SubmissionLink
	Cases       []CaseLink
	Relations   []Relation
	Screening   map[string][]ScreeningFlag // by entity id, for the entities asked about
	More        bool                       // a limit left links or relations out
}

// EntityRef is an entity as a graph shows it.
type EntityRef struct {
	ID       string
	Kind     Kind
	Name     string
	Screened bool // it matches a screening-list party
}

// NameFlags maps each of an entity's names to the screening-list parties
// it matches.
type NameFlags map[string][]ScreeningFlag

// Store keeps entities. Every change writes the entity's history in its
// transaction, and a change given an audit record (rec) appends the record
// to the audit log in that transaction too: a change whose history or
// audit entry cannot be written leaves nothing behind. An entity merged
// into another refuses changes with Conflict. Methods return NotFound for
// unknown ids.
type Store interface {
	// AppendAudit records an audited view.
	casework.AuditAppender
	// CreateEntity stores a new entity (e.ID set) with its names,
	// identifiers, countries and the names' screening flags. NotFound for
	// an unknown desk.
	CreateEntity(ctx context.Context, e Entity, flags NameFlags, by Actor, rec casework.AuditRecord) error
	// Entity returns one entity, merged or not.
	Entity(ctx context.Context, id string) (Entity, error)
	// UpdateEntity stores e's kind, name, aliases, identifiers, countries
	// and notes, with detail as the history entry. When flags is not nil
	// it replaces the screening flags of e's names.
	UpdateEntity(ctx context.Context, e Entity, flags NameFlags, detail string, by Actor, rec casework.AuditRecord) error
	// SetEntityScreening replaces the screening flags of an entity's names, and
	// reports whether they changed (then writing history).
	SetEntityScreening(ctx context.Context, id string, flags NameFlags, by Actor) (bool, error)
	// EntityNames returns up to limit unmerged entities with ids after
	// after, in id order, with their names.
	EntityNames(ctx context.Context, after string, limit int) ([]EntityNames, error)
	// EntityCandidates returns up to q.Limit entities q selects, most
	// key hits first.
	EntityCandidates(ctx context.Context, q Candidates) ([]Entity, error)
	// ListEntities returns up to q.Limit unmerged entities.
	ListEntities(ctx context.Context, q Listing) ([]Entity, error)
	// EntitySubmissionDesk returns the desk of a submission.
	EntitySubmissionDesk(ctx context.Context, id string) (string, error)
	// LinkEntitySubmission links a submission of the entity's desk in a role;
	// Conflict when it is linked so already, NotFound when the submission
	// is of another desk.
	LinkEntitySubmission(ctx context.Context, entityID, submissionID string, role Role, by Actor, rec casework.AuditRecord) (SubmissionLink, error)
	// UnlinkEntitySubmission removes one link of the entity.
	UnlinkEntitySubmission(ctx context.Context, entityID string, linkID int64, by Actor, rec casework.AuditRecord) error
	// LinkEntityCase and UnlinkCase do the same for cases.
	LinkEntityCase(ctx context.Context, entityID, caseID string, role Role, by Actor, rec casework.AuditRecord) (CaseLink, error)
	UnlinkEntityCase(ctx context.Context, entityID string, linkID int64, by Actor, rec casework.AuditRecord) error
	// RelateEntities relates two entities of one desk; Conflict when they are
	// related so already, Invalid across desks.
	RelateEntities(ctx context.Context, from, to string, t RelationType, by Actor, rec casework.AuditRecord) (Relation, error)
	// UnrelateEntities removes a relation of which the entity is either end.
	UnrelateEntities(ctx context.Context, entityID string, relationID int64, by Actor, rec casework.AuditRecord) error
	// MergeEntities moves the loser's names, identifiers, countries, links and
	// relations to the winner, except those the winner has already, and
	// marks the loser merged. Invalid across desks or for an entity
	// merged already.
	MergeEntities(ctx context.Context, winner, loser string, by Actor, rec casework.AuditRecord) (Merge, error)
	// UndoEntityMerge moves back what the merge moved and still exists;
	// Conflict when the winner has since been merged itself or the merge
	// was undone already.
	UndoEntityMerge(ctx context.Context, mergeID int64, by Actor, rec casework.AuditRecord) (Merge, error)
	// EntityMerge returns one merge.
	EntityMerge(ctx context.Context, mergeID int64) (Merge, error)
	// EntityDetail returns an entity with the submission links w selects,
	// newest received first, and where the pages next to them start; its
	// case links, relations, merges, history and corroboration.
	EntityDetail(ctx context.Context, id string, w LinkWindow) (Detail, error)
	// MostCorroborated returns up to limit unmerged entities of the
	// desks (nil: all) named by at least one submission, most first.
	MostCorroborated(ctx context.Context, desks []string, limit int) ([]Corroborated, error)
	// SubmissionEntityLinks returns the entity links of one submission.
	SubmissionEntityLinks(ctx context.Context, submissionID string) ([]SubmissionLink, error)
	// SubmissionEntityFlags returns, for each of the submissions of the desks
	// (nil: all), the linked entities that match a screening-list party or
	// are linked to an open case.
	SubmissionEntityFlags(ctx context.Context, submissionIDs, desks []string) (map[string][]Flag, error)
	// EntityConnections returns what connects to the entities: at most
	// limit each of submission links, case links and relations, in the
	// order they were made (More when there were more).
	EntityConnections(ctx context.Context, entityIDs []string, limit int) (Connections, error)
}
