package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/entities"
)

// Entity pages, read without JavaScript:
//
//	GET /entities?q=NAME  search by name, alias or identifier, and the most corroborated entities
//	GET /entities/:id     details, screening flags, corroboration, links, relations, merges, history
//
// Changes go through the API (static/js/entities.js on the submission
// page links the parties of a decrypted tip).

type entitiesPage struct {
	Q            string
	Searched     bool
	Results      []entities.Match
	Corroborated []entities.Corroborated
}

// entitiesPage answers GET /entities.
func (s *Server) entitiesPage(c *gin.Context) {
	p := s.staff(c)
	d := entitiesPage{Q: c.Query("q")}
	if d.Q != "" {
		var err error
		if d.Results, err = s.deps.Entities.Search(c.Request.Context(), p, entities.Query{Q: d.Q, Limit: 50}); err != nil {
			s.fail(c, err)
			return
		}
		d.Searched = true
		if err := s.audit(c, "entity.search", "entities"); err != nil {
			s.fail(c, err)
			return
		}
	}
	var err error
	if d.Corroborated, err = s.deps.Entities.MostCorroborated(c.Request.Context(), p, ""); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.audit(c, "entity.corroborated", "entities"); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_entities.html", pageData{Title: "Entities", Data: d})
}

// entityPage answers GET /entities/:id. Viewing is audited.
func (s *Server) entityPage(c *gin.Context) {
	d, err := s.deps.Entities.Get(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.audit(c, "entity.view", "entity:"+d.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_entity.html", pageData{Title: d.Name, Data: d})
}
