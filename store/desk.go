package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/intake"
)

var _ intake.DeskStore = (*Store)(nil)

type deskRow struct {
	ID             int64
	Slug           string
	TitleEN        string `gorm:"column:title_en"`
	TitleZH        string `gorm:"column:title_zh"`
	AckDays        int    `gorm:"default:7"`
	FeedbackMonths int    `gorm:"default:3"`
	CreatedAt      time.Time
}

func (deskRow) TableName() string { return "desks" }

func (r deskRow) desk() intake.Desk {
	return intake.Desk{ID: r.ID, Slug: r.Slug, TitleEN: r.TitleEN, TitleZH: r.TitleZH,
		AckDays: r.AckDays, FeedbackMonths: r.FeedbackMonths, CreatedAt: r.CreatedAt}
}

type deskKeyRow struct {
	ID          int64
	DeskID      int64
	Fingerprint string
	Armored     string
	CreatedAt   time.Time
}

func (deskKeyRow) TableName() string { return "desk_keys" }

// CreateDesk implements intake.DeskStore.
func (s *Store) CreateDesk(ctx context.Context, d intake.Desk) (intake.Desk, error) {
	row := deskRow{Slug: d.Slug, TitleEN: d.TitleEN, TitleZH: d.TitleZH}
	err := s.db.WithContext(ctx).Create(&row).Error
	return row.desk(), translate(err, "Desk "+d.Slug)
}

// Desks implements intake.DeskStore.
func (s *Store) Desks(ctx context.Context) ([]intake.Desk, error) {
	var rows []deskRow
	if err := s.db.WithContext(ctx).Order("slug").Find(&rows).Error; err != nil {
		return nil, translate(err, "Desk")
	}
	desks := make([]intake.Desk, len(rows))
	for i, r := range rows {
		desks[i] = r.desk()
	}
	return desks, nil
}

// Desk implements intake.DeskStore.
func (s *Store) Desk(ctx context.Context, slug string) (intake.Desk, error) {
	var row deskRow
	err := s.db.WithContext(ctx).Where("slug = ?", slug).Take(&row).Error
	return row.desk(), translate(err, "Desk "+slug)
}

// AddKey implements intake.DeskStore.
func (s *Store) AddKey(ctx context.Context, k intake.RecipientKey) (intake.RecipientKey, error) {
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
		return nil
	})
	return k, err
}

// Keys implements intake.DeskStore.
func (s *Store) Keys(ctx context.Context, slug string) ([]intake.RecipientKey, error) {
	var rows []struct {
		ID          int64
		Slug        string
		Fingerprint string
		Armored     string
		CreatedAt   time.Time
	}
	q := s.db.WithContext(ctx).Table("desk_keys").
		Select("desk_keys.id, desks.slug, desk_keys.fingerprint, desk_keys.armored, desk_keys.created_at").
		Joins("JOIN desks ON desks.id = desk_keys.desk_id").
		Order("desks.slug, desk_keys.id")
	if slug != "" {
		q = q.Where("desks.slug = ?", slug)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "Key")
	}
	keys := make([]intake.RecipientKey, len(rows))
	for i, r := range rows {
		keys[i] = intake.RecipientKey{ID: r.ID, DeskSlug: r.Slug, Fingerprint: r.Fingerprint, Armored: r.Armored, CreatedAt: r.CreatedAt}
	}
	return keys, nil
}

// RemoveKey implements intake.DeskStore.
func (s *Store) RemoveKey(ctx context.Context, slug, fingerprint string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM desk_keys WHERE fingerprint = ? AND desk_id = (SELECT id FROM desks WHERE slug = ?)", fingerprint, slug)
		if res.Error != nil {
			return translate(res.Error, "Key")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "Key "+fingerprint+" on desk "+slug)
		}
		return nil
	})
}

// SetDeadlines implements intake.DeskStore.
func (s *Store) SetDeadlines(ctx context.Context, slug string, ackDays, feedbackMonths int) error {
	res := s.db.WithContext(ctx).Model(&deskRow{}).Where("slug = ?", slug).
		Updates(map[string]any{"ack_days": ackDays, "feedback_months": feedbackMonths})
	if res.Error != nil {
		return translate(res.Error, "Desk "+slug)
	}
	if res.RowsAffected == 0 {
		return translate(gorm.ErrRecordNotFound, "Desk "+slug)
	}
	return nil
}
