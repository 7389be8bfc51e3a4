package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/pdf"
)

// Award pages, on the casework listener, rendered by the server without
// JavaScript:
//
//	GET /claims                  the claims the caller may see
//	GET /claims/:id/report       the award report
//	GET /claims/:id/report.pdf   the award report printed by headless Chromium
//	GET /awards                  the dashboard (counsel and admins)
//
// Every view is audited.

type claimsPage struct {
	Claims []claims.Claim
}

// claimsPage answers GET /claims.
func (s *Server) claimsPage(c *gin.Context) {
	list, err := s.deps.Claims.ListClaims(c.Request.Context(), s.staff(c), claims.Status(c.Query("status")))
	if err == nil {
		err = s.audit(c, "claim.list", "claims")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_claims.html", pageData{Title: "Claims", Data: claimsPage{Claims: list}})
}

// claimReportPage answers GET /claims/:id/report.
func (s *Server) claimReportPage(c *gin.Context) {
	r, err := s.deps.Claims.Report(c.Request.Context(), s.staff(c), c.Param("id"))
	if err == nil {
		err = s.audit(c, "claim.report", "claim:"+r.Claim.ID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_claim_report_page.html", pageData{Title: "Award report", Data: r})
}

// claimReportPDF answers GET /claims/:id/report.pdf.
func (s *Server) claimReportPDF(c *gin.Context) {
	ctx := c.Request.Context()
	r, err := s.deps.Claims.Report(ctx, s.staff(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	html, err := r.HTML()
	if err != nil {
		s.fail(c, err)
		return
	}
	chromium, err := pdf.FindChromium(s.deps.Config.Chromium)
	if err != nil {
		s.fail(c, err)
		return
	}
	doc, err := pdf.Print(ctx, chromium, html)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.audit(c, "claim.report_pdf", "claim:"+r.Claim.ID); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="award-report-`+r.Claim.ID+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", doc)
}

// awardsPage answers GET /awards.
func (s *Server) awardsPage(c *gin.Context) {
	d, err := s.deps.Claims.Dashboard(c.Request.Context(), s.staff(c))
	if err == nil {
		err = s.audit(c, "awards.dashboard", "claims")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_awards.html", pageData{Title: "Awards", Data: d})
}
