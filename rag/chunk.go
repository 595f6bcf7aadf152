package rag

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tmc/langchaingo/textsplitter"
)

// Chunk is a passage of a document: bytes [Start,End) of its text.
type Chunk struct {
	ID    string `json:"chunk_id"`
	DocID string `json:"doc_id"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// ChunkOptions sets how documents are cut into passages, in characters.
type ChunkOptions struct {
	Size    int
	Overlap int
}

// DefaultChunkOptions suits news-length documents: a passage holds a
// paragraph or two, small enough that its sentences stay on one topic.
var DefaultChunkOptions = ChunkOptions{Size: 800, Overlap: 150}

// Validate returns an EINVALID error for sizes the splitter cannot use.
func (o ChunkOptions) Validate() error {
	if o.Size < 50 {
		return Errorf(EINVALID, "chunk size must be at least 50 characters, got %d", o.Size)
	}
	if o.Overlap < 0 || o.Overlap >= o.Size {
		return Errorf(EINVALID, "chunk overlap must be between 0 and the chunk size, got %d", o.Overlap)
	}
	return nil
}

// chunkSeparators are tried in order: paragraphs, lines, sentences, clauses,
// words. Cutting at the first that fits keeps passages whole sentences.
var chunkSeparators = []string{"\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""}

// chunkText cuts a document's text into chunks with langchaingo's recursive
// splitter and finds each piece's offsets in the text. Every chunk's text is
// exactly text[Start:End].
func chunkText(docID, text string, opts ChunkOptions) ([]Chunk, error) {
	splitter := textsplitter.NewRecursiveCharacter(
		textsplitter.WithChunkSize(opts.Size),
		textsplitter.WithChunkOverlap(opts.Overlap),
		textsplitter.WithSeparators(chunkSeparators),
	)
	pieces, err := splitter.SplitText(text)
	if err != nil {
		return nil, fmt.Errorf("split %s: %w", docID, err)
	}
	var chunks []Chunk
	cursor, covered := 0, 0
	for _, piece := range pieces {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		start, end := locate(text, piece, cursor, skipSpace(text, covered))
		if start < 0 || end <= covered {
			continue // not found, or wholly inside the previous chunk
		}
		end = extendToSentenceEnd(text, end)
		chunks = append(chunks, Chunk{
			ID:    fmt.Sprintf("%s#%d", docID, len(chunks)),
			DocID: docID,
			Start: start,
			End:   end,
		})
		cursor, covered = start+1, end
	}
	moveTrailingHeadings(text, chunks)
	return chunks, nil
}

// skipSpace returns the first offset at or after i that is not a space or
// line break.
func skipSpace(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\n') {
		i++
	}
	return i
}

// locate finds piece in text at or after from. Pieces follow each other,
// overlapping or touching, so of several occurrences it takes the last that
// starts by next (where uncovered text begins), else the first after it.
// The splitter drops the separator it cut at, so a piece that spans a
// dropped separator is found by its head and tail instead.
func locate(text, piece string, from, next int) (start, end int) {
	from = min(from, len(text))
	best := -1
	for at := from; at <= len(text); {
		i := strings.Index(text[at:], piece)
		if i < 0 {
			break
		}
		if best >= 0 && at+i > next {
			break
		}
		best = at + i
		if best >= next {
			break
		}
		at = best + 1
	}
	if best >= 0 {
		return best, best + len(piece)
	}
	head := piece[:prefixLen(piece, 64)]
	i := strings.Index(text[from:], head)
	if i < 0 {
		return -1, -1
	}
	start = from + i
	tail := piece[len(piece)-suffixLen(piece, 64):]
	j := strings.Index(text[start:], tail)
	if j < 0 {
		return start, min(len(text), start+len(piece))
	}
	return start, start + j + len(tail)
}

// prefixLen and suffixLen return at most n bytes of s on a rune boundary.
func prefixLen(s string, n int) int {
	if len(s) <= n {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

func suffixLen(s string, n int) int {
	if len(s) <= n {
		return len(s)
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return len(s) - i
}

// moveTrailingHeadings ends each chunk before the headings at its end and
// starts the next chunk with them: a heading opens the section after it.
func moveTrailingHeadings(text string, chunks []Chunk) {
	for i := 0; i+1 < len(chunks); i++ {
		c := &chunks[i]
		end := c.End
		for {
			cut := strings.LastIndex(text[c.Start:end], "\n\n")
			if cut <= 0 || !isHeading(text[c.Start+cut+2:end]) {
				break
			}
			end = c.Start + cut
		}
		if end == c.End {
			continue
		}
		headingStart := skipSpace(text, end)
		chunks[i+1].Start = min(chunks[i+1].Start, headingStart)
		c.End = end
	}
}

// extendToSentenceEnd takes in the full stop (and closing quote) the
// splitter cut off when it split at ". ".
func extendToSentenceEnd(text string, end int) int {
	for end < len(text) {
		r, n := utf8.DecodeRuneInString(text[end:])
		if !strings.ContainsRune(`.!?;,…"'”’)]»`, r) {
			break
		}
		end += n
	}
	return end
}

// CountChunks returns how many chunks text makes with the default options.
func CountChunks(text string) int {
	cs, _ := chunkText("", text, DefaultChunkOptions)
	return len(cs)
}
