package server

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/entities"
)

// Entities API, on the casework listener, for admins (reading) and
// investigators of the entity's desk (reading and changing):
//
//	GET    /api/v1/entities?q=NAME&desk=&kind=&limit=    ranked matches with scores, explanations and screening flags
//	POST   /api/v1/entities                              create
//	GET    /api/v1/entities/corroborated?desk=           the entities the most distinct submissions name
//	GET    /api/v1/entities/:id                          detail: links, relations, merges, history, corroboration
//	PATCH  /api/v1/entities/:id                          change
//	DELETE /api/v1/entities/:id/submission-links/:link   unlink a submission
//	DELETE /api/v1/entities/:id/case-links/:link         unlink a case
//	POST   /api/v1/entities/:id/relations                {"to", "type"}
//	DELETE /api/v1/entities/:id/relations/:rel
//	POST   /api/v1/entities/:id/merges                   {"loser"}: merge loser into :id
//	POST   /api/v1/entities/:id/merges/:merge/undo
//	GET    /api/v1/submissions/:id/entities              the submission's entity links
//	POST   /api/v1/submissions/:id/entities              {"entity", "role"}: link
//	POST   /api/v1/submissions/:id/entity-suggestions    {"parties": [...]}: matches, nothing stored
//	POST   /api/v1/cases/:id/entities                    {"entity", "role"}: link
//
// The entities service audits every view and change (entities/audit.go).
// Entity names are investigator work product; the audit log names entities
// by id, never by name or query.

// apiSearchEntities answers GET /api/v1/entities.
func (s *Server) apiSearchEntities(c *gin.Context) {
	q := entities.Query{Q: c.Query("q"), Desk: c.Query("desk"), Kind: entities.Kind(c.Query("kind"))}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			s.respond(c, tipline.Errorf(tipline.Invalid, "Bad limit."))
			return
		}
		q.Limit = n
	}
	items, err := s.deps.Entities.Search(c.Request.Context(), s.staff(c), q)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"entities": items})
}

// apiCreateEntity answers POST /api/v1/entities.
func (s *Server) apiCreateEntity(c *gin.Context) {
	var n entities.NewEntity
	if err := readJSON(c, &n); err != nil {
		s.respond(c, err)
		return
	}
	d, err := s.deps.Entities.Create(c.Request.Context(), s.staff(c), n)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

// apiMostCorroborated answers GET /api/v1/entities/corroborated.
func (s *Server) apiMostCorroborated(c *gin.Context) {
	items, err := s.deps.Entities.MostCorroborated(c.Request.Context(), s.staff(c), c.Query("desk"))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"entities": items})
}

// apiGetEntity answers GET /api/v1/entities/:id, with one page of
// submission links (?after=CURSOR or ?before=CURSOR from submission_pages).
func (s *Server) apiGetEntity(c *gin.Context) {
	d, err := s.deps.Entities.View(c.Request.Context(), s.staff(c), c.Param("id"), linkPage(c))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// apiUpdateEntity answers PATCH /api/v1/entities/:id.
func (s *Server) apiUpdateEntity(c *gin.Context) {
	var ch entities.Change
	if err := readJSON(c, &ch); err != nil {
		s.respond(c, err)
		return
	}
	d, err := s.deps.Entities.Update(c.Request.Context(), s.staff(c), c.Param("id"), ch)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// linkRequest links an entity in a role.
type linkRequest struct {
	Entity string        `json:"entity"`
	Role   entities.Role `json:"role"`
}

// apiLinkSubmissionEntity answers POST /api/v1/submissions/:id/entities.
func (s *Server) apiLinkSubmissionEntity(c *gin.Context) {
	var req linkRequest
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	l, err := s.deps.Entities.LinkSubmission(c.Request.Context(), s.staff(c), req.Entity, c.Param("id"), req.Role)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, l)
}

// apiSubmissionEntities answers GET /api/v1/submissions/:id/entities.
func (s *Server) apiSubmissionEntities(c *gin.Context) {
	links, err := s.deps.Entities.ViewSubmissionEntities(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"links": links})
}

// apiEntitySuggestions answers POST /api/v1/submissions/:id/entity-suggestions:
// the parties the investigator's browser decrypted, matched against the
// desk's entities and the screening lists. Nothing of the request is
// stored or logged; the audit log records only that a match was asked.
func (s *Server) apiEntitySuggestions(c *gin.Context) {
	var req struct {
		Parties []entities.Party `json:"parties"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	sg, err := s.deps.Entities.Suggest(c.Request.Context(), s.staff(c), c.Param("id"), req.Parties)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"suggestions": sg})
}

// apiLinkCaseEntity answers POST /api/v1/cases/:id/entities.
func (s *Server) apiLinkCaseEntity(c *gin.Context) {
	var req linkRequest
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	l, err := s.deps.Entities.LinkCase(c.Request.Context(), s.staff(c), req.Entity, c.Param("id"), req.Role)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, l)
}

// idParam reads a numeric path parameter; NotFound when it is not one.
func idParam(c *gin.Context, name, what string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n < 1 {
		return 0, tipline.Errorf(tipline.NotFound, "%s not found.", what)
	}
	return n, nil
}

// apiUnlinkEntitySubmission answers DELETE /api/v1/entities/:id/submission-links/:link.
func (s *Server) apiUnlinkEntitySubmission(c *gin.Context) {
	link, err := idParam(c, "link", "Link")
	if err == nil {
		err = s.deps.Entities.UnlinkSubmission(c.Request.Context(), s.staff(c), c.Param("id"), link)
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiUnlinkEntityCase answers DELETE /api/v1/entities/:id/case-links/:link.
func (s *Server) apiUnlinkEntityCase(c *gin.Context) {
	link, err := idParam(c, "link", "Link")
	if err == nil {
		err = s.deps.Entities.UnlinkCase(c.Request.Context(), s.staff(c), c.Param("id"), link)
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiRelateEntity answers POST /api/v1/entities/:id/relations.
func (s *Server) apiRelateEntity(c *gin.Context) {
	var req struct {
		To   string                `json:"to"`
		Type entities.RelationType `json:"type"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	r, err := s.deps.Entities.Relate(c.Request.Context(), s.staff(c), c.Param("id"), req.To, req.Type)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

// apiUnrelateEntity answers DELETE /api/v1/entities/:id/relations/:rel.
func (s *Server) apiUnrelateEntity(c *gin.Context) {
	rel, err := idParam(c, "rel", "Relation")
	if err == nil {
		err = s.deps.Entities.Unrelate(c.Request.Context(), s.staff(c), c.Param("id"), rel)
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiMergeEntity answers POST /api/v1/entities/:id/merges: the loser is
// merged into the entity :id.
func (s *Server) apiMergeEntity(c *gin.Context) {
	var req struct {
		Loser string `json:"loser"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	m, err := s.deps.Entities.Merge(c.Request.Context(), s.staff(c), c.Param("id"), req.Loser)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, m)
}

// apiUndoEntityMerge answers POST /api/v1/entities/:id/merges/:merge/undo.
func (s *Server) apiUndoEntityMerge(c *gin.Context) {
	id, err := idParam(c, "merge", "Merge")
	if err != nil {
		s.respond(c, err)
		return
	}
	m, err := s.deps.Entities.UndoMerge(c.Request.Context(), s.staff(c), c.Param("id"), id)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}
