package casework_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/database/dbtest"
	"github.com/tipline/tipline/store"
)

const password = "correct horse battery"

// clock is a settable time for the service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func (c *clock) code(secret string) string {
	code, err := casework.TOTPCode(secret, c.t)
	if err != nil {
		panic(err)
	}
	return code
}

// newStaff returns a staff service on a fresh SQLite database with fast
// password hashing and an injected clock.
func newStaff(t *testing.T) (*casework.Staff, *store.Store, *clock) {
	t.Helper()
	return newStaffOn(t, database.SQLite)
}

func newStaffOn(t *testing.T, d database.Dialect) (*casework.Staff, *store.Store, *clock) {
	t.Helper()
	st := store.New(dbtest.Open(t, d))
	c := &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := casework.NewStaff(st, crypto.NewPepper(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Password = casework.PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1}
	s.Now = c.now
	return s, st, c
}

// secretOf returns the base32 secret of an otpauth:// URI.
func secretOf(t *testing.T, uri string) string {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "otpauth" {
		t.Fatalf("not an otpauth URI: %q", uri)
	}
	return u.Query().Get("secret")
}

func addUser(t *testing.T, s *casework.Staff, email string) string {
	t.Helper()
	_, uri, err := s.AddUser(context.Background(), 0, email, casework.RoleInvestigator, password, []string{"export-controls"})
	if err != nil {
		t.Fatal(err)
	}
	return secretOf(t, uri)
}

func TestAddUser(t *testing.T) {
	s, _, _ := newStaff(t)
	ctx := context.Background()
	u, _, err := s.AddUser(ctx, 0, " Ana@Example.org ", casework.RoleAdmin, password, []string{"export-controls"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ana@example.org" || u.Role != casework.RoleAdmin || len(u.Desks) != 1 || u.Desks[0] != "export-controls" {
		t.Errorf("got %+v", u)
	}
	for name, tc := range map[string]struct {
		email, role, password string
		desks                 []string
		want                  tipline.Code
	}{
		"ErrDuplicate":   {"ANA@example.org", "admin", password, nil, tipline.Conflict},
		"ErrRole":        {"bo@example.org", "boss", password, nil, tipline.Invalid},
		"ErrEmail":       {"not an email", "admin", password, nil, tipline.Invalid},
		"ErrPassword":    {"bo@example.org", "admin", "password1234", nil, tipline.Invalid},
		"ErrUnknownDesk": {"bo@example.org", "admin", password, []string{"nope"}, tipline.NotFound},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := s.AddUser(ctx, 0, tc.email, casework.Role(tc.role), tc.password, tc.desks)
			if got := tipline.ErrorCode(err); got != tc.want {
				t.Errorf("got %v (%s), want %s", err, got, tc.want)
			}
		})
	}
}

func TestLogin(t *testing.T) {
	s, _, c := newStaff(t)
	ctx := context.Background()
	secret := addUser(t, s, "ana@example.org")

	t.Run("ErrNoCode", func(t *testing.T) {
		if _, _, err := s.Login(ctx, "ana@example.org", password, ""); !errors.Is(err, casework.ErrLoginFailed) {
			t.Fatalf("got %v, want ErrLoginFailed", err)
		}
	})
	t.Run("ErrUnknownEmail", func(t *testing.T) {
		if _, _, err := s.Login(ctx, "who@example.org", password, c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
			t.Fatalf("got %v, want ErrLoginFailed", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		token, sess, err := s.Login(ctx, "ANA@example.org", password, c.code(secret))
		if err != nil {
			t.Fatal(err)
		}
		if !sess.ExpiresAt.Equal(c.t.Add(12 * time.Hour)) {
			t.Errorf("expires %v", sess.ExpiresAt)
		}
		p, err := s.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if p.Email != "ana@example.org" || p.Role != casework.RoleInvestigator || len(p.Desks) != 1 {
			t.Errorf("principal %+v", p)
		}
	})
	t.Run("ErrReplayedCode", func(t *testing.T) {
		if _, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
			t.Fatalf("same code twice: got %v, want ErrLoginFailed", err)
		}
		c.add(30 * time.Second)
		if _, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret)); err != nil {
			t.Fatalf("next step: %v", err)
		}
	})
}

func TestLockout(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) { testLockout(t, d) })
	}
}

func testLockout(t *testing.T, d database.Dialect) {
	s, _, c := newStaffOn(t, d)
	ctx := context.Background()
	secret := addUser(t, s, "ana@example.org")
	for i := range 5 {
		c.add(30 * time.Second)
		if _, _, err := s.Login(ctx, "ana@example.org", "wrong password!", c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
			t.Fatalf("attempt %d: got %v", i+1, err)
		}
	}
	c.add(30 * time.Second)
	if _, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
		t.Fatalf("6th attempt with the right password: got %v, want ErrLoginFailed", err)
	}
	c.add(14 * time.Minute)
	if _, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
		t.Fatalf("still locked: got %v, want ErrLoginFailed", err)
	}
	c.add(time.Minute)
	if _, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret)); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	s, _, c := newStaff(t)
	ctx := context.Background()
	secret := addUser(t, s, "ana@example.org")
	login := func() string {
		t.Helper()
		c.add(30 * time.Second)
		token, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret))
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	t.Run("Idle", func(t *testing.T) {
		token := login()
		c.add(29 * time.Minute)
		if _, err := s.Authenticate(ctx, token); err != nil {
			t.Fatalf("after 29 minutes: %v", err)
		}
		c.add(30 * time.Minute)
		if _, err := s.Authenticate(ctx, token); !errors.Is(err, casework.ErrNoSession) {
			t.Fatalf("after 30 idle minutes: got %v, want ErrNoSession", err)
		}
	})
	t.Run("Absolute", func(t *testing.T) {
		token := login()
		for range 24 { // 11 h 36 min of activity
			c.add(29 * time.Minute)
			if _, err := s.Authenticate(ctx, token); err != nil {
				t.Fatalf("active session ended early: %v", err)
			}
		}
		c.add(25 * time.Minute)
		if _, err := s.Authenticate(ctx, token); !errors.Is(err, casework.ErrNoSession) {
			t.Fatalf("after 12 hours of activity: got %v, want ErrNoSession", err)
		}
	})
	t.Run("Logout", func(t *testing.T) {
		token := login()
		p, err := s.Authenticate(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Logout(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, token); !errors.Is(err, casework.ErrNoSession) {
			t.Fatalf("after logout: got %v", err)
		}
	})
	t.Run("Disable", func(t *testing.T) {
		token := login()
		if err := s.Disable(ctx, 0, "ana@example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, token); !errors.Is(err, casework.ErrNoSession) {
			t.Fatalf("after disable: got %v", err)
		}
		c.add(30 * time.Second)
		if _, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
			t.Fatalf("login when disabled: got %v", err)
		}
	})
	t.Run("ErrMalformedToken", func(t *testing.T) {
		if _, err := s.Authenticate(ctx, "nope"); !errors.Is(err, casework.ErrNoSession) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestChangePasswordAndResetTOTP(t *testing.T) {
	s, st, c := newStaff(t)
	ctx := context.Background()
	secret := addUser(t, s, "ana@example.org")
	c.add(30 * time.Second)
	token, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret))
	if err != nil {
		t.Fatal(err)
	}
	c.add(30 * time.Second)
	other, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChangePassword(ctx, p, "wrong password!", "a new long passphrase"); tipline.ErrorCode(err) != tipline.Invalid {
		t.Fatalf("wrong old password: got %v", err)
	}
	if err := s.ChangePassword(ctx, p, password, "short"); tipline.ErrorCode(err) != tipline.Invalid {
		t.Fatalf("short new password: got %v", err)
	}
	if err := s.ChangePassword(ctx, p, password, "a new long passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, token); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, err := s.Authenticate(ctx, other); !errors.Is(err, casework.ErrNoSession) {
		t.Errorf("another session survived the password change: %v", err)
	}
	uri, err := s.ResetTOTP(ctx, 0, "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	c.add(30 * time.Second)
	if _, _, err := s.Login(ctx, "ana@example.org", "a new long passphrase", c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
		t.Errorf("old TOTP secret still works: %v", err)
	}
	if _, _, err := s.Login(ctx, "ana@example.org", "a new long passphrase", c.code(secretOf(t, uri))); err != nil {
		t.Errorf("new TOTP secret: %v", err)
	}
	n, _, err := casework.VerifyAuditLog(ctx, st)
	if err != nil || n < 8 {
		t.Errorf("audit log: %d entries, %v", n, err)
	}
}
