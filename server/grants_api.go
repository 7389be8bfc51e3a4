package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/casework"
)

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
	id := c.Param("id")
	if err := s.deps.Objects.Grant(c.Request.Context(), s.staff(c), id, req.Email, req.KeyPacket); err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"object": id, "granted_to": req.Email})
}

// apiRevokeGrant answers DELETE /api/v1/objects/:id/grants/:email. It
// deletes the key packet; what the grantee already read stays read, and
// the answer says so.
func (s *Server) apiRevokeGrant(c *gin.Context) {
	if err := s.deps.Objects.Revoke(c.Request.Context(), s.staff(c), c.Param("id"), c.Param("email")); err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"revoked": true, "note": casework.RevokeNote})
}

// apiStaffKey answers GET /api/v1/staff/:email/key for investigators: the
// armored public key a grant to that staff member is wrapped for; 404 alike
// for unknown emails and staff outside the caller's desks.
func (s *Server) apiStaffKey(c *gin.Context) {
	armored, err := s.deps.Grants.PublicKey(c.Request.Context(), s.staff(c), c.Param("email"))
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
	d, err := s.deps.Triage.View(c.Request.Context(), s.staff(c), c.Param("id"))
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
