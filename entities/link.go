package entities

import (
	"time"

	"github.com/tipline/tipline/casework"
)

// Role is what part an entity plays in a submission or a case.
type Role string

// The roles. The first seven are the party roles of the export-controls
// questionnaire (intake/questionnaires/export-controls.json).
const (
	Exporter         Role = "exporter"
	Distributor      Role = "distributor"
	FreightForwarder Role = "freight_forwarder"
	Consignee        Role = "consignee"
	EndUser          Role = "end_user"
	Financier        Role = "financier"
	OtherRole        Role = "other"
	Subject          Role = "subject"
	Witness          Role = "witness"
)

// Roles lists every role.
var Roles = []Role{Subject, Exporter, Distributor, FreightForwarder, Consignee, EndUser, Financier, Witness, OtherRole}

// RelationType is how one entity relates to another, read from the first
// to the second: A owns B, A is director of B, A ships for B.
type RelationType string

// The relation types.
const (
	Owns          RelationType = "owns"
	DirectorOf    RelationType = "director_of"
	ShipsFor      RelationType = "ships_for"
	SharesAddress RelationType = "shares_address"
	SameAs        RelationType = "same_as"
	OtherRelation RelationType = "other"
)

// RelationTypes lists every relation type.
var RelationTypes = []RelationType{Owns, DirectorOf, ShipsFor, SharesAddress, SameAs, OtherRelation}

// SubmissionLink says that a submission names an entity in a role.
type SubmissionLink struct {
	ID          int64     `json:"id"`
	Entity      string    `json:"entity"`
	EntityName  string    `json:"entity_name"`
	Submission  string    `json:"submission"`
	ReceivedDay string    `json:"received_day"` // the submission's
	Role        Role      `json:"role"`
	LinkedBy    string    `json:"linked_by"` // staff email
	LinkedAt    time.Time `json:"linked_at"`
}

// CaseLink says that a case concerns an entity in a role.
type CaseLink struct {
	ID         int64               `json:"id"`
	Entity     string              `json:"entity"`
	EntityName string              `json:"entity_name"`
	Case       string              `json:"case"`
	CaseTitle  string              `json:"case_title"`
	CaseStatus casework.CaseStatus `json:"case_status"`
	Role       Role                `json:"role"`
	LinkedBy   string              `json:"linked_by"`
	LinkedAt   time.Time           `json:"linked_at"`
}

// Relation is a typed relation from one entity to another of the same
// desk.
type Relation struct {
	ID        int64        `json:"id"`
	From      string       `json:"from"`
	FromName  string       `json:"from_name"`
	To        string       `json:"to"`
	ToName    string       `json:"to_name"`
	Type      RelationType `json:"type"`
	CreatedBy string       `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
}

// HistoryEntry is one change of an entity: who, when, what.
type HistoryEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`  // staff email; "" for the system (screening refresh)
	Action string    `json:"action"` // one of the History actions
	Detail string    `json:"detail"` // what changed, in words
}

// History actions.
const (
	HistoryCreate     = "create"
	HistoryUpdate     = "update"
	HistoryLink       = "link"
	HistoryUnlink     = "unlink"
	HistoryRelate     = "relate"
	HistoryUnrelate   = "unrelate"
	HistoryMerge      = "merge"       // another entity was merged into this one
	HistoryMergedInto = "merged_into" // this entity was merged into another
	HistoryUndoMerge  = "undo_merge"  // on both entities
	HistoryScreening  = "screening"   // the screening flags changed
)

// Merge is one merge of a loser entity into a winner. The loser stays, as
// a record pointing at the winner, so that the merge can be undone.
type Merge struct {
	ID        int64      `json:"id"`
	Winner    string     `json:"winner"`
	Loser     string     `json:"loser"`
	LoserName string     `json:"loser_name"`
	MergedBy  string     `json:"merged_by"`
	MergedAt  time.Time  `json:"merged_at"`
	UndoneBy  string     `json:"undone_by,omitempty"`
	UndoneAt  *time.Time `json:"undone_at,omitempty"`
}

// Corroboration says how many distinct submissions name an entity, and
// when and where. Each submission counts once whatever its roles; two
// submissions by the same person under two codenames count twice, so
// Submissions is an upper bound on independent sources.
type Corroboration struct {
	Submissions int      `json:"submissions"`
	FirstSeen   string   `json:"first_seen,omitempty"` // received day of the earliest, YYYY-MM-DD
	LastSeen    string   `json:"last_seen,omitempty"`  // received day of the latest
	Desks       []string `json:"desks"`
	Cases       []string `json:"cases"`      // ids of cases linked to it or holding a submission that names it
	OpenCases   int      `json:"open_cases"` // of Cases, those open
}

// Corroborated is an entity in the most-corroborated view.
type Corroborated struct {
	ID       string `json:"id"`
	Desk     string `json:"desk"`
	Kind     Kind   `json:"kind"`
	Name     string `json:"name"`
	Screened bool   `json:"screened"`
	Corroboration
}

// Detail is an entity with everything known about it.
type Detail struct {
	Entity
	Submissions     []SubmissionLink `json:"submissions"`      // one page, newest received first
	SubmissionPages LinkPages        `json:"submission_pages"` // the pages next to it
	Cases           []CaseLink       `json:"cases"`
	Relations       []Relation       `json:"relations"`
	Merges          []Merge          `json:"merges"` // into it and of it, newest first
	History         []HistoryEntry   `json:"history"`
	Corroboration   Corroboration    `json:"corroboration"`
}

// Flag is a reason to look at a submission first in the triage queue.
type Flag struct {
	Kind       string `json:"kind"` // FlagScreened or FlagOpenCase
	Entity     string `json:"entity"`
	EntityName string `json:"entity_name"`
	Detail     string `json:"detail"` // the list, or the open case's title
}
