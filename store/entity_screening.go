package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/entities"
)

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
