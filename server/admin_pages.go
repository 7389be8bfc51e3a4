package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// Administration pages, for admins, plain HTML forms (admin_pages.go):
//
//	GET  /admin                          desks, key warnings; POST /admin/desks creates a desk
//	GET  /admin/desks/SLUG[?lang=zh]     deadlines, questionnaire upload and preview
//	POST /admin/desks/SLUG/deadlines     change the deadlines
//	POST /admin/desks/SLUG/questionnaire upload a questionnaire (file or pasted)
//	POST /admin/desks/SLUG/retention     set the retention policy (retention_pages.go)
//	GET  /admin/keys[?desk=SLUG]         every desk's keys; POST adds one
//	POST /admin/keys/remove              remove a key from a desk
//	GET  /admin/staff                    staff and invitations
//	POST /admin/staff/invite             make an invitation link, shown once
//	POST /admin/staff/access             change a staff member's role and desks
//	POST /admin/staff/disable            disable an account
//	POST /admin/staff/reset-totp         new TOTP secret, shown once to hand over

// maxQuestionnaireUpload bounds an uploaded questionnaire file.
const maxQuestionnaireUpload = 1 << 20

// adminDesk is one desk on the admin page.
type adminDesk struct {
	intake.Desk
	Keys int // usable keys; 0: not accepting tips
}

// adminView is the data of /admin.
type adminView struct {
	Desks    []adminDesk
	Expiring []casework.DeskKey
	Form     url.Values // the create-desk form as posted, to fill in again
}

// adminPage answers GET /admin.
func (s *Server) adminPage(c *gin.Context) {
	s.renderAdmin(c, http.StatusOK, nil, "")
}

func (s *Server) renderAdmin(c *gin.Context, status int, form url.Values, message string) {
	ctx := c.Request.Context()
	desks, err := s.deps.Admin.ListDesks(ctx, s.staff(c))
	if err != nil {
		s.respond(c, err)
		return
	}
	keys, err := s.deps.Admin.Keys(ctx, s.staff(c))
	if err != nil {
		s.respond(c, err)
		return
	}
	v := adminView{Form: form}
	for _, d := range desks {
		ad := adminDesk{Desk: d}
		for _, k := range keys {
			if k.Desk == d.Slug && k.Problem == "" {
				ad.Keys++
			}
		}
		v.Desks = append(v.Desks, ad)
	}
	for _, k := range keys {
		if k.ExpiresSoon {
			v.Expiring = append(v.Expiring, k)
		}
	}
	s.render(c, status, "casework_admin.html", pageData{Title: "Administration", Message: message, Data: v})
}

// createDeskForm answers POST /admin/desks.
func (s *Server) createDeskForm(c *gin.Context) {
	d, err := s.deps.Admin.AddDesk(c.Request.Context(), s.staff(c), c.PostForm("slug"), c.PostForm("title_en"), c.PostForm("title_zh"))
	if isFormError(err) {
		s.renderAdmin(c, http.StatusUnprocessableEntity, c.Request.PostForm, tipline.ErrorMessage(err))
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/desks/"+d.Slug)
}

// isFormError reports whether err is the user's to correct on the form.
func isFormError(err error) bool {
	code := tipline.ErrorCode(err)
	return err != nil && (code == tipline.Invalid || code == tipline.Conflict)
}

// adminDeskView is the data of a desk's admin page.
type adminDeskView struct {
	Desk     intake.Desk
	Uploaded bool // the questionnaire was uploaded, not the built-in one
	Saved    bool // just uploaded
	Version  int
	Preview  intake.FormView
	Lang     intake.Lang
	Problems intake.QuestionnaireErrors
	Pasted   string // the definition pasted, to correct
	// RetentionDays is the desk's retention policy (0: keeps tips forever).
	RetentionDays int
}

// adminDeskPage answers GET /admin/desks/SLUG.
func (s *Server) adminDeskPage(c *gin.Context) {
	s.renderAdminDesk(c, http.StatusOK, "", nil, "")
}

func (s *Server) renderAdminDesk(c *gin.Context, status int, message string, problems intake.QuestionnaireErrors, pasted string) {
	ctx := c.Request.Context()
	desk, err := s.deps.Admin.Desk(ctx, s.staff(c), c.Param("slug"))
	if err != nil {
		s.respond(c, err)
		return
	}
	q, uploaded, err := s.deps.Admin.Questionnaire(ctx, s.staff(c), desk.Slug)
	if err != nil {
		s.respond(c, err)
		return
	}
	retentionDays, err := s.deps.Retention.Policy(ctx, s.staff(c), desk.Slug)
	if err != nil {
		s.respond(c, err)
		return
	}
	lang := intake.EN
	if c.Query("lang") == string(intake.ZH) {
		lang = intake.ZH
	}
	v := adminDeskView{Desk: desk, Uploaded: uploaded, Saved: c.Query("saved") == "1", Version: q.Version, Lang: lang,
		Preview:  intake.FormView{Lang: lang, Q: q, Answers: intake.Answers{}, Errors: map[string]intake.Text{}},
		Problems: problems, Pasted: pasted, RetentionDays: retentionDays}
	s.render(c, status, "casework_admin_desk.html", pageData{Title: "Desk " + desk.Slug, Message: message, Data: v})
}

// deskDeadlinesForm answers POST /admin/desks/SLUG/deadlines.
func (s *Server) deskDeadlinesForm(c *gin.Context) {
	ack, err1 := strconv.Atoi(strings.TrimSpace(c.PostForm("ack_days")))
	feedback, err2 := strconv.Atoi(strings.TrimSpace(c.PostForm("feedback_months")))
	err := errors.Join(err1, err2)
	if err != nil {
		err = tipline.Wrap(tipline.Invalid, err, "Give the deadlines as whole numbers of days and months.")
	} else {
		err = s.deps.Admin.SetDeadlines(c.Request.Context(), s.staff(c), c.Param("slug"), ack, feedback)
	}
	if isFormError(err) {
		s.renderAdminDesk(c, http.StatusUnprocessableEntity, tipline.ErrorMessage(err), nil, "")
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/desks/"+c.Param("slug"))
}

// deskQuestionnaireForm answers POST /admin/desks/SLUG/questionnaire.
func (s *Server) deskQuestionnaireForm(c *gin.Context) {
	def, err := uploadedText(c, "file", "definition", maxQuestionnaireUpload)
	if err == nil {
		_, err = s.deps.Admin.SetQuestionnaire(c.Request.Context(), s.staff(c), c.Param("slug"), def)
	}
	var problems intake.QuestionnaireErrors
	if errors.As(err, &problems) {
		s.renderAdminDesk(c, http.StatusUnprocessableEntity, "The questionnaire was not saved: fix the problems below and upload it again.", problems, string(def))
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/desks/"+c.Param("slug")+"?saved=1")
}

// adminKeysView is the data of /admin/keys.
type adminKeysView struct {
	Keys  []casework.DeskKey
	Desks []intake.Desk
	Desk  string // the desk chosen on the add form, or named by ?desk=
}

// adminKeysPage answers GET /admin/keys.
func (s *Server) adminKeysPage(c *gin.Context) {
	s.renderAdminKeys(c, http.StatusOK, "")
}

func (s *Server) renderAdminKeys(c *gin.Context, status int, message string) {
	ctx := c.Request.Context()
	keys, err := s.deps.Admin.Keys(ctx, s.staff(c))
	if err != nil {
		s.respond(c, err)
		return
	}
	desks, err := s.deps.Admin.ListDesks(ctx, s.staff(c))
	if err != nil {
		s.respond(c, err)
		return
	}
	s.render(c, status, "casework_admin_keys.html", pageData{Title: "Desk keys", Message: message,
		Data: adminKeysView{Keys: keys, Desks: desks, Desk: c.DefaultPostForm("desk", c.Query("desk"))}})
}

// addKeyForm answers POST /admin/keys.
func (s *Server) addKeyForm(c *gin.Context) {
	armored, err := uploadedText(c, "key_file", "key", maxKeyUpload)
	if err == nil {
		_, err = s.deps.Admin.AddKey(c.Request.Context(), s.staff(c), c.PostForm("desk"), armored)
	}
	if isFormError(err) {
		s.renderAdminKeys(c, http.StatusUnprocessableEntity, tipline.ErrorMessage(err))
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/keys")
}

// removeKeyForm answers POST /admin/keys/remove.
func (s *Server) removeKeyForm(c *gin.Context) {
	if err := s.deps.Admin.RemoveKey(c.Request.Context(), s.staff(c), c.PostForm("desk"), c.PostForm("fingerprint")); err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/keys")
}

// adminStaffView is the data of /admin/staff.
type adminStaffView struct {
	Users   []casework.User
	Invites []casework.Invite
	Desks   []intake.Desk
	Roles   []casework.Role
	Self    int64
	// Link is the invitation link just made, shown once.
	Link   string
	Invite casework.Invite
}

// adminStaffPage answers GET /admin/staff.
func (s *Server) adminStaffPage(c *gin.Context) {
	s.renderAdminStaff(c, http.StatusOK, adminStaffView{}, "")
}

func (s *Server) renderAdminStaff(c *gin.Context, status int, v adminStaffView, message string) {
	ctx := c.Request.Context()
	p := s.staff(c)
	var err error
	if v.Users, err = s.deps.Admin.Users(ctx, p); err != nil {
		s.respond(c, err)
		return
	}
	if v.Invites, err = s.deps.Onboarding.Invites(ctx, p); err != nil {
		s.respond(c, err)
		return
	}
	if v.Desks, err = s.deps.Admin.ListDesks(ctx, p); err != nil {
		s.respond(c, err)
		return
	}
	v.Roles, v.Self = casework.Roles, p.UserID
	s.render(c, status, "casework_admin_staff.html", pageData{Title: "Staff", Message: message, Data: v})
}

// inviteForm answers POST /admin/staff/invite with the staff page showing
// the new link, once.
func (s *Server) inviteForm(c *gin.Context) {
	token, inv, err := s.deps.Onboarding.InviteStaff(c.Request.Context(), s.staff(c), c.PostForm("email"),
		casework.Role(c.PostForm("role")), c.PostFormArray("desk"))
	if isFormError(err) || tipline.ErrorCode(err) == tipline.NotFound {
		s.renderAdminStaff(c, http.StatusUnprocessableEntity, adminStaffView{}, tipline.ErrorMessage(err))
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	link := s.caseworkBase(c) + linkPath[casework.InviteStaff] + token
	s.renderAdminStaff(c, http.StatusOK, adminStaffView{Link: link, Invite: inv}, "")
}

// caseworkBase is where staff open the casework listener, for links they
// are handed: TIPLINE_CASEWORK_URL when the operator set it (the admin may
// have come by another address, a tunnel or a LAN name), else the address
// and scheme of the admin's own request.
func (s *Server) caseworkBase(c *gin.Context) string {
	if n := s.deps.Config.Notify; n.CaseworkURLSet {
		return n.CaseworkURL
	}
	if c.Request.TLS != nil {
		return "https://" + c.Request.Host
	}
	return "http://" + c.Request.Host
}

// accessForm answers POST /admin/staff/access.
func (s *Server) accessForm(c *gin.Context) {
	err := s.deps.Admin.SetAccess(c.Request.Context(), s.staff(c), c.PostForm("email"), casework.Role(c.PostForm("role")), c.PostFormArray("desk"))
	s.staffChanged(c, err)
}

// disableForm answers POST /admin/staff/disable.
func (s *Server) disableForm(c *gin.Context) {
	s.staffChanged(c, s.deps.Admin.Disable(c.Request.Context(), s.staff(c), c.PostForm("email")))
}

// staffChanged answers a staff change: back to the staff page, or the page
// again with what is wrong.
func (s *Server) staffChanged(c *gin.Context, err error) {
	if isFormError(err) || tipline.ErrorCode(err) == tipline.NotFound {
		s.renderAdminStaff(c, http.StatusUnprocessableEntity, adminStaffView{}, tipline.ErrorMessage(err))
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/staff")
}

// resetTOTPForm answers POST /admin/staff/reset-totp with the new secret's
// QR code, for the admin to hand over.
func (s *Server) resetTOTPForm(c *gin.Context) {
	e, err := s.deps.Admin.ResetTOTP(c.Request.Context(), s.staff(c), c.PostForm("email"))
	if err != nil {
		s.staffChanged(c, err)
		return
	}
	s.renderEnrolment(c, http.StatusOK, e, "", "")
}
