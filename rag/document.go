package rag

import (
	"crypto/sha256"
	"encoding/hex"
)

// Document origins: a file of the corpus directory, or text added through
// the API. Syncing with the corpus directory only removes corpus documents.
const (
	OriginCorpus = "corpus"
	OriginUpload = "upload"
)

// Document is a cleaned source text. Its chunks index bytes of Text.
type Document struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	Text   string  `json:"text"`
	Hash   string  `json:"hash"`
	Origin string  `json:"origin"`
	Chunks []Chunk `json:"chunks"`
}

// NewDocument cleans raw text into a document with the given id. The hash
// covers the cleaned text, so re-ingesting unchanged content is a no-op.
func NewDocument(id, raw string) *Document {
	text, title := Clean(raw)
	sum := sha256.Sum256([]byte(text))
	return &Document{ID: id, Title: title, Text: text, Hash: hex.EncodeToString(sum[:]), Origin: OriginCorpus}
}
