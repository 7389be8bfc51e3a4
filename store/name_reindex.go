package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/entities/match"
)

// reindexBatch is how many entities or screening-list entries one
// transaction of ReindexNames rebuilds.
const reindexBatch = 500

// ReindexNames rebuilds what name matching stores of every entity name and
// of the names of the active screening lists (match.SearchText, and the
// candidate keys of match.Keys) from the names themselves: after an upgrade
// changed the matching rules, names stored before match as names stored
// after. It works in batches, each in its own transaction, so a search
// meanwhile finds every name by its old or its new index rows; running it
// again changes nothing. It returns how many entities and list entries it
// rebuilt.
func (s *Store) ReindexNames(ctx context.Context) (entityCount, entryCount int, err error) {
	db := s.db.WithContext(ctx)
	for after := ""; ; {
		var batch []struct {
			ID     string
			DeskID int64
		}
		if err := db.Table("entities").Select("id, desk_id").Where("id > ?", after).Order("id").Limit(reindexBatch).Scan(&batch).Error; err != nil {
			return entityCount, entryCount, translate(err, "Entity")
		}
		if len(batch) == 0 {
			break
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, e := range batch {
				if err := reindexSearchText(tx, "entity_names", "entity_id", e.ID); err != nil {
					return err
				}
				if err := reindex(tx, e.ID, e.DeskID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return entityCount, entryCount, err
		}
		entityCount += len(batch)
		after = batch[len(batch)-1].ID
	}
	for after := int64(0); ; {
		var batch []int64
		err := db.Table("screening_entries").Joins("JOIN screening_versions v ON v.id = screening_entries.version_id").
			Where("v.superseded_at IS NULL AND screening_entries.id > ?", after).Order("screening_entries.id").
			Limit(reindexBatch).Pluck("screening_entries.id", &batch).Error
		if err != nil {
			return entityCount, entryCount, translate(err, "Screening list")
		}
		if len(batch) == 0 {
			break
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			if s.db.Dialect == database.SQLite {
				if err := tx.Exec("DELETE FROM screening_keys WHERE entry_id IN ?", batch).Error; err != nil {
					return translate(err, "Screening list")
				}
			}
			for _, id := range batch {
				if err := reindexSearchText(tx, "screening_names", "entry_id", id); err != nil {
					return err
				}
				var names []string
				if err := tx.Table("screening_names").Where("entry_id = ?", id).Order("id").Pluck("name", &names).Error; err != nil {
					return translate(err, "Screening list")
				}
				if err := screeningIndex.add(tx, s.db.Dialect, id, names); err != nil {
					return translate(err, "Screening list")
				}
			}
			return nil
		})
		if err != nil {
			return entityCount, entryCount, err
		}
		entryCount += len(batch)
		after = batch[len(batch)-1]
	}
	return entityCount, entryCount, nil
}

// reindexSearchText sets the search_text of the names of one owner in a
// table of names to match.SearchText of the name, where it differs.
func reindexSearchText(tx *gorm.DB, table, ownerColumn string, owner any) error {
	var names []struct {
		ID         int64
		Name       string
		SearchText string
	}
	if err := tx.Table(table).Select("id, name, search_text").Where(ownerColumn+" = ?", owner).Scan(&names).Error; err != nil {
		return translate(err, "Name")
	}
	for _, n := range names {
		if text := match.SearchText(n.Name); text != n.SearchText {
			if err := tx.Table(table).Where("id = ?", n.ID).Update("search_text", text).Error; err != nil {
				return translate(err, "Name")
			}
		}
	}
	return nil
}
