package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
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

// screeningOf returns the screening flags of the entities' names, best
// per listed party and best first.
func screeningOf(db *gorm.DB, ids []string) (map[string][]entities.ScreeningFlag, error) {
	var rows []struct {
		EntityID    string
		Name        string
		List        string
		EntryID     string
		ListedName  string
		MatchedName string
		Score       float64
		Explanation string
		CheckedAt   time.Time
	}
	err := db.Table("entity_screening").
		Select("entity_names.entity_id, entity_names.name, entity_screening.list, entity_screening.entry_id, entity_screening.listed_name, "+
			"entity_screening.matched_name, entity_screening.score, entity_screening.explanation, entity_screening.checked_at").
		Joins("JOIN entity_names ON entity_names.id = entity_screening.name_id").
		Where("entity_names.entity_id IN ?", ids).
		Order("entity_screening.score DESC, entity_screening.list, entity_screening.entry_id, entity_names.id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "Screening flag")
	}
	out := map[string][]entities.ScreeningFlag{}
	seen := map[[3]string]bool{}
	for _, r := range rows {
		k := [3]string{r.EntityID, r.List, r.EntryID}
		if seen[k] {
			continue
		}
		seen[k] = true
		f := entities.ScreeningFlag{List: r.List, EntryID: r.EntryID, ListedName: r.ListedName, MatchedName: r.MatchedName,
			EntityName: r.Name, Score: r.Score, CheckedAt: r.CheckedAt.UTC()}
		if err := json.Unmarshal([]byte(r.Explanation), &f.Explanation); err != nil {
			return nil, fmt.Errorf("store: screening explanation: %w", err)
		}
		out[r.EntityID] = append(out[r.EntityID], f)
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

// setFlags replaces the screening flags of one name.
func setFlags(tx *gorm.DB, nameID int64, flags []entities.ScreeningFlag) error {
	if err := tx.Exec("DELETE FROM entity_screening WHERE name_id = ?", nameID).Error; err != nil {
		return translate(err, "Screening flag")
	}
	seen := map[[2]string]bool{}
	for _, f := range flags {
		if seen[[2]string{f.List, f.EntryID}] {
			continue
		}
		seen[[2]string{f.List, f.EntryID}] = true
		expl, err := json.Marshal(orEmpty(f.Explanation))
		if err != nil {
			return fmt.Errorf("store: screening explanation: %w", err)
		}
		err = tx.Exec("INSERT INTO entity_screening (name_id, list, entry_id, listed_name, matched_name, score, explanation, checked_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?)", nameID, f.List, f.EntryID, f.ListedName, f.MatchedName, f.Score, string(expl), f.CheckedAt.UTC()).Error
		if err != nil {
			return translate(err, "Screening flag")
		}
	}
	return nil
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
func (s *Store) CreateEntity(ctx context.Context, e entities.Entity, flags entities.NameFlags, by entities.Actor) error {
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
		return history(tx, e.ID, by, entities.HistoryCreate, fmt.Sprintf("created %s %q", e.Kind, e.Name))
	})
}

// UpdateEntity implements entities.Store.
func (s *Store) UpdateEntity(ctx context.Context, e entities.Entity, flags entities.NameFlags, detail string, by entities.Actor) error {
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
		return history(tx, e.ID, by, entities.HistoryUpdate, detail)
	})
}

// SetEntityScreening implements entities.Store.
func (s *Store) SetEntityScreening(ctx context.Context, id string, flags entities.NameFlags, by entities.Actor) (bool, error) {
	changed := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.lockEntity(tx, id); err != nil {
			return err
		}
		before, err := screeningOf(tx, []string{id})
		if err != nil {
			return err
		}
		var names []entityNameRow
		if err := tx.Where("entity_id = ?", id).Find(&names).Error; err != nil {
			return translate(err, "Entity name")
		}
		for _, n := range names {
			if err := setFlags(tx, n.ID, flags[n.Name]); err != nil {
				return err
			}
		}
		after, err := screeningOf(tx, []string{id})
		if err != nil {
			return err
		}
		if changed = !sameParties(before[id], after[id]); changed {
			return history(tx, id, by, entities.HistoryScreening, describeParties(after[id]))
		}
		return nil
	})
	return changed, err
}

// sameParties reports whether two sets of flags name the same listed
// parties with the same scores.
func sameParties(a, b []entities.ScreeningFlag) bool {
	key := func(l []entities.ScreeningFlag) []string {
		out := make([]string, len(l))
		for i, f := range l {
			out[i] = fmt.Sprintf("%s\x00%s\x00%.4f", f.List, f.EntryID, f.Score)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

func describeParties(l []entities.ScreeningFlag) string {
	if len(l) == 0 {
		return "matches no screening-list party"
	}
	s := "matches"
	for i, f := range l {
		if i > 0 {
			s += ";"
		}
		s += fmt.Sprintf(" %s: %q (%.2f)", f.List, f.ListedName, f.Score)
	}
	return s
}

// EntityNames implements entities.Store.
func (s *Store) EntityNames(ctx context.Context, after string, limit int) ([]entities.EntityNames, error) {
	db := s.db.WithContext(ctx)
	var rows []struct{ ID, Name string }
	if err := db.Table("entities").Select("id, name").Where("merged_into IS NULL AND id > ?", after).
		Order("id").Limit(limit).Scan(&rows).Error; err != nil {
		return nil, translate(err, "Entity")
	}
	out := make([]entities.EntityNames, len(rows))
	index := map[string]int{}
	ids := make([]string, len(rows))
	for i, r := range rows {
		out[i] = entities.EntityNames{ID: r.ID, Names: []string{r.Name}}
		index[r.ID], ids[i] = i, r.ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var names []struct{ EntityID, Name string }
	if err := db.Table("entity_names").Select("entity_id, name").Where("entity_id IN ?", ids).Order("id").Scan(&names).Error; err != nil {
		return nil, translate(err, "Entity name")
	}
	for _, n := range names {
		if e := &out[index[n.EntityID]]; n.Name != e.Names[0] {
			e.Names = append(e.Names, n.Name)
		}
	}
	return out, nil
}

// deskIDs returns the ids of desks by slug; nil for nil (all desks).
func deskIDs(db *gorm.DB, slugs []string) ([]int64, error) {
	if slugs == nil {
		return nil, nil
	}
	ids := []int64{0} // no desk has id 0: no desks means nothing (IN () is not SQL)
	var found []int64
	if len(slugs) > 0 {
		if err := db.Table("desks").Where("slug IN ?", slugs).Pluck("id", &found).Error; err != nil {
			return nil, translate(err, "Desk")
		}
	}
	return append(ids, found...), nil
}

// Candidate search bounds. A key held by keyCommon names or more (counted
// up to there) is too common to look up; the rarest keys are looked up
// until keyBudget postings.
const (
	keyCommon = 500
	keyBudget = 8000
	// trigramThreshold is the pg_trgm similarity a name needs to be a
	// candidate by resemblance alone; names that share rarer keys are
	// found by them.
	trigramThreshold = 0.6
	// overFetch is how many names per candidate asked for a lookup of
	// names reads, before leaving out other desks' and kinds.
	overFetch = 5
)

// EntityCandidates implements entities.Store. Candidates come from cheap
// lookups, each bounded whatever the size of the index: identifiers equal
// to the query once normalized; names with the query's strong words
// (match.SearchText); names sharing the query's rarest candidate keys,
// most shared first; and on PostgreSQL, when those keys leave names out
// and too few candidates were found, the names most similar by pg_trgm.
func (s *Store) EntityCandidates(ctx context.Context, q entities.Candidates) ([]entities.Entity, error) {
	db := s.db.WithContext(ctx)
	desks, err := deskIDs(db, q.Desks)
	if err != nil {
		return nil, err
	}
	scope := func(d *gorm.DB) *gorm.DB {
		d = d.Where("entities.merged_into IS NULL")
		if desks != nil {
			d = d.Where("entities.desk_id IN ?", desks)
		}
		if q.Kind != "" {
			d = d.Where("entities.kind = ?", string(q.Kind))
		}
		return d
	}
	// ids are the candidates, at most q.Limit, best sources first.
	var ids []string
	add := func(found ...string) {
		for _, id := range found {
			if len(ids) < q.Limit && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if q.Norm != "" {
		var byID []string
		err := scope(db.Table("entity_identifiers").Joins("JOIN entities ON entities.id = entity_identifiers.entity_id")).
			Where("entity_identifiers.norm_value = ?", q.Norm).Distinct().Order("entity_identifiers.entity_id").
			Limit(q.Limit).Pluck("entity_identifiers.entity_id", &byID).Error
		if err != nil {
			return nil, translate(err, "Entity")
		}
		add(byID...)
	}
	if q.Text != "" && len(ids) < q.Limit {
		// The names first, then their entities: the planner would
		// otherwise scan every entity to join them.
		names := db.Table("entity_names").Select("entity_id").Where("search_text = ?", q.Text).Order("entity_id").Limit(q.Limit * overFetch)
		var same []string
		err := scope(db.Table("(?) n", names).Joins("JOIN entities ON entities.id = n.entity_id")).
			Distinct().Order("n.entity_id").Limit(q.Limit).Pluck("n.entity_id", &same).Error
		if err != nil {
			return nil, translate(err, "Entity")
		}
		add(same...)
	}
	if len(ids) == q.Limit {
		return s.loadEntities(db, ids)
	}
	probe, complete, err := rareKeys(db, q.Keys)
	if err != nil {
		return nil, err
	}
	// A name as similar as trigramThreshold shares most of the query's
	// keys: the keys find it unless some were too common to look up, and
	// then resemblance is the better evidence than a few rare keys shared.
	if q.Text != "" && !complete && len(ids) < q.Limit && s.db.Dialect == database.Postgres {
		var sim []struct {
			EntityID string
			Sim      float64
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			// % compares with this threshold; SET LOCAL ends with the
			// transaction.
			if err := tx.Exec(fmt.Sprintf("SET LOCAL pg_trgm.similarity_threshold = %g", trigramThreshold)).Error; err != nil {
				return err
			}
			names := tx.Table("entity_names").Select("entity_id, similarity(search_text, ?) AS sim", q.Text).
				Where("search_text % ?", q.Text).Order("sim DESC, entity_id").Limit(q.Limit * overFetch)
			return scope(tx.Table("(?) n", names).Joins("JOIN entities ON entities.id = n.entity_id")).
				Select("n.entity_id, MAX(n.sim) AS sim").
				Group("n.entity_id").Order("sim DESC, n.entity_id").Limit(q.Limit).Scan(&sim).Error
		})
		if err != nil {
			return nil, translate(err, "Entity")
		}
		for _, r := range sim {
			add(r.EntityID)
		}
	}
	if len(probe) > 0 && len(ids) < q.Limit {
		k := db.Table("entity_keys").Select("entity_keys.entity_id, COUNT(*) AS hits").Where("entity_keys.key IN ?", probe)
		if desks != nil {
			k = k.Where("entity_keys.desk_id IN ?", desks)
		}
		if q.Kind != "" {
			k = k.Joins("JOIN entities ON entities.id = entity_keys.entity_id").Where("entities.kind = ?", string(q.Kind))
		}
		var hits []struct {
			EntityID string
			Hits     int
		}
		if err := k.Group("entity_keys.entity_id").Order("hits DESC, entity_keys.entity_id").Limit(q.Limit).Scan(&hits).Error; err != nil {
			return nil, translate(err, "Entity")
		}
		for _, h := range hits {
			add(h.EntityID)
		}
	}
	return s.loadEntities(db, ids)
}

// rareKeys returns the keys to look candidates up by: the rarest of keys,
// as many as a name sharing minSharedKeys of them must share at least one
// of (prefix filtering), leaving out keys held by keyCommon names or more
// and stopping before keyBudget postings. complete says that they are as
// many: every name sharing that share of keys holds one of them.
func rareKeys(db *gorm.DB, keys []string) (probe []string, complete bool, err error) {
	if len(keys) == 0 {
		return nil, false, nil
	}
	// How many names hold each key, counted up to keyCommon.
	args := []any{keyCommon}
	for _, k := range keys {
		args = append(args, k)
	}
	var freq []struct {
		Key string
		N   int
	}
	q := "SELECT k.column1 AS key, (SELECT COUNT(*) FROM (SELECT 1 FROM entity_keys e WHERE e.key = k.column1 LIMIT ?) x) AS n " +
		"FROM (VALUES " + strings.TrimSuffix(strings.Repeat("(?), ", len(keys)), ", ") + ") k"
	if err := db.Raw(q, args...).Scan(&freq).Error; err != nil {
		return nil, false, translate(err, "Entity key")
	}
	slices.SortFunc(freq, func(a, b struct {
		Key string
		N   int
	}) int {
		return cmp.Or(cmp.Compare(a.N, b.N), cmp.Compare(a.Key, b.Key))
	})
	need := len(keys) - int(math.Ceil(float64(len(keys))*minSharedKeys)) + 1
	total := 0
	for _, f := range freq {
		if len(probe) == need || f.N >= keyCommon || total+f.N > keyBudget {
			break
		}
		probe = append(probe, f.Key)
		total += f.N
	}
	return probe, len(probe) == need, nil
}

// ListEntities implements entities.Store.
func (s *Store) ListEntities(ctx context.Context, q entities.Listing) ([]entities.Entity, error) {
	db := s.db.WithContext(ctx)
	desks, err := deskIDs(db, q.Desks)
	if err != nil {
		return nil, err
	}
	d := db.Table("entities").Where("merged_into IS NULL")
	if desks != nil {
		d = d.Where("desk_id IN ?", desks)
	}
	if q.Kind != "" {
		d = d.Where("kind = ?", string(q.Kind))
	}
	var ids []string
	if err := d.Order("updated_at DESC, id").Limit(q.Limit).Pluck("id", &ids).Error; err != nil {
		return nil, translate(err, "Entity")
	}
	return s.loadEntities(db, ids)
}

// EntitySubmissionDesk implements entities.Store.
func (s *Store) EntitySubmissionDesk(ctx context.Context, id string) (string, error) {
	var r struct{ Slug string }
	err := s.db.WithContext(ctx).Table("submissions").Select("desks.slug").
		Joins("JOIN desks ON desks.id = submissions.desk_id").Where("submissions.id = ?", id).Take(&r).Error
	return r.Slug, translate(err, "Submission")
}

// orEmpty returns l, or an empty slice for nil: JSON answers show [] for
// no items.
func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// recount sets the corroboration counters of entities from their links:
// the count of distinct submissions and the received days of the first
// and last. Merges and undos call it; a link or an unlink adjusts the
// counters of its entity (counted, uncounted) without reading every link.
func recount(tx *gorm.DB, ids ...string) error {
	return translate(tx.Exec("UPDATE entities SET "+
		"submission_count = (SELECT COUNT(DISTINCT l.submission_id) FROM entity_submission_links l WHERE l.entity_id = entities.id), "+
		"first_seen_day = (SELECT MIN(s.received_day) FROM entity_submission_links l JOIN submissions s ON s.id = l.submission_id WHERE l.entity_id = entities.id), "+
		"last_seen_day = (SELECT MAX(s.received_day) FROM entity_submission_links l JOIN submissions s ON s.id = l.submission_id WHERE l.entity_id = entities.id) "+
		"WHERE id IN ?", ids).Error, "Entity")
}

// otherLinks reports whether a submission links to an entity other than
// by the link row except (in another role).
func otherLinks(tx *gorm.DB, entityID, submissionID string, except int64) (bool, error) {
	var n int64
	err := tx.Table("entity_submission_links").Where("entity_id = ? AND submission_id = ? AND id <> ?", entityID, submissionID, except).
		Count(&n).Error
	return n > 0, translate(err, "Link")
}

// counted brings the counters of an entity up to date after link row
// linkID linked a submission to it: a submission linked already (in
// another role) changes nothing; a new one counts once more and may move
// the first or last day seen. The caller holds the entity's row lock.
func counted(tx *gorm.DB, entityID, submissionID string, linkID int64) error {
	if again, err := otherLinks(tx, entityID, submissionID, linkID); err != nil || again {
		return err
	}
	return translate(tx.Exec(`UPDATE entities SET submission_count = submission_count + 1,
		first_seen_day = CASE WHEN first_seen_day IS NULL OR first_seen_day > d.day THEN d.day ELSE first_seen_day END,
		last_seen_day = CASE WHEN last_seen_day IS NULL OR last_seen_day < d.day THEN d.day ELSE last_seen_day END
		FROM (SELECT received_day AS day FROM submissions WHERE id = ?) d WHERE entities.id = ?`, submissionID, entityID).Error, "Entity")
}

// uncounted brings the counters of an entity up to date after the link
// row linkID of a submission was deleted: the submission counts once
// fewer when no other link of it remains, and the first or last day seen
// is looked up again only when it was that submission's. The caller holds
// the entity's row lock.
func uncounted(tx *gorm.DB, entityID, submissionID string, linkID int64) error {
	if again, err := otherLinks(tx, entityID, submissionID, linkID); err != nil || again {
		return err
	}
	err := tx.Exec("UPDATE entities SET submission_count = submission_count - 1 WHERE id = ?", entityID).Error
	if err != nil {
		return translate(err, "Entity")
	}
	var edge int64
	err = tx.Table("entities").Joins("JOIN submissions s ON s.id = ?", submissionID).
		Where("entities.id = ? AND (s.received_day = entities.first_seen_day OR s.received_day = entities.last_seen_day)", entityID).
		Count(&edge).Error
	if err != nil || edge == 0 {
		return translate(err, "Entity")
	}
	return recount(tx, entityID)
}

// submissionLinks selects SubmissionLinks.
func submissionLinks(db *gorm.DB) *gorm.DB {
	return db.Table("entity_submission_links l").
		Select("l.id, l.entity_id AS entity, entities.name AS entity_name, l.submission_id AS submission, submissions.received_day, " +
			"l.role, COALESCE(users.email, '') AS linked_by, l.linked_at").
		Joins("JOIN entities ON entities.id = l.entity_id").
		Joins("JOIN submissions ON submissions.id = l.submission_id").
		Joins("LEFT JOIN users ON users.id = l.linked_by")
}

func scanSubmissionLinks(q *gorm.DB) ([]entities.SubmissionLink, error) {
	var rows []entities.SubmissionLink
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "Link")
	}
	for i := range rows {
		rows[i].ReceivedDay, rows[i].LinkedAt = dayOf(rows[i].ReceivedDay), rows[i].LinkedAt.UTC()
	}
	return orEmpty(rows), nil
}

// caseLinks selects CaseLinks.
func caseLinks(db *gorm.DB) *gorm.DB {
	return db.Table("entity_case_links l").
		Select("l.id, l.entity_id AS entity, entities.name AS entity_name, l.case_id AS \"case\", cases.title AS case_title, " +
			"cases.status AS case_status, l.role, COALESCE(users.email, '') AS linked_by, l.linked_at").
		Joins("JOIN entities ON entities.id = l.entity_id").
		Joins("JOIN cases ON cases.id = l.case_id").
		Joins("LEFT JOIN users ON users.id = l.linked_by")
}

func scanCaseLinks(q *gorm.DB) ([]entities.CaseLink, error) {
	var rows []entities.CaseLink
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "Link")
	}
	for i := range rows {
		rows[i].LinkedAt = rows[i].LinkedAt.UTC()
	}
	return orEmpty(rows), nil
}

// relations selects Relations.
func relations(db *gorm.DB) *gorm.DB {
	return db.Table("entity_relations r").
		Select("r.id, r.from_id AS \"from\", f.name AS from_name, r.to_id AS \"to\", t.name AS to_name, r.type, " +
			"COALESCE(users.email, '') AS created_by, r.created_at").
		Joins("JOIN entities f ON f.id = r.from_id").
		Joins("JOIN entities t ON t.id = r.to_id").
		Joins("LEFT JOIN users ON users.id = r.created_by")
}

func scanRelations(q *gorm.DB) ([]entities.Relation, error) {
	var rows []entities.Relation
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "Relation")
	}
	for i := range rows {
		rows[i].CreatedAt = rows[i].CreatedAt.UTC()
	}
	return orEmpty(rows), nil
}

// LinkEntitySubmission implements entities.Store.
func (s *Store) LinkEntitySubmission(ctx context.Context, entityID, submissionID string, role entities.Role, by entities.Actor) (entities.SubmissionLink, error) {
	var link entities.SubmissionLink
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		e, err := s.liveEntity(tx, entityID)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Table("submissions").Where("id = ? AND desk_id = ?", submissionID, e.DeskID).Count(&n).Error; err != nil {
			return translate(err, "Submission")
		}
		if n == 0 {
			return tipline.Errorf(tipline.NotFound, "Submission not found.")
		}
		if err := tx.Table("entity_submission_links").Where("entity_id = ? AND submission_id = ? AND role = ?", entityID, submissionID, string(role)).
			Count(&n).Error; err != nil {
			return translate(err, "Link")
		}
		if n > 0 {
			return tipline.Errorf(tipline.Conflict, "The submission is linked to this entity in this role already.")
		}
		row := struct {
			ID           int64 `gorm:"primaryKey"`
			EntityID     string
			SubmissionID string
			DeskID       int64
			Role         string
			LinkedBy     *int64
			LinkedAt     time.Time
		}{EntityID: entityID, SubmissionID: submissionID, DeskID: e.DeskID, Role: string(role), LinkedBy: userRef(by), LinkedAt: by.At.UTC()}
		if err := tx.Table("entity_submission_links").Create(&row).Error; err != nil {
			return translate(err, "Link")
		}
		if err := counted(tx, entityID, submissionID, row.ID); err != nil {
			return err
		}
		if err := history(tx, entityID, by, entities.HistoryLink, fmt.Sprintf("linked submission %s as %s", submissionID, role)); err != nil {
			return err
		}
		links, err := scanSubmissionLinks(submissionLinks(tx).Where("l.id = ?", row.ID))
		if err != nil || len(links) != 1 {
			return cmp.Or(err, errors.New("store: link vanished"))
		}
		link = links[0]
		return nil
	})
	return link, err
}

// UnlinkEntitySubmission implements entities.Store.
func (s *Store) UnlinkEntitySubmission(ctx context.Context, entityID string, linkID int64, by entities.Actor) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.liveEntity(tx, entityID); err != nil {
			return err
		}
		links, err := scanSubmissionLinks(submissionLinks(tx).Where("l.id = ? AND l.entity_id = ?", linkID, entityID))
		if err != nil {
			return err
		}
		if len(links) == 0 {
			return tipline.Errorf(tipline.NotFound, "Link not found.")
		}
		if err := tx.Exec("DELETE FROM entity_submission_links WHERE id = ?", linkID).Error; err != nil {
			return translate(err, "Link")
		}
		l := links[0]
		if err := uncounted(tx, entityID, l.Submission, linkID); err != nil {
			return err
		}
		return history(tx, entityID, by, entities.HistoryUnlink,
			fmt.Sprintf("unlinked submission %s as %s (linked by %s on %s)", l.Submission, l.Role, l.LinkedBy, l.LinkedAt.Format(time.DateOnly)))
	})
}

// LinkEntityCase implements entities.Store.
func (s *Store) LinkEntityCase(ctx context.Context, entityID, caseID string, role entities.Role, by entities.Actor) (entities.CaseLink, error) {
	var link entities.CaseLink
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		e, err := s.liveEntity(tx, entityID)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Table("cases").Where("id = ? AND desk_id = ?", caseID, e.DeskID).Count(&n).Error; err != nil {
			return translate(err, "Case")
		}
		if n == 0 {
			return tipline.Errorf(tipline.NotFound, "Case not found.")
		}
		if err := tx.Table("entity_case_links").Where("entity_id = ? AND case_id = ? AND role = ?", entityID, caseID, string(role)).
			Count(&n).Error; err != nil {
			return translate(err, "Link")
		}
		if n > 0 {
			return tipline.Errorf(tipline.Conflict, "The case is linked to this entity in this role already.")
		}
		row := struct {
			ID       int64 `gorm:"primaryKey"`
			EntityID string
			CaseID   string
			DeskID   int64
			Role     string
			LinkedBy *int64
			LinkedAt time.Time
		}{EntityID: entityID, CaseID: caseID, DeskID: e.DeskID, Role: string(role), LinkedBy: userRef(by), LinkedAt: by.At.UTC()}
		if err := tx.Table("entity_case_links").Create(&row).Error; err != nil {
			return translate(err, "Link")
		}
		if err := history(tx, entityID, by, entities.HistoryLink, fmt.Sprintf("linked case %s as %s", caseID, role)); err != nil {
			return err
		}
		links, err := scanCaseLinks(caseLinks(tx).Where("l.id = ?", row.ID))
		if err != nil || len(links) != 1 {
			return cmp.Or(err, errors.New("store: link vanished"))
		}
		link = links[0]
		return nil
	})
	return link, err
}

// UnlinkEntityCase implements entities.Store.
func (s *Store) UnlinkEntityCase(ctx context.Context, entityID string, linkID int64, by entities.Actor) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.liveEntity(tx, entityID); err != nil {
			return err
		}
		links, err := scanCaseLinks(caseLinks(tx).Where("l.id = ? AND l.entity_id = ?", linkID, entityID))
		if err != nil {
			return err
		}
		if len(links) == 0 {
			return tipline.Errorf(tipline.NotFound, "Link not found.")
		}
		if err := tx.Exec("DELETE FROM entity_case_links WHERE id = ?", linkID).Error; err != nil {
			return translate(err, "Link")
		}
		l := links[0]
		return history(tx, entityID, by, entities.HistoryUnlink,
			fmt.Sprintf("unlinked case %s as %s (linked by %s on %s)", l.Case, l.Role, l.LinkedBy, l.LinkedAt.Format(time.DateOnly)))
	})
}

// RelateEntities implements entities.Store.
func (s *Store) RelateEntities(ctx context.Context, from, to string, t entities.RelationType, by entities.Actor) (entities.Relation, error) {
	var rel entities.Relation
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		f, err := s.liveEntity(tx, from)
		if err != nil {
			return err
		}
		e, err := s.liveEntity(tx, to)
		if err != nil {
			return err
		}
		if f.DeskID != e.DeskID {
			return tipline.Errorf(tipline.Invalid, "Only entities of one desk relate.")
		}
		var n int64
		if err := tx.Table("entity_relations").Where("from_id = ? AND to_id = ? AND type = ?", from, to, string(t)).Count(&n).Error; err != nil {
			return translate(err, "Relation")
		}
		if n > 0 {
			return tipline.Errorf(tipline.Conflict, "The entities are related so already.")
		}
		row := struct {
			ID        int64 `gorm:"primaryKey"`
			FromID    string
			ToID      string
			DeskID    int64
			Type      string
			CreatedBy *int64
			CreatedAt time.Time
		}{FromID: from, ToID: to, DeskID: f.DeskID, Type: string(t), CreatedBy: userRef(by), CreatedAt: by.At.UTC()}
		if err := tx.Table("entity_relations").Create(&row).Error; err != nil {
			return translate(err, "Relation")
		}
		if err := history(tx, from, by, entities.HistoryRelate, fmt.Sprintf("%s %s (%s)", t, to, e.Name)); err != nil {
			return err
		}
		if err := history(tx, to, by, entities.HistoryRelate, fmt.Sprintf("%s (%s) %s this", from, f.Name, t)); err != nil {
			return err
		}
		rels, err := scanRelations(relations(tx).Where("r.id = ?", row.ID))
		if err != nil || len(rels) != 1 {
			return cmp.Or(err, errors.New("store: relation vanished"))
		}
		rel = rels[0]
		return nil
	})
	return rel, err
}

// UnrelateEntities implements entities.Store.
func (s *Store) UnrelateEntities(ctx context.Context, entityID string, relationID int64, by entities.Actor) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.liveEntity(tx, entityID); err != nil {
			return err
		}
		rels, err := scanRelations(relations(tx).Where("r.id = ? AND (r.from_id = ? OR r.to_id = ?)", relationID, entityID, entityID))
		if err != nil {
			return err
		}
		if len(rels) == 0 {
			return tipline.Errorf(tipline.NotFound, "Relation not found.")
		}
		if err := tx.Exec("DELETE FROM entity_relations WHERE id = ?", relationID).Error; err != nil {
			return translate(err, "Relation")
		}
		r := rels[0]
		detail := fmt.Sprintf("removed: %s (%s) %s %s (%s)", r.From, r.FromName, r.Type, r.To, r.ToName)
		if err := history(tx, r.From, by, entities.HistoryUnrelate, detail); err != nil {
			return err
		}
		return history(tx, r.To, by, entities.HistoryUnrelate, detail)
	})
}

// moves lists what a merge moves: the kind of row recorded in
// entity_merge_moves, the rows of the loser to move (their ids, selected
// with the loser, winner and loser as the three arguments) leaving out
// those the winner has already, and how to move them (set to the new
// owner).
var moves = []struct {
	what, selectRows, set string
}{
	{"name", `SELECT n.id FROM entity_names n WHERE n.entity_id = ? AND NOT EXISTS
		(SELECT 1 FROM entity_names w WHERE w.entity_id = ? AND w.name = n.name) AND ? <> ''`,
		"UPDATE entity_names SET entity_id = ?"},
	{"identifier", `SELECT i.id FROM entity_identifiers i WHERE i.entity_id = ? AND NOT EXISTS
		(SELECT 1 FROM entity_identifiers w WHERE w.entity_id = ? AND w.type = i.type AND w.value = i.value) AND ? <> ''`,
		"UPDATE entity_identifiers SET entity_id = ?"},
	{"country", `SELECT c.id FROM entity_countries c WHERE c.entity_id = ? AND NOT EXISTS
		(SELECT 1 FROM entity_countries w WHERE w.entity_id = ? AND w.country = c.country) AND ? <> ''`,
		"UPDATE entity_countries SET entity_id = ?"},
	{"submission_link", `SELECT l.id FROM entity_submission_links l WHERE l.entity_id = ? AND NOT EXISTS
		(SELECT 1 FROM entity_submission_links w WHERE w.entity_id = ? AND w.submission_id = l.submission_id AND w.role = l.role) AND ? <> ''`,
		"UPDATE entity_submission_links SET entity_id = ?"},
	{"case_link", `SELECT l.id FROM entity_case_links l WHERE l.entity_id = ? AND NOT EXISTS
		(SELECT 1 FROM entity_case_links w WHERE w.entity_id = ? AND w.case_id = l.case_id AND w.role = l.role) AND ? <> ''`,
		"UPDATE entity_case_links SET entity_id = ?"},
	// A relation between the two stays with the loser: it would relate the
	// winner to itself.
	{"relation_from", `SELECT r.id FROM entity_relations r WHERE r.from_id = ? AND r.to_id <> ? AND NOT EXISTS
		(SELECT 1 FROM entity_relations w WHERE w.from_id = ? AND w.to_id = r.to_id AND w.type = r.type)`,
		"UPDATE entity_relations SET from_id = ?"},
	{"relation_to", `SELECT r.id FROM entity_relations r WHERE r.to_id = ? AND r.from_id <> ? AND NOT EXISTS
		(SELECT 1 FROM entity_relations w WHERE w.to_id = ? AND w.from_id = r.from_id AND w.type = r.type)`,
		"UPDATE entity_relations SET to_id = ?"},
}

// MergeEntities implements entities.Store.
func (s *Store) MergeEntities(ctx context.Context, winner, loser string, by entities.Actor) (entities.Merge, error) {
	var id int64
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		w, err := s.liveEntity(tx, winner)
		if err != nil {
			return err
		}
		l, err := s.liveEntity(tx, loser)
		if err != nil {
			return err
		}
		if w.DeskID != l.DeskID || w.ID == l.ID {
			return tipline.Errorf(tipline.Invalid, "Only two entities of one desk are merged.")
		}
		row := struct {
			ID       int64 `gorm:"primaryKey"`
			WinnerID string
			LoserID  string
			MergedBy *int64
			MergedAt time.Time
		}{WinnerID: winner, LoserID: loser, MergedBy: userRef(by), MergedAt: by.At.UTC()}
		if err := tx.Table("entity_merges").Create(&row).Error; err != nil {
			return translate(err, "Merge")
		}
		id = row.ID
		for _, m := range moves {
			// The relation queries take (loser, winner, winner); the others
			// (loser, winner, loser) where the third is only a placeholder.
			third := loser
			if m.what == "relation_from" || m.what == "relation_to" {
				third = winner
			}
			err := tx.Exec("INSERT INTO entity_merge_moves (merge_id, what, row_id) SELECT ?, ?, x.id FROM ("+m.selectRows+") x",
				id, m.what, loser, winner, third).Error
			if err != nil {
				return translate(err, "Merge")
			}
			err = tx.Exec(m.set+" WHERE id IN (SELECT row_id FROM entity_merge_moves WHERE merge_id = ? AND what = ?)", winner, id, m.what).Error
			if err != nil {
				return translate(err, "Merge")
			}
		}
		if err := tx.Exec("UPDATE entities SET merged_into = ? WHERE id = ?", winner, loser).Error; err != nil {
			return translate(err, "Entity")
		}
		if err := s.afterMove(tx, w, l); err != nil {
			return err
		}
		if err := history(tx, winner, by, entities.HistoryMerge, fmt.Sprintf("merged in %s (%s)", loser, l.Name)); err != nil {
			return err
		}
		return history(tx, loser, by, entities.HistoryMergedInto, fmt.Sprintf("merged into %s (%s)", winner, w.Name))
	})
	if err != nil {
		return entities.Merge{}, err
	}
	return s.EntityMerge(ctx, id)
}

// afterMove brings the candidate keys and submission counts of two
// entities up to date after rows moved between them.
func (s *Store) afterMove(tx *gorm.DB, a, b entityRow) error {
	for _, e := range []entityRow{a, b} {
		if err := reindex(tx, e.ID, e.DeskID); err != nil {
			return err
		}
	}
	return recount(tx, a.ID, b.ID)
}

// UndoEntityMerge implements entities.Store.
func (s *Store) UndoEntityMerge(ctx context.Context, mergeID int64, by entities.Actor) (entities.Merge, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m struct {
			WinnerID, LoserID string
			UndoneAt          *time.Time
		}
		if err := tx.Table("entity_merges").Select("winner_id, loser_id, undone_at").Where("id = ?", mergeID).Take(&m).Error; err != nil {
			return translate(err, "Merge")
		}
		if m.UndoneAt != nil {
			return tipline.Errorf(tipline.Conflict, "This merge was undone already.")
		}
		w, err := s.liveEntity(tx, m.WinnerID)
		if err != nil {
			return tipline.Errorf(tipline.Conflict, "The entity merged into has since been merged itself: undo that merge first.")
		}
		l, err := s.lockEntity(tx, m.LoserID)
		if err != nil {
			return err
		}
		for _, mv := range moves {
			owner := "entity_id"
			switch mv.what {
			case "relation_from":
				owner = "from_id"
			case "relation_to":
				owner = "to_id"
			}
			err := tx.Exec(mv.set+" WHERE "+owner+" = ? AND id IN (SELECT row_id FROM entity_merge_moves WHERE merge_id = ? AND what = ?)",
				m.LoserID, m.WinnerID, mergeID, mv.what).Error
			if err != nil {
				return translate(err, "Merge")
			}
		}
		// The loser's own name may have been dropped from the winner's
		// aliases meanwhile: it is the loser's name again.
		err = tx.Exec("INSERT INTO entity_names (entity_id, name, norm, search_text) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			l.ID, l.Name, match.Normalize(l.Name), match.SearchText(l.Name)).Error
		if err != nil {
			return translate(err, "Entity name")
		}
		if err := tx.Exec("UPDATE entities SET merged_into = NULL WHERE id = ?", l.ID).Error; err != nil {
			return translate(err, "Entity")
		}
		err = tx.Exec("UPDATE entity_merges SET undone_by = ?, undone_at = ? WHERE id = ?", userRef(by), by.At.UTC(), mergeID).Error
		if err != nil {
			return translate(err, "Merge")
		}
		if err := s.afterMove(tx, w, l); err != nil {
			return err
		}
		if err := history(tx, w.ID, by, entities.HistoryUndoMerge, fmt.Sprintf("undid the merge of %s (%s) into this", l.ID, l.Name)); err != nil {
			return err
		}
		return history(tx, l.ID, by, entities.HistoryUndoMerge, fmt.Sprintf("undid the merge of this into %s (%s)", w.ID, w.Name))
	})
	if err != nil {
		return entities.Merge{}, err
	}
	return s.EntityMerge(ctx, mergeID)
}

// merges selects Merges.
func merges(db *gorm.DB) *gorm.DB {
	return db.Table("entity_merges m").
		Select("m.id, m.winner_id AS winner, m.loser_id AS loser, l.name AS loser_name, COALESCE(mb.email, '') AS merged_by, m.merged_at, " +
			"COALESCE(ub.email, '') AS undone_by, m.undone_at").
		Joins("JOIN entities l ON l.id = m.loser_id").
		Joins("LEFT JOIN users mb ON mb.id = m.merged_by").
		Joins("LEFT JOIN users ub ON ub.id = m.undone_by")
}

func scanMerges(q *gorm.DB) ([]entities.Merge, error) {
	var rows []entities.Merge
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "Merge")
	}
	for i := range rows {
		rows[i].MergedAt = rows[i].MergedAt.UTC()
		if rows[i].UndoneAt != nil {
			t := rows[i].UndoneAt.UTC()
			rows[i].UndoneAt = &t
		}
	}
	return orEmpty(rows), nil
}

// EntityMerge implements entities.Store.
func (s *Store) EntityMerge(ctx context.Context, mergeID int64) (entities.Merge, error) {
	list, err := scanMerges(merges(s.db.WithContext(ctx)).Where("m.id = ?", mergeID))
	if err != nil {
		return entities.Merge{}, err
	}
	if len(list) == 0 {
		return entities.Merge{}, tipline.Errorf(tipline.NotFound, "Merge not found.")
	}
	return list[0], nil
}

// EntityDetail implements entities.Store.
func (s *Store) EntityDetail(ctx context.Context, id string) (entities.Detail, error) {
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
		if d.Submissions, err = scanSubmissionLinks(submissionLinks(tx).Where("l.entity_id = ?", id).Order("submissions.received_day DESC, l.id DESC")); err != nil {
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

// corroboration returns the corroboration of entities by id: their
// counters, kept by every change of links, and the cases they reach.
func corroboration(tx *gorm.DB, ids []string) (map[string]entities.Corroboration, error) {
	out := map[string]entities.Corroboration{}
	var rows []struct {
		ID, Slug    string
		N           int
		First, Last *string
	}
	err := tx.Table("entities").
		Select("entities.id, desks.slug, entities.submission_count AS n, entities.first_seen_day AS first, entities.last_seen_day AS last").
		Joins("JOIN desks ON desks.id = entities.desk_id").Where("entities.id IN ?", ids).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "Entity")
	}
	for _, r := range rows {
		c := entities.Corroboration{Submissions: r.N, Desks: []string{r.Slug}, Cases: []string{}}
		if r.First != nil && r.Last != nil {
			c.FirstSeen, c.LastSeen = dayOf(*r.First), dayOf(*r.Last)
		}
		out[r.ID] = c
	}
	var cases []struct{ EntityID, CaseID, Status string }
	err = tx.Table("entity_case_reach r").Select("r.entity_id, r.case_id, cases.status").
		Joins("JOIN cases ON cases.id = r.case_id").Where("r.entity_id IN ?", ids).
		Order("r.entity_id, r.case_id").Scan(&cases).Error
	if err != nil {
		return nil, translate(err, "Case")
	}
	for _, r := range cases {
		c := out[r.EntityID]
		c.Cases = append(c.Cases, r.CaseID)
		if r.Status == string(casework.CaseOpen) {
			c.OpenCases++
		}
		out[r.EntityID] = c
	}
	return out, nil
}

// MostCorroborated implements entities.Store.
func (s *Store) MostCorroborated(ctx context.Context, desks []string, limit int) ([]entities.Corroborated, error) {
	out := []entities.Corroborated{}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ids, err := deskIDs(tx, desks)
		if err != nil {
			return err
		}
		q := tx.Table("entities").Select("entities.id, desks.slug AS desk, entities.kind, entities.name").
			Joins("JOIN desks ON desks.id = entities.desk_id").
			Where("entities.merged_into IS NULL AND entities.submission_count > 0")
		if ids != nil {
			q = q.Where("entities.desk_id IN ?", ids)
		}
		var rows []struct{ ID, Desk, Kind, Name string }
		if err := q.Order("entities.submission_count DESC, entities.id").Limit(limit).Scan(&rows).Error; err != nil {
			return translate(err, "Entity")
		}
		if len(rows) == 0 {
			return nil
		}
		eids := make([]string, len(rows))
		for i, r := range rows {
			eids[i] = r.ID
		}
		cor, err := corroboration(tx, eids)
		if err != nil {
			return err
		}
		flags, err := screeningOf(tx, eids)
		if err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, entities.Corroborated{ID: r.ID, Desk: r.Desk, Kind: entities.Kind(r.Kind), Name: r.Name,
				Screened: len(flags[r.ID]) > 0, Corroboration: cor[r.ID]})
		}
		return nil
	})
	return out, err
}

// SubmissionEntityLinks implements entities.Store.
func (s *Store) SubmissionEntityLinks(ctx context.Context, submissionID string) ([]entities.SubmissionLink, error) {
	return scanSubmissionLinks(submissionLinks(s.db.WithContext(ctx)).
		Where("l.submission_id = ? AND entities.merged_into IS NULL", submissionID).Order("l.id"))
}

// SubmissionEntityFlags implements entities.Store.
func (s *Store) SubmissionEntityFlags(ctx context.Context, submissionIDs, desks []string) (map[string][]entities.Flag, error) {
	out := map[string][]entities.Flag{}
	if len(submissionIDs) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		dids, err := deskIDs(tx, desks)
		if err != nil {
			return err
		}
		scope := "l.submission_id IN ? AND e.merged_into IS NULL"
		args := []any{submissionIDs}
		if dids != nil {
			scope += " AND l.desk_id IN ?"
			args = append(args, dids)
		}
		var rows []struct{ SubmissionID, Kind, EntityID, EntityName, Detail string }
		err = tx.Raw(`SELECT DISTINCT l.submission_id, 'screened' AS kind, e.id AS entity_id, e.name AS entity_name, es.list AS detail
			FROM entity_submission_links l JOIN entities e ON e.id = l.entity_id
			JOIN entity_names n ON n.entity_id = e.id JOIN entity_screening es ON es.name_id = n.id
			WHERE `+scope+`
			UNION
			SELECT l.submission_id, 'open_case', e.id, e.name, c.title
			FROM entity_submission_links l JOIN entities e ON e.id = l.entity_id
			JOIN entity_case_links cl ON cl.entity_id = e.id JOIN cases c ON c.id = cl.case_id AND c.status = 'open'
			WHERE `+scope+`
			UNION
			SELECT l.submission_id, 'open_case', e.id, e.name, c.title
			FROM entity_submission_links l JOIN entities e ON e.id = l.entity_id
			JOIN entity_submission_links o ON o.entity_id = e.id AND o.submission_id <> l.submission_id
			JOIN case_submissions cs ON cs.submission_id = o.submission_id JOIN cases c ON c.id = cs.case_id AND c.status = 'open'
			WHERE `+scope+`
			ORDER BY 1, 2, 4, 5`, append(append(slices.Clone(args), args...), args...)...).Scan(&rows).Error
		if err != nil {
			return translate(err, "Flag")
		}
		for _, r := range rows {
			out[r.SubmissionID] = append(out[r.SubmissionID], entities.Flag{Kind: r.Kind, Entity: r.EntityID, EntityName: r.EntityName, Detail: r.Detail})
		}
		return nil
	})
	return out, err
}

// EntityConnections implements entities.Store.
func (s *Store) EntityConnections(ctx context.Context, entityIDs []string) (entities.Connections, error) {
	c := entities.Connections{Entities: map[string]entities.EntityRef{}}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if c.Submissions, err = scanSubmissionLinks(submissionLinks(tx).Where("l.entity_id IN ?", entityIDs).Order("l.id")); err != nil {
			return err
		}
		if c.Cases, err = scanCaseLinks(caseLinks(tx).Where("l.entity_id IN ?", entityIDs).Order("l.id")); err != nil {
			return err
		}
		if c.Relations, err = scanRelations(relations(tx).Where("r.from_id IN ? OR r.to_id IN ?", entityIDs, entityIDs).Order("r.id")); err != nil {
			return err
		}
		if c.Screening, err = screeningOf(tx, entityIDs); err != nil {
			return err
		}
		refs := slices.Clone(entityIDs)
		for _, r := range c.Relations {
			refs = append(refs, r.From, r.To)
		}
		slices.Sort(refs)
		refs = slices.Compact(refs)
		var rows []struct {
			ID, Kind, Name string
			Screened       bool
		}
		err = tx.Table("entities").Select("entities.id, entities.kind, entities.name, EXISTS (SELECT 1 FROM entity_names n "+
			"JOIN entity_screening es ON es.name_id = n.id WHERE n.entity_id = entities.id) AS screened").
			Where("entities.id IN ?", refs).Scan(&rows).Error
		if err != nil {
			return translate(err, "Entity")
		}
		for _, r := range rows {
			c.Entities[r.ID] = entities.EntityRef{ID: r.ID, Kind: entities.Kind(r.Kind), Name: r.Name, Screened: r.Screened}
		}
		return nil
	})
	return c, err
}
