package casework

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tipline/tipline"
)

// Session is a server-side login session. ID is the SHA-256 of the token
// the client holds.
type Session struct {
	ID         []byte
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end, whatever the activity
}

// Principal is the staff member behind an authenticated request.
type Principal struct {
	UserID int64
	Email  string
	Role   Role
	Desks  []string
	// Expires is when the session ends at the latest.
	Expires time.Time

	session []byte
}

// ErrNoSession means a token names no live session: never issued, logged
// out, expired, or its account disabled.
var ErrNoSession = &tipline.Error{Code: tipline.Unauthenticated, Message: "Log in first."}

// Login checks an email, password and TOTP code and returns a new session
// token and the session. Every failed check is ErrLoginFailed, whatever
// failed. A malformed email or an overlong password is ErrLoginFailed
// before anything is derived or written; an attempt made while the
// address's delay runs is RateLimited, alike for addresses with and
// without an account (see LoginDelay); a login that waited too long for a
// derivation slot is RateLimited too (see HashSlots). The password is
// checked only with a right TOTP code; every other failure waits as long as
// a check takes, so that timing does not tell which emails exist. Failures go to the audit log, an unknown email as
// "(unknown)" with a short keyed hash, never as given.
func (s *Staff) Login(ctx context.Context, email, password, code string) (string, Session, error) {
	email, err := NormalizeEmail(email)
	if err != nil || len(password) > maxPasswordBytes {
		return "", Session{}, ErrLoginFailed
	}
	code = strings.TrimSpace(code)
	key, err := s.emailKey(email)
	if err != nil {
		return "", Session{}, err
	}
	now := s.Now()
	u, err := s.Store.UserByEmail(ctx, email)
	switch {
	case tipline.ErrorCode(err) == tipline.NotFound:
		u = User{}
	case err != nil:
		return "", Session{}, err
	}
	if err := s.admit(ctx, key, u, code, now); err != nil {
		return "", Session{}, err
	}
	// The password (argon2id: 64 MiB and tens of milliseconds) is checked
	// only for an enabled account whose TOTP code is right and fresh. Every
	// other attempt waits as long as a check takes instead of making one,
	// so its answer takes the same time and a flood of bogus logins costs
	// the server sleeping goroutines, not derivations: a staff member with
	// their authenticator never queues behind it.
	var step int64
	codeOK := false
	if u.ID != 0 && !u.Disabled {
		secret, err := s.openTOTP(u)
		if err != nil {
			return "", Session{}, err
		}
		step, codeOK = matchTOTP(secret, code, now, u.TOTPLastStep)
	}
	if !codeOK {
		if err := s.pause(ctx); err != nil {
			return "", Session{}, err
		}
		reason := "wrong code"
		switch {
		case u.ID == 0:
			reason = "unknown email"
		case u.Disabled:
			reason = "disabled"
		}
		return "", Session{}, s.failed(ctx, key, u, now, reason)
	}
	ok, err := s.verify(ctx, password, u.PasswordHash)
	if err != nil {
		return "", Session{}, err
	}
	if !ok {
		return "", Session{}, s.failed(ctx, key, u, now, "wrong password")
	}
	token, id, err := newToken()
	if err != nil {
		return "", Session{}, err
	}
	sess := Session{ID: id, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.MaxSession)}
	rec := AuditRecord{At: now, Actor: u.ID, Action: ActionLogin, Target: u.Email}
	err = s.Store.LoginSucceeded(ctx, key, u.ID, step, sess, rec)
	if tipline.ErrorCode(err) == tipline.Conflict {
		return "", Session{}, s.failed(ctx, key, u, now, "code reused")
	}
	if err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// failed records that an attempt with the email key, already counted by
// admit, failed its check, and returns ErrLoginFailed. u is the address's
// account, zero for none.
func (s *Staff) failed(ctx context.Context, key []byte, u User, now time.Time, reason string) error {
	if err := s.Store.LoginFailed(ctx, key, now, failureRecord(key, u, now, reason)); err != nil {
		return err
	}
	return ErrLoginFailed
}

// countFailure counts a failed check of the account u's password outside a
// login (a wrong old password on a change) and records it.
func (s *Staff) countFailure(ctx context.Context, key []byte, u User, now time.Time, reason string) error {
	d := s.delay()
	err := s.Store.ClaimLoginAttempt(ctx, key, u.ID, now.Add(-d.Forget), func(cur LoginAttempts) (LoginAttempts, error) {
		if d.forgotten(cur, now) {
			cur.Failures = 0
		}
		cur.Failures++
		cur.LastAttempt = now
		return cur, nil
	})
	if err != nil {
		return err
	}
	return s.Store.LoginFailed(ctx, key, now, failureRecord(key, u, now, reason))
}

// failureRecord is the audit entry of a failed login. An address without
// an account is written as "(unknown)" with the first bytes of its keyed
// hash: anyone can send any text as an email, and none of it reaches the
// log.
func failureRecord(key []byte, u User, now time.Time, reason string) AuditRecord {
	rec := AuditRecord{At: now, Actor: u.ID, Action: ActionLoginFailed, Target: u.Email, Detail: map[string]string{"reason": reason}}
	if u.ID == 0 {
		rec.Target = unknownTarget
		rec.Detail["email_key"] = shortKey(key)
	}
	return rec
}

// Authenticate returns the principal of a session token, and refreshes the
// session's idle timer. An unknown, idle or expired session, or one whose
// account is disabled, is ErrNoSession.
func (s *Staff) Authenticate(ctx context.Context, token string) (Principal, error) {
	id, ok := tokenID(token)
	if !ok {
		return Principal{}, ErrNoSession
	}
	sess, err := s.Store.Session(ctx, id)
	switch {
	case tipline.ErrorCode(err) == tipline.NotFound:
		return Principal{}, ErrNoSession
	case err != nil:
		return Principal{}, err
	}
	now := s.Now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.IdleTimeout {
		if err := s.Store.DeleteSession(ctx, id, AuditRecord{}); err != nil {
			return Principal{}, err
		}
		return Principal{}, ErrNoSession
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err != nil {
		return Principal{}, err
	}
	if u.Disabled {
		return Principal{}, ErrNoSession
	}
	if err := s.Store.TouchSession(ctx, id, now); err != nil {
		return Principal{}, err
	}
	return Principal{UserID: u.ID, Email: u.Email, Role: u.Role, Desks: u.Desks, Expires: sess.ExpiresAt, session: id}, nil
}

// Logout ends the principal's session.
func (s *Staff) Logout(ctx context.Context, p Principal) error {
	if p.session == nil {
		return errors.New("casework: logout without a session")
	}
	rec := AuditRecord{At: s.Now(), Actor: p.UserID, Action: ActionLogout, Target: p.Email}
	return s.Store.DeleteSession(ctx, p.session, rec)
}

// CSRFToken returns the anti-CSRF token that belongs to a session token. It
// is derived, so it needs no storage, and does not reveal the session token.
func CSRFToken(token string) string {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte("tipline csrf v1"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// newToken returns a random session token and its id (its SHA-256).
func newToken() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("casework: session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	id, _ := tokenID(token)
	return token, id, nil
}

// tokenID returns the session id of a well-formed token.
func tokenID(token string) ([]byte, bool) {
	if b, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(b) != 32 {
		return nil, false
	}
	sum := sha256.Sum256([]byte(token))
	return sum[:], true
}
