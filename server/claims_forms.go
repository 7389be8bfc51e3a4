package server

import (
	"cmp"
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
//	POST /claims/:id/action_terms      how the claim counts each of its actions
//	POST /claims/:id/checklist         the checklist: every item's status and evidence
//	POST /claims/:id/splits            the claimants and their facts

// claimValues are a claim's fields as its form shows and posts them.
type claimValues struct {
	Program, ClaimantKind, Pseudonym, LegalName string
	ShowLegalName                               bool
	AmountInDispute, IndividualIncome           string // dollars; "" for none
	TaxpayerIndividual, PublicDisclosure        bool
	OriginalSource                              bool
	Intervened                                  string // "", "yes" or "no"
	Counsel                                     string // emails, separated by commas
}

// valuesOf returns a claim's fields for its form.
func valuesOf(cl claims.Claim) claimValues {
	v := claimValues{Program: cl.Program, ClaimantKind: string(cl.ClaimantKind), Pseudonym: cl.Pseudonym, LegalName: cl.LegalName,
		ShowLegalName: cl.ShowLegalName, TaxpayerIndividual: cl.TaxpayerIndividual, PublicDisclosure: cl.PublicDisclosure,
		OriginalSource: cl.OriginalSource, Counsel: strings.Join(cl.Counsel, ", ")}
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
		OriginalSource: c.PostForm("original_source") != "", Intervened: c.PostForm("intervened"), Counsel: c.PostForm("counsel"),
	}
}

// fields returns the values as the claims service takes them.
func (v claimValues) fields() (claims.ClaimFields, error) {
	f := claims.ClaimFields{Program: v.Program, ClaimantKind: claims.ClaimantKind(v.ClaimantKind), Pseudonym: v.Pseudonym,
		LegalName: v.LegalName, ShowLegalName: v.ShowLegalName, AmountInDispute: strings.TrimSpace(v.AmountInDispute),
		TaxpayerIndividual: v.TaxpayerIndividual, IndividualIncome: strings.TrimSpace(v.IndividualIncome),
		PublicDisclosure: v.PublicDisclosure, OriginalSource: v.OriginalSource, Counsel: listItems(v.Counsel)}
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

// splitRow is one claimant as the claimants form shows and posts them.
type splitRow struct {
	Claimant, Share, Culpable string // the share in percent, the culpable amount in dollars
	Joint                     bool
	Barred                    string   // a disqualifier id of the program, or ""
	BarredWords               string   // another reason they are barred, in words
	Factors                   []string // negative factors
}

// HasFactor reports whether the row has negative factor f.
func (r splitRow) HasFactor(f string) bool { return slices.Contains(r.Factors, f) }

// blankSplitRows are the empty rows the claimants form offers for new
// claimants.
const blankSplitRows = 2

// splitRows returns a claim's claimants for the form, with blank rows; a
// claim with none shows its pseudonym in the first row, so that counsel
// enter the lone claimant's facts there.
func splitRows(cl claims.Claim, disqualifiers []awards.Disqualifier) []splitRow {
	rows := make([]splitRow, 0, len(cl.Splits)+blankSplitRows)
	for _, sp := range cl.Splits {
		r := splitRow{Claimant: sp.Claimant, Joint: sp.Joint, Factors: sp.NegativeFactors}
		if sp.ShareBP > 0 {
			r.Share = strings.TrimSuffix(awards.Percent(sp.ShareBP), "%")
		}
		if sp.CulpableAmount > 0 {
			r.Culpable = sp.CulpableAmount.String()
		}
		if slices.ContainsFunc(disqualifiers, func(d awards.Disqualifier) bool { return d.ID == sp.Disqualified }) {
			r.Barred = sp.Disqualified
		} else {
			r.BarredWords = sp.Disqualified
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		rows = append(rows, splitRow{Claimant: cl.Pseudonym})
	}
	for range blankSplitRows {
		rows = append(rows, splitRow{})
	}
	return rows
}

// postedSplits reads the claimants form's rows (claimant_N, joint_N,
// share_N, culpable_N, barred_N, barred_words_N, factor_N).
func postedSplits(c *gin.Context) []splitRow {
	var rows []splitRow
	for i := 0; i < 40; i++ {
		n := strconv.Itoa(i)
		name, ok := c.GetPostForm("claimant_" + n)
		if !ok {
			break
		}
		rows = append(rows, splitRow{Claimant: name, Joint: c.PostForm("joint_"+n) != "", Share: c.PostForm("share_" + n),
			Culpable: c.PostForm("culpable_" + n), Barred: c.PostForm("barred_" + n), BarredWords: c.PostForm("barred_words_" + n),
			Factors: c.PostFormArray("factor_" + n)})
	}
	return rows
}

// splitsOf turns the form's rows into claimants; rows left blank are
// none.
func splitsOf(rows []splitRow) ([]claims.Split, error) {
	splits := []claims.Split{}
	for _, r := range rows {
		name := strings.TrimSpace(r.Claimant)
		facts := r.Joint || strings.TrimSpace(r.Share+r.Culpable+r.Barred+r.BarredWords) != "" || len(r.Factors) > 0
		if name == "" && !facts {
			continue
		}
		sp := claims.Split{Claimant: name, Joint: r.Joint, NegativeFactors: r.Factors}
		if share := strings.TrimSpace(r.Share); share != "" {
			bp, err := percentBP(share)
			if err != nil {
				return nil, err
			}
			sp.ShareBP = bp
		}
		if culpable := strings.TrimSpace(r.Culpable); culpable != "" {
			amount, err := awards.ParseUSD(culpable)
			if err != nil {
				return nil, tipline.Errorf(tipline.Invalid, "%s: the sanctions for their own conduct are an amount in dollars, such as 1500000.00.", name)
			}
			sp.CulpableAmount = amount
		}
		barred, words := strings.TrimSpace(r.Barred), strings.TrimSpace(r.BarredWords)
		if barred != "" && words != "" {
			return nil, tipline.Errorf(tipline.Invalid, "%s: choose the rule that bars them or write another reason, not both.", name)
		}
		sp.Disqualified = barred + words
		splits = append(splits, sp)
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

// termsRow is one action the claim counts, with how the terms form shows
// it counts.
type termsRow struct {
	claims.Action
	Role      string       // covered or related
	Authority string       // one of awards.Authorities
	Credited  string       // dollars as the form shows them; "" for none
	Saved     awards.Cents // the amount credited as stored
}

// termsRows returns the claim's actions with their terms for the form.
func termsRows(cl claims.Claim, actions []claims.Action) []termsRow {
	rows := make([]termsRow, 0, len(actions))
	for _, a := range actions {
		t := cl.TermsOf(a.ID)
		r := termsRow{Action: a, Role: string(cmp.Or(t.Role, a.DefaultRole())), Authority: cmp.Or(t.Authority, a.DefaultAuthority(cl.Program))}
		if t.Credited > 0 {
			r.Credited, r.Saved = t.Credited.String(), t.Credited
		}
		rows = append(rows, r)
	}
	return rows
}

// postedTerms reads the terms form's rows (action_N, role_N, authority_N,
// credited_N).
func postedTerms(c *gin.Context) []termsRow {
	var rows []termsRow
	for i := 0; i < 60; i++ {
		n := strconv.Itoa(i)
		id, ok := c.GetPostForm("action_" + n)
		if !ok {
			break
		}
		rows = append(rows, termsRow{Action: claims.Action{ID: id}, Role: c.PostForm("role_" + n), Authority: c.PostForm("authority_" + n),
			Credited: c.PostForm("credited_" + n)})
	}
	return rows
}

// termsOf turns the form's rows into the claims service's terms.
func termsOf(rows []termsRow) ([]claims.ActionTerms, error) {
	out := make([]claims.ActionTerms, 0, len(rows))
	for _, r := range rows {
		t := claims.ActionTerms{Action: r.ID, Role: awards.Role(r.Role), Authority: r.Authority}
		if credited := strings.TrimSpace(r.Credited); credited != "" {
			amount, err := awards.ParseUSD(credited)
			if err != nil {
				return nil, tipline.Errorf(tipline.Invalid, "The amount credited is in dollars, such as 250000.00.")
			}
			t.Credited = amount
		}
		out = append(out, t)
	}
	return out, nil
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
	Terms       []termsRow // how the claim counts each of its actions
	Roles       []awards.Role
	Authorities []string
	Factors     []string // the negative factors a claimant may have
	NewAction   actionValues
	Error       string
	ErrorAt     string // the id of the section whose form was refused
}

// newClaimPage assembles the page of a claim from its view.
func newClaimPage(v claims.ClaimView) claimPage {
	r := v.Report
	d := claimPage{Report: r, Chart: timelineSVG(r.Timeline), Edit: v.Edit, Next: r.Claim.Status.Next(),
		Programs: awards.Programs(), Kinds: []claims.ClaimantKind{claims.Source, claims.Relator}, Statuses: claims.ItemStatuses,
		Relations: claims.Relations, Form: valuesOf(r.Claim), Splits: splitRows(r.Claim, r.Program.Disqualifiers), Terms: termsRows(r.Claim, r.Actions),
		Roles: []awards.Role{awards.Covered, awards.Related}, Authorities: awards.Authorities, Factors: awards.NegativeFactors, NewAction: actionValues{Relation: string(claims.Covered)}}
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

// checklistForm answers POST /claims/:id/checklist: status_ITEM and
// evidence_ITEM for each item of the checklist, saved together.
func (s *Server) checklistForm(c *gin.Context) {
	var items []claims.ChecklistItem
	for key := range c.Request.PostForm {
		if item, ok := strings.CutPrefix(key, "status_"); ok {
			items = append(items, claims.ChecklistItem{Item: item, Status: claims.ItemStatus(c.PostForm(key)), Evidence: c.PostForm("evidence_" + item)})
		}
	}
	slices.SortFunc(items, func(a, b claims.ChecklistItem) int { return strings.Compare(a.Item, b.Item) })
	s.claimForm(c, "checklist", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.SetChecklist(ctx, p, id, items)
		return err
	}, func(d *claimPage) {
		for i := range d.Checklist {
			if j := slices.IndexFunc(items, func(it claims.ChecklistItem) bool { return it.Item == d.Checklist[i].Item }); j >= 0 {
				d.Checklist[i].Form, d.Checklist[i].Text = items[j].Status, items[j].Evidence
			}
		}
	})
}

// actionTermsForm answers POST /claims/:id/action_terms: for each action
// the claim counts, action_N (its id), role_N, authority_N and
// credited_N (dollars).
func (s *Server) actionTermsForm(c *gin.Context) {
	rows := postedTerms(c)
	s.claimForm(c, "action-terms", func(ctx context.Context, p casework.Principal, id string) error {
		terms, err := termsOf(rows)
		if err == nil {
			_, err = s.deps.Claims.SetActionTerms(ctx, p, id, terms)
		}
		return err
	}, func(d *claimPage) {
		for i := range d.Terms {
			if j := slices.IndexFunc(rows, func(r termsRow) bool { return r.ID == d.Terms[i].ID }); j >= 0 {
				d.Terms[i].Role, d.Terms[i].Authority, d.Terms[i].Credited = rows[j].Role, rows[j].Authority, rows[j].Credited
			}
		}
	})
}

// claimSplitsForm answers POST /claims/:id/splits: for each claimant,
// claimant_N, joint_N, share_N (a percentage), culpable_N (dollars),
// barred_N (a disqualifier) or barred_words_N, and factor_N (negative
// factors); rows left blank are dropped, and no rows at all make a single
// claimant's claim.
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

// RoleLabel names how the claim counts an action.
func (claimPage) RoleLabel(role string) string { return claims.RoleLabel(awards.Role(role)) }

// AuthorityLabel names an authority that brings actions.
func (claimPage) AuthorityLabel(id string) string { return claims.AuthorityLabel(id) }

// FactorLabel names a negative factor.
func (claimPage) FactorLabel(f string) string { return claims.NegativeFactorLabel(f) }

// SharePercent writes a share in basis points as a percentage.
func (claimPage) SharePercent(bp int) string { return claims.SharePercent(bp) }

// BarredLabel names why a claimant is barred: the program's disqualifier,
// or counsel's words.
func (d claimPage) BarredLabel(reason string) string {
	for _, q := range d.Program.Disqualifiers {
		if q.ID == reason {
			return q.Label
		}
	}
	return reason
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
