package rag

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Word is one word of a text: its lower-cased form and its stem.
type Word struct {
	Lower      string
	Stem       string
	Stop       bool
	Cap        bool // written with a capital first letter
	Start, End int  // byte offsets in the text
}

// words splits text into words: runs of letters and digits. Dotted
// acronyms ("U.S.") become one word; apostrophe suffixes ("Iran's") are
// dropped; hyphenated words become their parts. Irregular verbs and
// British spellings are folded before stemming, an all-capitals acronym
// ("US", "IT") is never a stop word, and a printf verb ("%x", "%-8.2f")
// or an escape (`\d`) is one word with its sign.
func words(text string) []Word {
	var out []Word
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := text[start:end]
		from := start
		start = -1
		if strings.IndexByte(raw, '.') >= 0 {
			raw = strings.ReplaceAll(raw, ".", "")
		}
		lower := foldAccents(strings.ToLower(raw))
		if lower == "s" || lower == "t" {
			return // the tail of an apostrophe: Iran's, don't
		}
		acronym := len(raw) >= 2 && raw != lower && strings.ToUpper(raw) == raw && !hasDigit(raw)
		first, _ := utf8.DecodeRuneInString(raw)
		out = append(out, Word{Lower: lower, Stem: stem(lower), Stop: !acronym && isStopWord(lower),
			Cap: unicode.IsUpper(first), Start: from, End: end})
	}
	skip := 0
	for i, r := range text {
		if i < skip {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		// A printf verb is one word with its sign and flags: "%x" and "%#v"
		// say what "x" and "v" alone do not. Its case is kept: "%x" and
		// "%X" are different verbs.
		if r == '%' && start < 0 {
			if n := formatVerbAt(text, i); n > 0 {
				out = append(out, Word{Lower: text[i : i+n], Stem: text[i : i+n], Start: i, End: i + n})
				skip = i + n
				continue
			}
		}
		// So is an escape ("\d", "\pN", "\alpha"): "\d" and "\D" are
		// different classes, and "d" alone says neither.
		if r == '\\' && start < 0 {
			if n := escapeAt(text, i); n > 0 {
				out = append(out, Word{Lower: text[i : i+n], Stem: text[i : i+n], Start: i, End: i + n})
				skip = i + n
				continue
			}
		}
		if r == '.' && start >= 0 && isAcronymDot(text, start, i) {
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

// isAcronymDot reports a full stop inside a dotted acronym: it follows a
// lone capital letter and precedes another ("U.S", "U.K").
func isAcronymDot(text string, start, i int) bool {
	prev := text[i-1]
	if prev < 'A' || prev > 'Z' || (i-1 != start && text[i-2] != '.') {
		return false
	}
	return i+2 < len(text) && text[i+1] >= 'A' && text[i+1] <= 'Z' && text[i+2] == '.'
}

// terms returns the stems of the content words of text, in order, then
// the initialisms of its capitalised phrases.
func terms(text string) []string {
	ws := words(text)
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		if !w.Stop {
			out = append(out, w.Stem)
		}
	}
	return append(out, initialisms(text, ws)...)
}

// initialisms returns the initials of each run of two to six capitalised
// words in text ("Shanghai Cooperation Organization" → "sco"; "of", "and",
// "for" may join them), so that a question may name the thing by its
// initials where the text spells it out. A run is one line's: titles and
// bylines end at line breaks.
func initialisms(text string, ws []Word) []string {
	var out []string
	for i := 0; i < len(ws); {
		if !ws[i].Cap || ws[i].Stop {
			i++
			continue
		}
		initials := []byte{ws[i].Lower[0]}
		capitals, j := 1, i+1
		for j < len(ws) && !strings.ContainsAny(text[ws[j-1].End:ws[j].Start], "\n.,;:()\"") {
			w := ws[j]
			if w.Cap && !w.Stop {
				initials = append(initials, w.Lower[0])
				capitals++
			} else if !phraseJoiner[w.Lower] {
				break
			}
			j++
		}
		if capitals >= 2 && capitals <= 6 {
			out = append(out, stem(string(initials)))
		}
		i = j
	}
	return out
}

// phraseJoiner are the small words inside a capitalised name.
var phraseJoiner = map[string]bool{"of": true, "and": true, "for": true}

// stemCache maps lower-cased words to stems. It is bounded: user text
// brings new words without end, so past stemCacheSize it starts afresh.
var stemCache struct {
	mu sync.RWMutex
	m  map[string]string
}

const stemCacheSize = 1 << 18

// stem reduces a lower-cased word to its Porter2 stem, after WordNet's
// irregular forms ("sought" → "seek") for words that do not mainly name a
// thing themselves ("saw" stays). Numbers and words with digits are kept as they are.
func stem(w string) string {
	stemCache.mu.RLock()
	s, ok := stemCache.m[w]
	stemCache.mu.RUnlock()
	if ok {
		return s
	}
	s = w
	if en := EmbeddedWordVectors(); en != nil {
		if base := en.base[s]; base != "" && en.Info(s).POS&PosMainNoun == 0 {
			s = base
		}
	}
	if !hasDigit(s) && utf8.RuneCountInString(s) > 2 {
		s = english.Stem(s, true)
	}
	stemCache.mu.Lock()
	if stemCache.m == nil || len(stemCache.m) >= stemCacheSize {
		stemCache.m = make(map[string]string, 1024)
	}
	stemCache.m[w] = s
	stemCache.mu.Unlock()
	return s
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// isStopWord reports words that carry no topic: the usual English function
// words plus the words questions are phrased with.
func isStopWord(w string) bool {
	_, ok := stopWords[w]
	return ok
}

var stopWords = func() map[string]struct{} {
	list := `a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing done down during each either else ever
few for from further get gets got had has have having he her here hers herself him himself his how
i if in into is it its itself just let like me might more most much must my myself neither no nor
not now of off on once one only or other others ought our ours ourselves out over own per same she
should since so some such than that the their theirs them themselves then there these they this
those though through thus to too under until up upon us very via was we were what whatever when
whenever where whereas whether which while who whom whose why will with within without would yet
you your yours yourself yourselves tell know please describe explain said says say according
besides apart many much whats whos wheres whens hows thats theres didn doesn don isn aren wasn weren
hasn haven hadn couldn wouldn shouldn mustn needn ll ve re anything something everything nothing
anyone someone everyone anybody somebody everybody somewhere anywhere everywhere nowhere elsewhere versus vs despite toward towards among amongst unlike whilst
onto beside beyond`
	m := make(map[string]struct{})
	for _, w := range strings.Fields(list) {
		m[w] = struct{}{}
	}
	// Contractions typed without their apostrophe, as people type in chat:
	// a negation ("doesnt", "cant") or a pronoun with "am", "have" or
	// "are" ("im", "youre"). Listed, as "ire", "shell" and "shed" are words.
	for _, stem := range strings.Fields("can didn doesn don isn aren wasn weren hasn haven hadn couldn wouldn shouldn mustn needn") {
		m[stem+"t"] = struct{}{}
	}
	for _, w := range strings.Fields("im ive youre youve weve theyre theyve") {
		m[w] = struct{}{}
	}
	return m
}()

// stemSet is the set of content-word stems of text.
func stemSet(text string) map[string]bool {
	m := map[string]bool{}
	for _, t := range terms(text) {
		m[t] = true
	}
	return m
}

// foldAccents drops diacritics ("lübeck" → "lubeck"), so that a word
// typed without them matches; ASCII passes through untouched.
func foldAccents(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// textAnalysis numbers the way [words] splits and stems text. It changes
// whenever that does: a stored index analysed otherwise is indexed again
// when opened, so that its postings and a question's terms agree.
const textAnalysis = 5

// formatVerb matches a printf-style verb with its flags, width and
// precision ("%x", "%#v", "%-8.2f", "%[2]d") at the start of text.
var formatVerb = regexp.MustCompile(`^%[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:\[\d+\])?[a-zA-Z]\b`)

// escapeAt returns the length of the backslash and the ASCII letters
// after it at text[i], or 0 when no letter follows or the backslash
// separates a path's parts (`C:\Users\logs`, `%APPDATA%\Sync`).
func escapeAt(text string, i int) int {
	if i > 0 && !strings.ContainsRune(" \t\n\"'`([{^|,", rune(text[i-1])) {
		return 0
	}
	n := 1
	for i+n < len(text) && (text[i+n] >= 'a' && text[i+n] <= 'z' || text[i+n] >= 'A' && text[i+n] <= 'Z') {
		n++
	}
	if n == 1 || i+n < len(text) && (text[i+n] == '\\' || text[i+n] == '/') {
		return 0
	}
	return n
}

// formatVerbAt returns the length of the printf verb at text[i:], or 0.
func formatVerbAt(text string, i int) int {
	if m := formatVerb.FindStringIndex(text[i:]); m != nil {
		return m[1]
	}
	return 0
}
