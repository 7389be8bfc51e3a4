package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/blob"
	"github.com/tipline/tipline/intake"
)

// maxFormValue bounds one text field of the no-JavaScript form.
const maxFormValue = 256 << 10

// formReadBuffer is how much of the no-JavaScript form's body one read
// from the connection may take: few system calls, and little read ahead of
// a part the form is refused at.
const formReadBuffer = 64 << 10

// intakeLang picks the page language: ?lang= first (no cookie is ever set
// on the intake listener), then Accept-Language.
func intakeLang(c *gin.Context) intake.Lang {
	return intake.NegotiateLang(c.Query("lang"), c.GetHeader("Accept-Language"))
}

// intakePage fills what every intake page needs.
func (s *Server) intakePage(c *gin.Context, title string, data any) pageData {
	lang := intakeLang(c)
	return pageData{Lang: lang.HTMLLang(), L: lang, Title: title, Path: c.Request.URL.Path, Data: data,
		NotOnion: s.notOnion(c)}
}

// notOnion reports whether the page was reached by a host name that is not
// an onion service, so the page can say so without JavaScript.
func (s *Server) notOnion(c *gin.Context) bool {
	host := c.Request.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return !strings.HasSuffix(strings.ToLower(host), ".onion")
}

// onionLocation advertises the onion address to Tor Browser.
func (s *Server) onionLocation() gin.HandlerFunc {
	onion := s.deps.Config.OnionAddress
	return func(c *gin.Context) {
		if onion != "" && s.notOnion(c) {
			c.Header("Onion-Location", "http://"+onion+c.Request.URL.RequestURI())
		}
		c.Next()
	}
}

type deskListItem struct {
	Desk      intake.Desk
	Accepting bool
}

// intakeIndex lists the desks a source can report to.
func (s *Server) intakeIndex(c *gin.Context) {
	ctx := c.Request.Context()
	desks, err := s.deps.Intake.Desks.List(ctx)
	if err != nil {
		s.respond(c, err)
		return
	}
	items := make([]deskListItem, 0, len(desks))
	for _, d := range desks {
		keys, err := s.deps.Intake.Desks.Recipients(ctx, d.Slug)
		if err != nil {
			s.respond(c, err)
			return
		}
		items = append(items, deskListItem{Desk: d, Accepting: len(keys) > 0})
	}
	lang := intakeLang(c)
	s.render(c, http.StatusOK, "intake_index.html", s.intakePage(c, intake.T(lang, "site_title"), items))
}

// deskForm is the data of the desk form page.
type deskForm struct {
	Desk      intake.Desk
	Title     string
	Accepting bool
	Form      intake.FormView
	Action    string
	CSS       string
}

// deskPage shows a desk's questionnaire, or says plainly that the desk does
// not accept tips yet.
func (s *Server) deskPage(c *gin.Context) {
	allowScripts(c)
	s.renderDeskForm(c, http.StatusOK, nil, nil, intake.KeptFiles{})
}

// renderDeskForm shows a desk's form, with the answers to fill in again,
// the errors to correct and the files already received (kept).
func (s *Server) renderDeskForm(c *gin.Context, status int, answers intake.Answers, errs []intake.FieldError, kept intake.KeptFiles) {
	ctx := c.Request.Context()
	lang := intakeLang(c)
	desk, err := s.deps.Intake.Desks.Desk(ctx, c.Param("slug"))
	if err != nil {
		s.respond(c, err)
		return
	}
	keys, err := s.deps.Intake.Desks.Recipients(ctx, desk.Slug)
	if err != nil {
		s.respond(c, err)
		return
	}
	fieldErrs := map[string]intake.Text{}
	for _, e := range errs {
		fieldErrs[e.Field] = e.Message
	}
	title := desk.TitleEN
	if lang == intake.ZH && desk.TitleZH != "" {
		title = desk.TitleZH
	}
	q := s.deps.Intake.Questionnaires(desk.Slug)
	data := deskForm{
		Desk: desk, Title: title, Accepting: len(keys) > 0,
		Form:   intake.FormView{Lang: lang, Q: q, Answers: answers, Errors: fieldErrs, Kept: kept},
		Action: "/desk/" + desk.Slug + "/submit?lang=" + string(lang),
		CSS:    "/desk/" + desk.Slug + "/form.css",
	}
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(c, status, "intake_desk.html", s.intakePage(c, title, data))
}

// deskCSS serves the stylesheet that shows conditional questions only when
// they apply, without JavaScript (CSS :has()). Browsers without :has() show
// every question, each conditional one with a hint saying when it applies.
func (s *Server) deskCSS(c *gin.Context) {
	if _, err := s.deps.Intake.Desks.Desk(c.Request.Context(), c.Param("slug")); err != nil {
		s.respond(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/css; charset=utf-8", []byte(s.deps.Intake.Questionnaires(c.Param("slug")).ConditionCSS()))
}

// Errors of reading a source's request. Their messages are English, for
// logs; a source reads them in their own language (see sourceErrors).
var (
	// errNotMultipart refuses a form post that is not multipart/form-data.
	errNotMultipart = tipline.Errorf(tipline.WrongMediaType, "The form did not arrive as multipart/form-data.")
	// errUploadBroken marks a request body that could not be read whole:
	// the connection dropped, the client gave up or was too slow, or the
	// multipart form ends in the middle. The client's mistake, never a
	// fault of the server.
	errUploadBroken = tipline.Errorf(tipline.Invalid, "The upload broke off before it was complete; nothing was saved.")
)

// requestReader reads from the request and classifies its read errors
// where they happen (see requestError), so that a service that fails
// while reading it reports the client's broken upload, not a fault.
type requestReader struct{ r io.Reader }

func (r requestReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	return n, requestError(err)
}

// requestError classifies an error from reading the request: a body over
// its limit stays an *http.MaxBytesError, which respond answers as
// TooLarge, and an error that has a code already keeps it; any other error
// is the client's broken upload (errUploadBroken). io.EOF is left alone.
func requestError(err error) error {
	var tooLarge *http.MaxBytesError
	var coded *tipline.Error
	if err == nil || err == io.EOF || errors.As(err, &tooLarge) || errors.As(err, &coded) {
		return err
	}
	return fmt.Errorf("%w: %w", errUploadBroken, err)
}

// uploadError classifies the error of a handler that read an upload: once
// the client has gone away (its request's context is cancelled), what
// failed after is its broken upload, not a fault of the server.
func uploadError(c *gin.Context, err error) error {
	if err == nil || !errors.Is(c.Request.Context().Err(), context.Canceled) || errors.Is(err, errUploadBroken) {
		return err
	}
	return fmt.Errorf("%w: %w", errUploadBroken, err)
}

// finishRefusedBody reads and discards the rest of the body of a form
// refused before its end (err), so that its sender, still sending, gets
// to read the answer. net/http reads at most 256 KiB of a body that its
// handler left unread and then closes the connection: a client still
// writing gets a broken pipe instead of the page, and a source without
// JavaScript sees a connection error instead of "send it again" (the
// PostgreSQL restart drill showed it). The rest is read within the
// form's limit and the upload deadlines, like the body itself, at no more
// cost than the upload the client was allowed to make. A body over its
// limit, a form of too many parts, an upload that broke off and a request
// cut by a shutdown are not read on: their connections close.
func finishRefusedBody(c *gin.Context, err error) {
	if tipline.ErrorCode(err) != tipline.TooLarge && !errors.Is(err, errUploadBroken) && c.Request.Context().Err() == nil {
		if _, err := io.Copy(io.Discard, c.Request.Body); err == nil {
			return
		}
	}
	c.Header("Connection", "close")
}

// submitForm receives the questionnaire as a plain multipart form (JavaScript
// off). The body is read as a stream: each file is encrypted to the desk's
// keys as it arrives and its ciphertext streamed into the blob store; nothing
// is spooled to disk, and plaintext lives only in memory while it passes.
func (s *Server) submitForm(c *gin.Context) {
	cfg := s.deps.Config
	ctx := c.Request.Context()
	lang := intakeLang(c)
	// Tor is slow: this request may take far longer than ordinary ones.
	s.uploadDeadlines(c)
	if c.Request.ContentLength > cfg.MaxFormUpload {
		s.respond(c, &http.MaxBytesError{Limit: cfg.MaxFormUpload})
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, cfg.MaxFormUpload)
	mediaType, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		finishRefusedBody(c, errNotMultipart)
		s.respond(c, errNotMultipart)
		return
	}
	sub, err := s.deps.Intake.BeginServerSubmission(ctx, c.Param("slug"))
	if err != nil {
		finishRefusedBody(c, err)
		s.respond(c, err)
		return
	}
	filesField, _ := sub.Questionnaire().FilesField()
	// multipart reads through a buffer of 4 KiB: without one of its own
	// under it, that is a system call for every 4 KiB of the body.
	mr := multipart.NewReader(bufio.NewReaderSize(c.Request.Body, formReadBuffer), params["boundary"])
	// No browser sends more parts than the questionnaire has inputs: a form
	// with more is refused at the first part too many, before it is read.
	maxParts := sub.Questionnaire().MaxFormParts()
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		switch {
		case err != nil:
			err = requestError(err)
		case parts >= maxParts:
			err = intake.ErrTooManyParts // not even drained
		default:
			err = s.receivePart(ctx, sub, part, filesField.ID)
			part.Close()
		}
		if err != nil {
			sub.Abort(ctx)
			finishRefusedBody(c, err)
			if s.answeredRetry(c, err) {
				return
			}
			s.respond(c, uploadError(c, err))
			return
		}
	}
	receipt, err := sub.Commit(ctx, lang)
	var invalid *intake.ValidationError
	if errors.As(err, &invalid) {
		// The files already received stay encrypted on the server: the
		// corrected form goes back the same way, without JavaScript, with
		// a reference to them instead of the files.
		if invalid.Kept.Ref == "" {
			allowScripts(c)
		}
		s.renderDeskForm(c, http.StatusUnprocessableEntity, sub.Answers(), invalid.Fields, invalid.Kept)
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	s.renderReceipt(c, receipt)
}

// receivePart handles one part of the multipart form.
func (s *Server) receivePart(ctx context.Context, sub *intake.ServerSubmission, part *multipart.Part, filesField string) error {
	name := part.FormName()
	r := requestReader{part}
	if part.FileName() != "" || (filesField != "" && name == filesField) {
		if part.FileName() == "" {
			// An empty file input: browsers send a part with no file name.
			_, err := io.Copy(io.Discard, r)
			return err
		}
		return sub.AddFile(ctx, part.FileName(), part.Header.Get("Content-Type"), r)
	}
	value, err := io.ReadAll(io.LimitReader(r, maxFormValue+1))
	if err != nil {
		return err
	}
	if len(value) > maxFormValue {
		return tipline.Errorf(tipline.TooLarge, "An answer is longer than %d bytes.", maxFormValue)
	}
	switch name {
	case "lang", "":
		return nil
	case retryField:
		return claimRetry(ctx, sub, string(value))
	case codenameKindField:
		sub.ChooseNumericCodename(string(value) == codenameKindDigits)
		return nil
	case intake.KeptFilesField:
		return sub.AddKept(ctx, string(value))
	}
	return sub.AddValue(name, string(value))
}

// humanBytes writes a size for people, in unit symbols that read the same
// in every language: 500 MiB, 2 GiB, 512 B.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d B", n)
}

// receipt serves a submission's signed receipt as a download. Submission ids
// are 128-bit random values known only to the source; the receipt holds
// nothing secret.
func (s *Server) receipt(c *gin.Context) {
	id := c.Param("id")
	if blob.ValidKey(id) != nil || strings.Contains(id, "/") {
		s.respond(c, tipline.Errorf(tipline.NotFound, "No such receipt."))
		return
	}
	text, err := s.deps.Intake.SignedReceipt(c.Request.Context(), id)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="tipline-receipt-`+id+`.txt"`)
	c.Data(http.StatusOK, "text/plain; charset=utf-8", text)
}

// receiptKey serves the public key that verifies receipts.
func (s *Server) receiptKey(c *gin.Context) {
	c.Header("Content-Disposition", `attachment; filename="tipline-receipt-key.asc"`)
	c.Data(http.StatusOK, "application/pgp-keys", []byte(s.deps.Intake.Receipts.PublicKey()))
}
