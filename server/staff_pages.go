package server

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// Pages every staff role reaches, on the casework listener:
//
//	POST /login  the login form without JavaScript: a session cookie, then /home
//	GET  /home   where the role starts: the queue, the claims or the audit log
//	POST /logout end the session
//	GET  /audit  the audit log for auditors, a page at a time, and its check

// homes is where each role starts.
var homes = map[casework.Role]string{
	casework.RoleAdmin:        "/admin",
	casework.RoleInvestigator: "/queue",
	casework.RoleCounsel:      "/claims",
	casework.RoleAuditor:      "/audit",
}

// homeView is the data of the start page that shows an alert.
type homeView struct {
	Budget                                             intake.Budget
	Pending, PendingBudget, Committed, CommittedBudget string
	Next                                               string
	// ExpiringKeys are the caller's desks' keys that expire within 30 days.
	ExpiringKeys []casework.DeskKey
	// DiskLow warns that the disk is nearly full ("" when it is not).
	DiskLow string
}

// home answers GET /home with a redirect to the caller's start page, or,
// while the intake's storage budget is exhausted, desk keys are about to
// expire or the disk is nearly full, with a page that says so and leads
// on to it.
func (s *Server) home(c *gin.Context) {
	next := homes[s.staff(c).Role]
	budget, err := s.deps.Intake.Budget(c.Request.Context())
	if err != nil {
		s.log.Warn("cannot read the storage budget", "err", err)
	}
	expiring, keysErr := s.deps.Admin.ExpiringKeys(c.Request.Context(), s.staff(c))
	if keysErr != nil {
		s.log.Warn("cannot read the desk keys", "err", keysErr)
	}
	var diskLow string
	if disk, _ := s.disk(c.Request.Context()); disk.Low {
		diskLow = disk.warning()
	}
	if (err != nil || !budget.Full()) && len(expiring) == 0 && diskLow == "" {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	s.render(c, http.StatusOK, "casework_home.html", pageData{Title: "Start", Data: homeView{
		Budget: budget, Next: next, ExpiringKeys: expiring, DiskLow: diskLow,
		Pending: humanBytes(budget.PendingBytes), PendingBudget: humanBytes(budget.PendingBudget),
		Committed: humanBytes(budget.CommittedBytesHour), CommittedBudget: humanBytes(budget.CommittedBytesPerHour),
	}})
}

// loginForm answers POST /login: the login page's form posted without
// JavaScript. A refused login shows the page again with the reason.
func (s *Server) loginForm(c *gin.Context) {
	token, sess, err := s.deps.Staff.Login(c.Request.Context(), c.PostForm("email"), c.PostForm("password"), c.PostForm("totp"))
	if errors.Is(err, casework.ErrLoginFailed) {
		s.render(c, http.StatusUnauthorized, "casework_login.html", pageData{Title: "Log in", Message: casework.ErrLoginFailed.Message})
		return
	}
	if tipline.ErrorCode(err) == tipline.RateLimited { // wait for the delay, or use a new code
		s.render(c, http.StatusTooManyRequests, "casework_login.html", pageData{Title: "Log in", Message: tipline.ErrorMessage(err)})
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	setSessionCookie(c, token, int(time.Until(sess.ExpiresAt).Seconds()))
	c.Redirect(http.StatusSeeOther, "/home")
}

// logoutForm answers POST /logout from the navigation of every staff page.
func (s *Server) logoutForm(c *gin.Context) {
	if err := s.deps.Staff.Logout(c.Request.Context(), s.staff(c)); err != nil {
		s.respond(c, err)
		return
	}
	setSessionCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login")
}

// auditRow is one entry of the audit page.
type auditRow struct {
	Seq            int64
	At, Actor      string
	Action, Target string
	Detail         map[string]string
	EntryHash      string
}

// auditPage is the data of the audit page.
type auditPage struct {
	Rows []auditRow
	Next string // URL of the next page, "" on the last
	// Checked is set when the auditor asked to verify the whole chain.
	Checked  bool
	Entries  int64    // entries checked
	BrokenAt int64    // the first broken entry, 0 when the chain holds
	Tail     []string // what is wrong at the log's end (truncation, rollback)
}

// auditLogPage answers GET /audit: entries after ?after=, oldest first, 100
// at a time, with the staff member behind each; ?verify=1 checks the hash
// chain from the first entry, as `tipline audit verify` does. Reading the
// log is itself audited.
func (s *Server) auditLogPage(c *gin.Context) {
	ctx := c.Request.Context()
	after, err := strconv.ParseInt(c.DefaultQuery("after", "0"), 10, 64)
	if err != nil || after < 0 {
		s.respond(c, tipline.Errorf(tipline.Invalid, "Bad after."))
		return
	}
	const perPage = 100
	users, err := s.deps.Staff.ListUsers(ctx)
	if err != nil {
		s.respond(c, err)
		return
	}
	view, err := s.deps.Staff.ViewAuditLog(ctx, s.staff(c), after, perPage, c.Query("verify") == "1")
	if err != nil {
		s.respond(c, err)
		return
	}
	entries := view.Entries
	emails := map[int64]string{0: "command line or system"}
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	d := auditPage{Checked: view.Checked, Entries: view.Count, BrokenAt: view.BrokenAt, Tail: view.Tail}
	for _, e := range entries {
		d.Rows = append(d.Rows, auditRow{Seq: e.Seq, At: e.Record.At.UTC().Format("2006-01-02 15:04:05"), Actor: emails[e.Record.Actor],
			Action: string(e.Record.Action), Target: e.Record.Target, Detail: e.Record.Detail, EntryHash: hex.EncodeToString(e.EntryHash[:8])})
	}
	if len(entries) == perPage {
		d.Next = "/audit?after=" + strconv.FormatInt(entries[len(entries)-1].Seq, 10)
	}
	s.render(c, http.StatusOK, "casework_audit.html", pageData{Title: "Audit log", Data: d})
}
