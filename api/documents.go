package api

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/rag"
)

// DocumentSummary is one entry of GET /v1/documents.
type DocumentSummary struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Bytes  int    `json:"bytes"`
	Chunks int    `json:"chunks"`
	Origin string `json:"origin"`
}

// DocumentList is the body of GET /v1/documents.
type DocumentList struct {
	Documents []DocumentSummary `json:"documents"`
}

func (s *Server) listDocuments(c echo.Context) error {
	e, err := s.ready()
	if err != nil {
		return err
	}
	out := DocumentList{Documents: []DocumentSummary{}}
	for _, d := range e.Index.Documents() {
		out.Documents = append(out.Documents, DocumentSummary{ID: d.ID, Title: d.Title, Bytes: len(d.Text), Chunks: len(d.Chunks), Origin: d.Origin})
	}
	return c.JSON(http.StatusOK, out)
}

// docID reads the document id from the path after /v1/documents/.
func docID(c echo.Context) (string, error) {
	// Decoded once, from the path as sent: the router's parameter is
	// decoded already, and decoding it again would make "pct%2541" (the
	// id "pct%41") name "pctA".
	raw, ok := strings.CutPrefix(c.Request().URL.EscapedPath(), "/v1/documents/")
	if !ok {
		return "", rag.Errorf(rag.EINVALID, "no document id in the path")
	}
	id, err := url.PathUnescape(raw)
	if err != nil {
		return "", rag.Errorf(rag.EINVALID, "the document id in the path is not properly escaped")
	}
	id = rag.NormalizeDocID(id)
	return id, rag.ValidateDocID(id)
}

// pathDocument returns the engine and the document the path names.
func (s *Server) pathDocument(c echo.Context) (*rag.Engine, *rag.Document, error) {
	e, err := s.ready()
	if err != nil {
		return nil, nil, err
	}
	id, err := docID(c)
	if err != nil {
		return nil, nil, err
	}
	d, err := e.Index.Document(id)
	return e, d, err
}

func (s *Server) getDocument(c echo.Context) error {
	_, d, err := s.pathDocument(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

// UploadText is the JSON form of POST /v1/documents.
type UploadText struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	// Format names the text's kind by extension: txt (default), md or html.
	Format string `json:"format"`
}

// UploadResult is the body of a successful upload.
type UploadResult struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Chunks   int    `json:"chunks"`
	Replaced bool   `json:"replaced"`
}

// uploadDocument adds or replaces a document: a multipart file upload
// ("file", and optionally "id"), or JSON {id, text, format}. The index is
// saved before the answer, so an acknowledged document survives a crash.
func (s *Server) uploadDocument(c echo.Context) error {
	e, err := s.ready()
	if err != nil {
		return err
	}
	id, name, data, err := readUpload(c)
	if err != nil {
		return err
	}
	id = rag.NormalizeDocID(id)
	if err := rag.ValidateDocID(id); err != nil {
		return err
	}
	doc, err := loadWithin(c.Request().Context(), id, name, data)
	if err != nil {
		return err
	}
	if strings.TrimSpace(doc.Text) == "" {
		return rag.Errorf(rag.EINVALID, "the document has no text")
	}
	doc.Origin = rag.OriginUpload
	old, err := e.Index.Document(id)
	replaced := err == nil
	if replaced && old.Origin == rag.OriginCorpus {
		return rag.Errorf(rag.ECONFLICT, "%q is a file of the corpus directory; change it there", id)
	}
	// The index is durable when Upsert returns: an error means nothing changed.
	if _, err := e.Index.Upsert(c.Request().Context(), []*rag.Document{doc}, nil); err != nil {
		return err
	}
	s.log.Info("document stored", "id", id, "chunks", len(doc.Chunks), "replaced", replaced)
	return c.JSON(http.StatusCreated, UploadResult{ID: id, Title: doc.Title, Chunks: len(doc.Chunks), Replaced: replaced})
}

// readUpload returns the document id, a file name that selects the
// loader, and the bytes.
func readUpload(c echo.Context) (id, name string, data []byte, err error) {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt == echo.MIMEMultipartForm {
		fh, err := c.FormFile("file")
		if err != nil {
			return "", "", nil, rag.Errorf(rag.EINVALID, "send the document as the form field \"file\"")
		}
		f, err := fh.Open()
		if err != nil {
			return "", "", nil, err
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		if err != nil {
			return "", "", nil, jsonError(err)
		}
		id := c.FormValue("id")
		if id == "" {
			id = path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
		}
		return id, fh.Filename, data, nil
	}
	var req UploadText
	if err := decodeJSON(c, &req); err != nil {
		return "", "", nil, err
	}
	format := strings.TrimPrefix(strings.ToLower(req.Format), ".")
	if format == "" {
		format = "txt"
	}
	if _, ok := rag.LoaderFor("x." + format); !ok || format == "pdf" {
		return "", "", nil, rag.Errorf(rag.EINVALID, "format must be txt, md or html, not %q", req.Format)
	}
	return req.ID, req.ID + "." + format, []byte(req.Text), nil
}

func (s *Server) deleteDocument(c echo.Context) error {
	e, d, err := s.pathDocument(c)
	if err != nil {
		return err
	}
	id := d.ID
	if d.Origin == rag.OriginCorpus {
		return rag.Errorf(rag.ECONFLICT, "%q is a file of the corpus directory; remove it there", id)
	}
	if _, err := e.Index.Remove(c.Request().Context(), id); err != nil {
		return err
	}
	s.log.Info("document deleted", "id", id)
	return c.NoContent(http.StatusNoContent)
}

// loadWithin reads an upload's text, giving up at the request's deadline.
// The loaders' own limits bound what a read left running can still cost.
func loadWithin(ctx context.Context, id, name string, data []byte) (*rag.Document, error) {
	type result struct {
		doc *rag.Document
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := rag.LoadDocument(id, name, data) // recovers its loaders' panics

		done <- result{d, err}
	}()
	select {
	case r := <-done:
		return r.doc, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// CorpusInfo is the body of GET /v1/corpus: what the chat page shows a
// newcomer before the first question.
type CorpusInfo struct {
	Documents int    `json:"documents"`
	Chunks    int    `json:"chunks"`
	Updated   string `json:"updated,omitempty"` // RFC 3339; empty for an index never changed
	// Titles are the first documents' titles, by id.
	Titles []DocumentSummary `json:"titles"`
	// Suggestions are questions made from the corpus (they change with it).
	Suggestions []string `json:"suggestions"`
}

func (s *Server) corpusInfo(c echo.Context) error {
	e, err := s.ready()
	if err != nil {
		return err
	}
	st := e.Index.Stats()
	info := CorpusInfo{Documents: st.Documents, Chunks: st.Chunks, Titles: []DocumentSummary{}, Suggestions: e.Index.SuggestQuestions(4)}
	if u := e.Index.Updated(); !u.IsZero() {
		info.Updated = u.UTC().Format(time.RFC3339)
	}
	for _, d := range e.Index.Documents() {
		if len(info.Titles) == 8 {
			break
		}
		info.Titles = append(info.Titles, DocumentSummary{ID: d.ID, Title: d.Title, Bytes: len(d.Text), Chunks: len(d.Chunks), Origin: d.Origin})
	}
	if info.Suggestions == nil {
		info.Suggestions = []string{}
	}
	return c.JSON(http.StatusOK, info)
}
