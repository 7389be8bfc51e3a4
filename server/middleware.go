package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
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
		method := c.Request.Method
		if isHead(c.Request) {
			method = http.MethodHead
		}
		log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("method", method),
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

// formCookie names the cookie of the form token (see formSameOrigin).
const formCookie = "tipline_form"

// errForeignForm refuses a form that another site's page posted.
var errForeignForm = tipline.Errorf(tipline.Forbidden, "This form was not sent from a page of this site. Open the page again here and send it from there.")

// formSameOrigin guards the casework listener's forms that are posted
// before a session exists (the login form, the setup and invitation
// links' forms). It refuses what apiSameOrigin
// refuses, with one addition: "Origin: null" without Sec-Fetch-Site is
// what browsers send with this site's own forms under the no-referrer
// policy when the listener is reached over plain http by a LAN or VPN name
// (fetch metadata go to trustworthy origins only), so it is accepted when
// the form's "csrf" field repeats the form token that its page set as a
// cookie (SameSite=Strict: another site's page cannot send it). A GET
// gets a new token, for its path and the paths below it (a link's
// …/confirm); render puts it (c's csrfKey) in the page.
func (s *Server) formSameOrigin() gin.HandlerFunc {
	return func(c *gin.Context) {
		token, _ := c.Cookie(formCookie)
		switch {
		case c.Request.Method == http.MethodGet:
			b := make([]byte, 16)
			rand.Read(b)
			token = hex.EncodeToString(b)
			http.SetCookie(c.Writer, &http.Cookie{Name: formCookie, Value: token, Path: c.Request.URL.Path, MaxAge: 12 * 3600,
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
		case c.GetHeader("Origin") == "null" && c.GetHeader("Sec-Fetch-Site") == "":
			if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(c.PostForm("csrf"))) != 1 {
				s.respond(c, errForeignForm)
				return
			}
		case fromOtherSite(c):
			s.respond(c, errForeignForm)
			return
		}
		c.Set(csrfKey, token) // for the page the handler renders
		c.Next()
	}
}

// fromOtherSite reports whether a browser says that a page of another
// origin made the request, in Sec-Fetch-Site or Origin. Clients that send
// neither (command-line tools) are not. "Origin: null" alone (a sandboxed
// frame, a data: page) counts as another site; with "Sec-Fetch-Site:
// same-origin" it is this site's own form under the no-referrer policy.
func fromOtherSite(c *gin.Context) bool {
	site := c.GetHeader("Sec-Fetch-Site")
	if site != "" && site != "same-origin" && site != "none" {
		return true
	}
	switch origin := c.GetHeader("Origin"); origin {
	case "":
		return false
	case "null":
		return site != "same-origin"
	default:
		u, err := url.Parse(origin)
		return err != nil || u.Host != c.Request.Host
	}
}
