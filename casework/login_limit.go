package casework

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"

	"github.com/tipline/tipline"
)

// Staff logins under attack (issue 11).
//
// No lockout: anyone who knows a staff email address could keep such an
// account locked. Instead every email address tried, whether it has an
// account or not, has a count of failed logins, and after LoginDelay.Free
// failures in a row each further attempt must wait a delay since the last
// one, doubling from LoginDelay.First up to LoginDelay.Max. An attempt that
// comes too early is answered RateLimited ("wait N seconds") without a
// password derivation and without writing anything. A valid TOTP code that
// was not used before lets an attempt through the delay, once per code: the
// staff member, who holds their authenticator, always gets to try, while a
// guesser who knows only the address waits. Failures are forgotten
// LoginDelay.Forget after the last attempt, and a successful login sets the
// count back to zero.
//
// Attempts are kept under a keyed hash of the address (HMAC-SHA256 under the
// pepper), so the delay answers alike for addresses with and without an
// account, and unknown addresses are never stored or written to the audit
// log in the clear. Each attempt is counted before its password is checked,
// in one transaction that also checks the delay, so concurrent attempts
// cannot slip past it together.

// LoginDelay is the progressive delay of staff logins.
type LoginDelay struct {
	Free   int           // failures in a row before attempts wait
	First  time.Duration // the wait after the Free-th failure; it doubles with each further one
	Max    time.Duration // the longest wait
	Forget time.Duration // failures are forgotten this long after the last attempt
}

// DefaultLoginDelay lets 5 failures pass, then waits 1 s, 2 s, 4 s … up to
// 15 minutes between attempts, and forgets failures after a day. A guesser
// who knows an address but not its TOTP secret gets about 18 guesses in the
// first hour and 4 an hour after that.
var DefaultLoginDelay = LoginDelay{Free: 5, First: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}

// LoginAttempts is what is kept about the logins tried with one email
// address.
type LoginAttempts struct {
	// Failures counts attempts since the last successful login (or since
	// earlier ones were forgotten). An attempt counts before its check.
	Failures    int
	LastAttempt time.Time // zero when there was none
	LastFailure time.Time // the last failed check; zero when there was none
	// BypassStep is the last TOTP step that let an attempt through a
	// delay.
	BypassStep int64
}

// wait returns how long the next attempt after a must still wait at now.
func (d LoginDelay) wait(a LoginAttempts, now time.Time) time.Duration {
	if d.forgotten(a, now) || a.Failures < d.Free {
		return 0
	}
	delay := d.Max
	if n := a.Failures - d.Free; n < 32 {
		delay = min(d.First<<n, d.Max)
	}
	return max(a.LastAttempt.Add(delay).Sub(now), 0)
}

// forgotten reports whether a's failures are forgotten at now.
func (d LoginDelay) forgotten(a LoginAttempts, now time.Time) bool {
	return a.LastAttempt.IsZero() || now.Sub(a.LastAttempt) >= d.Forget
}

// errLoginWait answers an attempt that comes before its delay has passed.
func errLoginWait(wait time.Duration) error {
	secs := int64((wait + time.Second - 1) / time.Second)
	err := tipline.Errorf(tipline.RateLimited,
		"Too many failed logins with this email address. Wait %d seconds, or log in now with a new code from your authenticator app.", secs)
	err.RetryAfter = time.Duration(secs) * time.Second
	return err
}

// emailKeyLabel is the HMAC label of email keys; changing it (or the pepper)
// starts every count afresh.
const emailKeyLabel = "tipline login email v1"

// emailKey returns the keyed hash under which the attempts with a
// normalized email address are kept: HMAC-SHA256(pepper, label || 0x00 ||
// email).
func (s *Staff) emailKey(email string) ([]byte, error) {
	if err := s.Pepper.Validate(); err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, s.Pepper)
	io.WriteString(mac, emailKeyLabel)
	mac.Write([]byte{0})
	io.WriteString(mac, email)
	return mac.Sum(nil), nil
}

// unknownTarget is the audit target of a login with an address that has no
// account: never the address itself, which anyone can choose.
const unknownTarget = "(unknown)"

// shortKey is the first 8 bytes of an email key in hex: in the audit log it
// tells repeated attempts with one unknown address apart from many
// addresses, without the address.
func shortKey(key []byte) string { return hex.EncodeToString(key[:8]) }

// admit counts an attempt with the email key as a failure before its check,
// or refuses it with errLoginWait while the key's delay runs and the attempt
// holds no TOTP code that may pass it. u is the address's account (zero
// when it has none). Nothing is written for a refused attempt.
func (s *Staff) admit(ctx context.Context, key []byte, u User, code string, now time.Time) error {
	a, err := s.Store.LoginAttempts(ctx, key)
	if err != nil {
		return err
	}
	step := s.bypassStep(u, code, now, a)
	if wait := s.delay().wait(a, now); wait > 0 && step == 0 {
		return errLoginWait(wait)
	}
	decide := func(cur LoginAttempts) (LoginAttempts, error) {
		d := s.delay()
		next := cur
		if d.forgotten(cur, now) {
			next.Failures = 0
		}
		if wait := d.wait(cur, now); wait > 0 {
			if step <= cur.BypassStep {
				return cur, errLoginWait(wait)
			}
			next.BypassStep = step
		}
		next.Failures++
		next.LastAttempt = now
		return next, nil
	}
	forget := now.Add(-s.delay().Forget)
	err = s.Store.ClaimLoginAttempt(ctx, key, u.ID, forget, decide)
	if tipline.ErrorCode(err) == tipline.Conflict { // another node made the key's first row meanwhile
		err = s.Store.ClaimLoginAttempt(ctx, key, u.ID, forget, decide)
	}
	return err
}

// bypassStep returns the TOTP step of code when it is valid for the enabled
// account u at now and used neither for a login nor to pass a delay; 0
// otherwise.
func (s *Staff) bypassStep(u User, code string, now time.Time, a LoginAttempts) int64 {
	if u.ID == 0 || u.Disabled || code == "" {
		return 0
	}
	secret, err := s.openTOTP(u)
	if err != nil {
		return 0
	}
	step, ok := matchTOTP(secret, code, now, max(u.TOTPLastStep, a.BypassStep))
	if !ok {
		return 0
	}
	return step
}

func (s *Staff) delay() LoginDelay {
	if s.Delay == (LoginDelay{}) {
		return DefaultLoginDelay
	}
	return s.Delay
}
