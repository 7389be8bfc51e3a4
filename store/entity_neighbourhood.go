package store

import (
	"context"
	"slices"

	"gorm.io/gorm"

	"github.com/tipline/tipline/entities"
)

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
