package rag

import (
	"crypto/sha256"
	"encoding/hex"
	"golang.org/x/text/unicode/norm"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Document origins: a file of the corpus directory, or text added through
// the API. Syncing with the corpus directory only removes corpus documents.
const (
	OriginCorpus = "corpus"
	OriginUpload = "upload"
)

// Document is a cleaned source text. Its chunks index bytes of Text.
type Document struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Labels are the lines above the headline (site name, section): not
	// quoted, but searched with every chunk.
	Labels string `json:"labels,omitempty"`
	Text   string `json:"text"`
	Hash   string `json:"hash"`
	Origin string `json:"origin"`
	// FileSize and FileMod (Unix nanoseconds) are the corpus file's as it
	// was read: a file that still has both is not read again.
	FileSize int64   `json:"-"`
	FileMod  int64   `json:"-"`
	Chunks   []Chunk `json:"chunks"`
}

// NewDocument cleans raw text into a document with the given id. The hash
// covers the cleaned text and labels, so re-ingesting unchanged content is a no-op.
func NewDocument(id, raw string) *Document {
	text, title, labels := clean(raw)
	sum := sha256.Sum256([]byte(text))
	if labels != "" {
		sum = sha256.Sum256([]byte(labels + "\x00" + text))
	}
	return &Document{ID: id, Title: title, Labels: labels, Text: text, Hash: hex.EncodeToString(sum[:]), Origin: OriginCorpus}
}

// MaxDocIDLength bounds a document id, in bytes.
const MaxDocIDLength = 200

// NormalizeDocID puts an id in Unicode normal form C, so that ids that
// look the same ("café" composed or decomposed) are one id. Ids stay case
// sensitive, like the file names they come from: "Notes.txt" and
// "notes.txt" are two documents.
func NormalizeDocID(id string) string { return norm.NFC.String(id) }

// ValidateDocID returns EINVALID unless id is a clean relative path: no
// empty, "." or ".." parts, no leading slash, backslash, control
// characters or invisible format characters (zero-width spaces and joiners,
// byte-order marks, bidirectional overrides), which would let two ids
// look alike or one read backwards. Ids name files and URLs, so none may
// step outside its directory.
func ValidateDocID(id string) error {
	switch {
	case id == "":
		return Errorf(EINVALID, "the document id is empty")
	case len(id) > MaxDocIDLength:
		return Errorf(EINVALID, "the document id is longer than %d bytes", MaxDocIDLength)
	case !utf8.ValidString(id):
		return Errorf(EINVALID, "the document id is not valid UTF-8")
	case strings.HasPrefix(id, "/") || strings.Contains(id, "\\"):
		return Errorf(EINVALID, "the document id %q must be a relative path with forward slashes", id)
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return Errorf(EINVALID, "the document id contains a control character")
		}
		if unicode.Is(unicode.Cf, r) {
			return Errorf(EINVALID, "the document id contains an invisible or direction-changing character (U+%04X)", r)
		}
	}
	for _, part := range strings.Split(id, "/") {
		if part == "" || part == "." || part == ".." {
			return Errorf(EINVALID, "the document id %q has an empty, \".\" or \"..\" part", id)
		}
	}
	return nil
}
