package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// statusOf maps the core's error codes to HTTP statuses; the one place
// that does.
var statusOf = map[string]int{
	rag.EINVALID:      http.StatusUnprocessableEntity,
	rag.ETOOLARGE:     http.StatusUnprocessableEntity,
	rag.ENOTFOUND:     http.StatusNotFound,
	rag.ECONFLICT:     http.StatusConflict,
	rag.EUNAUTHORIZED: http.StatusUnauthorized,
	rag.EFORBIDDEN:    http.StatusForbidden,
	rag.ERATELIMIT:    http.StatusTooManyRequests,
	rag.EUNAVAILABLE:  http.StatusServiceUnavailable,
	rag.ETIMEOUT:      http.StatusServiceUnavailable,
	rag.EINTERNAL:     http.StatusInternalServerError,
	rag.EFULL:         http.StatusInsufficientStorage,
}

// Codes for errors the HTTP layer finds before the core sees a request.
const (
	codeBadJSON     = "bad_json"
	codeBodyTooBig  = "body_too_large"
	codeNoRoute     = "no_route"
	codeBadMethod   = "method_not_allowed"
	codeBadType     = "unsupported_media_type"
	codeHTTPGeneric = "http_error"
)

// ErrorBody is the one JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names what went wrong: a stable code and a message for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// httpError is an error decided by the HTTP layer itself.
type httpError struct {
	status  int
	code    string
	message string
}

func (e *httpError) Error() string { return e.message }

func badRequest(code, message string) error {
	return &httpError{status: http.StatusBadRequest, code: code, message: message}
}

// handleError writes any error a handler or middleware returns as JSON.
// Internal errors are logged with their details and shown as "internal
// error".
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if oe, ok := err.(*openAIError); ok {
		if oe.status >= 500 {
			s.log.Error("request failed", "id", requestIDOf(c), "path", c.Path(), "status", oe.status, "err", err)
		}
		c.JSON(oe.status, oe.body())
		return
	}
	status, body := s.errorResponse(err)
	if status >= 500 {
		s.log.Error("request failed", "id", requestIDOf(c), "path", c.Path(), "status", status, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	c.JSON(status, body)
}

func (s *Server) errorResponse(err error) (int, ErrorBody) {
	var he *httpError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.status, ErrorBody{ErrorDetail{he.code, he.message}}
	case errors.As(err, &ee):
		return echoError(ee)
	}
	code := rag.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, ErrorBody{ErrorDetail{code, rag.ErrorMessage(err)}}
}

// echoError turns echo's own errors (unknown route, body limit, …) into
// the common shape.
func echoError(e *echo.HTTPError) (int, ErrorBody) {
	code := codeHTTPGeneric
	switch e.Code {
	case http.StatusNotFound:
		code = codeNoRoute
	case http.StatusMethodNotAllowed:
		code = codeBadMethod
	case http.StatusRequestEntityTooLarge:
		code = codeBodyTooBig
	case http.StatusUnsupportedMediaType:
		code = codeBadType
	case http.StatusBadRequest:
		code = codeBadJSON
	case http.StatusServiceUnavailable:
		code = rag.EUNAVAILABLE
	case http.StatusTooManyRequests:
		code = rag.ERATELIMIT
	}
	msg := http.StatusText(e.Code)
	if m, ok := e.Message.(string); ok && e.Code < 500 {
		msg = m
	}
	return e.Code, ErrorBody{ErrorDetail{code, msg}}
}
