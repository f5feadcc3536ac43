package frontline

import (
	"errors"
	"fmt"
)

// Error codes. Each service documents which of these it returns.
const (
	ECONFLICT     = "conflict"     // the action conflicts with existing data (duplicate, wrong state)
	EINTERNAL     = "internal"     // a fault of the system, not of the caller
	EINVALID      = "invalid"      // the input is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // the entity does not exist (or is outside the caller's scope)
	EFORBIDDEN    = "forbidden"    // the caller may not do this
	EUNAUTHORIZED = "unauthorized" // the caller is not signed in
	// EUNAVAILABLE: the system cannot do it now (the database is
	// unreachable, full or read-only, or too busy) and the same request
	// may succeed later: a caller retries it, unchanged.
	EUNAVAILABLE = "unavailable"
)

// Error is a domain error. Message is safe to show to a user; Err is the
// underlying cause, kept for logs and errors.Is/As.
type Error struct {
	Code    string
	Message string
	// Field names the input field the error is about, when there is one, so
	// forms and API clients can show the message next to it.
	Field string
	// Item is the position, counted from 1, of the list entry the error
	// is about (the third person of a visit: 3), or 0; with Field it says
	// which entry's field, so a form marks it there.
	Item int
	Err  error
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return fmt.Sprintf("frontline: %s: %s: %v", e.Code, msg, e.Err)
	}
	return fmt.Sprintf("frontline: %s: %s", e.Code, msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one input field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// AtItem returns err about the list entry at position item (from 1): a
// copy of its *Error with Item set. Any other error is returned as it is.
func AtItem(err error, item int) error {
	var e *Error
	if !errors.As(err, &e) || e.Code == EINTERNAL {
		return err
	}
	return &Error{Code: e.Code, Message: e.Message, Field: e.Field, Item: item, Err: err}
}

// ErrorItem returns the list position an error is about, or 0.
func ErrorItem(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Item
	}
	return 0
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err. Internal errors get a
// generic message so that no implementation detail leaks to a user.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field an EINVALID error is about, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
