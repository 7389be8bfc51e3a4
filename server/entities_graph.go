package server

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/entities/graph"
)

// The graph of an entity's neighbourhood, for whoever may see the entity
// (admins, investigators of its desk):
//
//	GET /api/v1/entities/:id/graph?limit=N   nodes, edges and their positions (JSON)
//	GET /entities/:id/graph.svg?limit=N      the same graph drawn, for <img> or <object>
//
// limit caps the nodes (entities.DefaultNodes when absent, at most
// entities.MaxNodes). The entities service audits both views.

// graphCSP is the policy of the SVG picture: it runs nothing and loads
// nothing, and only pages of this origin may embed it.
const graphCSP = "default-src 'none'; frame-ancestors 'self'; base-uri 'none'"

// entityGraph lays out the neighbourhood of the entity in the request; the
// entities service audits the view.
func (s *Server) entityGraph(c *gin.Context) (*graph.Picture, error) {
	limit := 0
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > entities.MaxNodes {
			return nil, tipline.Errorf(tipline.Invalid, "Bad limit (1 to %d).", entities.MaxNodes)
		}
		limit = n
	}
	n, err := s.deps.Entities.Neighbourhood(c.Request.Context(), s.staff(c), c.Param("id"), limit)
	if err != nil {
		return nil, err
	}
	return graph.Layout(n)
}

// apiEntityGraph answers GET /api/v1/entities/:id/graph.
func (s *Server) apiEntityGraph(c *gin.Context) {
	p, err := s.entityGraph(c)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// entityGraphSVG answers GET /entities/:id/graph.svg.
func (s *Server) entityGraphSVG(c *gin.Context) {
	p, err := s.entityGraph(c)
	if err != nil {
		s.respond(c, err)
		return
	}
	var buf bytes.Buffer
	if err := p.WriteSVG(&buf); err != nil {
		s.respond(c, err)
		return
	}
	c.Header("Content-Security-Policy", graphCSP)
	c.Header("X-Frame-Options", "SAMEORIGIN")
	c.Data(http.StatusOK, "image/svg+xml; charset=utf-8", buf.Bytes())
}
