package server

import (
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// apiListSubmissions answers GET /api/v1/submissions: the triage queue,
// newest first (or ?sort=oldest), one keyset page at a time (?after= the
// previous page's "next"), filtered by desk, status, assignee, label,
// priority, overdue and due_within (days), as the queue page is.
func (s *Server) apiListSubmissions(c *gin.Context) {
	q, err := pageQuery(c.Request.URL.Query())
	if err != nil {
		s.respond(c, err)
		return
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > casework.MaxPage {
			s.respond(c, tipline.Errorf(tipline.Invalid, "Bad limit."))
			return
		}
		q.Limit = n
	}
	items, day, id, err := s.deps.Triage.List(c.Request.Context(), s.staff(c), q)
	if err != nil {
		s.respond(c, err)
		return
	}
	next := ""
	if id != "" {
		next = day + "." + id
	}
	c.JSON(http.StatusOK, gin.H{"submissions": items, "next": next})
}

// apiGetSubmission answers GET /api/v1/submissions/:id: metadata and the
// ids of the encrypted objects. Viewing is audited.
func (s *Server) apiGetSubmission(c *gin.Context) {
	d, err := s.deps.Triage.View(c.Request.Context(), s.staff(c), c.Param("id"))
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// apiUpdateSubmission answers PATCH /api/v1/submissions/:id.
func (s *Server) apiUpdateSubmission(c *gin.Context) {
	var ch casework.Change
	if err := readJSON(c, &ch); err != nil {
		s.respond(c, err)
		return
	}
	d, err := s.deps.Triage.Update(c.Request.Context(), s.staff(c), c.Param("id"), ch)
	if err != nil {
		s.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// apiGetObject answers GET /api/v1/objects/:id: one encrypted object as a
// complete OpenPGP message (the key packets for the caller's key, then the
// key packet granted to the caller if there is one, joined to its encrypted
// body; see casework.Objects.Open), which GnuPG decrypts with the caller's
// key. Downloads are audited.
func (s *Server) apiGetObject(c *gin.Context) {
	r, err := s.deps.Objects.Open(c.Request.Context(), s.staff(c), c.Param("id"))
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

// apiAudit answers GET /api/v1/audit for auditors: the audit log in order,
// ?after= a sequence number, ?limit= up to 1000 entries.
func (s *Server) apiAudit(c *gin.Context) {
	after, err := strconv.ParseInt(c.DefaultQuery("after", "0"), 10, 64)
	if err != nil || after < 0 {
		s.respond(c, tipline.Errorf(tipline.Invalid, "Bad after."))
		return
	}
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "100"))
	if err != nil || limit < 1 || limit > casework.MaxAuditPage {
		s.respond(c, tipline.Errorf(tipline.Invalid, "Bad limit (1 to %d).", casework.MaxAuditPage))
		return
	}
	entries, err := s.deps.Staff.AuditEntries(c.Request.Context(), s.staff(c), after, limit)
	if err != nil {
		s.respond(c, err)
		return
	}
	type entry struct {
		Seq       int64             `json:"seq"`
		At        time.Time         `json:"at"`
		Actor     int64             `json:"actor"` // 0: the command line or the system
		Action    string            `json:"action"`
		Target    string            `json:"target"`
		Detail    map[string]string `json:"detail"`
		PrevHash  string            `json:"prev_hash"`
		EntryHash string            `json:"entry_hash"`
	}
	out := make([]entry, len(entries))
	for i, e := range entries {
		out[i] = entry{e.Seq, e.Record.At, e.Record.Actor, string(e.Record.Action), e.Record.Target, e.Record.Detail,
			hex.EncodeToString(e.PrevHash[:]), hex.EncodeToString(e.EntryHash[:])}
	}
	c.JSON(http.StatusOK, gin.H{"entries": out})
}
