package server

import (
	"html/template"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// Pages of single-use links, on the casework listener, without a session
// (the link's token is the authority; it is never stored, only its hash):
//
//	GET  /             the landing page: log in, or find the setup link
//	GET  /setup/TOKEN  the first admin's form: email and password
//	GET  /invite/TOKEN an invited staff member's form: password and public key
//	POST …/TOKEN       checks that form and shows the TOTP enrolment (QR code)
//	POST …/TOKEN/confirm  checks a code from the app and makes the account

// maxKeyUpload bounds an uploaded public key file.
const maxKeyUpload = 256 << 10

// formRoom is what a form with a file may carry besides the file: the
// other fields and the multipart framing.
const formRoom = 64 << 10

// The body limits of the forms read with uploadedText. A link's
// confirmation carries the key twice (the second sealed in base64).
const (
	keyFormLimit           = 2*maxKeyUpload + formRoom
	questionnaireFormLimit = maxQuestionnaireUpload + formRoom
)

// linkPath is where each kind of link opens.
var linkPath = map[casework.InviteKind]string{
	casework.InviteSetup: "/setup/",
	casework.InviteStaff: "/invite/",
}

// setupView is the data of the link's first form.
type setupView struct {
	Kind   casework.InviteKind
	Invite casework.Invite
	Action string
	Email  string // as typed, to fill in again
}

// enrolView is the data of the TOTP enrolment page.
type enrolView struct {
	Enrolment casework.Enrolment
	QR        template.HTML
	Action    string // where the code is posted; "" when only shown (a reset)
}

// caseworkIndex answers GET / on the casework listener: the way to log in,
// and while no admin exists, where the setup link is.
func (s *Server) caseworkIndex(c *gin.Context) {
	exists, err := s.deps.Onboarding.Store.AdminExists(c.Request.Context())
	if err != nil {
		s.respond(c, err)
		return
	}
	s.render(c, http.StatusOK, "casework_index.html", pageData{Title: "Casework", Data: struct{ NoAdmin bool }{!exists}})
}

// linkPage answers GET of a link: its first form.
func (s *Server) linkPage(kind casework.InviteKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		inv, err := s.deps.Onboarding.OpenLink(c.Request.Context(), kind, c.Param("token"))
		if err != nil {
			s.respond(c, err)
			return
		}
		s.renderLinkForm(c, http.StatusOK, kind, inv, "", "")
	}
}

func (s *Server) renderLinkForm(c *gin.Context, status int, kind casework.InviteKind, inv casework.Invite, email, message string) {
	title := "Set up Tipline"
	if kind == casework.InviteStaff {
		title = "Join Tipline"
	}
	s.render(c, status, "casework_setup.html", pageData{Title: title, Message: message,
		Data: setupView{Kind: kind, Invite: inv, Action: linkPath[kind] + c.Param("token"), Email: email}})
}

// linkForm answers POST of a link's first form with the TOTP enrolment,
// or the form again with what is wrong.
func (s *Server) linkForm(kind casework.InviteKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		token := c.Param("token")
		inv, err := s.deps.Onboarding.OpenLink(ctx, kind, token)
		if err != nil {
			s.respond(c, err)
			return
		}
		key, err := uploadedText(c, "key_file", "key", maxKeyUpload)
		if err != nil {
			s.respond(c, err)
			return
		}
		email := c.PostForm("email")
		enrolment, err := s.deps.Onboarding.Begin(ctx, kind, token, email, c.PostForm("password"), key)
		if code := tipline.ErrorCode(err); code == tipline.Invalid || code == tipline.Conflict {
			s.renderLinkForm(c, http.StatusUnprocessableEntity, kind, inv, email, tipline.ErrorMessage(err))
			return
		}
		if err != nil {
			s.respond(c, err)
			return
		}
		s.renderEnrolment(c, http.StatusOK, enrolment, linkPath[kind]+token+"/confirm", "")
	}
}

// linkConfirm answers POST of the code that confirms the enrolment: the
// account is made and the new staff member goes on to log in.
func (s *Server) linkConfirm(kind casework.InviteKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		token := c.Param("token")
		_, enrolment, err := s.deps.Onboarding.Finish(c.Request.Context(), kind, token, c.PostForm("enrolment"), c.PostForm("totp"))
		if err == casework.ErrWrongCode {
			s.renderEnrolment(c, http.StatusUnprocessableEntity, enrolment, linkPath[kind]+token+"/confirm", tipline.ErrorMessage(err))
			return
		}
		if err != nil {
			s.respond(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/login")
	}
}

// renderEnrolment shows a TOTP enrolment: the QR code and the secret as
// text, and the form for the first code when action is set.
func (s *Server) renderEnrolment(c *gin.Context, status int, e casework.Enrolment, action, message string) {
	qr, err := qrSVG(e.URI, "QR code to add the account "+e.Email+" to an authenticator app")
	if err != nil {
		s.respond(c, err)
		return
	}
	s.render(c, status, "casework_setup_totp.html", pageData{Title: "Add the account to your authenticator app", Message: message,
		Data: enrolView{Enrolment: e, QR: qr, Action: action}})
}

// uploadedText returns a form's text from an uploaded file (field file) of
// at most limit bytes, or else from a text field; empty when neither is
// given. It reads the form with gin's FormFile, which keeps a form in
// memory up to the engine's MaxMultipartMemory (32 MiB) and spools the
// rest to temporary files: the body limits of its forms (keyFormLimit,
// questionnaireFormLimit) keep every one in memory, as
// TestUploadFormsStayInMemory checks. Its forms are staff's, and hold
// public keys and questionnaires, never a source's data.
func uploadedText(c *gin.Context, file, field string, limit int64) ([]byte, error) {
	fh, err := c.FormFile(file)
	if err == http.ErrMissingFile || err == http.ErrNotMultipart || (err == nil && fh.Size == 0) {
		return []byte(c.PostForm(field)), nil
	}
	if err != nil {
		return nil, tipline.Wrap(tipline.Invalid, err, "The upload could not be read.")
	}
	if fh.Size > limit {
		return nil, tipline.Errorf(tipline.TooLarge, "The file is larger than %d KiB.", limit>>10)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, tipline.Wrap(tipline.Invalid, err, "The upload could not be read.")
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}
