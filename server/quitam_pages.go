package server

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/quitam"
)

// Qui tam pages, on the casework listener, for counsel and admins. Plain
// HTML forms (no JavaScript): a refused form shows the matter again with
// the reason (422), a done one goes back to its section (303).
//
//	GET  /quitam                        the matters, their deadlines in words, and the form that opens one
//	POST /quitam                        open a matter on an FCA claim and a case holding its submission
//	GET  /quitam/:id                    one matter: facts, seal, election, limitations, share, ledger
//	POST /quitam/:id/facts              the filing, violation, knowledge and retaliation days, and the bars
//	POST /quitam/:id/extensions         one extension of the seal
//	POST /quitam/:id/intervention       the Government's election and its day
//	POST /quitam/:id/collections        a payment received (federal and state parts)

// quitamDeadline is one deadline of a matter, in words.
type quitamDeadline struct {
	Matter  quitam.Matter
	Name    string
	DueDay  string
	MetDay  string
	Overdue bool
}

// quitamDeadlines says a matter's deadlines in words, as the queue does.
func quitamDeadlines(m quitam.Matter, today string) []quitamDeadline {
	var out []quitamDeadline
	for _, d := range m.Deadlines() {
		out = append(out, quitamDeadline{Matter: m, Name: deadlineName(d.Kind), DueDay: d.DueDay, MetDay: d.MetDay, Overdue: d.Overdue(today)})
	}
	return out
}

type quitamListPage struct {
	Matters   []quitam.Matter
	Deadlines []quitamDeadline // the open ones of every matter, soonest first
	Openings  []quitam.Opening
	Caption   string
	Opening   string // "claim/case" chosen
	Error     string
}

// quitamPage answers GET /quitam.
func (s *Server) quitamPage(c *gin.Context) {
	s.renderQuitamList(c, http.StatusOK, quitamListPage{})
}

func (s *Server) renderQuitamList(c *gin.Context, status int, d quitamListPage) {
	ctx, p := c.Request.Context(), s.staff(c)
	list, err := s.deps.QuiTam.List(ctx, p)
	if err != nil {
		s.respond(c, err)
		return
	}
	openings, err := s.deps.QuiTam.Openings(ctx, p)
	if err != nil {
		s.respond(c, err)
		return
	}
	today := s.deps.QuiTam.Today()
	d.Matters, d.Openings = list, openings
	for _, m := range list {
		for _, dl := range quitamDeadlines(m, today) {
			if dl.MetDay == "" {
				d.Deadlines = append(d.Deadlines, dl)
			}
		}
	}
	slices.SortStableFunc(d.Deadlines, func(a, b quitamDeadline) int { return strings.Compare(a.DueDay, b.DueDay) })
	s.render(c, status, "casework_quitam.html", pageData{Title: "Qui tam matters", Data: d})
}

// createQuitamForm answers POST /quitam.
func (s *Server) createQuitamForm(c *gin.Context) {
	opening, caption := c.PostForm("opening"), c.PostForm("caption")
	claimID, caseID, _ := strings.Cut(opening, "/")
	m, err := s.deps.QuiTam.Create(c.Request.Context(), s.staff(c), quitam.NewMatter{ClaimID: claimID, CaseID: caseID, Caption: caption})
	if refused(err) {
		s.renderQuitamList(c, http.StatusUnprocessableEntity, quitamListPage{Caption: caption, Opening: opening, Error: tipline.ErrorMessage(err)})
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/quitam/"+m.ID)
}

// quitamMatterPage is the data of a matter's page.
type quitamMatterPage struct {
	Matter      quitam.Matter
	Today       string
	SealEnds    string
	Deadlines   []quitamDeadline
	Warnings    []quitam.Warning
	Limitations quitam.Limitations
	HasLimits   bool
	Shares      []quitam.Scenario
	EnvelopeMin int
	EnvelopeMax int
	Federal     string // dollars collected
	State       string // dollars states collected; "" for none
	Choices     []quitam.Intervention
	Cites       []quitam.Citation
	Error       string
	ErrorAt     string // the section of the refused form
	// Posted keeps what a refused form sent, by field name.
	Posted map[string]string
}

// allCites lists every citation the matter page relies on.
var allCites = []quitam.Citation{quitam.CiteSeal, quitam.CiteExtension, quitam.CiteFirstToFile, quitam.CiteIntervened, quitam.CiteDeclined,
	quitam.CitePlanned, quitam.CitePublicBar, quitam.CiteRetaliation, quitam.CiteLimitations, quitam.CiteCochise, quitam.CiteCountingDays}

func newQuitamMatterPage(m quitam.Matter, today string) quitamMatterPage {
	d := quitamMatterPage{Matter: m, Today: today, SealEnds: m.SealEnds(), Deadlines: quitamDeadlines(m, today), Warnings: m.Warnings(today),
		Shares: m.Shares(), Federal: m.FederalCollected().USD(), Choices: quitam.Interventions, Cites: allCites,
		Posted: map[string]string{}}
	d.Limitations, d.HasLimits = m.Limitations()
	if st := m.StateCollected(); st != 0 {
		d.State = st.USD()
	}
	d.EnvelopeMin, d.EnvelopeMax = quitam.Envelope(d.Shares)
	return d
}

// quitamMatter answers GET /quitam/:id.
func (s *Server) quitamMatter(c *gin.Context) {
	m, err := s.deps.QuiTam.Get(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_quitam_matter.html", pageData{Title: "Qui tam: " + m.Caption, Data: newQuitamMatterPage(m, s.deps.QuiTam.Today())})
}

// quitamForm runs one form of a matter's page, as claimForm does for
// claims: a refused form shows the page again (422) with the reason and
// the fields posted; a done one goes back to section.
func (s *Server) quitamForm(c *gin.Context, section string, change func(ctx context.Context, p casework.Principal, id string) error) {
	id := c.Param("id")
	err := change(c.Request.Context(), s.staff(c), id)
	if refused(err) {
		m, getErr := s.deps.QuiTam.Get(c.Request.Context(), s.staff(c), id)
		if getErr != nil {
			s.respond(c, getErr)
			return
		}
		d := newQuitamMatterPage(m, s.deps.QuiTam.Today())
		d.Error, d.ErrorAt = tipline.ErrorMessage(err), section
		if err := c.Request.ParseForm(); err == nil {
			for k := range c.Request.PostForm {
				d.Posted[k] = c.Request.PostForm.Get(k)
			}
		}
		s.render(c, http.StatusUnprocessableEntity, "casework_quitam_matter.html", pageData{Title: "Qui tam: " + m.Caption, Data: d})
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/quitam/"+id+"#"+section)
}

// quitamFactsForm answers POST /quitam/:id/facts.
func (s *Server) quitamFactsForm(c *gin.Context) {
	f := quitam.Facts{
		Caption: c.PostForm("caption"), FiledDay: strings.TrimSpace(c.PostForm("filed_day")), ServedDay: strings.TrimSpace(c.PostForm("served_day")),
		ViolationDay: strings.TrimSpace(c.PostForm("violation_day")), KnowledgeDay: strings.TrimSpace(c.PostForm("knowledge_day")),
		RetaliationDay: strings.TrimSpace(c.PostForm("retaliation_day")), RetaliationFiledDay: strings.TrimSpace(c.PostForm("retaliation_filed_day")),
		PublicDisclosure: c.PostForm("public_disclosure") != "", OriginalSource: c.PostForm("original_source") != "",
		PrimarilyPublic: c.PostForm("primarily_public") != "", FirstToFile: c.PostForm("first_to_file") != "",
		PlannedInitiated: c.PostForm("planned_initiated") != "",
	}
	s.quitamForm(c, "facts", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.QuiTam.SetFacts(ctx, p, id, f)
		return err
	})
}

// quitamExtensionForm answers POST /quitam/:id/extensions.
func (s *Server) quitamExtensionForm(c *gin.Context) {
	e := quitam.Extension{GrantedDay: strings.TrimSpace(c.PostForm("granted_day")), NewDay: strings.TrimSpace(c.PostForm("new_day"))}
	s.quitamForm(c, "seal", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.QuiTam.AddExtension(ctx, p, id, e)
		return err
	})
}

// quitamInterventionForm answers POST /quitam/:id/intervention.
func (s *Server) quitamInterventionForm(c *gin.Context) {
	i, day := quitam.Intervention(c.PostForm("intervention")), strings.TrimSpace(c.PostForm("intervention_day"))
	s.quitamForm(c, "election", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.QuiTam.Decide(ctx, p, id, i, day)
		return err
	})
}

// quitamCollectionForm answers POST /quitam/:id/collections.
func (s *Server) quitamCollectionForm(c *gin.Context) {
	n := quitam.NewCollection{ReceivedDay: strings.TrimSpace(c.PostForm("received_day")), Federal: c.PostForm("federal"),
		State: c.PostForm("state"), DocumentRef: c.PostForm("document_ref")}
	s.quitamForm(c, "collections", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.QuiTam.AddCollection(ctx, p, id, n)
		return err
	})
}

// Value is what a field of section's form shows: what was posted when
// that form was refused, what is stored otherwise.
func (d quitamMatterPage) Value(section, field, stored string) string {
	if d.ErrorAt == section {
		return d.Posted[field]
	}
	return stored
}

// Checked is Value for a checkbox.
func (d quitamMatterPage) Checked(section, field string, stored bool) bool {
	if d.ErrorAt == section {
		return d.Posted[field] != ""
	}
	return stored
}
