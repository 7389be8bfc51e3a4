package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// Retention on the staff pages, plain HTML forms (retention_pages.go):
//
//	POST /submissions/ID/legal-hold          an admin puts the tip under a legal hold (reason optional)
//	POST /submissions/ID/legal-hold/release  an admin releases it
//	POST /admin/desks/SLUG/retention         an admin sets the desk's policy (days after closing; empty: keep forever)
//
// The submission page shows the tip's deletion day or its holds; the
// desk's admin page shows and sets its policy.

// retentionView is the retention panel of a submission page.
type retentionView struct {
	casework.RetentionState
	// Admin may set or release a legal hold.
	Admin bool
}

// submissionRetention returns the retention panel of submission id for p.
func (s *Server) submissionRetention(c *gin.Context, id string) (retentionView, error) {
	p := s.staff(c)
	st, err := s.deps.Retention.State(c.Request.Context(), p, id)
	return retentionView{RetentionState: st, Admin: p.Role == casework.RoleAdmin}, err
}

// legalHoldForm answers POST /submissions/ID/legal-hold.
func (s *Server) legalHoldForm(c *gin.Context) {
	err := s.deps.Retention.SetLegalHold(c.Request.Context(), s.staff(c), c.Param("id"), c.PostForm("reason"))
	s.legalHoldChanged(c, err)
}

// releaseLegalHoldForm answers POST /submissions/ID/legal-hold/release.
func (s *Server) releaseLegalHoldForm(c *gin.Context) {
	err := s.deps.Retention.ReleaseLegalHold(c.Request.Context(), s.staff(c), c.Param("id"))
	s.legalHoldChanged(c, err)
}

// legalHoldChanged answers a legal hold form: back to the submission's
// retention panel, or the page again with what is wrong.
func (s *Server) legalHoldChanged(c *gin.Context, err error) {
	if isFormError(err) || tipline.ErrorCode(err) == tipline.NotFound {
		d, getErr := s.deps.Triage.Get(c.Request.Context(), s.staff(c), c.Param("id"))
		if getErr != nil {
			s.respond(c, getErr)
			return
		}
		s.renderSubmission(c, http.StatusUnprocessableEntity, d, tipline.ErrorMessage(err), "")
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+c.Param("id")+"#retention")
}

// deskRetentionForm answers POST /admin/desks/SLUG/retention.
func (s *Server) deskRetentionForm(c *gin.Context) {
	days := 0
	var err error
	if text := strings.TrimSpace(c.PostForm("closed_days")); text != "" {
		if days, err = strconv.Atoi(text); err != nil {
			err = tipline.Wrap(tipline.Invalid, err, "Give the days as a whole number, or leave the field empty to keep tips forever.")
		}
	}
	if err == nil {
		err = s.deps.Retention.SetPolicy(c.Request.Context(), s.staff(c), c.Param("slug"), days)
	}
	if isFormError(err) {
		s.renderAdminDesk(c, http.StatusUnprocessableEntity, tipline.ErrorMessage(err), nil, "")
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/desks/"+c.Param("slug")+"#retention")
}
