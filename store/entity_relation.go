package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
)

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

// RelateEntities implements entities.Store.
func (s *Store) RelateEntities(ctx context.Context, from, to string, t entities.RelationType, by entities.Actor, rec casework.AuditRecord) (entities.Relation, error) {
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
		if err := s.appendAudit(tx, rec); err != nil {
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
func (s *Store) UnrelateEntities(ctx context.Context, entityID string, relationID int64, by entities.Actor, rec casework.AuditRecord) error {
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
		if err := history(tx, r.To, by, entities.HistoryUnrelate, detail); err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}
