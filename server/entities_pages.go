package server

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
)

// Entity pages, read and changed without JavaScript (plain forms, see
// staffPage):
//
//	GET  /entities?q=NAME                                  search by name, alias or identifier, and the most corroborated entities
//	GET  /entities/:id?find=NAME                           details, screening flags, corroboration, links, relations, merges,
//	                                                       history, the graph, and entities to relate or merge with
//	GET  /entities/:id?after=CURSOR  (or before=CURSOR)    the same with the next (previous) page of submission links
//	POST /entities/:id                                     change name, kind, aliases, identifiers, countries, notes
//	POST /entities/:id/relations                           relate to another entity
//	POST /entities/:id/relations/:rel/delete               remove a relation
//	POST /entities/:id/merge                               merge this entity into another ("into")
//	POST /entities/:id/merges/:merge/undo                  undo a merge into this entity
//	POST /entities/:id/submission-links/:link/delete       unlink a submission
//	POST /entities/:id/case-links/:link/delete             unlink a case
//
// The submission page links the parties of a decrypted tip through the
// API (static/js/entities.js).

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
			s.respond(c, err)
			return
		}
		d.Searched = true
	}
	var err error
	if d.Corroborated, err = s.deps.Entities.MostCorroborated(c.Request.Context(), p, ""); err != nil {
		s.respond(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_entities.html", pageData{Title: "Entities", Data: d})
}

// entityForm is the entity's fields as the change form writes them.
type entityForm struct {
	Kind        string
	Name        string
	Aliases     string // one a line
	Identifiers string // one a line, "type: value"
	Countries   string // codes separated by spaces or commas
	Notes       string
}

// formOf writes an entity's fields as the change form shows them.
func formOf(e entities.Entity) entityForm {
	ids := make([]string, len(e.Identifiers))
	for i, id := range e.Identifiers {
		ids[i] = id.Type + ": " + id.Value
	}
	return entityForm{Kind: string(e.Kind), Name: e.Name, Aliases: strings.Join(e.Aliases, "\n"),
		Identifiers: strings.Join(ids, "\n"), Countries: strings.Join(e.Countries, " "), Notes: e.Notes}
}

// change reads the form into a change of every field.
func (f entityForm) change() (entities.Change, error) {
	kind := entities.Kind(f.Kind)
	aliases := lines(f.Aliases)
	ids := []entities.Identifier{}
	for _, l := range lines(f.Identifiers) {
		typ, value, ok := strings.Cut(l, ":")
		if !ok {
			return entities.Change{}, tipline.Errorf(tipline.Invalid, "Write each identifier on its own line as type: value, such as lei: 5493001KJTIIGC8Y1R12.")
		}
		ids = append(ids, entities.Identifier{Type: typ, Value: value})
	}
	countries := strings.FieldsFunc(f.Countries, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\t' || r == '\n' || r == '\r' })
	return entities.Change{Kind: &kind, Name: &f.Name, Aliases: &aliases, Identifiers: &ids, Countries: &countries, Notes: &f.Notes}, nil
}

// lines returns the non-blank lines of s, trimmed.
func lines(s string) []string {
	out := []string{}
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// entityPage is the data of one entity's page.
type entityPage struct {
	entities.Detail
	Investigator  bool // an investigator of the entity's desk
	Edit          bool // Investigator, and the entity not merged into another
	Form          entityForm
	Kinds         []entities.Kind
	RelationTypes []entities.RelationType
	Find          string           // what the relate-or-merge search asked
	Candidates    []entities.Match // other entities to relate to or merge with
	// CasesThrough are the cases that hold a submission naming the entity
	// without a link of their own to it: with the linked cases, the cases
	// its corroboration counts.
	CasesThrough []casework.CaseSummary
	// MoreCasesThrough counts those cases beyond the first
	// maxCasesThrough, which the page does not list.
	MoreCasesThrough int
	Graph            template.HTML // the neighbourhood drawn as inline SVG; "" when it cannot be
	// LaterLinks is set on a page of submission links after the first.
	LaterLinks bool
	Error      string
}

// relationWords says how each relation type reads from the first entity
// to the second.
var relationWords = map[entities.RelationType]string{
	entities.Owns:          "owns",
	entities.DirectorOf:    "is a director of",
	entities.ShipsFor:      "ships for",
	entities.SharesAddress: "shares an address with",
	entities.SameAs:        "is the same as",
	entities.OtherRelation: "is otherwise related to",
}

// RelationWords says how a relation type reads in a sentence.
func (entityPage) RelationWords(t entities.RelationType) string {
	if w, ok := relationWords[t]; ok {
		return w
	}
	return strings.ReplaceAll(string(t), "_", " ")
}

// LinkPageSize is how many submission links a page shows.
func (entityPage) LinkPageSize() int { return entities.LinkPageSize }

// RoleWords says how a role reads in a sentence.
func (entityPage) RoleWords(r entities.Role) string {
	return strings.ReplaceAll(string(r), "_", " ")
}

// entityPage answers GET /entities/:id. The entities service audits the
// view, and an explicit search for entities to relate or merge with.
func (s *Server) entityPage(c *gin.Context) {
	page := linkPage(c)
	d, err := s.deps.Entities.View(c.Request.Context(), s.staff(c), c.Param("id"), page)
	if err != nil {
		s.respond(c, err)
		return
	}
	s.renderEntity(c, http.StatusOK, d, formOf(d.Entity), c.Query("find"), "", page != entities.LinkPage{})
}

// linkPage reads which page of an entity's submission links a request
// asks for: ?after=CURSOR or ?before=CURSOR, the first page without.
func linkPage(c *gin.Context) entities.LinkPage {
	return entities.LinkPage{After: c.Query("after"), Before: c.Query("before")}
}

// maxCasesThrough bounds the cases an entity's page lists as holding a
// submission that names it: a most named entity reaches thousands.
const maxCasesThrough = 50

// renderEntity shows an entity's page; form holds what the change form
// shows, problem why a form was refused, laterLinks whether d holds a
// page of submission links after the first.
func (s *Server) renderEntity(c *gin.Context, status int, d entities.Detail, form entityForm, find, problem string, laterLinks bool) {
	p := s.staff(c)
	page := entityPage{Detail: d, Form: form, Kinds: entities.Kinds, RelationTypes: entities.RelationTypes, Find: find, Error: problem,
		Investigator: p.Role == casework.RoleInvestigator && slices.Contains(p.Desks, d.Desk), LaterLinks: laterLinks}
	page.Edit = page.Investigator && d.MergedInto == ""
	ctx := c.Request.Context()
	for _, id := range d.Corroboration.Cases {
		if slices.ContainsFunc(d.Cases, func(l entities.CaseLink) bool { return l.Case == id }) {
			continue
		}
		if len(page.CasesThrough) == maxCasesThrough {
			page.MoreCasesThrough++
			continue
		}
		k, err := s.deps.Cases.Get(ctx, p, id)
		if err != nil {
			s.respond(c, err)
			return
		}
		page.CasesThrough = append(page.CasesThrough, k.CaseSummary)
	}
	graph, err := s.inlineGraph(ctx, p, d.ID)
	if err != nil {
		s.respond(c, err)
		return
	}
	page.Graph = graph
	if page.Edit {
		// Entities to relate or merge with: those the investigator looks
		// for, or else those whose names resemble this one's.
		found, err := s.deps.Entities.Candidates(ctx, p, d.Entity, find)
		if tipline.ErrorCode(err) == tipline.Invalid && status == http.StatusOK {
			status, page.Error = http.StatusUnprocessableEntity, tipline.ErrorMessage(err)
		} else if err != nil && tipline.ErrorCode(err) != tipline.Invalid {
			s.respond(c, err)
			return
		}
		page.Candidates = found
	}
	s.render(c, status, "casework_entity.html", pageData{Title: d.Name, Data: page})
}

// entityFormPost runs one form of an entity's page: change does the work,
// which the entities service audits, and returns where to go next ("" for
// the entity's page). A refused form, or one naming another entity, link,
// relation or merge that is not there, shows the page again with the
// reason, and with the posted fields when posted is set (the change form).
func (s *Server) entityFormPost(c *gin.Context, posted bool, change func(p casework.Principal, d entities.Detail) (next string, err error)) {
	p := s.staff(c)
	d, err := s.deps.Entities.Get(c.Request.Context(), p, c.Param("id"), entities.LinkPage{})
	if err != nil {
		s.respond(c, err)
		return
	}
	next, err := change(p, d)
	if code := tipline.ErrorCode(err); code == tipline.Invalid || code == tipline.Conflict || code == tipline.NotFound {
		form := formOf(d.Entity)
		if posted {
			form = postedEntityForm(c)
		}
		s.renderEntity(c, http.StatusUnprocessableEntity, d, form, "", tipline.ErrorMessage(err), false)
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	if next == "" {
		next = "/entities/" + d.ID
	}
	c.Redirect(http.StatusSeeOther, next)
}

func postedEntityForm(c *gin.Context) entityForm {
	return entityForm{Kind: c.PostForm("kind"), Name: c.PostForm("name"), Aliases: c.PostForm("aliases"),
		Identifiers: c.PostForm("identifiers"), Countries: c.PostForm("countries"), Notes: c.PostForm("notes")}
}

// updateEntityForm answers POST /entities/:id: every field of the form.
func (s *Server) updateEntityForm(c *gin.Context) {
	s.entityFormPost(c, true, func(p casework.Principal, d entities.Detail) (string, error) {
		ch, err := postedEntityForm(c).change()
		if err == nil {
			_, err = s.deps.Entities.Update(c.Request.Context(), p, d.ID, ch)
		}
		return "", err
	})
}

// relateEntityForm answers POST /entities/:id/relations: this entity
// relates to "to" as "type".
func (s *Server) relateEntityForm(c *gin.Context) {
	s.entityFormPost(c, false, func(p casework.Principal, d entities.Detail) (string, error) {
		_, err := s.deps.Entities.Relate(c.Request.Context(), p, d.ID, c.PostForm("to"), entities.RelationType(c.PostForm("type")))
		return "/entities/" + d.ID + "#relations", err
	})
}

// unrelateEntityForm answers POST /entities/:id/relations/:rel/delete.
func (s *Server) unrelateEntityForm(c *gin.Context) {
	s.entityFormPost(c, false, func(p casework.Principal, d entities.Detail) (string, error) {
		rel, err := idParam(c, "rel", "Relation")
		if err == nil {
			err = s.deps.Entities.Unrelate(c.Request.Context(), p, d.ID, rel)
		}
		return "/entities/" + d.ID + "#relations", err
	})
}

// errMergeUnconfirmed refuses a merge whose form was posted without its
// confirmation ticked.
var errMergeUnconfirmed = tipline.Errorf(tipline.Invalid, "Tick “I understand this merges …” to merge: nothing was merged.")

// mergeEntityForm answers POST /entities/:id/merge: this entity is merged
// into "into", whose page comes next, once "confirm" says the
// investigator understands which merges into which.
func (s *Server) mergeEntityForm(c *gin.Context) {
	s.entityFormPost(c, false, func(p casework.Principal, d entities.Detail) (string, error) {
		if _, err := s.deps.Entities.Writable(c.Request.Context(), p, d.ID); err != nil {
			return "", err
		}
		if c.PostForm("confirm") != "yes" {
			return "", errMergeUnconfirmed
		}
		m, err := s.deps.Entities.Merge(c.Request.Context(), p, c.PostForm("into"), d.ID)
		return "/entities/" + m.Winner, err
	})
}

// undoEntityMergeForm answers POST /entities/:id/merges/:merge/undo: a
// merge into this entity is undone.
func (s *Server) undoEntityMergeForm(c *gin.Context) {
	s.entityFormPost(c, false, func(p casework.Principal, d entities.Detail) (string, error) {
		id, err := idParam(c, "merge", "Merge")
		if err == nil {
			_, err = s.deps.Entities.UndoMerge(c.Request.Context(), p, d.ID, id)
		}
		return "/entities/" + d.ID + "#merges", err
	})
}

// unlinkEntitySubmissionForm answers POST /entities/:id/submission-links/:link/delete.
func (s *Server) unlinkEntitySubmissionForm(c *gin.Context) {
	s.entityFormPost(c, false, func(p casework.Principal, d entities.Detail) (string, error) {
		link, err := idParam(c, "link", "Link")
		if err == nil {
			err = s.deps.Entities.UnlinkSubmission(c.Request.Context(), p, d.ID, link)
		}
		return "/entities/" + d.ID + "#links", err
	})
}

// unlinkEntityCaseForm answers POST /entities/:id/case-links/:link/delete.
func (s *Server) unlinkEntityCaseForm(c *gin.Context) {
	s.entityFormPost(c, false, func(p casework.Principal, d entities.Detail) (string, error) {
		link, err := idParam(c, "link", "Link")
		if err == nil {
			err = s.deps.Entities.UnlinkCase(c.Request.Context(), p, d.ID, link)
		}
		return "/entities/" + d.ID + "#links", err
	})
}
