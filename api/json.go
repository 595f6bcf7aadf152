package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// decodeJSON reads a request body of JSON into v. A content type other
// than application/json is a 415: a page on another site can send
// text/plain, a form or no type at all without asking the browser first,
// but not JSON. Malformed JSON or trailing data are 400s; a body over the
// limit is a 413.
func decodeJSON(c echo.Context, v any) error {
	req := c.Request()
	ct := req.Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
		return &httpError{status: http.StatusUnsupportedMediaType, code: codeBadType,
			message: fmt.Sprintf("send the body as %s, not %q", echo.MIMEApplicationJSON, ct)}
	}
	body, err := io.ReadAll(req.Body) // bounded by the body limit
	if err != nil {
		return jsonError(err)
	}
	if !utf8.Valid(body) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return badRequest(codeBadJSON, "the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return badRequest(codeBadJSON, "the body holds more than one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var maxErr *http.MaxBytesError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var echoErr *echo.HTTPError
	switch {
	case errors.As(err, &echoErr): // the body limit middleware's 413
		return echoErr
	case errors.As(err, &maxErr):
		return &httpError{status: http.StatusRequestEntityTooLarge, code: codeBodyTooBig,
			message: fmt.Sprintf("the body is larger than %d bytes", maxErr.Limit)}
	case errors.Is(err, io.EOF):
		return badRequest(codeBadJSON, "the body is empty; send a JSON object")
	case errors.As(err, &syntaxErr):
		return badRequest(codeBadJSON, fmt.Sprintf("malformed JSON at byte %d: %v", syntaxErr.Offset, syntaxErr))
	case errors.As(err, &typeErr):
		return badRequest(codeBadJSON, fmt.Sprintf("field %q must be %s, not %s", typeErr.Field, typeErr.Type, typeErr.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest(codeBadJSON, "the JSON body ends too early")
	}
	return badRequest(codeBadJSON, "malformed JSON: "+err.Error())
}
