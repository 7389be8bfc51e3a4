package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

var _ casework.GrantStore = (*Store)(nil)

type grantRow struct {
	ObjectID  string `gorm:"primaryKey"`
	UserID    int64  `gorm:"primaryKey"`
	KeyPacket []byte
	GrantedBy int64
	CreatedAt time.Time
}

func (grantRow) TableName() string { return "object_grants" }

// SetUserPublicKey implements casework.GrantStore.
func (s *Store) SetUserPublicKey(ctx context.Context, email, armored string, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Table("users").Where("email = ?", email).Update("public_key", armored)
		if res.Error != nil {
			return translate(res.Error, "User")
		}
		if res.RowsAffected == 0 {
			return tipline.Errorf(tipline.NotFound, "User %s not found.", email)
		}
		return s.appendAudit(tx, rec)
	})
}

// UserPublicKey implements casework.GrantStore.
func (s *Store) UserPublicKey(ctx context.Context, email string) (int64, string, error) {
	var row struct {
		ID        int64
		PublicKey sql.NullString
	}
	err := s.db.WithContext(ctx).Table("users").Select("id, public_key").
		Where("email = ? AND NOT disabled", email).Take(&row).Error
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return 0, "", tipline.Errorf(tipline.NotFound, "Staff member not found.")
		}
		return 0, "", translate(err, "Staff member")
	}
	return row.ID, row.PublicKey.String, nil
}

// PutGrant implements casework.GrantStore.
func (s *Store) PutGrant(ctx context.Context, g casework.Grant, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := grantRow{ObjectID: g.ObjectID, UserID: g.UserID, KeyPacket: g.KeyPacket, GrantedBy: g.GrantedBy, CreatedAt: g.CreatedAt.UTC()}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "object_id"}, {Name: "user_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"key_packet", "granted_by", "created_at"}),
		}).Create(&row).Error
		if err != nil {
			return translate(err, "Grant")
		}
		return s.appendAudit(tx, rec)
	})
}

// DeleteGrant implements casework.GrantStore.
func (s *Store) DeleteGrant(ctx context.Context, objectID string, userID int64, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("object_id = ? AND user_id = ?", objectID, userID).Delete(&grantRow{})
		if res.Error != nil {
			return translate(res.Error, "Grant")
		}
		if res.RowsAffected == 0 {
			return tipline.Errorf(tipline.NotFound, "Grant not found.")
		}
		return s.appendAudit(tx, rec)
	})
}

// GrantPacket implements casework.GrantStore.
func (s *Store) GrantPacket(ctx context.Context, objectID string, userID int64) ([]byte, error) {
	var rows []grantRow
	err := s.db.WithContext(ctx).Where("object_id = ? AND user_id = ?", objectID, userID).Limit(1).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "Grant")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].KeyPacket, nil
}

// SubmissionGrants implements casework.GrantStore.
func (s *Store) SubmissionGrants(ctx context.Context, submissionID string) ([]casework.GrantView, error) {
	var rows []struct {
		ObjectID, Grantee, GrantedBy string
		CreatedAt                    time.Time
	}
	err := s.db.WithContext(ctx).Table("object_grants AS g").
		Select("g.object_id, grantee.email AS grantee, granter.email AS granted_by, g.created_at").
		Joins("JOIN objects o ON o.id = g.object_id").
		Joins("JOIN users grantee ON grantee.id = g.user_id").
		Joins("JOIN users granter ON granter.id = g.granted_by").
		Where("o.submission_id = ?", submissionID).
		Order("grantee.email, o.position").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "Grant")
	}
	out := make([]casework.GrantView, len(rows))
	for i, r := range rows {
		out[i] = casework.GrantView{ObjectID: r.ObjectID, Grantee: r.Grantee, GrantedBy: r.GrantedBy, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}
