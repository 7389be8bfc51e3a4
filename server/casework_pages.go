package server

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/awards"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/entities"
	"github.com/tipline/tipline/intake"
	"github.com/tipline/tipline/quitam"
)

// Staff pages, on the casework listener:
//
//	GET /login            the login form; static/js/casework.js posts it to POST /api/v1/session
//	GET /queue            the triage queue, rendered by the server
//	GET /submissions/:id  metadata, and a panel where the investigator's browser decrypts
//
// The pages show metadata only. Decryption happens in static/js/casework.js
// with the investigator's passphrase-protected key, which never leaves the
// browser; nothing decrypted is sent back.

// loginPage answers GET /login.
func (s *Server) loginPage(c *gin.Context) {
	allowScripts(c)
	s.render(c, http.StatusOK, "casework_login.html", pageData{Title: "Log in"})
}

// queueFilter is one filter link of the queue page.
type queueFilter struct {
	Label, URL string
	Current    bool
}

// deadlineView is a deadline as the pages show it.
type deadlineView struct {
	Kind, DueDay, MetDay string
	Overdue              bool
}

// queueRow is one submission of the queue page.
type queueRow struct {
	casework.SubmissionSummary
	Due     []deadlineView
	Overdue bool            // a deadline is unmet after its day
	Flags   []entities.Flag // linked entities on a screening list or in an open case
}

type queuePage struct {
	Email   string
	Role    casework.Role
	Filters []queueFilter
	Sorts   []queueFilter // newest or oldest first, keeping the filters
	Rows    []queueRow
	Next    string // URL of the next page, "" on the last
}

// queuePage answers GET /queue: the triage queue for the session's staff
// member, with the filters of the API (status, overdue, due_within, desk,
// assignee, label, priority) and keyset pagination (?after=).
func (s *Server) queuePage(c *gin.Context) {
	p := s.staff(c)
	q, err := pageQuery(c.Request.URL.Query())
	if err != nil {
		s.respond(c, err)
		return
	}
	items, day, id, err := s.deps.Triage.List(c.Request.Context(), p, q)
	if err != nil {
		s.respond(c, err)
		return
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	flags, err := s.deps.Entities.Flags(c.Request.Context(), p, ids)
	if err != nil {
		s.respond(c, err)
		return
	}
	today := time.Now().UTC().Format(time.DateOnly)
	d := queuePage{Email: p.Email, Role: p.Role, Filters: queueFilters(c.Request.URL.Query())}
	for _, sort := range []string{"newest", "oldest"} {
		v := c.Request.URL.Query()
		v.Del("after")
		v.Set("sort", sort)
		d.Sorts = append(d.Sorts, queueFilter{Label: sort + " first", URL: "/queue?" + v.Encode(), Current: q.Oldest == (sort == "oldest")})
	}
	for _, it := range items {
		due := deadlineViews(it.Deadlines, today)
		overdue := slices.ContainsFunc(due, func(d deadlineView) bool { return d.Overdue })
		d.Rows = append(d.Rows, queueRow{SubmissionSummary: it, Due: due, Overdue: overdue, Flags: flags[it.ID]})
	}
	if id != "" {
		next := c.Request.URL.Query()
		next.Set("after", day+"."+id)
		d.Next = "/queue?" + next.Encode()
	}
	s.render(c, http.StatusOK, "casework_queue.html", pageData{Title: "Triage queue", Data: d})
}

// pageQuery reads the queue filters from a query string, as the API does.
func pageQuery(v url.Values) (casework.Query, error) {
	q := casework.Query{
		Desk: v.Get("desk"), Status: casework.Status(v.Get("status")),
		Assignee: v.Get("assignee"), Label: v.Get("label"), Overdue: v.Get("overdue") == "true",
		Oldest: v.Get("sort") == "oldest",
	}
	if s := v.Get("sort"); s != "" && s != "oldest" && s != "newest" {
		return casework.Query{}, tipline.Errorf(tipline.Invalid, "Bad sort (newest or oldest).")
	}
	bad := func(what string) (casework.Query, error) {
		return casework.Query{}, tipline.Errorf(tipline.Invalid, "Bad %s.", what)
	}
	if q.Status != "" && !slices.Contains(casework.Statuses, q.Status) {
		return bad("status")
	}
	if s := v.Get("flood"); s != "" {
		flood, err := strconv.ParseBool(s)
		if err != nil {
			return bad("flood (true or false)")
		}
		q.Flood = &flood
	}
	if s := v.Get("priority"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return bad("priority")
		}
		q.Priority = &n
	}
	if s := v.Get("due_within"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 366 {
			return bad("due_within (1 to 366 days)")
		}
		q.DueWithinDays = n
	}
	if s := v.Get("after"); s != "" {
		day, id, ok := strings.Cut(s, ".")
		if !ok || len(day) != len(time.DateOnly) || blob.ValidKey(id) != nil || strings.Contains(id, "/") {
			return bad("after")
		}
		q.AfterDay, q.AfterID = day, id
	}
	return q, nil
}

// queueFilters are the filter links of the queue page; the current one is
// marked.
func queueFilters(v url.Values) []queueFilter {
	current := url.Values{}
	for _, k := range []string{"status", "overdue", "due_within", "flood"} {
		if v.Get(k) != "" {
			current.Set(k, v.Get(k))
		}
	}
	link := func(label string, set url.Values) queueFilter {
		u := "/queue"
		if len(set) > 0 {
			u += "?" + set.Encode()
		}
		return queueFilter{Label: label, URL: u, Current: set.Encode() == current.Encode()}
	}
	fs := []queueFilter{
		link("All", url.Values{}),
		link("Overdue", url.Values{"overdue": {"true"}}),
		link("Due within 7 days", url.Values{"due_within": {"7"}}),
		link("Received during a flood", url.Values{"flood": {"true"}}),
	}
	for _, st := range casework.Statuses {
		fs = append(fs, link(statusLabel(st), url.Values{"status": {string(st)}}))
	}
	return fs
}

// priorityNames names the triage priorities 0 to 3.
var priorityNames = []string{"none", "low", "high", "urgent"}

// codeLabels are the words staff pages show for the codes of statuses,
// closing codes, deadline kinds, roles and entity kinds; codeLabel falls
// back to the code with spaces for underscores.
var codeLabels = map[string]string{
	string(casework.New):              "New",
	string(casework.Acknowledged):     "Receipt acknowledged",
	string(casework.UnderReview):      "Under review",
	string(casework.NeedsInformation): "Needs information",
	string(casework.CaseOpened):       "Case opened",
	string(casework.Referred):         "Referred",
	string(casework.Closed):           "Closed",
	"not_credible":                    "Not credible",
	"duplicate":                       "Duplicate",
	"no_jurisdiction":                 "No jurisdiction",
	"insufficient_information":        "Insufficient information",
	"resolved":                        "Resolved",
	casework.DeadlineAcknowledge:      "Acknowledge receipt",
	casework.DeadlineFeedback:         "Feedback to the source",
	string(casework.CaseOpen):         "Open",
	string(casework.CaseOnHold):       "On hold",
	string(entities.FreightForwarder): "Freight forwarder",
	string(entities.EndUser):          "End user",
}

// codeLabel says a code (a status, closing code, deadline kind, role or
// entity kind) in words.
func codeLabel(code any) string {
	s := fmt.Sprint(code)
	if l, ok := codeLabels[s]; ok {
		return l
	}
	return strings.ReplaceAll(s, "_", " ")
}

func statusLabel(st casework.Status) string { return codeLabel(st) }

func deadlineViews(ds []casework.Deadline, today string) []deadlineView {
	out := make([]deadlineView, len(ds))
	for i, d := range ds {
		out[i] = deadlineView{Kind: deadlineName(d.Kind), DueDay: d.DueDay, MetDay: d.MetDay, Overdue: d.Overdue(today)}
	}
	return out
}

// deadlineName says a deadline kind in words: an award claim's deadline
// by its program and rule name, a qui tam matter's by its rule.
func deadlineName(kind casework.DeadlineKind) string {
	if l, ok := codeLabels[string(kind)]; ok {
		return l
	}
	if _, rule, ok := kind.QuiTam(); ok {
		if name, named := quitam.RuleName(rule); named {
			return name
		}
		return string(kind)
	}
	program, rule, ok := kind.AwardClaim()
	if !ok {
		return string(kind)
	}
	p, err := awards.ProgramByID(program)
	if err != nil {
		return string(kind)
	}
	for _, d := range p.Deadlines {
		if d.ID == rule {
			return strings.ToUpper(p.ID) + " award claim: " + d.Name
		}
	}
	return string(kind)
}

type submissionPage struct {
	casework.SubmissionDetail
	Due      []deadlineView
	Edit     bool                      // the caller may change it (investigators of the desk)
	Decrypt  bool                      // the caller may download ciphertext (investigators)
	Manifest string                    // id of the manifest object
	Files    []casework.ObjectRef      // in position order, as the manifest lists them
	Messages []threadItem              // follow-ups and replies, oldest first
	InCases  []casework.CaseSummary    // the cases holding the submission
	Entities []entities.SubmissionLink // entities linked to it
	Cases    []casework.CaseSummary    // open cases of the desk it may join
	Grants   []grantee                 // who holds access grants to its objects
	Objects  []string                  // ids of all its objects, for granting access
	Error    string                    // why the last form was refused
	Notice   string                    // what the last form did
	// AssigneeCannotRead says the assignee holds no key packet for the
	// tip: neither a recipient nor granted access.
	AssigneeCannotRead bool
	// Readers says, for each investigator of the desk, whether they can
	// read the tip; a new member of the desk needs a grant for older tips.
	Readers []casework.Reader
	// Me is the signed-in investigator as Readers has them: whether their
	// key is known and reads the tip.
	Me casework.Reader
	// Granters are the desk's investigators, other than the signed-in
	// one, who read the tip and so can grant access to it.
	Granters []string

	// Retention is its deletion day or its holds (retention_pages.go).
	Retention retentionView

	Statuses     []casework.Status
	ClosingCodes []casework.ClosingCode
}

// submissionPage answers GET /submissions/:id: metadata, ciphertext links,
// the decryption panel, the message thread with the source, and the forms
// that triage the submission and open or join a case. Viewing is audited,
// as through the API.
func (s *Server) submissionPage(c *gin.Context) {
	d, err := s.deps.Triage.View(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	s.renderSubmission(c, http.StatusOK, d, "", "")
}

// threadItem is one entry of the thread with the source: a message (a
// follow-up or a reply), or a follow-up manifest with the files it lists.
type threadItem struct {
	casework.ObjectRef
	Files []casework.ObjectRef
}

// thread sorts a submission's objects, in position order, into the tip
// (its manifest and the files that follow it) and the thread after it:
// messages, and follow-up manifests each with the files that follow it.
func thread(objects []casework.ObjectRef) (manifest string, files []casework.ObjectRef, items []threadItem) {
	for _, o := range objects {
		switch {
		case o.Kind == intake.KindManifest && manifest == "":
			manifest = o.ID
		case o.Kind == intake.KindFile && len(items) == 0:
			files = append(files, o)
		case o.Kind == intake.KindFile && items[len(items)-1].Kind == intake.KindManifest:
			last := &items[len(items)-1]
			last.Files = append(last.Files, o)
		default:
			items = append(items, threadItem{ObjectRef: o})
		}
	}
	return manifest, files, items
}

// grantee is one staff member's access grants to a submission.
type grantee struct {
	Email, GrantedBy, Day string
	Objects               int
}

// renderSubmission renders the submission page, with the outcome of the
// form that led to it: problem (why it was refused) or notice.
func (s *Server) renderSubmission(c *gin.Context, status int, d casework.SubmissionDetail, problem, notice string) {
	ctx := c.Request.Context()
	p := s.staff(c)
	page := submissionPage{
		SubmissionDetail: d,
		Due:              deadlineViews(d.Deadlines, time.Now().UTC().Format(time.DateOnly)),
		Edit:             p.Role == casework.RoleInvestigator,
		Decrypt:          p.Role == casework.RoleInvestigator,
		Error:            problem,
		Notice:           notice,
		Statuses:         casework.Statuses,
		ClosingCodes:     casework.ClosingCodes,
	}
	objects := slices.Clone(d.Objects)
	slices.SortFunc(objects, func(a, b casework.ObjectRef) int { return a.Position - b.Position })
	for _, o := range objects {
		page.Objects = append(page.Objects, o.ID)
	}
	page.Manifest, page.Files, page.Messages = thread(objects)
	grants, err := s.deps.Grants.List(ctx, p, d.ID)
	if err != nil {
		s.respond(c, err)
		return
	}
	for _, g := range grants {
		if n := len(page.Grants); n > 0 && page.Grants[n-1].Email == g.Grantee {
			page.Grants[n-1].Objects++
			continue
		}
		page.Grants = append(page.Grants, grantee{Email: g.Grantee, GrantedBy: g.GrantedBy, Day: g.CreatedAt.Format(time.DateOnly), Objects: 1})
	}
	if page.Manifest != "" && page.Edit {
		if page.Readers, err = s.deps.Objects.Readers(ctx, p, page.Manifest); err != nil {
			s.respond(c, err)
			return
		}
		page.Me = casework.Reader{Email: p.Email, Known: true, Reads: true}
		for _, r := range page.Readers {
			page.AssigneeCannotRead = page.AssigneeCannotRead || (r.Email == d.Assignee && r.Known && !r.Reads && r.Email != p.Email)
			switch {
			case r.Email == p.Email:
				page.Me = r
			case r.Reads:
				page.Granters = append(page.Granters, r.Email)
			}
		}
	}
	if page.Entities, err = s.deps.Entities.SubmissionEntities(ctx, p, d.ID); err != nil {
		s.respond(c, err)
		return
	}
	in, err := s.deps.Cases.List(ctx, p, casework.CaseQuery{Submission: d.ID})
	if err != nil {
		s.respond(c, err)
		return
	}
	page.InCases = in
	if page.Retention, err = s.submissionRetention(c, d.ID); err != nil {
		s.respond(c, err)
		return
	}
	if page.Edit {
		open, err := s.deps.Cases.List(c.Request.Context(), p, casework.CaseQuery{Desk: d.Desk, Status: casework.CaseOpen})
		if err != nil {
			s.respond(c, err)
			return
		}
		for _, k := range open {
			if !slices.ContainsFunc(in, func(i casework.CaseSummary) bool { return i.ID == k.ID }) {
				page.Cases = append(page.Cases, k)
			}
		}
	}
	allowScripts(c)
	s.render(c, status, "casework_submission.html", pageData{Title: fmt.Sprintf("Tip #%d, %s", d.Number, d.Desk), Data: page})
}

// updateSubmissionForm answers POST /submissions/:id, the triage form:
// status (with a closing code to close), assignee, labels and priority.
// A refused change shows the page again with the reason; nothing changes.
func (s *Server) updateSubmissionForm(c *gin.Context) {
	ctx := c.Request.Context()
	p := s.staff(c)
	cur, err := s.deps.Triage.Get(ctx, p, c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	ch, err := triageChange(c, cur)
	if err == nil {
		_, err = s.deps.Triage.Update(ctx, p, cur.ID, ch)
	}
	if code := tipline.ErrorCode(err); code == tipline.Invalid || code == tipline.Conflict {
		s.renderSubmission(c, http.StatusUnprocessableEntity, cur, tipline.ErrorMessage(err), "")
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/submissions/"+cur.ID)
}

// triageChange reads the triage form into a change of what differs from
// the submission as it is.
func triageChange(c *gin.Context, cur casework.SubmissionDetail) (casework.Change, error) {
	var ch casework.Change
	if st := casework.Status(c.PostForm("status")); st != cur.Status {
		ch.Status = &st
	}
	if code := casework.ClosingCode(c.PostForm("closing_code")); code != "" && code != cur.ClosingCode {
		ch.ClosingCode = &code
	}
	if a := strings.TrimSpace(c.PostForm("assignee")); a != cur.Assignee {
		ch.Assignee = &a
	}
	labels := []string{}
	for l := range strings.FieldsFuncSeq(strings.ToLower(c.PostForm("labels")), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	if !slices.Equal(labels, cur.Labels) {
		ch.Labels = &labels
	}
	n, err := strconv.Atoi(c.PostForm("priority"))
	if err != nil {
		return ch, tipline.Errorf(tipline.Invalid, "Priority runs from 0 (none) to 3 (urgent).")
	}
	if n != cur.Priority {
		ch.Priority = &n
	}
	if ch == (casework.Change{}) {
		return ch, tipline.Errorf(tipline.Invalid, "Nothing to change.")
	}
	return ch, nil
}
