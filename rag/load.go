package rag

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Loader turns a file's bytes into plain text.
type Loader func(data []byte) (string, error)

// loaders maps a lower-case file extension to its loader.
var loaders = map[string]Loader{
	".txt":      loadText,
	".text":     loadText,
	".md":       loadMarkdown,
	".markdown": loadMarkdown,
	".html":     loadHTML,
	".htm":      loadHTML,
	".pdf":      loadPDF,
}

// LoaderFor returns the loader for a file name, by its extension in any case.
func LoaderFor(name string) (Loader, bool) {
	l, ok := loaders[strings.ToLower(filepath.Ext(name))]
	return l, ok
}

// SupportedExtensions lists the file extensions the loaders read.
func SupportedExtensions() []string {
	return []string{".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf"}
}

func loadText(data []byte) (string, error) {
	return string(bytes.ToValidUTF8(data, []byte("\uFFFD"))), nil
}

var (
	mdImage   = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	mdLink    = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	mdHeading = regexp.MustCompile(`(?m)^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	mdFence   = regexp.MustCompile("(?m)^\\s*(```|~~~).*$")
	mdEmph    = regexp.MustCompile(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	mdBullet  = regexp.MustCompile(`(?m)^\s*([-*+]|\d+[.)])\s+`)
	mdQuote   = regexp.MustCompile(`(?m)^\s*>\s?`)
)

// loadMarkdown keeps the words of a Markdown file and drops its markup.
// Headings and list items become lines of their own.
func loadMarkdown(data []byte) (string, error) {
	s, _ := loadText(data)
	s = mdFence.ReplaceAllString(s, "")
	s = mdImage.ReplaceAllString(s, "")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdHeading.ReplaceAllString(s, "\n$1\n")
	s = mdEmph.ReplaceAllString(s, "$2")
	s = mdBullet.ReplaceAllString(s, "\n")
	s = mdQuote.ReplaceAllString(s, "")
	return s, nil
}

// Elements whose content a reader never sees as the page's text.
var hiddenElements = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true,
	"canvas": true, "iframe": true, "object": true, "head": true, "nav": true,
	"footer": true, "aside": true, "form": true, "button": true, "select": true,
}

// Elements that start a new paragraph.
var blockElements = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "li": true, "ul": true, "ol": true, "tr": true, "table": true, "section": true,
	"article": true, "blockquote": true, "pre": true, "header": true, "main": true,
	"figure": true, "figcaption": true, "dd": true, "dt": true, "dl": true, "hr": true,
	"address": true, "details": true, "summary": true, "br": true, "td": true, "th": true,
}

// loadHTML returns the visible text of an HTML page, a paragraph per block
// element, with entities decoded.
func loadHTML(data []byte) (string, error) {
	root, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return "", Errorf(EINVALID, "parse html: %v", err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if hiddenElements[n.Data] || hasAttr(n, "hidden") || strings.EqualFold(attr(n, "aria-hidden"), "true") {
				return
			}
		}
		block := n.Type == html.ElementNode && blockElements[n.Data]
		if block {
			b.WriteString("\n\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteString("\n\n")
		}
	}
	walk(root)
	// Inside a block, source line breaks are just spaces.
	out := strings.Split(b.String(), "\n\n")
	for i, p := range out {
		out[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(out, "\n\n"), nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// LoadDocument reads a file's text with the loader for its extension and
// cleans it into a [Document] with the given id. It returns EINVALID for an
// unsupported extension or an unreadable file, also when the loader
// panics on it.
func LoadDocument(id, name string, data []byte) (doc *Document, err error) {
	load, ok := LoaderFor(name)
	if !ok {
		return nil, Errorf(EINVALID, "unsupported file type %q (supported: %s)", filepath.Ext(name), strings.Join(SupportedExtensions(), ", "))
	}
	// A parser that panics on a malformed file (the PDF reader does) has
	// read a file that is not what it claims, wherever it is called from.
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, Errorf(EINVALID, "%s could not be read: malformed %s (%v)", id, strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), "."), r)
		}
	}()
	raw, err := load(data)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", id, err)
	}
	if bad, total := notText(raw); total >= 64 && bad*100 > total*maxNotTextPercent {
		return nil, Errorf(EINVALID, "%s is mostly not text: %d of its %d characters are undecodable bytes or control characters; send UTF-8 text, Markdown, HTML or PDF", id, bad, total)
	}
	return NewDocument(id, raw), nil
}

// maxNotTextPercent is the share of undecodable bytes and control
// characters past which a file is taken for binary data, not text. Text in
// a legacy 8-bit encoding stays under it: its accented letters are a few
// per cent of its characters.
const maxNotTextPercent = 10

// notText counts the characters of s that no text holds — replacement
// characters for undecodable bytes, and control characters other than
// line breaks and tabs — and all its non-space characters.
func notText(s string) (bad, total int) {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == ' ':
			continue
		case r == utf8.RuneError, unicode.IsControl(r):
			bad++
		}
		total++
	}
	return bad, total
}
