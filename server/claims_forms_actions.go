package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
)

// Enforcement action pages, on the casework listener, with plain HTML
// forms like the claim pages (claims_forms.go). Who sees and changes an
// action is the claims service's decision.
//
//	GET  /actions                                  the actions the caller may see, and a form to record one
//	POST /actions                                  record an action; with claim=ID (from a claim's page) the claim counts it
//	GET  /actions/:id                              the action: sanctions, ledger, the claims counting it and their award ranges
//	POST /actions/:id                              change its fields
//	POST /actions/:id/case                         link it to a case, or unlink it (investigators)
//	POST /actions/:id/sanctions                    set what it orders of one kind of money
//	POST /actions/:id/collections                  record a payment received
//	POST /actions/:id/collections/:entry/reversal  reverse a ledger entry of the action

// actionValues are an action's fields as its form shows and posts them.
type actionValues struct {
	Relation, CoveredID, Basis, Agency, Forum, CaseNumber, Title string
	Defendants                                                   string // one a line
	FiledDay, FinalOrderDay, NoticeDay                           string
}

// actionValuesOf returns an action's fields for its form.
func actionValuesOf(a claims.Action) actionValues {
	names := make([]string, len(a.Defendants))
	for i, d := range a.Defendants {
		names[i] = d.Name
	}
	return actionValues{Relation: string(a.Relation), CoveredID: a.CoveredID, Basis: a.Basis, Agency: a.Agency, Forum: a.Forum,
		CaseNumber: a.CaseNumber, Title: a.Title, Defendants: strings.Join(names, "\n"),
		FiledDay: a.FiledDay, FinalOrderDay: a.FinalOrderDay, NoticeDay: a.NoticeDay}
}

// postedAction reads an action's fields from its form.
func postedAction(c *gin.Context) actionValues {
	return actionValues{Relation: c.PostForm("relation"), CoveredID: c.PostForm("covered_action"), Basis: c.PostForm("basis"),
		Agency: c.PostForm("agency"), Forum: c.PostForm("forum"), CaseNumber: c.PostForm("case_number"), Title: c.PostForm("title"),
		Defendants: c.PostForm("defendants"), FiledDay: c.PostForm("filed_day"), FinalOrderDay: c.PostForm("final_order_day"),
		NoticeDay: c.PostForm("notice_day")}
}

// fields returns the values as the claims service takes them. A covered
// action names no covered action, whatever the form's list still shows.
func (v actionValues) fields() claims.ActionFields {
	f := claims.ActionFields{Relation: claims.Relation(v.Relation), CoveredID: strings.TrimSpace(v.CoveredID), Basis: v.Basis,
		Agency: v.Agency, Forum: v.Forum, CaseNumber: v.CaseNumber, Title: v.Title, Defendants: []claims.Defendant{},
		FiledDay: v.FiledDay, FinalOrderDay: v.FinalOrderDay, NoticeDay: v.NoticeDay}
	if f.Relation == claims.Covered {
		f.CoveredID = ""
	}
	for line := range strings.Lines(v.Defendants) {
		if name := strings.TrimSpace(line); name != "" {
			f.Defendants = append(f.Defendants, claims.Defendant{Name: name})
		}
	}
	return f
}

// collectionValues are the fields of the form that records a payment.
type collectionValues struct {
	Kind, Amount, ReceivedDay, DocumentRef string
}

// actionsPage is the data of the actions list.
type actionsPage struct {
	Actions   []claims.Action
	Covered   []claims.Action // the covered actions, to group a new action under
	Relations []claims.Relation
	Form      actionValues
	Error     string
}

// actionsPage answers GET /actions.
func (s *Server) actionsPage(c *gin.Context) {
	s.renderActions(c, http.StatusOK, actionValues{Relation: string(claims.Covered)}, "")
}

// renderActions renders the actions list with the form that records one
// (with v in it, and problem, the reason it was refused).
func (s *Server) renderActions(c *gin.Context, status int, v actionValues, problem string) {
	list, err := s.deps.Claims.ListActions(c.Request.Context(), s.staff(c))
	if err != nil {
		s.respond(c, err)
		return
	}
	d := actionsPage{Actions: list, Covered: coveredOnly(list), Relations: claims.Relations, Form: v, Error: problem}
	s.render(c, status, "casework_actions.html", pageData{Title: "Enforcement actions", Data: d})
}

// coveredOnly returns the covered actions of list.
func coveredOnly(list []claims.Action) []claims.Action {
	return slices.DeleteFunc(slices.Clone(list), func(a claims.Action) bool { return a.Relation != claims.Covered })
}

// createActionForm answers POST /actions. From a claim's page (claim=ID)
// the claim then counts the action and its page opens again; otherwise
// the action's page opens.
func (s *Server) createActionForm(c *gin.Context) {
	ctx, p := c.Request.Context(), s.staff(c)
	v := postedAction(c)
	claimID := c.PostForm("claim")
	var cl claims.ClaimView
	if claimID != "" {
		var err error
		if cl, err = s.deps.Claims.ViewClaimAgain(ctx, p, claimID); err != nil {
			s.respond(c, err)
			return
		}
	}
	a, err := s.deps.Claims.CreateAction(ctx, p, v.fields())
	if refused(err) {
		if claimID != "" {
			s.renderRefusedClaim(c, cl, "new-action", err, func(d *claimPage) { d.NewAction = v })
		} else {
			s.renderActions(c, http.StatusUnprocessableEntity, v, tipline.ErrorMessage(err))
		}
		return
	}
	if err == nil && claimID != "" {
		_, err = s.deps.Claims.SetActions(ctx, p, cl.Claim.ID, append(cl.Claim.Actions, a.ID))
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	if claimID != "" {
		c.Redirect(http.StatusSeeOther, "/claims/"+cl.Claim.ID+"#actions")
		return
	}
	c.Redirect(http.StatusSeeOther, "/actions/"+a.ID)
}

// ledgerRow is a ledger entry as the action's page shows it.
type ledgerRow struct {
	claims.Collection
	Running awards.Cents // collected to date after this entry
}

// actionPage is the data of an action's page.
type actionPage struct {
	claims.Action
	Ledger     []ledgerRow
	CoveredBy  *claims.Action // the covered action it is grouped under, when the caller sees it
	Covered    []claims.Action
	Claims     []claims.ActionClaim
	Relations  []claims.Relation
	Kinds      []awards.Kind
	LinkCase   bool // investigators link the action to a case of their desks
	OpenCase   bool // the caller's role opens case pages
	Today      string
	Form       actionValues
	Collection collectionValues
	Sanction   collectionValues // Kind and Amount of the sanctions form
	Error      string
	ErrorAt    string // the id of the section whose form was refused
}

// newActionPage assembles the page of an action from its view for p.
func newActionPage(p casework.Principal, v claims.ActionView) actionPage {
	a, list := v.Action, v.Actions
	d := actionPage{Action: a, Covered: slices.DeleteFunc(coveredOnly(list), func(x claims.Action) bool { return x.ID == a.ID }),
		Claims: v.Claims, Relations: claims.Relations, Kinds: awards.Kinds,
		LinkCase: p.Role == casework.RoleInvestigator, OpenCase: p.Role == casework.RoleInvestigator || p.Role == casework.RoleAdmin,
		Today: time.Now().UTC().Format(time.DateOnly), Form: actionValuesOf(a),
		Collection: collectionValues{Kind: string(awards.Penalty), ReceivedDay: time.Now().UTC().Format(time.DateOnly)},
		Sanction:   collectionValues{Kind: string(awards.Penalty)}}
	for _, x := range list {
		if x.ID == a.CoveredID {
			d.CoveredBy = &x
		}
	}
	var running awards.Cents
	for _, col := range a.Collections {
		running += col.Amount
		d.Ledger = append(d.Ledger, ledgerRow{Collection: col, Running: running})
	}
	return d
}

// actionPage answers GET /actions/:id. The claims service audits the view.
func (s *Server) actionPage(c *gin.Context) {
	p := s.staff(c)
	v, err := s.deps.Claims.ViewAction(c.Request.Context(), p, c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	d := newActionPage(p, v)
	s.render(c, http.StatusOK, "casework_action.html", pageData{Title: "Action: " + d.Title, Data: d})
}

// actionForm runs one form of an action's page, as claimForm does for a
// claim's.
func (s *Server) actionForm(c *gin.Context, section string, change func(ctx context.Context, p casework.Principal, id string) error, keep func(*actionPage)) {
	ctx, p, id := c.Request.Context(), s.staff(c), c.Param("id")
	err := change(ctx, p, id)
	if refused(err) {
		v, verr := s.deps.Claims.ViewActionAgain(ctx, p, id)
		if verr != nil {
			s.respond(c, verr)
			return
		}
		d := newActionPage(p, v)
		d.Error, d.ErrorAt = tipline.ErrorMessage(err), section
		if keep != nil {
			keep(&d)
		}
		s.render(c, http.StatusUnprocessableEntity, "casework_action.html", pageData{Title: "Action: " + d.Title, Data: d})
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/actions/"+id+"#"+section)
}

// updateActionForm answers POST /actions/:id.
func (s *Server) updateActionForm(c *gin.Context) {
	v := postedAction(c)
	s.actionForm(c, "action-edit", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.UpdateAction(ctx, p, id, v.fields())
		return err
	}, func(d *actionPage) { d.Form = v })
}

// linkActionCaseForm answers POST /actions/:id/case ("" unlinks).
func (s *Server) linkActionCaseForm(c *gin.Context) {
	caseID := strings.TrimSpace(c.PostForm("case"))
	s.actionForm(c, "case", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.LinkCase(ctx, p, id, caseID)
		return err
	}, nil)
}

// sanctionForm answers POST /actions/:id/sanctions: kind and the amount
// ordered in dollars (0 removes the kind).
func (s *Server) sanctionForm(c *gin.Context) {
	v := collectionValues{Kind: c.PostForm("kind"), Amount: c.PostForm("ordered")}
	s.actionForm(c, "sanctions", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.SetSanction(ctx, p, id, awards.Kind(v.Kind), v.Amount)
		return err
	}, func(d *actionPage) { d.Sanction = v })
}

// collectionForm answers POST /actions/:id/collections.
func (s *Server) collectionForm(c *gin.Context) {
	v := collectionValues{Kind: c.PostForm("kind"), Amount: c.PostForm("amount"), ReceivedDay: c.PostForm("received_day"), DocumentRef: c.PostForm("document_ref")}
	s.actionForm(c, "ledger", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.RecordCollection(ctx, p, id, claims.NewCollection{Kind: awards.Kind(v.Kind), Amount: v.Amount,
			ReceivedDay: v.ReceivedDay, DocumentRef: v.DocumentRef})
		return err
	}, func(d *actionPage) { d.Collection = v })
}

// reverseCollectionForm answers POST /actions/:id/collections/:entry/reversal:
// an entry of another action is not found here.
func (s *Server) reverseCollectionForm(c *gin.Context) {
	ref := c.PostForm("document_ref")
	s.actionForm(c, "ledger", func(ctx context.Context, p casework.Principal, id string) error {
		entry, err := strconv.ParseInt(c.Param("entry"), 10, 64)
		if err != nil {
			return tipline.Errorf(tipline.NotFound, "Ledger entry not found.")
		}
		_, err = s.deps.Claims.ReverseActionCollection(ctx, p, id, entry, ref)
		return err
	}, nil)
}

// actionFields is the data of the form fields of an action, which the
// actions list, an action's page and a claim's page share.
type actionFields struct {
	Form      actionValues
	Relations []claims.Relation
	Covered   []claims.Action // covered actions to group the action under
}

// Fields returns the data of the page's action form.
func (d actionsPage) Fields() actionFields {
	return actionFields{Form: d.Form, Relations: d.Relations, Covered: d.Covered}
}

// Fields returns the data of the page's action form.
func (d actionPage) Fields() actionFields {
	return actionFields{Form: d.Form, Relations: d.Relations, Covered: d.Covered}
}
