package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/store"
)

// fillAudit appends n entries concurrently to a fresh database and checks
// that they form one intact chain: appends are serialized on both dialects.
func fillAudit(t *testing.T, d database.Dialect, n int) (*database.DB, *store.Store) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t, d)
	s := store.New(db)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	at := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	for i := range n {
		wg.Go(func() {
			errs <- s.AppendAudit(ctx, casework.AuditRecord{At: at, Actor: 0, Action: casework.ActionUserAdd,
				Target: fmt.Sprintf("u%d@example.org", i), Detail: map[string]string{"role": "admin"}})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := casework.VerifyAuditLog(ctx, s)
	if err != nil || got != int64(n) {
		t.Fatalf("intact log: %d entries, %v; want %d", got, err, n)
	}
	return db, s
}

// TestAuditChainTamper changes one row of the audit log in the database and
// checks that verification names that row.
func TestAuditChainTamper(t *testing.T) {
	for _, d := range dbtest.Dialects {
		for _, tc := range []struct{ name, sql string }{
			{"Payload", `UPDATE audit_log SET payload = replace(payload, 'admin', 'auditor') WHERE seq = 4`},
			{"Target", `UPDATE audit_log SET target = 'mallory@example.org' WHERE seq = 4`},
			{"Detail", `UPDATE audit_log SET detail = '{"role":"auditor"}' WHERE seq = 4`},
			{"Gap", `DELETE FROM audit_log WHERE seq = 4`},
		} {
			t.Run(string(d)+"/"+tc.name, func(t *testing.T) {
				db, s := fillAudit(t, d, 10)
				if err := db.Exec(tc.sql).Error; err != nil {
					t.Fatal(err)
				}
				_, broken, err := casework.VerifyAuditLog(context.Background(), s)
				if !errors.Is(err, casework.ErrAuditBroken) || broken != 4 {
					t.Errorf("got broken=%d, %v; want entry 4", broken, err)
				}
			})
		}
	}
}

// TestLoginAttempts checks the store's side of the login delay on both
// dialects: claims count through decide, a refusal changes nothing, a
// failure is dated for admins, a login sets the count back to zero, and
// attempts with unknown addresses are forgotten while an account's stay.
func TestLoginAttempts(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s := store.New(dbtest.Open(t, d))
			t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
			u, err := s.CreateUser(ctx, casework.User{Email: "ana@example.org", Role: casework.RoleInvestigator, PasswordHash: "x", TOTPSealed: []byte{1}},
				casework.AuditRecord{At: t0, Action: casework.ActionUserAdd, Target: "ana@example.org"})
			if err != nil {
				t.Fatal(err)
			}
			ana, nobody := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
			count := func(at time.Time) func(casework.LoginAttempts) (casework.LoginAttempts, error) {
				return func(a casework.LoginAttempts) (casework.LoginAttempts, error) {
					a.Failures++
					a.LastAttempt = at
					a.BypassStep = 7
					return a, nil
				}
			}
			for i := range 3 {
				at := t0.Add(time.Duration(i) * time.Minute)
				if err := s.ClaimLoginAttempt(ctx, ana, u.ID, at.Add(-24*time.Hour), count(at)); err != nil {
					t.Fatal(err)
				}
				if err := s.ClaimLoginAttempt(ctx, nobody, 0, at.Add(-24*time.Hour), count(at)); err != nil {
					t.Fatal(err)
				}
			}
			refused := errors.New("wait")
			err = s.ClaimLoginAttempt(ctx, ana, u.ID, t0, func(casework.LoginAttempts) (casework.LoginAttempts, error) {
				return casework.LoginAttempts{Failures: 99}, refused
			})
			if !errors.Is(err, refused) {
				t.Fatalf("refused claim: got %v", err)
			}
			a, err := s.LoginAttempts(ctx, ana)
			want := casework.LoginAttempts{Failures: 3, LastAttempt: t0.Add(2 * time.Minute), BypassStep: 7}
			if err != nil || a.Failures != want.Failures || !a.LastAttempt.Equal(want.LastAttempt) || a.BypassStep != 7 || !a.LastFailure.IsZero() {
				t.Fatalf("attempts %+v, %v; want %+v", a, err, want)
			}
			if err := s.LoginFailed(ctx, ana, t0.Add(3*time.Minute), casework.AuditRecord{At: t0, Action: casework.ActionLoginFailed, Target: "ana@example.org"}); err != nil {
				t.Fatal(err)
			}
			users, err := s.Users(ctx)
			if err != nil || len(users) != 1 || users[0].FailedLogins != 3 || !users[0].LastFailedLogin.Equal(t0.Add(3*time.Minute)) {
				t.Fatalf("users %+v, %v; want 3 failures, the last at 12:03", users, err)
			}
			sess := casework.Session{ID: bytes.Repeat([]byte{3}, 32), UserID: u.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}
			if err := s.LoginSucceeded(ctx, ana, u.ID, 5, sess, casework.AuditRecord{At: t0, Action: casework.ActionLogin, Target: "ana@example.org"}); err != nil {
				t.Fatal(err)
			}
			if got, err := s.UserByEmail(ctx, "ana@example.org"); err != nil || got.FailedLogins != 0 || !got.LastFailedLogin.Equal(t0.Add(3*time.Minute)) {
				t.Fatalf("after a login: %+v, %v; want 0 failures and the last failure kept", got, err)
			}
			// A day later, the next claim forgets the unknown address; the
			// account's row stays for admins.
			later := t0.Add(25 * time.Hour)
			if err := s.ClaimLoginAttempt(ctx, bytes.Repeat([]byte{4}, 32), 0, later.Add(-24*time.Hour), count(later)); err != nil {
				t.Fatal(err)
			}
			if a, err := s.LoginAttempts(ctx, nobody); err != nil || a != (casework.LoginAttempts{}) {
				t.Errorf("unknown address a day later: %+v, %v; want forgotten", a, err)
			}
			if a, err := s.LoginAttempts(ctx, ana); err != nil || a.LastAttempt.IsZero() {
				t.Errorf("the account's attempts were forgotten: %+v, %v", a, err)
			}
		})
	}
}
