package rag

import (
	"bytes"
	"compress/flate"
	"encoding/ascii85"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"strings"
	"testing"
)

func TestLoadHTMLVisibleTextOnly(t *testing.T) {
	t.Parallel()
	page := `<!doctype html><html><head><title>Ignored head</title><style>p{color:red}</style>
<script>var secret = "do not index";</script></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<h1>Harbour &amp; River Authority Opens a New Terminal</h1>
<p>The terminal&nbsp;opened on <b>Tuesday</b> &mdash; after three years of work.</p>
<div hidden>hidden text</div><p aria-hidden="true">aria hidden</p>
<ul><li>First item</li><li>Second item</li></ul>
<noscript>enable javascript</noscript>
<footer>Copyright footer</footer></body></html>`
	text, err := loadHTML([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Harbour & River Authority Opens a New Terminal", "The terminal opened on Tuesday — after three years of work.", "First item", "Second item"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	for _, bad := range []string{"secret", "color:red", "Ignored head", "Home", "hidden text", "aria hidden", "enable javascript", "Copyright footer"} {
		if strings.Contains(text, bad) {
			t.Errorf("keeps invisible %q in:\n%s", bad, text)
		}
	}
	d, err := LoadDocument("page.html", "page.HTML", []byte(page))
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Harbour & River Authority Opens a New Terminal" {
		t.Errorf("title %q", d.Title)
	}
}

func TestLoadMarkdown(t *testing.T) {
	t.Parallel()
	md := "# Annual Report of the Harbour Authority\n\nThe **harbour** handled [more ships](http://x.test) than ever.\n\n![chart](c.png)\n\n- one point\n- another point\n"
	d, err := LoadDocument("r.md", "r.MD", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Annual Report of the Harbour Authority" {
		t.Errorf("title %q", d.Title)
	}
	for _, bad := range []string{"**", "](", "#", "chart"} {
		if strings.Contains(d.Text, bad) {
			t.Errorf("markup %q left in %q", bad, d.Text)
		}
	}
	if !strings.Contains(d.Text, "The harbour handled more ships than ever.") {
		t.Errorf("text %q", d.Text)
	}
}

func TestLoadUnsupportedAndInvalid(t *testing.T) {
	t.Parallel()
	if _, err := LoadDocument("x.docx", "x.docx", []byte("zip")); ErrorCode(err) != EINVALID {
		t.Errorf("docx: %v", err)
	}
	if _, err := LoadDocument("x.pdf", "x.pdf", []byte("%PDF-1.4 not really")); ErrorCode(err) != EINVALID {
		t.Errorf("bad pdf: %v", err)
	}
	d, err := LoadDocument("bad.txt", "bad.TXT", []byte("caf\xe9 au lait is served here every day."))
	if err != nil || !strings.Contains(d.Text, "caf\uFFFD au lait") {
		t.Errorf("invalid utf-8: %v %+v", err, d)
	}
}

// minimalPDF writes a PDF whose pages each show one line of text.
func minimalPDF(pages ...string) []byte {
	n := len(pages)
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	for i, text := range pages {
		stream := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text)
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	}
	return writePDF(objs)
}

// writePDF writes objects numbered from 1, the cross-reference table and
// the trailer, object 1 being the catalog.
func writePDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, body := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, body)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestLoadPDFTextPerPage(t *testing.T) {
	t.Parallel()
	data := minimalPDF("The first page talks about harbours.", "The second page talks about rivers.")
	text, err := loadPDF(data)
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Index(text, "The first page talks about harbours.")
	second := strings.Index(text, "The second page talks about rivers.")
	if first < 0 || second < first {
		t.Fatalf("pdf text = %q", text)
	}
	d, err := LoadDocument("doc.pdf", "doc.PDF", data)
	if err != nil || !strings.Contains(d.Text, "rivers") {
		t.Errorf("LoadDocument: %v %+v", err, d)
	}
}

func TestBinaryDataIsNotText(t *testing.T) {
	t.Parallel()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7919%251 + 1)
	}
	for _, name := range []string{"x.txt", "x.md", "x.html"} {
		if _, err := LoadDocument(name, name, garbage); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "mostly not text") {
			t.Errorf("%s of binary bytes: %v", name, err)
		}
	}
	// Latin-1 text with its accents undecodable is still text.
	latin1 := []byte(strings.Repeat("Le caf\xe9 ouvre \xe0 huit heures et ferme tard le soir. ", 20))
	if d, err := LoadDocument("cafe.txt", "cafe.txt", latin1); err != nil || !strings.Contains(d.Text, "ouvre") {
		t.Errorf("latin-1 text: %v", err)
	}
}

// spacesZlib is a zlib stream that inflates to mb megabytes of spaces.
func spacesZlib(mb int) []byte {
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	var one bytes.Buffer
	fw, _ := flate.NewWriter(&one, flate.BestSpeed)
	fw.Write(spaces)
	fw.Flush() // byte-aligned: the block can be repeated
	out := []byte{0x78, 0x01}
	sum := adler32.New()
	for range mb {
		out = append(out, one.Bytes()...)
		sum.Write(spaces)
	}
	out = append(out, 0x03, 0x00) // an empty final block
	return binary.BigEndian.AppendUint32(out, sum.Sum32())
}

func TestPDFBombIsRefusedAtItsLimit(t *testing.T) {
	t.Parallel()
	bomb := spacesZlib(maxPDFInflated>>20 + 8)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	b.WriteString("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	b.WriteString("3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n")
	fmt.Fprintf(&b, "4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", len(bomb))
	b.Write(bomb)
	b.WriteString("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	t.Logf("a %d KB PDF whose page inflates to %d MB", b.Len()>>10, maxPDFInflated>>20+8)
	_, err := LoadDocument("bomb.pdf", "bomb.pdf", b.Bytes())
	if ErrorCode(err) != ETOOLARGE || !strings.Contains(err.Error(), "inflate past") {
		t.Errorf("PDF bomb: %v", err)
	}
	// The same file under the bound is read.
	if err := checkPDFStreams(minimalPDF("A page.")); err != nil {
		t.Error(err)
	}
}

// pdfWithPages writes a PDF whose pages all show the one content stream
// given, behind the filters named.
func pdfWithPages(pages int, filter string, stream []byte) []byte {
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 4+i)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages),
		fmt.Sprintf("<< /Length %d /Filter %s >>\nstream\n%s\nendstream", len(stream), filter, stream),
	}
	for range pages {
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>")
	}
	return writePDF(objs)
}

func TestPDFPagesSharingAStreamAndFilterChainsAreBounded(t *testing.T) {
	t.Parallel()
	// 40 pages share one stream of 16 MB: 640 MB of decoding, though the
	// file's streams inflate to 16 MB once.
	shared := pdfWithPages(40, "/FlateDecode", spacesZlib(16))
	if _, err := LoadDocument("shared.pdf", "shared.pdf", shared); ErrorCode(err) != ETOOLARGE || !strings.Contains(err.Error(), "pages inflate past") {
		t.Errorf("shared stream: %v", err)
	}
	// ASCII85 around zlib hides the stream from a scan for zlib.
	var a85 bytes.Buffer
	enc := ascii85.NewEncoder(&a85)
	enc.Write(spacesZlib(maxPDFInflated>>20 + 8))
	enc.Close()
	a85.WriteString("~>")
	chained := pdfWithPages(1, "[/ASCII85Decode /FlateDecode]", a85.Bytes())
	if _, err := LoadDocument("chained.pdf", "chained.pdf", chained); ErrorCode(err) != ETOOLARGE {
		t.Errorf("filter chain: %v", err)
	}
}
