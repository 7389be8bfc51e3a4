package casework

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
)

// Role is what a staff member may do.
type Role string

// The staff roles.
const (
	RoleAdmin        Role = "admin"
	RoleInvestigator Role = "investigator"
	RoleCounsel      Role = "counsel"
	RoleAuditor      Role = "auditor"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleInvestigator, RoleCounsel, RoleAuditor}

// User is a staff account as stored. TOTPSealed is the TOTP secret sealed
// under the service's key; the plain secret never reaches the store.
type User struct {
	ID           int64
	Email        string
	Role         Role
	PasswordHash string
	TOTPSealed   []byte
	TOTPLastStep int64
	Disabled     bool
	FailedLogins int
	LockedUntil  time.Time // zero when not locked
	CreatedAt    time.Time
	Desks        []string // desk slugs
}

// StaffStore keeps staff accounts, sessions and the audit log. Methods that
// take an AuditRecord append it in the same transaction as the change.
type StaffStore interface {
	AuditStore
	// CreateUser stores a new user with its desks and returns it with its
	// id; Conflict when the email is taken, NotFound for an unknown desk.
	CreateUser(ctx context.Context, u User, rec AuditRecord) (User, error)
	// UserByEmail returns a user with desks; NotFound when there is none.
	UserByEmail(ctx context.Context, email string) (User, error)
	// UserByID returns a user with desks; NotFound when there is none.
	UserByID(ctx context.Context, id int64) (User, error)
	// Users returns every user with desks, ordered by email.
	Users(ctx context.Context) ([]User, error)
	// UpdateCredentials replaces a user's password hash, sealed TOTP secret
	// (resetting its last step) and disabled flag, and ends every session of
	// the user except keepSession (nil for none); NotFound for an unknown user.
	UpdateCredentials(ctx context.Context, u User, keepSession []byte, rec AuditRecord) error
	// LoginFailed counts a failed login of a user; at maxFailures it sets
	// lockedUntil and starts the count again.
	LoginFailed(ctx context.Context, userID int64, maxFailures int, lockedUntil time.Time, rec AuditRecord) error
	// LoginSucceeded records the TOTP step as used, clears the failure count
	// and creates the session; Conflict when step is not after the last
	// used one (a replayed code).
	LoginSucceeded(ctx context.Context, userID, step int64, s Session, rec AuditRecord) error
	// Session returns a session by id; NotFound when there is none.
	Session(ctx context.Context, id []byte) (Session, error)
	// TouchSession sets a session's last-seen time.
	TouchSession(ctx context.Context, id []byte, at time.Time) error
	// DeleteSession ends a session, appending rec when rec.Action is set.
	DeleteSession(ctx context.Context, id []byte, rec AuditRecord) error
}

// Default limits of the staff service.
const (
	DefaultMaxFailures = 5
	DefaultLockout     = 15 * time.Minute
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxSession  = 12 * time.Hour
)

// Staff manages staff accounts, their logins and sessions, and writes each
// of those actions to the audit log.
type Staff struct {
	Store    StaffStore
	Pepper   crypto.Pepper // derives the key that seals TOTP secrets
	Password PasswordParams
	Issuer   string // shown by authenticator apps; "Tipline" when empty

	MaxFailures int           // failed logins before the account locks
	Lockout     time.Duration // how long a locked account stays locked
	IdleTimeout time.Duration // a session unused this long ends
	MaxSession  time.Duration // a session ends this long after login

	Logger *slog.Logger
	Now    func() time.Time

	dummyOnce sync.Once
	dummy     string
}

// NewStaff returns a Staff with the default limits and password parameters.
func NewStaff(store StaffStore, pepper crypto.Pepper, log *slog.Logger) *Staff {
	return &Staff{
		Store: store, Pepper: pepper, Password: DefaultPasswordParams, Issuer: "Tipline",
		MaxFailures: DefaultMaxFailures, Lockout: DefaultLockout,
		IdleTimeout: DefaultIdleTimeout, MaxSession: DefaultMaxSession,
		Logger: log, Now: time.Now,
	}
}

// ErrLoginFailed is the one answer to every failed login, whatever the
// reason: unknown email, wrong password or code, locked or disabled account.
var ErrLoginFailed = &tipline.Error{Code: tipline.Unauthenticated, Message: "Wrong email, password or code."}

// NormalizeEmail trims and lowercases an email address and checks that it
// is a bare address.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 {
		return "", tipline.Errorf(tipline.Invalid, "%q is not an email address.", email)
	}
	return e, nil
}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	if r := Role(s); slices.Contains(Roles, r) {
		return r, nil
	}
	return "", tipline.Errorf(tipline.Invalid, "Unknown role %q: use admin, investigator, counsel or auditor.", s)
}

// AddUser creates an account and returns it with the otpauth:// URI that
// enrolls its TOTP secret in an authenticator app. actor is the acting
// user's id, 0 for the command line.
func (s *Staff) AddUser(ctx context.Context, actor int64, email string, role Role, password string, desks []string) (User, string, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, "", err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, "", err
	}
	if err := CheckPassword(password, email); err != nil {
		return User{}, "", err
	}
	hash, err := hashPassword(password, s.Password)
	if err != nil {
		return User{}, "", err
	}
	secret, sealed, err := s.newTOTP(email)
	if err != nil {
		return User{}, "", err
	}
	u := User{Email: email, Role: role, PasswordHash: hash, TOTPSealed: sealed, Desks: desks}
	rec := AuditRecord{At: s.Now(), Actor: actor, Action: ActionUserAdd, Target: email,
		Detail: map[string]string{"role": string(role), "desks": strings.Join(desks, ",")}}
	u, err = s.Store.CreateUser(ctx, u, rec)
	if err != nil {
		return User{}, "", err
	}
	return u, otpauthURI(s.issuer(), email, secret), nil
}

// ListUsers returns every account, ordered by email.
func (s *Staff) ListUsers(ctx context.Context) ([]User, error) {
	return s.Store.Users(ctx)
}

// ResetTOTP gives an account a new TOTP secret, ends its sessions and
// returns the new otpauth:// URI.
func (s *Staff) ResetTOTP(ctx context.Context, actor int64, email string) (string, error) {
	u, err := s.userByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	secret, sealed, err := s.newTOTP(u.Email)
	if err != nil {
		return "", err
	}
	u.TOTPSealed = sealed
	rec := AuditRecord{At: s.Now(), Actor: actor, Action: ActionUserResetTOTP, Target: u.Email}
	if err := s.Store.UpdateCredentials(ctx, u, nil, rec); err != nil {
		return "", err
	}
	return otpauthURI(s.issuer(), u.Email, secret), nil
}

// Disable stops an account from logging in and ends its sessions.
func (s *Staff) Disable(ctx context.Context, actor int64, email string) error {
	u, err := s.userByEmail(ctx, email)
	if err != nil {
		return err
	}
	u.Disabled = true
	rec := AuditRecord{At: s.Now(), Actor: actor, Action: ActionUserDisable, Target: u.Email}
	return s.Store.UpdateCredentials(ctx, u, nil, rec)
}

// ChangePassword replaces the caller's password after checking the old one
// and the policy, and ends the caller's other sessions. A wrong old password
// counts as a failed login.
func (s *Staff) ChangePassword(ctx context.Context, p Principal, oldPassword, newPassword string) error {
	u, err := s.Store.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	ok, err := verifyPassword(oldPassword, u.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.failed(ctx, u, "password change"); !errors.Is(err, ErrLoginFailed) {
			return err
		}
		return tipline.Errorf(tipline.Invalid, "The current password is wrong.")
	}
	if err := CheckPassword(newPassword, u.Email); err != nil {
		return err
	}
	if u.PasswordHash, err = hashPassword(newPassword, s.Password); err != nil {
		return err
	}
	rec := AuditRecord{At: s.Now(), Actor: u.ID, Action: ActionPasswordChange, Target: u.Email}
	return s.Store.UpdateCredentials(ctx, u, p.session, rec)
}

func (s *Staff) userByEmail(ctx context.Context, email string) (User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	return s.Store.UserByEmail(ctx, e)
}

func (s *Staff) issuer() string {
	if s.Issuer == "" {
		return "Tipline"
	}
	return s.Issuer
}

// newTOTP returns a fresh secret and its sealed form for the account email.
func (s *Staff) newTOTP(email string) (secret, sealed []byte, err error) {
	secret = make([]byte, totpSecretSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, nil, fmt.Errorf("casework: TOTP secret: %w", err)
	}
	aead, err := s.totpAEAD()
	if err != nil {
		return nil, nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, fmt.Errorf("casework: nonce: %w", err)
	}
	return secret, aead.Seal(nonce, nonce, secret, []byte(email)), nil
}

// openTOTP unseals a user's TOTP secret. The email is the additional data,
// so a sealed secret copied to another account's row does not open.
func (s *Staff) openTOTP(u User) ([]byte, error) {
	aead, err := s.totpAEAD()
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(u.TOTPSealed) < n {
		return nil, fmt.Errorf("casework: sealed TOTP secret of user %d is too short", u.ID)
	}
	secret, err := aead.Open(nil, u.TOTPSealed[:n], u.TOTPSealed[n:], []byte(u.Email))
	if err != nil {
		return nil, fmt.Errorf("casework: TOTP secret of user %d does not open (was the pepper changed?): %w", u.ID, err)
	}
	return secret, nil
}

// totpAEAD is AES-256-GCM under HMAC-SHA256(pepper, "tipline totp key v1").
func (s *Staff) totpAEAD() (cipher.AEAD, error) {
	if err := s.Pepper.Validate(); err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, s.Pepper)
	mac.Write([]byte("tipline totp key v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
