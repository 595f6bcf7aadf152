package api

import (
	"embed"
	"io/fs"
	"net/http"
	"path"

	"github.com/labstack/echo/v4"
)

//go:embed web
var webFiles embed.FS

var webRoot, _ = fs.Sub(webFiles, "web")

// chatPage serves the chat page; no build step, no outside requests.
func (s *Server) chatPage(c echo.Context) error {
	page, err := fs.ReadFile(webRoot, "index.html")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, page)
}

// assets serves the page's script and style.
func (s *Server) assets(c echo.Context) error {
	name := path.Clean("/" + c.Param("*"))[1:]
	data, err := fs.ReadFile(webRoot, name)
	if err != nil || name == "index.html" {
		return echo.ErrNotFound
	}
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	ct, ok := types[path.Ext(name)]
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, ct, data)
}
