package rag

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Limits that bound the work one PDF can cause: its zlib streams may
// inflate to maxPDFInflated bytes in all, and so may its pages' content as
// the reader decodes it page after page (a stream shared by many pages,
// filter chains and encryption included); it may have maxPDFPages pages,
// and its text may run to maxPDFText bytes. A file past one is refused
// with the limit it hit, before (or instead of) being read further.
const (
	maxPDFInflated = 256 << 20
	maxPDFPages    = 5000
	maxPDFText     = 16 << 20
)

// loadPDF returns the text of a PDF, page after page. (The PDF reader
// panics on some malformed files; LoadDocument turns that into EINVALID.)
func loadPDF(data []byte) (string, error) {
	if err := checkPDFStreams(data); err != nil {
		return "", err
	}
	reader, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", Errorf(EINVALID, "read pdf: %v", err)
	}
	pages := reader.NumPage()
	if pages > maxPDFPages {
		return "", Errorf(ETOOLARGE, "the PDF has %d pages; at most %d are read", pages, maxPDFPages)
	}
	var b strings.Builder
	fonts := map[string]*pdf.Font{}
	// Each page's content is decoded again for every page that uses it,
	// through whatever filters it names: all of it counts against one
	// budget, counted before the page is read.
	budget := int64(maxPDFInflated)
	for i := 1; i <= pages; i++ {
		p := reader.Page(i)
		if p.V.IsNull() {
			continue
		}
		if budget -= contentBytes(p.V.Key("Contents"), budget); budget < 0 {
			return "", Errorf(ETOOLARGE, "the PDF's pages inflate past %d MB (at page %d)", maxPDFInflated>>20, i)
		}
		for _, name := range p.Fonts() {
			if _, ok := fonts[name]; !ok {
				f := p.Font(name)
				fonts[name] = &f
			}
		}
		t, err := p.GetPlainText(fonts)
		if err != nil {
			return "", Errorf(EINVALID, "read pdf page %d: %v", i, err)
		}
		if b.Len()+len(t) > maxPDFText {
			return "", Errorf(ETOOLARGE, "the PDF's text runs past %d MB (at page %d)", maxPDFText>>20, i)
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(t)
	}
	return b.String(), nil
}

// checkPDFStreams inflates every zlib stream of the file into nothing,
// counting, and refuses a file whose streams inflate past maxPDFInflated:
// a small PDF can hold a stream that inflates to gigabytes, which the
// reader would hold in memory whole.
func checkPDFStreams(data []byte) error {
	budget := int64(maxPDFInflated)
	for at := 0; ; {
		i := bytes.Index(data[at:], []byte("stream"))
		if i < 0 {
			return nil
		}
		at += i + len("stream")
		start := at
		if start < len(data) && data[start] == '\r' {
			start++
		}
		if start < len(data) && data[start] == '\n' {
			start++
		}
		zr, err := zlib.NewReader(bytes.NewReader(data[start:]))
		if err != nil {
			continue // not a zlib stream ("endstream", or another filter)
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(zr, budget+1))
		zr.Close()
		budget -= n
		if budget < 0 {
			return Errorf(ETOOLARGE, "the PDF's compressed streams inflate past %d MB", maxPDFInflated>>20)
		}
	}
}

// contentBytes decodes a page's content (a stream or an array of them)
// into nothing and returns its size, up to limit+1.
func contentBytes(v pdf.Value, limit int64) int64 {
	switch v.Kind() {
	case pdf.Array:
		var n int64
		for i := 0; i < v.Len() && n <= limit; i++ {
			n += contentBytes(v.Index(i), limit-n)
		}
		return n
	case pdf.Stream:
		rc := v.Reader()
		defer rc.Close()
		n, _ := io.Copy(io.Discard, io.LimitReader(rc, limit+1))
		return n
	}
	return 0
}
