package store

import (
	"context"
	"slices"

	"gorm.io/gorm"

	"github.com/tipline/tipline/entities"
)

// EntityConnections implements entities.Store: five queries, whatever
// the number of entities or links.
func (s *Store) EntityConnections(ctx context.Context, entityIDs []string, limit int) (entities.Connections, error) {
	c := entities.Connections{Entities: map[string]entities.EntityRef{}}
	limit = max(limit, 0)
	// upTo keeps limit rows of a list read one row long, noting the cut.
	upTo := func(n int) int {
		if n > limit {
			c.More = true
			return limit
		}
		return n
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if c.Submissions, err = scanSubmissionLinks(submissionLinks(tx).Where("l.entity_id IN ?", entityIDs).Order("l.id").Limit(limit + 1)); err != nil {
			return err
		}
		c.Submissions = c.Submissions[:upTo(len(c.Submissions))]
		if c.Cases, err = scanCaseLinks(caseLinks(tx).Where("l.entity_id IN ?", entityIDs).Order("l.id").Limit(limit + 1)); err != nil {
			return err
		}
		c.Cases = c.Cases[:upTo(len(c.Cases))]
		if c.Relations, err = scanRelations(relations(tx).Where("r.from_id IN ? OR r.to_id IN ?", entityIDs, entityIDs).Order("r.id").Limit(limit + 1)); err != nil {
			return err
		}
		c.Relations = c.Relations[:upTo(len(c.Relations))]
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
