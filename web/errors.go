package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/frontline-org/frontline"
)

// adapt turns a handler that returns an error into an http.Handler that
// renders the error.
func (s *Server) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// statusOf maps a domain error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case frontline.EINVALID:
		return http.StatusBadRequest
	case frontline.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case frontline.EFORBIDDEN:
		return http.StatusForbidden
	case frontline.ENOTFOUND:
		return http.StatusNotFound
	case frontline.ECONFLICT:
		return http.StatusConflict
	case frontline.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeMethod:
		return http.StatusMethodNotAllowed
	case codeMalformed:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// fail logs err when it is internal or an outage (the others are the
// caller's doing and would only fill the log) and renders it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if frontline.ErrorCode(err) == frontline.EINTERNAL && s.Outage != nil {
		if o := s.Outage(err); o != nil {
			err = o
		}
	}
	switch frontline.ErrorCode(err) {
	case frontline.EINTERNAL:
		s.Logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	case frontline.EUNAVAILABLE:
		s.Logger.WarnContext(r.Context(), "unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.renderError(w, r, err)
}

// retryAfter is what a 503 tells a client to wait before it sends the
// same request again, in seconds.
const retryAfter = "5"

// retryLater marks a response as "try again later": the stations' queue
// keeps a request answered so and sends it again.
func retryLater(w http.ResponseWriter) { w.Header().Set("Retry-After", retryAfter) }

// isAPI reports whether the request is for the JSON API, whose errors are
// JSON; every other path gets an HTML error page.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// errorJSON is the body of every API error.
type errorJSON struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Item is the position (from 1) of the list entry Field belongs to,
	// such as the person of a visit.
	Item int `json:"item,omitempty"`
}

// renderError writes err as JSON or as a page. Only the user-safe message
// is shown; an internal error's cause stays in the log.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := frontline.ErrorCode(err)
	status := statusOf(code)
	if code == frontline.EUNAVAILABLE {
		retryLater(w)
	}
	if isAPI(r) {
		body := errorJSON{Error: errorDetail{Code: code, Message: frontline.ErrorMessage(err), Field: frontline.ErrorField(err),
			Item: frontline.ErrorItem(err)}}
		if werr := writeJSON(w, status, body); werr != nil {
			s.Logger.Error("write error response", "err", werr)
		}
		return
	}
	if werr := s.renderErrorPage(w, r, status, err); werr != nil {
		// The error page itself failed; plain text still tells the truth.
		s.Logger.Error("render error page", "err", werr)
		http.Error(w, http.StatusText(status), status)
	}
}

// writeJSON encodes v into a buffer first, so an encoding failure becomes
// a clean 500 instead of half a body.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Message: "cannot encode the response", Err: err}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	// Responses carry personal data (masked, but still): keep them out of
	// shared and browser caches.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// A failed write means the client went away; there is no one left to
	// tell, and the status is already sent.
	w.Write(buf.Bytes())
	return nil
}
