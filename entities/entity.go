package entities

import "time"

// Kind is what sort of thing an entity is.
type Kind string

// The entity kinds.
const (
	Organization Kind = "organization"
	Person       Kind = "person"
	Address      Kind = "address"
	Vessel       Kind = "vessel"
	Aircraft     Kind = "aircraft"
	Shipment     Kind = "shipment"
	Product      Kind = "product" // chip or server model, ECCN, serial number
	Account      Kind = "account" // bank account, crypto wallet
	Domain       Kind = "domain"
	Email        Kind = "email"
	Phone        Kind = "phone"
)

// Kinds lists every entity kind.
var Kinds = []Kind{Organization, Person, Address, Vessel, Aircraft, Shipment, Product, Account, Domain, Email, Phone}

// Identifier is a typed identifier of an entity, such as a registration
// number, an LEI, an IMO number, an ECCN or a serial number.
type Identifier struct {
	Type  string `json:"type"`  // lowercase word: registration, lei, imo, eccn, serial, iban, wallet…
	Value string `json:"value"` // as written
}

// ScreeningFlag is a screening-list party that one of an entity's names
// matches.
type ScreeningFlag struct {
	List        string    `json:"list"`         // the list's source, e.g. "Entity List (EL) - Bureau of Industry and Security"
	EntryID     string    `json:"entry_id"`     // the party's id on the list
	ListedName  string    `json:"listed_name"`  // the party's main name on the list
	MatchedName string    `json:"matched_name"` // the listed name or alias that matched
	EntityName  string    `json:"entity_name"`  // the entity's name or alias that matched it
	Score       float64   `json:"score"`        // 0 to 1
	Explanation []string  `json:"explanation,omitempty"`
	CheckedAt   time.Time `json:"checked_at"`
}

// Entity is an entity as one desk knows it.
type Entity struct {
	ID          string          `json:"id"`
	Desk        string          `json:"desk"`
	Kind        Kind            `json:"kind"`
	Name        string          `json:"name"` // canonical name
	Aliases     []string        `json:"aliases"`
	Identifiers []Identifier    `json:"identifiers"`
	Countries   []string        `json:"countries"` // ISO 3166-1 alpha-2, upper case
	Notes       string          `json:"notes"`
	Screening   []ScreeningFlag `json:"screening"`
	MergedInto  string          `json:"merged_into,omitempty"` // set on an entity merged into another
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}
