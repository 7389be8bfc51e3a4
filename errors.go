// Package tipline holds what every part of Tipline shares: the error type
// whose message is safe to show a source or an investigator.
package tipline

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for the one place that maps it to a response.
type Code string

// The error codes.
const (
	Invalid         Code = "invalid"          // the input is wrong; Message says how
	Unauthenticated Code = "unauthenticated"  // no valid session, or a login that failed
	NotFound        Code = "not_found"        // no such thing, or not visible to the caller
	Conflict        Code = "conflict"         // it exists already or changed meanwhile
	Forbidden       Code = "forbidden"        // the caller may not do this
	TooLarge        Code = "too_large"        // over a configured limit
	WrongMediaType  Code = "wrong_media_type" // the body is not of the media type the route takes
	RateLimited     Code = "rate_limited"     // too many attempts; wait and try again
	Unavailable     Code = "unavailable"      // a dependency (database, object store) is down; try again later
	Busy            Code = "busy"             // this way in is at its cap (upload sessions); another may be open
	Internal        Code = "internal"         // anything else; never shown in detail
)

// Error is an error with a code and a message that is safe to show. The
// cause in Err is for logs only and is never rendered.
type Error struct {
	Code    Code
	Message string
	Err     error
	// RetryAfter, when positive, is how long the client should wait before
	// trying again (the Retry-After header); else the code's default.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code and safe message around cause.
func Wrap(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, Err: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, or Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the safe message of the first *Error in err's chain,
// or "Internal error." for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
