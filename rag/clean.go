package rag

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean turns the text of a loaded page into the text the index stores:
// whitespace normalised (one paragraph per block, blank line between) and
// page debris removed — navigation links, credit lines, slug duplicates of
// the headline, labels above it, and related-story teasers at the end. It
// returns that text and the page's title: its headline, or else its first
// sentence.
func Clean(raw string) (text, title string) {
	text, title, _ = clean(raw)
	return text, title
}

// clean is [Clean], and returns the short labels above the headline too
// (site name, section): page chrome kept out of the text, but searchable,
// since readers name a piece by its publisher ("the CPC piece").
func clean(raw string) (text, title, labels string) {
	paras := paragraphs(raw)
	paras = dropDebris(paras)
	titleAt := findTitle(paras)
	if titleAt > 0 {
		labels = strings.Join(paras[:titleAt], "\n")
		paras = paras[titleAt:]
		titleAt = 0
	}
	text = strings.Join(paras, "\n\n")
	if titleAt == 0 {
		return text, paras[0], labels
	}
	return text, firstSentence(text), labels
}

var spaceRun = regexp.MustCompile(`[\p{Zs}\t\f\v\x{200b}\x{feff}]+`)

// paragraphs normalises whitespace and splits raw text into paragraphs. A
// line is its own paragraph unless it reads as prose wrapped mid-sentence,
// in which case the next line joins it.
func paragraphs(raw string) []string {
	raw = strings.ToValidUTF8(raw, "\uFFFD")
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	raw = strings.ReplaceAll(raw, "\r", "\n")
	lines := strings.Split(raw, "\n")
	width := 0 // the widest line: text wrapped at a fixed width fills its lines near it
	for i, line := range lines {
		lines[i] = strings.Map(dropControl, line)
		width = max(width, utf8.RuneCountInString(strings.TrimSpace(lines[i])))
	}
	var out []string
	var cur string
	wrapped, indent, full := false, false, false
	for _, line := range lines {
		indented := strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "    ")
		line = strings.TrimSpace(spaceRun.ReplaceAllString(line, " "))
		switch {
		case line == "":
			if cur != "" {
				out = append(out, cur)
			}
			cur, wrapped = "", false
		case wrapped && (startsLower(line) || full && !indented && !indent && endsMidClause(cur) && continuesProse(line)):
			cur += " " + line
		default:
			if cur != "" {
				out = append(out, cur)
			}
			cur = line
		}
		wrapped = cur != "" && utf8.RuneCountInString(line) >= 40 && !endsSentence(line)
		if line != "" {
			indent = indented
			// Only a line near the text's width was broken by wrapping
			// whatever the next begins with; a shorter one may be a title
			// over a byline, and a heading or a table row is no sentence.
			full = utf8.RuneCountInString(line)*10 >= width*7 && !strings.HasPrefix(cur, "#") && !strings.Contains(line, "|")
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// endsMidClause reports text whose last word is a lower-case word or
// which ends with a comma: a sentence that goes on in the next line,
// whatever that line begins with ("… and the reply is handed to a" /
// "[Reader] that stores it …"). A title's last word is capitalised.
func endsMidClause(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	if r == ',' {
		return true
	}
	last := s[strings.LastIndexByte(s, ' ')+1:]
	return unicode.IsLower(r) && startsLower(last)
}

// continuesProse reports a line that may go on with a sentence: it begins
// with a word, a number, a bracket or a quotation mark, and no list marker
// ("2. ", "B) "). A heading, a table row or a list item begins otherwise.
func continuesProse(line string) bool {
	r, _ := utf8.DecodeRuneInString(line)
	return (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(`[("“'‘`, r)) && !listMarker.MatchString(line)
}

var listMarker = regexp.MustCompile(`^(\d{1,3}|[A-Za-z])[.)]\s`)

func dropControl(r rune) rune {
	if unicode.IsControl(r) && r != '\t' {
		return -1
	}
	return r
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"'”’)]»`)
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?…", r)
}

// Lines of site furniture that scraped pages carry; matched whole, case-insensitive.
var boilerplate = regexp.MustCompile(`(?i)^(skip to (main )?(content|navigation)|skip navigation|jump to (main )?content|main menu|menu|search|toggle navigation|open menu|close menu|share( this)?( article| story| page)?|print( this)?( article| page)?|email|tweet|advertisement|sponsored( content)?|subscribe( now)?|sign (in|up)|log ?in|register|newsletter|sign up for our newsletter|follow us.*|back to top|all rights reserved.*|copyright ©.*|© ?\d{4}.*|cookies?( policy| settings)?|accept( all)? cookies|privacy policy|terms of (use|service)|loading\.*|listen to (this )?article|\d+ min(ute)? read)\.?$`)

// Photo and image credits: "Photo: Mehr", "Image source: eurasianet.org".
var creditLine = regexp.MustCompile(`(?i)^[(\[]?(photo|image|picture|video|graphic|illustration|file photo|header image|featured image|cover image)s?( source| credit| courtesy| by)?s?\s*[:—–-]\s*\S.{0,120}$|^[(\[]?(credit|source|courtesy)\s*:\s*\S.{0,80}$|^(getty images|reuters|ap photo|afp)( ?/ ?.{0,60})?$`)

// Headings that open the "more stories" section at the end of a page.
var relatedMarker = regexp.MustCompile(`(?i)^(related( articles| posts| stories| content| news| reading| coverage)?|check also|see also|read (more|also|next)|also read|more (stories|news|articles|from .{1,40})|you (may|might) also (like|be interested in)|recommended( for you| articles| reading)?|trending( now)?|most (read|popular|viewed)|latest (news|stories)|further reading|up next|what to read next)\s*:?$`)

func dropDebris(paras []string) []string {
	out := make([]string, 0, len(paras))
	total, seen := 0, 0
	for _, p := range paras {
		total += len(p)
	}
	for i, p := range paras {
		seen += len(p)
		if relatedMarker.MatchString(p) {
			// In the last part of the page the marker opens a footer of
			// teasers about other stories: nothing after it is this page's.
			if seen*2 >= total {
				break
			}
			continue
		}
		if boilerplate.MatchString(p) || creditLine.MatchString(p) || isSlugDuplicate(p, paras[:i], paras[i+1:]) {
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return paras // never leave a page empty: better debris than nothing
	}
	return out
}

// isSlugDuplicate reports a line that repeats a nearby line with less
// capitalisation, as pages do with a URL-slug copy of their headline.
func isSlugDuplicate(p string, before, after []string) bool {
	for _, other := range append(before[max(0, len(before)-3):len(before):len(before)], after[:min(3, len(after))]...) {
		if other != p && strings.EqualFold(other, p) && countUpper(other) > countUpper(p) {
			return true
		}
	}
	return false
}

func countUpper(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n
}

// findTitle returns the index of the headline among the leading paragraphs
// (those above the first prose paragraph), or -1 when the page has none.
func findTitle(paras []string) int {
	for i, p := range paras {
		if isProse(p) {
			return -1
		}
		if isHeadline(p) {
			return i
		}
	}
	return -1
}

// isProse reports a paragraph of running text rather than a label.
func isProse(p string) bool {
	n := len(strings.Fields(p))
	return n >= 20 || (n >= 6 && endsSentence(p))
}

// isHeading reports a short line without closing punctuation: a headline,
// a section label, a byline. Headings are kept in the text but never quoted.
func isHeading(p string) bool {
	return !strings.Contains(p, "\n") && len(strings.Fields(p)) <= 16 && !endsSentence(p)
}

// isHeadline reports a heading long and capitalised enough to name a page.
func isHeadline(p string) bool {
	if !isHeading(p) {
		return false
	}
	fields := strings.Fields(p)
	var wordsN, capital int
	for _, f := range fields {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if f == "" {
			continue
		}
		wordsN++
		r, _ := utf8.DecodeRuneInString(f)
		if unicode.IsUpper(r) || unicode.IsDigit(r) || isStopWord(strings.ToLower(f)) {
			capital++
		}
	}
	if wordsN < 5 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(p)
	return unicode.IsUpper(r) && capital*10 >= wordsN*8
}

// firstSentence returns the first quotable sentence of text, shortened to a
// readable title length.
func firstSentence(text string) string {
	for _, s := range sentences(text, 0, len(text)) {
		if s.Quotable {
			return shorten(text[s.Start:s.End], 160)
		}
	}
	return shorten(text, 160)
}

// shorten cuts s at a word boundary to at most n bytes, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:—-") + "…"
}
