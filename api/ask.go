package api

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// AskRequest is the body of POST /v1/ask.
type AskRequest struct {
	Question string     `json:"question"`
	TopK     int        `json:"top_k"`
	History  []rag.Turn `json:"history"`
	Stream   bool       `json:"stream"`
	// DocIDs restrict the answer to these documents' passages.
	DocIDs []string `json:"doc_ids"`
}

// wantsStream reports a request for server-sent events: "stream": true,
// or an Accept header that asks for text/event-stream.
func wantsStream(c echo.Context, asked bool) bool {
	if asked {
		return true
	}
	for _, part := range strings.Split(c.Request().Header.Get(echo.HeaderAccept), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

func (s *Server) ask(c echo.Context) error {
	var req AskRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.ready()
	if err != nil {
		return err
	}
	q := rag.Query{Question: req.Question, TopK: req.TopK, History: req.History, DocIDs: req.DocIDs}
	if err := e.Validate(q); err != nil {
		return err
	}
	if wantsStream(c, req.Stream) {
		return s.askStream(c, e, q)
	}
	ans, err := e.Ask(c.Request().Context(), q)
	if err != nil {
		return err
	}
	s.metrics.observe(ans)
	return c.JSON(http.StatusOK, ans)
}

// askStream answers as server-sent events: "citations" with the passages
// first, "delta" with pieces of text as they are written, then "done"
// with the final checked answer — or "error". Clients should show the
// done event's answer: a model's streamed text may lose invalid markers.
func (s *Server) askStream(c echo.Context, e *rag.Engine, q rag.Query) error {
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	stopOnClose := context.AfterFunc(s.closing, cancel)
	defer stopOnClose()
	st, stop := startStream(c, s.cfg.KeepAlive)
	defer stop()
	q.OnPassages = func(ps []rag.Passage) { st.send("citations", map[string]any{"passages": ps}) }
	q.OnToken = func(text string) { st.send("delta", map[string]string{"text": text}) }
	ans, err := e.Ask(ctx, q)
	if err != nil {
		st.send("error", s.streamError(err))
		return nil
	}
	s.metrics.observe(ans)
	st.send("done", ans)
	return nil
}

// streamError is the error event's payload; a shutdown says so.
func (s *Server) streamError(err error) ErrorBody {
	if s.closing.Err() != nil && errors.Is(err, context.Canceled) {
		return ErrorBody{ErrorDetail{rag.EUNAVAILABLE, "the server is shutting down; ask again in a moment"}}
	}
	_, body := s.errorResponse(err)
	if rag.ErrorCode(err) == rag.EINTERNAL {
		s.log.Error("stream failed", "err", err)
	}
	return body
}

// SearchRequest is the body of POST /v1/search.
type SearchRequest struct {
	Query string `json:"query"`
	TopK  int    `json:"top_k"`
	// DocIDs restrict the search to these documents.
	DocIDs []string `json:"doc_ids"`
}

// SearchResponse lists passages, best first.
type SearchResponse struct {
	Passages []rag.Passage `json:"passages"`
}

func (s *Server) search(c echo.Context) error {
	var req SearchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.ready()
	if err != nil {
		return err
	}
	ps, err := e.Search(c.Request().Context(), req.Query, req.TopK, req.DocIDs...)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SearchResponse{Passages: ps})
}
