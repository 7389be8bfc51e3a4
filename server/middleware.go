package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy allows nothing but this origin's stylesheets, images
// and form targets. No inline script or style, no frames, no other origin.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// scriptCSP is the policy of the few pages that run scripts: only this
// origin's files, each also pinned by Subresource Integrity in the page.
const scriptCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// allowScripts lets a page load this origin's scripts.
func allowScripts(c *gin.Context) {
	c.Header("Content-Security-Policy", scriptCSP)
}

// securityHeaders sets the headers every response carries. Dynamic responses
// are never cached; the static handler relaxes Cache-Control for its
// content-hashed files.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "+
			"magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cross-Origin-Embedder-Policy", "require-corp")
		h.Set("Cache-Control", "no-store")
		c.Next()
	}
}

// limitBody refuses request bodies larger than max bytes: at once when the
// declared length says so, and while reading otherwise.
func (s *Server) limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max {
			c.Header("Connection", "close")
			c.Abort()
			s.renderError(c, errorPage{
				Status: http.StatusRequestEntityTooLarge, Title: "Request too large",
				Message: fmt.Sprintf("This request is larger than the %d bytes this page accepts.", max),
			})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// requestIDKey is the gin context key of the request id.
const requestIDKey = "request_id"

// requestID gives each request a random id, shown on error pages and logged,
// so that a report of an error can be matched to its log line. It carries no
// information about the client.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		c.Set(requestIDKey, id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

// requestLog writes one structured line per request: listener, method, route
// pattern, status, size, duration and request id. It never records the client
// address, User-Agent, Referer, cookies, the raw path or query string, or any
// body. On the intake listener the time of the line is coarsened to the hour
// so that the log holds no precise per-source timestamp.
func (s *Server) requestLog(listener string) gin.HandlerFunc {
	log := s.log
	if listener == "intake" {
		log = slog.New(coarseTime{Handler: s.log.Handler(), unit: time.Hour})
	}
	log = log.With("listener", listener)
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		level := slog.LevelInfo
		switch {
		case c.Writer.Status() >= 500:
			level = slog.LevelError
		case route == "/healthz" || route == "/readyz" || route == "/static/*path":
			level = slog.LevelDebug
		}
		log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Int64("duration_ms", time.Since(start).Milliseconds()),
			slog.String("request_id", c.GetString(requestIDKey)),
		)
	}
}

// coarseTime is a slog.Handler that truncates each record's time.
type coarseTime struct {
	slog.Handler
	unit time.Duration
}

func (h coarseTime) Handle(ctx context.Context, r slog.Record) error {
	r.Time = r.Time.UTC().Truncate(h.unit)
	return h.Handler.Handle(ctx, r)
}

func (h coarseTime) WithAttrs(attrs []slog.Attr) slog.Handler {
	return coarseTime{Handler: h.Handler.WithAttrs(attrs), unit: h.unit}
}

func (h coarseTime) WithGroup(name string) slog.Handler {
	return coarseTime{Handler: h.Handler.WithGroup(name), unit: h.unit}
}

// recoverPanic turns a panic in a handler into a logged error and a safe
// error page that shows only the request id.
func (s *Server) recoverPanic() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic in handler",
				"route", c.FullPath(),
				"request_id", c.GetString(requestIDKey),
				"panic", fmt.Sprint(v),
				"stack", string(debug.Stack()))
			c.Abort()
			if !c.Writer.Written() {
				s.renderError(c, errorPage{Status: http.StatusInternalServerError, Title: "Internal error",
					Message: "Something went wrong on our side. Please try again later; if it keeps happening, quote the request id below."})
			}
		}()
		c.Next()
	}
}
