package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/entities/match"
)

var _ entities.Store = (*Store)(nil)

// maxHistory bounds the history entries an entity's detail shows, newest.
const maxHistory = 500

// entityRow is one row of entities with its desk's slug.
type entityRow struct {
	ID         string
	Desk       string
	DeskID     int64
	Kind       string
	Name       string
	Notes      string
	MergedInto *string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (s *Store) entitySelect(db *gorm.DB) *gorm.DB {
	return db.Table("entities").
		Select("entities.id, desks.slug AS desk, entities.desk_id, entities.kind, entities.name, entities.notes, " +
			"entities.merged_into, entities.created_at, entities.updated_at").
		Joins("JOIN desks ON desks.id = entities.desk_id")
}

// loadEntities returns the entities of ids, in the order of ids, with
// their aliases, identifiers, countries and screening flags; unknown ids
// are left out.
func (s *Store) loadEntities(db *gorm.DB, ids []string) ([]entities.Entity, error) {
	if len(ids) == 0 {
		return []entities.Entity{}, nil
	}
	var rows []entityRow
	if err := s.entitySelect(db).Where("entities.id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, translate(err, "Entity")
	}
	byID := map[string]*entities.Entity{}
	for _, r := range rows {
		e := &entities.Entity{ID: r.ID, Desk: r.Desk, Kind: entities.Kind(r.Kind), Name: r.Name, Notes: r.Notes,
			Aliases: []string{}, Identifiers: []entities.Identifier{}, Countries: []string{}, Screening: []entities.ScreeningFlag{},
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		if r.MergedInto != nil {
			e.MergedInto = *r.MergedInto
		}
		byID[r.ID] = e
	}
	var names []struct{ EntityID, Name string }
	if err := db.Table("entity_names").Select("entity_id, name").Where("entity_id IN ?", ids).Order("id").Scan(&names).Error; err != nil {
		return nil, translate(err, "Entity")
	}
	for _, n := range names {
		if e := byID[n.EntityID]; e != nil && n.Name != e.Name {
			e.Aliases = append(e.Aliases, n.Name)
		}
	}
	var idents []struct{ EntityID, Type, Value string }
	if err := db.Table("entity_identifiers").Select("entity_id, type, value").Where("entity_id IN ?", ids).Order("id").Scan(&idents).Error; err != nil {
		return nil, translate(err, "Entity")
	}
	for _, i := range idents {
		if e := byID[i.EntityID]; e != nil {
			e.Identifiers = append(e.Identifiers, entities.Identifier{Type: i.Type, Value: i.Value})
		}
	}
	var countries []struct{ EntityID, Country string }
	if err := db.Table("entity_countries").Select("entity_id, country").Where("entity_id IN ?", ids).Order("country").Scan(&countries).Error; err != nil {
		return nil, translate(err, "Entity")
	}
	for _, c := range countries {
		if e := byID[c.EntityID]; e != nil {
			e.Countries = append(e.Countries, c.Country)
		}
	}
	flags, err := screeningOf(db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]entities.Entity, 0, len(rows))
	for _, id := range ids {
		if e := byID[id]; e != nil {
			if f := flags[id]; f != nil {
				e.Screening = f
			}
			out = append(out, *e)
			delete(byID, id) // ids may repeat
		}
	}
	return out, nil
}

// Entity implements entities.Store.
func (s *Store) Entity(ctx context.Context, id string) (entities.Entity, error) {
	list, err := s.loadEntities(s.db.WithContext(ctx), []string{id})
	if err != nil {
		return entities.Entity{}, err
	}
	if len(list) == 0 {
		return entities.Entity{}, tipline.Errorf(tipline.NotFound, "Entity not found.")
	}
	return list[0], nil
}

// lockEntity returns an entity's row, locked for the transaction on
// PostgreSQL (SQLite has one writer); NotFound when there is none.
func (s *Store) lockEntity(tx *gorm.DB, id string) (entityRow, error) {
	q := s.entitySelect(tx).Where("entities.id = ?", id)
	if s.db.Dialect == database.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "entities"}})
	}
	var row entityRow
	if err := q.Take(&row).Error; err != nil {
		return row, translate(err, "Entity")
	}
	return row, nil
}

// liveEntity is lockEntity for an entity that may change: Conflict when
// it was merged into another.
func (s *Store) liveEntity(tx *gorm.DB, id string) (entityRow, error) {
	row, err := s.lockEntity(tx, id)
	if err == nil && row.MergedInto != nil {
		err = tipline.Errorf(tipline.Conflict, "This entity was merged into %s.", *row.MergedInto)
	}
	return row, err
}

// history appends an entry to an entity's history and marks it updated.
func history(tx *gorm.DB, entityID string, by entities.Actor, action, detail string) error {
	var actor *int64
	if by.UserID != 0 {
		actor = &by.UserID
	}
	err := tx.Exec("INSERT INTO entity_history (entity_id, actor_id, at, action, detail) VALUES (?, ?, ?, ?, ?)",
		entityID, actor, by.At.UTC(), action, detail).Error
	if err != nil {
		return translate(err, "Entity history")
	}
	return translate(tx.Exec("UPDATE entities SET updated_at = ? WHERE id = ?", by.At.UTC(), entityID).Error, "Entity")
}

// userRef is a nullable users.id for an actor.
func userRef(by entities.Actor) *int64 {
	if by.UserID == 0 {
		return nil
	}
	return &by.UserID
}

// entityNameRow is one row of entity_names.
type entityNameRow struct {
	ID         int64
	EntityID   string
	Name       string
	Norm       string
	SearchText string
}

func (entityNameRow) TableName() string { return "entity_names" }

// setNames makes names the entity's names, keeping the rows (and the
// screening flags) of names it has already; when flags is not nil, it
// replaces the screening flags of every name. The candidate keys follow.
func setNames(tx *gorm.DB, id string, deskID int64, names []string, flags entities.NameFlags) error {
	var have []entityNameRow
	if err := tx.Where("entity_id = ?", id).Find(&have).Error; err != nil {
		return translate(err, "Entity name")
	}
	ids := map[string]int64{}
	for _, h := range have {
		if slices.Contains(names, h.Name) {
			ids[h.Name] = h.ID
		} else if err := tx.Exec("DELETE FROM entity_names WHERE id = ?", h.ID).Error; err != nil {
			return translate(err, "Entity name")
		}
	}
	for _, n := range names {
		if _, ok := ids[n]; ok {
			continue
		}
		row := entityNameRow{EntityID: id, Name: n, Norm: match.Normalize(n), SearchText: match.SearchText(n)}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Entity name")
		}
		ids[n] = row.ID
	}
	if flags != nil {
		for _, n := range names {
			if err := setFlags(tx, ids[n], flags[n]); err != nil {
				return err
			}
		}
	}
	return reindex(tx, id, deskID)
}

// reindex rebuilds the candidate keys of an entity from its names; a
// merged entity has none.
func reindex(tx *gorm.DB, id string, deskID int64) error {
	if err := tx.Exec("DELETE FROM entity_keys WHERE entity_id = ?", id).Error; err != nil {
		return translate(err, "Entity key")
	}
	var e struct{ MergedInto *string }
	if err := tx.Table("entities").Select("merged_into").Where("id = ?", id).Take(&e).Error; err != nil {
		return translate(err, "Entity")
	}
	if e.MergedInto != nil {
		return nil
	}
	var names []string
	if err := tx.Table("entity_names").Where("entity_id = ?", id).Pluck("name", &names).Error; err != nil {
		return translate(err, "Entity name")
	}
	type keyRow struct {
		Key      string
		DeskID   int64
		EntityID string
	}
	seen := map[string]bool{}
	var rows []keyRow
	for _, n := range names {
		for _, k := range match.Keys(n) {
			if !seen[k] {
				seen[k] = true
				rows = append(rows, keyRow{Key: k, DeskID: deskID, EntityID: id})
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return translate(tx.Table("entity_keys").CreateInBatches(rows, 200).Error, "Entity key")
}

// setIdentifiers and setCountries make the lists the entity's, keeping
// the rows of items it has already.
func setIdentifiers(tx *gorm.DB, id string, list []entities.Identifier) error {
	var have []struct {
		ID          int64
		Type, Value string
	}
	if err := tx.Table("entity_identifiers").Select("id, type, value").Where("entity_id = ?", id).Scan(&have).Error; err != nil {
		return translate(err, "Identifier")
	}
	for _, h := range have {
		i := slices.Index(list, entities.Identifier{Type: h.Type, Value: h.Value})
		if i >= 0 {
			list = slices.Delete(slices.Clone(list), i, i+1)
		} else if err := tx.Exec("DELETE FROM entity_identifiers WHERE id = ?", h.ID).Error; err != nil {
			return translate(err, "Identifier")
		}
	}
	for _, i := range list {
		err := tx.Exec("INSERT INTO entity_identifiers (entity_id, type, value, norm_value) VALUES (?, ?, ?, ?)",
			id, i.Type, i.Value, match.Normalize(i.Value)).Error
		if err != nil {
			return translate(err, "Identifier")
		}
	}
	return nil
}

func setCountries(tx *gorm.DB, id string, list []string) error {
	if err := tx.Exec("DELETE FROM entity_countries WHERE entity_id = ? AND country NOT IN ?", id, append([]string{""}, list...)).Error; err != nil {
		return translate(err, "Country")
	}
	for _, c := range list {
		if err := tx.Exec("INSERT INTO entity_countries (entity_id, country) VALUES (?, ?) ON CONFLICT DO NOTHING", id, c).Error; err != nil {
			return translate(err, "Country")
		}
	}
	return nil
}

// CreateEntity implements entities.Store.
func (s *Store) CreateEntity(ctx context.Context, e entities.Entity, flags entities.NameFlags, by entities.Actor, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var desk deskRow
		if err := tx.Where("slug = ?", e.Desk).Take(&desk).Error; err != nil {
			return translate(err, "Desk")
		}
		err := tx.Exec("INSERT INTO entities (id, desk_id, kind, name, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			e.ID, desk.ID, string(e.Kind), e.Name, e.Notes, by.At.UTC(), by.At.UTC()).Error
		if err != nil {
			return translate(err, "Entity")
		}
		if err := setNames(tx, e.ID, desk.ID, append([]string{e.Name}, e.Aliases...), flags); err != nil {
			return err
		}
		if err := setIdentifiers(tx, e.ID, e.Identifiers); err != nil {
			return err
		}
		if err := setCountries(tx, e.ID, e.Countries); err != nil {
			return err
		}
		if err := history(tx, e.ID, by, entities.HistoryCreate, fmt.Sprintf("created %s %q", e.Kind, e.Name)); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// UpdateEntity implements entities.Store.
func (s *Store) UpdateEntity(ctx context.Context, e entities.Entity, flags entities.NameFlags, detail string, by entities.Actor, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := s.liveEntity(tx, e.ID)
		if err != nil {
			return err
		}
		err = tx.Exec("UPDATE entities SET kind = ?, name = ?, notes = ? WHERE id = ?", string(e.Kind), e.Name, e.Notes, e.ID).Error
		if err != nil {
			return translate(err, "Entity")
		}
		if err := setNames(tx, e.ID, row.DeskID, append([]string{e.Name}, e.Aliases...), flags); err != nil {
			return err
		}
		if err := setIdentifiers(tx, e.ID, e.Identifiers); err != nil {
			return err
		}
		if err := setCountries(tx, e.ID, e.Countries); err != nil {
			return err
		}
		if err := history(tx, e.ID, by, entities.HistoryUpdate, detail); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// orEmpty returns l, or an empty slice for nil: JSON answers show [] for
// no items.
func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// EntityDetail implements entities.Store.
func (s *Store) EntityDetail(ctx context.Context, id string, w entities.LinkWindow) (entities.Detail, error) {
	var d entities.Detail
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		list, err := s.loadEntities(tx, []string{id})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return tipline.Errorf(tipline.NotFound, "Entity not found.")
		}
		d.Entity = list[0]
		if d.Submissions, d.SubmissionPages, err = submissionLinkPage(tx, id, w); err != nil {
			return err
		}
		if d.Cases, err = scanCaseLinks(caseLinks(tx).Where("l.entity_id = ?", id).Order("l.id DESC")); err != nil {
			return err
		}
		if d.Relations, err = scanRelations(relations(tx).Where("r.from_id = ? OR r.to_id = ?", id, id).Order("r.id")); err != nil {
			return err
		}
		if d.Merges, err = scanMerges(merges(tx).Where("m.winner_id = ? OR m.loser_id = ?", id, id).Order("m.id DESC")); err != nil {
			return err
		}
		var hist []struct {
			ID     int64
			At     time.Time
			Actor  string
			Action string
			Detail string
		}
		err = tx.Table("entity_history h").Select("h.id, h.at, COALESCE(users.email, '') AS actor, h.action, h.detail").
			Joins("LEFT JOIN users ON users.id = h.actor_id").Where("h.entity_id = ?", id).
			Order("h.id DESC").Limit(maxHistory).Scan(&hist).Error
		if err != nil {
			return translate(err, "Entity history")
		}
		d.History = make([]entities.HistoryEntry, len(hist))
		for i, h := range hist {
			d.History[i] = entities.HistoryEntry{ID: h.ID, At: h.At.UTC(), Actor: h.Actor, Action: h.Action, Detail: h.Detail}
		}
		cor, err := corroboration(tx, []string{id})
		d.Corroboration = cor[id]
		return err
	})
	return d, err
}

// submissionLinkPage reads the submission links of an entity that w
// selects, newest received first, through the index on (entity_id,
// received_day DESC, id DESC): w.Limit rows and one probe for the pages
// on the other side, however many links the entity has.
func submissionLinkPage(tx *gorm.DB, entityID string, w entities.LinkWindow) ([]entities.SubmissionLink, entities.LinkPages, error) {
	const newer, older = "(l.received_day, l.id) > (?, ?)", "(l.received_day, l.id) < (?, ?)"
	var pages entities.LinkPages
	q := submissionLinks(tx).Where("l.entity_id = ?", entityID).Limit(w.Limit + 1)
	switch {
	case w.Before != nil:
		q = q.Where(newer, w.Before.Day, w.Before.ID).Order("l.received_day, l.id")
	case w.After != nil:
		q = q.Where(older, w.After.Day, w.After.ID).Order("l.received_day DESC, l.id DESC")
	default:
		q = q.Order("l.received_day DESC, l.id DESC")
	}
	links, err := scanSubmissionLinks(q)
	if err != nil || len(links) == 0 {
		return links, pages, err
	}
	more := len(links) > w.Limit
	links = links[:min(len(links), w.Limit)]
	if w.Before != nil {
		slices.Reverse(links)
	}
	first, last := links[0], links[len(links)-1]
	// exists reports whether a link lies beyond at, on the side where says.
	exists := func(where string, at entities.SubmissionLink) (bool, error) {
		var ids []int64
		err := tx.Table("entity_submission_links l").Where("l.entity_id = ?", entityID).Where(where, at.ReceivedDay, at.ID).
			Limit(1).Pluck("l.id", &ids).Error
		return len(ids) > 0, translate(err, "Link")
	}
	hasNewer, hasOlder := w.Before != nil && more, w.Before == nil && more
	switch {
	case w.Before != nil:
		hasOlder, err = exists(older, last)
	case w.After != nil:
		hasNewer, err = exists(newer, first)
	}
	if hasNewer {
		pages.Newer = entities.LinkCursor{Day: first.ReceivedDay, ID: first.ID}.String()
	}
	if hasOlder {
		pages.Older = entities.LinkCursor{Day: last.ReceivedDay, ID: last.ID}.String()
	}
	return links, pages, err
}
