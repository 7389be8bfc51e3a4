package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// Case pages, on the casework listener. They use the services of the
// cases API and post plain HTML forms (see staffPage), so they work
// without JavaScript; only investigator documents, which are encrypted
// in the browser, need it.
//
//	GET  /cases                  cases of the caller's desks, by status
//	POST /cases                  open a case with one submission (from its page)
//	GET  /cases/:id              the case: submissions, notes, documents
//	POST /cases/:id              change title, lead or status
//	POST /cases/:id/notes        add a note
//	POST /cases/:id/submissions  link a submission (from its page)

// casesPage is the data of the case list.
type casesPage struct {
	Filters []queueFilter
	Cases   []casework.CaseSummary
}

// casesPage answers GET /cases.
func (s *Server) casesPage(c *gin.Context) {
	q := casework.CaseQuery{Status: casework.CaseStatus(c.Query("status"))}
	items, err := s.deps.Cases.ViewList(c.Request.Context(), s.staff(c), q)
	if err != nil {
		s.respond(c, err)
		return
	}
	d := casesPage{Cases: items}
	all := queueFilter{Label: "All", URL: "/cases", Current: q.Status == ""}
	d.Filters = append(d.Filters, all)
	for _, st := range casework.CaseStatuses {
		d.Filters = append(d.Filters, queueFilter{
			Label: strings.ReplaceAll(string(st), "_", " "), URL: "/cases?status=" + string(st), Current: q.Status == st,
		})
	}
	s.render(c, http.StatusOK, "casework_cases.html", pageData{Title: "Cases", Data: d})
}

// casePage is the data of one case's page.
type casePage struct {
	casework.CaseDetail
	Documents []casework.Document
	Edit      bool // investigators of the desk change the case
	Statuses  []casework.CaseStatus
	Error     string
}

// casePage answers GET /cases/:id. Viewing is audited.
func (s *Server) casePage(c *gin.Context) {
	d, err := s.deps.Cases.View(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	s.renderCase(c, http.StatusOK, d, "")
}

func (s *Server) renderCase(c *gin.Context, status int, d casework.CaseDetail, problem string) {
	docs, err := s.deps.Documents.List(c.Request.Context(), s.staff(c), d.ID)
	if err != nil {
		s.respond(c, err)
		return
	}
	page := casePage{CaseDetail: d, Documents: docs, Edit: s.staff(c).Role == casework.RoleInvestigator, Statuses: casework.CaseStatuses, Error: problem}
	allowScripts(c)
	s.render(c, status, "casework_case.html", pageData{Title: d.Title, Data: page})
}

// caseForm runs one case form: change calls the service, which audits
// the change; a refused form shows the case again with the reason, and a
// done one goes back to the case page.
func (s *Server) caseForm(c *gin.Context, change func(p casework.Principal, id string) error) {
	p := s.staff(c)
	d, err := s.deps.Cases.Get(c.Request.Context(), p, c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	err = change(p, d.ID)
	if code := tipline.ErrorCode(err); code == tipline.Invalid || code == tipline.Conflict {
		s.renderCase(c, http.StatusUnprocessableEntity, d, tipline.ErrorMessage(err))
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/cases/"+d.ID)
}

// updateCaseForm answers POST /cases/:id: the fields that differ change.
func (s *Server) updateCaseForm(c *gin.Context) {
	s.caseForm(c, func(p casework.Principal, id string) error {
		cur, err := s.deps.Cases.Get(c.Request.Context(), p, id)
		if err != nil {
			return err
		}
		var ch casework.CaseChange
		if t := c.PostForm("title"); t != cur.Title {
			ch.Title = &t
		}
		if l := strings.TrimSpace(c.PostForm("lead")); l != cur.Lead {
			ch.Lead = &l
		}
		if st := casework.CaseStatus(c.PostForm("status")); st != cur.Status {
			if !slices.Contains(casework.CaseStatuses, st) {
				return tipline.Errorf(tipline.Invalid, "Unknown case status.")
			}
			ch.Status = &st
		}
		_, err = s.deps.Cases.Update(c.Request.Context(), p, id, ch)
		return err
	})
}

// addCaseNoteForm answers POST /cases/:id/notes.
func (s *Server) addCaseNoteForm(c *gin.Context) {
	s.caseForm(c, func(p casework.Principal, id string) error {
		_, err := s.deps.Cases.AddNote(c.Request.Context(), p, id, c.PostForm("text"))
		return err
	})
}

// linkCaseSubmissionForm answers POST /cases/:id/submissions from a
// submission's page; it goes back to the case.
func (s *Server) linkCaseSubmissionForm(c *gin.Context) {
	s.caseForm(c, func(p casework.Principal, id string) error {
		_, err := s.deps.Cases.Link(c.Request.Context(), p, id, c.PostForm("submission"))
		return err
	})
}

// createCaseForm answers POST /cases from a submission's page: a new case
// on the submission's desk holding the submission, led by the caller.
func (s *Server) createCaseForm(c *gin.Context) {
	ctx := c.Request.Context()
	p := s.staff(c)
	sub, err := s.deps.Triage.Get(ctx, p, c.PostForm("submission"))
	if err != nil {
		s.respond(c, err)
		return
	}
	d, err := s.deps.Cases.Create(ctx, p, casework.NewCase{Desk: sub.Desk, Title: c.PostForm("title"), Submissions: []string{sub.ID}})
	if code := tipline.ErrorCode(err); code == tipline.Invalid || code == tipline.Conflict {
		s.renderSubmission(c, http.StatusUnprocessableEntity, sub, tipline.ErrorMessage(err), "")
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/cases/"+d.ID)
}
