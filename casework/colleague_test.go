package casework_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/store"
)

// TestColleagueProbe is reproduction 10 of issue 11: an investigator could
// learn which staff emails exist by assigning a submission to them or
// asking for their public key. Now only the desk's investigators are
// assignees and key look-ups, and every other email (unknown, another
// desk's, another role's, disabled) gets one answer: same code, same
// message.
func TestColleagueProbe(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) { testColleagueProbe(t, d) })
	}
}

func testColleagueProbe(t *testing.T, d database.Dialect) {
	ctx := context.Background()
	st := store.New(dbtest.Open(t, d))
	if _, err := st.CreateDesk(ctx, intake.Desk{Slug: "sec-fraud", TitleEN: "Securities"}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
	grants := &casework.Grants{Store: st, Now: time.Now}
	triage := &casework.Triage{Store: st, Now: now}
	staff := map[string]casework.Principal{}
	for _, u := range []struct {
		name, desk string
		role       casework.Role
		key        bool
	}{
		{"investigator", intake.DefaultDeskSlug, casework.RoleInvestigator, false},
		{"colleague", intake.DefaultDeskSlug, casework.RoleInvestigator, true},
		{"nokey", intake.DefaultDeskSlug, casework.RoleInvestigator, false},
		{"other-desk", "sec-fraud", casework.RoleInvestigator, true},
		{"counsel", intake.DefaultDeskSlug, casework.RoleCounsel, true},
		{"admin", intake.DefaultDeskSlug, casework.RoleAdmin, true},
	} {
		email := u.name + "@example.org"
		created, err := st.CreateUser(ctx, casework.User{Email: email, Role: u.role, PasswordHash: "x", TOTPSealed: []byte{1}, Desks: []string{u.desk}},
			casework.AuditRecord{At: now(), Action: casework.ActionUserAdd, Target: email})
		if err != nil {
			t.Fatal(err)
		}
		if u.key {
			pub, _, _, err := crypto.GenerateKey(u.name, email, []byte("pass"), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := grants.SetKey(ctx, 0, email, pub); err != nil {
				t.Fatal(err)
			}
		}
		staff[u.name] = casework.Principal{UserID: created.ID, Email: email, Role: u.role, Desks: []string{u.desk}}
	}
	// A disabled investigator of the desk.
	disabled, err := st.CreateUser(ctx, casework.User{Email: "gone@example.org", Role: casework.RoleInvestigator, PasswordHash: "x",
		TOTPSealed: []byte{1}, Desks: []string{intake.DefaultDeskSlug}}, casework.AuditRecord{At: now(), Action: casework.ActionUserAdd, Target: "gone"})
	if err != nil {
		t.Fatal(err)
	}
	disabled.Disabled = true
	if err := st.UpdateCredentials(ctx, disabled, nil, casework.AuditRecord{At: now(), Action: casework.ActionUserDisable, Target: "gone"}); err != nil {
		t.Fatal(err)
	}
	id := blob.NewKey("")
	sub := intake.Submission{ID: id, DeskSlug: intake.DefaultDeskSlug, ReceivedDay: "2026-11-28", EncryptedBy: "server",
		LookupKey: sha256.Sum256([]byte(id)), ReplySalt: make([]byte, 16),
		Objects: []intake.Object{{ID: blob.NewKey(""), Kind: intake.KindManifest, BlobKey: "pending/" + id, KeyPackets: []byte{1}, SHA256: sha256.Sum256([]byte("m"))}}}
	if _, err := st.Commit(ctx, sub, func(seq int64, _ [32]byte) []byte { return fmt.Appendf(nil, `{"seq":%d}`, seq) }); err != nil {
		t.Fatal(err)
	}
	me := staff["investigator"]
	// Everyone but the desk's enabled investigators, known or not.
	outsiders := []string{"nobody@example.org", "other-desk@example.org", "counsel@example.org", "admin@example.org",
		"gone@example.org", "not an email", "OTHER-DESK@example.org"}

	t.Run("Assignee", func(t *testing.T) {
		assign := func(email string) error {
			_, err := triage.Update(ctx, me, id, casework.Change{Assignee: &email})
			return err
		}
		if err := assign("Colleague@example.org"); err != nil {
			t.Fatalf("assigning a colleague of the desk: %v", err)
		}
		if got, _ := triage.Get(ctx, me, id); got.Assignee != "colleague@example.org" {
			t.Errorf("assignee %q", got.Assignee)
		}
		sameAnswer(t, tipline.NotFound, outsiders, assign)
		if got, _ := triage.Get(ctx, me, id); got.Assignee != "colleague@example.org" {
			t.Errorf("assignee changed to %q", got.Assignee)
		}
	})
	t.Run("StaffKey", func(t *testing.T) {
		if key, err := grants.PublicKey(ctx, me, "colleague@example.org"); err != nil || key == "" {
			t.Fatalf("a colleague's key: %q, %v", key, err)
		}
		if _, err := grants.PublicKey(ctx, me, "nokey@example.org"); tipline.ErrorCode(err) != tipline.Invalid {
			t.Errorf("a colleague without a key: got %v, want Invalid", err)
		}
		sameAnswer(t, tipline.NotFound, outsiders, func(email string) error {
			_, err := grants.PublicKey(ctx, me, email)
			return err
		})
	})
	t.Run("Grantee", func(t *testing.T) {
		sameAnswer(t, tipline.NotFound, outsiders, func(email string) error {
			return grants.Create(ctx, me, sub.Objects[0].ID, []byte{1}, email, []byte{1})
		})
	})
	t.Run("Revoke", func(t *testing.T) {
		sameAnswer(t, tipline.NotFound, append(outsiders, "colleague@example.org"), func(email string) error {
			return grants.Revoke(ctx, me, sub.Objects[0].ID, email)
		})
	})
}

// sameAnswer checks that call answers every email with an error of code
// want and one and the same message.
func sameAnswer(t *testing.T, want tipline.Code, emails []string, call func(email string) error) {
	t.Helper()
	var first string
	for _, email := range emails {
		err := call(email)
		if got := tipline.ErrorCode(err); err == nil || got != want {
			t.Errorf("%s: got %v (%s), want %s", email, err, got, want)
			continue
		}
		msg := tipline.ErrorMessage(err)
		if first == "" {
			first = msg
		}
		if msg != first {
			t.Errorf("%s: message %q differs from %q", email, msg, first)
		}
	}
}
