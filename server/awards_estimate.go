package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
)

// estimateForm is the estimator form as submitted (GET, so that it works
// without JavaScript and an estimate can be bookmarked).
type estimateForm struct {
	Program, Ordered, Collected, Forfeited, AmountInDispute, IndividualIncome string
	Intervened                                                                string // "", "yes" or "no"
	PublicDisclosure                                                          bool
	Claimants, Notice, FinalOrder                                             string
}

// estimatePage is what casework_estimate.html shows.
type estimatePage struct {
	Form     estimateForm
	Programs []awards.Program
	Program  *awards.Program
	Result   *awards.Result
	Error    string
}

// awardsEstimatePage answers GET /awards/estimate: the award estimator for
// counsel, administrators and investigators. With ?program= it computes the
// estimate on the server and shows eligibility, reasons, the range, the
// split, the money left out, presumptions, deadlines and citations. It
// reads and stores nothing, so there is nothing to audit.
func (s *Server) awardsEstimatePage(c *gin.Context) {
	q := c.Request.URL.Query()
	d := estimatePage{Programs: awards.Programs(), Form: readEstimateForm(q)}
	if d.Form.Program == "" {
		s.render(c, http.StatusOK, "casework_estimate.html", pageData{Title: "Award estimator", Data: d})
		return
	}
	in, err := estimateInput(d.Form)
	if err == nil {
		var r awards.Result
		if r, err = awards.Estimate(in); err == nil {
			p, _ := awards.ProgramByID(r.Program)
			d.Result, d.Program = &r, &p
		}
	}
	if err != nil {
		if code := tipline.ErrorCode(err); code != tipline.Invalid && code != tipline.NotFound {
			s.respond(c, err)
			return
		}
		d.Error = tipline.ErrorMessage(err)
		s.render(c, http.StatusUnprocessableEntity, "casework_estimate.html", pageData{Title: "Award estimator", Data: d})
		return
	}
	s.render(c, http.StatusOK, "casework_estimate.html", pageData{Title: "Award estimator", Data: d})
}

func readEstimateForm(q url.Values) estimateForm {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return estimateForm{
		Program: get("program"), Ordered: get("ordered"), Collected: get("collected"), Forfeited: get("forfeited"),
		AmountInDispute: get("amount_in_dispute"), IndividualIncome: get("individual_income"),
		Intervened: get("intervened"), PublicDisclosure: q.Get("public_disclosure") != "",
		Claimants: get("claimants"), Notice: get("notice"), FinalOrder: get("final_order"),
	}
}

// estimateInput turns the form into the engine's input, as the CLI does:
// ordered and collected are the program's first kind that counts,
// forfeited is net forfeiture collected.
func estimateInput(f estimateForm) (awards.Input, error) {
	p, err := awards.ProgramByID(f.Program)
	if err != nil {
		return awards.Input{}, err
	}
	money := func(label, v string) (awards.Cents, bool, error) {
		if v == "" {
			return 0, false, nil
		}
		c, err := awards.ParseUSD(v)
		if err != nil {
			return 0, false, tipline.Errorf(tipline.Invalid, "%s: %s", label, tipline.ErrorMessage(err))
		}
		return c, true, nil
	}
	day := func(label, v string) (time.Time, error) {
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return time.Time{}, tipline.Errorf(tipline.Invalid, "%s: write the date as YYYY-MM-DD.", label)
		}
		return t, nil
	}
	in := awards.Input{Program: p.ID, AsOf: time.Now().UTC(),
		IRS: awards.IRSFacts{PublicDisclosure: f.PublicDisclosure}, FCA: awards.FCAFacts{PublicDisclosure: f.PublicDisclosure}}
	covered := awards.Action{ID: "covered action", Role: awards.Covered, Authority: awards.ProgramAuthority(p.ID)}
	ordered, hasOrdered, err := money("Ordered", f.Ordered)
	if err != nil {
		return in, err
	}
	collected, hasCollected, err := money("Collected", f.Collected)
	if err != nil {
		return in, err
	}
	forfeited, hasForfeited, err := money("Forfeited", f.Forfeited)
	if err != nil {
		return in, err
	}
	if in.IRS.AmountInDispute, _, err = money("Amount in dispute", f.AmountInDispute); err != nil {
		return in, err
	}
	if in.IRS.IndividualIncome, in.IRS.TaxpayerIndividual, err = money("Individual income", f.IndividualIncome); err != nil {
		return in, err
	}
	if hasOrdered || hasCollected {
		covered.Sanctions = append(covered.Sanctions, awards.Sanction{Kind: p.Counts[0].Kind, Ordered: max(ordered, collected), Collected: collected})
	}
	if hasForfeited {
		covered.Sanctions = append(covered.Sanctions, awards.Sanction{Kind: awards.Forfeiture, Ordered: forfeited, Collected: forfeited})
	}
	switch f.Intervened {
	case "yes":
		in.FCA.Intervention = awards.Intervened
	case "no":
		in.FCA.Intervention = awards.Declined
	case "":
		in.FCA.Intervention = awards.NotYetDecided
	default:
		return in, tipline.Errorf(tipline.Invalid, "Intervened: yes, no or not decided.")
	}
	claimants := 1
	if f.Claimants != "" {
		n, err := strconv.Atoi(f.Claimants)
		if err != nil || n < 1 || n > 1000 {
			return in, tipline.Errorf(tipline.Invalid, "Claimants: a whole number from 1 to 1000.")
		}
		claimants = n
	}
	for i := range claimants {
		in.Claimants = append(in.Claimants, awards.Claimant{ID: fmt.Sprintf("claimant %d", i+1), Joint: claimants > 1})
	}
	if covered.NoticeOfCoveredAction, err = day("Notice of Covered Action", f.Notice); err != nil {
		return in, err
	}
	in.Actions = []awards.Action{covered}
	// The form's final order is a related action's (by the DOJ, which
	// runs no award program of its own).
	related := awards.Action{ID: "related action", Role: awards.Related, Authority: "doj"}
	if related.FinalOrder, err = day("Final order", f.FinalOrder); err != nil {
		return in, err
	}
	if !related.FinalOrder.IsZero() {
		in.Actions = append(in.Actions, related)
	}
	return in, nil
}
