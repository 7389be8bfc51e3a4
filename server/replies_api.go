package server

import (
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
)

// Replies to sources, on the casework listener (see casework.Replies). The
// investigator's browser encrypts a reply to the desk's keys and the
// source's reply key; the server checks the recipients, never the content.
//
//	GET  /api/v1/submissions/:id/reply-key  the source's public reply key
//	GET  /api/v1/desks/:slug/keys           the desk's keys
//	POST /api/v1/submissions/:id/replies    an encrypted reply

// maxReplyRequest is the body limit of one encrypted reply.
const maxReplyRequest = 1 << 20

// apiReplyKey answers GET /api/v1/submissions/:id/reply-key: the source's
// public reply key, which the investigator's browser encrypts replies to.
// Reading it is audited.
func (s *Server) apiReplyKey(c *gin.Context) {
	key, err := s.deps.Replies.Key(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
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
	keys, err := s.deps.Replies.DeskKeys(c.Request.Context(), s.staff(c), slug)
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
// desk's keys and the source's reply key. The reply is audited.
func (s *Server) apiPostReply(c *gin.Context) {
	ctx := c.Request.Context()
	p := s.staff(c)
	d, err := s.deps.Triage.Get(ctx, p, c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/octet-stream" {
		s.respond(c, tipline.Errorf(tipline.WrongMediaType, "Send the encrypted reply as application/octet-stream."))
		return
	}
	obj, err := s.deps.Replies.Create(ctx, p, d.ID, c.Request.Body)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": obj.ID})
}
