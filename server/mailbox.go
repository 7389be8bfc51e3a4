package server

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// mailboxCookie names the source's mailbox session cookie. It is set only
// when a source logs in with the codename, and only for /mailbox.
const mailboxCookie = "tipline_mailbox"

// maxReplyRequest is the body limit of one encrypted reply.
const maxReplyRequest = 1 << 20

// mailboxView is the data of the mailbox page.
type mailboxView struct {
	Box        *intake.Mailbox
	Status     string // in the desk's words, in the source's language
	Notice     string
	Error      string
	MaxMessage int
}

// loginView is the data of the codename login page.
type loginView struct {
	Error string
}

// statusWords names the catalog message of each triage status.
var statusWords = map[casework.Status]string{
	casework.New:              "mailbox_status_new",
	casework.Acknowledged:     "mailbox_status_acknowledged",
	casework.UnderReview:      "mailbox_status_under_review",
	casework.NeedsInformation: "mailbox_status_needs_information",
	casework.CaseOpened:       "mailbox_status_case_opened",
	casework.Referred:         "mailbox_status_referred",
	casework.Closed:           "mailbox_status_closed",
}

func setMailboxCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: mailboxCookie, Value: token, Path: "/mailbox", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil,
	})
}

func (s *Server) renderLogin(c *gin.Context, status int, errKey string) {
	lang := intakeLang(c)
	v := loginView{}
	if errKey != "" {
		v.Error = intake.T(lang, errKey)
	}
	allowScripts(c)
	s.render(c, status, "intake_login.html", s.intakePage(c, intake.T(lang, "mailbox_title"), v))
}

func (s *Server) renderMailbox(c *gin.Context, status int, box *intake.Mailbox, notice, errKey string) {
	lang := intakeLang(c)
	key, ok := statusWords[casework.Status(box.Status)]
	if !ok {
		key = "mailbox_status_under_review"
	}
	v := mailboxView{Box: box, Status: intake.T(lang, key), MaxMessage: intake.MaxSourceMessage}
	if notice != "" {
		v.Notice = intake.T(lang, notice)
	}
	if errKey != "" {
		v.Error = intake.T(lang, errKey)
	}
	allowScripts(c)
	s.render(c, status, "intake_mailbox.html", s.intakePage(c, intake.T(lang, "mailbox_title"), v))
}

// mailboxError renders a mailbox error of the service in the source's
// language; other errors go to fail.
func (s *Server) mailboxError(c *gin.Context, err error) {
	switch {
	case errors.Is(err, intake.ErrWrongCodename):
		s.renderLogin(c, http.StatusForbidden, "mailbox_wrong_codename")
	case errors.Is(err, intake.ErrTooManyFailures):
		s.renderLogin(c, http.StatusTooManyRequests, "mailbox_too_many")
	case errors.Is(err, intake.ErrNoMailboxSession):
		setMailboxCookie(c, "", -1)
		s.renderLogin(c, http.StatusForbidden, "mailbox_session_expired")
	default:
		s.respond(c, err)
	}
}

// mailboxPage answers GET /mailbox: the codename form, or with a session
// cookie the status of the tip (replies need the codename again).
func (s *Server) mailboxPage(c *gin.Context) {
	token, err := c.Cookie(mailboxCookie)
	if err != nil || token == "" {
		s.renderLogin(c, http.StatusOK, "")
		return
	}
	box, err := s.deps.Intake.MailboxBySession(c.Request.Context(), token)
	if errors.Is(err, intake.ErrNoMailboxSession) {
		setMailboxCookie(c, "", -1)
		s.renderLogin(c, http.StatusOK, "")
		return
	}
	if err != nil {
		s.mailboxError(c, err)
		return
	}
	s.renderMailbox(c, http.StatusOK, box, "", "")
}

// mailboxLogin answers POST /mailbox with the codename: the mailbox, with
// the replies decrypted in memory for this one response, and only now a
// session cookie.
func (s *Server) mailboxLogin(c *gin.Context) {
	box, token, err := s.deps.Intake.OpenMailbox(c.Request.Context(), c.PostForm("codename"))
	if err != nil {
		s.mailboxError(c, err)
		return
	}
	setMailboxCookie(c, token, int(intake.MailboxSessionTTL.Seconds()))
	s.renderMailbox(c, http.StatusOK, box, "", "")
}

// mailboxUnlock answers POST /mailbox/unlock for static/js/mailbox.js: a
// login with the codename like POST /mailbox, answered with JSON that
// lets the browser decrypt the replies itself: the reply key still locked,
// its passphrase, and the replies as stored. The server unlocks nothing.
func (s *Server) mailboxUnlock(c *gin.Context) {
	lang := intakeLang(c)
	box, token, m, err := s.deps.Intake.UnlockMailbox(c.Request.Context(), c.PostForm("codename"))
	c.Header("Cache-Control", "no-store")
	switch {
	case err == nil:
	case errors.Is(err, intake.ErrWrongCodename):
		c.JSON(http.StatusForbidden, apiError("forbidden", intake.T(lang, "mailbox_wrong_codename")))
		return
	case errors.Is(err, intake.ErrTooManyFailures):
		c.JSON(http.StatusTooManyRequests, apiError("unavailable", intake.T(lang, "mailbox_too_many")))
		return
	default:
		s.respond(c, err)
		return
	}
	setMailboxCookie(c, token, int(intake.MailboxSessionTTL.Seconds()))
	out := gin.H{"has_key": box.HasKey}
	if m != nil {
		out["key"] = string(m.LockedKey)
		out["passphrase"] = string(m.Passphrase)
		out["replies"] = m.Replies // base64 in JSON
		clear(m.Passphrase)
	}
	c.JSON(http.StatusOK, out)
}

// mailboxMessage answers POST /mailbox/messages: a follow-up of a
// logged-in source, a multipart form with a message and files, streamed as
// the tip form is: each file is encrypted to the desk's keys in memory
// before the next is read.
func (s *Server) mailboxMessage(c *gin.Context) {
	ctx := c.Request.Context()
	cfg := s.deps.Config
	lang := intakeLang(c)
	token, err := c.Cookie(mailboxCookie)
	if err != nil || token == "" {
		s.renderLogin(c, http.StatusForbidden, "mailbox_session_expired")
		return
	}
	rc := http.NewResponseController(c.Writer)
	rc.SetReadDeadline(time.Now().Add(cfg.UploadTimeout))
	rc.SetWriteDeadline(time.Now().Add(cfg.UploadTimeout + time.Minute))
	if c.Request.ContentLength > cfg.MaxFormUpload {
		s.renderTooLarge(c, cfg.MaxFormUpload)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, cfg.MaxFormUpload)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		s.renderError(c, errorPage{Status: http.StatusBadRequest, Title: intake.T(lang, "error_title"), Message: intake.T(lang, "error_not_multipart")})
		return
	}
	f, err := s.deps.Intake.BeginFollowUp(ctx, token)
	if err != nil {
		s.mailboxError(c, err)
		return
	}
	text, err := readFollowUp(ctx, f, mr)
	if err == nil {
		err = f.Commit(ctx, text)
	} else {
		f.Abort(ctx)
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.renderTooLarge(c, cfg.MaxFormUpload)
		return
	}
	box, berr := s.deps.Intake.MailboxBySession(ctx, token)
	if berr != nil {
		s.mailboxError(c, berr)
		return
	}
	var te *tipline.Error
	switch {
	case err == nil:
		s.renderMailbox(c, http.StatusOK, box, "message_sent", "")
	case errors.As(err, &te) && (errors.Is(err, intake.ErrCodenameInText) || errors.Is(err, intake.ErrEmptyMessage) || errors.Is(err, intake.ErrMessageTooLong)):
		s.renderMailbox(c, statusOf[te.Code], box, "", tipline.ErrorMessage(err))
	case tipline.ErrorCode(err) == tipline.Internal:
		s.respond(c, tipline.Wrap(tipline.Invalid, err, intake.T(lang, "error_upload_broken")))
	default:
		s.mailboxError(c, err)
	}
}

// readFollowUp reads the mailbox form: the "message" field, returned, and
// every file of the "files" field, handed to f as it streams; or, from
// static/js/mailbox.js, the files and their manifest encrypted in the
// browser ("encrypted_files", "encrypted_manifest").
func readFollowUp(ctx context.Context, f *intake.FollowUp, mr *multipart.Reader) (string, error) {
	var text string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return text, nil
		}
		if err != nil {
			return "", err
		}
		switch {
		case part.FormName() == "files" && part.FileName() != "":
			err = f.AddFile(ctx, part.FileName(), part.Header.Get("Content-Type"), part)
		case part.FormName() == "encrypted_manifest":
			err = f.SetEncryptedManifest(ctx, part)
		case part.FormName() == "encrypted_files":
			err = f.AddEncryptedFile(ctx, part)
		case part.FormName() == "message":
			var b []byte
			b, err = io.ReadAll(io.LimitReader(part, intake.MaxSourceMessage+1))
			text = string(b)
		default: // an empty file input, or a field we do not know
			_, err = io.Copy(io.Discard, part)
		}
		part.Close()
		if err != nil {
			return "", err
		}
	}
}

// apiReplyKey answers GET /api/v1/submissions/:id/reply-key: the source's
// public reply key, which the investigator's browser encrypts replies to.
func (s *Server) apiReplyKey(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := s.deps.Triage.Get(ctx, s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	key, err := s.deps.Intake.ReplyKey(ctx, d.ID)
	if err != nil {
		s.respond(c, err)
		return
	}
	if err := s.audit(c, "reply_key.view", "submission:"+d.ID); err != nil {
		s.respond(c, err)
		return
	}
	c.Data(http.StatusOK, "application/pgp-keys", key)
}

// apiDeskKeys answers GET /api/v1/desks/:slug/keys for investigators of
// the desk: {"keys": [armored public keys]}, the keys the browser encrypts
// replies (with the source's reply key) and case documents to. The server
// refuses anything encrypted to another set.
func (s *Server) apiDeskKeys(c *gin.Context) {
	slug := c.Param("slug")
	if !slices.Contains(s.staff(c).Desks, slug) {
		s.respond(c, tipline.Errorf(tipline.NotFound, "Desk not found."))
		return
	}
	keys, err := s.deps.Intake.Desks.Recipients(c.Request.Context(), slug)
	if err != nil {
		s.respond(c, err)
		return
	}
	armored := make([]string, len(keys))
	for i, k := range keys {
		armored[i] = k.Armored
	}
	c.JSON(http.StatusOK, gin.H{"desk": slug, "keys": armored})
}

// apiPostReply answers POST /api/v1/submissions/:id/replies with an
// OpenPGP message (application/octet-stream) encrypted to exactly the
// desk's keys and the source's reply key.
func (s *Server) apiPostReply(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := s.deps.Triage.Get(ctx, s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/octet-stream" {
		c.AbortWithStatusJSON(http.StatusUnsupportedMediaType, apiError(string(tipline.Invalid), "Send the encrypted reply as application/octet-stream."))
		return
	}
	obj, err := s.deps.Intake.AddReply(ctx, d.ID, c.Request.Body)
	if err != nil {
		s.respond(c, err)
		return
	}
	if err := s.deps.Staff.Store.AppendAudit(ctx, casework.AuditRecord{
		At: time.Now(), Actor: s.staff(c).UserID, Action: "reply.create", Target: "submission:" + d.ID,
		Detail: map[string]string{"object": obj.ID},
	}); err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": obj.ID})
}
