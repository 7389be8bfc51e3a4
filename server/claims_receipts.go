package server

import (
	"context"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// maxReceiptBytes bounds a pasted signed receipt.
const maxReceiptBytes = 64 << 10

// apiAttachReceipt answers POST /api/v1/claims/:id/receipts: the body is
// the source's signed receipt (text/plain), which attaches the submission
// it proves to the claim.
func (s *Server) apiAttachReceipt(c *gin.Context) {
	receipt, err := io.ReadAll(io.LimitReader(c.Request.Body, maxReceiptBytes+1))
	if err != nil {
		s.respond(c, tipline.Wrap(tipline.Invalid, err, "The receipt could not be read."))
		return
	}
	cl, err := s.deps.Claims.AttachReceipt(c.Request.Context(), s.staff(c), c.Param("id"), receipt)
	s.answerClaims(c, http.StatusOK, cl, err)
}

// claimReceiptForm answers POST /claims/:id/receipts: the receipt pasted
// into the claim page's form.
func (s *Server) claimReceiptForm(c *gin.Context) {
	receipt := c.PostForm("receipt")
	s.claimForm(c, "submissions", func(ctx context.Context, p casework.Principal, id string) error {
		_, err := s.deps.Claims.AttachReceipt(ctx, p, id, []byte(receipt))
		return err
	}, nil)
}
