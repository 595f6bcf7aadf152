package rag

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzChunk: for any text, cleaning keeps valid UTF-8 and every chunk is
// exactly the text at its offsets, in order, within bounds.
func FuzzChunk(f *testing.F) {
	f.Add("Hello world. This is a test.\n\nSecond paragraph here.", 100, 20)
	f.Add(mustReadSeedF(f, "001_d85a46f5a13e0507.txt"), 800, 150)
	f.Add("a\n\n\n\nb", 50, 0)
	f.Add("U.S. “quoted.” x… 東京。 \x00\xff", 60, 10)
	f.Fuzz(func(t *testing.T, raw string, size, overlap int) {
		size = 50 + abs(size)%2000
		overlap = abs(overlap) % size
		text, title := Clean(raw)
		if !utf8.ValidString(text) || !utf8.ValidString(title) {
			t.Fatalf("invalid UTF-8 out of Clean")
		}
		chunks, err := chunkText("d", text, ChunkOptions{Size: size, Overlap: overlap})
		if err != nil {
			t.Fatal(err)
		}
		prev := -1
		for _, c := range chunks {
			if c.Start < 0 || c.End > len(text) || c.Start >= c.End || c.Start <= prev {
				t.Fatalf("chunk [%d,%d) after %d in %d bytes", c.Start, c.End, prev, len(text))
			}
			if !utf8.ValidString(text[c.Start:c.End]) {
				t.Fatalf("chunk [%d,%d) splits a character", c.Start, c.End)
			}
			prev = c.Start
		}
		for _, s := range sentences(text, 0, len(text)) {
			if s.Start < 0 || s.End > len(text) || s.Start > s.End {
				t.Fatalf("sentence [%d,%d)", s.Start, s.End)
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // the most negative int
			return 0
		}
		return -n
	}
	return n
}

func mustReadSeedF(f *testing.F, name string) string {
	f.Helper()
	return mustReadSeed(f, name)
}

// FuzzLoaders: no input makes a loader panic, and what loads is UTF-8.
func FuzzLoaders(f *testing.F) {
	f.Add([]byte("<html><body><p>Hi &amp; bye</p><script>x</script></body></html>"), ".html")
	f.Add(minimalPDF("Hello from a page."), ".pdf")
	f.Add([]byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF"), ".pdf")
	f.Add([]byte("# Title\n\nSome *text* with [a link](http://x)."), ".md")
	f.Add([]byte("plain \xff\xfe text"), ".txt")
	f.Fuzz(func(t *testing.T, data []byte, ext string) {
		if ext != ".html" && ext != ".pdf" && ext != ".md" && ext != ".txt" {
			ext = ".txt"
		}
		d, err := LoadDocument("f"+ext, "f"+ext, data)
		if err != nil {
			if ErrorCode(err) != EINVALID && !strings.Contains(err.Error(), "load") {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if !utf8.ValidString(d.Text) || !utf8.ValidString(d.Title) {
			t.Fatal("invalid UTF-8 in a loaded document")
		}
	})
}

// FuzzAnalyzeQuestion: whatever is typed, reading the question neither
// panics nor loses track of where its core starts.
func FuzzAnalyzeQuestion(f *testing.F) {
	for _, s := range []string{
		"WHO IS THE ENVOY", "hwo many drones? thx", "ok so, whats the date of the summit lol",
		"İSTANBUL WHO", "my notes say two ships sailed. how many came back?", "thanks!", "?", "",
		"wen — was it", "a, b, c, d, e", "caspian fleet how many warships 🙂",
	} {
		f.Add(s)
	}
	ix := mustSeedIndex(f)
	f.Fuzz(func(t *testing.T, text string) {
		q := ix.AnalyzeQuestion(text)
		if q.Core < 0 || q.Core > len(q.Text) {
			t.Fatalf("%q: core %d of %d bytes", text, q.Core, len(q.Text))
		}
		for _, term := range q.Terms {
			if term.Surface == "" || term.Stem == "" {
				t.Fatalf("%q: empty term %+v", text, term)
			}
		}
	})
}
