package casework

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	// FailedLogins counts the logins tried since the last successful one
	// that did not succeed (see LoginAttempts); LastFailedLogin is the last
	// of them, zero when there was none. Shown to admins.
	FailedLogins    int
	LastFailedLogin time.Time
	CreatedAt       time.Time
	Desks           []string // desk slugs
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
	// LoginAttempts returns what is kept about the logins tried with the
	// email key (see Staff.emailKey); the zero value when nothing is.
	LoginAttempts(ctx context.Context, key []byte) (LoginAttempts, error)
	// ClaimLoginAttempt counts an attempt with the email key before its
	// check, in one transaction that holds the key's row: decide gets the
	// key's attempts as stored (the zero value when none) and returns them
	// as they are to be stored (Failures, LastAttempt, BypassStep), or an
	// error that leaves them unchanged and is returned. userID is the
	// address's account, 0 for none. Attempts with addresses that have no
	// account and whose last attempt is before forget are deleted on the
	// way. Conflict when another transaction made the key's row meanwhile.
	ClaimLoginAttempt(ctx context.Context, key []byte, userID int64, forget time.Time,
		decide func(LoginAttempts) (LoginAttempts, error)) error
	// LoginFailed records that an attempt claimed with the email key failed
	// its check at at, and appends rec.
	LoginFailed(ctx context.Context, key []byte, at time.Time, rec AuditRecord) error
	// LoginSucceeded records the TOTP step as used, sets the email key's
	// failures to zero and creates the session; Conflict when step is not
	// after the last used one (a replayed code).
	LoginSucceeded(ctx context.Context, key []byte, userID, step int64, s Session, rec AuditRecord) error
	// Session returns a session by id; NotFound when there is none.
	Session(ctx context.Context, id []byte) (Session, error)
	// TouchSession sets a session's last-seen time.
	TouchSession(ctx context.Context, id []byte, at time.Time) error
	// DeleteSession ends a session, appending rec when rec.Action is set.
	DeleteSession(ctx context.Context, id []byte, rec AuditRecord) error
}

// Default limits of the staff service (see also DefaultLoginDelay,
// DefaultHashSlots and DefaultHashWait).
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxSession  = 12 * time.Hour
)

// Staff manages staff accounts, their logins and sessions, and writes each
// of those actions to the audit log.
type Staff struct {
	Store    StaffStore
	Pepper   crypto.Pepper // derives the key that seals TOTP secrets
	Anchors  AuditAnchors  // checks the audit log's tail when it is verified; nil checks its links only
	Password PasswordParams
	Issuer   string // shown by authenticator apps; "Tipline" when empty

	Delay       LoginDelay    // between failed logins; DefaultLoginDelay when zero
	HashSlots   int           // password derivations at once; DefaultHashSlots when 0
	HashWait    time.Duration // a login's longest wait for a slot; DefaultHashWait when 0
	IdleTimeout time.Duration // a session unused this long ends
	MaxSession  time.Duration // a session ends this long after login

	Logger *slog.Logger
	Now    func() time.Time

	pauseMu   sync.Mutex
	pauseFor  time.Duration // how long one password check takes (see pause)
	slotsOnce sync.Once
	slots     chan struct{}
}

// NewStaff returns a Staff with the default limits and password parameters.
func NewStaff(store StaffStore, pepper crypto.Pepper, log *slog.Logger) *Staff {
	return &Staff{
		Store: store, Pepper: pepper, Password: DefaultPasswordParams, Issuer: "Tipline",
		Delay: DefaultLoginDelay, HashSlots: DefaultHashSlots, HashWait: DefaultHashWait,
		IdleTimeout: DefaultIdleTimeout, MaxSession: DefaultMaxSession,
		Logger: log, Now: time.Now,
	}
}

// ErrLoginFailed is the one answer to every failed login, whatever the
// reason: unknown or malformed email, wrong password or code, disabled
// account. (An attempt that comes before its delay is RateLimited, alike
// for every address.)
var ErrLoginFailed = &tipline.Error{Code: tipline.Unauthenticated, Message: "Wrong email, password or code."}

// maxEmailLength is the longest email address (RFC 5321's path limit).
const maxEmailLength = 254

// NormalizeEmail trims and lowercases an email address and checks that it
// is a bare address of at most 254 bytes. The error quotes at most the
// first 64 bytes of what was given.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if len(e) < 3 || len(e) > maxEmailLength {
		return "", tipline.Errorf(tipline.Invalid, "%q is not an email address.", shorten(email, 64))
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e {
		return "", tipline.Errorf(tipline.Invalid, "%q is not an email address.", shorten(email, 64))
	}
	return e, nil
}

// shorten returns s cut to at most n bytes (on a rune boundary), with "…"
// when cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
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
	hash, err := s.hash(ctx, password)
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
// counts as a failed login, and while the account's login delay runs the
// old password is not checked (RateLimited).
func (s *Staff) ChangePassword(ctx context.Context, p Principal, oldPassword, newPassword string) error {
	u, err := s.Store.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	key, err := s.emailKey(u.Email)
	if err != nil {
		return err
	}
	now := s.Now()
	a, err := s.Store.LoginAttempts(ctx, key)
	if err != nil {
		return err
	}
	if wait := s.delay().wait(a, now); wait > 0 {
		return errLoginWait(wait)
	}
	ok := false
	if len(oldPassword) <= maxPasswordBytes {
		if ok, err = s.verify(ctx, oldPassword, u.PasswordHash); err != nil {
			return err
		}
	}
	if !ok {
		if err := s.countFailure(ctx, key, u, now, "password change"); err != nil {
			return err
		}
		return tipline.Errorf(tipline.Invalid, "The current password is wrong.")
	}
	if err := CheckPassword(newPassword, u.Email); err != nil {
		return err
	}
	if u.PasswordHash, err = s.hash(ctx, newPassword); err != nil {
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

// totpSealLabel is the crypto.Sealer label of TOTP secrets. Every stored
// secret depends on it: changing it makes them all unopenable.
const totpSealLabel = "tipline totp key v1"

// newTOTP returns a fresh secret and its sealed form for the account email.
func (s *Staff) newTOTP(email string) (secret, sealed []byte, err error) {
	sealer, err := s.totpSealer()
	if err != nil {
		return nil, nil, err
	}
	secret = make([]byte, totpSecretSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, nil, fmt.Errorf("casework: TOTP secret: %w", err)
	}
	return secret, sealer.Seal(secret, []byte(email)), nil
}

// openTOTP unseals a user's TOTP secret. The email is the additional data,
// so a sealed secret copied to another account's row does not open.
func (s *Staff) openTOTP(u User) ([]byte, error) {
	sealer, err := s.totpSealer()
	if err != nil {
		return nil, err
	}
	secret, err := sealer.Open(u.TOTPSealed, []byte(u.Email))
	if err != nil {
		return nil, fmt.Errorf("casework: TOTP secret of user %d does not open (was the pepper changed?): %w", u.ID, err)
	}
	return secret, nil
}

// totpSealer seals TOTP secrets under the pepper (see crypto.Sealer).
func (s *Staff) totpSealer() (*crypto.Sealer, error) {
	sealer, err := s.Pepper.Sealer(totpSealLabel)
	if err != nil {
		return nil, fmt.Errorf("casework: TOTP sealer: %w", err)
	}
	return sealer, nil
}
