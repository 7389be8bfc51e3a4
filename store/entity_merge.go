package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/entities/match"
)

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
func (s *Store) MergeEntities(ctx context.Context, winner, loser string, by entities.Actor, rec casework.AuditRecord) (entities.Merge, error) {
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
		if err := history(tx, loser, by, entities.HistoryMergedInto, fmt.Sprintf("merged into %s (%s)", winner, w.Name)); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
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
func (s *Store) UndoEntityMerge(ctx context.Context, mergeID int64, by entities.Actor, rec casework.AuditRecord) (entities.Merge, error) {
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
		if err := history(tx, l.ID, by, entities.HistoryUndoMerge, fmt.Sprintf("undid the merge of this into %s (%s)", w.ID, w.Name)); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
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
