package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// AskRequest is the body of POST /v1/ask.
type AskRequest struct {
	Question string     `json:"question"`
	TopK     int        `json:"top_k"`
	History  []rag.Turn `json:"history"`
}

func (s *Server) ask(c echo.Context) error {
	var req AskRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ans, err := s.engine.Ask(c.Request().Context(), rag.Query{Question: req.Question, TopK: req.TopK, History: req.History})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ans)
}

// SearchRequest is the body of POST /v1/search.
type SearchRequest struct {
	Query string `json:"query"`
	TopK  int    `json:"top_k"`
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
	ps, err := s.engine.Search(c.Request().Context(), req.Query, req.TopK)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SearchResponse{Passages: ps})
}

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
