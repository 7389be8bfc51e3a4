package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/casework"
)

// apiCreateCase answers POST /api/v1/cases: an investigator of the desk
// opens a case, and its submissions move to case_opened.
func (s *Server) apiCreateCase(c *gin.Context) {
	var nc casework.NewCase
	if err := readJSON(c, &nc); err != nil {
		s.respond(c, err)
		return
	}
	d, err := s.deps.Cases.Create(c.Request.Context(), s.staff(c), nc)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

// apiListCases answers GET /api/v1/cases: the cases the caller may see,
// newest first, up to casework.MaxPage, filtered by desk and status.
// Listing is audited as a view.
func (s *Server) apiListCases(c *gin.Context) {
	q := casework.CaseQuery{Desk: c.Query("desk"), Status: casework.CaseStatus(c.Query("status"))}
	items, err := s.deps.Cases.ViewList(c.Request.Context(), s.staff(c), q)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"cases": items})
}

// apiGetCase answers GET /api/v1/cases/:id: the case with its submission
// ids and notes. Viewing is audited.
func (s *Server) apiGetCase(c *gin.Context) {
	d, err := s.deps.Cases.View(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// apiUpdateCase answers PATCH /api/v1/cases/:id: title, lead, status.
func (s *Server) apiUpdateCase(c *gin.Context) {
	var ch casework.CaseChange
	if err := readJSON(c, &ch); err != nil {
		s.respond(c, err)
		return
	}
	d, err := s.deps.Cases.Update(c.Request.Context(), s.staff(c), c.Param("id"), ch)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// apiLinkCaseSubmission answers POST /api/v1/cases/:id/submissions: links
// a submission of the case's desk.
func (s *Server) apiLinkCaseSubmission(c *gin.Context) {
	var req struct {
		Submission string `json:"submission"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	d, err := s.deps.Cases.Link(c.Request.Context(), s.staff(c), c.Param("id"), req.Submission)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// apiAddCaseNote answers POST /api/v1/cases/:id/notes. Notes are staff
// work product; see casework.Note.
func (s *Server) apiAddCaseNote(c *gin.Context) {
	var req struct {
		Text string `json:"text"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	n, err := s.deps.Cases.AddNote(c.Request.Context(), s.staff(c), c.Param("id"), req.Text)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, n)
}
