package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
)

// EntitySubmissionDesk implements entities.Store.
func (s *Store) EntitySubmissionDesk(ctx context.Context, id string) (string, error) {
	var r struct{ Slug string }
	err := s.db.WithContext(ctx).Table("submissions").Select("desks.slug").
		Joins("JOIN desks ON desks.id = submissions.desk_id").Where("submissions.id = ?", id).Take(&r).Error
	return r.Slug, translate(err, "Submission")
}

// submissionLinks selects SubmissionLinks.
func submissionLinks(db *gorm.DB) *gorm.DB {
	return db.Table("entity_submission_links l").
		Select("l.id, l.entity_id AS entity, entities.name AS entity_name, l.submission_id AS submission, l.received_day, " +
			"l.role, COALESCE(users.email, '') AS linked_by, l.linked_at").
		Joins("JOIN entities ON entities.id = l.entity_id").
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

// LinkEntitySubmission implements entities.Store.
func (s *Store) LinkEntitySubmission(ctx context.Context, entityID, submissionID string, role entities.Role, by entities.Actor, rec casework.AuditRecord) (entities.SubmissionLink, error) {
	var link entities.SubmissionLink
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		e, err := s.liveEntity(tx, entityID)
		if err != nil {
			return err
		}
		var sub struct{ ReceivedDay string }
		if err := tx.Table("submissions").Select("received_day").Where("id = ? AND desk_id = ?", submissionID, e.DeskID).Take(&sub).Error; err != nil {
			return translate(err, "Submission")
		}
		var n int64
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
			ReceivedDay  string // the submission's, so that the entity's links page by it
			Role         string
			LinkedBy     *int64
			LinkedAt     time.Time
		}{EntityID: entityID, SubmissionID: submissionID, DeskID: e.DeskID, ReceivedDay: dayOf(sub.ReceivedDay), Role: string(role),
			LinkedBy: userRef(by), LinkedAt: by.At.UTC()}
		if err := tx.Table("entity_submission_links").Create(&row).Error; err != nil {
			return translate(err, "Link")
		}
		if err := counted(tx, entityID, submissionID, row.ID); err != nil {
			return err
		}
		if err := history(tx, entityID, by, entities.HistoryLink, fmt.Sprintf("linked submission %s as %s", submissionID, role)); err != nil {
			return err
		}
		if err := s.appendAudit(tx, rec); err != nil {
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
func (s *Store) UnlinkEntitySubmission(ctx context.Context, entityID string, linkID int64, by entities.Actor, rec casework.AuditRecord) error {
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
		err = history(tx, entityID, by, entities.HistoryUnlink,
			fmt.Sprintf("unlinked submission %s as %s (linked by %s on %s)", l.Submission, l.Role, l.LinkedBy, l.LinkedAt.Format(time.DateOnly)))
		if err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
}

// LinkEntityCase implements entities.Store.
func (s *Store) LinkEntityCase(ctx context.Context, entityID, caseID string, role entities.Role, by entities.Actor, rec casework.AuditRecord) (entities.CaseLink, error) {
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
		if err := s.appendAudit(tx, rec); err != nil {
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
func (s *Store) UnlinkEntityCase(ctx context.Context, entityID string, linkID int64, by entities.Actor, rec casework.AuditRecord) error {
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
		err = history(tx, entityID, by, entities.HistoryUnlink,
			fmt.Sprintf("unlinked case %s as %s (linked by %s on %s)", l.Case, l.Role, l.LinkedBy, l.LinkedAt.Format(time.DateOnly)))
		if err != nil {
			return err
		}
		return s.appendAudit(tx, rec)
	})
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
