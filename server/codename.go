package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/crypto"
	"github.com/tipline/tipline/intake"
)

// The page that shows a codename (templates/codename_body.html) is the
// answer to the form's POST, and the server keeps no codename to show it
// again, so nothing on it leaves it but the "I have saved it" step: the
// header has no links (pageData.Locked), the language switch moves within
// the page (both languages are on it), and the receipt is a download. The
// step asks for one numbered group back and carries the page, sealed
// (intake.SealCodenamePage), so that a wrong answer shows the codename
// again. A reload or Back sends the form again with its retry token
// (intake.BeginRetry) and shows the same codename; a GET of the submit
// address explains itself (submitGet).

// Fields of the tip form that are not answers.
const (
	// retryField holds the form's retry token; first in the form, so that
	// a form sent again is recognised before any file is read.
	retryField = "retry"
	// codenameKindField chooses the codename's form: codenameKindWords
	// (the default) or codenameKindDigits.
	codenameKindField  = "codename_kind"
	codenameKindWords  = "words"
	codenameKindDigits = "digits"
)

// codenameView is the data of templates/codename_body.html.
type codenameView struct {
	Parts       []codenamePart // the page's text in each language, its own language first
	Groups      []string       // the words or digit groups; none in the JavaScript template
	Numeric     bool
	ReceivedDay string
	Browser     bool // encrypted in the browser
	ReceiptURL  string
	Ask         int    // the group to type back, 1-based
	Page        string // the sealed page, for the saved step
	WrongAnswer bool
}

// codenamePart is the page's text in one language.
type codenamePart struct {
	Lang    intake.Lang
	Current bool // the page's own language, shown first
}

// T translates a message into the part's language.
func (p codenamePart) T(key string) string { return intake.T(p.Lang, key) }

// AskLabel is the label of the saved step's field, asking for group n.
func (p codenamePart) AskLabel(n int) string { return fmt.Sprintf(p.T("saved_ask"), n) }

// HTMLLang is the part's lang attribute.
func (p codenamePart) HTMLLang() string { return p.Lang.HTMLLang() }

// codenameParts lists every language, lang first.
func codenameParts(lang intake.Lang) []codenamePart {
	parts := []codenamePart{{Lang: lang, Current: true}}
	for _, l := range intake.Langs {
		if l != lang {
			parts = append(parts, codenamePart{Lang: l})
		}
	}
	return parts
}

// jsCodenameView is the codename page that static/js/submit.js fills in.
func jsCodenameView(lang intake.Lang) codenameView {
	return codenameView{Parts: codenameParts(lang), Browser: true}
}

// newRetryToken returns a fresh retry token for a form (see
// intake.BeginRetry). Only the page holds it; nothing keeps it.
func newRetryToken() string {
	var b [crypto.RetryTokenSize]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}

// receiptURL is where a receipt downloads, in the page's language.
func receiptURL(r *intake.Receipt, lang intake.Lang) string {
	return "/receipt/" + r.SubmissionID + "?" + url.Values{"lang": {string(lang)}}.Encode()
}

// renderReceipt shows a new receipt's codename page.
func (s *Server) renderReceipt(c *gin.Context, r *intake.Receipt) {
	s.renderCodenamePage(c, http.StatusOK, intake.NewCodenamePage(r), false)
}

// renderCodenamePage shows the codename page, with an error when the group
// typed back was not the one asked for.
func (s *Server) renderCodenamePage(c *gin.Context, status int, p intake.CodenamePage, wrong bool) {
	lang := intakeLang(c)
	sealed, err := s.deps.Intake.SealCodenamePage(p)
	if err != nil {
		s.respond(c, err)
		return
	}
	r := p.Receipt
	view := codenameView{
		Parts: codenameParts(lang), Groups: r.Codename.Groups(), Numeric: r.Codename.Numeric(),
		ReceivedDay: r.ReceivedDay, Browser: r.EncryptedBy == "browser", ReceiptURL: receiptURL(r, lang),
		Ask: p.Ask, Page: sealed, WrongAnswer: wrong,
	}
	d := s.intakePage(c, intake.T(lang, "codename_title"), view)
	d.Locked = true
	s.render(c, status, "intake_codename.html", d)
}

// savedForm answers POST /saved, the "I have saved it" step: the group
// typed back leads on to the saved page (a GET, which reloads safely); a
// wrong one shows the codename page again, saying so.
func (s *Server) savedForm(c *gin.Context) {
	p, err := s.deps.Intake.OpenCodenamePage(c.PostForm("page"))
	if err != nil {
		s.respond(c, err)
		return
	}
	if !p.Saved(c.PostForm("group")) {
		s.renderCodenamePage(c, http.StatusUnprocessableEntity, p, true)
		return
	}
	c.Redirect(http.StatusSeeOther, "/saved?"+url.Values{"lang": {string(intakeLang(c))}}.Encode())
}

// submitGet answers GET /desk/:slug/submit, where a reload or a language
// link of an old page may lead: a calm page that says what happened and
// where to go, never an error.
func (s *Server) submitGet(c *gin.Context) {
	s.renderResend(c, http.StatusOK, false)
}

// renderResend shows the page about a form that was sent already (expired:
// its retry token is spent, so its codename cannot be shown again).
func (s *Server) renderResend(c *gin.Context, status int, expired bool) {
	lang := intakeLang(c)
	view := struct {
		Expired bool
		FormURL string
	}{expired, "/desk/" + url.PathEscape(c.Param("slug")) + "?" + url.Values{"lang": {string(lang)}}.Encode()}
	s.render(c, status, "intake_resend.html", s.intakePage(c, intake.T(lang, "resend_title"), view))
}

// retried is the answer to a form sent again: the receipt of its first
// sending (see intake.BeginRetry).
type retried struct{ receipt *intake.Receipt }

func (retried) Error() string { return "server: the form was committed already" }

// claimRetry claims the form's retry token, or returns retried when the
// same form was committed already.
func claimRetry(ctx context.Context, sub *intake.ServerSubmission, token string) error {
	r, err := sub.ClaimRetry(ctx, token)
	if err == nil && r != nil {
		return retried{r}
	}
	return err
}

// answeredRetry answers a form sent again (err from reading it): the same
// codename page, or the page saying its codename cannot be shown again.
// The rest of the form is read but not used (see finishRefusedBody).
func (s *Server) answeredRetry(c *gin.Context, err error) bool {
	var again retried
	switch {
	case errors.As(err, &again):
		s.renderReceipt(c, again.receipt)
	case errors.Is(err, intake.ErrRetryExpired):
		s.renderResend(c, http.StatusConflict, true)
	default:
		return false
	}
	return true
}

// saved is the page after the "I have saved it" step.
func (s *Server) saved(c *gin.Context) {
	lang := intakeLang(c)
	s.render(c, http.StatusOK, "intake_saved.html", s.intakePage(c, intake.T(lang, "saved_title"), nil))
}
