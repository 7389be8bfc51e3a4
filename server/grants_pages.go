package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/casework"
)

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
	email := c.PostForm("email")
	revoked, err := s.deps.Objects.RevokeAll(ctx, p, d.ID, email)
	if err != nil {
		s.respond(c, err)
		return
	}
	if revoked == 0 {
		s.renderSubmission(c, http.StatusUnprocessableEntity, d, "There is no grant to "+email+" on this submission.", "")
		return
	}
	s.renderSubmission(c, http.StatusOK, d, "", "Access revoked for "+email+". "+casework.RevokeNote)
}
