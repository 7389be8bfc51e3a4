package casework_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
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

// TestLoginDelay is reproduction 6 of issue 11: five wrong passwords used
// to lock an account for 15 minutes, so anyone who knew the email could
// keep its owner out forever. Now failures only delay further attempts, a
// new TOTP code passes the delay, and admins see the count.
func TestLoginDelay(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) { testLoginDelay(t, d) })
	}
}

func testLoginDelay(t *testing.T, d database.Dialect) {
	s, st, c := newStaffOn(t, d)
	ctx := context.Background()
	secret := addUser(t, s, "ana@example.org")
	entries := func() int64 {
		t.Helper()
		n, _, err := casework.VerifyAuditLog(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	fail := func(email string) {
		t.Helper()
		if _, _, err := s.Login(ctx, email, "wrong password!", c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
			t.Fatalf("wrong password for %s: got %v, want ErrLoginFailed", email, err)
		}
	}
	waits := func(email, password, code string) string {
		t.Helper()
		before := entries()
		_, _, err := s.Login(ctx, email, password, code)
		if tipline.ErrorCode(err) != tipline.RateLimited {
			t.Fatalf("attempt during the delay for %s: got %v, want RateLimited", email, err)
		}
		if n := entries(); n != before {
			t.Errorf("a refused attempt wrote %d audit entries", n-before)
		}
		return tipline.ErrorMessage(err)
	}

	for range 5 {
		c.add(time.Second)
		fail("ana@example.org")
	}
	// The attacker's next guess waits, without a check or a write.
	if msg := waits("ana@example.org", "another guess!!", ""); !strings.Contains(msg, "Wait 1 seconds") {
		t.Errorf("message %q does not say how long to wait", msg)
	}
	// Once the delay has passed, the owner logs in (the old lockout kept
	// them out for 15 minutes).
	c.add(time.Second)
	if _, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret)); err != nil {
		t.Fatalf("right password and code after the delay: %v", err)
	}
	users, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u := users[0]; u.FailedLogins != 0 || !u.LastFailedLogin.Equal(c.t.Add(-time.Second)) {
		t.Errorf("after a login: %d failures, last %v; want 0 and the 5th failure", u.FailedLogins, u.LastFailedLogin)
	}

	// An attacker who guesses the moment each delay ends: the delay
	// doubles up to 15 minutes, and the owner is never kept out, because
	// a new code passes the delay.
	for range 5 {
		c.add(30 * time.Second)
		fail("ana@example.org")
	}
	wantWait := time.Second
	for range 12 {
		msg := waits("ana@example.org", "another guess!!", "")
		if want := fmt.Sprintf("Wait %d seconds", int(wantWait.Seconds())); !strings.Contains(msg, want) {
			t.Fatalf("message %q, want %q", msg, want)
		}
		c.add(wantWait)
		fail("ana@example.org")
		wantWait = min(2*wantWait, 15*time.Minute)
	}
	if wantWait != 15*time.Minute {
		t.Fatalf("the delay did not reach its cap: %v", wantWait)
	}
	users, err = s.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u := users[0]; u.FailedLogins != 17 || !u.LastFailedLogin.Equal(c.t) {
		t.Errorf("admins see %d failures, last %v; want 17 and %v", u.FailedLogins, u.LastFailedLogin, c.t)
	}
	c.add(30 * time.Second)
	code := c.code(secret)
	// A wrong password with a new code passes the delay once and counts.
	if _, _, err := s.Login(ctx, "ana@example.org", "wrong password!", code); !errors.Is(err, casework.ErrLoginFailed) {
		t.Fatalf("wrong password with a new code during the delay: got %v, want ErrLoginFailed", err)
	}
	// The same code does not pass the delay again, not even with the
	// right password.
	waits("ana@example.org", password, code)
	// The owner, with the next code, logs in at once.
	c.add(30 * time.Second)
	if _, _, err := s.Login(ctx, "ana@example.org", password, c.code(secret)); err != nil {
		t.Fatalf("the owner with a new code during the delay: %v", err)
	}

	// An address without an account answers alike, so the delay does not
	// tell which addresses exist.
	for range 5 {
		c.add(time.Second)
		fail("nobody@example.org")
	}
	if msg := waits("nobody@example.org", password, c.code(secret)); !strings.Contains(msg, "Wait 1 seconds") {
		t.Errorf("unknown address: message %q", msg)
	}
	// Failures are forgotten a day after the last attempt.
	c.add(24 * time.Hour)
	fail("nobody@example.org")
}

// TestLoginConcurrentGuesses fires 20 wrong logins at once at one account,
// without its TOTP secret: only the 5 free failures are checked, the others
// wait, on both dialects.
func TestLoginConcurrentGuesses(t *testing.T) {
	for _, d := range dbtest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s, _, _ := newStaffOn(t, d)
			ctx := context.Background()
			addUser(t, s, "ana@example.org")
			const n = 20
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() {
					_, _, err := s.Login(ctx, "ana@example.org", "wrong password!", "123456")
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			checked := 0
			for err := range errs {
				switch {
				case errors.Is(err, casework.ErrLoginFailed):
					checked++
				case tipline.ErrorCode(err) != tipline.RateLimited:
					t.Errorf("got %v, want ErrLoginFailed or RateLimited", err)
				}
			}
			if checked != 5 {
				t.Errorf("%d of %d concurrent guesses were checked, want 5", checked, n)
			}
		})
	}
}

// TestLoginAuditUnknownEmail is reproduction 7 of issue 11: a login with a
// 20 KB fake email stored it as an audit target. Now a malformed email is
// refused before anything is written, and an unknown one is written as
// "(unknown)" with a short keyed hash, never as sent.
func TestLoginAuditUnknownEmail(t *testing.T) {
	s, st, c := newStaff(t)
	ctx := context.Background()
	secret := addUser(t, s, "ana@example.org")
	for name, email := range map[string]string{
		"Long":      strings.Repeat("x", 20<<10) + "@example.org",
		"NotEmail":  "<script>alert(1)</script>",
		"WithName":  "Ana <ana@example.org>",
		"Multiline": "ana@example.org\nforged entry",
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := s.Login(ctx, email, password, c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
				t.Errorf("got %v, want ErrLoginFailed", err)
			}
		})
	}
	if n, _, err := casework.VerifyAuditLog(ctx, st); err != nil || n != 1 {
		t.Fatalf("audit log has %d entries (%v), want only the user.add", n, err)
	}

	unknown := "mallory-probe@example.org"
	for range 2 {
		if _, _, err := s.Login(ctx, unknown, password, c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
			t.Fatalf("unknown email: got %v", err)
		}
	}
	if _, _, err := s.Login(ctx, "other@example.org", password, c.code(secret)); !errors.Is(err, casework.ErrLoginFailed) {
		t.Fatalf("unknown email: got %v", err)
	}
	entries, err := st.AuditEntries(ctx, 1, 10)
	if err != nil || len(entries) != 3 {
		t.Fatalf("%d entries, %v; want 3", len(entries), err)
	}
	for _, e := range entries {
		r := e.Record
		if r.Action != casework.ActionLoginFailed || r.Target != "(unknown)" || len(r.Detail["email_key"]) != 16 {
			t.Errorf("entry %d: %+v", e.Seq, r)
		}
		if strings.Contains(string(e.Payload), "mallory") || strings.Contains(string(e.Payload), "other@") {
			t.Errorf("entry %d holds the email: %s", e.Seq, e.Payload)
		}
	}
	if a, b, o := entries[0].Record.Detail["email_key"], entries[1].Record.Detail["email_key"], entries[2].Record.Detail["email_key"]; a != b || a == o {
		t.Errorf("email keys %s %s %s: want the same for one address, another for another", a, b, o)
	}
}

// TestLoginMemory is reproduction 5 of issue 11: 16 concurrent logins with
// unknown emails took the server from 62 MB to 1.11 GB, one 64 MiB argon2id
// derivation each at once. Now derivations wait for a slot, and the heap
// grows by about two derivations at most (one running, one not yet
// collected).
func TestLoginMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("16 full-cost password derivations")
	}
	s, _, c := newStaff(t)
	s.Password = casework.DefaultPasswordParams
	ctx := context.Background()
	derivation := uint64(casework.DefaultPasswordParams.MemoryKiB) << 10

	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	base := heap()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // samples the heap while the logins run
		defer close(sampled)
		for {
			if h := heap(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-stop:
				return
			default:
				time.Sleep(100 * time.Microsecond) // a sampling pace, not a timing assertion
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			email := fmt.Sprintf("nobody%d@example.org", i)
			if _, _, err := s.Login(ctx, email, "some password", c.code("JBSWY3DPEHPK3PXP")); !errors.Is(err, casework.ErrLoginFailed) {
				t.Errorf("%s: got %v, want ErrLoginFailed", email, err)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	grew := int64(peak.Load()) - int64(base)
	t.Logf("heap grew by %d MiB during 16 concurrent logins (one derivation: %d MiB)", grew>>20, derivation>>20)
	if limit := int64(derivation * 5 / 2); grew > limit {
		t.Errorf("heap grew by %d MiB, want at most %d MiB (about two derivations)", grew>>20, limit>>20)
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

// TestLoginFloodLeavesSlotFree: bogus logins (unknown emails, and the real
// address with wrong codes) make no password derivation, so with a single
// slot and no patience for waiting (HashWait 1 ns) none of them is refused
// as busy and the staff member with the right code logs in meanwhile. On a
// design that derives for every attempt, the flood holds the slot and
// answers "too many logins at once", the real login included.
func TestLoginFloodLeavesSlotFree(t *testing.T) {
	s, _, c := newStaff(t)
	// Derivations of a few milliseconds, so that a flood that made them
	// would overlap on the single slot.
	s.Password = casework.PasswordParams{Time: 1, MemoryKiB: 8 << 10, Threads: 1}
	s.HashSlots, s.HashWait = 1, time.Nanosecond
	ctx := context.Background()
	secret := addUser(t, s, "ana@example.org")
	// The first refusal measures how long a check takes: one derivation.
	if _, _, err := s.Login(ctx, "nobody@example.org", "some password", "000000"); !errors.Is(err, casework.ErrLoginFailed) {
		t.Fatalf("warm-up: %v", err)
	}
	wrong := "000000"
	if wrong == c.code(secret) {
		wrong = "111111"
	}
	var wg sync.WaitGroup
	var busy atomic.Int32
	for i := range 64 {
		wg.Go(func() {
			email := fmt.Sprintf("nobody%d@example.org", i)
			if i%2 == 0 {
				email = "ana@example.org"
			}
			_, _, err := s.Login(ctx, email, "some password", wrong)
			switch {
			case errors.Is(err, casework.ErrLoginFailed):
			case tipline.ErrorCode(err) == tipline.RateLimited && email == "ana@example.org" && !strings.Contains(err.Error(), "at once"):
				// the address's delay after five failures: expected
			case tipline.ErrorCode(err) == tipline.RateLimited:
				busy.Add(1)
			default:
				t.Errorf("%s: %v", email, err)
			}
		})
	}
	var real error
	wg.Go(func() { _, _, real = s.Login(ctx, "ana@example.org", password, c.code(secret)) })
	wg.Wait()
	if n := busy.Load(); n > 0 {
		t.Errorf("%d bogus logins were refused as busy: they took a derivation slot", n)
	}
	if real != nil {
		t.Errorf("the real login during the flood: %v", real)
	}
}
