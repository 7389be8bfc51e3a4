package casework

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
)

// InviteKind is what a single-use staff link makes.
type InviteKind string

// The kinds of staff links.
const (
	// InviteSetup makes the first admin; serve prints it while no admin exists.
	InviteSetup InviteKind = "setup"
	// InviteStaff makes the account an admin invited.
	InviteStaff InviteKind = "staff"
)

// Default lifetimes of staff links.
const (
	DefaultSetupTTL  = time.Hour
	DefaultInviteTTL = 7 * 24 * time.Hour
)

// Invite is a single-use link as stored: the SHA-256 of its token, never the
// token, and the account it makes.
type Invite struct {
	TokenHash []byte
	Kind      InviteKind
	Email     string // "" for InviteSetup: the first admin types it
	Role      Role
	Desks     []string
	InvitedBy int64 // 0 for InviteSetup
	ExpiresAt time.Time
}

// InviteStore keeps staff links. Methods that take an AuditRecord append it
// in the same transaction as the change.
type InviteStore interface {
	// AdminExists reports whether an account with the admin role exists.
	AdminExists(ctx context.Context) (bool, error)
	// ReplaceSetupInvite deletes every setup link and stores inv.
	ReplaceSetupInvite(ctx context.Context, inv Invite, rec AuditRecord) error
	// CreateInvite stores an invitation; NotFound for an unknown desk.
	CreateInvite(ctx context.Context, inv Invite, rec AuditRecord) error
	// Invite returns the link whose token hash is hash; NotFound when none.
	Invite(ctx context.Context, hash []byte) (Invite, error)
	// Invites returns the invitations (InviteStaff) not yet used, by email.
	Invites(ctx context.Context) ([]Invite, error)
	// AcceptInvite deletes the link whose token hash is hash and creates u
	// with the link's desks and the armored public key (none when ""), in
	// one transaction: NotFound when the link is gone or expired at at;
	// Conflict when the email is taken, or for a setup link when an admin
	// exists.
	AcceptInvite(ctx context.Context, hash []byte, at time.Time, u User, publicKey string, rec AuditRecord) (User, error)
}

// Onboarding makes staff accounts from single-use links: the first admin's
// setup link and an admin's invitations. The person the link is for sets
// their own password, enrols TOTP and, for an invitation, gives their
// OpenPGP public key.
type Onboarding struct {
	Staff     *Staff
	Store     InviteStore
	SetupTTL  time.Duration // DefaultSetupTTL when zero
	InviteTTL time.Duration // DefaultInviteTTL when zero
}

// ErrLinkGone is the one answer to a link that was never issued, was used
// or has expired.
var ErrLinkGone = tipline.Errorf(tipline.NotFound, "This link is not valid: it was used already, it has expired, or it was copied wrongly. Ask an admin for a new one.")

// ErrWrongCode means the code typed does not come from the secret shown.
var ErrWrongCode = tipline.Errorf(tipline.Invalid, "The code does not match. Check that the authenticator app shows the account just added, and that the device's clock is right, then type the current code.")

// SetupToken returns a new setup link's token while no admin exists,
// replacing any earlier one, and "" once one does.
func (o *Onboarding) SetupToken(ctx context.Context) (string, error) {
	exists, err := o.Store.AdminExists(ctx)
	if err != nil || exists {
		return "", err
	}
	token, hash, err := newLinkToken()
	if err != nil {
		return "", err
	}
	now := o.Staff.Now()
	inv := Invite{TokenHash: hash, Kind: InviteSetup, Role: RoleAdmin, ExpiresAt: now.Add(ttlOr(o.SetupTTL, DefaultSetupTTL))}
	rec := AuditRecord{At: now, Action: ActionSetupLink, Target: "setup",
		Detail: map[string]string{"expires": inv.ExpiresAt.UTC().Format(time.RFC3339)}}
	if err := o.Store.ReplaceSetupInvite(ctx, inv, rec); err != nil {
		return "", err
	}
	return token, nil
}

// InviteStaff makes an invitation for email with a role and desks and
// returns its token, shown once to the admin p.
func (o *Onboarding) InviteStaff(ctx context.Context, p Principal, email string, role Role, desks []string) (string, Invite, error) {
	if err := requireAdmin(p); err != nil {
		return "", Invite{}, err
	}
	email, err := NormalizeEmail(email)
	if err != nil {
		return "", Invite{}, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", Invite{}, err
	}
	if err := o.emailFree(ctx, email); err != nil {
		return "", Invite{}, err
	}
	token, hash, err := newLinkToken()
	if err != nil {
		return "", Invite{}, err
	}
	now := o.Staff.Now()
	inv := Invite{TokenHash: hash, Kind: InviteStaff, Email: email, Role: role, Desks: desks, InvitedBy: p.UserID,
		ExpiresAt: now.Add(ttlOr(o.InviteTTL, DefaultInviteTTL))}
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionUserInvite, Target: email,
		Detail: map[string]string{"role": string(role), "desks": strings.Join(desks, ","), "expires": inv.ExpiresAt.UTC().Format(time.RFC3339)}}
	if err := o.Store.CreateInvite(ctx, inv, rec); err != nil {
		return "", Invite{}, err
	}
	return token, inv, nil
}

// Invites returns the invitations not yet used, for the admin p.
func (o *Onboarding) Invites(ctx context.Context, p Principal) ([]Invite, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return o.Store.Invites(ctx)
}

// OpenLink returns the link of kind whose token is token, while it can
// still be used; ErrLinkGone otherwise.
func (o *Onboarding) OpenLink(ctx context.Context, kind InviteKind, token string) (Invite, error) {
	inv, err := o.Store.Invite(ctx, linkHash(token))
	switch {
	case err == nil && inv.Kind == kind && o.Staff.Now().Before(inv.ExpiresAt):
		return inv, nil
	case err == nil || tipline.ErrorCode(err) == tipline.NotFound:
		return Invite{}, ErrLinkGone
	}
	return Invite{}, err
}

// Enrolment is an account being made from a link, between its first form
// (email, password, key) and the TOTP code that confirms it. Nothing is
// stored until then: the form carries Sealed, the account's pending state
// sealed under the pepper and bound to the link.
type Enrolment struct {
	Email  string
	URI    string // otpauth:// URI, for the QR code
	Secret string // base32, for typing into the app by hand
	Sealed string
}

// pendingAccount is what Enrolment.Sealed holds.
type pendingAccount struct {
	Email        string `json:"email"`
	PasswordHash string `json:"password_hash"`
	TOTPSealed   []byte `json:"totp_sealed"`
	PublicKey    string `json:"public_key,omitempty"`
}

// enrolmentSealLabel is the crypto.Sealer label of pending accounts.
const enrolmentSealLabel = "tipline enrolment v1"

// Begin checks the first form of a link (the email for a setup link; the
// password; the armored public key, which an investigator must give) and
// returns the TOTP enrolment to show.
func (o *Onboarding) Begin(ctx context.Context, kind InviteKind, token, email, password string, publicKey []byte) (Enrolment, error) {
	inv, err := o.OpenLink(ctx, kind, token)
	if err != nil {
		return Enrolment{}, err
	}
	if inv.Kind == InviteStaff {
		email = inv.Email
	}
	if email, err = NormalizeEmail(email); err != nil {
		return Enrolment{}, err
	}
	if err := o.emailFree(ctx, email); err != nil {
		return Enrolment{}, err
	}
	if err := CheckPassword(password, email); err != nil {
		return Enrolment{}, err
	}
	pending := pendingAccount{Email: email}
	if len(strings.TrimSpace(string(publicKey))) > 0 {
		k, err := crypto.ParsePublicKey(publicKey, o.Staff.Now())
		if err != nil {
			return Enrolment{}, tipline.Wrap(tipline.Invalid, err, "This public key cannot be used: "+strings.TrimPrefix(err.Error(), "crypto: "))
		}
		pending.PublicKey = k.Armored
	} else if inv.Role == RoleInvestigator {
		return Enrolment{}, tipline.Errorf(tipline.Invalid, "Investigators need an OpenPGP public key: tips and access grants are encrypted to it.")
	}
	if pending.PasswordHash, err = o.Staff.hash(ctx, password); err != nil {
		return Enrolment{}, err
	}
	var secret []byte
	if secret, pending.TOTPSealed, err = o.Staff.newTOTP(email); err != nil {
		return Enrolment{}, err
	}
	sealer, err := o.Staff.Pepper.Sealer(enrolmentSealLabel)
	if err != nil {
		return Enrolment{}, fmt.Errorf("casework: enrolment sealer: %w", err)
	}
	plain, err := json.Marshal(pending)
	if err != nil {
		return Enrolment{}, fmt.Errorf("casework: enrolment: %w", err)
	}
	sealed := base64.RawURLEncoding.EncodeToString(sealer.Seal(plain, inv.TokenHash))
	return o.enrolment(email, secret, sealed), nil
}

// Finish checks the TOTP code against the enrolment Begin returned and
// makes the account, using the link up. On a wrong code it returns the
// same enrolment to show again with the error.
func (o *Onboarding) Finish(ctx context.Context, kind InviteKind, token, sealed, code string) (User, Enrolment, error) {
	inv, err := o.OpenLink(ctx, kind, token)
	if err != nil {
		return User{}, Enrolment{}, err
	}
	pending, err := o.openPending(sealed, inv.TokenHash)
	if err != nil {
		return User{}, Enrolment{}, err
	}
	u := User{Email: pending.Email, Role: inv.Role, PasswordHash: pending.PasswordHash, TOTPSealed: pending.TOTPSealed, Desks: inv.Desks}
	secret, err := o.Staff.openTOTP(u)
	if err != nil {
		return User{}, Enrolment{}, err
	}
	enrolment := o.enrolment(u.Email, secret, sealed)
	now := o.Staff.Now()
	step, ok := matchTOTP(secret, strings.TrimSpace(code), now, 0)
	if !ok {
		return User{}, enrolment, ErrWrongCode
	}
	u.TOTPLastStep = step // the code just typed cannot log in as well
	action := ActionUserInviteAccept
	if inv.Kind == InviteSetup {
		action = ActionSetupAdmin
	}
	rec := AuditRecord{At: now, Actor: inv.InvitedBy, Action: action, Target: u.Email,
		Detail: map[string]string{"role": string(u.Role), "desks": strings.Join(u.Desks, ",")}}
	if pending.PublicKey != "" {
		k, err := crypto.ParsePublicKey([]byte(pending.PublicKey), now)
		if err != nil {
			return User{}, enrolment, tipline.Wrap(tipline.Invalid, err, "This public key cannot be used: "+strings.TrimPrefix(err.Error(), "crypto: "))
		}
		rec.Detail["fingerprint"] = k.Fingerprint
	}
	created, err := o.Store.AcceptInvite(ctx, inv.TokenHash, now, u, pending.PublicKey, rec)
	if tipline.ErrorCode(err) == tipline.NotFound {
		return User{}, Enrolment{}, ErrLinkGone
	}
	return created, enrolment, err
}

// openPending opens Enrolment.Sealed as made for the link hash.
func (o *Onboarding) openPending(sealed string, hash []byte) (pendingAccount, error) {
	var pending pendingAccount
	sealer, err := o.Staff.Pepper.Sealer(enrolmentSealLabel)
	if err != nil {
		return pending, fmt.Errorf("casework: enrolment sealer: %w", err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err == nil {
		var plain []byte
		if plain, err = sealer.Open(raw, hash); err == nil {
			err = json.Unmarshal(plain, &pending)
		}
	}
	if err != nil {
		return pending, tipline.Wrap(tipline.Invalid, err, "The form is out of date. Open the link again and start over.")
	}
	return pending, nil
}

func (o *Onboarding) enrolment(email string, secret []byte, sealed string) Enrolment {
	return Enrolment{Email: email, URI: otpauthURI(o.Staff.issuer(), email, secret),
		Secret: totpEncoding.EncodeToString(secret), Sealed: sealed}
}

// emailFree returns Conflict when an account has the email already.
func (o *Onboarding) emailFree(ctx context.Context, email string) error {
	_, err := o.Staff.Store.UserByEmail(ctx, email)
	switch {
	case err == nil:
		return tipline.Errorf(tipline.Conflict, "%s has an account already.", email)
	case tipline.ErrorCode(err) == tipline.NotFound:
		return nil
	}
	return err
}

// newLinkToken returns a new link token (32 random bytes, base64url) and
// the hash that is stored.
func newLinkToken() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("casework: link token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, linkHash(token), nil
}

// linkHash is the stored form of a link token.
func linkHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func ttlOr(ttl, fallback time.Duration) time.Duration {
	if ttl > 0 {
		return ttl
	}
	return fallback
}
