package rag

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a sentence or heading of a document: bytes [Start,End) of its
// text. Only quotable spans — sentences of prose — may be cited.
type Span struct {
	Start, End int
	Quotable   bool
}

// sentences splits text[start:end] into paragraph-bounded sentences.
// Headings become single spans that are not quotable; the lines of a list
// or a table, which look like headings one by one, are quotable items.
func sentences(text string, start, end int) []Span {
	var paras []Span
	for start < end {
		paraEnd := strings.Index(text[start:end], "\n\n")
		if paraEnd < 0 {
			paraEnd = end
		} else {
			paraEnd += start
		}
		if strings.TrimSpace(text[start:paraEnd]) != "" {
			paras = append(paras, Span{Start: start, End: paraEnd})
		}
		start = paraEnd
		for start < end && (text[start] == '\n' || text[start] == ' ') {
			start++
		}
	}
	lines := make([]string, len(paras))
	headingLike := make([]bool, len(paras))
	for i, p := range paras {
		lines[i] = strings.TrimSpace(text[p.Start:p.End])
		headingLike[i] = isHeading(lines[i])
	}
	var out []Span
	for i, p := range paras {
		switch {
		case !headingLike[i] || isKeyValue(lines[i]):
			out = appendParagraph(out, text, p.Start, p.End)
		case listItem(lines, headingLike, i):
			header := i+1 < len(lines) && tableRule(lines[i+1])
			out = append(out, Span{Start: p.Start, End: p.End, Quotable: itemQuotable(lines[i]) && !header})
		default:
			out = append(out, Span{Start: p.Start, End: p.End})
		}
	}
	return out
}

// tableRule reports the row of dashes under a table's header ("|---|:-:|").
func tableRule(line string) bool {
	return strings.Contains(line, "|") && strings.Contains(line, "-") && strings.Trim(line, "|-: ") == ""
}

// tableCells returns a table row's cells, trimmed, empty ones left out.
func tableCells(line string) []string {
	var out []string
	for _, c := range strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// tableHeader returns the header row of the table whose row begins at
// text[at:]: the first of the rows before it, one paragraph each as
// cleaned text keeps them, when a rule row of dashes follows it; "" when
// there is none in text.
func tableHeader(text string, at int) string {
	if !strings.HasPrefix(text[at:], "|") {
		return ""
	}
	end := len(text)
	if n := strings.Index(text[at:], "\n\n"); n >= 0 {
		end = at + n
	}
	// The first row of the run is the header when a rule row follows it;
	// the header row itself has none above it.
	header, rule := "", false
	for end > 0 {
		start := strings.LastIndex(text[:end], "\n\n")
		row := strings.TrimSpace(text[start+1 : end])
		if !strings.HasPrefix(row, "|") {
			break
		}
		header, rule = row, tableRule(header)
		if start < 0 {
			break
		}
		end = start
	}
	if !rule || tableRule(header) {
		return ""
	}
	return header
}

// listItem reports a heading-like line that is an entry of a list or a
// table ("%t  the word true or false", "Sprintf returns a string;"): it
// ends with a comma or semicolon, or follows a label ending with a colon,
// another heading-like line or a row that begins with the same sign. A
// heading stands alone above its prose, or above the list it names.
func listItem(lines []string, headingLike []bool, i int) bool {
	line := lines[i]
	switch {
	case strings.HasSuffix(line, ";") || strings.HasSuffix(line, ","):
		return true
	case strings.HasSuffix(line, ":") || i == 0:
		return false
	case headingLike[i-1]:
		return true
	}
	// A row of a table after another that begins alike ("%q …." above
	// "%x …"), whatever punctuation that one ends with.
	prev := lines[i-1]
	first, _ := utf8.DecodeRuneInString(line)
	prevFirst, _ := utf8.DecodeRuneInString(prev)
	return !strings.Contains(prev, "\n") && first == prevFirst && !unicode.IsLetter(first)
}

// itemQuotable reports a list entry (trimmed) worth citing: a term and its
// gloss of three words or more ("%d  base 10"), the gloss no code.
func itemQuotable(item string) bool {
	if strings.HasPrefix(item, "|") {
		// A table's row: its cells, of which the first names the row.
		cells := tableCells(item)
		return len(cells) >= 2 && !tableRule(item) && !looksLikeCode(strings.Join(cells, " "))
	}
	fields := strings.Fields(item)
	if len(fields) < 3 {
		return false
	}
	gloss := strings.TrimSpace(strings.TrimPrefix(item, fields[0]))
	return !looksLikeCode(gloss) && !hasCodeMarker(item)
}

func appendParagraph(out []Span, text string, start, end int) []Span {
	from := start
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if !strings.ContainsRune(".!?…", r) {
			continue
		}
		// Closing quotes and brackets belong to the sentence they close.
		for i < end {
			c, n := utf8.DecodeRuneInString(text[i:])
			if !strings.ContainsRune(`"'”’)]»`, c) {
				break
			}
			i += n
		}
		if i >= end || !isBreakAfter(text, from, i, end) {
			continue
		}
		out = append(out, quotableSpan(text, from, i))
		from = i
		for from < end && text[from] == ' ' {
			from++
		}
		i = from
	}
	if from < end {
		out = append(out, quotableSpan(text, from, end))
	}
	return out
}

func quotableSpan(text string, start, end int) Span {
	t := text[start:end]
	return Span{Start: start, End: end, Quotable: (len(strings.Fields(t)) >= 4 || isKeyValue(t)) && !looksLikeCode(t)}
}

// looksLikeCode reports text dense with the symbols of program code
// ("x := a[i] + b // comment"): an example, not a sentence to quote.
// Brackets and quotation marks count too, as a grammar rule or a block
// of calls is written with them (`Decl = "var" Name "=" Expr .`,
// `switch { case 0: f() }`); prose has a few at most.
func looksLikeCode(t string) bool {
	symbols, visible := 0, 0
	for _, r := range t {
		switch {
		case unicode.IsSpace(r):
		case strings.ContainsRune("{}[]()=<>;|&*^%~+\"", r):
			symbols++
			visible++
		default:
			visible++
		}
	}
	return visible > 0 && symbols*10 >= visible || hasCodeMarker(t)
}

// hasCodeMarker reports a comment or a short variable declaration.
func hasCodeMarker(t string) bool { return strings.Contains(t, "//") || strings.Contains(t, ":=") }

// isKeyValue reports a "Label: value" line such as a byline, which states a
// fact worth quoting though it is no sentence.
func isKeyValue(p string) bool {
	label, value, ok := strings.Cut(p, ": ")
	return ok && len(strings.Fields(label)) <= 3 && len(strings.Fields(value)) >= 2 && !strings.Contains(p, "\n")
}

// isBreakAfter reports whether a sentence ends at text[i], just past its
// closing punctuation: whitespace follows, then something that can open a
// sentence, and the word before is no abbreviation.
func isBreakAfter(text string, from, i, end int) bool {
	if i >= end || text[i] != ' ' {
		return false
	}
	j := i
	for j < end && text[j] == ' ' {
		j++
	}
	if j >= end {
		return false
	}
	next, _ := utf8.DecodeRuneInString(text[j:])
	if !(unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune(`"'“‘([`, next)) {
		return false
	}
	prev := strings.TrimRight(text[from:i], `"'”’)]»`)
	if !strings.HasSuffix(prev, ".") {
		return true
	}
	word := prev[strings.LastIndexAny(prev, " (“\"")+1 : len(prev)-1]
	return !isAbbreviation(word)
}

func isAbbreviation(word string) bool {
	if word == "" {
		return false
	}
	// Initials and dotted acronyms: "J.", "U.S", "e.g".
	if utf8.RuneCountInString(word) == 1 || strings.Contains(word, ".") {
		return true
	}
	_, ok := abbreviations[strings.ToLower(word)]
	return ok
}

// titleAbbreviations are the shortened titles written before a name.
const titleAbbreviations = `mr mrs ms dr prof gen col lt sgt capt cmdr adm maj rep sen gov pres rev hon amb brig`

var abbreviations = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(titleAbbreviations + ` st jr sr vs etc inc ltd co corp dept est approx no nos fig vol pp ca cf al
jan feb mar apr jun jul aug sep sept oct nov dec mt ft`) {
		m[w] = struct{}{}
	}
	return m
}()
