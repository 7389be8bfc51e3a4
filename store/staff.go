package store

import (
	"bytes"
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
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
	CreatedAt    time.Time
}

func (userRow) TableName() string { return "users" }

func (r userRow) user(desks []string, a loginAttemptRow) casework.User {
	u := casework.User{ID: r.ID, Email: r.Email, Role: casework.Role(r.Role), PasswordHash: r.PasswordHash,
		TOTPSealed: r.TOTPSecret, TOTPLastStep: r.TOTPLastStep, Disabled: r.Disabled, FailedLogins: a.Failures,
		CreatedAt: r.CreatedAt, Desks: desks}
	if a.LastFailedAt != nil {
		u.LastFailedLogin = *a.LastFailedAt
	}
	return u
}

// loginAttemptRow is what is kept about the logins tried with one email
// address, under its keyed hash.
type loginAttemptRow struct {
	EmailKey      []byte `gorm:"primaryKey"`
	UserID        *int64
	Failures      int
	LastAttemptAt time.Time
	LastFailedAt  *time.Time
	BypassStep    int64
}

func (loginAttemptRow) TableName() string { return "login_attempts" }

func (r loginAttemptRow) attempts() casework.LoginAttempts {
	a := casework.LoginAttempts{Failures: r.Failures, LastAttempt: r.LastAttemptAt, BypassStep: r.BypassStep}
	if r.LastFailedAt != nil {
		a.LastFailure = *r.LastFailedAt
	}
	return a
}

// userAttempts returns the login attempts kept for the accounts ids.
func userAttempts(tx *gorm.DB, ids ...int64) (map[int64]loginAttemptRow, error) {
	var rows []loginAttemptRow
	if err := tx.Where("user_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate(err, "Login attempts")
	}
	m := make(map[int64]loginAttemptRow, len(rows))
	for _, r := range rows {
		m[*r.UserID] = r
	}
	return m, nil
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
		created = row.user(desks, loginAttemptRow{})
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
		if err != nil {
			return err
		}
		attempts, err := userAttempts(tx, row.ID)
		u = row.user(desks, attempts[row.ID])
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
		var attempts []loginAttemptRow
		if err := tx.Where("user_id IS NOT NULL").Find(&attempts).Error; err != nil {
			return translate(err, "Login attempts")
		}
		byUser := map[int64]loginAttemptRow{}
		for _, a := range attempts {
			byUser[*a.UserID] = a
		}
		users = make([]casework.User, len(rows))
		for i, r := range rows {
			users[i] = r.user(desks[r.ID], byUser[r.ID])
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

// LoginAttempts implements casework.StaffStore.
func (s *Store) LoginAttempts(ctx context.Context, key []byte) (casework.LoginAttempts, error) {
	var rows []loginAttemptRow
	if err := s.db.WithContext(ctx).Where("email_key = ?", key).Limit(1).Find(&rows).Error; err != nil {
		return casework.LoginAttempts{}, translate(err, "Login attempts")
	}
	if len(rows) == 0 {
		return casework.LoginAttempts{}, nil
	}
	return rows[0].attempts(), nil
}

// ClaimLoginAttempt implements casework.StaffStore. The key's row is
// locked for the transaction on PostgreSQL (SQLite has one writer), so
// concurrent claims of one key are decided one after the other.
func (s *Store) ClaimLoginAttempt(ctx context.Context, key []byte, userID int64, forget time.Time,
	decide func(casework.LoginAttempts) (casework.LoginAttempts, error)) error {
	var user *int64
	if userID != 0 {
		user = &userID
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("user_id IS NULL AND last_attempt_at < ?", forget.UTC()).Delete(&loginAttemptRow{}).Error
		if err != nil {
			return translate(err, "Login attempts")
		}
		q := tx.Where("email_key = ?", key)
		if s.db.Dialect == database.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var row loginAttemptRow
		err = q.Take(&row).Error
		found := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return translate(err, "Login attempts")
		}
		next, err := decide(row.attempts())
		if err != nil {
			return err
		}
		if user != nil { // an account's earlier row (under an older pepper) lets go of it
			err := tx.Model(&loginAttemptRow{}).Where("user_id = ? AND email_key <> ?", userID, key).Update("user_id", nil).Error
			if err != nil {
				return translate(err, "Login attempts")
			}
		}
		if found {
			err := tx.Model(&loginAttemptRow{}).Where("email_key = ?", key).Updates(map[string]any{
				"user_id": user, "failures": next.Failures, "last_attempt_at": next.LastAttempt.UTC(), "bypass_step": next.BypassStep,
			}).Error
			return translate(err, "Login attempts")
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&loginAttemptRow{
			EmailKey: key, UserID: user, Failures: next.Failures, LastAttemptAt: next.LastAttempt.UTC(), BypassStep: next.BypassStep,
		})
		if res.Error != nil {
			return translate(res.Error, "Login attempts")
		}
		if res.RowsAffected == 0 {
			return tipline.Errorf(tipline.Conflict, "Another login with this email address was counted meanwhile.")
		}
		return nil
	})
}

// LoginFailed implements casework.StaffStore.
func (s *Store) LoginFailed(ctx context.Context, key []byte, at time.Time, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&loginAttemptRow{}).Where("email_key = ?", key).Update("last_failed_at", at.UTC()).Error
		if err != nil {
			return translate(err, "Login attempts")
		}
		return s.appendAudit(tx, rec)
	})
}

// LoginSucceeded implements casework.StaffStore.
func (s *Store) LoginSucceeded(ctx context.Context, key []byte, userID, step int64, sess casework.Session, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ? AND totp_last_step < ?", userID, step).Update("totp_last_step", step)
		if res.Error != nil {
			return translate(res.Error, "User")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrDuplicatedKey, "Login with this code")
		}
		if err := tx.Model(&loginAttemptRow{}).Where("email_key = ?", key).Update("failures", 0).Error; err != nil {
			return translate(err, "Login attempts")
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
