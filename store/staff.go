package store

import (
	"bytes"
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline/casework"
)

var _ casework.StaffStore = (*Store)(nil)

type userRow struct {
	ID           int64
	Email        string
	Role         string
	PasswordHash string
	TOTPSecret   []byte `gorm:"column:totp_secret"`
	TOTPLastStep int64  `gorm:"column:totp_last_step"`
	Disabled     bool
	FailedLogins int
	LockedUntil  *time.Time
	CreatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) user(desks []string) casework.User {
	u := casework.User{ID: r.ID, Email: r.Email, Role: casework.Role(r.Role), PasswordHash: r.PasswordHash,
		TOTPSealed: r.TOTPSecret, TOTPLastStep: r.TOTPLastStep, Disabled: r.Disabled, FailedLogins: r.FailedLogins,
		CreatedAt: r.CreatedAt, Desks: desks}
	if r.LockedUntil != nil {
		u.LockedUntil = *r.LockedUntil
	}
	return u
}

type userDeskRow struct {
	UserID int64
	DeskID int64
}

func (userDeskRow) TableName() string { return "user_desks" }

type sessionRow struct {
	ID         []byte `gorm:"primaryKey"`
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

func (sessionRow) TableName() string { return "sessions" }

// CreateUser implements casework.StaffStore.
func (s *Store) CreateUser(ctx context.Context, u casework.User, rec casework.AuditRecord) (casework.User, error) {
	var created casework.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := userRow{Email: u.Email, Role: string(u.Role), PasswordHash: u.PasswordHash, TOTPSecret: u.TOTPSealed}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "User "+u.Email)
		}
		for _, slug := range u.Desks {
			var desk deskRow
			if err := tx.Where("slug = ?", slug).Take(&desk).Error; err != nil {
				return translate(err, "Desk "+slug)
			}
			if err := tx.Create(&userDeskRow{UserID: row.ID, DeskID: desk.ID}).Error; err != nil {
				return translate(err, "Desk membership "+slug)
			}
		}
		if err := s.appendAudit(tx, rec); err != nil {
			return err
		}
		desks, err := userDesks(tx, row.ID)
		created = row.user(desks)
		return err
	})
	return created, err
}

// userDesks returns the slugs of a user's desks, in order.
func userDesks(tx *gorm.DB, userID int64) ([]string, error) {
	var slugs []string
	err := tx.Table("user_desks").Select("desks.slug").Joins("JOIN desks ON desks.id = user_desks.desk_id").
		Where("user_desks.user_id = ?", userID).Order("desks.slug").Pluck("desks.slug", &slugs).Error
	return slugs, translate(err, "Desk membership")
}

// UserByEmail implements casework.StaffStore.
func (s *Store) UserByEmail(ctx context.Context, email string) (casework.User, error) {
	return s.userWhere(ctx, "email = ?", email)
}

// UserByID implements casework.StaffStore.
func (s *Store) UserByID(ctx context.Context, id int64) (casework.User, error) {
	return s.userWhere(ctx, "id = ?", id)
}

func (s *Store) userWhere(ctx context.Context, query string, arg any) (casework.User, error) {
	var u casework.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row userRow
		if err := tx.Where(query, arg).Take(&row).Error; err != nil {
			return translate(err, "User")
		}
		desks, err := userDesks(tx, row.ID)
		u = row.user(desks)
		return err
	})
	return u, err
}

// Users implements casework.StaffStore.
func (s *Store) Users(ctx context.Context) ([]casework.User, error) {
	var users []casework.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []userRow
		if err := tx.Order("email").Find(&rows).Error; err != nil {
			return translate(err, "User")
		}
		var members []struct {
			UserID int64
			Slug   string
		}
		err := tx.Table("user_desks").Select("user_desks.user_id, desks.slug").
			Joins("JOIN desks ON desks.id = user_desks.desk_id").Order("desks.slug").Scan(&members).Error
		if err != nil {
			return translate(err, "Desk membership")
		}
		desks := map[int64][]string{}
		for _, m := range members {
			desks[m.UserID] = append(desks[m.UserID], m.Slug)
		}
		users = make([]casework.User, len(rows))
		for i, r := range rows {
			users[i] = r.user(desks[r.ID])
		}
		return nil
	})
	return users, err
}

// UpdateCredentials implements casework.StaffStore.
func (s *Store) UpdateCredentials(ctx context.Context, u casework.User, keepSession []byte, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row userRow
		if err := tx.Where("id = ?", u.ID).Take(&row).Error; err != nil {
			return translate(err, "User")
		}
		updates := map[string]any{"password_hash": u.PasswordHash, "disabled": u.Disabled}
		if !bytes.Equal(row.TOTPSecret, u.TOTPSealed) {
			updates["totp_secret"] = u.TOTPSealed
			updates["totp_last_step"] = 0
		}
		if err := tx.Model(&userRow{}).Where("id = ?", u.ID).Updates(updates).Error; err != nil {
			return translate(err, "User")
		}
		q := tx.Where("user_id = ?", u.ID)
		if keepSession != nil {
			q = q.Where("id <> ?", keepSession)
		}
		if err := q.Delete(&sessionRow{}).Error; err != nil {
			return translate(err, "Session")
		}
		return s.appendAudit(tx, rec)
	})
}

// LoginFailed implements casework.StaffStore.
func (s *Store) LoginFailed(ctx context.Context, userID int64, maxFailures int, lockedUntil time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ?", userID).Update("failed_logins", gorm.Expr("failed_logins + 1"))
		if res.Error != nil {
			return translate(res.Error, "User")
		}
		var row userRow
		if err := tx.Where("id = ?", userID).Take(&row).Error; err != nil {
			return translate(err, "User")
		}
		if row.FailedLogins >= maxFailures {
			err := tx.Model(&userRow{}).Where("id = ?", userID).
				Updates(map[string]any{"failed_logins": 0, "locked_until": lockedUntil.UTC()}).Error
			if err != nil {
				return translate(err, "User")
			}
			if rec.Detail == nil {
				rec.Detail = map[string]string{}
			}
			rec.Detail["locked_until"] = lockedUntil.UTC().Format(time.RFC3339)
		}
		return s.appendAudit(tx, rec)
	})
}

// LoginSucceeded implements casework.StaffStore.
func (s *Store) LoginSucceeded(ctx context.Context, userID, step int64, sess casework.Session, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ? AND totp_last_step < ?", userID, step).
			Updates(map[string]any{"totp_last_step": step, "failed_logins": 0, "locked_until": nil})
		if res.Error != nil {
			return translate(res.Error, "User")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrDuplicatedKey, "Login with this code")
		}
		row := sessionRow{ID: sess.ID, UserID: sess.UserID, CreatedAt: sess.CreatedAt.UTC(),
			LastSeenAt: sess.LastSeenAt.UTC(), ExpiresAt: sess.ExpiresAt.UTC()}
		if err := tx.Create(&row).Error; err != nil {
			return translate(err, "Session")
		}
		return s.appendAudit(tx, rec)
	})
}

// Session implements casework.StaffStore.
func (s *Store) Session(ctx context.Context, id []byte) (casework.Session, error) {
	var row sessionRow
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return casework.Session{}, translate(err, "Session")
	}
	return casework.Session{ID: row.ID, UserID: row.UserID, CreatedAt: row.CreatedAt, LastSeenAt: row.LastSeenAt, ExpiresAt: row.ExpiresAt}, nil
}

// TouchSession implements casework.StaffStore.
func (s *Store) TouchSession(ctx context.Context, id []byte, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&sessionRow{}).Where("id = ?", id).Update("last_seen_at", at.UTC()).Error
	return translate(err, "Session")
}

// DeleteSession implements casework.StaffStore.
func (s *Store) DeleteSession(ctx context.Context, id []byte, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Delete(&sessionRow{}).Error; err != nil {
			return translate(err, "Session")
		}
		if rec.Action == "" {
			return nil
		}
		return s.appendAudit(tx, rec)
	})
}
