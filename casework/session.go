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
// token and the session. Every failure is ErrLoginFailed. The password is
// hashed even for unknown emails so that timing does not tell which emails
// exist; MaxFailures failures in a row lock the account for Lockout.
func (s *Staff) Login(ctx context.Context, email, password, code string) (string, Session, error) {
	now := s.Now()
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.Store.UserByEmail(ctx, email)
	switch {
	case tipline.ErrorCode(err) == tipline.NotFound:
		s.dummyVerify(password)
		return "", Session{}, s.refuse(ctx, 0, email, "unknown email")
	case err != nil:
		return "", Session{}, err
	}
	ok, err := verifyPassword(password, u.PasswordHash)
	if err != nil {
		return "", Session{}, err
	}
	switch {
	case u.Disabled:
		return "", Session{}, s.refuse(ctx, u.ID, u.Email, "disabled")
	case now.Before(u.LockedUntil):
		return "", Session{}, s.refuse(ctx, u.ID, u.Email, "locked")
	case !ok:
		return "", Session{}, s.failed(ctx, u, "wrong password")
	}
	secret, err := s.openTOTP(u)
	if err != nil {
		return "", Session{}, err
	}
	step, ok := matchTOTP(secret, strings.TrimSpace(code), now, u.TOTPLastStep)
	if !ok {
		return "", Session{}, s.failed(ctx, u, "wrong code")
	}
	token, id, err := newToken()
	if err != nil {
		return "", Session{}, err
	}
	sess := Session{ID: id, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.MaxSession)}
	rec := AuditRecord{At: now, Actor: u.ID, Action: ActionLogin, Target: u.Email}
	err = s.Store.LoginSucceeded(ctx, u.ID, step, sess, rec)
	if tipline.ErrorCode(err) == tipline.Conflict {
		return "", Session{}, s.failed(ctx, u, "code reused")
	}
	if err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// failed counts a failed login of an existing account and returns
// ErrLoginFailed.
func (s *Staff) failed(ctx context.Context, u User, reason string) error {
	now := s.Now()
	rec := AuditRecord{At: now, Actor: u.ID, Action: ActionLoginFailed, Target: u.Email, Detail: map[string]string{"reason": reason}}
	if err := s.Store.LoginFailed(ctx, u.ID, s.MaxFailures, now.Add(s.Lockout), rec); err != nil {
		return err
	}
	return ErrLoginFailed
}

// refuse records a login refused without counting it (unknown email,
// disabled or already locked account) and returns ErrLoginFailed.
func (s *Staff) refuse(ctx context.Context, actor int64, email, reason string) error {
	rec := AuditRecord{At: s.Now(), Actor: actor, Action: ActionLoginFailed, Target: email, Detail: map[string]string{"reason": reason}}
	if err := s.Store.AppendAudit(ctx, rec); err != nil {
		return err
	}
	return ErrLoginFailed
}

// dummyVerify spends the time of one password check, against a hash made
// once with the current parameters.
func (s *Staff) dummyVerify(password string) {
	s.dummyOnce.Do(func() {
		h, err := hashPassword("tipline dummy password", s.Password)
		if err == nil {
			s.dummy = h
		}
	})
	verifyPassword(password, s.dummy)
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
