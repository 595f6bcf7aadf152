package rag

import (
	"context"
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to one status, in one place.
const (
	EINVALID      = "invalid"      // the caller's input is wrong
	ENOTFOUND     = "not_found"    // no such document
	ECONFLICT     = "conflict"     // the request clashes with the index's state
	EUNAVAILABLE  = "unavailable"  // not ready, or a dependency is down
	ETIMEOUT      = "timeout"      // the deadline passed
	EINTERNAL     = "internal"     // a bug or an I/O failure
	ETOOLARGE     = "too_large"    // input over a size limit
	EUNAUTHORIZED = "unauthorized" // missing credentials
	EFORBIDDEN    = "forbidden"    // wrong credentials
	ERATELIMIT    = "rate_limited" // too many requests
	EFULL         = "storage_full" // the data directory has no space left
)

// Error is an error the core reports to its callers with a code and a
// message that is safe to show to a user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, ETIMEOUT
// for a passed deadline, and EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, context.DeadlineExceeded):
		return ETIMEOUT
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic one so their details stay in the logs.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Message
	case ErrorCode(err) == ETIMEOUT:
		return "the request took too long"
	}
	return "internal error"
}
