package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// maxGrantPacket bounds the key packet of a grant: an RSA-16384 PKESK is
// about 2 KiB.
const maxGrantPacket = 4200

// visibleObject returns the object :id if the caller may see its
// submission (desk-scoped, as for GET /api/v1/objects/:id), or answers 404.
func (s *Server) visibleObject(c *gin.Context) (intake.Object, bool) {
	ctx := c.Request.Context()
	notFound := tipline.Errorf(tipline.NotFound, "Object not found.")
	subID, err := s.deps.Intake.Store.ObjectSubmission(ctx, c.Param("id"))
	if err != nil {
		s.respond(c, notFound)
		return intake.Object{}, false
	}
	if _, err := s.deps.Triage.Get(ctx, s.staff(c), subID); err != nil {
		s.respond(c, notFound)
		return intake.Object{}, false
	}
	objects, err := s.deps.Intake.Store.SubmissionObjects(ctx, subID)
	if err != nil {
		s.respond(c, err)
		return intake.Object{}, false
	}
	for _, o := range objects {
		if o.ID == c.Param("id") {
			return o, true
		}
	}
	s.respond(c, notFound)
	return intake.Object{}, false
}

// apiCreateGrant answers POST /api/v1/objects/:id/grants with JSON
// {"email": a staff member, "key_packet": base64 of one PKESK}: the
// object's session key, wrapped for the grantee's public key in the
// granting investigator's browser. The server checks the packet's form
// and recipient, never its content, and stores it beside the unchanged
// body. The grantee downloads the object with GET /api/v1/objects/:id,
// which needs them to see the submission too (a member of its desk).
func (s *Server) apiCreateGrant(c *gin.Context) {
	var req struct {
		Email     string `json:"email"`
		KeyPacket []byte `json:"key_packet"` // base64 in JSON
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	o, ok := s.visibleObject(c)
	if !ok {
		return
	}
	if len(req.KeyPacket) == 0 || len(req.KeyPacket) > maxGrantPacket {
		s.respond(c, tipline.Errorf(tipline.Invalid, "key_packet must be one key packet (PKESK), base64, of at most %d bytes.", maxGrantPacket))
		return
	}
	if err := s.deps.Grants.Create(c.Request.Context(), s.staff(c), o.ID, o.KeyPackets, req.Email, req.KeyPacket); err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"object": o.ID, "granted_to": req.Email})
}

// apiRevokeGrant answers DELETE /api/v1/objects/:id/grants/:email. It
// deletes the key packet; what the grantee already read stays read, and
// the answer says so.
func (s *Server) apiRevokeGrant(c *gin.Context) {
	o, ok := s.visibleObject(c)
	if !ok {
		return
	}
	if err := s.deps.Grants.Revoke(c.Request.Context(), s.staff(c), o.ID, c.Param("email")); err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"revoked": true, "note": casework.RevokeNote})
}

// apiStaffKey answers GET /api/v1/staff/:email/key for investigators: the
// armored public key a grant to that staff member is wrapped for.
func (s *Server) apiStaffKey(c *gin.Context) {
	armored, err := s.deps.Grants.PublicKey(c.Request.Context(), c.Param("email"))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"email": c.Param("email"), "key": armored})
}

// apiListGrants answers GET /api/v1/submissions/:id/grants: who holds an
// extra key packet for which of the submission's objects. Audited as a
// view of the submission.
func (s *Server) apiListGrants(c *gin.Context) {
	d, err := s.viewSubmission(c)
	if err != nil {
		s.respond(c, err)
		return
	}
	grants, err := s.deps.Grants.List(c.Request.Context(), s.staff(c), d.ID)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"grants": grants})
}

// revokeGrantsForm answers POST /submissions/:id/revoke from the
// submission's page: every grant of the submission's objects to the
// staff member "email" is deleted; the page says what stays read.
func (s *Server) revokeGrantsForm(c *gin.Context) {
	ctx := c.Request.Context()
	p := s.staff(c)
	d, err := s.deps.Triage.Get(ctx, p, c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	grants, err := s.deps.Grants.List(ctx, p, d.ID)
	if err != nil {
		s.respond(c, err)
		return
	}
	email := c.PostForm("email")
	revoked := 0
	for _, g := range grants {
		if g.Grantee != email {
			continue
		}
		if err := s.deps.Grants.Revoke(ctx, p, g.ObjectID, email); err != nil {
			s.respond(c, err)
			return
		}
		revoked++
	}
	if revoked == 0 {
		s.renderSubmission(c, http.StatusUnprocessableEntity, d, "There is no grant to "+email+" on this submission.", "")
		return
	}
	s.renderSubmission(c, http.StatusOK, d, "", "Access revoked for "+email+". "+casework.RevokeNote)
}
