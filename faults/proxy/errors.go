package proxy

import (
	"errors"
	"fmt"
	"net/http"
)

// APIError is the one error type of the proxy API: a message, the HTTP
// status it maps to, and the field at fault when there is one. Its JSON
// shape ({"error": ..., "status": ...}) is Toxiproxy's, so its clients
// understand it; "field" is an addition.
type APIError struct {
	Message string `json:"error"`
	Status  int    `json:"status"`
	Field   string `json:"field,omitempty"`
	base    *APIError
}

func (e *APIError) Error() string { return e.Message }

// Unwrap lets errors.Is match the sentinel an error was derived from.
func (e *APIError) Unwrap() error {
	if e.base == nil {
		return nil
	}
	return e.base
}

func newAPIError(msg string, status int) *APIError { return &APIError{Message: msg, Status: status} }

// Sentinels. Match them with errors.Is.
var (
	ErrBadRequestBody     = newAPIError("bad request body", http.StatusBadRequest)
	ErrMissingField       = newAPIError("missing required field", http.StatusBadRequest)
	ErrInvalidField       = newAPIError("invalid field", http.StatusBadRequest)
	ErrProxyNotFound      = newAPIError("proxy not found", http.StatusNotFound)
	ErrProxyAlreadyExists = newAPIError("proxy already exists", http.StatusConflict)
	ErrInvalidStream      = newAPIError("stream was invalid, can be either upstream or downstream", http.StatusBadRequest)
	ErrInvalidToxicType   = newAPIError("invalid toxic type", http.StatusBadRequest)
	ErrToxicAlreadyExists = newAPIError("toxic already exists", http.StatusConflict)
	ErrToxicNotFound      = newAPIError("toxic not found", http.StatusNotFound)
	ErrUpstreamNotAllowed = newAPIError("upstream outside the run's allowlist", http.StatusForbidden)
	ErrUnauthorized       = newAPIError("missing or wrong bearer token", http.StatusUnauthorized)
	ErrServerClosed       = newAPIError("proxy server closed", http.StatusServiceUnavailable)
)

// wrap derives an error from a sentinel with detail appended, keeping the
// sentinel's status and errors.Is identity.
func wrap(base *APIError, field, format string, args ...any) *APIError {
	msg := base.Message
	if field != "" {
		msg += ": " + field
	}
	if format != "" {
		msg += ": " + fmt.Sprintf(format, args...)
	}
	return &APIError{Message: msg, Status: base.Status, Field: field, base: base}
}

// fieldErr is the 400 for an invalid value of a named field.
func fieldErr(field, format string, args ...any) *APIError {
	return wrap(ErrInvalidField, field, format, args...)
}

// asAPIError maps any error to an APIError (500 when it is not one).
func asAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return &APIError{Message: err.Error(), Status: http.StatusInternalServerError}
}
