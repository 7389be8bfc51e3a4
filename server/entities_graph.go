package server

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/entities/graph"
)

// The graph of an entity's neighbourhood, for whoever may see the entity
// (admins, investigators of its desk):
//
//	GET /api/v1/entities/:id/graph?limit=N   nodes, edges and their positions (JSON)
//	GET /entities/:id/graph.svg?limit=N      the same graph drawn, for <img> or <object>
//
// The entity's page draws the graph inline (inlineGraph), each node a
// link to its page.
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

// inlineGraph draws the neighbourhood of entity id as an <svg> element for
// its page: nodes link to their pages, and roles and relations read as
// words. The entities service audits the view.
func (s *Server) inlineGraph(ctx context.Context, p casework.Principal, id string) (template.HTML, error) {
	n, err := s.deps.Entities.Neighbourhood(ctx, p, id, 0)
	if err != nil {
		return "", err
	}
	for i, e := range n.Edges {
		n.Edges[i].Label = edgeWords(e)
	}
	pic, err := graph.Layout(n)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := pic.WriteInlineSVG(&buf, nodePage); err != nil {
		return "", err
	}
	// The graph package escapes every label and attribute it writes.
	return template.HTML(buf.String()), nil
}

// nodePage is the page of a graph node: an entity's, a submission's or a
// case's; "" for a screening-list party, which has none.
func nodePage(nodeID string) string {
	kind, id, _ := strings.Cut(nodeID, ":")
	switch entities.NodeKind(kind) {
	case entities.NodeEntity:
		return "/entities/" + id
	case entities.NodeSubmission:
		return "/submissions/" + id
	case entities.NodeCase:
		return "/cases/" + id
	}
	return ""
}

// edgeWords says an edge's label, a role or a relation code, in words;
// a screening edge's label (the list) stays as it is.
func edgeWords(e entities.Edge) string {
	if strings.HasPrefix(e.To, string(entities.NodeScreening)+":") {
		return e.Label
	}
	if w, ok := relationWords[entities.RelationType(e.Label)]; ok {
		return w
	}
	return codeLabel(e.Label)
}
