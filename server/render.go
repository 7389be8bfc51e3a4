package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/claims"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/templates"
)

// pagePartials maps each page to the templates it is parsed with. Every page
// is parsed once, at start-up.
var pagePartials = map[string][]string{
	"intake_index.html":               {"layout.html"},
	"intake_safety.html":              {"layout.html"},
	"intake_desk.html":                {"layout.html", "questionnaire.html", "codename_body.html"},
	"intake_codename.html":            {"layout.html", "codename_body.html"},
	"intake_resend.html":              {"layout.html"},
	"intake_saved.html":               {"layout.html"},
	"intake_login.html":               {"layout.html"},
	"intake_mailbox.html":             {"layout.html"},
	"casework_index.html":             {"layout.html"},
	"casework_home.html":              {"layout.html"},
	"casework_login.html":             {"layout.html"},
	"casework_queue.html":             {"layout.html"},
	"casework_submission.html":        {"layout.html", "keypanel.html"},
	"casework_claims.html":            {"layout.html", "casework_claim_fields.html"},
	"casework_claim.html":             {"layout.html", "casework_claim_fields.html", "casework_action_fields.html"},
	"casework_actions.html":           {"layout.html", "casework_action_fields.html"},
	"casework_action.html":            {"layout.html", "casework_action_fields.html"},
	"casework_claim_report_page.html": {"layout.html", "casework_claim_report.html"},
	"casework_awards.html":            {"layout.html"},
	"casework_quitam.html":            {"layout.html"},
	"casework_quitam_matter.html":     {"layout.html"},
	"casework_estimate.html":          {"layout.html"},
	"casework_entities.html":          {"layout.html"},
	"casework_entity.html":            {"layout.html"},
	"casework_cases.html":             {"layout.html"},
	"casework_case.html":              {"layout.html", "keypanel.html"},
	"casework_audit.html":             {"layout.html"},
	"casework_settings.html":          {"layout.html"},
	"casework_setup.html":             {"layout.html"},
	"casework_setup_totp.html":        {"layout.html", "casework_setup_qr.html"},
	"casework_admin.html":             {"layout.html", "casework_admin_nav.html"},
	"casework_admin_desk.html":        {"layout.html", "casework_admin_nav.html", "questionnaire.html"},
	"casework_admin_keys.html":        {"layout.html", "casework_admin_nav.html"},
	"casework_admin_staff.html":       {"layout.html", "casework_admin_nav.html"},
	"error.html":                      {"layout.html"},
}

// programName names an award program by its id ("sec"), or gives the id
// of a program no longer known.
func programName(id string) string {
	if p, err := awards.ProgramByID(id); err == nil {
		return p.Name
	}
	return id
}

// renderer holds the parsed pages.
type renderer struct {
	pages   map[string]*template.Template
	version string
}

func newRenderer(a *assets, version string) (*renderer, error) {
	funcs := template.FuncMap{
		"asset": a.url, "integrity": a.integrity,
		"join":          strings.Join,
		"statusLabel":   statusLabel,
		"closingLabel":  func(c casework.ClosingCode) string { return codeLabel(c) },
		"codeLabel":     codeLabel,
		"priorityNames": func() []string { return priorityNames },
		"jsCodename":    jsCodenameView,
		"retryToken":    newRetryToken,
		"sourceLang":    sourceLanguage,
		"kindLabel":     claims.KindLabel,
		"programName":   programName,
	}
	r := &renderer{pages: map[string]*template.Template{}, version: version}
	for page, partials := range pagePartials {
		files := append([]string{page}, partials...)
		t, err := template.New(page).Funcs(funcs).ParseFS(templates.FS, files...)
		if err != nil {
			return nil, fmt.Errorf("server: parse template %s: %w", page, err)
		}
		r.pages[page] = t
	}
	return r, nil
}

// pageData is what every page template sees; Data holds the page's own.
type pageData struct {
	Lang      string      // HTML lang attribute
	L         intake.Lang // language of source-facing pages
	Path      string      // path of the page, for the language switch
	Locked    bool        // a page nothing may leave by accident (a codename's): no header links
	NotOnion  bool        // an intake page reached by a host that is not .onion
	Onion     string      // the onion address of intake pages, shown as text when set
	Title     string
	Listener  string
	Version   string
	Message   string
	RequestID string
	// Role is the signed-in staff member's role on casework pages ("" when
	// nobody is signed in); the navigation shows what the role may open.
	Role casework.Role
	// CSRF is the session's anti-CSRF token for the "csrf" field of every
	// form a staff page posts.
	CSRF string
	Data any
}

// T translates a message of the source-facing catalog into the page's
// language.
func (d pageData) T(key string) string {
	return intake.T(d.L, key)
}

// render executes a page into a buffer first, so that a template error becomes
// a clean error page rather than half a page.
func (s *Server) render(c *gin.Context, status int, page string, d pageData) {
	t, ok := s.pages.pages[page]
	if !ok {
		panic(fmt.Sprintf("server: no page %q", page))
	}
	d.Version = s.pages.version
	d.Listener = listenerName(c)
	if p, ok := c.Get(staffKey); ok {
		d.Role = p.(casework.Principal).Role
	}
	d.CSRF = c.GetString(csrfKey) // the session's, or a form token (formSameOrigin)
	if d.Listener == "intake" && d.L == "" {
		// Error pages and the like: still in the source's language, with
		// the language switch and the onion notice.
		lang := intakeLang(c)
		d.L, d.Lang, d.Path, d.NotOnion = lang, lang.HTMLLang(), c.Request.URL.Path, s.notOnion(c)
	}
	if d.Listener == "intake" {
		d.Onion = s.deps.Config.OnionAddress
	}
	if d.Lang == "" {
		d.Lang = "en"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		panic(fmt.Errorf("server: render %s: %w", page, err))
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage is the content of an error page: a status and client-safe text.
type errorPage struct {
	Status  int
	Title   string
	Message string
}

// renderError renders the error page. Its text never holds internal detail;
// the request id links it to the log.
func (s *Server) renderError(c *gin.Context, e errorPage) {
	s.render(c, e.Status, "error.html", pageData{Title: e.Title, Message: e.Message, RequestID: c.GetString(requestIDKey)})
}

func (s *Server) notFound(c *gin.Context) {
	s.renderError(c, errorPage{Status: http.StatusNotFound, Title: s.text(c, "error_not_found_title", "Not found"),
		Message: s.text(c, "error_not_found", "There is no page at this address.")})
}

// text is a message in the source's language on the intake listener, and
// the English staff text on the casework listener.
func (s *Server) text(c *gin.Context, key, staff string) string {
	if listenerName(c) == "intake" {
		return intake.T(intakeLang(c), key)
	}
	return staff
}

func (s *Server) methodNotAllowed(c *gin.Context) {
	s.renderError(c, errorPage{Status: http.StatusMethodNotAllowed, Title: s.text(c, "error_method_title", "Method not allowed"),
		Message: s.text(c, "error_method", "This page does not accept that kind of request.")})
}

// listenerKey is the gin context key naming the listener a request came in on.
const listenerKey = "listener"

func listenerName(c *gin.Context) string {
	return c.GetString(listenerKey)
}
