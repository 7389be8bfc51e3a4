package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

var _ casework.InviteStore = (*Store)(nil)

type inviteRow struct {
	TokenHash []byte `gorm:"primaryKey"`
	Kind      string
	Email     string
	Role      string
	InvitedBy *int64
	ExpiresAt time.Time
}

func (inviteRow) TableName() string { return "staff_invites" }

type inviteDeskRow struct {
	TokenHash []byte
	DeskID    int64
}

func (inviteDeskRow) TableName() string { return "staff_invite_desks" }

// AdminExists implements casework.InviteStore.
func (s *Store) AdminExists(ctx context.Context) (bool, error) {
	return adminExists(s.db.WithContext(ctx))
}

func adminExists(tx *gorm.DB) (bool, error) {
	var n int64
	err := tx.Model(&userRow{}).Where("role = ?", string(casework.RoleAdmin)).Count(&n).Error
	return n > 0, translate(err, "User")
}

// ReplaceSetupInvite implements casework.InviteStore.
func (s *Store) ReplaceSetupInvite(ctx context.Context, inv casework.Invite, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("kind = ?", string(casework.InviteSetup)).Delete(&inviteRow{}).Error; err != nil {
			return translate(err, "Setup link")
		}
		return s.createInvite(tx, inv, rec)
	})
}

// CreateInvite implements casework.InviteStore.
func (s *Store) CreateInvite(ctx context.Context, inv casework.Invite, rec casework.AuditRecord) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.createInvite(tx, inv, rec)
	})
}

func (s *Store) createInvite(tx *gorm.DB, inv casework.Invite, rec casework.AuditRecord) error {
	row := inviteRow{TokenHash: inv.TokenHash, Kind: string(inv.Kind), Email: inv.Email, Role: string(inv.Role), ExpiresAt: inv.ExpiresAt.UTC()}
	if inv.InvitedBy != 0 {
		row.InvitedBy = &inv.InvitedBy
	}
	if err := tx.Create(&row).Error; err != nil {
		return translate(err, "Invitation")
	}
	for _, slug := range inv.Desks {
		var desk deskRow
		if err := tx.Where("slug = ?", slug).Take(&desk).Error; err != nil {
			return translate(err, "Desk "+slug)
		}
		if err := tx.Create(&inviteDeskRow{TokenHash: inv.TokenHash, DeskID: desk.ID}).Error; err != nil {
			return translate(err, "Desk "+slug)
		}
	}
	return s.appendAudit(tx, rec)
}

// Invite implements casework.InviteStore.
func (s *Store) Invite(ctx context.Context, hash []byte) (casework.Invite, error) {
	var inv casework.Invite
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		inv, err = invite(tx, hash)
		return err
	})
	return inv, err
}

func invite(tx *gorm.DB, hash []byte) (casework.Invite, error) {
	var row inviteRow
	if err := tx.Where("token_hash = ?", hash).Take(&row).Error; err != nil {
		return casework.Invite{}, translate(err, "Invitation")
	}
	var desks []string
	err := tx.Table("staff_invite_desks").Joins("JOIN desks ON desks.id = staff_invite_desks.desk_id").
		Where("staff_invite_desks.token_hash = ?", hash).Order("desks.slug").Pluck("desks.slug", &desks).Error
	if err != nil {
		return casework.Invite{}, translate(err, "Invitation")
	}
	return row.invite(desks), nil
}

func (r inviteRow) invite(desks []string) casework.Invite {
	inv := casework.Invite{TokenHash: r.TokenHash, Kind: casework.InviteKind(r.Kind), Email: r.Email, Role: casework.Role(r.Role),
		Desks: desks, ExpiresAt: r.ExpiresAt}
	if r.InvitedBy != nil {
		inv.InvitedBy = *r.InvitedBy
	}
	return inv
}

// Invites implements casework.InviteStore.
func (s *Store) Invites(ctx context.Context) ([]casework.Invite, error) {
	var invites []casework.Invite
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []inviteRow
		if err := tx.Where("kind = ?", string(casework.InviteStaff)).Order("email, expires_at").Find(&rows).Error; err != nil {
			return translate(err, "Invitation")
		}
		for _, r := range rows {
			inv, err := invite(tx, r.TokenHash)
			if err != nil {
				return err
			}
			invites = append(invites, inv)
		}
		return nil
	})
	return invites, err
}

// AcceptInvite implements casework.InviteStore. Deleting the link first
// makes it single use: of two acceptances at once, one deletes nothing.
func (s *Store) AcceptInvite(ctx context.Context, hash []byte, at time.Time, u casework.User, publicKey string, rec casework.AuditRecord) (casework.User, error) {
	var created casework.User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inv, err := invite(tx, hash)
		if err != nil {
			return err
		}
		res := tx.Where("token_hash = ? AND expires_at > ?", hash, at.UTC()).Delete(&inviteRow{})
		if res.Error != nil {
			return translate(res.Error, "Invitation")
		}
		if res.RowsAffected == 0 {
			return translate(gorm.ErrRecordNotFound, "Invitation")
		}
		if inv.Kind == casework.InviteSetup {
			exists, err := adminExists(tx)
			if err != nil {
				return err
			}
			if exists {
				return tipline.Errorf(tipline.Conflict, "An admin exists already: log in instead.")
			}
			if err := tx.Where("kind = ?", string(casework.InviteSetup)).Delete(&inviteRow{}).Error; err != nil {
				return translate(err, "Setup link")
			}
		}
		row := userRow{Email: u.Email, Role: string(u.Role), PasswordHash: u.PasswordHash, TOTPSecret: u.TOTPSealed, TOTPLastStep: u.TOTPLastStep}
		if err := tx.Create(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return tipline.Errorf(tipline.Conflict, "%s has an account already.", u.Email)
			}
			return translate(err, "User "+u.Email)
		}
		if publicKey != "" {
			if err := tx.Table("users").Where("id = ?", row.ID).Update("public_key", publicKey).Error; err != nil {
				return translate(err, "User")
			}
		}
		for _, slug := range inv.Desks {
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
		created = row.user(inv.Desks, loginAttemptRow{})
		return nil
	})
	return created, err
}
