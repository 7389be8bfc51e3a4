package casework

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// Audit actions recorded by the onboarding and admin services.
const (
	ActionSetupLink         AuditAction = "setup.link"
	ActionSetupAdmin        AuditAction = "setup.admin"
	ActionUserInvite        AuditAction = "user.invite"
	ActionUserInviteAccept  AuditAction = "user.invite_accept"
	ActionUserAccess        AuditAction = "user.access"
	ActionDeskCreate        AuditAction = "desk.create"
	ActionDeskDeadlines     AuditAction = "desk.deadlines"
	ActionDeskQuestionnaire AuditAction = "desk.questionnaire"
	ActionDeskKeyAdd        AuditAction = "desk.key_add"
	ActionDeskKeyRemove     AuditAction = "desk.key_remove"
)

// KeyWarningWindow is how long before a desk key expires admins and the
// desk's staff are warned.
const KeyWarningWindow = 30 * 24 * time.Hour

// AdminStore keeps what admins change in the browser. Every method appends
// rec in the same transaction as the change.
type AdminStore interface {
	// CreateDeskAudited stores a new desk; Conflict when the slug is taken.
	CreateDeskAudited(ctx context.Context, d intake.Desk, rec AuditRecord) (intake.Desk, error)
	// SetDeskDeadlines changes a desk's deadlines; NotFound for an unknown desk.
	SetDeskDeadlines(ctx context.Context, slug string, ackDays, feedbackMonths int, rec AuditRecord) error
	// SetDeskQuestionnaire stores a desk's questionnaire, replacing any
	// earlier upload; NotFound for an unknown desk.
	SetDeskQuestionnaire(ctx context.Context, slug string, definition []byte, at time.Time, rec AuditRecord) error
	// DeskQuestionnaire returns a desk's uploaded questionnaire; nil when it has none.
	DeskQuestionnaire(ctx context.Context, slug string) ([]byte, error)
	// AddDeskKey stores a recipient key; NotFound for an unknown desk,
	// Conflict when the desk has the key already.
	AddDeskKey(ctx context.Context, k intake.RecipientKey, rec AuditRecord) (intake.RecipientKey, error)
	// RemoveDeskKey removes a key from a desk; NotFound when it is not there.
	RemoveDeskKey(ctx context.Context, slug, fingerprint string, rec AuditRecord) error
	// SetUserAccess sets a user's role and desks; NotFound for an unknown
	// user or desk.
	SetUserAccess(ctx context.Context, userID int64, role Role, desks []string, rec AuditRecord) error
}

// Admin is what admins do in the browser and with the desk and key
// commands (as CommandLine): desks, their questionnaires and keys, and
// staff accounts. Only the admin role may use it; every change is audited.
// Staff is needed only for the staff accounts.
type Admin struct {
	Store AdminStore
	Desks *intake.Desks
	Staff *Staff
	// Questionnaires gives a desk's questionnaire when none was uploaded
	// (intake.Service.Questionnaires before uploads).
	Questionnaires func(deskSlug string) *intake.Questionnaire
}

var errAdminOnly = tipline.Errorf(tipline.Forbidden, "Only admins may do this.")

func requireAdmin(p Principal) error {
	if p.Role != RoleAdmin {
		return errAdminOnly
	}
	return nil
}

// CommandLine is the principal of the tipline command's desk and key
// commands: an admin that is no account, recorded as actor 0 in the audit
// log, as the other commands record themselves.
var CommandLine = Principal{Role: RoleAdmin}

func (a *Admin) now() time.Time { return a.Desks.Now() }

// ListDesks returns every desk by slug, as stored now (not as the intake
// keeps them in memory).
func (a *Admin) ListDesks(ctx context.Context, p Principal) ([]intake.Desk, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return a.Desks.Store.Desks(ctx)
}

// Desk returns one desk as stored now; NotFound when there is none.
func (a *Admin) Desk(ctx context.Context, p Principal, slug string) (intake.Desk, error) {
	if err := requireAdmin(p); err != nil {
		return intake.Desk{}, err
	}
	return a.Desks.Store.Desk(ctx, slug)
}

// AddDesk creates a desk.
func (a *Admin) AddDesk(ctx context.Context, p Principal, slug, titleEN, titleZH string) (intake.Desk, error) {
	if err := requireAdmin(p); err != nil {
		return intake.Desk{}, err
	}
	d, err := intake.CheckDesk(strings.TrimSpace(slug), titleEN, titleZH)
	if err != nil {
		return intake.Desk{}, err
	}
	rec := AuditRecord{At: a.now(), Actor: p.UserID, Action: ActionDeskCreate, Target: "desk:" + d.Slug,
		Detail: map[string]string{"title_en": d.TitleEN, "title_zh": d.TitleZH}}
	return a.Store.CreateDeskAudited(ctx, d, rec)
}

// SetDeadlines changes a desk's deadlines for submissions received from now on.
func (a *Admin) SetDeadlines(ctx context.Context, p Principal, slug string, ackDays, feedbackMonths int) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if err := intake.CheckDeadlines(ackDays, feedbackMonths); err != nil {
		return err
	}
	rec := AuditRecord{At: a.now(), Actor: p.UserID, Action: ActionDeskDeadlines, Target: "desk:" + slug,
		Detail: map[string]string{"ack_days": strconv.Itoa(ackDays), "feedback_months": strconv.Itoa(feedbackMonths)}}
	return a.Store.SetDeskDeadlines(ctx, slug, ackDays, feedbackMonths, rec)
}

// SetQuestionnaire checks and stores a desk's questionnaire. Problems are
// Invalid, wrapping intake.QuestionnaireErrors that name their lines and
// fields.
func (a *Admin) SetQuestionnaire(ctx context.Context, p Principal, slug string, definition []byte) (*intake.Questionnaire, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	q, err := intake.CheckQuestionnaireUpload(definition)
	if err != nil {
		return nil, tipline.Wrap(tipline.Invalid, err, err.Error())
	}
	now := a.now()
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionDeskQuestionnaire, Target: "desk:" + slug,
		Detail: map[string]string{"version": strconv.Itoa(q.Version), "fields": strconv.Itoa(len(q.Fields))}}
	if err := a.Store.SetDeskQuestionnaire(ctx, slug, definition, now, rec); err != nil {
		return nil, err
	}
	return q, nil
}

// Questionnaire returns the questionnaire a desk asks now, and whether an
// admin uploaded it.
func (a *Admin) Questionnaire(ctx context.Context, p Principal, slug string) (*intake.Questionnaire, bool, error) {
	if err := requireAdmin(p); err != nil {
		return nil, false, err
	}
	if _, err := a.Desks.Store.Desk(ctx, slug); err != nil {
		return nil, false, err
	}
	def, err := a.Store.DeskQuestionnaire(ctx, slug)
	if err != nil {
		return nil, false, err
	}
	if def == nil {
		return a.Questionnaires(slug), false, nil
	}
	q, err := intake.ParseQuestionnaire(def)
	return q, true, err
}

// DeskKey is a desk's recipient key as admins see it.
type DeskKey struct {
	Desk        string
	Fingerprint string
	Algorithm   string
	UserIDs     []string
	Added       time.Time
	Expires     time.Time // zero when the key does not expire
	// Problem says why the key cannot be encrypted to now (expired,
	// revoked…); "" for a usable key.
	Problem string
	// ExpiresSoon is set when a usable key expires within KeyWarningWindow.
	ExpiresSoon bool
}

// AddKey checks an armored public key and adds it to a desk.
func (a *Admin) AddKey(ctx context.Context, p Principal, slug string, armored []byte) (DeskKey, error) {
	if err := requireAdmin(p); err != nil {
		return DeskKey{}, err
	}
	now := a.now()
	pub, err := crypto.ParsePublicKey(armored, now)
	if err != nil {
		return DeskKey{}, tipline.Wrap(tipline.Invalid, err, "This key cannot receive submissions: "+strings.TrimPrefix(err.Error(), "crypto: "))
	}
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionDeskKeyAdd, Target: "desk:" + slug,
		Detail: map[string]string{"fingerprint": pub.Fingerprint}}
	k, err := a.Store.AddDeskKey(ctx, intake.RecipientKey{DeskSlug: slug, Fingerprint: pub.Fingerprint, Armored: pub.Armored}, rec)
	if err != nil {
		return DeskKey{}, err
	}
	return deskKey(k, now), nil
}

// RemoveKey removes a key from a desk. Fingerprints may be given as GnuPG
// prints them, with spaces.
func (a *Admin) RemoveKey(ctx context.Context, p Principal, slug, fingerprint string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	fingerprint = strings.ToUpper(strings.Join(strings.Fields(fingerprint), ""))
	rec := AuditRecord{At: a.now(), Actor: p.UserID, Action: ActionDeskKeyRemove, Target: "desk:" + slug,
		Detail: map[string]string{"fingerprint": fingerprint}}
	return a.Store.RemoveDeskKey(ctx, slug, fingerprint, rec)
}

// Keys returns every desk's keys, by desk.
func (a *Admin) Keys(ctx context.Context, p Principal) ([]DeskKey, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return a.keys(ctx)
}

// ExpiringKeys returns the usable keys that expire within KeyWarningWindow
// of the desks p works on (every desk for an admin).
func (a *Admin) ExpiringKeys(ctx context.Context, p Principal) ([]DeskKey, error) {
	all, err := a.keys(ctx)
	if err != nil {
		return nil, err
	}
	var soon []DeskKey
	for _, k := range all {
		if k.ExpiresSoon && (p.Role == RoleAdmin || slices.Contains(p.Desks, k.Desk)) {
			soon = append(soon, k)
		}
	}
	return soon, nil
}

func (a *Admin) keys(ctx context.Context) ([]DeskKey, error) {
	stored, err := a.Desks.Store.Keys(ctx, "")
	if err != nil {
		return nil, err
	}
	now := a.now()
	keys := make([]DeskKey, len(stored))
	for i, k := range stored {
		keys[i] = deskKey(k, now)
	}
	return keys, nil
}

// deskKey describes a stored key as of now.
func deskKey(k intake.RecipientKey, now time.Time) DeskKey {
	d := DeskKey{Desk: k.DeskSlug, Fingerprint: k.Fingerprint, Added: k.CreatedAt}
	pub, err := crypto.ParsePublicKey([]byte(k.Armored), now)
	if errors.Is(err, crypto.ErrKeyExpired) || errors.Is(err, crypto.ErrKeyRevoked) {
		// Describe it all the same, as of when it was added.
		if old, err := crypto.ParsePublicKey([]byte(k.Armored), k.CreatedAt); err == nil {
			d.Algorithm, d.UserIDs, d.Expires = old.Algorithm(), old.UserIDs, old.Expires
		}
	}
	if err != nil {
		d.Problem = strings.TrimPrefix(err.Error(), "crypto: ")
		return d
	}
	d.Algorithm, d.UserIDs, d.Expires = pub.Algorithm(), pub.UserIDs, pub.Expires
	d.ExpiresSoon = !pub.Expires.IsZero() && pub.Expires.Before(now.Add(KeyWarningWindow))
	return d
}

// Users returns every account, for the admin p.
func (a *Admin) Users(ctx context.Context, p Principal) ([]User, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return a.Staff.ListUsers(ctx)
}

// SetAccess changes a staff member's role and desks. Admins do not change
// their own, so that the last admin cannot lock everyone out.
func (a *Admin) SetAccess(ctx context.Context, p Principal, email string, role Role, desks []string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	u, err := a.Staff.userByEmail(ctx, email)
	if err != nil {
		return err
	}
	if u.ID == p.UserID {
		return tipline.Errorf(tipline.Invalid, "You cannot change your own role or desks; ask another admin.")
	}
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	rec := AuditRecord{At: a.now(), Actor: p.UserID, Action: ActionUserAccess, Target: u.Email,
		Detail: map[string]string{"role": string(role), "desks": strings.Join(desks, ",")}}
	return a.Store.SetUserAccess(ctx, u.ID, role, desks, rec)
}

// Disable stops a staff member from logging in and ends their sessions.
func (a *Admin) Disable(ctx context.Context, p Principal, email string) error {
	if err := a.notSelf(ctx, p, email); err != nil {
		return err
	}
	return a.Staff.Disable(ctx, p.UserID, email)
}

// ResetTOTP gives a staff member a new TOTP secret and ends their sessions;
// the admin hands the returned enrolment (no Sealed) to them.
func (a *Admin) ResetTOTP(ctx context.Context, p Principal, email string) (Enrolment, error) {
	if err := a.notSelf(ctx, p, email); err != nil {
		return Enrolment{}, err
	}
	uri, err := a.Staff.ResetTOTP(ctx, p.UserID, email)
	if err != nil {
		return Enrolment{}, err
	}
	u, err := url.Parse(uri)
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Email: strings.ToLower(strings.TrimSpace(email)), URI: uri, Secret: u.Query().Get("secret")}, nil
}

// notSelf checks that p is an admin acting on someone else's account.
func (a *Admin) notSelf(ctx context.Context, p Principal, email string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	u, err := a.Staff.userByEmail(ctx, email)
	if err != nil {
		return err
	}
	if u.ID == p.UserID {
		return tipline.Errorf(tipline.Invalid, "You cannot do this to your own account; ask another admin.")
	}
	return nil
}
