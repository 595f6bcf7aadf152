package rag

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AnswerKind is the kind of thing a question asks for.
type AnswerKind string

// Answer kinds. The first five are spans a sentence can hold and the
// answer can lead with; the rest ask for an explanation.
const (
	KindPerson  AnswerKind = "person"  // who
	KindPlace   AnswerKind = "place"   // where, which country
	KindDate    AnswerKind = "date"    // when, what year
	KindNumber  AnswerKind = "number"  // how many, how much
	KindName    AnswerKind = "name"    // what is it called, which X (a name)
	KindThing   AnswerKind = "thing"   // what X, which X
	KindReason  AnswerKind = "reason"  // why
	KindManner  AnswerKind = "manner"  // how
	KindSummary AnswerKind = "summary" // summarize, tell me about, explain
	KindOther   AnswerKind = ""
)

// spanKind reports kinds whose answer is a span: a name, place, date or number.
func (k AnswerKind) spanKind() bool {
	return k == KindPerson || k == KindPlace || k == KindDate || k == KindNumber || k == KindName
}

// explainKind reports kinds answered by several sentences.
func (k AnswerKind) explainKind() bool {
	return k == KindReason || k == KindManner || k == KindSummary
}

// Question is a question as the answerer reads it: its content words as
// the index knows them, what kind of thing it asks for, and, for "which
// X" questions, the X.
type Question struct {
	Text string
	// Core is where the question proper starts in Text, past padding.
	Core  int
	Terms []QueryTerm
	Kind  AnswerKind
	// Focus is the lemma of the noun a "which X" or "what X" question asks about.
	Focus string
	// TimeOfDay marks a question asking at what time ("what time does
	// the ferry leave"): a time of day answers it, not a calendar date.
	TimeOfDay bool
	// Phone marks a question for a telephone number ("what number do i
	// ring", "contact phone for …"): only such a number answers it.
	Phone bool
	// Compose is the verb of a request to write or translate something
	// new ("write me a limerick about …", "translate … into Portuguese"), ""
	// otherwise: quoting the documents answers no such request.
	Compose string
	// SmallTalk marks a question put to the answerer about itself, naming
	// nothing else, or nothing but a time ("how are you this morning?").
	SmallTalk bool
	// years are the stems of the years asked of (see [askedYears]), read
	// once here rather than for each sentence weighed.
	years []string
	// measure is the measure a "how" asks for ("long", "much", "deep"),
	// or ""; asksSum, asksShare, asksYear and asksFrom mark a question for
	// a sum of money, a share, a year and a place of origin ("where does
	// it come from") (see [spanFit]). Read once, not for each span
	// weighed.
	measure                                string
	asksSum, asksShare, asksYear, asksFrom bool
	wv                                     *WordVectors
	// stems are the stems of every word of Text, stop words too: a span
	// that repeats one does not answer.
	stems map[string]bool
}

// QueryTerm is a content word of a question as the index sees it.
type QueryTerm struct {
	Stem    string  // the index's term: the word's stem, or the corpus word it resolved to
	Own     string  // the word's own stem
	Surface string  // the word as written
	Weight  float64 // how much the word says about what is asked
	Known   bool    // whether any chunk holds the term
	// Sim is how close Stem is to the word: 1 for the word itself or a
	// form of it, less for a corpus word found by meaning or spelling.
	Sim float64
	// Key marks a topic word: a name, or a noun for a concrete thing.
	// Only key words missing from the corpus make it "not say".
	Key bool
	// Name marks a key word that names one thing: capitalised inside the
	// question, or unknown to WordNet. A name the corpus lacks makes it
	// "not say"; a common noun it lacks only lowers the confidence, since
	// the corpus may use another word for it.
	Name bool
	// Clipped marks a word the corpus lacks, typed in lower case, that
	// (less a plural's "s") begins a longer corpus term ("repo", "libs"):
	// perhaps that term cut short, so no name the corpus lacks for certain.
	Clipped bool
	// Unsure marks a short word the corpus lacks, typed in lower case,
	// that WordNet does not know, or any of two letters (WordNet's "OK" is
	// Oklahoma): a name or term perhaps, or chat ("btw", "gonna", "ok").
	// It refuses a question only where such words are terms (see
	// [passageReading.technical]).
	Unsure bool
	// Carried marks a word a follow-up's rewrite took from earlier user
	// turns, not typed in the follow-up, that was judged when it was asked
	// (see [Question.typedAs]): it refuses nothing now ("and for Paris?"
	// after a question about Hamburg the corpus lacks).
	Carried bool
	// Told marks a word of what the user tells of themselves before or
	// after the question ("i'm from Malaysia and got an offer, how much
	// is the deposit"): their story, not what is asked, it refuses
	// nothing, a name neither.
	Told bool
}

// Similarity thresholds for resolving a word the corpus lacks, and the
// weight of a light word; measured on the training set (see README).
const (
	resolveMinSim = 0.62
	typoSim       = 0.8
	relatedSim    = 0.9
	siblingMinSim = 0.7
	lightWeight   = 0.5
)

// lightRank is the frequency rank under which an English word is too
// common to name a topic.
const lightRank = 300

// isLight reports a word that shapes a question rather than naming its
// subject: a very common word, or one that is no noun in its main use
// (verbs, adjectives, adverbs). Names are never light.
func isLight(wv *WordVectors, w Word) bool {
	if w.Cap && w.Start > 0 {
		return false
	}
	if wv == nil {
		return false
	}
	if r := wv.Rank(w.Lower); r >= 0 && r < lightRank {
		return true
	}
	in := lemmaInfo(wv, w.Lower)
	return in.POS != 0 && in.POS&PosMainNoun == 0
}

// isName reports a word that names one thing: capitalised inside the
// question, or a word the vectors know and WordNet does not ("putin",
// "casarex"). A word neither knows is more likely a misspelling, and one
// with digits ("1400s", "Su-35") a number or a model.
func isName(wv *WordVectors, w Word) bool {
	if hasDigit(w.Lower) {
		return false
	}
	if w.Cap && w.Start > 0 || wv == nil {
		return true
	}
	if wv.Info(w.Lower).POS&PosProper != 0 {
		return true // "nepal" typed in lower case
	}
	return lemmaInfo(wv, w.Lower).POS == 0 && wv.Rank(w.Lower) >= 0
}

// isGeneric reports one of the most frequent English words, which names
// no topic of its own.
func isGeneric(wv *WordVectors, w Word) bool {
	r := wv.Rank(w.Lower)
	return r >= 0 && r < lightRank
}

// isKeyWord reports a topic word: a name (capitalised inside the
// question, or unknown to WordNet), or a noun whose main sense is a
// concrete thing, group, place, time or quantity rather than an act,
// idea or message ("summary", "relationship" are not key).
func isKeyWord(wv *WordVectors, w Word) bool {
	if wv == nil {
		return true
	}
	if w.Cap && w.Start > 0 {
		return true
	}
	if r := wv.Rank(w.Lower); r >= 0 && r < lightRank {
		return false
	}
	in := lemmaInfo(wv, w.Lower)
	if in.POS == 0 {
		return true // a name, acronym or number
	}
	if in.POS&PosMainNoun == 0 || verbForm(wv, w.Lower) {
		return false
	}
	switch in.Class {
	case ClassAct, ClassCommun, 9 + 1 /* cognition */, 7 + 1 /* attribute */, 12 + 1, /* feeling */
		16 + 1 /* motive */, 24 + 1 /* relation */, 26 + 1 /* state */, 3 + 1 /* tops */ :
		return false
	}
	return true
}

// verbForm reports a participle that is no noun in its own right
// ("sparked", "leaked"): used as a verb, whatever its stem names.
func verbForm(wv *WordVectors, w string) bool {
	return wv.Info(w).POS&PosNoun == 0 && participle(wv, w) // "building", "feed" are nouns
}

// participle reports a past or -ing form of a verb, regular or not
// ("hanging", "built"), whatever else the word is ("hanging" is also a
// noun).
func participle(wv *WordVectors, w string) bool {
	if wv == nil || !strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "ing") && wv.Base(w) == "" {
		return false
	}
	b := lemma(wv, w)
	return b != "" && b != w && wv.Info(b).POS&PosVerb != 0
}

var (
	leadSegment = regexp.MustCompile(`^\s*([^,!:;?.—–]{1,40})[,!:;.—–]+\s*`)
	whWord      = regexp.MustCompile(`(?i)\b(who|whom|whose|what|when|where|which|why|how)\b`)
	// questionStart opens a question: a question word, or an auxiliary
	// that opens a yes/no question.
	questionStart = regexp.MustCompile(`(?i)\b(` + questionOpeners + `)\b`)
	datePhrase    = regexp.MustCompile(`(?i)^(when\b|(in |on |by |since |until )?(what|which) (year|month|day|date|century|decade)s?\b|how long ago\b|(at |by |until )?` + whatTimeVerb + `|(the )?(date|year|month|day) (of|when)\b)`)
	howMeasure    = regexp.MustCompile(`(?i)\bhow (\w+)\b`)
	whatTime      = regexp.MustCompile(`(?i)^\W*(?:(?:and|so|but|ok|okay)\s+)*(?:at |by |until )?` + whatTimeVerb)
	numPhrase     = regexp.MustCompile(`(?i)^(how (many|much|long|soon|far|old|big|large|tall|high|deep|wide|fast|often|heavy)\b|(what|which) (number|percentage|percent|share|amount|proportion|size|fraction)\b|(the )?(number|percentage|amount|proportion) of\b)`)
	whoPhrase     = regexp.MustCompile(`(?i)^(to |by |with |for |from )?(who|whom|whose)\b`)
	wherePhr      = regexp.MustCompile(`(?i)^(from |to )?where\b`)
	whyPhrase     = regexp.MustCompile(`(?i)^(why\b|how come\b|for what reason\b|what('s| was| is| were| are) the (reason|reasons|cause|causes|motive|purpose)\b|what (caused|led|prompted|drove|made)\b)`)
	howPhrase     = regexp.MustCompile(`(?i)^how\b`)
	namePhrase    = regexp.MustCompile(`(?i)(\b(called|named|dubbed|titled|known as|name of|what name|the name|nicknamed)|\b(his|her|its|their) name|['’]s name)\b`)
	whichWhat     = regexp.MustCompile(`(?i)^(?:(?:in|on|at|from|to|for|with|by|of|under|during|since|between|against)\s+)?(which|what)\s+(?:(?:is|was|are|were)\s+(?:the|a|an)\s+(?:\w+\s+)?(?:of|for|behind|between)\b)?`)
	contraction   = regexp.MustCompile(`(?i)\b(what|who|where|when|how)['’]?s\b`)
	whatBeThe     = regexp.MustCompile(`(?i)^(?:which|what)(?:'s|\s+is|\s+was|\s+are|\s+were)\s+(?:the|a|an)\s+`)
)

// asksPhone is a question for a telephone number: a "phone number", a
// "contact number", or a number to call ("what number do I ring").
var asksPhone = regexp.MustCompile(`(?i)\b(?:(?:tele)?phone|contact|emergency|office|helpline|enquiries) (?:number|no)\b|\bnumber (?:do|should|can|could|to) (?:i |we |you )?(?:ring|call|dial|phone|text)\b`)

// measureNouns name the measure "how X" asks for.
var measureNouns = map[string]string{
	"old": "age", "tall": "height", "high": "height", "far": "distance", "heavy": "weight",
	"deep": "depth", "wide": "width", "big": "size", "large": "size", "fast": "speed",
}

// whatTimeVerb asks at what time: "what time" and a verb ("what time of
// year" asks for a season).
const whatTimeVerb = `what time (is|are|was|were|does|do|did|will|would|should|can|could|must|to)\b`

// AnalyzeQuestion reads a question against ix: padding dropped, words
// resolved to the corpus's, the answer kind and focus found.
func (ix *Index) AnalyzeQuestion(text string) *Question {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if pq := ix.queries.get(text, ix.gen); pq != nil {
		return pq.question
	}
	return ix.analyze(text)
}

// analyze is [Index.AnalyzeQuestion]; the caller holds ix.mu.
func (ix *Index) analyze(text string) *Question {
	wv := ix.opts.Words
	text = ix.dropClosingAside(ix.respellQuestionWords(foldShouting(wv, text)))
	ws := words(text)
	core, request := ix.dropPadding(text, ws)
	q := &Question{Text: text, Core: core, wv: wv, stems: allStems(ws)}
	q.Kind, q.Focus = questionKind(wv, text[core:])
	q.TimeOfDay = q.Kind == KindDate && whatTime.MatchString(text[core:])
	q.Phone = q.Kind == KindNumber && asksPhone.MatchString(text[core:])
	q.years = askedYears(wv, text[core:])
	if request && q.Kind == KindOther {
		q.Kind = KindSummary
	}
	q.Compose = composeRequest(wv, text, ws)
	toldEnd, toldAfter := toldPart(text, ws), toldLast(text)
	seen := map[string]bool{}
	for i, w := range ws {
		if w.Start < core || w.Stop || seen[w.Stem] || len(w.Lower) == 1 && !hasDigit(w.Lower) {
			continue
		}
		seen[w.Stem] = true
		// A misspelt word is the kind of word meant: "beleived" is no name.
		intended, meant := w, Word{}
		if ix.lex.df(w.Stem) == 0 && !(w.Cap && w.Start > 0) {
			if m := misspelling(wv, w.Lower); m != "" {
				meant = Word{Lower: m, Stem: stem(m), Stop: isStopWord(m), Start: w.Start, End: w.End}
				intended = meant
			}
		}
		if intended.Stop {
			continue
		}
		t := QueryTerm{Stem: w.Stem, Own: w.Stem, Surface: w.Lower, Sim: 1, Key: isKeyWord(wv, intended)}
		t.Name = t.Key && isName(wv, intended)
		if t.Key && i+1 < len(ws) && particles[ws[i+1].Lower] && wv != nil && lemmaInfo(wv, intended.Lower).POS&PosVerb != 0 {
			t.Key = false // "speed up", "set off": a verb
		}
		if t.Key && !t.Name && i > 0 && auxiliaries[ws[i-1].Lower] && participle(wv, intended.Lower) {
			t.Key = false // "are hanging", "was built": a verb
		}
		if t.Key && !t.Name && wv != nil && verbSlot(wv, ws, i) && lemmaInfo(wv, intended.Lower).POS&PosVerb != 0 {
			t.Key = false // "did the painter rate", "does the bank cap": the verb after the subject
		}
		if t.Key && !t.Name && wv != nil && measureOf(wv, ws, i) {
			t.Key = false // "a bunch of", "a handful of": how much, not what
		}
		t.Told = w.Start < toldEnd || w.Start >= toldAfter
		if t.Key && !t.Name && t.Told {
			t.Key = false // "my sister is a nurse, can she …", "…, my son is autistic": told, not asked
		}
		df := ix.lex.df(t.Stem)
		if df == 0 {
			if s, sim := ix.resolveCached(w, !t.Key); s != "" {
				t.Stem, t.Sim, df = s, sim, ix.lex.df(s)
			} else if meant.Lower != "" && ix.lex.df(meant.Stem) > 0 {
				// The word meant is the corpus's, though their stems are
				// spelt too far apart ("carnval": "carniv").
				t.Stem, t.Sim, df = meant.Stem, typoSim, ix.lex.df(meant.Stem)
			} else if meant.Lower != "" {
				// No corpus word is spelt near it: the word meant resolves
				// in its turn, by WordNet or by meaning.
				if s, sim := ix.resolveCached(meant, !t.Key); s != "" {
					t.Stem, t.Sim, df = s, sim*typoSim, ix.lex.df(s)
				}
			}
		}
		t.Known = df > 0
		if short, ok := clippable(w.Lower); ok && !t.Known && !w.Cap {
			t.Clipped = ix.lex.extends(short)
		}
		t.Unsure = !t.Known && !w.Cap && wv != nil && !hasDigit(w.Lower) &&
			(len(w.Lower) <= 2 || lemmaInfo(wv, intended.Lower).POS == 0 && len(w.Lower) <= unsureMaxLen)
		t.Weight = ix.lex.idf(df) * t.Sim
		// Weighed as typed: halving a misspelt word's weight as the light
		// word meant measured no better on the training sets.
		if isLight(wv, w) {
			t.Weight *= lightWeight
		}
		q.Terms = append(q.Terms, t)
	}
	if m := howMeasure.FindStringSubmatch(text[core:]); m != nil && numPhrase.MatchString(m[0]) {
		q.measure = strings.ToLower(m[1])
	}
	// "how old" asks for an age, "how tall" for a height: the noun of the
	// measure searches too, as a light word, for a sentence may give the
	// measure by its noun ("cadets are admitted from the age of 13").
	if q.Kind == KindNumber {
		noun := measureNouns[q.measure]
		if s := stem(noun); noun != "" && !seen[s] && ix.lex.df(s) > 0 {
			q.Terms = append(q.Terms, QueryTerm{Stem: s, Own: s, Surface: noun, Known: true, Sim: relatedSim,
				Weight: ix.lex.idf(ix.lex.df(s)) * relatedSim * lightWeight})
		}
	}
	first := slices.IndexFunc(ws, func(w Word) bool { return w.Start >= core })
	if first >= 0 {
		q.SmallTalk = smallTalk(wv, ws[first:], q.Terms)
	}
	q.asksSum = asksSumOf(q)
	q.asksShare = shareQuestion.MatchString(text[core:])
	q.asksYear = yearWord.MatchString(text[core:])
	q.asksFrom = fromWord.MatchString(text[core:])
	return q
}

// fromWord asks for an origin: "where does it come from", "where was it
// shipped from?", "where do they originate" (not "moved to X from Y").
var fromWord = regexp.MustCompile(`(?i)\bfrom\W*$|\b(?:come|comes|came|coming|originat\w*)\b`)

var yearWord = regexp.MustCompile(`(?i)\byears?\b`)

// typedAs returns q read as the follow-up typed after the turns of
// earlier: the terms its rewrite carried from earlier user turns are
// marked Carried, as they were judged when asked — unless the last answer
// was a refusal and the follow-up names no thing of its own ("and how
// much did they cost?" leans on what was refused; "and for Paris?" asks
// anew). Small talk is read from what was typed. q is not changed: it
// may be cached.
func (q *Question) typedAs(typed string, earlier []Turn) *Question {
	ws := words(typed)
	own := allStems(ws)
	said := map[string]bool{}
	refused := false
	for _, t := range earlier {
		switch t.Role {
		case "user":
			maps.Copy(said, allStems(words(t.Content)))
		case "assistant":
			refused = strings.HasPrefix(t.Content, notFoundPrefix)
		}
	}
	c := *q
	c.Terms = slices.Clone(q.Terms)
	var typedTerms []QueryTerm
	for _, t := range q.Terms {
		if own[t.Own] {
			typedTerms = append(typedTerms, t)
		}
	}
	c.SmallTalk = smallTalk(q.wv, ws, typedTerms)
	if refused && !slices.ContainsFunc(typedTerms, func(t QueryTerm) bool { return t.Name }) {
		return &c
	}
	for i, t := range c.Terms {
		c.Terms[i].Carried = !own[t.Own] && said[t.Own]
	}
	return &c
}

// composeRequest returns the verb of a request to write or translate
// something new ("write me a limerick about …", "could you translate …
// into Portuguese"), "" otherwise. The verb must take an object ("write
// me", "draft a …"; "translate" a language to put it into): "write
// barriers", "draft minutes of …" name things. A summary or overview to
// write is no such request: the documents' own sentences give that.
func composeRequest(wv *WordVectors, text string, ws []Word) string {
	if wv == nil {
		return ""
	}
	k := 0
	for k < len(ws) && (greeting(wv, ws[k]) || politeWords[ws[k].Lower]) {
		k++
	}
	// Put to the answerer: "can you …", "could u please …", "help me …".
	if k+1 < len(ws) && politeAux[ws[k].Lower] && addressee[ws[k+1].Lower] {
		k += 2
		for k < len(ws) && politeWords[ws[k].Lower] {
			k++
		}
	}
	if k+1 < len(ws) && ws[k].Lower == "help" && askers[ws[k+1].Lower] {
		k += 2
	}
	if k+1 >= len(ws) || !composeVerbs[ws[k].Lower] {
		return ""
	}
	if ws[k].Lower == "translate" {
		if !slices.ContainsFunc(ws[k+1:], func(w Word) bool { return w.Lower == "into" }) {
			return ""
		}
		return "translate"
	}
	if !objectOpener[ws[k+1].Lower] {
		return ""
	}
	// A question asked after the request's clause ("write the file: what
	// does it hold?") is the question.
	if rest := text[ws[k].End:]; whWord.MatchString(rest) && strings.ContainsAny(rest, ",:;?") {
		return ""
	}
	// What is to be written, within a few words of the verb ("write me a
	// short poem", "write up a quick summary").
	thing := false
	for j := k + 1; j < len(ws) && j <= k+4 && !frameLink[ws[j].Lower]; j++ {
		if w := ws[j]; !w.Stop {
			if summaryLike(wv, w.Lower) {
				return ""
			}
			thing = thing || lemmaInfo(wv, w.Lower).POS&PosNoun != 0
		}
	}
	if !thing {
		return ""
	}
	return ws[k].Lower
}

// summaryLike reports a word for an account of what the documents say:
// one near "summary" or "overview" in meaning, or one WordNet relates
// to "summary" or "summarize" ("synopsis", "rundown", "summarise"); a
// poem, letter or joke is not.
func summaryLike(wv *WordVectors, n string) bool {
	if b := lemma(wv, n); b != "" {
		n = b
	}
	rel := wv.Related(n)
	return n == "summary" || slices.Contains(rel, "summary") || slices.Contains(rel, "summarize") ||
		max(wv.Similarity(n, "summary"), wv.Similarity(n, "overview")) > summaryMinSim
}

// summaryMinSim is how near "summary" or "overview" a written thing must
// be to be an account of the documents: "recap" 0.53, "synopsis" 0.57,
// "report" 0.51; "essay" 0.45, "story" 0.41, "letter" 0.35, "poem" 0.23.
const summaryMinSim = 0.5

// composeVerbs ask for new text to be written, objectOpener begins their
// object; politeWords soften a request; addressee is the answerer, askers
// the user.
var (
	composeVerbs = wordSet("write compose draft translate")
	objectOpener = wordSet("me us a an some the this that these my our up")
	politeWords  = wordSet("please pls plz just")
	addressee    = wordSet("you u")
	askers       = wordSet("me us")
)

// smallTalk reports a question put to the answerer ("you") that names
// nothing else, or nothing but a time: "how are you this morning?", "what
// are u up to", "who are you".
func smallTalk(wv *WordVectors, ws []Word, terms []QueryTerm) bool {
	if wv == nil || !slices.ContainsFunc(ws, func(w Word) bool { return addressee[w.Lower] }) {
		return false
	}
	for _, t := range terms {
		if lemmaInfo(wv, t.Surface).Class != ClassTime {
			return false
		}
	}
	return true
}

// doVerbs open a question whose main verb follows its subject: "did the
// bank cut", "can Go handle".
var doVerbs = wordSet("do does did can could will would should may might must")

// pronouns and determiners open the subject after a do-verb.
var (
	pronouns    = wordSet("i you he she it we they")
	determiners = wordSet("the a an his her its their my your our this that")
)

// verbSlot reports the word after a do-verb and its subject — a name, a
// pronoun, or a determiner and one noun — where the main verb goes.
func verbSlot(wv *WordVectors, ws []Word, i int) bool {
	j := i - 1
	if j < 1 {
		return false
	}
	switch w := ws[j]; {
	case w.Cap && !w.Stop:
		for j > 0 && ws[j-1].Cap && !ws[j-1].Stop {
			j-- // a name of several words
		}
	case pronouns[w.Lower]:
	case j >= 2 && determiners[ws[j-1].Lower] && !w.Stop:
		j-- // "the bank"
	default:
		return false
	}
	if i+1 < len(ws) && !ws[i+1].Stop && lemmaInfo(wv, ws[i+1].Lower).POS&PosVerb != 0 {
		return false // "did the caspian fleet sail": the verb comes later
	}
	return j >= 1 && doVerbs[ws[j-1].Lower]
}

// foldShouting lower-cases the common words of a question typed in
// capitals or with every word capitalised ("WHO IS THE ENVOY", "When Did
// The Talks Start"), where a capital marks no name: read as typed, "THE"
// and "Did" were names the corpus lacks. Words WordNet does not know as
// common ones stay as typed, names perhaps ("Who Met Xi"), and so do
// initials among capitalised words ("Iran US Talks").
func foldShouting(wv *WordVectors, text string) string {
	ws := words(text)
	if len(ws) < 3 || wv == nil {
		return text
	}
	function, shouted := false, true
	for i, w := range ws {
		if !w.Cap && !hasDigit(w.Lower) {
			return text
		}
		function = function || i > 0 && isStopWord(w.Lower)
		shouted = shouted && strings.ToUpper(text[w.Start:w.End]) == text[w.Start:w.End]
	}
	if !function {
		return text // "Kazem Jalali Tehran Visit": names, perhaps
	}
	var b strings.Builder
	at := 0
	for _, w := range ws {
		raw := text[w.Start:w.End]
		b.WriteString(text[at:w.Start])
		at = w.End
		in := lemmaInfo(wv, w.Lower)
		initials := !shouted && len(raw) >= 2 && strings.ToUpper(raw) == raw
		if !initials && (isStopWord(w.Lower) || in.common()) {
			raw = strings.ToLower(raw)
		}
		b.WriteString(raw)
	}
	b.WriteString(text[at:])
	return b.String()
}

// closingMark ends a phrase before a closing aside.
var closingMark = regexp.MustCompile(`[?!,;:—–]+\s*`) // not ".": "the U.S. envoy"

// dropClosingAside returns text without what closes it and asks nothing:
// a short phrase after the question's last mark ("…? thanks", "…, cheers")
// with no word the corpus holds (a term of art the vectors know and WordNet
// does not reads like a greeting), or a last word of chat typed with no
// mark ("… thx") after a word that is no function word. Read as a topic
// word the corpus lacks, it refused the question.
func (ix *Index) dropClosingAside(text string) string {
	ms := closingMark.FindAllStringIndex(text, -1)
	if n := len(ms); n > 0 && ms[n-1][1] < len(text) {
		at, seg := ms[n-1][0], text[ms[n-1][1]:]
		// A bracketed close is no aside: the topic a follow-up carries.
		asks := whWord.MatchString(contraction.ReplaceAllString(seg, "${1}'s"))
		content, known := 0, false
		for _, w := range words(seg) {
			if !w.Stop {
				content++
				known = known || ix.lex.df(w.Stem) > 0
			}
		}
		if len(words(text[:at])) >= 2 && !asks && !strings.HasPrefix(seg, "(") && content > 0 && !known && ix.isAside(seg) {
			return text[:at]
		}
	}
	ws := words(text)
	if n := len(ws); n >= 3 {
		last, prev := ws[n-1], ws[n-2]
		if !last.Stop && !prev.Stop && ix.lex.df(last.Stem) == 0 && chatWord(ix.opts.Words, last) &&
			strings.TrimSpace(text[prev.End:last.Start]) == "" {
			return text[:prev.End]
		}
	}
	return text
}

// chatWord reports a filler of chat ("thx", "lol", "pls"): an interjection
// of four letters or fewer that the vectors, trained on encyclopedia and
// news text, rank past chatRank. A name the corpus lacks ("instagram",
// "modi") is longer or more common there, and is asked about.
func chatWord(wv *WordVectors, w Word) bool {
	return greeting(wv, w) && wv.Rank(w.Lower) > chatRank
}

// greeting reports an interjection of four letters or fewer ("hey",
// "pls"): a longer word WordNet lacks ("gazprom") names a topic.
func greeting(wv *WordVectors, w Word) bool {
	return len(w.Lower) <= 4 && isInterjection(wv, w)
}

// chatRank is the frequency rank past which a short interjection is chat:
// "lol" is 65,542nd, "thx" 79,851st.
const chatRank = 30000

// leadWords open a question as talk does ("ok so when …", "and then
// who …") and say nothing of its topic.
var leadWords = wordSet("and but so also then ok okay")

// questionWords open a question; on a tie of spelling, the first is meant.
var questionWords = []string{"what", "when", "where", "which", "who", "why", "how"}

// howFollowers follow "how" and no other question word.
var howFollowers = wordSet("many much long far old often come big")

// afterQuestionWord are the words that follow a question word: "wen did",
// "hwo many".
var afterQuestionWord = wordSet("is are was were do does did can could will would should has have had many much")

// respellQuestionWords spells right a question word typed one letter
// wrong ("waht", "hwo", "wen") where a clause begins: a word the corpus
// lacks, followed by a verb that asks, or itself no common English word.
// Read as typed, it was padding or a missing topic word, and the question
// lost its kind or was refused.
func (ix *Index) respellQuestionWords(text string) string {
	if ix.opts.Words == nil {
		return text
	}
	ws := words(text)
	for i := len(ws) - 2; i >= 0; i-- {
		w := ws[i]
		if w.Stop || len(w.Lower) < 2 || len(w.Lower) > 6 || !isASCII(w.Lower) || hasDigit(w.Lower) ||
			w.Cap && i > 0 || ix.lex.df(w.Stem) > 0 || !clauseStart(text, w.Start) {
			continue
		}
		next := ws[i+1].Lower
		if r := ix.opts.Words.Rank(w.Lower); !afterQuestionWord[next] && r >= 0 && r <= typoRank {
			continue
		}
		// An English word where the question has its question word already
		// is that word: "wheat was grown where?".
		if lemmaInfo(ix.opts.Words, w.Lower).POS != 0 && whWord.MatchString(text) {
			continue
		}
		meant := ""
		for _, q := range questionWords {
			if editDistance(w.Lower, q, 1) == 1 && (meant == "" || q == "how" && howFollowers[next]) {
				meant = q
			}
		}
		if meant != "" {
			text = text[:w.Start] + meant + text[w.End:]
		}
	}
	return text
}

// clauseStart reports an offset that opens the text or follows a
// punctuation mark that ends a phrase.
func clauseStart(text string, at int) bool {
	t := strings.TrimRight(text[:at], " \t")
	r, _ := utf8.DecodeLastRuneInString(t)
	return t == "" || strings.ContainsRune(",:;.!?-(—–", r)
}

// unsureMaxLen bounds the lower-case words WordNet lacks that may be chat
// ("btw", "gonna"): a longer one ("medvedev") is more often a name. With
// no bound the held-out sets lost 5 abstentions for no answer.
const unsureMaxLen = 5

func allStems(ws []Word) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w.Stem] = true
	}
	return m
}

// core is the question without its padding.
func (q *Question) core() string { return q.Text[q.Core:] }

// dropPadding returns where the question proper starts in text: after
// greetings and requests ("hey, can you tell me …", "quick q: …", "give me
// a summary of …"). Words before the first question word are padding when
// none of them is a word the corpus holds or a name; an opening request
// verb and the noun it asks for ("summary of", "overview on") are padding.
func (ix *Index) dropPadding(text string, ws []Word) (start int, request bool) {
	wv := ix.opts.Words
	// A message that is all aside ("thanks!", "hello there") asks nothing;
	// a word WordNet lacks may be a name asked about ("medvedev"), and
	// function words or a verb first ask for more ("tell me more", "go on").
	if i := slices.IndexFunc(ws, func(w Word) bool { return !w.Stop }); wv != nil && i >= 0 && !isRequestVerb(wv, ws[i]) &&
		!questionStart.MatchString(text) && !strings.Contains(text, "?") && ix.isAside(text) && !slices.ContainsFunc(ws, func(w Word) bool {
		return !w.Stop && lemmaInfo(wv, w.Lower).POS == 0
	}) {
		return len(text), false
	}
	// Leading asides set off by punctuation ("hey,", "thanks!", "quick q:")
	// that hold no corpus word or name.
	for {
		m := leadSegment.FindStringSubmatchIndex(text[start:])
		if m == nil || !ix.isAside(text[start+m[2]:start+m[3]]) || start+m[1] >= len(text) {
			break
		}
		// A segment that asks, when nothing after it does, is the question
		// itself: "what is the journal, in a word".
		if whWord.MatchString(text[start+m[2]:start+m[3]]) && !whWord.MatchString(text[start+m[1]:]) {
			break
		}
		start += m[1]
	}
	if start > 0 {
		rest := words(text[start:])
		for i := range rest {
			rest[i].Start += start
			rest[i].End += start
		}
		ws = rest
	}
	loc := whWord.FindStringIndex(text[start:])
	polite := politeRequest(wv, ws)
	if loc == nil && polite < 0 {
		loc = questionStart.FindStringIndex(text[start:])
	}
	if loc != nil {
		loc[0] += start
		if loc[0] == start {
			return start, false
		}
		if loc[0] == 0 {
			return 0, false
		}
		n := 0
		for n < len(ws) && ws[n].Start < loc[0] {
			n++
		}
		before := ws[:n]
		padding := !followUpTopic(wv, before) && !slices.ContainsFunc(before, func(w Word) bool {
			return !w.Stop && ((w.Cap && w.Start > 0) || ix.lex.df(w.Stem) > 0 && !isLight(wv, w))
		})
		// A yes/no question with a topic of its own is the question, the
		// clause after it a condition: "can i bring a bike when the ferry
		// runs" (not "can you tell me when …").
		if padding && opensQuestion(before) && wv != nil {
			for i, w := range before {
				// A noun WordNet knows: "u", "pls" are chat; "sum up" is a verb.
				if !w.Stop && isKeyWord(wv, w) && lemmaInfo(wv, w.Lower).POS&PosMainNoun != 0 && !(i+1 < len(before) && particles[before[i+1].Lower]) {
					padding = false
					break
				}
			}
		}
		if padding {
			return loc[0], false
		}
		return start, false
	}
	// No question word: a request. Skip its verb (and "me", "us"), then a
	// noun that only frames the topic when "of", "about" or "on" follows.
	i := max(polite, 0)
	// Before the request, function words and greetings ("hey", "pls"), not
	// a topic ("gazprom launch year").
	for i < len(ws) && polite < 0 && (ws[i].Stop || greeting(wv, ws[i])) {
		i++
	}
	if i >= len(ws) || !opensRequest(wv, ws[i]) {
		return start, false
	}
	i++
	first := i
	for j := i; j < len(ws) && j < i+4; j++ {
		if !ws[j].Stop && !isKeyWord(wv, ws[j]) && j+1 < len(ws) && frameLink[ws[j+1].Lower] {
			first = j + 2
			break
		}
		if !ws[j].Stop && isKeyWord(wv, ws[j]) {
			break
		}
	}
	if first >= len(ws) {
		return start, true
	}
	return ws[first].Start, true
}

// politeRequest returns where the request verb of a request put as a
// question is ("can you tell me about …", "could u give us …": the asker
// is the verb's object), or -1. "can you park at the station" asks of
// anyone, not of the answerer.
func politeRequest(wv *WordVectors, ws []Word) int {
	if wv == nil || len(ws) < 4 || !politeAux[ws[0].Lower] || !addressee[ws[1].Lower] {
		return -1
	}
	k := 2
	for k < len(ws) && politeWords[ws[k].Lower] {
		k++
	}
	if k+1 >= len(ws) || !opensRequest(wv, ws[k]) {
		return -1
	}
	if askers[ws[k+1].Lower] || summaryLike(wv, ws[k].Lower) {
		return k
	}
	// "could you write a short summary of …": an account of the documents
	// framing the topic.
	for j := k + 1; j+1 < len(ws) && j <= k+4; j++ {
		if !ws[j].Stop && summaryLike(wv, ws[j].Lower) && frameLink[ws[j+1].Lower] {
			return k
		}
	}
	return -1
}

var politeAux = wordSet("can could would will")

// isAside reports a short leading phrase with no word the corpus holds
// (other than light ones), no name and no topic word.
func (ix *Index) isAside(seg string) bool {
	ws := words(seg)
	if len(ws) == 0 || len(ws) > 4 {
		return false
	}
	if followUpTopic(ix.opts.Words, ws) {
		return false
	}
	// A greeting opens a remark on the asking itself ("hey quick
	// question,", "but hey,"), whatever words follow it.
	greeting := false
	for _, w := range ws {
		if !w.Stop {
			greeting = isInterjection(ix.opts.Words, w)
			break
		}
	}
	for _, w := range ws {
		if greeting && !(w.Cap && w.Start > 0) {
			continue
		}
		if w.Cap && w.Start > 0 || !w.Stop && ix.lex.df(w.Stem) > 0 && !isLight(ix.opts.Words, w) {
			return false
		}
		// A topic word the corpus lacks is no filler: "nginx vs
		// apache, …" names what is asked about.
		if !w.Stop && len(w.Lower) > 1 && isKeyWord(ix.opts.Words, w) {
			return false
		}
	}
	return true
}

// followUpTopic reports words joined on to the talk so far that name
// something ("and the drill, where was it?"): what a follow-up asks about,
// not padding. "but hey," names nothing.
func followUpTopic(wv *WordVectors, ws []Word) bool {
	if len(ws) == 0 || !continuation[ws[0].Lower] {
		return false
	}
	for _, w := range ws[1:] {
		if !w.Stop && !isInterjection(wv, w) {
			return true
		}
	}
	return false
}

var continuation = map[string]bool{"and": true, "but": true, "or": true, "also": true, "plus": true}

// auxiliaries make a verb of a participle after them ("are hanging").
var auxiliaries = map[string]bool{"am": true, "is": true, "are": true, "was": true, "were": true, "be": true, "been": true, "being": true, "has": true, "have": true, "had": true}

// particles make a verb of the word before them ("speed up").
var particles = map[string]bool{"up": true, "down": true, "out": true, "off": true, "over": true}

// frameLink are the prepositions after a noun that frames a topic.
var frameLink = map[string]bool{"of": true, "about": true, "on": true, "regarding": true, "between": true, "behind": true}

// isRequestVerb reports a word used as a verb only or mainly ("summarize",
// "explain", "give", "list").
func isRequestVerb(wv *WordVectors, w Word) bool {
	if wv == nil {
		return false
	}
	in := wv.Info(w.Lower)
	return in.POS&PosVerb != 0 && in.POS&PosMainNoun == 0
}

// opensRequest reports a request verb that can open a request: no
// adjective as well ("last summit year" asks for a year).
func opensRequest(wv *WordVectors, w Word) bool {
	return isRequestVerb(wv, w) && wv.Info(w.Lower).POS&PosAdj == 0
}

// isInterjection reports a greeting or filler word: one WordNet does not
// know that is no name ("hey", "hi", "ok").
func isInterjection(wv *WordVectors, w Word) bool {
	return wv != nil && !w.Cap && wv.Rank(w.Lower) >= 0 && lemmaInfo(wv, w.Lower).POS == 0 && !hasDigit(w.Lower)
}

// questionKind reads the kind of answer asked for from the question
// proper (padding dropped), and the focus noun of "which/what X".
func questionKind(wv *WordVectors, core string) (AnswerKind, string) {
	core = strings.TrimSpace(strings.TrimLeft(core, "-–—:,;.!? "))
	// "whats", "who’s": typed without the apostrophe, or with a curly one.
	core = contraction.ReplaceAllString(core, "${1}'s")
	ws := words(core)
	for len(ws) > 1 && leadWords[ws[0].Lower] {
		core = core[ws[1].Start:]
		ws = words(core)
	}
	// "my notes say two ships sailed. how many came back?": what is told
	// first, the question after it.
	if !opensQuestion(ws) && len(ws) > 0 && !opensRequest(wv, ws[0]) {
		if m := laterQuestion.FindStringSubmatchIndex(core); m != nil {
			core = core[m[2]:]
			ws = words(core)
		} else if m := asksMeasure.FindStringIndex(core); m != nil {
			core = core[m[0]:] // "harbour cranes how many": a measure asked wherever it comes
			ws = words(core)
		}
	}
	// "When I embed a type, what is the field called?": a clause of
	// condition first, the question after it.
	if m := conditionFirst.FindStringIndex(core); m != nil && whWord.MatchString(core[m[1]:]) {
		core = strings.TrimSpace(core[m[1]:])
		ws = words(core)
	}
	focus, class := focusNoun(wv, core)
	switch {
	case whyPhrase.MatchString(core):
		return KindReason, ""
	case datePhrase.MatchString(core):
		return KindDate, ""
	case numPhrase.MatchString(core):
		return KindNumber, countedNoun(wv, core)
	case whoPhrase.MatchString(core):
		return KindPerson, ""
	case wherePhr.MatchString(core):
		return KindPlace, ""
	case howPhrase.MatchString(core):
		return KindManner, ""
	case namePhrase.MatchString(calledOff.ReplaceAllString(core, "")):
		// The name of a person is a person's name: "the ambassador's name".
		if n := namedPerson(wv, core); n != "" {
			return KindPerson, n
		}
		if class == ClassPerson {
			return KindPerson, focus // "which minister called the meeting"
		}
		return KindName, focus
	case asksPhone.MatchString(core):
		return KindNumber, "" // "what's the phone number", "box office number?"
	case asksAmount(wv, ws):
		return KindNumber, ""
	case focus != "":
		switch class {
		case ClassPerson:
			return KindPerson, focus
		case ClassLocation:
			return KindPlace, focus
		case ClassTime:
			return KindDate, focus
		case ClassQuantity:
			return KindNumber, focus
		}
		return KindThing, focus
	case !whWord.MatchString(core) && len(ws) > 0 && opensRequest(wv, ws[0]) && !opensQuestion(ws):
		return KindSummary, "" // "do" opens a question, not a request
	case !whWord.MatchString(core) && !opensQuestion(ws) && len(ws) > 1 && wv != nil:
		// A noun phrase typed for a question ends in what it asks for:
		// "treaty signing year?", "fleet tonnage"; "sales per year" is a rate.
		if rate[ws[len(ws)-2].Lower] {
			break
		}
		switch last := ws[len(ws)-1]; lemmaInfo(wv, last.Lower).Class {
		case ClassTime:
			return KindDate, ""
		case ClassQuantity:
			return KindNumber, ""
		}
	}
	return KindOther, ""
}

// asksAmount reports "what does … cost" and its like: "what", a do-verb,
// then a verb whose object is an amount ("what did the probe weigh at
// launch", "what will the repairs cost next year"). A noun spelt the same
// ("what did the cost of …", "the new measures") follows a determiner or
// comes before "of" or a verb; a verb with an object of its own ("what do
// members pay attention to") asks for no amount.
func asksAmount(wv *WordVectors, ws []Word) bool {
	if wv == nil || len(ws) < 4 || ws[0].Lower != "what" || !doVerbs[ws[1].Lower] {
		return false
	}
	for i := 3; i < len(ws); i++ {
		b := lemma(wv, ws[i].Lower)
		if b == "" {
			b = ws[i].Lower
		}
		if !amountVerbs[b] || determiners[ws[i-1].Lower] {
			continue
		}
		if i+1 == len(ws) {
			return true
		}
		next := ws[i+1]
		if next.Lower == "of" || doVerbs[next.Lower] || auxiliaries[next.Lower] ||
			wv.Info(next.Lower).POS&PosVerb != 0 && !next.Stop && lemmaInfo(wv, next.Lower).Class != ClassTime {
			return false
		}
		return next.Stop || lemmaInfo(wv, next.Lower).Class == ClassTime ||
			i+2 < len(ws) && lemmaInfo(wv, ws[i+2].Lower).Class == ClassTime // "cost last year"
	}
	return false
}

// amountVerbs take an amount for their object: a price, a weight, a wage.
var amountVerbs = wordSet("cost weigh measure earn pay charge")

// calledOff is "called" with a particle that makes it another verb than
// naming: "called off", "called back".
var calledOff = regexp.MustCompile(`(?i)\bcalled\s+(?:off|up|back|away)\b`)

// verbBeforeObject reports an irregular form of a verb ("won", "left")
// that ends the question or comes before a determiner, as a verb does
// before its object ("which crew member won the race"), whatever noun is
// spelt the same; before a verb it is a noun of the subject ("which
// police men were hurt", "which table saw is safest").
func verbBeforeObject(wv *WordVectors, ws []Word, i int) bool {
	b := wv.Base(ws[i].Lower)
	if b == "" || b == ws[i].Lower || wv.Info(b).POS&PosVerb == 0 {
		return false
	}
	return i+1 == len(ws) || determiners[ws[i+1].Lower]
}

// namedPerson is the noun a naming question names when its main sense is
// a person ("the envoy's name", "the name of the envoy", "what was the
// envoy called"), or "".
func namedPerson(wv *WordVectors, core string) string {
	if wv == nil {
		return ""
	}
	for _, re := range namedNoun {
		m := re.FindStringSubmatch(core)
		if m == nil {
			continue
		}
		w := Word{Lower: strings.ToLower(m[1])}
		if in := lemmaInfo(wv, w.Lower); in.POS&PosMainNoun != 0 && in.Class == ClassPerson && !unicode.IsUpper(rune(m[1][0])) {
			return w.Lower // a capitalised word is a name already, not the person named
		}
	}
	return ""
}

// namedNoun finds the noun a naming question names.
var namedNoun = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(\w+)['’]s name\b`),
	regexp.MustCompile(`(?i)\bname of (?:the |a |an |his |her |its |their )?(\w+)\b`),
	regexp.MustCompile(`(?i)^(?:what|who)(?:'s| is| was| are| were) (?:the |a |an |his |her |its |their )?(\w+) (?:called|named)\b`),
}

// laterQuestion is a clause that opens with a question word after a mark
// that ends a phrase.
var laterQuestion = regexp.MustCompile(`(?i)[,.;:!?—–]\s*((?:who|whom|whose|what|when|where|which|why|how)\b.*)$`)

// asksMeasure asks for a measure: "how many", "how long", "how old".
var asksMeasure = regexp.MustCompile(`(?i)\bhow (?:many|much|long|old|far|big)\b`)

// rate are the words that make a time noun a rate: "per year".
var rate = wordSet("per a an each every")

// opensQuestion reports words whose first is a question word or an
// auxiliary that opens a yes/no question.
func opensQuestion(ws []Word) bool {
	return len(ws) > 0 && questionStart.MatchString(ws[0].Lower)
}

var conditionFirst = regexp.MustCompile(`(?i)^(?:when|if|once|after|before|while)\s+(?:i|you|we|they|it|he|she)\b[^,?]*,\s*(?:then\s+)?`)

var howMany = regexp.MustCompile(`(?i)^how (?:many|much)\s+`)

// countedNoun is the X of "how many X", when it is a noun.
func countedNoun(wv *WordVectors, core string) string {
	loc := howMany.FindStringIndex(core)
	if loc == nil || wv == nil {
		return ""
	}
	ws := words(core[loc[1]:])
	if len(ws) == 0 || ws[0].Stop {
		return ""
	}
	if in := lemmaInfo(wv, ws[0].Lower); in.POS&PosNoun != 0 {
		if b := lemma(wv, ws[0].Lower); b != "" {
			return b
		}
		return ws[0].Lower
	}
	return ""
}

// focusNoun finds the noun a "which X" / "what X" question asks about —
// the first word after the question word that is mainly a noun — and its
// WordNet class.
func focusNoun(wv *WordVectors, core string) (string, uint8) {
	if wv == nil {
		return "", 0
	}
	// "what is the name of …", "what was the score …": the noun after "the".
	if loc := whatBeThe.FindStringIndex(core); loc != nil {
		ws := words(core[loc[1]:])
		for i, w := range ws {
			if i > 1 || w.Stop {
				break
			}
			if in := lemmaInfo(wv, w.Lower); in.POS&PosNoun != 0 && !generalNoun(wv, w.Lower) && (i+1 >= len(ws) || ws[i+1].Stop) {
				l := w.Lower
				if b := lemma(wv, l); b != "" && wv.Info(l).POS == 0 {
					l = b
				}
				return l, in.Class
			}
		}
		return "", 0
	}
	loc := whichWhat.FindStringIndex(core)
	if loc == nil {
		return "", 0
	}
	// The head of the noun phrase after the question word: the last noun
	// of its run of nouns and adjectives ("which Danish king" → "king"),
	// past a general noun and its "of" ("which type of ship" → "ship").
	ws := words(core[loc[1]:])
	head, class, headAdj := "", uint8(0), false
	for i := 0; i < len(ws) && i < 5; i++ {
		w := ws[i]
		if w.Stop {
			if i == 0 {
				return "", 0 // "what is …", "what did …": no focus noun
			}
			if w.Lower == "of" && head == "" {
				continue
			}
			break
		}
		// A verb form right after the question word, no noun after it,
		// is the question's verb: "what went wrong", not "which stolen
		// paintings".
		if i == 0 && verbForm(wv, w.Lower) && wv.Info(w.Lower).POS&PosAdj == 0 &&
			(i+1 == len(ws) || lemmaInfo(wv, ws[i+1].Lower).POS&PosMainNoun == 0) {
			return "", 0
		}
		in := lemmaInfo(wv, w.Lower)
		// After a head that may be an adjective ("Chilean"), a plural
		// noun of any main use goes on the phrase: "which Chilean exports".
		if in.POS&(PosNoun|PosAdj) == 0 || head != "" && in.POS&PosMainNoun == 0 && !(headAdj && pluralNoun(wv, w.Lower)) {
			break // past the noun phrase: "which plants keep …"
		}
		if in.POS&PosNoun == 0 {
			continue
		}
		if head != "" && (verbForm(wv, w.Lower) || verbBeforeObject(wv, ws, i)) {
			break // "which plants keep …", "which crew member won the …"
		}
		l := w.Lower
		if b := lemma(wv, l); b != "" && wv.Info(l).POS == 0 {
			l = b
		}
		if in.Class == 3+1 || generalNoun(wv, l) {
			continue // "what kind of", "which one": too general to be the focus
		}
		head, class, headAdj = l, in.Class, in.POS&PosAdj != 0
		if in.POS&PosMainNoun == 0 && i+1 < len(ws) && !ws[i+1].Stop && lemmaInfo(wv, ws[i+1].Lower).POS&PosNoun == 0 {
			break // a verb follows: "which plants keep"
		}
	}
	return head, class
}

// pluralNoun reports a noun's plural: a form WordNet knows only by its
// lemma, which is a noun ("exports", "goods").
func pluralNoun(wv *WordVectors, w string) bool {
	b := lemma(wv, w)
	return strings.HasSuffix(w, "s") && wv.Info(w).POS == 0 && b != "" && wv.Info(b).POS&PosNoun != 0
}

// toldPart returns where the question asked after what the user tells
// first begins ("my sister is a nurse, can she enrol?"), or 0. A
// topic word of the told part the corpus lacks is the user's story, not
// what is asked: it refuses nothing.
func toldPart(text string, ws []Word) int {
	if opensQuestion(ws) {
		return 0
	}
	m := askedAfterTold.FindStringSubmatchIndex(text)
	if m == nil {
		return 0
	}
	// Told by the user of the user: "The dishwasher shows E24, what does
	// that mean?" tells nothing of the user's own, and asks of E24.
	if !slices.ContainsFunc(ws, func(w Word) bool { return w.Start < m[2] && firstPerson[w.Lower] }) {
		return 0
	}
	return m[2]
}

// toldLast returns where a closing clause begins in which the user tells
// of themselves after asking ("what is a relaxed screening, my son is
// autistic"), or len(text) when there is none: a question word or a
// question's opening word must come before it. A closing clause that
// ends in "?" asks, and is not one.
func toldLast(text string) int {
	m := toldAfterAsked.FindStringSubmatchIndex(text)
	if m == nil {
		return len(text)
	}
	if before := text[:m[2]]; !whWord.MatchString(before) && !opensQuestion(words(before)) {
		return len(text)
	}
	return m[2]
}

// toldAfterAsked is a last clause, after a mark, that opens with the
// user and asks nothing.
var toldAfterAsked = regexp.MustCompile(`(?i)[,.;:!?—–]\s*((?:i|i'm|im|my|we|we're|our)\s[^,.;:!?—–]*?)[.!]?\s*$`)

// questionOpeners are the words a question may open with.
const questionOpeners = `who|whom|whose|what|when|where|which|why|how|is|are|was|were|do|does|did|can|could|will|would|should|has|have|had`

// askedAfterTold is the last clause, after a mark, that opens as a
// question does.
var askedAfterTold = regexp.MustCompile(`(?i)[,.;:!?—–]\s*((?:` + questionOpeners + `|may|must|am)\b[^,.;:!?—–]*[?]?\s*)$`)

var firstPerson = wordSet("i me my mine we us our ours")

// measureOf reports a noun of quantity or of a group between "a" and
// "of" ("a bunch of calls", "a handful of bugs"): it says how much of
// the topic, which comes after it.
func measureOf(wv *WordVectors, ws []Word, i int) bool {
	if i == 0 || i+1 >= len(ws) || ws[i+1].Lower != "of" || ws[i-1].Lower != "a" && ws[i-1].Lower != "an" {
		return false
	}
	c := lemmaInfo(wv, ws[i].Lower).Class
	return c == ClassQuantity || c == ClassGroup
}

// generalNoun reports a noun too general to say what is asked for: a
// word for a kind, a part or a thing.
func generalNoun(wv *WordVectors, w string) bool {
	switch w {
	case "kind", "sort", "type", "part", "thing", "one", "way", "lot", "bit", "form":
		return true
	}
	return false
}

// resolve finds the corpus term closest to a word the corpus lacks: a
// form of it (its lemma, or the word plus or minus a letter), a near
// spelling (a typo), or — when byMeaning — a word of close meaning by the
// word vectors. Key words are not resolved by meaning: the vectors put
// "Australia" near "England" and "mother" near "daughter", and a question
// about one is no question about the other. It returns the term and how
// close it is, or "" when nothing is close.
func (ix *Index) resolve(w Word, byMeaning bool) (string, float64) {
	if v := ix.lex.variant(w.Stem); v != "" {
		return v, 1
	}
	wv := ix.opts.Words
	if wv != nil {
		if b := lemma(wv, w.Lower); b != "" {
			if s := stem(b); ix.lex.df(s) > 0 {
				return s, 1
			}
		}
	}
	// A synonym, hypernym or derivation in WordNet ("dad": "father"). A
	// name takes only a word that names it back ("US": "America"), a
	// synonym: a hypernym would turn "Hamlet" into any community.
	if wv != nil {
		base := w.Lower
		if b := lemma(wv, base); b != "" && wv.Info(base).POS == 0 {
			base = b
		}
		bestDF := 0
		found, synonym := "", false
		name := isName(wv, w)
		for _, r := range wv.Related(base) {
			back := slices.Contains(wv.Related(r), base)
			if name && !back {
				continue
			}
			if s := stem(r); ix.lex.df(s) > bestDF {
				found, bestDF, synonym = s, ix.lex.df(s), back
			}
		}
		// A broader word stands for a common noun only when no corpus word
		// is much closer in meaning: "envoy" is a diplomat, but the corpus's
		// "ambassador" is what a reader means.
		if found != "" && !synonym && !name && wv.Rank(w.Lower) >= 0 {
			if near, sim := ix.nearestByMeaning(w.Lower); sim >= siblingMinSim && near != found {
				return near, sim
			}
		}
		if found != "" {
			return found, relatedSim
		}
		// WordNet may relate the corpus word to this one and not back:
		// "bicycle" lists "bike", whose own main sense is a motorcycle.
		if !name {
			if t, sim := ix.relatedFrom(base); t != "" {
				return t, sim
			}
		}
	}
	// A shorthand ("govt", "mgmt", "yrs"): its most frequent English
	// expansion, when the corpus holds that.
	if e := abbreviation(wv, w); e != "" && ix.lex.df(stem(e)) > 0 {
		return stem(e), typoSim
	}
	// A clipped word ("crypto" for "cryptocurrency"): the word as written
	// begins a longer corpus term.
	if len(w.Lower) >= 5 {
		if t := ix.lex.extension(w.Lower); t != "" && len(t) > len(w.Lower) {
			return t, typoSim
		}
	}
	// A derived word ("violinists", "novelists"): the corpus word it
	// extends by an English derivational suffix.
	if t := ix.derivedFrom(w.Lower); t != "" {
		return t, typoSim
	}
	best, bestSim := "", 0.0
	if wv != nil && byMeaning && wv.Rank(w.Lower) >= 0 {
		best, bestSim = ix.nearestByMeaning(w.Lower)
	}
	// Only a word that is rare or no English word at all may be a typo.
	// A capitalised word may be a name the corpus lacks: only a long one
	// is taken for a misspelling.
	capital := w.Cap && w.Start > 0
	if r := wv.Rank(w.Lower); bestSim < typoSim && len(w.Lower) >= 4 && !hasDigit(w.Lower) && (!capital || len(w.Lower) >= 6) &&
		(r < 0 || r > typoRank || lemmaInfo(wv, w.Lower).POS == 0) {
		edits := maxEdits(w.Lower)
		if capital {
			edits = 1
		}
		// The stem of a misspelling may be cut wrongly ("agreemant" →
		// "agreem"): the word as written is tried too.
		for _, form := range []string{w.Stem, w.Lower} {
			if t := ix.lex.nearestSpelling(form, edits); t != "" {
				return t, typoSim
			}
		}
	}
	if bestSim >= resolveMinSim {
		return best, bestSim
	}
	// A compound written as one word ("supervolcano", "cellphone") is a
	// kind of its last part, its head: the longest noun the corpus holds
	// after a word the vectors know. A word whose last letters only look
	// like a noun ("friendship", "passport") is told apart by the vectors
	// when they know it: a compound's meaning stays near its head's.
	if wv != nil && len(w.Lower) >= 8 && !hasDigit(w.Lower) {
		for i := 4; i <= len(w.Lower)-4; i++ {
			head := w.Lower[i:]
			if s := stem(head); ix.lex.df(s) > 0 && wv.Rank(w.Lower[:i]) >= 0 && wv.Info(head).POS&PosNoun != 0 {
				if wv.Rank(w.Lower) >= 0 && wv.Similarity(w.Lower, head) < resolveMinSim {
					break
				}
				return s, typoSim
			}
		}
	}
	return "", 0
}

// relatedFrom returns the corpus term whose WordNet relations name w and
// whose vector is within relatedFromMinSim of w's, the closest, with the
// cosine; "" when there is none.
func (ix *Index) relatedFrom(w string) (string, float64) {
	wv := ix.opts.Words
	if wv == nil {
		return "", 0
	}
	i, ok := wv.index[w]
	if !ok || len(wv.relStart) == 0 {
		return "", 0
	}
	best, bestSim := "", 0.0
	for _, j := range ix.corpusRows() {
		if slices.Contains(wv.relatedRow(int(j)), i) {
			if sim := wv.simRows(i, j); sim >= relatedFromMinSim && sim > bestSim {
				best, bestSim = wv.stems()[j], sim
			}
		}
	}
	return best, bestSim
}

// relatedFromMinSim is how near a corpus word whose relations name a key
// word must be to stand for it: a synonym's nearness ("bike", "bicycle":
// 0.90), not a topic's ("scientist", "research"; "cargo", "ship").
const relatedFromMinSim = 0.85

// derivationalSuffixes are the endings that make one English word of
// another: a person of ("-ist", "-er", "-ian"), a quality of ("-ness",
// "-ity"), an adjective or adverb of ("-al", "-ic", "-ly"), plurals too.
var derivationalSuffixes = map[string]bool{
	"er": true, "ers": true, "ist": true, "ists": true, "ism": true, "ian": true, "ians": true,
	"an": true, "ans": true, "ness": true, "ity": true, "al": true, "ally": true, "ly": true,
	"ic": true, "ical": true, "ment": true, "ments": true, "ship": true,
}

// derivedMinSim is the least word-vector similarity between a derived word
// and its base: "violinists" and "violin" have 0.49, "novelists" and
// "novel" 0.46; "hardship" and "hard" 0.28, "number" and "numb" -0.05.
const derivedMinSim = 0.45

// derivedFrom returns the corpus term of the longest word, four letters or
// more, that w begins with and extends by a derivational suffix: an
// English word near w in meaning, so that "number" is not "numb" nor
// "Germans" "germ".
func (ix *Index) derivedFrom(w string) string {
	wv := ix.opts.Words
	if wv == nil {
		return ""
	}
	for cut := len(w) - 2; cut >= 4; cut-- {
		base := w[:cut]
		if !derivationalSuffixes[w[cut:]] || wv.Rank(base) < 0 {
			continue
		}
		if wv.Rank(w) >= 0 && wv.Similarity(w, base) < derivedMinSim {
			continue
		}
		if s := stem(base); ix.lex.df(s) > 0 {
			return s
		}
	}
	return ""
}

// abbreviation returns the most frequent English word that w, typed in
// lower case and unknown to WordNet, shortens: one with w's first letter
// and its letters in order, at least two letters longer, ending in its last
// consonant ("govt": "government", "mgmt": "management"). Word vectors do not help here: a shorthand's
// contexts are chat, not its expansion's.
func abbreviation(wv *WordVectors, w Word) string {
	a := w.Lower
	if wv == nil || w.Cap || len(a) < 3 || len(a) > 5 || hasDigit(a) || wv.Info(a).POS != 0 {
		return ""
	}
	// An inflection of a word in common use ("cats", "ran", "apps")
	// shortens nothing; "hrs" is the plural of a shorthand ("hr").
	if b := lemma(wv, a); b != "" && wv.Rank(b) >= 0 && wv.Rank(b) < inflectedRank {
		return ""
	}
	for _, e := range wv.words[:min(len(wv.words), abbreviationRank)] {
		if len(e) < len(a)+2 || e[0] != a[0] || wv.Info(e).POS == 0 || !subsequence(a, e) {
			continue
		}
		if stem := strings.TrimRight(e, "aeiou"); stem != "" && stem[len(stem)-1] == a[len(a)-1] {
			return e
		}
	}
	return ""
}

// abbreviationRank bounds the words a shorthand may stand for: common ones.
// inflectedRank bounds the words whose inflections are words of their own:
// "cat" (rank 5,110) and "app" (13,812), not "hr" (17,680).
const (
	abbreviationRank = 5000
	inflectedRank    = 15000
)

// subsequence reports whether a's letters occur in b in order.
func subsequence(a, b string) bool {
	i := 0
	for j := 0; j < len(b) && i < len(a); j++ {
		if b[j] == a[i] {
			i++
		}
	}
	return i == len(a)
}

// misspelling returns the common English word one typing slip away from w
// (a letter dropped, added, replaced, or two swapped) when w itself is
// rare or no word at all and unknown to WordNet ("beleived", "seperate"),
// the most frequent when there are several; "" otherwise. Corpus words are
// matched by [lexicon.nearestSpelling]; this tells what kind of word a
// misspelt one is.
func misspelling(wv *WordVectors, w string) string {
	if wv == nil || len(w) < 5 || hasDigit(w) || !isASCII(w) || lemmaInfo(wv, w).POS != 0 {
		return ""
	}
	if r := wv.Rank(w); r >= 0 && r <= typoRank {
		return ""
	}
	best, bestRank := "", typoRank
	try := func(c string) {
		if r := wv.Rank(c); r >= 0 && r < bestRank && lemmaInfo(wv, c).POS != 0 {
			best, bestRank = c, r
		}
	}
	for i := 0; i <= len(w); i++ {
		if i < len(w) {
			try(w[:i] + w[i+1:])
			if i+1 < len(w) {
				try(w[:i] + string(w[i+1]) + string(w[i]) + w[i+2:])
			}
		}
		for c := byte('a'); c <= 'z'; c++ {
			try(w[:i] + string(c) + w[i:])
			if i < len(w) && w[i] != c {
				try(w[:i] + string(c) + w[i+1:])
			}
		}
	}
	return best
}

// isASCII reports a word of plain letters and digits: the single-byte
// edits of [misspelling] need one.
func isASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			return false
		}
	}
	return true
}

// typoRank is the frequency rank past which a word may be a misspelling.
const typoRank = 60000

// maxEdits is how many letters a typo may get wrong in a word.
func maxEdits(w string) int {
	if len(w) >= 7 {
		return 2
	}
	return 1
}

// nearestByMeaning returns the corpus term whose word vector is closest to
// word's, with the cosine.
func (ix *Index) nearestByMeaning(word string) (string, float64) {
	wv := ix.opts.Words
	rows := ix.corpusRows()
	i := wv.index[word]
	best, bestSim := int32(-1), 0.0
	for _, j := range rows {
		if j == i {
			continue
		}
		if s := wv.simRows(i, j); s > bestSim {
			best, bestSim = j, s
		}
	}
	if best < 0 {
		return "", 0
	}
	return stem(wv.words[best]), bestSim
}
