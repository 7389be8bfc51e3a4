package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/store"
)

// TestInvites: a link is stored by its hash with its desks, is accepted
// once (a second acceptance and an expired link find nothing), makes the
// account with its desks and key in the transaction of its audit entry,
// and a setup link is refused once an admin exists. Admin changes of a
// member's access replace the desks and end the sessions.
func TestInvites(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			now := time.Now().UTC().Truncate(time.Second)
			hash := func(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }
			rec := func(a casework.AuditAction) casework.AuditRecord {
				return casework.AuditRecord{At: now, Action: a, Target: "t"}
			}
			user := func(email string, role casework.Role) casework.User {
				return casework.User{Email: email, Role: role, PasswordHash: "h", TOTPSealed: []byte{1}, TOTPLastStep: 7}
			}

			setup := casework.Invite{TokenHash: hash("setup"), Kind: casework.InviteSetup, Role: casework.RoleAdmin, ExpiresAt: now.Add(time.Hour)}
			if err := s.ReplaceSetupInvite(ctx, setup, rec(casework.ActionSetupLink)); err != nil {
				t.Fatal(err)
			}
			staff := casework.Invite{TokenHash: hash("staff"), Kind: casework.InviteStaff, Email: "bo@example.org", Role: casework.RoleInvestigator,
				Desks: []string{"export-controls"}, ExpiresAt: now.Add(time.Hour)}
			if err := s.CreateInvite(ctx, staff, rec(casework.ActionUserInvite)); err != nil {
				t.Fatal(err)
			}
			expired := casework.Invite{TokenHash: hash("old"), Kind: casework.InviteStaff, Email: "cy@example.org", Role: casework.RoleCounsel, ExpiresAt: now.Add(-time.Minute)}
			if err := s.CreateInvite(ctx, expired, rec(casework.ActionUserInvite)); err != nil {
				t.Fatal(err)
			}
			bad := staff
			bad.TokenHash, bad.Desks = hash("bad"), []string{"no-such-desk"}
			if err := s.CreateInvite(ctx, bad, rec(casework.ActionUserInvite)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("an invitation to an unknown desk = %v", err)
			}
			got, err := s.Invite(ctx, hash("staff"))
			if err != nil || got.Email != "bo@example.org" || len(got.Desks) != 1 || !bytes.Equal(got.TokenHash, hash("staff")) {
				t.Errorf("Invite = %+v, %v", got, err)
			}
			if all, err := s.Invites(ctx); err != nil || len(all) != 2 {
				t.Errorf("Invites = %d, %v; want the two staff invitations", len(all), err)
			}

			if _, err := s.AcceptInvite(ctx, hash("old"), now, user("cy@example.org", casework.RoleCounsel), "", rec(casework.ActionUserInviteAccept)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("an expired invitation = %v", err)
			}
			u, err := s.AcceptInvite(ctx, hash("staff"), now, user("bo@example.org", casework.RoleInvestigator), "KEY", rec(casework.ActionUserInviteAccept))
			if err != nil || u.ID == 0 || len(u.Desks) != 1 {
				t.Fatalf("AcceptInvite = %+v, %v", u, err)
			}
			if _, err := s.AcceptInvite(ctx, hash("staff"), now, user("bo2@example.org", casework.RoleInvestigator), "", rec(casework.ActionUserInviteAccept)); tipline.ErrorCode(err) != tipline.NotFound {
				t.Errorf("an invitation used twice = %v", err)
			}
			if _, key, err := s.UserPublicKey(ctx, "bo@example.org"); err != nil || key != "KEY" {
				t.Errorf("bo's key = %q, %v", key, err)
			}
			stored, _ := s.UserByEmail(ctx, "bo@example.org")
			if stored.TOTPLastStep != 7 {
				t.Errorf("the enrolment's TOTP step = %d, want 7", stored.TOTPLastStep)
			}

			if exists, _ := s.AdminExists(ctx); exists {
				t.Fatal("an admin exists before setup")
			}
			if _, err := s.AcceptInvite(ctx, hash("setup"), now, user("root@example.org", casework.RoleAdmin), "", rec(casework.ActionSetupAdmin)); err != nil {
				t.Fatal(err)
			}
			if exists, _ := s.AdminExists(ctx); !exists {
				t.Error("no admin after setup")
			}
			again := setup
			again.TokenHash = hash("setup2")
			if err := s.ReplaceSetupInvite(ctx, again, rec(casework.ActionSetupLink)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AcceptInvite(ctx, hash("setup2"), now, user("eve@example.org", casework.RoleAdmin), "", rec(casework.ActionSetupAdmin)); tipline.ErrorCode(err) != tipline.Conflict {
				t.Errorf("a second setup = %v, want Conflict", err)
			}

			if err := s.SetUserAccess(ctx, u.ID, casework.RoleCounsel, nil, rec(casework.ActionUserAccess)); err != nil {
				t.Fatal(err)
			}
			if stored, _ := s.UserByEmail(ctx, "bo@example.org"); stored.Role != casework.RoleCounsel || len(stored.Desks) != 0 {
				t.Errorf("bo after the access change = %+v", stored)
			}
			if n, _, err := casework.VerifyAuditLog(ctx, s); err != nil || n != 7 {
				t.Errorf("audit log: %d entries, %v; want 7", n, err)
			}
		})
	}
}
