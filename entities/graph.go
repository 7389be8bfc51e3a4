package entities

// NodeKind says what a node of a Neighbourhood stands for.
type NodeKind string

// The node kinds.
const (
	NodeEntity     NodeKind = "entity"
	NodeSubmission NodeKind = "submission"
	NodeCase       NodeKind = "case"
	NodeScreening  NodeKind = "screening" // a screening-list party an entity matches
)

// Node flags.
const (
	FlagCenter   = "center"    // the entity the neighbourhood is drawn around
	FlagScreened = "screened"  // an entity that matches a screening-list party
	FlagOpenCase = "open_case" // an entity linked to an open case; a case that is open
)

// Node is one vertex of a Neighbourhood. ID is unique within it and
// prefixed with its kind: "entity:ID", "submission:ID", "case:ID",
// "screening:LIST/ENTRY".
type Node struct {
	ID         string   `json:"id"`
	Kind       NodeKind `json:"kind"`
	EntityKind Kind     `json:"entity_kind,omitempty"` // for entities
	Label      string   `json:"label"`                 // entity name, case title, submission's received day, listed name
	Flags      []string `json:"flags,omitempty"`
}

// Edge is one labelled connection of a Neighbourhood between node IDs.
// Links of submissions and cases point from them to the entity and are
// labelled with the role; relations point from subject to object and are
// labelled with the relation; screening edges point from the entity to the
// listed party and are labelled with the list.
type Edge struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
}

// Neighbourhood is an entity with what connects to it, breadth first from
// the centre: related entities, and the submissions, cases and
// screening-list parties of every entity included, up to a node limit.
// Truncated reports that the limit cut it short; Nodes[0] is the centre.
// Service.Neighbourhood returns it.
type Neighbourhood struct {
	Center    string `json:"center"`
	Nodes     []Node `json:"nodes"`
	Edges     []Edge `json:"edges"`
	Truncated bool   `json:"truncated"`
}
