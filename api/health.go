package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// ReadyStatus is the body of GET /readyz.
type ReadyStatus struct {
	Ready     bool   `json:"ready"`
	Documents int    `json:"documents"`
	Chunks    int    `json:"chunks"`
	Embedder  string `json:"embedder,omitempty"`
}

// readyz answers 200 once the index is loaded, 503 before.
func (s *Server) readyz(c echo.Context) error {
	e := s.engine.Load()
	if e == nil {
		return c.JSON(http.StatusServiceUnavailable, ReadyStatus{})
	}
	st := e.Index.Stats()
	return c.JSON(http.StatusOK, ReadyStatus{Ready: true, Documents: st.Documents, Chunks: st.Chunks, Embedder: st.Embedder})
}
