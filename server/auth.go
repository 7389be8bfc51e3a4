package server

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
)

// Staff sessions, on the casework listener:
//
//	POST   /api/v1/session   {"email", "password", "totp"} → 201 {"token", "csrf", "expires"} and the cookie
//	GET    /api/v1/session   who the caller is, and the session's CSRF token
//	DELETE /api/v1/session   log out
//	POST   /api/v1/password  {"old", "new"} → 204
//
// A session is carried by "Authorization: Bearer TOKEN" or by the
// tipline_session cookie. Cookie-authenticated POST, PUT, PATCH and DELETE
// requests must repeat the session's CSRF token in X-CSRF-Token; bearer
// requests carry no ambient authority and need none.

// sessionCookie names the session cookie of the casework listener.
const sessionCookie = "tipline_session"

// staffKey is the gin context key of the authenticated casework.Principal.
const staffKey = "staff"

// csrfKey is the gin context key of the session's CSRF token on staff pages.
const csrfKey = "csrf"

// Refusals of the one authentication path; respond answers them as a page
// or as JSON.
var (
	errRoleRefused = tipline.Errorf(tipline.Forbidden, "Your role may not do this.")
	errCSRFHeader  = tipline.Errorf(tipline.Forbidden, "The X-CSRF-Token header is missing or wrong.")
	errCSRFForm    = tipline.Errorf(tipline.Forbidden, "The form is out of date. Go back, reload the page and try again.")
)

// requireStaff is the one authentication path of the casework listener. It
// lets a request through only with a live session whose role is in roles
// (any role when roles is empty), and stores the principal and the
// session's CSRF token for the handler. A cookie-authenticated request that
// changes state must repeat the session's CSRF token: in the X-CSRF-Token
// header on the API, in the form field "csrf" on pages (every staff page
// has it as pageData.CSRF, so forms work without JavaScript). A bearer
// token carries no ambient authority and needs none.
//
// Refusals go through respond: JSON on the API (401 without a session, 403
// for another role or a missing token); on pages a redirect to /login
// without a session and the error page otherwise.
func (s *Server) requireStaff(roles roleSet) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, fromCookie := sessionToken(c)
		p, err := s.deps.Staff.Authenticate(c.Request.Context(), token)
		if err != nil {
			s.respond(c, err)
			return
		}
		if len(roles) > 0 && !slices.Contains(roles, p.Role) {
			s.respond(c, errRoleRefused)
			return
		}
		csrf := casework.CSRFToken(token)
		if fromCookie && changesState(c.Request.Method) {
			got, refusal := c.GetHeader("X-CSRF-Token"), errCSRFHeader
			if !answersJSON(c) {
				got, refusal = c.PostForm("csrf"), errCSRFForm
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(csrf)) != 1 {
				s.respond(c, refusal)
				return
			}
		}
		c.Set(staffKey, p)
		c.Set(csrfKey, csrf)
		c.Next()
	}
}

// staff returns the principal that requireStaff authenticated.
func (s *Server) staff(c *gin.Context) casework.Principal {
	return c.MustGet(staffKey).(casework.Principal)
}

// sessionToken returns the request's session token and whether it came
// from the cookie. A bearer token wins over the cookie.
func sessionToken(c *gin.Context) (string, bool) {
	if h := c.GetHeader("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if t, err := c.Cookie(sessionCookie); err == nil {
		return t, true
	}
	return "", false
}

func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// setSessionCookie sets (maxAge > 0) or clears (maxAge < 0) the session
// cookie: HttpOnly, SameSite=Strict, and Secure when the request came over
// TLS.
func setSessionCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil,
	})
}

// apiLogin answers POST /api/v1/session.
func (s *Server) apiLogin(c *gin.Context) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		TOTP     string `json:"totp"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	token, sess, err := s.deps.Staff.Login(c.Request.Context(), req.Email, req.Password, req.TOTP)
	if err != nil {
		s.respond(c, err)
		return
	}
	setSessionCookie(c, token, int(time.Until(sess.ExpiresAt).Seconds()))
	c.JSON(http.StatusCreated, gin.H{"token": token, "csrf": casework.CSRFToken(token), "expires": sess.ExpiresAt.UTC()})
}

// apiWhoAmI answers GET /api/v1/session.
func (s *Server) apiWhoAmI(c *gin.Context) {
	p := s.staff(c)
	token, _ := sessionToken(c)
	desks := p.Desks
	if desks == nil {
		desks = []string{}
	}
	c.JSON(http.StatusOK, gin.H{"user_id": p.UserID, "email": p.Email, "role": p.Role, "desks": desks,
		"csrf": casework.CSRFToken(token), "expires": p.Expires.UTC()})
}

// apiLogout answers DELETE /api/v1/session.
func (s *Server) apiLogout(c *gin.Context) {
	if err := s.deps.Staff.Logout(c.Request.Context(), s.staff(c)); err != nil {
		s.respond(c, err)
		return
	}
	setSessionCookie(c, "", -1)
	c.Status(http.StatusNoContent)
}

// apiChangePassword answers POST /api/v1/password.
func (s *Server) apiChangePassword(c *gin.Context) {
	var req struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if err := readJSON(c, &req); err != nil {
		s.respond(c, err)
		return
	}
	if err := s.deps.Staff.ChangePassword(c.Request.Context(), s.staff(c), req.Old, req.New); err != nil {
		s.respond(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
