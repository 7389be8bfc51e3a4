package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

var (
	_ casework.AdminStore       = (*Store)(nil)
	_ intake.QuestionnaireStore = (*Store)(nil)
)

type deskQuestionnaireRow struct {
	DeskID     int64 `gorm:"primaryKey"`
	Definition string
	UpdatedAt  time.Time
}

func (deskQuestionnaireRow) TableName() string { return "desk_questionnaires" }

// CreateDeskAudited implements casework.AdminStore.
func (s *Store) CreateDeskAudited(ctx context.Context, d intake.Desk, rec casework.AuditRecord) (intake.Desk, error) {
	row := deskRow{Slug: d.Slug, TitleEN: d.TitleEN, TitleZH: d.TitleZH}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Desk "+d.Slug)
		}
		return s.appendAudit(tx, rec)
	})
	return row.desk(), err
}

// SetDeskDeadlines implements casework.AdminStore.
func (s *Store) SetDeskDeadlines(ctx context.Context, slug string, ackDays, feedbackMonths int, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&deskRow{}).Where("slug = ?", slug).Updates(map[string]any{"ack_days": ackDays, "feedback_months": feedbackMonths})
		if res.Error != nil {
			return translate(res.Error, "Desk "+slug)
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "Desk "+slug)
		}
		return s.appendAudit(tx, rec)
	})
}

// SetDeskQuestionnaire implements casework.AdminStore.
func (s *Store) SetDeskQuestionnaire(ctx context.Context, slug string, definition []byte, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var desk deskRow
		if err := tx.Where("slug = ?", slug).Take(&desk).Error; err != nil {
			return translate(err, "Desk "+slug)
		}
		row := deskQuestionnaireRow{DeskID: desk.ID, Definition: string(definition), UpdatedAt: at.UTC()}
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "desk_id"}}, UpdateAll: true}).Create(&row).Error
		if err != nil {
			return translate(err, "Questionnaire of desk "+slug)
		}
		return s.appendAudit(tx, rec)
	})
}

// DeskQuestionnaire implements casework.AdminStore.
func (s *Store) DeskQuestionnaire(ctx context.Context, slug string) ([]byte, error) {
	var defs []string
	err := s.db.WithContext(ctx).Table("desk_questionnaires").Joins("JOIN desks ON desks.id = desk_questionnaires.desk_id").
		Where("desks.slug = ?", slug).Pluck("desk_questionnaires.definition", &defs).Error
	if err != nil || len(defs) == 0 {
		return nil, translate(err, "Questionnaire")
	}
	return []byte(defs[0]), nil
}

// DeskQuestionnaires implements intake.QuestionnaireStore.
func (s *Store) DeskQuestionnaires(ctx context.Context) (map[string][]byte, error) {
	var rows []struct {
		Slug       string
		Definition string
	}
	err := s.db.WithContext(ctx).Table("desk_questionnaires").Select("desks.slug, desk_questionnaires.definition").
		Joins("JOIN desks ON desks.id = desk_questionnaires.desk_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "Questionnaire")
	}
	defs := make(map[string][]byte, len(rows))
	for _, r := range rows {
		defs[r.Slug] = []byte(r.Definition)
	}
	return defs, nil
}

// AddDeskKey implements casework.AdminStore.
func (s *Store) AddDeskKey(ctx context.Context, k intake.RecipientKey, rec casework.AuditRecord) (intake.RecipientKey, error) {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var desk deskRow
		if err := tx.Where("slug = ?", k.DeskSlug).Take(&desk).Error; err != nil {
			return translate(err, "Desk "+k.DeskSlug)
		}
		row := deskKeyRow{DeskID: desk.ID, Fingerprint: k.Fingerprint, Armored: k.Armored}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Key "+k.Fingerprint+" on desk "+k.DeskSlug)
		}
		k.ID, k.CreatedAt = row.ID, row.CreatedAt
		return s.appendAudit(tx, rec)
	})
	return k, err
}

// RemoveDeskKey implements casework.AdminStore.
func (s *Store) RemoveDeskKey(ctx context.Context, slug, fingerprint string, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM desk_keys WHERE fingerprint = ? AND desk_id = (SELECT id FROM desks WHERE slug = ?)", fingerprint, slug)
		if res.Error != nil {
			return translate(res.Error, "Key")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "Key "+fingerprint+" on desk "+slug)
		}
		return s.appendAudit(tx, rec)
	})
}

// SetUserAccess implements casework.AdminStore. The user's sessions end,
// so that the new role and desks apply at once.
func (s *Store) SetUserAccess(ctx context.Context, userID int64, role casework.Role, desks []string, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ?", userID).Update("role", string(role))
		if res.Error != nil {
			return translate(res.Error, "User")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "User")
		}
		if err := tx.Where("user_id = ?", userID).Delete(&userDeskRow{}).Error; err != nil {
			return translate(err, "Desk membership")
		}
		for _, slug := range desks {
			var desk deskRow
			if err := tx.Where("slug = ?", slug).Take(&desk).Error; err != nil {
				return translate(err, "Desk "+slug)
			}
			if err := tx.Create(&userDeskRow{UserID: userID, DeskID: desk.ID}).Error; err != nil {
				return translate(err, "Desk membership "+slug)
			}
		}
		if err := tx.Where("user_id = ?", userID).Delete(&sessionRow{}).Error; err != nil {
			return translate(err, "Session")
		}
		return s.appendAudit(tx, rec)
	})
}
