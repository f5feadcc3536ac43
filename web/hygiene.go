package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Answers that are about the request itself rather than the domain: their
// codes are web's own, beside frontline's, and map to their own statuses
// (statusOf) and catalogue texts (error.CODE, error.explain.CODE).
const (
	codeTooLarge  = "too_large"          // 413: the body is over maxBodyBytes
	codeMethod    = "method_not_allowed" // 405: the path takes other methods
	codeMalformed = "malformed"          // 400: the body cannot be read as what it claims to be
)

// errTooLarge refuses a body over maxBodyBytes, before anything of it is
// used: an upload of a file too large must not read as a form out of date.
var errTooLarge = &frontline.Error{Code: codeTooLarge,
	Message: fmt.Sprintf("the request is larger than %d MiB: send a smaller file, or split it", maxBodyBytes>>20)}

// tooLarge returns errTooLarge when err is the body's limit being reached,
// and err otherwise.
func tooLarge(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errTooLarge
	}
	return err
}

// parseBody parses a posted form (urlencoded or multipart) once, so that
// a body too large is told apart from a form without a field.
func parseBody(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxBodyBytes)
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return nil
	}
	if err = tooLarge(err); err == errTooLarge {
		return err
	}
	return &frontline.Error{Code: codeMalformed, Message: "the form cannot be read; send it again from the page", Err: err}
}

// jsonProblem says what is wrong with a JSON body in the API's words: the
// field, what it must be and what came. encoding/json's own messages name
// Go types and struct fields, which mean nothing to a caller and tell a
// stranger how the server is built.
func jsonProblem(err error) error {
	if err = tooLarge(err); err == errTooLarge {
		return err
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := "the body is not a valid JSON object"
	field := ""
	switch {
	case errors.Is(err, io.EOF):
		msg = "the body is empty: send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "the body ends before its JSON does"
	case errors.As(err, &syn):
		msg = fmt.Sprintf("the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, new(*time.ParseError)):
		msg = "a time is not in RFC 3339 form, e.g. 2026-06-01T06:00:00+08:00"
	case errors.As(err, &typ):
		field = typ.Field
		msg = fmt.Sprintf("expected %s, got a JSON %s", jsonKind(typ.Type), typ.Value)
		if field == "" {
			msg = "the body must be " + jsonKind(typ.Type) + ", not a JSON " + typ.Value
		}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// DisallowUnknownFields' only way to say it; the name is the
		// caller's own key.
		msg = "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return &frontline.Error{Code: frontline.EINVALID, Field: field, Message: msg, Err: err}
}

// jsonKind names a Go type as the JSON a caller sends for it.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		if t.String() == "time.Time" {
			return "a time (RFC 3339, e.g. 2026-06-01T06:00:00+08:00)"
		}
		return "an object"
	}
	return "a value"
}

// headers sets what every answer says: Referrer-Policy keeps the address
// of a page (a search carries an ID number in its query) from leaving the
// site, on pages, API answers and files alike.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// methodNotAllowed answers 405, with the methods the path takes, to a
// request no route matched whose path is known for other methods; other
// requests go on to next (the 404).
func (s *Server) methodNotAllowed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed := s.allowedMethods(r)
		if len(allowed) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.fail(w, r, &frontline.Error{Code: codeMethod,
			Message: fmt.Sprintf("%s takes %s, not %s", r.URL.Path, strings.Join(allowed, " or "), r.Method)})
	})
}

// allowedMethods returns the methods the server takes on r's path other
// than r's own, in a fixed order; none means the path is unknown.
func (s *Server) allowedMethods(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method || (m == http.MethodGet && r.Method == http.MethodHead) {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			out = append(out, m)
		}
	}
	if slices.Contains(out, http.MethodGet) {
		out = append(out, http.MethodHead)
	}
	return out
}
