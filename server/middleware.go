package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline/intake"
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
			s.respond(c, &http.MaxBytesError{Limit: max}) // JSON on the API, a page elsewhere
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

// logKey is the gin context key of the request's logger (see logger).
const logKey = "log"

// listenerLog returns the logger of a listener's lines: the intake logger
// (hour-coarsened times, no ids; see intake.NewLogger) on the intake
// listener, the server's logger on the casework listener.
func (s *Server) listenerLog(listener string) *slog.Logger {
	if listener == "intake" {
		return intake.NewLogger(s.log.Handler()).With("listener", listener)
	}
	return s.log.With("listener", listener)
}

// logger returns the logger of the request's listener, so that every line
// about an intake request, the access line and any fault alike, is as
// coarse as the intake logger makes it and no request id ties a coarse
// line to a precise one.
func (s *Server) logger(c *gin.Context) *slog.Logger {
	if log, ok := c.Value(logKey).(*slog.Logger); ok {
		return log
	}
	return s.log
}

// requestLog writes one structured line per request: listener, method, route
// pattern, status, size, duration and request id. It never records the client
// address, User-Agent, Referer, cookies, the raw path or query string, or any
// body. It also hands the listener's logger to the rest of the request.
func (s *Server) requestLog(listener string) gin.HandlerFunc {
	log := s.listenerLog(listener)
	return func(c *gin.Context) {
		c.Set(logKey, log)
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
			s.logger(c).Error("panic in handler",
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
