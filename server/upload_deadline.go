package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
)

// Slow clients. An upload route reads a body of up to hundreds of megabytes
// over Tor, so it cannot have the ordinary routes' two-minute read timeout.
// Left at that, a client that trickles a byte a minute would hold its
// connection for the whole UploadTimeout. Upload bodies must therefore keep
// an average rate of at least UploadMinRate after a grace period: once the
// server has waited t for the body in all, at least
// UploadMinRate × (t − UploadGrace) bytes must have arrived, and a read that
// would fall behind that fails at the moment it does.
//
// Only time the server spends waiting for the client counts. While the
// server itself is busy (encrypting, or writing to a slow object store) it
// does not read, TCP stops the client, and none of that is held against
// the client. A burst early on is credited: a client that sent 8 MiB at
// once may then wait 17 minutes (at 8 KiB/s) before it must send more.
//
// The numbers (config: TIPLINE_UPLOAD_MIN_RATE, TIPLINE_UPLOAD_GRACE):
// Tor circuits carry hundreds of kilobytes to megabytes a second; even a
// Snowflake or meek bridge from mainland China rarely falls below 50 KiB/s.
// The default 8 KiB/s is far below what any working circuit sustains, and
// the default minute of grace covers a circuit being built or rebuilt
// mid-upload. A source whose connection is slower is refused with a clear
// message and keeps nothing half-sent; the JavaScript path resumes per
// chunk anyway. An attacker must spend 8 KiB/s of its own bandwidth to hold
// one connection, and even so at most UploadTimeout.

// errUploadTooSlow answers an upload that fell below the minimum rate, or
// did not arrive within UploadTimeout. The client's mistake (Invalid).
var errUploadTooSlow = tipline.Errorf(tipline.Invalid, "The upload was too slow and was stopped. Nothing of it was kept; please try again.")

// uploadDeadlines lets the request's body take up to the configured
// UploadTimeout at the configured minimum rate after the grace period (see
// minRateBody), and gives the answer a minute beyond that. Upload routes
// call it before they read the body, in place of the ordinary routes'
// read timeout.
func (s *Server) uploadDeadlines(c *gin.Context) {
	cfg := s.deps.Config
	now := time.Now()
	limit := now.Add(cfg.UploadTimeout)
	rc := http.NewResponseController(c.Writer)
	rc.SetWriteDeadline(limit.Add(time.Minute))
	c.Request.Body = &minRateBody{
		ReadCloser: c.Request.Body,
		rc:         rc,
		rate:       float64(cfg.UploadMinRate),
		grace:      cfg.UploadGrace,
		limit:      limit,
	}
}

// minRateBody is a request body that, before every read, moves the
// connection's read deadline to the moment the body would fall below the
// minimum rate, counting only the time spent waiting in its own reads.
type minRateBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	rate   float64       // bytes per second, on average; 0 turns the check off
	grace  time.Duration // waiting allowed before the rate applies
	limit  time.Time     // start + UploadTimeout, whatever the rate
	n      int64         // bytes read so far
	waited time.Duration // time spent in reads so far
	off    bool          // the connection does not support deadlines (tests' recorders)
}

func (b *minRateBody) Read(p []byte) (int, error) {
	start := time.Now()
	due := b.limit
	if b.rate > 0 {
		allowed := b.grace + time.Duration(float64(b.n)/b.rate*float64(time.Second))
		if d := start.Add(allowed - b.waited); d.Before(due) {
			due = d
		}
	}
	if !b.off && b.rc.SetReadDeadline(due) != nil {
		b.off = true
	}
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	b.waited += time.Since(start)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, fmt.Errorf("%w: %w", errUploadTooSlow, err)
	}
	return n, err
}
