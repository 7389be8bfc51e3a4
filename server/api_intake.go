package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/intake"
)

// The JSON API of the JavaScript path, under /api/v1/ on the intake
// listener. The browser encrypts; this API only ever receives ciphertext:
//
//	GET  /api/v1/desks/:slug                 the desk's keys and questionnaire
//	GET  /api/v1/pow?desk=SLUG[&size=N]      a proof-of-work challenge; with size, for an upload of N bytes
//	POST /api/v1/uploads                     {"desk", "size", "chunk_size"?, "pow"} → {"id", "chunk_size", "max_bytes", "keep_after"}
//	PUT  /api/v1/uploads/:id/chunks/:n       one chunk, application/octet-stream
//	GET  /api/v1/uploads/:id                 {"chunks": [n…], "bytes"}: to resume
//	POST /api/v1/uploads/:id/keep            {"pow"}: the session is not idle (see intake.KeepUpload)
//	POST /api/v1/submissions                 {"desk", "manifest", "files", "lang", "pow", "retry"?, "codename_kind"?} → the codename
//
// It is same-origin only (see apiSameOrigin), sets no cookie and answers
// errors as {"error": {"code", "message"}} with the status the HTML pages
// use for the same error.

// maxAPIRequest bounds the JSON bodies of the API.
const maxAPIRequest = 64 << 10

// apiSameOrigin refuses requests that a page of another origin makes: a
// browser says so in Sec-Fetch-Site or Origin. Clients that send neither
// (command-line tools) are served. Under the no-referrer policy a browser
// sends "Origin: null" with the site's own form posts; that is accepted only
// together with "Sec-Fetch-Site: same-origin", so Tor Browser at Safest
// keeps working while an opaque origin alone (a sandboxed frame, a data:
// page) is refused. JSON and octet-stream bodies are not
// "simple" requests either, so a browser would not send them cross-origin
// without a CORS preflight, which this API never grants.
func (s *Server) apiSameOrigin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if fromOtherSite(c) {
			s.respond(c, tipline.Errorf(tipline.Forbidden, "This API answers pages of its own site only."))
			return
		}
		c.Next()
	}
}

// readJSON decodes a small JSON request body strictly into v.
func readJSON(c *gin.Context, v any) error {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		return tipline.Errorf(tipline.Invalid, "Send JSON, with Content-Type: application/json.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxAPIRequest))
	if err != nil {
		return requestError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return tipline.Wrap(tipline.Invalid, err, "The request is not the JSON this API expects.")
	}
	return nil
}

// apiKey is a recipient key as the browser needs it.
type apiKey struct {
	Fingerprint string `json:"fingerprint"`
	Armored     string `json:"armored"`
}

// apiCountry is a country as the browser needs it to match party rows.
type apiCountry struct {
	Code string      `json:"code"`
	Name intake.Text `json:"name"`
}

// apiDesk answers GET /api/v1/desks/:slug: what a browser needs to encrypt
// a tip to the desk and describe it as the server would (the manifest).
func (s *Server) apiDesk(c *gin.Context) {
	ctx := c.Request.Context()
	desk, err := s.deps.Intake.Desks.Desk(ctx, c.Param("slug"))
	if err != nil {
		s.respond(c, err)
		return
	}
	recipients, err := s.deps.Intake.Desks.Recipients(ctx, desk.Slug)
	if err != nil {
		s.respond(c, err)
		return
	}
	if len(recipients) == 0 {
		s.respond(c, intake.ErrNotAccepting)
		return
	}
	keys := make([]apiKey, len(recipients))
	for i, k := range recipients {
		keys[i] = apiKey{Fingerprint: k.Fingerprint, Armored: k.Armored}
	}
	view := intake.FormView{Lang: intake.EN}
	countries := make([]apiCountry, 0, len(view.Countries()))
	for _, co := range view.Countries() {
		countries = append(countries, apiCountry{Code: co.Code, Name: co.Name})
	}
	c.JSON(http.StatusOK, gin.H{
		"desk":             desk.Slug,
		"keys":             keys,
		"questionnaire":    s.deps.Intake.Questionnaires(desk.Slug),
		"manifest_version": intake.ManifestVersion,
		"countries":        countries,
		"chunk_size":       intake.DefaultChunkSize,
		"max_file_size":    s.deps.Config.MaxFileBytes,
	})
}

// apiPow answers GET /api/v1/pow?desk=SLUG: a proof-of-work challenge,
// which the browser solves before it opens an upload session or submits to
// the desk; harder while the desk is flooded.
//
// With size=N it is the challenge for opening an upload session of N
// bytes, harder as N grows (intake.UploadPowBits).
func (s *Server) apiPow(c *gin.Context) {
	ctx := c.Request.Context()
	if v, ok := c.GetQuery("size"); ok {
		size, err := strconv.ParseInt(v, 10, 64)
		if err != nil || size <= 0 {
			s.respond(c, tipline.Errorf(tipline.Invalid, "The size must be a positive number of bytes."))
			return
		}
		c.JSON(http.StatusOK, s.deps.Intake.NewUploadPowChallenge(ctx, c.Query("desk"), size))
		return
	}
	c.JSON(http.StatusOK, s.deps.Intake.NewPowChallenge(ctx, c.Query("desk")))
}

// apiCreateUpload answers POST /api/v1/uploads: a new upload session for
// one message of the declared size, with a proof of work solved for that
// size.
func (s *Server) apiCreateUpload(c *gin.Context) {
	var req struct {
		Desk      string     `json:"desk"`
		Size      int64      `json:"size"`
		ChunkSize int64      `json:"chunk_size"`
		Pow       intake.Pow `json:"pow"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	u, err := s.deps.Intake.BeginUpload(c.Request.Context(), req.Desk, req.Size, req.ChunkSize, req.Pow)
	if err != nil {
		s.respond(c, err)
		return
	}
	keepAfter := max(1, int64(s.deps.Intake.KeepAfter()/time.Second))
	c.JSON(http.StatusCreated, gin.H{"id": u.ID, "chunk_size": u.ChunkSize, "max_bytes": u.MaxBytes, "keep_after": keepAfter})
}

// apiKeepUpload answers POST /api/v1/uploads/:id/keep: the session counts
// as making progress, for a proof of work of its declared size (see
// intake.KeepUpload).
func (s *Server) apiKeepUpload(c *gin.Context) {
	var req struct {
		Pow intake.Pow `json:"pow"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	if err := s.deps.Intake.KeepUpload(c.Request.Context(), c.Param("id"), req.Pow); err != nil {
		s.respond(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// apiUploadState answers GET /api/v1/uploads/:id: the chunks that have
// arrived, so that a browser resumes after a dropped connection.
func (s *Server) apiUploadState(c *gin.Context) {
	u, err := s.deps.Intake.Upload(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	chunks := make([]int, len(u.Chunks))
	for i, ch := range u.Chunks {
		chunks[i] = ch.N
	}
	c.JSON(http.StatusOK, gin.H{"id": u.ID, "chunk_size": u.ChunkSize, "chunks": chunks, "bytes": u.Bytes()})
}

// apiPutChunk answers PUT /api/v1/uploads/:id/chunks/:n. The body streams
// into the blob store; a chunk sent again replaces the first.
func (s *Server) apiPutChunk(c *gin.Context) {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/octet-stream" {
		s.respond(c, tipline.Errorf(tipline.Invalid, "Send a chunk as application/octet-stream."))
		return
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 0 || strings.TrimLeft(c.Param("n"), "0123456789") != "" {
		s.respond(c, tipline.Errorf(tipline.NotFound, "No such chunk."))
		return
	}
	if c.Request.ContentLength > intake.DefaultChunkSize {
		c.Header("Connection", "close")
		s.respond(c, tipline.Errorf(tipline.TooLarge, "A chunk may be at most %d bytes.", intake.DefaultChunkSize))
		return
	}
	// A chunk over Tor may take far longer than ordinary requests.
	s.uploadDeadlines(c)
	size, err := s.deps.Intake.PutChunk(c.Request.Context(), c.Param("id"), n, requestReader{c.Request.Body})
	if err != nil {
		finishRefusedBody(c, err)
		s.respond(c, uploadError(c, err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"n": n, "size": size})
}

// apiSubmit answers POST /api/v1/submissions: the uploads are checked,
// stored and committed, and only then is the codename returned.
func (s *Server) apiSubmit(c *gin.Context) {
	var req struct {
		Desk     string     `json:"desk"`
		Manifest string     `json:"manifest"`
		Files    []string   `json:"files"`
		Lang     string     `json:"lang"`
		Pow      intake.Pow `json:"pow"`
		// Retry is the form's retry token: the same token again gets the
		// same codename (see intake.BeginRetry).
		Retry string `json:"retry"`
		// CodenameKind is "digits" for a numeric codename, else words.
		CodenameKind string `json:"codename_kind"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	lang, ok := intake.ParseLang(req.Lang)
	if !ok {
		lang = intakeLang(c)
	}
	// Reading every upload back from the store takes a while for large files.
	rc := http.NewResponseController(c.Writer)
	rc.SetWriteDeadline(time.Now().Add(s.deps.Config.UploadTimeout))
	ctx := c.Request.Context()
	claim, r, err := s.deps.Intake.BeginRetry(ctx, req.Retry)
	if r == nil && err == nil {
		opts := intake.CommitOptions{Lang: lang, Numeric: req.CodenameKind == codenameKindDigits}
		r, err = s.deps.Intake.SubmitUploads(ctx, req.Desk, req.Manifest, req.Files, req.Pow, opts)
		claim.Finish(r)
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	page := intake.NewCodenamePage(r)
	sealed, err := s.deps.Intake.SealCodenamePage(page)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{
		"codename":     r.Codename.Reveal(),
		"numeric":      r.Codename.Numeric(),
		"submission":   r.SubmissionID,
		"received_day": r.ReceivedDay,
		"encrypted_by": r.EncryptedBy,
		"receipt_url":  receiptURL(r, lang),
		"ask":          page.Ask,
		"page":         sealed,
	})
}
