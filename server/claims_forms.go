package server

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
)

// Claim pages, on the casework listener. They use the claims service of
// the JSON API and post plain HTML forms (see staffPage), so counsel work
// without JavaScript: a refused form shows the page again with the reason
// (422), a done one goes back to the claim (303). Amounts are decimal
// dollars; shares are percentages.
//
//	POST /claims                       open a claim (from the claims list)
//	GET  /claims/:id                   the claim: claimant, submissions, actions, checklist, split, estimate and its history
//	POST /claims/:id                   change the claim's fields and counsel
//	POST /claims/:id/status            move the claim to one of its next statuses
//	POST /claims/:id/submissions       replace its submissions (ids, one a line)
//	POST /claims/:id/actions           replace the actions it counts
//	POST /claims/:id/checklist/:item   one checklist item's status and evidence
//	POST /claims/:id/splits            the joint claimants' shares

// claimValues are a claim's fields as its form shows and posts them.
type claimValues struct {
	Program, ClaimantKind, Pseudonym, LegalName string
	ShowLegalName                               bool
	AmountInDispute, IndividualIncome           string // dollars; "" for none
	TaxpayerIndividual, PublicDisclosure        bool
	Intervened                                  string // "", "yes" or "no"
	Counsel                                     string // emails, separated by commas
}

// valuesOf returns a claim's fields for its form.
func valuesOf(cl claims.Claim) claimValues {
	v := claimValues{Program: cl.Program, ClaimantKind: string(cl.ClaimantKind), Pseudonym: cl.Pseudonym, LegalName: cl.LegalName,
		ShowLegalName: cl.ShowLegalName, TaxpayerIndividual: cl.TaxpayerIndividual, PublicDisclosure: cl.PublicDisclosure,
		Counsel: strings.Join(cl.Counsel, ", ")}
	if cl.AmountInDispute != 0 {
		v.AmountInDispute = cl.AmountInDispute.String()
	}
	if cl.IndividualIncome != 0 {
		v.IndividualIncome = cl.IndividualIncome.String()
	}
	if cl.Intervened != nil {
		v.Intervened = map[bool]string{true: "yes", false: "no"}[*cl.Intervened]
	}
	return v
}

// postedClaim reads a claim's fields from its form.
func postedClaim(c *gin.Context) claimValues {
	return claimValues{
		Program: c.PostForm("program"), ClaimantKind: c.PostForm("claimant_kind"), Pseudonym: c.PostForm("pseudonym"),
		LegalName: c.PostForm("legal_name"), ShowLegalName: c.PostForm("show_legal_name") != "",
		AmountInDispute: c.PostForm("amount_in_dispute"), IndividualIncome: c.PostForm("individual_income"),
		TaxpayerIndividual: c.PostForm("taxpayer_individual") != "", PublicDisclosure: c.PostForm("public_disclosure") != "",
		Intervened: c.PostForm("intervened"), Counsel: c.PostForm("counsel"),
	}
}

// fields returns the values as the claims service takes them.
func (v claimValues) fields() (claims.ClaimFields, error) {
	f := claims.ClaimFields{Program: v.Program, ClaimantKind: claims.ClaimantKind(v.ClaimantKind), Pseudonym: v.Pseudonym,
		LegalName: v.LegalName, ShowLegalName: v.ShowLegalName, AmountInDispute: strings.TrimSpace(v.AmountInDispute),
		TaxpayerIndividual: v.TaxpayerIndividual, IndividualIncome: strings.TrimSpace(v.IndividualIncome),
		PublicDisclosure: v.PublicDisclosure, Counsel: listItems(v.Counsel)}
	switch v.Intervened {
	case "":
	case "yes", "no":
		yes := v.Intervened == "yes"
		f.Intervened = &yes
	default:
		return f, tipline.Errorf(tipline.Invalid, "The government intervened: yes, no, or not decided.")
	}
	return f, nil
}

// listItems splits a list (of emails, ids) at commas, semicolons and white space.
func listItems(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// splitRow is one row of the split form: a claimant and a percentage.
type splitRow struct{ Claimant, Share string }

// blankSplitRows are the empty rows the split form offers for new
// claimants.
const blankSplitRows = 2

// splitRows returns a claim's split for the form, with blank rows.
func splitRows(splits []claims.Split) []splitRow {
	rows := make([]splitRow, 0, len(splits)+blankSplitRows)
	for _, sp := range splits {
		rows = append(rows, splitRow{Claimant: sp.Claimant, Share: strings.TrimSuffix(awards.Percent(sp.ShareBP), "%")})
	}
	for range blankSplitRows {
		rows = append(rows, splitRow{})
	}
	return rows
}

// postedSplits reads the split form's rows (claimant_N, share_N).
func postedSplits(c *gin.Context) []splitRow {
	var rows []splitRow
	for i := 0; i < 40; i++ {
		n := strconv.Itoa(i)
		name, ok := c.GetPostForm("claimant_" + n)
		if !ok {
			break
		}
		rows = append(rows, splitRow{Claimant: name, Share: c.PostForm("share_" + n)})
	}
	return rows
}

// splitsOf turns the form's rows into shares; rows left blank are none.
func splitsOf(rows []splitRow) ([]claims.Split, error) {
	splits := []claims.Split{}
	for _, r := range rows {
		name, share := strings.TrimSpace(r.Claimant), strings.TrimSpace(r.Share)
		if name == "" && share == "" {
			continue
		}
		bp, err := percentBP(share)
		if err != nil {
			return nil, err
		}
		splits = append(splits, claims.Split{Claimant: name, ShareBP: bp})
	}
	return splits, nil
}

// percentBP reads a percentage with at most two decimals ("33.33", "50%")
// as basis points.
func percentBP(s string) (int, error) {
	bad := tipline.Errorf(tipline.Invalid, "A share is a percentage with at most two decimals, such as 50 or 33.33.")
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 3 || len(frac) > 2 || strings.ContainsFunc(whole+frac, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, bad
	}
	w, _ := strconv.Atoi(whole)
	f, _ := strconv.Atoi((frac + "00")[:2])
	return w*100 + f, nil
}

// actionChoice is an action the claim may count, for its checkbox.
type actionChoice struct {
	claims.Action
	Counted bool
}

// checklistRow is a checklist item with the form's values.
type checklistRow struct {
	claims.ChecklistItem
	Form claims.ItemStatus // the status the form shows
	Text string            // the evidence the form shows
}

// claimPage is the data of a claim's page.
type claimPage struct {
	claims.Report
	Chart       template.HTML // the collections and award range over time
	Edit        bool          // the caller changes the claim: its counsel and admins
	Next        []claims.Status
	Programs    []awards.Program
	Kinds       []claims.ClaimantKind
	Statuses    []claims.ItemStatus
	Relations   []claims.Relation
	Choices     []actionChoice
	Checklist   []checklistRow
	Form        claimValues
	Submissions string // the submissions form's ids, one a line
	Splits      []splitRow
	NewAction   actionValues
	Error       string
	ErrorAt     string // the id of the section whose form was refused
}

// newClaimPage assembles the page of a claim from its view.
func newClaimPage(v claims.ClaimView) claimPage {
	r := v.Report
	d := claimPage{Report: r, Chart: timelineSVG(r.Timeline), Edit: v.Edit, Next: r.Claim.Status.Next(),
		Programs: awards.Programs(), Kinds: []claims.ClaimantKind{claims.Source, claims.Relator}, Statuses: claims.ItemStatuses,
		Relations: claims.Relations, Form: valuesOf(r.Claim), Splits: splitRows(r.Claim.Splits), NewAction: actionValues{Relation: string(claims.Covered)}}
	ids := make([]string, len(r.Claim.Submissions))
	for i, sub := range r.Claim.Submissions {
		ids[i] = sub.ID
	}
	d.Submissions = strings.Join(ids, "\n")
	for _, it := range r.Claim.Checklist {
		d.Checklist = append(d.Checklist, checklistRow{ChecklistItem: it, Form: it.Status, Text: it.Evidence})
	}
	if !d.Edit {
		// Investigators read the claim; the legal name stays with counsel.
		d.Form.LegalName = ""
		return d
	}
	for _, a := range v.Actions {
		d.Choices = append(d.Choices, actionChoice{Action: a, Counted: slices.Contains(r.Claim.Actions, a.ID)})
	}
	return d
}

// claimPage answers GET /claims/:id. The claims service audits the view.
func (s *Server) claimPage(c *gin.Context) {
	v, err := s.deps.Claims.ViewClaim(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_claim.html", pageData{Title: "Claim: " + v.Claimant, Data: newClaimPage(v)})
}

// refused reports whether err is the service refusing what a form asked
// (to show the form again with the reason) rather than a failure.
func refused(err error) bool {
	switch tipline.ErrorCode(err) {
	case tipline.Invalid, tipline.Conflict, tipline.NotFound:
		return true
	}
	return false
}

// claimForm runs one form of a claim's page: change does the work (the
// claims service checks the claim and audits the change), and section is
// the id of the page's section that holds the form. A refused form shows
// the page again with the reason, and with what keep puts back of the
// values posted; a done one goes back to the section.
func (s *Server) claimForm(c *gin.Context, section string, change func(ctx context.Context, p casework.Principal, id string) error, keep func(*claimPage)) {
	id := c.Param("id")
	err := change(c.Request.Context(), s.staff(c), id)
	if refused(err) {
		s.refusedClaim(c, id, section, err, keep)
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/claims/"+id+"#"+section)
}

// refusedClaim shows a claim's page again (422) with the reason a form of
// its section was refused.
func (s *Server) refusedClaim(c *gin.Context, id, section string, reason error, keep func(*claimPage)) {
	v, err := s.deps.Claims.ViewClaimAgain(c.Request.Context(), s.staff(c), id)
	if err != nil {
		s.respond(c, err)
		return
	}
	s.renderRefusedClaim(c, v, section, reason, keep)
}

// renderRefusedClaim renders the page of the claim of v again (422) with
// the reason a form of its section was refused.
func (s *Server) renderRefusedClaim(c *gin.Context, v claims.ClaimView, section string, reason error, keep func(*claimPage)) {
	d := newClaimPage(v)
	d.Error, d.ErrorAt = tipline.ErrorMessage(reason), section
	if keep != nil {
		keep(&d)
	}
	s.render(c, http.StatusUnprocessableEntity, "casework_claim.html", pageData{Title: "Claim: " + v.Claimant, Data: d})
}

// updateClaimForm answers POST /claims/:id.
func (s *Server) updateClaimForm(c *gin.Context) {
	v := postedClaim(c)
	s.claimForm(c, "claim-edit", func(ctx context.Context, p casework.Principal, id string) error {
		f, err := v.fields()
		if err == nil {
			_, err = s.deps.Claims.UpdateClaim(ctx, p, id, f)
		}
		return err
	}, func(d *claimPage) { d.Form = v })
}

// claimStatusForm answers POST /claims/:id/status.
func (s *Server) claimStatusForm(c *gin.Context) {
	s.claimForm(c, "status", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.SetStatus(ctx, p, id, claims.Status(c.PostForm("status")))
		return err
	}, nil)
}

// claimSubmissionsForm answers POST /claims/:id/submissions: the ids,
// one a line (commas and spaces also separate them).
func (s *Server) claimSubmissionsForm(c *gin.Context) {
	text := c.PostForm("submissions")
	s.claimForm(c, "submissions", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.SetSubmissions(ctx, p, id, listItems(text))
		return err
	}, func(d *claimPage) { d.Submissions = text })
}

// claimActionsForm answers POST /claims/:id/actions: the actions ticked.
func (s *Server) claimActionsForm(c *gin.Context) {
	ids := c.PostFormArray("action")
	s.claimForm(c, "actions", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.SetActions(ctx, p, id, ids)
		return err
	}, func(d *claimPage) {
		for i := range d.Choices {
			d.Choices[i].Counted = slices.Contains(ids, d.Choices[i].ID)
		}
	})
}

// checklistItemForm answers POST /claims/:id/checklist/:item.
func (s *Server) checklistItemForm(c *gin.Context) {
	item, st, evidence := c.Param("item"), claims.ItemStatus(c.PostForm("status")), c.PostForm("evidence")
	s.claimForm(c, "item-"+item, func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.SetChecklistItem(ctx, p, id, item, st, evidence)
		return err
	}, func(d *claimPage) {
		for i := range d.Checklist {
			if d.Checklist[i].Item == item {
				d.Checklist[i].Form, d.Checklist[i].Text = st, evidence
			}
		}
	})
}

// claimSplitsForm answers POST /claims/:id/splits: claimant_N and share_N
// (a percentage) for each row; rows left blank are dropped, and no rows
// at all make a single claimant's claim.
func (s *Server) claimSplitsForm(c *gin.Context) {
	rows := postedSplits(c)
	s.claimForm(c, "splits", func(ctx context.Context, p casework.Principal, id string) error {
		splits, err := splitsOf(rows)
		if err == nil {
			_, err = s.deps.Claims.SetSplits(ctx, p, id, splits)
		}
		return err
	}, func(d *claimPage) { d.Splits = append(rows, splitRow{}) })
}

// createClaimForm answers POST /claims from the claims list: a draft
// claim, whose page opens next.
func (s *Server) createClaimForm(c *gin.Context) {
	ctx, p := c.Request.Context(), s.staff(c)
	v := postedClaim(c)
	f, err := v.fields()
	var cl claims.Claim
	if err == nil {
		cl, err = s.deps.Claims.CreateClaim(ctx, p, f)
	}
	if code := tipline.ErrorCode(err); code == tipline.Invalid || code == tipline.Conflict {
		s.renderClaims(c, http.StatusUnprocessableEntity, v, tipline.ErrorMessage(err))
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/claims/"+cl.ID)
}

// Fields returns the data of the page's form for a new action.
func (d claimPage) Fields() actionFields {
	var all []claims.Action
	for _, ch := range d.Choices {
		all = append(all, ch.Action)
	}
	return actionFields{Form: d.NewAction, Relations: d.Relations, Covered: coveredOnly(all)}
}

// StatusLabel names a checklist status for the item: a condition is met
// or not met, a disqualifier applies or does not.
func (r checklistRow) StatusLabel(st claims.ItemStatus) string {
	switch {
	case st == claims.Open:
		return "open: not decided"
	case st == claims.NotApplicable:
		return "not applicable"
	case r.Kind == claims.Disqualifier && st == claims.Yes:
		return "applies"
	case r.Kind == claims.Disqualifier:
		return "does not apply"
	case st == claims.Yes:
		return "met"
	}
	return "not met"
}
