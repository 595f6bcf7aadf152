package rag

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// checkChunks asserts the chunk invariants: offsets inside the text, in
// order, overlapping or touching, and together covering every word.
func checkChunks(t *testing.T, text string, chunks []Chunk, opts ChunkOptions) {
	t.Helper()
	covered := make([]bool, len(text))
	prevStart := -1
	for i, c := range chunks {
		if c.Start < 0 || c.End > len(text) || c.Start >= c.End {
			t.Fatalf("chunk %d has bad offsets [%d,%d) for %d bytes", i, c.Start, c.End, len(text))
		}
		if c.Start <= prevStart {
			t.Errorf("chunk %d starts at %d, not after chunk %d at %d", i, c.Start, i-1, prevStart)
		}
		prevStart = c.Start
		got := text[c.Start:c.End]
		if strings.TrimSpace(got) != got {
			t.Errorf("chunk %d has surrounding space: %q", i, got)
		}
		if n := len([]rune(got)); n > opts.Size*2 {
			t.Errorf("chunk %d is %d characters, size %d", i, n, opts.Size)
		}
		for j := c.Start; j < c.End; j++ {
			covered[j] = true
		}
	}
	for j, r := range text {
		if !covered[j] && !strings.ContainsRune(" \n", r) {
			t.Fatalf("byte %d (%q) is in no chunk; context %q", j, r, text[max(0, j-30):min(len(text), j+30)])
		}
	}
}

func TestChunkSeedsKeepOffsets(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	for _, d := range ix.Documents() {
		if len(d.Chunks) == 0 {
			t.Fatalf("%s has no chunks", d.ID)
		}
		checkChunks(t, d.Text, d.Chunks, DefaultChunkOptions)
		for _, c := range d.Chunks {
			p := ix.passage(ix.slotOf[c.ID], 0)
			if p.Text != d.Text[c.Start:c.End] {
				t.Errorf("%s: passage text is not doc.Text[%d:%d]", c.ID, c.Start, c.End)
			}
			if c.DocID != d.ID {
				t.Errorf("%s: doc id %q", c.ID, c.DocID)
			}
		}
	}
}

func TestChunkEndsAtSentences(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "The committee met for the %dth time on a rainy day to review the harbour plans. ", i)
	}
	text := strings.TrimSpace(b.String())
	chunks, err := chunkText("d", text, ChunkOptions{Size: 300, Overlap: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) < 5 {
		t.Fatalf("got %d chunks", len(chunks))
	}
	for _, c := range chunks {
		if !strings.HasSuffix(text[c.Start:c.End], ".") {
			t.Errorf("chunk %s ends mid-sentence: %q", c.ID, text[max(c.Start, c.End-20):c.End])
		}
	}
	// Overlap: consecutive chunks share text.
	if chunks[1].Start >= chunks[0].End {
		t.Errorf("no overlap: chunk 0 ends %d, chunk 1 starts %d", chunks[0].End, chunks[1].Start)
	}
	checkChunks(t, text, chunks, ChunkOptions{Size: 300, Overlap: 100})
}

func TestChunkRandomTextsKeepOffsets(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(7))
	vocab := strings.Fields("alpha beta gamma delta Ærø naïve 東京 “quoted” U.S. end. stop! why? — x")
	for trial := 0; trial < 50; trial++ {
		var b strings.Builder
		for i := 0; i < 50+rng.Intn(400); i++ {
			b.WriteString(vocab[rng.Intn(len(vocab))])
			switch rng.Intn(12) {
			case 0:
				b.WriteString("\n\n")
			case 1:
				b.WriteString("\n")
			default:
				b.WriteString(" ")
			}
		}
		text, _ := Clean(b.String())
		opts := ChunkOptions{Size: 50 + rng.Intn(400), Overlap: rng.Intn(40)}
		chunks, err := chunkText("d", text, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkChunks(t, text, chunks, opts)
	}
}

func TestChunkOptionsValidate(t *testing.T) {
	t.Parallel()
	for _, o := range []ChunkOptions{{Size: 10, Overlap: 0}, {Size: 100, Overlap: 100}, {Size: 100, Overlap: -1}} {
		if err := o.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%+v: err = %v, want EINVALID", o, err)
		}
	}
	if err := DefaultChunkOptions.Validate(); err != nil {
		t.Error(err)
	}
}
