package server

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/claims"
)

// Award claims API, on the casework listener (admins, counsel and
// investigators; see package claims for who sees what). Amounts are read
// as strings of dollars ("1250000.00") and written as JSON numbers of
// dollars. The claims service audits every view and change.
//
//	GET  /api/v1/claims                        ?status=
//	POST /api/v1/claims                        claims.ClaimFields → 201
//	GET  /api/v1/claims/:id
//	PUT  /api/v1/claims/:id                    claims.ClaimFields
//	PUT  /api/v1/claims/:id/status             {"status"}
//	PUT  /api/v1/claims/:id/submissions        {"submissions": [id…]}
//	PUT  /api/v1/claims/:id/actions            {"actions": [id…]}
//	PUT  /api/v1/claims/:id/checklist/:item    {"status", "evidence"}
//	PUT  /api/v1/claims/:id/splits             {"splits": [{"claimant", "share_bp"}…]}
//	GET  /api/v1/claims/:id/estimate           the verdict and the estimates so far
//	GET  /api/v1/actions
//	POST /api/v1/actions                       claims.ActionFields → 201
//	GET  /api/v1/actions/:id
//	PUT  /api/v1/actions/:id                   claims.ActionFields
//	PUT  /api/v1/actions/:id/case              {"case"} (investigators; "" unlinks)
//	PUT  /api/v1/actions/:id/sanctions/:kind   {"ordered"}
//	POST /api/v1/actions/:id/collections       claims.NewCollection → 201
//	POST /api/v1/collections/:id/reversal      {"document_ref"} → 201

// answerClaims answers with v, or with err.
func (s *Server) answerClaims(c *gin.Context, status int, v any, err error) {
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(status, v)
}

func (s *Server) apiListClaims(c *gin.Context) {
	list, err := s.deps.Claims.ListClaims(c.Request.Context(), s.staff(c), claims.Status(c.Query("status")))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"claims": list})
}

func (s *Server) apiCreateClaim(c *gin.Context) {
	var f claims.ClaimFields
	if err := readJSON(c, &f); err != nil {
		s.respond(c, err)
		return
	}
	cl, err := s.deps.Claims.CreateClaim(c.Request.Context(), s.staff(c), f)
	s.answerClaims(c, http.StatusCreated, cl, err)
}

func (s *Server) apiGetClaim(c *gin.Context) {
	cl, err := s.deps.Claims.GetClaim(c.Request.Context(), s.staff(c), c.Param("id"))
	s.answerClaims(c, http.StatusOK, cl, err)
}

func (s *Server) apiUpdateClaim(c *gin.Context) {
	var f claims.ClaimFields
	if err := readJSON(c, &f); err != nil {
		s.respond(c, err)
		return
	}
	cl, err := s.deps.Claims.UpdateClaim(c.Request.Context(), s.staff(c), c.Param("id"), f)
	s.answerClaims(c, http.StatusOK, cl, err)
}

func (s *Server) apiSetClaimStatus(c *gin.Context) {
	var req struct {
		Status claims.Status `json:"status"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	cl, err := s.deps.Claims.SetStatus(c.Request.Context(), s.staff(c), c.Param("id"), req.Status)
	s.answerClaims(c, http.StatusOK, cl, err)
}

func (s *Server) apiSetClaimSubmissions(c *gin.Context) {
	var req struct {
		Submissions []string `json:"submissions"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	cl, err := s.deps.Claims.SetSubmissions(c.Request.Context(), s.staff(c), c.Param("id"), req.Submissions)
	s.answerClaims(c, http.StatusOK, cl, err)
}

func (s *Server) apiSetClaimActions(c *gin.Context) {
	var req struct {
		Actions []string `json:"actions"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	cl, err := s.deps.Claims.SetActions(c.Request.Context(), s.staff(c), c.Param("id"), req.Actions)
	s.answerClaims(c, http.StatusOK, cl, err)
}

func (s *Server) apiSetActionTerms(c *gin.Context) {
	var req struct {
		Terms []claims.ActionTerms `json:"terms"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	cl, err := s.deps.Claims.SetActionTerms(c.Request.Context(), s.staff(c), c.Param("id"), req.Terms)
	s.answerClaims(c, http.StatusOK, cl, err)
}

func (s *Server) apiSetChecklistItem(c *gin.Context) {
	var req struct {
		Status   claims.ItemStatus `json:"status"`
		Evidence string            `json:"evidence"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	cl, err := s.deps.Claims.SetChecklistItem(c.Request.Context(), s.staff(c), c.Param("id"), c.Param("item"), req.Status, req.Evidence)
	s.answerClaims(c, http.StatusOK, cl, err)
}

func (s *Server) apiSetSplits(c *gin.Context) {
	var req struct {
		Splits []claims.Split `json:"splits"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	cl, err := s.deps.Claims.SetSplits(c.Request.Context(), s.staff(c), c.Param("id"), req.Splits)
	s.answerClaims(c, http.StatusOK, cl, err)
}

func (s *Server) apiClaimEstimate(c *gin.Context) {
	v, history, err := s.deps.Claims.Estimate(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"verdict": v, "estimates": history})
}

func (s *Server) apiListActions(c *gin.Context) {
	list, err := s.deps.Claims.ListActions(c.Request.Context(), s.staff(c))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"actions": list})
}

func (s *Server) apiCreateAction(c *gin.Context) {
	var f claims.ActionFields
	if err := readJSON(c, &f); err != nil {
		s.respond(c, err)
		return
	}
	a, err := s.deps.Claims.CreateAction(c.Request.Context(), s.staff(c), f)
	s.answerClaims(c, http.StatusCreated, a, err)
}

func (s *Server) apiGetAction(c *gin.Context) {
	a, err := s.deps.Claims.GetAction(c.Request.Context(), s.staff(c), c.Param("id"))
	s.answerClaims(c, http.StatusOK, a, err)
}

func (s *Server) apiUpdateAction(c *gin.Context) {
	var f claims.ActionFields
	if err := readJSON(c, &f); err != nil {
		s.respond(c, err)
		return
	}
	a, err := s.deps.Claims.UpdateAction(c.Request.Context(), s.staff(c), c.Param("id"), f)
	s.answerClaims(c, http.StatusOK, a, err)
}

func (s *Server) apiLinkActionCase(c *gin.Context) {
	var req struct {
		Case string `json:"case"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	a, err := s.deps.Claims.LinkCase(c.Request.Context(), s.staff(c), c.Param("id"), req.Case)
	s.answerClaims(c, http.StatusOK, a, err)
}

func (s *Server) apiSetSanction(c *gin.Context) {
	var req struct {
		Ordered string `json:"ordered"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	a, err := s.deps.Claims.SetSanction(c.Request.Context(), s.staff(c), c.Param("id"), awards.Kind(c.Param("kind")), req.Ordered)
	s.answerClaims(c, http.StatusOK, a, err)
}

func (s *Server) apiRecordCollection(c *gin.Context) {
	var n claims.NewCollection
	if err := readJSON(c, &n); err != nil {
		s.respond(c, err)
		return
	}
	col, err := s.deps.Claims.RecordCollection(c.Request.Context(), s.staff(c), c.Param("id"), n)
	s.answerClaims(c, http.StatusCreated, col, err)
}

func (s *Server) apiReverseCollection(c *gin.Context) {
	var req struct {
		DocumentRef string `json:"document_ref"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.respond(c, tipline.Errorf(tipline.NotFound, "Ledger entry not found."))
		return
	}
	col, err := s.deps.Claims.ReverseCollection(c.Request.Context(), s.staff(c), id, req.DocumentRef)
	s.answerClaims(c, http.StatusCreated, col, err)
}
