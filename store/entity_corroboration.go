package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
)

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
