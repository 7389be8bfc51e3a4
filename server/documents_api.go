package server

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// Case documents, on the casework listener (see casework.Documents):
//
//	GET  /api/v1/cases/:id/documents  {"documents": [...]}, each with its encrypted meta
//	POST /api/v1/cases/:id/documents  multipart: "meta" (a small OpenPGP message), then "document"
//	GET  /api/v1/documents/:id        the document as a complete OpenPGP message

// apiListDocuments answers GET /api/v1/cases/:id/documents.
func (s *Server) apiListDocuments(c *gin.Context) {
	docs, err := s.deps.Documents.ViewList(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"documents": docs})
}

// apiAddDocument answers POST /api/v1/cases/:id/documents: a multipart
// body whose first part, "meta", is the encrypted name and type of the
// file and whose second, "document", is the encrypted file, streamed to
// the blob store as it arrives. Both must be to exactly the desk's keys.
func (s *Server) apiAddDocument(c *gin.Context) {
	cfg := s.deps.Config
	s.uploadDeadlines(c)
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, cfg.MaxFormUpload)
	mr, err := c.Request.MultipartReader()
	if err != nil {
		s.respond(c, tipline.Errorf(tipline.Invalid, "Send the document as multipart/form-data: a meta part, then a document part."))
		return
	}
	meta, err := mr.NextPart()
	if err != nil || meta.FormName() != "meta" {
		s.respond(c, tipline.Errorf(tipline.Invalid, "The first part must be the encrypted meta."))
		return
	}
	metaBytes, err := io.ReadAll(io.LimitReader(meta, casework.MaxDocumentMeta+1))
	if err != nil {
		s.respond(c, tipline.Wrap(tipline.Invalid, err, "The upload broke off."))
		return
	}
	document, err := mr.NextPart()
	if err != nil || document.FormName() != "document" {
		s.respond(c, tipline.Errorf(tipline.Invalid, "The second part must be the encrypted document."))
		return
	}
	d, err := s.deps.Documents.Add(c.Request.Context(), s.staff(c), c.Param("id"), metaBytes, document)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.respond(c, tipline.Errorf(tipline.TooLarge, "The document is larger than %d bytes.", cfg.MaxFormUpload))
		return
	}
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

// apiGetDocument answers GET /api/v1/documents/:id with the document as a
// complete OpenPGP message for the caller's key. Downloads are audited.
func (s *Server) apiGetDocument(c *gin.Context) {
	r, _, err := s.deps.Documents.Open(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	defer r.Close()
	c.Header("Content-Disposition", `attachment; filename="`+c.Param("id")+`.pgp"`)
	c.Header("Content-Type", "application/pgp-encrypted")
	c.Status(http.StatusOK)
	io.Copy(c.Writer, r)
}
