package casework

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/crypto"
)

// Access grants, without plaintext on the server (issue 4, point 6).
//
// An object's body is encrypted once, to the keys of its desk. To let a
// colleague read it, the granting investigator's browser decrypts the
// session key from one of the object's key packets with their own private
// key and wraps it for the colleague's public key (OpenPGP.js
// decryptSessionKeys, then encryptSessionKey; crypto.WrapSessionKey does
// the same in Go, for tests). The server stores only that extra key packet
// (PKESK), beside the unchanged body, and serves it with the object to the
// grantee. Revoking deletes the packet; whoever already downloaded the
// object, or the session key, keeps what they read.
//
// A grant makes the object decryptable by the grantee; it does not widen
// what the grantee may see. GET /api/v1/objects/:id still requires the
// caller to see the object's submission (their desk), so a grant is useful
// to desk members whose key is not among the desk's recipients (a new
// investigator, a newly assigned one). Grants go only to investigators who
// share a desk with the granting investigator, whose keys are the only
// ones the API hands out (PublicKey); a grantee who cannot see the
// submission (of another of the granter's desks) is not served until they
// can.

// RevokeNote is what the API says when a grant is revoked.
const RevokeNote = "The key packet was deleted: the grantee can no longer download this object with it. " +
	"Anything they already downloaded or decrypted stays readable to them; revoking cannot undo that."

// ErrSelfGrant refuses a grant to oneself: whoever can wrap a session key
// already reads the object, and whoever cannot has no session key to wrap.
var ErrSelfGrant = tipline.Errorf(tipline.Invalid, "You cannot grant access to yourself: ask an investigator of this desk who can read the tip to grant it to you.")

// Grant is one key packet that opens an object for one staff member.
type Grant struct {
	ObjectID  string
	UserID    int64
	KeyPacket []byte
	GrantedBy int64
	CreatedAt time.Time
}

// GrantStore keeps staff public keys and grants. Methods that take an
// AuditRecord append it in the same transaction as the change.
type GrantStore interface {
	// StaffDirectory finds grantees.
	StaffDirectory
	// SetUserPublicKey stores the armored public key of the user email;
	// NotFound when there is none.
	SetUserPublicKey(ctx context.Context, email, armored string, rec AuditRecord) error
	// UserPublicKey returns the id and armored public key ("" when none)
	// of the enabled user email; NotFound when there is none.
	UserPublicKey(ctx context.Context, email string) (userID int64, armored string, err error)
	// PutGrant stores g, replacing the user's earlier grant of the object.
	PutGrant(ctx context.Context, g Grant, rec AuditRecord) error
	// DeleteGrant deletes a grant; NotFound when there is none.
	DeleteGrant(ctx context.Context, objectID string, userID int64, rec AuditRecord) error
	// GrantPacket returns the key packet granted to userID for objectID,
	// or nil.
	GrantPacket(ctx context.Context, objectID string, userID int64) ([]byte, error)
	// SubmissionGrants lists the grants of a submission's objects, by
	// grantee, then object position.
	SubmissionGrants(ctx context.Context, submissionID string) ([]GrantView, error)
}

// GrantView is a grant as the pages and the API list it.
type GrantView struct {
	ObjectID  string    `json:"object"`
	Grantee   string    `json:"grantee"`    // staff email
	GrantedBy string    `json:"granted_by"` // staff email
	CreatedAt time.Time `json:"created_at"`
}

// Grants is the access grant service.
type Grants struct {
	Store GrantStore
	Now   func() time.Time
}

func (g *Grants) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// SetKey checks an armored public key and makes it the key of the staff
// member email. actor is the user id who does it (0: the command line).
func (g *Grants) SetKey(ctx context.Context, actor int64, email string, armored []byte) (*crypto.PublicKey, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	k, err := crypto.ParsePublicKey(armored, g.now())
	if err != nil {
		return nil, tipline.Wrap(tipline.Invalid, err, err.Error())
	}
	rec := AuditRecord{At: g.now(), Actor: actor, Action: ActionSetKey, Target: "user:" + email,
		Detail: map[string]string{"fingerprint": k.Fingerprint}}
	if err := g.Store.SetUserPublicKey(ctx, email, k.Armored, rec); err != nil {
		return nil, err
	}
	return k, nil
}

// Create stores a grant of an object, whose own key packets are
// keyPackets, to the staff member grantee. The caller p must already have
// been found to see the object's submission. packet must be one key packet
// for an encryption key of the grantee's public key (Invalid otherwise);
// the grantee must be an investigator of one of p's desks (NotFound, the
// same for every other email), not be p (ErrSelfGrant), and have a
// public key (Invalid).
func (g *Grants) Create(ctx context.Context, p Principal, objectID string, keyPackets []byte, grantee string, packet []byte) error {
	if p.Role != RoleInvestigator {
		return tipline.Errorf(tipline.Forbidden, "Only investigators grant access.")
	}
	u, err := deskInvestigator(ctx, g.Store, grantee, p.Desks)
	if err != nil {
		return err
	}
	if u.ID == p.UserID {
		return ErrSelfGrant
	}
	grantee = u.Email
	userID, armored, err := g.Store.UserPublicKey(ctx, grantee)
	if err != nil {
		return err
	}
	if armored == "" {
		return tipline.Errorf(tipline.Invalid, "%s has no public key: an admin sets it with tipline users set-key.", grantee)
	}
	key, err := crypto.ParsePublicKey([]byte(armored), g.now())
	if err != nil {
		return tipline.Wrap(tipline.Invalid, err, "The grantee's public key cannot be used: "+err.Error())
	}
	if err := crypto.CheckGrantPacket(packet, keyPackets, key); err != nil {
		if errors.Is(err, crypto.ErrInvalidMessage) {
			return tipline.Wrap(tipline.Invalid, err, "The key packet is not one PKESK for the grantee's key: "+err.Error())
		}
		return err
	}
	now := g.now()
	rec := AuditRecord{At: now, Actor: p.UserID, Action: ActionGrantCreate, Target: "object:" + objectID,
		Detail: map[string]string{"grantee": grantee, "fingerprint": key.Fingerprint}}
	return g.Store.PutGrant(ctx, Grant{ObjectID: objectID, UserID: userID, KeyPacket: packet, GrantedBy: p.UserID, CreatedAt: now}, rec)
}

// Revoke deletes the grant of an object to grantee; NotFound when there is
// none, the same whether or not grantee is a staff member. See RevokeNote
// for what it cannot do.
func (g *Grants) Revoke(ctx context.Context, p Principal, objectID, grantee string) error {
	if p.Role != RoleInvestigator {
		return tipline.Errorf(tipline.Forbidden, "Only investigators revoke access.")
	}
	grantee = strings.ToLower(strings.TrimSpace(grantee))
	userID, _, err := g.Store.UserPublicKey(ctx, grantee)
	if tipline.ErrorCode(err) == tipline.NotFound {
		return errNoGrant
	}
	if err != nil {
		return err
	}
	rec := AuditRecord{At: g.now(), Actor: p.UserID, Action: ActionGrantRevoke, Target: "object:" + objectID,
		Detail: map[string]string{"grantee": grantee}}
	err = g.Store.DeleteGrant(ctx, objectID, userID, rec)
	if tipline.ErrorCode(err) == tipline.NotFound {
		return errNoGrant
	}
	return err
}

// errNoGrant answers a revoke of a grant that does not exist, whoever the
// grantee is.
var errNoGrant = tipline.Errorf(tipline.NotFound, "Grant not found.")

// KeyPackets returns the key packets p downloads an object with: those of
// the object's own packets that OwnPackets keeps, then the packet granted
// to p, if any. Forbidden when none of them is for p.
func (g *Grants) KeyPackets(ctx context.Context, p Principal, objectID string, own []byte) ([]byte, error) {
	grant, err := g.Store.GrantPacket(ctx, objectID, p.UserID)
	if err != nil {
		return nil, err
	}
	if own, err = g.OwnPackets(ctx, p, own); err != nil {
		return nil, err
	}
	out := append(bytes.Clone(own), grant...)
	if len(out) == 0 {
		return nil, tipline.Errorf(tipline.Forbidden, "This tip is not encrypted to your key, and nobody has granted you access: ask an investigator of this desk who can read it (the submission page names them) to grant you access.")
	}
	return out, nil
}

// OwnPackets returns those of packets that are addressed to p's registered
// public key, so that what p downloads names no other recipient; all of
// them (the desk's keys) while p has registered none.
func (g *Grants) OwnPackets(ctx context.Context, p Principal, packets []byte) ([]byte, error) {
	_, armored, err := g.Store.UserPublicKey(ctx, p.Email)
	if err != nil || armored == "" {
		return packets, err
	}
	key, err := crypto.ParsePublicKey([]byte(armored), g.now())
	if err != nil {
		return nil, tipline.Wrap(tipline.Conflict, err, "Your registered public key is no longer usable (expired or revoked); ask an admin to set a new one.")
	}
	return crypto.KeyPacketsFor(packets, key)
}

// List returns the grants of a submission's objects. The caller must have
// found that p may see the submission.
func (g *Grants) List(ctx context.Context, p Principal, submissionID string) ([]GrantView, error) {
	if p.Role != RoleInvestigator && p.Role != RoleAdmin {
		return nil, tipline.Errorf(tipline.Forbidden, "Your role does not see access grants.")
	}
	return g.Store.SubmissionGrants(ctx, submissionID)
}

// PublicKey returns the armored public key that p, an investigator, wraps
// a grant to email for. email must be an investigator of one of p's desks:
// NotFound otherwise, the same for unknown emails and for staff outside
// p's desks, so that the look-up tells nothing about them. Invalid when
// email has registered no key.
func (g *Grants) PublicKey(ctx context.Context, p Principal, email string) (string, error) {
	if p.Role != RoleInvestigator {
		return "", tipline.Errorf(tipline.Forbidden, "Only investigators grant access.")
	}
	u, err := deskInvestigator(ctx, g.Store, email, p.Desks)
	if err != nil {
		return "", err
	}
	_, armored, err := g.Store.UserPublicKey(ctx, u.Email)
	if tipline.ErrorCode(err) == tipline.NotFound {
		return "", errNoColleague
	}
	if err != nil {
		return "", err
	}
	if armored == "" {
		return "", tipline.Errorf(tipline.Invalid, "%s has no public key: an admin sets it with tipline users set-key.", u.Email)
	}
	return armored, nil
}

// Reads reports whether email can decrypt an object whose own key packets
// are keyPackets: a packet is addressed to their registered key, or they
// hold a grant. known is false when they have registered no key, so that
// nothing can be said.
func (g *Grants) Reads(ctx context.Context, email, objectID string, keyPackets []byte) (reads, known bool, err error) {
	userID, armored, err := g.Store.UserPublicKey(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil || armored == "" {
		return false, false, err
	}
	key, err := crypto.ParsePublicKey([]byte(armored), g.now())
	if err != nil {
		return false, true, nil // an expired key reads nothing new
	}
	own, err := crypto.KeyPacketsFor(keyPackets, key)
	if err != nil || own != nil {
		return own != nil, true, err
	}
	grant, err := g.Store.GrantPacket(ctx, objectID, userID)
	return grant != nil, true, err
}
