package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tipline/tipline"
	"github.com/tipline/tipline/casework"
	"github.com/tipline/tipline/database"
	"github.com/tipline/tipline/intake"
)

// statusOf maps error codes to HTTP statuses, in one place.
var statusOf = map[tipline.Code]int{
	tipline.Invalid:         http.StatusUnprocessableEntity,
	tipline.Unauthenticated: http.StatusUnauthorized,
	tipline.NotFound:        http.StatusNotFound,
	tipline.Conflict:        http.StatusConflict,
	tipline.Forbidden:       http.StatusForbidden,
	tipline.TooLarge:        http.StatusRequestEntityTooLarge,
	tipline.WrongMediaType:  http.StatusUnsupportedMediaType,
	tipline.RateLimited:     http.StatusTooManyRequests,
	tipline.Unavailable:     http.StatusServiceUnavailable,
	tipline.Busy:            http.StatusServiceUnavailable,
	tipline.Internal:        http.StatusInternalServerError,
}

// sourceErrors names the catalog message a source reads, in their own
// language, for an error of the intake service. The service's own message
// is English and meant for staff and logs.
var sourceErrors = []struct {
	err error
	key string
}{
	{intake.ErrNotAccepting, "not_accepting"},
	{intake.ErrStorageFull, "error_storage_full"},
	{intake.ErrStoreFull, "error_store_full"},
	{intake.ErrTooManyUploads, "error_uploads_busy"},
	{intake.ErrUploadGone, "error_upload_gone"},
	{intake.ErrWrongCodename, "mailbox_wrong_codename"},
	{intake.ErrMailboxBusy, "mailbox_busy"},
	{intake.ErrNoMailboxSession, "mailbox_session_expired"},
	{intake.ErrCodenameInText, "mailbox_codename_in_message"},
	{intake.ErrEmptyMessage, "mailbox_message_empty"},
	{intake.ErrMessageTooLong, "mailbox_message_too_long"},
	{intake.ErrTooManyFiles, "error_too_many_files"},
	{intake.ErrTooManyParts, "error_too_many_parts"},
	{errUploadTooSlow, "error_upload_too_slow"}, // before errUploadBroken, which may wrap it
	{errUploadBroken, "error_upload_broken"},
	{errNotMultipart, "error_not_multipart"},
	{intake.ErrRetryExpired, "resend_expired"},
	{intake.ErrCodenamePage, "error_not_multipart"},
}

// sourceMessage names the catalog message a source reads for an error code
// that no entry of sourceErrors matched.
var sourceMessage = map[tipline.Code]string{
	tipline.Unavailable: "error_unavailable",
	tipline.RateLimited: "error_rate_limited",
	tipline.TooLarge:    "error_too_large",
	tipline.NotFound:    "error_not_found",
}

// jsonErrorsKey marks a route outside /api/ whose errors are answered as
// JSON (see jsonErrors).
const jsonErrorsKey = "json_errors"

// jsonErrors makes respond answer JSON on a route outside /api/ that a
// script calls.
func jsonErrors() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(jsonErrorsKey, true)
		c.Next()
	}
}

// answersJSON reports whether the request's errors are answered as JSON:
// every route under /api/, and those marked with jsonErrors.
func answersJSON(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/") || c.GetBool(jsonErrorsKey)
}

// respond answers err and aborts the request: the error page on page
// routes, {"error": {"code", "message"}} on the API. The status comes from
// the error's code (statusOf); the message is the error's safe message,
// the source's own language on the intake listener, and for Internal only a
// generic text with the request id. Faults (5xx) are logged with their
// cause, the route and the request id, never with client metadata.
func (s *Server) respond(c *gin.Context, err error) {
	err = restartingAnswer(c, err) // a shutdown cut it: whatever failed, send again
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		err = tipline.Wrap(tipline.TooLarge, err, "The request is too large.")
		c.Header("Connection", "close")
	}
	if tipline.ErrorCode(err) == tipline.Internal && database.IsFull(err) {
		// The database's disk is full: say so plainly, as for any
		// dependency that cannot serve, not as a fault behind a request id.
		err = tipline.Wrap(tipline.Unavailable, err, "The database's disk is full: nothing was saved. Free some space; the service recovers by itself.")
	}
	if tipline.ErrorCode(err) == tipline.Internal && database.IsUnreachable(err) {
		err = tipline.Wrap(tipline.Unavailable, err, "The database is not reachable: nothing was saved. Please try again in a moment.")
	}
	_ = c.Error(err) // for the metrics' refusal reasons (refusalOf)
	code := tipline.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = tipline.Internal, http.StatusInternalServerError
	}
	switch {
	case status >= 500 && c.Request.Context().Err() != nil:
		// The client went away mid-request: nothing failed on our side,
		// and under a flood of dropped connections these would fill the
		// log at ERROR.
		s.logger(c).Debug("client gone", "route", c.FullPath(), "request_id", c.GetString(requestIDKey), "code", string(code))
	case status >= 500:
		s.logger(c).Error("request failed", "route", c.FullPath(), "request_id", c.GetString(requestIDKey), "code", string(code), "err", err)
	}
	if !answersJSON(c) && errors.Is(err, casework.ErrNoSession) {
		c.Redirect(http.StatusSeeOther, "/login")
		c.Abort()
		return
	}
	if wait := retryAfter(err, code); wait != "" {
		c.Header("Retry-After", wait)
	}
	message := s.errorMessage(c, code, err)
	if answersJSON(c) {
		if code == tipline.Unauthenticated {
			c.Header("WWW-Authenticate", `Bearer realm="tipline"`)
		}
		if code == tipline.Internal {
			message = "Something went wrong on our side. Please try again later; if it keeps happening, quote the request id " +
				c.GetString(requestIDKey) + "."
		}
		c.AbortWithStatusJSON(status, apiError(string(code), message))
		return
	}
	title := s.text(c, "error_title", http.StatusText(status))
	if code == tipline.TooLarge {
		title = s.text(c, "error_too_large_title", title)
	}
	s.renderError(c, errorPage{Status: status, Title: title, Message: message})
	c.Abort()
}

// errorMessage is the text a person reads for err: in the source's language
// on the intake listener, the service's English text for staff.
func (s *Server) errorMessage(c *gin.Context, code tipline.Code, err error) string {
	if listenerName(c) == "intake" {
		lang := intakeLang(c)
		for _, e := range sourceErrors {
			if errors.Is(err, e.err) {
				return intake.T(lang, e.key)
			}
		}
		if code == tipline.Internal {
			return intake.T(lang, "error_generic")
		}
		if key, ok := sourceMessage[code]; ok {
			message := intake.T(lang, key)
			var tooLarge *http.MaxBytesError
			if code == tipline.TooLarge && errors.As(err, &tooLarge) {
				message += " (" + humanBytes(tooLarge.Limit) + ")" // the form's limit
			}
			return message
		}
	}
	if code == tipline.Internal {
		return "Something went wrong on our side. Please try again later; if it keeps happening, quote the request id below."
	}
	return tipline.ErrorMessage(err)
}

// retryAfter is the Retry-After header, in seconds, for a refusal the
// client may repeat later: the error's own RetryAfter when it has one, else
// for an exhausted byte budget an hour (the message says "in a few hours"),
// for a rate limit or a way in at its cap a minute, and for an unreachable
// dependency, which usually comes back within seconds, half a minute.
// Other errors get none.
func retryAfter(err error, code tipline.Code) string {
	var e *tipline.Error
	switch {
	case errors.As(err, &e) && e.RetryAfter > 0:
		return strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10)
	case errors.Is(err, intake.ErrStorageFull):
		return "3600"
	case code == tipline.RateLimited, code == tipline.Busy:
		return "60"
	case code == tipline.Unavailable:
		return "30"
	}
	return ""
}

func apiError(code, message string) gin.H {
	return gin.H{"error": gin.H{"code": code, "message": message}}
}
