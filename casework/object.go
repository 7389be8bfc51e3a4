package casework

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/intake"
)

// Objects is the service behind the encrypted objects of submissions (the
// tip's manifest and files, follow-ups, replies). It decides who may see
// an object, hands it out as a complete OpenPGP message for the caller's
// key, records each download in the audit log, and checks access for
// grants (see Grants).
//
// An object is visible to whoever sees its submission (Triage.Get: the
// investigators of its desk, and admins); to anyone else it does not
// exist (NotFound).
type Objects struct {
	Triage *Triage
	Grants *Grants
	Store  ObjectStore
	Bodies ObjectOpener
	Now    func() time.Time
}

// ObjectStore finds submissions' objects and staff, and records downloads
// in the audit log.
type ObjectStore interface {
	AuditAppender
	// ObjectSubmission returns the id of the submission that holds an
	// object; NotFound when there is no such object.
	ObjectSubmission(ctx context.Context, objectID string) (string, error)
	// SubmissionObjects returns a submission's objects in order; NotFound
	// when there is no such submission.
	SubmissionObjects(ctx context.Context, submissionID string) ([]intake.Object, error)
	// Users returns every staff member with desks, ordered by email.
	Users(ctx context.Context) ([]User, error)
}

// ObjectOpener opens the body of an object and joins the key packets the
// object carries to it (intake.Service does).
type ObjectOpener interface {
	OpenObject(ctx context.Context, o intake.Object) (io.ReadCloser, error)
}

// MaxGrantPacket bounds the key packet of a grant: an RSA-16384 PKESK is
// about 2 KiB.
const MaxGrantPacket = 4200

// errNoObject hides whether an object exists from those who may not see it.
var errNoObject = tipline.Errorf(tipline.NotFound, "Object not found.")

func (s *Objects) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// hidden reports whether err says that p may not see something, which
// becomes errNoObject; faults stay what they are.
func hidden(err error) bool {
	code := tipline.ErrorCode(err)
	return code == tipline.NotFound || code == tipline.Forbidden
}

// visible returns the object objectID with its key packets as stored, and
// its submission, if p may see the submission; NotFound otherwise.
func (s *Objects) visible(ctx context.Context, p Principal, objectID string) (intake.Object, SubmissionDetail, error) {
	subID, err := s.Store.ObjectSubmission(ctx, objectID)
	if hidden(err) {
		return intake.Object{}, SubmissionDetail{}, errNoObject
	}
	if err != nil {
		return intake.Object{}, SubmissionDetail{}, err
	}
	d, err := s.Triage.Get(ctx, p, subID)
	if hidden(err) {
		return intake.Object{}, SubmissionDetail{}, errNoObject
	}
	if err != nil {
		return intake.Object{}, SubmissionDetail{}, err
	}
	objects, err := s.Store.SubmissionObjects(ctx, d.ID)
	if err != nil {
		return intake.Object{}, SubmissionDetail{}, err
	}
	i := slices.IndexFunc(objects, func(o intake.Object) bool { return o.ID == objectID })
	if i < 0 {
		return intake.Object{}, SubmissionDetail{}, errNoObject
	}
	return objects[i], d, nil
}

// Open returns an object p may see as a complete OpenPGP message: the key
// packets for p's key, then the key packet granted to p if there is one
// (Grants.KeyPackets), joined to the encrypted body; GnuPG decrypts it
// with p's key. The download is recorded in the audit log first: when the
// entry cannot be written, Open returns the error and nothing to read.
// NotFound when p may not see the object; Forbidden when none of its key
// packets is for p.
func (s *Objects) Open(ctx context.Context, p Principal, objectID string) (io.ReadCloser, error) {
	o, _, err := s.visible(ctx, p, objectID)
	if err != nil {
		return nil, err
	}
	if o.KeyPackets, err = s.Grants.KeyPackets(ctx, p, o.ID, o.KeyPackets); err != nil {
		return nil, err
	}
	r, err := s.Bodies.OpenObject(ctx, o)
	if err != nil {
		return nil, err
	}
	rec := AuditRecord{At: s.now(), Actor: p.UserID, Action: ActionObjectDownload, Target: "object:" + o.ID}
	if err := s.Store.AppendAudit(ctx, rec); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Grant stores packet, the object's session key wrapped for the public key
// of the staff member grantee (see Grants.Create), if p may see the
// object; NotFound otherwise. The grant and its audit entry are one
// transaction.
func (s *Objects) Grant(ctx context.Context, p Principal, objectID, grantee string, packet []byte) error {
	o, _, err := s.visible(ctx, p, objectID)
	if err != nil {
		return err
	}
	if len(packet) == 0 || len(packet) > MaxGrantPacket {
		return tipline.Errorf(tipline.Invalid, "key_packet must be one key packet (PKESK), base64, of at most %d bytes.", MaxGrantPacket)
	}
	return s.Grants.Create(ctx, p, o.ID, o.KeyPackets, grantee, packet)
}

// Revoke deletes the grant of an object p may see to grantee (NotFound
// when p may not see it, or there is no such grant). See RevokeNote for
// what it cannot do.
func (s *Objects) Revoke(ctx context.Context, p Principal, objectID, grantee string) error {
	o, _, err := s.visible(ctx, p, objectID)
	if err != nil {
		return err
	}
	return s.Grants.Revoke(ctx, p, o.ID, grantee)
}

// RevokeAll deletes every grant to grantee of the objects of a submission
// p may see and returns how many there were.
func (s *Objects) RevokeAll(ctx context.Context, p Principal, submissionID, grantee string) (int, error) {
	d, err := s.Triage.Get(ctx, p, submissionID)
	if err != nil {
		return 0, err
	}
	grants, err := s.Grants.List(ctx, p, d.ID)
	if err != nil {
		return 0, err
	}
	revoked := 0
	for _, g := range grants {
		if g.Grantee != grantee {
			continue
		}
		if err := s.Grants.Revoke(ctx, p, g.ObjectID, grantee); err != nil {
			return revoked, err
		}
		revoked++
	}
	return revoked, nil
}

// Reader is a staff member and whether they can read an object.
type Reader struct {
	Email string
	Known bool // they registered a public key, so that it can be told
	Reads bool // a key packet of the object is for their key, or they hold a grant
}

// Readers lists the enabled investigators of the desk of an object's
// submission, which p must see, and for those who registered a key
// whether they can read the object (Grants.Reads); a new member of the
// desk needs a grant for older tips.
func (s *Objects) Readers(ctx context.Context, p Principal, objectID string) ([]Reader, error) {
	o, d, err := s.visible(ctx, p, objectID)
	if err != nil {
		return nil, err
	}
	users, err := s.Store.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reader
	for _, u := range users {
		if u.Disabled || u.Role != RoleInvestigator || !slices.Contains(u.Desks, d.Desk) {
			continue
		}
		reads, known, err := s.Grants.Reads(ctx, u.Email, o.ID, o.KeyPackets)
		if err != nil {
			return nil, err
		}
		out = append(out, Reader{Email: u.Email, Known: known, Reads: reads})
	}
	return out, nil
}
