package server

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/pdf"
)

// Award pages, on the casework listener, rendered by the server without
// JavaScript:
//
//	GET /claims                  the claims the caller may see, by status, and a form to open one
//	GET /claims/:id ...          the claim and its forms: see claims_forms.go
//	GET /actions ...             enforcement actions: see claims_forms_actions.go
//	GET /claims/:id/report       the award report (?fee=PERCENT: counsel's fee, for the net to the client)
//	GET /claims/:id/report.pdf   the award report printed by headless Chromium, as award-report-ID-YYYY-MM-DD.pdf
//	GET /awards                  the dashboard (counsel and admins)
//
// The claims service audits every view.

type claimsPage struct {
	Claims   []claims.Claim
	Filters  []queueFilter
	Create   bool // counsel and admins open claims
	Programs []awards.Program
	Kinds    []claims.ClaimantKind
	Form     claimValues
	Error    string
}

// claimsPage answers GET /claims.
func (s *Server) claimsPage(c *gin.Context) {
	p := s.staff(c)
	var v claimValues
	if p.Role == casework.RoleCounsel {
		v.Counsel = p.Email
	}
	s.renderClaims(c, http.StatusOK, v, "")
}

// renderClaims renders the claims list with the form that opens a claim
// (with v in it, and problem, the reason it was refused).
func (s *Server) renderClaims(c *gin.Context, status int, v claimValues, problem string) {
	p := s.staff(c)
	st := claims.Status(c.Query("status"))
	list, err := s.deps.Claims.ListClaims(c.Request.Context(), p, st)
	if err != nil {
		s.respond(c, err)
		return
	}
	d := claimsPage{Claims: list, Create: p.Role == casework.RoleAdmin || p.Role == casework.RoleCounsel,
		Programs: awards.Programs(), Kinds: []claims.ClaimantKind{claims.Source, claims.Relator}, Form: v, Error: problem}
	d.Filters = append(d.Filters, queueFilter{Label: "All", URL: "/claims", Current: st == ""})
	for _, x := range claims.Statuses {
		d.Filters = append(d.Filters, queueFilter{Label: string(x), URL: "/claims?status=" + string(x), Current: st == x})
	}
	s.render(c, status, "casework_claims.html", pageData{Title: "Claims", Data: d})
}

// claimReportPage answers GET /claims/:id/report[?fee=PERCENT]: fee is
// counsel's fee, for the net to the client.
func (s *Server) claimReportPage(c *gin.Context) {
	fee, err := claims.ParseFee(c.Query("fee"))
	if err != nil {
		s.respond(c, err)
		return
	}
	r, err := s.deps.Claims.Report(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_claim_report_page.html", pageData{Title: "Award report", Data: newReportView(r, fee)})
}

// claimReportPDF answers GET /claims/:id/report.pdf[?fee=PERCENT]: the
// report printed by the Chromium of the configuration (claims_report.go).
// While pdf.MaxPrints reports print, it answers 503 with Retry-After.
func (s *Server) claimReportPDF(c *gin.Context) {
	fee, err := claims.ParseFee(c.Query("fee"))
	if err != nil {
		s.respond(c, err)
		return
	}
	doc, r, err := s.deps.Claims.ExportReport(c.Request.Context(), s.staff(c), c.Param("id"), ReportPrinter{Chromium: s.deps.Config.Chromium, ChromiumURL: s.deps.Config.ChromiumURL, FeeBP: fee, Log: s.log})
	if errors.Is(err, pdf.ErrBusy) {
		c.Header("Retry-After", "30")
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+reportFileName(r)+`"`)
	c.Data(http.StatusOK, "application/pdf", doc)
}

// awardsPageData is the dashboard with its charts drawn.
type awardsPageData struct {
	claims.Dashboard
	MoneyChart, AwardChart, StatusChart template.HTML
}

// awardsPage answers GET /awards.
func (s *Server) awardsPage(c *gin.Context) {
	d, err := s.deps.Claims.Dashboard(c.Request.Context(), s.staff(c))
	if err != nil {
		s.respond(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_awards.html", pageData{Title: "Awards", Data: awardsPageData{Dashboard: d,
		MoneyChart: barsSVG(d.MoneyBars), AwardChart: barsSVG(d.AwardBars), StatusChart: barsSVG(d.StatusBars)}})
}
