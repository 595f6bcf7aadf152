package rag

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strings"
)

// ExtractiveName is the answerer name of the offline path.
const ExtractiveName = "extractive"

// ExtractiveOptions tune the extractive answerer.
type ExtractiveOptions struct {
	// MaxSentences bounds an answer's sentences: an explanation's (why,
	// how, summaries) and the runners-up of any other answer.
	MaxSentences int
	// Model scores sentences; below its threshold the answerer abstains.
	// The built-in one ([DefaultSelector]) when unset.
	Model SelectorModel
}

// DefaultExtractiveOptions are the values the eval gate runs with.
var DefaultExtractiveOptions = ExtractiveOptions{MaxSentences: 4}

// Extractive returns the offline answerer. It reads each sentence of the
// retrieved passages against the analysed question — how much of the
// question it covers by word and by meaning, alone and with its
// neighbours; whether it holds the kind of thing asked for (a person, a
// place, a date, a number) outside the question's own words and how close
// to the words it matches; whether the key topic words are there at all —
// and a logistic model fitted on a training set turns that into the
// probability that the sentence holds the answer.
//
// It answers with the most probable sentence and, while the model wavers,
// the runners-up of its document, leading with the span asked for when
// there is one; for why, how and summary questions it adds up to
// MaxSentences further sentences of the same documents that say something
// else. Below the model's threshold it abstains, naming the key
// topic words the corpus lacks. Confidence is the best probability.
func Extractive(opts ExtractiveOptions) AnswerFunc {
	if opts.MaxSentences < 1 {
		opts.MaxSentences = 1
	}
	if opts.Model.Weights == nil {
		opts.Model = DefaultSelector()
	}
	return func(ctx context.Context, req AnswerRequest) (*Answer, error) {
		q := req.Analysis
		if q == nil { // an answerer called without the engine: words only
			q = &Question{Text: req.Question, stems: allStems(words(req.Question)), years: askedYears(nil, req.Question)}
		}
		if q.Compose != "" || q.SmallTalk {
			return &Answer{Answerer: ExtractiveName, Citations: []Citation{}, Answer: q.offTask()}, nil
		}
		cands := sentenceCandidates(req.Passages)
		q = q.inContext(cands)
		read := readPassagesFor(q, req.Passages)
		candidateFeatures(q, req.Passages, read, cands)
		for i := range cands {
			cands[i].score = opts.Model.Score(cands[i].features)
		}
		order := byScore(cands)
		order = q.preferAskedYear(read, req.Passages, cands, order)
		ans := &Answer{Answerer: ExtractiveName, Citations: []Citation{}}
		if len(order) > 0 {
			margin := 0.0
			if len(order) > 1 {
				margin = cands[order[0]].score - cands[order[1]].score
			}
			ans.Confidence = round3(opts.Model.Confidence(cands[order[0]].features, cands[order[0]].score, margin))
		}
		// A name the corpus lacks altogether, or a key word no passage
		// comes near in meaning: it does not say.
		unanswerable := q.unanswerable(read)
		if unanswerable || len(order) > 0 && q.ofAnother(read, req.Passages, cands, order[0]) {
			ans.Confidence = 0
		}
		if len(order) == 0 || !q.hasKnownTerm() || ans.Confidence < opts.Model.Threshold {
			ans.Answer = q.abstention(req.Passages, unanswerable)
			return ans, nil
		}
		chosen, short := choose(q, cands, order, opts)
		ans.Answered, ans.Grounded = true, true
		ans.Answer, ans.Citations = citeSentences(chosen, req.Passages)
		if short != "" {
			ans.ShortAnswer = short
			ans.Answer = short + " — " + ans.Answer
		}
		if req.OnToken != nil {
			req.OnToken(ans.Answer)
		}
		return ans, nil
	}
}

// choose picks the sentences to answer with, best first, and the span to
// lead with.
func choose(q *Question, cands []candidate, order []int, opts ExtractiveOptions) ([]candidate, string) {
	best := order[0]
	b := &cands[best]
	if q.Kind.explainKind() {
		return withIntroduced(cands, explanation(q, cands, order, opts.MaxSentences)), ""
	}
	chosen := []candidate{*b}
	// The answer may sit in the sentence after the one that matches the
	// question ("… met Putin. The envoy, Ali Larijani, …").
	if q.Kind.spanKind() && len(b.answerSpans(q)) == 0 && b.next >= 0 && len(cands[b.next].answerSpans(q)) > 0 {
		chosen = append(chosen, cands[b.next])
	} else {
		// Runners-up of the same document the model wavers between often
		// hold what the best one lacks.
		chosen = runnersUp(cands, order, opts.MaxSentences)
		// The best sentence may be continued by the next one, which often
		// says what was asked: one that refers back ("… keeps three
		// depots. These are …", "It …", "However, …"), right after it
		// whatever runners-up join, or, when the best stands alone and no
		// name, place, date or number is asked for, any ("… runs three
		// depots. The largest are at …").
		if b.next >= 0 && (len(chosen) == 1 && !q.Kind.spanKind() || refersBack(&cands[b.next])) {
			chosen = slices.DeleteFunc(chosen, func(c candidate) bool { return c.span == cands[b.next].span })
			chosen = slices.Insert(chosen, 1, cands[b.next])
			chosen = chosen[:min(len(chosen), max(opts.MaxSentences, 2))]
		}
	}
	chosen = withIntroduced(cands, chosen)
	if !q.Kind.spanKind() {
		return chosen, ""
	}
	// The lead comes from the first sentence with a span of the kind asked,
	// unless a later one has a span that fits what is asked where the
	// first's does not (see spanFit: "the pool holds 40 swimmers … a
	// session lasts 45 minutes" for how long), or clearly better (a full
	// date over a bare year; not over a month and year, where the order
	// of the sentences says more). A span that does not fit at all (−1)
	// leads nowhere.
	short, from, fit := "", -1, -1
	for k := range chosen {
		if spans := leadSpans(q, &chosen[k]); len(spans) > 0 {
			if s, f := bestSpan(q, &chosen[k], spans); f > fit && (fit <= 0 || f > fit+1) {
				short, from, fit = s, k, f
			}
		}
	}
	// A person named by one name alone, perhaps after an honorific ("Dr
	// Varga"), leads with the full name the document gives elsewhere,
	// whose sentence is cited too.
	name := untitled(short)
	if from >= 0 && q.Kind == KindPerson && !strings.ContainsAny(name, " -") {
		if full, at := fullName(q, cands, chosen[from].docID, name); at >= 0 {
			if !slices.ContainsFunc(chosen, func(c candidate) bool { return c.span == cands[at].span }) {
				chosen = append(chosen, cands[at])
			}
			short = full
		}
	}
	return chosen, short
}

// honorifics are the titles written before a person's name: the
// shortened ones sentences do not end at, and some in full.
var honorifics = wordSet(titleAbbreviations + " professor miss sir dame lord lady")

// untitled returns a name without the honorific before it ("Dr Varga":
// "Varga").
func untitled(name string) string {
	if h, rest, ok := strings.Cut(name, " "); ok && honorifics[strings.ToLower(strings.TrimSuffix(h, "."))] {
		return rest
	}
	return name
}

// fullName returns a person's name of two words or more (besides an
// honorific) that ends or begins with the one-word name, from a candidate
// sentence of the same document, and that sentence's index; -1 when there
// is none.
func fullName(q *Question, cands []candidate, doc, name string) (string, int) {
	// A surname first ("Brandvold": "Ilse Brandvold"), then a given name
	// ("Ilse": "Ilse Brandvold").
	for _, fits := range []func(full string) bool{
		func(full string) bool { return strings.HasSuffix(full, " "+name) },
		func(full string) bool { return strings.HasPrefix(full, name+" ") },
	} {
		for i := range cands {
			c := &cands[i]
			if c.docID != doc || !strings.Contains(c.text, name) {
				continue
			}
			for _, sp := range c.answerSpans(q) { // q asks for a person: the spans are people's names
				if full := strings.TrimSpace(c.text[sp.start:sp.end]); fits(full) && strings.Contains(untitled(full), " ") {
					return full, i
				}
			}
		}
	}
	return "", -1
}

// runnersUp returns the best candidate of order and, while the model
// wavers, the runners-up of its document: the fewest, best first, whose
// softmax probabilities add up to answerMass, at most limit, none a near
// duplicate of the best or runnerUpMargin behind it, and none when the best
// one's document holds less than docMassMin of the belief.
func runnersUp(cands []candidate, order []int, limit int) []candidate {
	b := &cands[order[0]]
	chosen := []candidate{*b}
	var all, docMass float64
	for _, i := range order {
		e := math.Exp(cands[i].score - b.score)
		all += e
		if sameDoc(&cands[i], b) {
			docMass += e
		}
	}
	if docMass/all < docMassMin {
		return chosen
	}
	mass := 1 / all
	for _, i := range order[1:] {
		if mass >= answerMass || len(chosen) >= limit || cands[i].score < b.score-runnerUpMargin {
			break
		}
		if c := &cands[i]; sameDoc(c, b) && !nearDuplicate(c, b) {
			chosen = append(chosen, *c)
			mass += math.Exp(c.score-b.score) / all
		}
	}
	return chosen
}

// withIntroduced adds, after a chosen sentence that ends with a colon, the
// sentence it introduces: "… is exported if both:" says nothing alone.
func withIntroduced(cands []candidate, chosen []candidate) []candidate {
	out := chosen[:0:0]
	for _, c := range chosen {
		out = append(out, c)
		if strings.HasSuffix(strings.TrimSpace(c.text), ":") && c.next >= 0 {
			out = append(out, cands[c.next])
		}
	}
	return out
}

// answerMass is the share of the selector's belief the sentences of an
// answer should hold together: the fewest of the best one's document whose
// softmax probabilities add up to it, at most MaxSentences. A sure best
// sentence stands alone; when the model wavers, the runners-up it wavers
// between come along. On the training sets answer recall rises with it,
// and so does length: 0.7 answers 881 of 1191 with a mean of 328
// characters, 0.8 897 with 365, 0.9 915 with 402. 0.8 is the middle of
// that trade.
const answerMass = 0.8

// docMassMin is the least share of the selector's belief the best
// sentence's document must hold for runners-up of it to join the answer:
// when the model wavers between documents, more sentences of one of them
// only add citations of the wrong one. Chosen on the seeds' citation
// precision, 0.901 with no such floor and 0.920 at 0.7, for one item of
// recall on the training sets.
const docMassMin = 0.7

// runnerUpMargin is how far below the best score, in log-odds, a runner-up
// may be: under e^-3 ≈ 5% of the best one's chance it adds words, not
// answers. The training sets answer 897 at 3 and 889 at 2.
const runnerUpMargin = 3.0

func sameDoc(a, b *candidate) bool { return a.docID == b.docID }

// explainMargin is how far below the best score, in the model's log-odds,
// a further sentence of an explanation may be: within it, the softmax
// gives a sentence at least e^-2 ≈ 0.14 of the best one's chance.
const explainMargin = 2.0

// explanation picks 2–4 sentences that each add something: from the
// documents of the strongest sentences only, no near-duplicates.
func explanation(q *Question, cands []candidate, order []int, limit int) []candidate {
	top := cands[order[0]].score
	// Other documents may add to the story only when they are about the
	// same things: their passage holds the key topic words as fully as the
	// best sentence's passage does ("doubting" alone makes no story).
	best := &cands[order[0]]
	docs := map[string]bool{best.docID: true}
	for _, i := range order {
		c := &cands[i]
		if c.score >= top-explainMargin/2 && c.features[keyCoverageFeature] >= best.features[keyCoverageFeature] {
			docs[c.docID] = true
		}
	}
	// The best sentence with the neighbour it leans on: the one before when
	// it opens by referring back ("As a result, …", "This …"), and the one
	// after, which often gives the reason or the means.
	b := &cands[order[0]]
	chosen := []candidate{*b}
	if b.prev >= 0 && (refersBack(b) || b.next < 0) {
		chosen = []candidate{cands[b.prev], *b}
	}
	// The reason or the means is most often said after the sentence that
	// names the question's topic.
	if b.next >= 0 {
		chosen = append(chosen, cands[b.next])
	}
	for _, i := range order[1:] {
		if len(chosen) >= limit {
			break
		}
		c := &cands[i]
		if c.score < top-explainMargin {
			break
		}
		if !docs[c.docID] {
			continue
		}
		dup := false
		for k := range chosen {
			if chosen[k].span == c.span {
				dup = true
				break
			}
			if nearDuplicate(c, &chosen[k]) {
				dup = true
				break
			}
		}
		if !dup {
			chosen = append(chosen, *c)
		}
	}
	if len(chosen) == 1 {
		// No neighbour to lean on: the best other sentence of its document.
		for _, i := range order[1:] {
			if c := &cands[i]; c.docID == b.docID && !nearDuplicate(c, b) {
				chosen = append(chosen, *c)
				break
			}
		}
	}
	return chosen
}

// refersBack reports a sentence that opens by pointing at what came
// before it: a pronoun, a demonstrative or a connective of consequence.
func refersBack(c *candidate) bool {
	if len(c.words) == 0 {
		return false
	}
	first := c.words[0].Lower
	switch first {
	case "this", "that", "these", "those", "it", "they", "he", "she", "such", "there", "then",
		"as", "so", "thus", "therefore", "hence", "consequently", "instead", "however", "because", "but":
		return true
	}
	return false
}

// nearDuplicate reports two sentences sharing most of their content words.
func nearDuplicate(a, b *candidate) bool {
	inter := 0
	for s := range a.stems {
		if b.stems[s] {
			inter++
		}
	}
	union := len(a.stems) + len(b.stems) - inter
	return union > 0 && float64(inter)/float64(union) >= 0.5
}

// contextText is the sentence with its neighbours in the passage.
func (c *candidate) contextText(cands []candidate) string {
	t := c.text
	if c.prev >= 0 {
		t = cands[c.prev].text + " " + t
	}
	if c.next >= 0 {
		t += " " + cands[c.next].text
	}
	return t
}

// leadSpans are the answer spans of c that may lead an answer: for a
// person, not a people's adjective before its noun ("a Peruvian carpenter"
// names no one).
func leadSpans(q *Question, c *candidate) []typedSpan {
	spans := c.answerSpans(q)
	if q.Kind != KindPerson || q.wv == nil {
		return spans
	}
	out := spans[:0:0]
	for _, s := range spans {
		if !demonymBeforeNoun(q.wv, c.text, s) {
			out = append(out, s)
		}
	}
	// A name in a table's column headed by a role is a person, whatever
	// its words mean elsewhere ("| Deputy |": "Ida Berg"), when it says
	// more than the question does, as any span must.
	if c.headerCells != nil {
		var roles []typedSpan
		for _, n := range nameSpans(q.wv, c.text) {
			if roleColumn(q.wv, columnOf(c, n)) {
				roles = append(roles, typedSpan{n.start, n.end, KindPerson})
			}
		}
		for _, r := range c.ownSpans(q, roles) {
			if !slices.ContainsFunc(out, func(s typedSpan) bool { return s.start < r.end && r.start < s.end }) {
				out = append(out, r)
			}
		}
	}
	return out
}

// roleColumn reports a column header that names a person's role.
func roleColumn(wv *WordVectors, header string) bool {
	return slices.ContainsFunc(words(header), func(w Word) bool { return !w.Stop && lemmaInfo(wv, w.Lower).Class == ClassPerson })
}

// demonymBeforeNoun reports a span of one word that WordNet knows as an
// adjective and a person ("Peruvian"), followed by a content word in
// lower case: its noun.
func demonymBeforeNoun(wv *WordVectors, text string, s typedSpan) bool {
	ws := words(text[s.start:min(len(text), s.end+40)]) // the span and the word after it
	if len(ws) < 2 || ws[0].End != s.end-s.start || ws[1].Cap || ws[1].Stop {
		return false
	}
	return demonym(lemmaInfo(wv, ws[0].Lower))
}

// bestSpan returns the span of spans (c's) that fits what is asked best
// (spanFit), of those the closest to the words that match the question,
// and its fit.
func bestSpan(q *Question, c *candidate, spans []typedSpan) (string, int) {
	matched := matchedPositions(q, c)
	best, bestFit, bestColumn, bestGap := spans[0], -1, 0, math.MaxInt
	for _, s := range spans {
		gap := math.MaxInt - 1 // no question word in c: the first span
		for _, m := range matched {
			gap = min(gap, wordGap(c.words, s, m))
		}
		// Of a table row's cells, the one whose column is what is asked
		// ("| Convenor |" for who runs it) before the nearest.
		fit, column := spanFit(q, c, s), headerAsks(q, columnOf(c, s))
		if fit > bestFit || fit == bestFit && (column > bestColumn || column == bestColumn && gap < bestGap) {
			best, bestFit, bestColumn, bestGap = s, fit, column, gap
		}
	}
	start := best.start
	if q.Kind == KindNumber {
		// The bound is part of the answer ("more than 240"), and so is a
		// range's "between" ("between about 2 and 3 metres").
		start = hedgeStart(c.text, start)
		if wordBefore(c.text, start, "between") {
			start = strings.LastIndex(strings.ToLower(c.text[:start]), "between")
		}
	}
	return strings.TrimSpace(c.text[start:best.end]), bestFit
}

// columnOf returns the header of the table column a span of a table's
// row sits in ("Berths" for "40" of "| North pier | 40 |"), or "" when c
// is no table row.
func columnOf(c *candidate, s typedSpan) string {
	if k := strings.Count(c.text[:s.start], "|") - strings.Count(c.text[:s.start], `\|`); k < len(c.headerCells) {
		return strings.TrimSpace(c.headerCells[k])
	}
	return ""
}

// headerAsks grades how well a column header names what the question
// asks: 2 when one of its words is a question term or the thing counted
// ("Convenor" for who is the convenor, "Berths" for how many berths), 1 when
// one is of the kind asked (a person's role for who, a time for when, a
// place for where), else 0.
func headerAsks(q *Question, header string) int {
	if header == "" || q.wv == nil {
		return 0
	}
	grade := 0
	for _, w := range words(header) {
		if w.Stop {
			continue
		}
		if countsFocus(q, w) || slices.ContainsFunc(q.Terms, func(t QueryTerm) bool { return t.Stem == w.Stem || t.Own == w.Stem }) {
			return 2
		}
		c := lemmaInfo(q.wv, w.Lower).Class
		if q.Kind == KindPerson && c == ClassPerson || q.Kind == KindDate && c == ClassTime || q.Kind == KindPlace && c == ClassLocation {
			grade = 1
		}
	}
	return grade
}

// spanFit grades how well a span is what is asked, beyond its kind.
//   - A telephone number asked for: 1 for one, −1 for any other number.
//   - A share asked for ("what percentage"): 1 for a share, −1 otherwise.
//   - A sum asked for ("what does it cost", "how much cash"): 1 for a
//     price ("£96,500", "1.4 billion euros"), 0 for a share (a rise "by 18
//     percent"), −1 for any other number.
//   - Otherwise a number: 1 when it counts the thing asked of or is in the
//     unit of the measure asked ("30 litres" for how much water, "29 min"
//     for how long, "12 metres" for how deep); 2 when the sentence names
//     that measure for it ("a depth of 12 metres"). Its unit may be its
//     table column's header ([unitOf]).
//   - A date: a point each for its day, its month (or a part of a year:
//     "the first half of"), its year; a time of day or a time counted back
//     ("a decade ago") one; a bare year two when a year is asked.
//   - A person: 1 for a name, 0 for a role written as a title: a common
//     noun for a person last or before "of" or "for", and no word that is
//     only a name ("Coordinator", "Minister of Trade", a surname such as
//     "Smith"), or for a name with a number (a model's, a firm's).
//   - A place: 1 with a name (a capitalised word not a month's, a day's or
//     a people's adjective: "in Roman times" names no place),
//     0 without, −1 for a month or a day alone; a phrase or name after
//     "from" one more when an origin is asked, else 0.
//
// A span of fit −1 never leads. Otherwise 0.
func spanFit(q *Question, c *candidate, s typedSpan) int {
	text := c.text[s.start:s.end]
	switch q.Kind {
	case KindNumber:
		share := percentSign.MatchString(text)
		switch {
		case q.Phone:
			return 2*b2i(isPhoneNumber(text)) - 1
		case q.asksShare:
			return 2*b2i(share) - 1
		case q.asksSum && share:
			return 0
		case q.asksSum:
			return 2*b2i(priceSpan(q.wv, c, s)) - 1
		case priceSpan(q.wv, c, s):
			return b2i(q.Focus == "" && q.measure == "much") // "how much" with nothing counted
		}
		u, ok := unitOf(q.wv, c, s)
		if !ok || q.wv == nil {
			return 0
		}
		if q.Focus != "" {
			return b2i(countsFocus(q, u))
		}
		switch q.measure {
		case "long", "often", "soon", "old":
			return b2i(ofClass(q.wv, u.Lower, ClassTime))
		case "", "much", "many":
		default:
			if !ofClass(q.wv, u.Lower, ClassQuantity) {
				return 0
			}
			// A measure the sentence names for this figure fits best: "to a
			// depth of 12 metres", "9 metres high" for how deep, how high.
			return 1 + b2i(namesMeasure(q.measure, c.words, s))
		}
	case KindDate:
		// The fuller the date, the likelier the answer: a weekday alone
		// is often only a report's day; a bare year answers "what year".
		t := strings.TrimSpace(text)
		if isBareYear(t) {
			return 1 + b2i(q.asksYear)
		}
		if timeOfDaySpan.MatchString(t) && !monthName.MatchString(t) || agoSpan.MatchString(t) {
			return 1 // "9.15pm" as precise as a month, though its hour looks like a day; "a decade ago" as a year
		}
		// A part of a year ("the third quarter of") is as precise as a month.
		return b2i(monthName.MatchString(t) || partOfYearRe.MatchString(t)) + b2i(dayNumber.MatchString(t)) + b2i(yearNumber.MatchString(t))
	case KindPerson:
		if hasDigit(text) {
			return 0 // a model's or a firm's name ("Type 45"), not a person's
		}
		// A role written as a title: a common noun for a person as its last
		// word ("Coordinator", "Town Clerk") or before "of" or "for"
		// ("Minister of Trade"), with no word that is only a name.
		role, name := false, false
		ws := words(text)
		for i, w := range ws {
			if w.Stop || q.wv == nil {
				continue
			}
			switch in := lemmaInfo(q.wv, w.Lower); {
			case !in.common():
				name = true
			case in.Class == ClassPerson && (i == len(ws)-1 || ws[i+1].Lower == "of" || ws[i+1].Lower == "for"):
				role = true
			}
		}
		return b2i(!role || name)
	case KindPlace:
		fit := -1 // a month or a day is no place: "In March"
		ws := words(text)
		for _, w := range ws {
			switch {
			case w.Cap && !w.Stop && !monthName.MatchString(text[w.Start:w.End]) && !weekday.MatchString(text[w.Start:w.End]) &&
				(q.wv == nil || !demonym(lemmaInfo(q.wv, w.Lower))): // "in Roman times" names no place
				fit = 1
			case !w.Cap && !w.Stop:
				fit = max(fit, 0)
			}
		}
		// A phrase "from …" tells where a thing comes from: it answers
		// "where does it come from" first, and "where is it" only as a
		// phrase that names no place does.
		if fit >= 0 && (ws[0].Lower == "from" || wordBefore(c.text, s.start, "from")) {
			if q.asksFrom {
				return fit + 1
			}
			return 0
		}
		return fit
	}
	return 0
}

// namesMeasure reports the measure's noun among the four words before a
// span ("a depth of 12 metres") or its adjective right after it ("9
// metres high"); ws are the sentence's words.
func namesMeasure(measure string, ws []Word, s typedSpan) bool {
	first := slices.IndexFunc(ws, func(w Word) bool { return w.End > s.start })
	if first < 0 {
		first = len(ws)
	}
	if noun := measureNouns[measure]; noun != "" {
		before := ws[max(0, first-4):first]
		if slices.ContainsFunc(before, func(w Word) bool { return w.Stem == stem(noun) }) {
			return true
		}
	}
	after := slices.IndexFunc(ws, func(w Word) bool { return w.Start >= s.end })
	return after >= 0 && ws[after].Lower == measure
}

// priceSpan reports a sum of money: a currency's sign before the number
// ("$5", "NZ$4 million"), or a currency after it ("1.4 billion euros"),
// which WordNet counts a unit and whose vector is near "currency" or
// "dollar" (not "metres").
func priceSpan(wv *WordVectors, c *candidate, s typedSpan) bool {
	if currencySign.MatchString(c.text[s.start:s.end]) {
		return true
	}
	u, ok := unitOf(wv, c, s)
	return ok && wv != nil && ofClass(wv, u.Lower, ClassQuantity) &&
		max(wv.Similarity(u.Lower, "currency"), wv.Similarity(u.Lower, "dollar")) >= currencyMinSim
}

// currencyMinSim: "euro" 0.73, "pound" 0.63, "rupee" 0.59 near "dollar";
// "metre" 0.23, "kilometre" 0.14.
const currencyMinSim = 0.5

// asksSumOf reports a question for a sum of money: it names one ("cost",
// "fee") or counts a possession near "money" ("how much cash"), and asks
// for no other measure ("how long before they pay").
func asksSumOf(q *Question) bool {
	if q.measure != "" && q.measure != "much" {
		return false
	}
	return slices.ContainsFunc(q.Terms, func(t QueryTerm) bool { return moneyWords[t.Own] }) ||
		q.Focus != "" && q.wv != nil && lemmaInfo(q.wv, q.Focus).Class == ClassPossession &&
			q.wv.Similarity(q.Focus, "money") >= moneyFocusMinSim
}

// moneyFocusMinSim is how near "money" a possession that a "how much X"
// question counts must be to be a sum: "cash" 0.85, "funding" 0.70,
// "income" 0.65; not "land" 0.50 nor "capital" 0.52.
const moneyFocusMinSim = 0.6

// moneyWords are the stems of words that ask for a sum of money.
var moneyWords = wordSet("cost price fee fare pay spend charg earn worth salari wage rent budget")

// shareQuestion asks for a share: "what percentage", "what share of".
var shareQuestion = regexp.MustCompile(`(?i)\b(?:percent|percentage|per cent|proportion)\b|\b(?:what|which) share\b|\bshare of\b`)

// countedWord is the first content word after a number span's digits,
// within the span or just after it: what it counts or measures.
func countedWord(c *candidate, s typedSpan) (Word, bool) {
	for _, w := range c.words {
		if w.Start < s.start || w.Start > s.end+24 || w.Stop || isNumber(w.Lower) || numberWord[w.Lower] {
			continue
		}
		return w, true
	}
	return Word{}, false
}

// unitOf is what a number span counts or measures, past a word that
// qualifies it ("4 working days": days); in a table's cell that holds
// nothing else, its column's header ("Berths" for "| 40 |").
func unitOf(wv *WordVectors, c *candidate, s typedSpan) (Word, bool) {
	u, ok := countedWord(c, s)
	if h := columnOf(c, s); h != "" && (!ok || strings.Contains(c.text[s.start:u.Start], "|")) {
		// Nothing after the number in its cell: the header's last word.
		ws := words(h)
		for i := len(ws) - 1; i >= 0; i-- {
			if !ws[i].Stop {
				return ws[i], true
			}
		}
	}
	if !ok {
		return u, false
	}
	if i := nextWord(c.words, c.text, u.End); i >= 0 && modifiesUnit(wv, u.Lower, c.words[i].Lower) {
		return c.words[i], true
	}
	return u, true
}

// inContext returns the question as the passages read it: a "when"
// question over passages that hold no date at all asks for the
// circumstances ("when does the valve close?"), not for a date.
func (q *Question) inContext(cands []candidate) *Question {
	if q.Kind != KindDate || !whenQuestion.MatchString(q.core()) {
		return q
	}
	for i := range cands {
		if len(typedSpans(q.wv, cands[i].text, KindDate)) > 0 {
			return q
		}
	}
	c := *q
	c.Kind = KindOther
	return &c
}

var whenQuestion = regexp.MustCompile(`(?i)^\W*(?:(?:and|so|but|also|then|ok|okay)\s+)?when\b`)

// Unanswerable reports a question the passages cannot answer whatever
// their sentences say: it names something the corpus lacks altogether, or
// has a key word no passage comes near in meaning.
func (q *Question) Unanswerable(passages []Passage) bool {
	return q.unanswerable(readPassages(passages))
}

func (q *Question) unanswerable(read passageReading) bool {
	// Unsure words refuse only in technical text: read so once, and only
	// when there is one.
	unsureRefuses := slices.ContainsFunc(q.Terms, func(t QueryTerm) bool { return t.Unsure }) && read.technical(q.wv)
	return q.missingKey(read, unsureRefuses) || q.uncoveredKey(read, unsureRefuses)
}

// keyCoverMin is the least word-vector similarity to some word of the
// passages that lets a key word the corpus lacks count as covered.
const keyCoverMin = 0.6

// uncoveredKey reports a key word the corpus lacks that no word of the
// passages comes near in meaning ("population" for passages about Moscow's
// ties with Tehran), unless a passage holds the rest of the question.
func (q *Question) uncoveredKey(read passageReading, unsureRefuses bool) bool {
	if q.wv == nil {
		return false
	}
	for _, t := range q.Terms {
		if !t.absent() || t.Unsure && !unsureRefuses {
			continue
		}
		if read.spellsOut(t.Surface) {
			continue // "cwd" where a passage says "chronic wasting disease"
		}
		best := 0.0
		for _, ws := range read.words {
			for _, w := range ws {
				switch {
				case w.Stop:
				case clipping(t.Surface, w.Lower):
					best = 1 // a passage holds the word it was cut from
				default:
					best = math.Max(best, q.wv.Similarity(t.Surface, w.Lower))
				}
			}
		}
		if best < keyCoverMin {
			return !q.restHeld(read.stems)
		}
	}
	return false
}

// technical reports passages whose words WordNet lacks are often typed in
// lower case (code, commands, jargon: "fmt", "goroutine"), as they are
// not in prose, where such words are names. There, a lower-case word of
// the question that WordNet lacks is a term the corpus may lack; in prose
// it is as likely chat ("btw", "gonna") and refuses nothing.
func (r passageReading) technical(wv *WordVectors) bool {
	if wv == nil {
		return false
	}
	var jargon, all int
	for _, ws := range r.words {
		for _, w := range ws {
			if w.Stop || len(w.Lower) < 2 || hasDigit(w.Lower) {
				continue
			}
			all++
			if !w.Cap && lemmaInfo(wv, w.Lower).POS == 0 {
				jargon++
			}
		}
	}
	return all > 0 && float64(jargon) >= technicalShare*float64(all)
}

// technicalShare is the share of lower-case words WordNet lacks that makes
// text technical: 0.7–1.4% of the words of the news and encyclopedia
// corpora, 2.5% of a company's handbook and notes, 7–9% of Go's
// specification and package docs.
const technicalShare = 0.045

// spellsOut reports initials (two to five letters, "eu", "cwd") that are
// those of consecutive content words of a passage: a phrase the question
// abbreviates.
func (r passageReading) spellsOut(initials string) bool {
	n := len(initials)
	if n < 2 || n > 5 || hasDigit(initials) {
		return false
	}
	for _, ws := range r.words {
		for i := 0; i+n <= len(ws); i++ {
			j := 0
			for j < n && !ws[i+j].Stop && ws[i+j].Lower[0] == initials[j] {
				j++
			}
			if j == n {
				return true
			}
		}
	}
	return false
}

// clipping reports a word cut short from a longer one ("repo" of
// "repository", "libs" of "library"): near it in form, however far the
// vectors put the two.
func clipping(short, long string) bool {
	s, ok := clippable(short)
	return ok && len(long) >= len(s)+2 && strings.HasPrefix(long, s)
}

// clippable returns the part of a word that may begin the word it was cut
// from (a plural's "s" dropped), when that part is long enough to tell.
func clippable(w string) (string, bool) {
	s := strings.TrimSuffix(w, "s")
	return s, len(s) >= 3
}

// restHeld reports a passage (given by its stems) that holds every other
// word of the question the corpus knows, when those outweigh the missing
// ones: "how do i quit the retry loop in the scheduler" is about the loop,
// not about "quit", and the answerability model judges it; "the
// population of Tokyo" is refused.
func (q *Question) restHeld(passageStems []map[string]bool) bool {
	var held, missing float64
	for _, t := range q.Terms {
		if t.Known {
			held += t.Weight
		} else if t.absent() {
			missing += t.Weight
		}
	}
	if held == 0 || held < missing {
		return false
	}
	for _, stems := range passageStems {
		all := true
		for _, t := range q.Terms {
			if t.Known && !stems[t.Stem] && !stems[t.Own] {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// absent reports a key word the corpus lacks in every form. A number the
// corpus lacks ("1400s") is no such word: it only lowers the confidence.
func (t QueryTerm) absent() bool {
	return t.Key && !t.Known && !t.Carried && !t.Told && !hasDigit(t.Surface)
}

// missingKey reports a name the corpus does not hold in any form, nor the
// passages spelled out ("CWD" where they say "chronic wasting
// disease").
func (q *Question) missingKey(read passageReading, unsureRefuses bool) bool {
	for _, t := range q.Terms {
		if t.Name && !t.Known && !t.Clipped && !t.Carried && !t.Told && (!t.Unsure || unsureRefuses) && !read.spellsOut(t.Surface) {
			return true
		}
	}
	return false
}

func (q *Question) hasKnownTerm() bool {
	for _, t := range q.Terms {
		if t.Known {
			return true
		}
	}
	return false
}

// abstention explains why there is no answer, naming only the key topic
// words no passage holds, and those only when they are why (unanswerable:
// [Question.Unanswerable] of the passages).
func (q *Question) abstention(passages []Passage, unanswerable bool) string {
	if len(q.Terms) == 0 {
		return "The corpus does not say: the question has no words to search for."
	}
	if len(passages) == 0 {
		return "The corpus does not say: no passage matches the question."
	}
	// "why on earth does the cache grow" is not refused for "earth".
	var missing []string
	for _, t := range q.Terms {
		if t.absent() {
			missing = append(missing, "“"+t.Surface+"”")
		}
	}
	if len(missing) == 0 || !unanswerable {
		return "The corpus does not say: the closest passages below touch on the question but do not answer it."
	}
	return "The corpus does not say: no passage speaks of " + joinOr(missing) + ". The closest passages are listed below."
}

// preferAskedYear returns order without the sentences before the first of
// the closest runners-up that answers of what is asked, when the best
// one's document never writes the year asked of ("who chaired the club in
// 2019": the sentence on this season's chair ranks first). The sentences
// dropped are of another year: they join the answer as runners-up no more
// than they lead it, and the margin to the next stays a margin between
// sentences of the year asked.
func (q *Question) preferAskedYear(read passageReading, passages []Passage, cands []candidate, order []int) []int {
	if len(order) < 2 || !timeElsewhere(q, read, passages, cands[order[0]].docID) {
		return order
	}
	for k := 1; k < min(len(order), yearRetries); k++ {
		if !q.ofAnother(read, passages, cands, order[k]) {
			return order[k:]
		}
	}
	return order
}

// yearRetries bounds the sentences tried, the best included, when the best
// is of another year.
const yearRetries = 3

// offTask answers a request the documents' sentences cannot meet: new
// text to write or translate, or talk with the answerer itself.
func (q *Question) offTask() string {
	if q.SmallTalk {
		return "I answer questions about the documents in the corpus: ask me what they say."
	}
	return "The offline answerer only quotes the documents: it does not " + q.Compose + " text. Ask what they say instead."
}

func joinOr(items []string) string {
	if len(items) > 4 {
		items = items[:4]
	}
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
