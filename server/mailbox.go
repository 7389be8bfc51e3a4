package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/intake"
)

// mailboxCookie names the source's mailbox session cookie. It is set only
// when a source logs in with the codename, and only for /mailbox.
const mailboxCookie = "tipline_mailbox"

// mailboxView is the data of the mailbox page.
type mailboxView struct {
	Box        *intake.Mailbox
	Status     string // in the desk's words, in the source's language
	Notice     string
	Error      string
	Draft      string // the message to send again, after a refusal
	MaxMessage int
}

// loginView is the data of the codename login page.
type loginView struct {
	Error  string
	Notice string
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

// renderLogin shows the codename form, with message (already in the
// source's language) when a login failed.
func (s *Server) renderLogin(c *gin.Context, status int, message string) {
	lang := intakeLang(c)
	allowScripts(c)
	v := loginView{Error: message}
	if c.Query("logged_out") != "" {
		v.Notice = intake.T(lang, "logged_out")
	}
	s.render(c, status, "intake_login.html", s.intakePage(c, intake.T(lang, "mailbox_title"), v))
}

// renderMailbox shows the mailbox, with the catalog message notice and an
// error message already in the source's language; draft fills the message
// field again.
func (s *Server) renderMailbox(c *gin.Context, status int, box *intake.Mailbox, notice, message, draft string) {
	lang := intakeLang(c)
	key, ok := statusWords[casework.Status(box.Status)]
	if !ok {
		key = "mailbox_status_under_review"
	}
	v := mailboxView{Box: box, Status: intake.T(lang, key), Error: message, Draft: draft, MaxMessage: intake.MaxSourceMessage}
	if notice != "" {
		v.Notice = intake.T(lang, notice)
	}
	allowScripts(c)
	s.render(c, status, "intake_mailbox.html", s.intakePage(c, intake.T(lang, "mailbox_title"), v))
}

// mailboxError answers an error of the mailbox: a login that failed or a
// session that ended shows the codename form again, with the error in the
// source's language and the status of its code; anything else goes to
// respond.
func (s *Server) mailboxError(c *gin.Context, err error) {
	switch {
	case errors.Is(err, intake.ErrNoMailboxSession):
		setMailboxCookie(c, "", -1)
	case errors.Is(err, intake.ErrWrongCodename), errors.Is(err, intake.ErrMailboxBusy):
	default:
		s.respond(c, err)
		return
	}
	code := tipline.ErrorCode(err)
	s.renderLogin(c, statusOf[code], s.errorMessage(c, code, err))
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
	s.renderMailbox(c, http.StatusOK, box, "", "", "")
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
	s.renderMailbox(c, http.StatusOK, box, "", "", "")
}

// mailboxLogout answers POST /mailbox/logout: the session ends on the
// server, the cookie goes, and the codename form says so.
func (s *Server) mailboxLogout(c *gin.Context) {
	if token, err := c.Cookie(mailboxCookie); err == nil && token != "" {
		if err := s.deps.Intake.CloseMailbox(c.Request.Context(), token); err != nil {
			s.respond(c, err)
			return
		}
	}
	setMailboxCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/mailbox?"+url.Values{"lang": {string(intakeLang(c))}, "logged_out": {"1"}}.Encode())
}

// mailboxUnlock answers POST /mailbox/unlock for static/js/mailbox.js: a
// login with the codename like POST /mailbox, answered with JSON that
// lets the browser decrypt the thread itself: the reply key still locked,
// its passphrase, and the thread's messages as stored, each with its
// author and day. The server unlocks nothing for this answer.
// Its errors are JSON too (the route is marked jsonErrors): a wrong
// codename 403, a full line for the codename check 429, in the source's
// language.
func (s *Server) mailboxUnlock(c *gin.Context) {
	box, token, m, err := s.deps.Intake.UnlockMailbox(c.Request.Context(), c.PostForm("codename"))
	c.Header("Cache-Control", "no-store")
	if err != nil {
		s.respond(c, err)
		return
	}
	setMailboxCookie(c, token, int(intake.MailboxSessionTTL.Seconds()))
	out := gin.H{"has_key": box.HasKey}
	if m != nil {
		out["key"] = string(m.LockedKey)
		out["passphrase"] = string(m.Passphrase)
		out["thread"] = m.Thread
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
	token, err := c.Cookie(mailboxCookie)
	if err != nil || token == "" {
		s.mailboxError(c, intake.ErrNoMailboxSession)
		return
	}
	s.uploadDeadlines(c)
	if c.Request.ContentLength > cfg.MaxFormUpload {
		s.respond(c, &http.MaxBytesError{Limit: cfg.MaxFormUpload})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, cfg.MaxFormUpload)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		finishRefusedBody(c, errNotMultipart)
		s.respond(c, fmt.Errorf("%w: %w", errNotMultipart, err))
		return
	}
	f, err := s.deps.Intake.BeginFollowUp(ctx, token)
	if err != nil {
		finishRefusedBody(c, err)
		s.mailboxError(c, err)
		return
	}
	text, err := readFollowUp(ctx, f, mr)
	if err == nil {
		err = f.Commit(ctx, text)
	} else {
		f.Abort(ctx)
		finishRefusedBody(c, err)
	}
	err = uploadError(c, err)
	// A follow-up to correct shows the mailbox again, with what to change.
	correct := errors.Is(err, intake.ErrCodenameInText) || errors.Is(err, intake.ErrEmptyMessage) || errors.Is(err, intake.ErrMessageTooLong)
	if err != nil && !correct {
		s.mailboxError(c, err)
		return
	}
	box, berr := s.deps.Intake.MailboxBySession(ctx, token)
	if berr != nil {
		s.mailboxError(c, berr)
		return
	}
	if err != nil {
		// The message comes back to be sent again, never with a codename.
		code := tipline.ErrorCode(err)
		notice, draft := "", text
		if errors.Is(err, intake.ErrCodenameInText) {
			notice, draft = "mailbox_draft_kept", intake.RemoveCodenames(text)
		}
		s.renderMailbox(c, statusOf[code], box, notice, s.errorMessage(c, code, err), draft)
		return
	}
	s.renderMailbox(c, http.StatusOK, box, "message_sent", "", "")
}

// readFollowUp reads the mailbox form: the "message" field, returned, and
// every file of the "files" field, handed to f as it streams; or, from
// static/js/mailbox.js, the files and their manifest encrypted in the
// browser ("encrypted_files", "encrypted_manifest"). Its read errors are
// the request's (see requestError).
func readFollowUp(ctx context.Context, f *intake.FollowUp, mr *multipart.Reader) (string, error) {
	var text string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return text, nil
		}
		if err != nil {
			return "", requestError(err)
		}
		r := requestReader{part}
		switch {
		case part.FormName() == "files" && part.FileName() != "":
			err = f.AddFile(ctx, part.FileName(), part.Header.Get("Content-Type"), r)
		case part.FormName() == "encrypted_manifest":
			err = f.SetEncryptedManifest(ctx, r)
		case part.FormName() == "encrypted_files":
			err = f.AddEncryptedFile(ctx, r)
		case part.FormName() == "message":
			var b []byte
			b, err = io.ReadAll(io.LimitReader(r, intake.MaxSourceMessage+1))
			text = string(b)
		default: // an empty file input, or a field we do not know
			_, err = io.Copy(io.Discard, r)
		}
		part.Close()
		if err != nil {
			return "", err
		}
	}
}

// sourceLanguage names a source's page language for staff, who reply in
// it ("" for submissions made before it was kept: English).
func sourceLanguage(lang string) string {
	if l, ok := intake.ParseLang(lang); ok && l == intake.ZH {
		return "Simplified Chinese (简体中文)"
	}
	return "English"
}
