package rag

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// typedSpan is a stretch of a sentence that could answer a question of
// some kind: a name, a place, a date or a number. Offsets are bytes in
// the sentence.
type typedSpan struct {
	start, end int
	kind       AnswerKind
}

// timeOfDay matches a time of day: "19:40", "7.15 am", "9pm", "noon".
const timeOfDay = `\d{1,2}:[0-5]\d(?:\s*(?i:am|pm|a\.m|p\.m))?|\d{1,2}(?:\.\d{2})?\s*(?i:am|pm|a\.m|p\.m)|(?i:noon|midnight)`

var (
	// weekdays are matched in any case, and before a date are part of it
	// ("Friday 3 March").
	weekdays   = `(?i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`
	monthNames = `(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)`
	// Month names are matched with their capital: "may" and "march" are
	// also verbs.
	dateSpan = regexp.MustCompile(`\b(?:` +
		partOfYear + `(?:` + monthNames + `\s+)?\d{4}` +
		`|(?:` + weekdays + `,?\s+(?:the\s+)?)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?)?` + monthNames + `(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+\d{3,4})?` +
		`|(?i:(?:early|mid|late)[- ]\d{3,4}s?)` +
		`|\d{1,4}\s*(?:BC|BCE|AD|CE)\b|(?:AD|CE)\s*\d{1,4}` +
		`|(?i:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)[- ]century(?:\s+(?:BC|BCE|AD|CE))?)` +
		`|(?i:(?:the\s+)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)[- ]century)` +
		`|(?:1[0-9]|20)\d\ds?` +
		`|` + weekdays + `|(?i:yesterday|today|tomorrow)` +
		`|` + timeOfDay +
		`|(?i:(?:last|this|next)\s+(?:week|month|year|spring|summer|autumn|fall|winter))` +
		`)\b`)
	timeOfDaySpan = regexp.MustCompile(`\b(?:` + timeOfDay + `)\b`)
	// agoSpan is a time counted back from now: "60 million years ago", "a
	// decade ago", "twenty-five years ago".
	agoSpan = regexp.MustCompile(`(?i)\b(?:\d[\d,.]*|an?|(?:` + numberWords + `)(?:-(?:` + numberWords + `))*)(?:\s+(?:thousand|million|billion))?\s+(?:years?|century|centuries|decades?|months?|weeks?|days?)\s+ago\b`)
	// partOfYear opens a date that names a part of a year: "the second
	// quarter of 2031", "the end of 2029", "the winter of 1902".
	partOfYear   = `(?i:(?:the\s+)?(?:(?:first|second|third|fourth|final|last)\s+(?:quarter|half)|start|end|beginning|middle|spring|summer|autumn|fall|winter)\s+of\s+)`
	partOfYearRe = regexp.MustCompile(`^` + partOfYear)
	// dayRange continues a date with a second day: "June 8 and 9".
	dayRange = regexp.MustCompile(`^\s*(?:and|to|-|–)\s*(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b`)
	// notADay follows a number that is no day of a date: a thousands
	// group, a decimal, a time ("10:30", "5 pm"), or a month of its own
	// ("4 and 5 June" is two dates).
	notADay = regexp.MustCompile(`^(?:[,.:]\d|\s*(?i:am|pm|a\.m|p\.m)\b|\s+` + monthNames + `\b)`)
	// A date's parts, to weigh how full a date span is.
	monthName  = regexp.MustCompile(`\b` + monthNames + `\b`)
	weekday    = regexp.MustCompile(`\b` + weekdays + `\b`)
	dayNumber  = regexp.MustCompile(`\b\d{1,2}(?:st|nd|rd|th)?\b`)
	endsInDay  = regexp.MustCompile(`\b\d{1,2}(?:st|nd|rd|th)?$`)
	yearNumber = regexp.MustCompile(`\b\d{4}\b`)
	// yearAfterPreposition catches years of any century: "in 632", "by 1066".
	yearAfterPreposition = regexp.MustCompile(`(?i)\b(?:in|since|by|until|till|from|of|around|circa|c\.)\s+(\d{3,4})\b`)
	numberWords          = `zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion|dozen|dozens|hundreds|thousands|millions|billions|half|twice|double|triple|single`
	// numberSpan is a number with its currency ("A$75"), then either a
	// hyphened unit, which ends it ("52-year-old"), or a share's sign, a
	// scale and a unit word ("2.5 million euros").
	numberSpan = regexp.MustCompile(`(?i)(?:(?-i:\b[A-Z]{1,3})?[$€£]\s?)?\b(?:\d(?:[\d,.]*\d)?|(?:` + numberWords + `)(?:[- ](?:` + numberWords + `))*)\b(?:(?:-[a-z]+)+\b|(?:\s*(?:%|percent|per cent))?(?:\s+(?:million|billion|trillion|thousand|hundred)\b)?(?: [a-z]+(?:-[a-z]+)*\b)?)`)
)

// typedSpans finds the spans of text that could answer a question of kind.
func typedSpans(wv *WordVectors, text string, kind AnswerKind) []typedSpan {
	var out []typedSpan
	switch kind {
	case KindDate:
		for _, m := range dateSpan.FindAllStringIndex(text, -1) {
			end := m[1]
			if r := dayRange.FindString(text[end:]); r != "" && monthName.MatchString(text[m[0]:end]) && endsInDay.MatchString(text[m[0]:end]) &&
				!notADay.MatchString(text[end+len(r):]) {
				end += len(r) // "June 8 and 9", not "May 4 to 10:30" nor "May 4 and 12,000"
			}
			out = append(out, typedSpan{m[0], end, KindDate})
		}
		for _, m := range agoSpan.FindAllStringIndex(text, -1) {
			out = append(out, typedSpan{m[0], m[1], KindDate})
		}
		for _, m := range yearAfterPreposition.FindAllStringSubmatchIndex(text, -1) {
			out = append(out, typedSpan{m[2], m[3], KindDate})
		}
	case KindNumber:
		// A calendar date ("3 May 1999", "the 1590s") answers "when",
		// not "how many" or "how long", though it holds a number.
		dates := datesHolding(text, unicode.IsLetter)
		names := nameSpans(wv, text)
		phones := phoneNumbers(text)
		all := words(text)
		for _, p := range phones {
			out = append(out, typedSpan{p[0], p[1], KindNumber})
		}
		for _, m := range numberSpan.FindAllStringIndex(text, -1) {
			if slices.ContainsFunc(names, func(n typedSpan) bool { return n.start < m[0] && m[0] < n.end }) {
				continue // a name's number ("Screen 1", "Apollo 11") counts nothing
			}
			if slices.ContainsFunc(phones, func(p []int) bool { return p[0] <= m[0] && m[0] < p[1] }) {
				continue // a group of a telephone number
			}
			end := m[1]
			digits := m[0] + len(text[m[0]:]) - len(strings.TrimLeft(text[m[0]:], "0123456789"))
			if isBareYear(text[m[0]:trimSpanEnd(text, m[0], end)]) || isBareYear(text[m[0]:digits]) && strings.HasPrefix(text[digits:], "-") ||
				strings.HasPrefix(strings.ToLower(text[m[0]:end]), "one of") ||
				m[0] > 1 && text[m[0]-1] == '-' && unicode.IsLetter(rune(text[m[0]-2])) || inDate(dates, m[0]) || codeTail(text, m[0], digits) {
				continue // a year answers "when", not "how many" ("a 2019-era rule" too); "one of" counts nothing; "Su-35" is a name
			}
			// Keep the unit that follows a number ("3 days", "6,000 drones")
			// but not a whole clause.
			end = trimSpanEnd(text, m[0], end)
			if p := percentSign.FindStringIndex(text[m[0]:end]); p != nil {
				end = m[0] + p[1] // a share has no unit: "61%", not "61% voted"
			} else if i := nextWord(all, text, end); i > 0 && all[i-1].Start > m[0] && modifiesUnit(wv, all[i-1].Lower, all[i].Lower) {
				end = all[i].End // "4 working days", "7 square kilometres": the span's last word qualifies the next
			}
			out = append(out, typedSpan{m[0], end, KindNumber})
		}
		out = joinRanges(text, out)
	case KindPlace:
		dates := datesHolding(text, unicode.IsDigit)
		names := nameSpans(wv, text)
		for _, n := range names {
			if nameFits(wv, text[n.start:n.end], text[:n.start], kind) && !inDate(dates, n.start) {
				n.kind = kind
				out = append(out, n)
			}
		}
		// "in the thylakoid membranes": where-answers that are no names.
		for _, m := range placePhrase.FindAllStringSubmatchIndex(text, -1) {
			// The phrase ends before another preposition of place: "at
			// the side gate", then "in Mill Yard".
			end := m[3]
			for _, w := range words(text[m[2]:m[3]])[1:] {
				if placePreposition[w.Lower] {
					end = m[2] + w.Start
					break
				}
			}
			end = trimSpanEnd(text, m[2], end)
			// Nor does it end inside a name: "in the east wing of Carrow
			// House Museum".
			for _, n := range names {
				if n.start < end && end < n.end {
					end = n.end
				}
			}
			out = append(out, typedSpan{m[2], end, KindPlace})
		}
	case KindPerson:
		dates := datesHolding(text, unicode.IsDigit)
		for _, n := range nameSpans(wv, text) {
			if (nameFits(wv, text[n.start:n.end], text[:n.start], kind) || personAfter(wv, text[n.end:])) && !inDate(dates, n.start) {
				n.kind = kind
				out = append(out, n)
			}
		}
	case KindName:
		// What a thing is called: a quoted name, or the name right after
		// "called", "named", "known as".
		for _, m := range quoted.FindAllStringSubmatchIndex(text, -1) {
			out = append(out, typedSpan{m[2], m[3], KindName})
		}
		for _, n := range nameSpans(wv, text) {
			if namingVerb.MatchString(text[:n.start]) {
				out = append(out, typedSpan{n.start, n.end, KindName})
			}
		}
	case KindThing:
		for _, n := range nameSpans(wv, text) {
			n.kind = kind
			out = append(out, n)
		}
		for _, m := range quoted.FindAllStringSubmatchIndex(text, -1) {
			out = append(out, typedSpan{m[2], m[3], KindThing})
		}
	}
	return out
}

// codeTail reports a number that is part of a code, a range of years
// or a time of day: the "14" of room "B2.14", the "32" of "2031/32", the
// "19" and "40" of "19:40". A fraction ("3/4") counts.
func codeTail(text string, at, end int) bool {
	if end < len(text)-1 && text[end] == ':' && isNumber(text[end+1:end+2]) {
		return true // the hours of "19:40"
	}
	if at < 2 {
		return false
	}
	before := text[:at-1]
	token := before[strings.LastIndexFunc(before, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })+1:]
	switch text[at-1] {
	case ':':
		return isNumber(token)
	case '.':
		return strings.IndexFunc(token, unicode.IsLetter) >= 0
	case '/':
		return isBareYear(token)
	}
	return false
}

// datesHolding returns the date spans of text that hold a character of
// the kind: a date with a day or a year (unicode.IsDigit) is where no name
// is a person or place ("June 3" in "RALEIGH, June 3, 2024", whatever
// capitalised word comes before it; a month name alone may be a surname);
// a date with a month's name (unicode.IsLetter) is where no number counts.
func datesHolding(text string, kind func(rune) bool) [][]int {
	var out [][]int
	for _, d := range dateSpan.FindAllStringIndex(text, -1) {
		if strings.IndexFunc(text[d[0]:d[1]], kind) >= 0 {
			out = append(out, d)
		}
	}
	return out
}

// inDate reports an offset inside one of the date spans.
func inDate(dates [][]int, at int) bool {
	for _, d := range dates {
		if at >= d[0] && at < d[1] {
			return true
		}
	}
	return false
}

// nameJoiner are the small words inside names.
var nameJoiner = map[string]bool{"of": true, "de": true, "al": true, "bin": true, "von": true, "van": true, "da": true, "del": true, "la": true, "le": true}

// placePrepositions open a phrase of place.
const placePrepositions = `in|at|on|inside|within|near|into|from|across|along|beneath|under|above|off`

var placePreposition = wordSet(strings.ReplaceAll(placePrepositions, "|", " "))

// placePhrase is a locative phrase: a preposition of place and up to four
// words after it, up to punctuation.
var placePhrase = regexp.MustCompile(`\b((?:` + placePrepositions + `)\s+(?:the\s+|a\s+|an\s+)?[\p{L}\d'-]+(?:\s+[\p{L}\d'-]+){0,3})`)

// phoneNumber is a telephone number: digits in groups, seven to fifteen
// in all, opening with "+", "(" or "0" ("01632 960 431", "+45 70 20 14
// 87", "(555) 010-4477").
var phoneNumber = regexp.MustCompile(`(?:\+|\(|\b0)\d[\d() -]{5,18}\d\b`)

// phoneNumbers returns the spans of the telephone numbers in text.
func phoneNumbers(text string) [][]int {
	var out [][]int
	for _, m := range phoneNumber.FindAllStringIndex(text, -1) {
		if phoneDigits(text[m[0]:m[1]]) {
			out = append(out, m)
		}
	}
	return out
}

// isPhoneNumber reports a span that is a telephone number.
func isPhoneNumber(span string) bool {
	m := phoneNumber.FindStringIndex(span)
	return m != nil && phoneDigits(span[m[0]:m[1]])
}

// phoneDigits reports a telephone number's count of digits: seven to fifteen.
func phoneDigits(s string) bool {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n >= 7 && n <= 15
}

// joinRanges makes one span of a range of numbers: "12 to 18 months",
// "between 3 and 5 days", "10–15 minutes". "from £9 to £9.50" is a change,
// not a range: its numbers stay two.
func joinRanges(text string, spans []typedSpan) []typedSpan {
	out := spans[:0:0]
	for _, s := range spans {
		if n := len(out) - 1; n >= 0 && out[n].end <= s.start {
			last := out[n]
			gap := text[last.end:s.start]
			from := hedgeStart(text, last.start) // "between about 2.7 and 3 metres"
			if rangeGap.MatchString(gap) && !wordBefore(text, from, "from") &&
				(wordBefore(text, from, "between") || !strings.Contains(gap, "and")) {
				out[n].end = s.end
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// wordBefore reports word (in any case) as the word right before offset at.
func wordBefore(text string, at int, word string) bool {
	t := strings.TrimRight(text[:at], " ")
	if len(t) < len(word) || !strings.EqualFold(t[len(t)-len(word):], word) {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(t[:len(t)-len(word)])
	return len(t) == len(word) || !unicode.IsLetter(r)
}

// hedge is a word of approximation or bound before a number: "about",
// "more than", "up to".
var hedge = regexp.MustCompile(`(?i)\b(?:(?:more|fewer|less|greater) than|about|around|roughly|nearly|almost|approximately|up to|at least|at most)\s+$`)

// hedgeStart returns where a hedge before offset at begins, or at.
func hedgeStart(text string, at int) int {
	if m := hedge.FindStringIndex(text[:at]); m != nil {
		return m[0]
	}
	return at
}

var rangeGap = regexp.MustCompile(`^\s*(?:to|and|-|–|—)\s*$`)

// currencySign opens a sum of money: a sign, perhaps after the country's
// letters ("A$75 million").
var currencySign = regexp.MustCompile(`^[A-Z]{0,3}[$€£]`)

// percentSign ends a share.
var percentSign = regexp.MustCompile(`(?i)%|\bper ?cent\b`)

// namingVerb ends text that introduces a name.
var namingVerb = regexp.MustCompile(`(?i)\b(?:called|named|dubbed|titled|nicknamed|known as|renamed|christened)\s*[“"«]?$`)

var quoted = regexp.MustCompile(`[“"«]([^”"»]{2,80})[”"»]`)

// personAfter reports an apposition naming a person's role after a name
// (", a bookbinder", ", the engineer"), or a relative clause of a person
// (", who ran the mill").
func personAfter(wv *WordVectors, after string) bool {
	if whoAfter.MatchString(after) {
		return true // "Gethin Marsh, who has …": a person, whatever "Marsh" means
	}
	m := apposition.FindStringSubmatch(after)
	return m != nil && lemmaInfo(wv, strings.ToLower(m[1])).Class == ClassPerson
}

// beForms are the forms of "be" that link a role to who holds it.
var beForms = wordSet("is are was were")

// whoAfter is a relative clause about a person right after a name.
var whoAfter = regexp.MustCompile(`^\s*,?\s+who\b`)

var apposition = regexp.MustCompile(`^\s*,\s+(?:a|an|the|his|her|their)\s+(?:[\p{L}-]+\s+){0,2}?([\p{L}]+)\b`)

// isBareYear reports a four-digit year standing alone ("1367", "2015").
func isBareYear(s string) bool {
	return len(s) == 4 && s[0] >= '1' && s[0] <= '2' && strings.Trim(s, "0123456789") == ""
}

// trimSpanEnd drops a trailing stop word or punctuation from a span.
func trimSpanEnd(text string, start, end int) int {
	s := strings.TrimRight(text[start:end], " -,.")
	if i := strings.LastIndexAny(s, " -"); i > 0 && isStopWord(strings.ToLower(s[i+1:])) {
		s = s[:i]
	}
	return start + len(s)
}

// nameSpans finds runs of capitalised words ("Kazem Jalali", "Islamic
// Revolutionary Guard Corps", "Su-35"), joined by the small words names
// contain ("of", "al-", "bin"). A sentence's first word counts only when
// it is no common word.
func nameSpans(wv *WordVectors, text string) []typedSpan {
	var out []typedSpan
	ws := words(text)
	for i := 0; i < len(ws); i++ {
		if !isNameWord(wv, text, ws[i]) {
			continue
		}
		start, end := ws[i].Start, ws[i].End
		j := i + 1
		for j < len(ws) {
			// An initial's full stop ends no name: "Amos T. Bridge". The
			// name must be one before it ("Vitamin D. Doctors …" is two
			// sentences).
			initial := utf8.RuneCountInString(text[ws[j-1].Start:end]) == 1 && ws[j-1].Cap
			anchor := ws[j-1] // the name's word before its initials
			if initial && j-1 > i {
				anchor = ws[j-2]
			}
			if p := pastInitials(text, end, initial); p != end && (initial && j-1 == i || !commonWord(wv, anchor)) {
				k := j
				for k < len(ws) && ws[k].Start < p {
					k++
				}
				if k < len(ws) && ws[k].Start == p && ws[k].Cap && !ws[k].Stop {
					end = ws[k].End
					j = k + 1
					continue
				}
			}
			gap := text[end:ws[j].Start]
			if strings.TrimSpace(gap) != "" && gap != "-" && gap != " - " && gap != "'" {
				break
			}
			if isNameWord(wv, text, ws[j]) || isNumber(ws[j].Lower) && gap == " " {
				end = ws[j].End // "CASAREX 2025", "Apollo 11"
				j++
				continue
			}
			// "Bank of England", "Strait of Hormuz"
			if nameJoiner[ws[j].Lower] && j+1 < len(ws) && isNameWord(wv, text, ws[j+1]) &&
				(strings.TrimSpace(text[ws[j].End:ws[j+1].Start]) == "" || text[ws[j].End:ws[j+1].Start] == "-") {
				end = ws[j+1].End
				j += 2
				continue
			}
			break
		}
		out = append(out, typedSpan{start: start, end: end})
		i = j - 1
	}
	return out
}

// middleInitial is an initial with its full stop inside a name.
var middleInitial = regexp.MustCompile(`(?:^|\s)\p{Lu}\. \p{Lu}`)

// commonWord reports a word WordNet knows as a common word ("vitamin",
// "war"), not only as a name.
func commonWord(wv *WordVectors, w Word) bool { return wv != nil && lemmaInfo(wv, w.Lower).common() }

// initials are the initials with their full stops after a word of a name:
// " T." of "Amos T. Bridge".
var initials = regexp.MustCompile(`^(?: \p{Lu}\.)*`)

// pastInitials returns the offset of the word after the initials that
// follow a name's word ending at end ("Amos| T. Bridge", or "J|. Oakes
// Barn" when the word is itself an initial), or end when none follow.
func pastInitials(text string, end int, initial bool) int {
	at := end
	if initial && strings.HasPrefix(text[at:], ".") {
		at++
	}
	at += len(initials.FindString(text[at:]))
	if at == end || !strings.HasPrefix(text[at:], " ") {
		return end
	}
	return at + 1
}

// nextWord returns the index in ws (text's words) of the word that
// follows offset at after one space, or -1.
func nextWord(ws []Word, text string, at int) int {
	i := slices.IndexFunc(ws, func(w Word) bool { return w.Start >= at })
	if i < 0 || text[at:ws[i].Start] != " " {
		return -1
	}
	return i
}

// modifiesUnit reports a word after a number that qualifies the noun
// after it, what the number counts or measures, rather than being that
// noun: an adjective that is mainly no noun ("4 working days", "six
// formal rounds"), or any word before a unit of measure or time ("7
// square kilometres", "2 light years"). A unit first ends the span: "2
// weeks notice".
func modifiesUnit(wv *WordVectors, w, next string) bool {
	if wv == nil || isStopWord(w) || isStopWord(next) || numberWord[w] || numberWord[next] || lemmaInfo(wv, next).POS&PosNoun == 0 ||
		ofClass(wv, w, ClassQuantity) || ofClass(wv, w, ClassTime) {
		return false
	}
	in := lemmaInfo(wv, w)
	return in.POS&PosAdj != 0 && in.POS&PosMainNoun == 0 ||
		lemmaInfo(wv, next).POS&PosMainNoun != 0 && (ofClass(wv, next, ClassQuantity) || ofClass(wv, next, ClassTime))
}

func isNumber(w string) bool { return w != "" && strings.Trim(w, "0123456789") == "" }

// isNameWord reports a capitalised word (or one with digits, as in
// "Su-35") that is not a sentence's common first word.
func isNameWord(wv *WordVectors, text string, w Word) bool {
	if !w.Cap {
		return false
	}
	if w.Stop && (strings.ToUpper(text[w.Start:w.End]) != text[w.Start:w.End] || len(w.Lower) == 1 && sentenceInitial(text, w.Start)) {
		return false // "The", "In"; "A" opening a sentence, not "Part I"
	}
	// A sentence's first word is capitalised anyway: it counts only when
	// WordNet knows no common word of that form.
	if sentenceInitial(text, w.Start) && wv != nil && lemmaInfo(wv, w.Lower).POS != 0 {
		return false
	}
	return true
}

// locativeBefore reports words that end in "in", "at" or "near": what
// follows is a location.
func locativeBefore(prev []Word) bool {
	if len(prev) == 0 {
		return false
	}
	p := prev[len(prev)-1].Lower
	return p == "in" || p == "at" || p == "near"
}

func sentenceInitial(text string, at int) bool {
	before := strings.TrimRight(text[:at], ` "'“‘(`)
	return before == "" || strings.HasSuffix(before, ".") || strings.HasSuffix(before, ":")
}

// nameFits reports whether a name suits a question for a person or a
// place. A place: a word of it is a place in WordNet, or a preposition of
// place comes before it ("in Moscow", "from Oslo"). A person: a word of it
// is in WordNet mainly a noun for a person, or only a person's name (not
// "National", an adjective first), or a person noun stands before it
// ("minister Aziz Nasirzadeh"), or a person noun and a form of "be" ("the
// skipper is Hazel Marsh"), or it has an initial between its words ("Amos
// T. Bridge"), or it is two or more words none of which WordNet knows as a
// thing, place or group and no "in", "at" or "near" stands before it
// ("Sarah Barnard", not "Brooklyn Bridge" nor "a team in Santa Vora"). A
// role after the name is [personAfter]'s.
func nameFits(wv *WordVectors, name, before string, kind AnswerKind) bool {
	if kind == KindPerson && middleInitial.MatchString(name) {
		return true
	}
	ws := words(name)
	var want uint8 = ClassPerson
	if kind == KindPlace {
		want = ClassLocation
	}
	other := false
	for _, w := range ws {
		switch in := lemmaInfo(wv, w.Lower); {
		case in.Class == want && (kind == KindPlace || in.POS&(PosMainNoun|PosProper) != 0):
			return true
		case in.Class != 0:
			other = true // "National Heritage Site": an adjective first, whatever its noun sense
		}
	}
	prev := words(before)
	if len(prev) > 0 {
		p := prev[len(prev)-1]
		if kind == KindPlace && (locativeBefore(prev) || p.Lower == "from" || p.Lower == "to") {
			return true
		}
		if kind == KindPerson && lemmaInfo(wv, p.Lower).Class == ClassPerson && !p.Stop {
			return true
		}
		// "the skipper is Gethin Marsh", "its chair was …": a person noun,
		// then a form of "be".
		if kind == KindPerson && len(prev) > 1 && beForms[p.Lower] && lemmaInfo(wv, prev[len(prev)-2].Lower).Class == ClassPerson && !prev[len(prev)-2].Stop {
			return true
		}
	}
	// Unknown words after "in" or "at" name a place more likely than a
	// person: "a team in Santa Vora".
	return kind == KindPerson && len(ws) >= 2 && !other && !locativeBefore(prev)
}
