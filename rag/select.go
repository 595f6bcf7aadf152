package rag

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// FeatureNames name the features the answer selector scores a sentence
// by, in order. Each lies in [0,1].
var FeatureNames = []string{
	"lexical_coverage",  // question terms (weighted) the sentence holds as words or forms
	"semantic_coverage", // the same, each term counting its closest word's similarity
	"context_coverage",  // semantic coverage by the sentence and its neighbours
	"passage_coverage",  // lexical coverage by the sentence's passage and title
	"key_coverage",      // key topic terms the passage holds, by meaning
	"type_found",        // the asked kind of answer, outside the question's own words
	"type_near",         // closeness of that answer to the matched question words
	"type_missing",      // a name, place, date or number asked for and none there
	"previous_coverage", // semantic coverage of the sentence before
	"novelty",           // the share of the sentence's words the question lacks
	"passage_rank",      // 1/(1 + rank of its passage)
	"passage_score",     // its passage's retrieval score relative to the best
	"length",            // words, up to 40, over 40
	"unknown_key",       // share of the key terms the corpus lacks entirely
	"explain_cue",       // for why/how questions: a causal or manner word
	"focus_match",       // for which/what X questions: a word close to X
	"pair_share",        // the question's adjacent term pairs the sentence has side by side
	"rarest_term",       // the sentence holds the question's rarest known term
	"similarity",        // cosine of the sentence's and the question's word-vector averages
	"lexical_relative",  // lexical coverage over the best of all candidates
	"semantic_relative", // semantic coverage over the best of all candidates
	"defines",           // a question term, then "is", "means", "refers to": a definition
	"counted",           // for how many/much: a number right before the thing counted or a unit
	"relation_coverage", // context coverage of the words other than names: what is asked of them
}

// keyCoverageFeature is the index of "key_coverage" in [FeatureNames].
const keyCoverageFeature = 4

// SelectorModel ranks candidate sentences by a linear score (a
// conditional logit: the probability that a sentence is the one holding
// the answer is the softmax of the scores over the candidates), and judges
// from the best sentence's features, its score and its margin over the
// runner-up whether the corpus answers the question at all (logistic
// regression). Both are fitted on a training set kept apart from the eval
// gates. Threshold is the least probability answered with.
type SelectorModel struct {
	Features []string  `json:"features"`
	Weights  []float64 `json:"weights"`
	// Answerable weighs the best sentence's features, then its score, its
	// margin and a constant: P(answerable) = σ(Answerable · [f, best, margin, 1]).
	Answerable []float64 `json:"answerable"`
	Threshold  float64   `json:"threshold"`
	// Trained says what the model was fitted on.
	Trained string `json:"trained"`
}

//go:embed selector.json
var selectorJSON []byte

// DefaultSelector returns the built-in selector model.
func DefaultSelector() SelectorModel {
	var m SelectorModel
	if err := json.Unmarshal(selectorJSON, &m); err != nil || len(m.Weights) != len(FeatureNames) || len(m.Answerable) != len(FeatureNames)+3 {
		// A build whose model does not fit its features is broken, not
		// misconfigured: refit with TestSelectorFit -update-selector.
		panic(fmt.Sprintf("rag/selector.json does not fit the %d features (err %v)", len(FeatureNames), err))
	}
	return m
}

// Score is the model's ranking score for a feature vector.
func (m SelectorModel) Score(f []float64) float64 {
	var z float64
	for i, w := range m.Weights {
		z += w * f[i]
	}
	return z
}

// Confidence is the probability that the corpus answers the question,
// judged from the best sentence's features, score and margin over the next.
func (m SelectorModel) Confidence(f []float64, best, margin float64) float64 {
	return sigmoid(dotF(m.Answerable, abstainInput(f, best, margin)))
}

// abstainInput is the input of the answerability model.
func abstainInput(f []float64, best, margin float64) []float64 {
	return append(append(make([]float64, 0, len(f)+3), f...), best, margin, 1)
}

func dotF(w, x []float64) float64 {
	var z float64
	for i := range min(len(w), len(x)) {
		z += w[i] * x[i]
	}
	return z
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// TrainingQuestion is one question's candidate sentences for fitting:
// their features, which of them hold an expected answer, and whether the
// question has an answer at all.
type TrainingQuestion struct {
	Features   [][]float64
	Labels     []bool
	Answerable bool
	// Unanswerable marks a question the answerer abstains on whatever
	// the model says (see [Question.Unanswerable]).
	Unanswerable bool
}

// FitSelector fits the ranking weights by L2-regularised conditional
// logit over the answerable questions that have a right sentence, then
// the calibration by logistic regression on every question's best
// sentence, then the threshold: the highest that abstains on at most
// maxFalseAbstention of the answerable questions. Plain batch gradient
// descent: deterministic.
func FitSelector(qs []TrainingQuestion, l2 float64, iterations int) SelectorModel {
	n := len(FeatureNames)
	m := SelectorModel{Features: FeatureNames, Weights: make([]float64, n)}
	grad := make([]float64, n)
	var ranked []TrainingQuestion
	for _, q := range qs {
		if q.Answerable && slices.Contains(q.Labels, true) {
			ranked = append(ranked, q)
		}
	}
	if len(ranked) == 0 {
		return m
	}
	const rate = 1.0
	for range iterations {
		clear(grad)
		for _, q := range ranked {
			scores := make([]float64, len(q.Features))
			top := math.Inf(-1)
			for i, f := range q.Features {
				scores[i] = m.Score(f)
				top = math.Max(top, scores[i])
			}
			var all, pos float64
			for i, s := range scores {
				e := math.Exp(s - top)
				scores[i] = e
				all += e
				if q.Labels[i] {
					pos += e
				}
			}
			// d(-log pos/all)/dw = Σ p_all·f − Σ p_pos·f
			for i, f := range q.Features {
				coef := scores[i] / all
				if q.Labels[i] {
					coef -= scores[i] / pos
				}
				for j := range grad {
					grad[j] += coef * f[j]
				}
			}
		}
		for j := range m.Weights {
			m.Weights[j] -= rate * (grad[j]/float64(len(ranked)) + l2*m.Weights[j])
		}
	}
	for j := range m.Weights {
		m.Weights[j] = math.Round(m.Weights[j]*1e6) / 1e6
	}
	// Answerability from each question's best sentence, the two classes
	// weighed alike.
	type point struct {
		x          []float64
		answerable bool
	}
	var pts []point
	var nAns, nUn float64
	for _, q := range qs {
		if q.Unanswerable {
			continue
		}
		bi, best, second := -1, math.Inf(-1), math.Inf(-1)
		for i, f := range q.Features {
			s := m.Score(f)
			if s > best {
				second, best, bi = best, s, i
			} else if s > second {
				second = s
			}
		}
		if bi < 0 {
			continue
		}
		margin := 0.0
		if !math.IsInf(second, -1) {
			margin = best - second
		}
		pts = append(pts, point{abstainInput(q.Features[bi], best/10, margin/10), q.Answerable})
		if q.Answerable {
			nAns++
		} else {
			nUn++
		}
	}
	a := make([]float64, n+3)
	if nAns > 0 && nUn > 0 {
		for range iterations {
			g := make([]float64, len(a))
			for _, p := range pts {
				w := 0.5 / nAns
				if !p.answerable {
					w = 0.5 / nUn
				}
				e := w * (sigmoid(dotF(a, p.x)) - b2f(p.answerable))
				for j := range g {
					g[j] += e * p.x[j]
				}
			}
			for j := range a {
				a[j] -= rate * (g[j] + l2*a[j])
			}
		}
	}
	// The inputs' score and margin were scaled by 1/10 for the fit.
	a[n] /= 10
	a[n+1] /= 10
	for j := range a {
		a[j] = math.Round(a[j]*1e6) / 1e6
	}
	m.Answerable = a
	// The cut: the highest that abstains on at most maxFalseAbstention of
	// the answerable questions — refusing a question the corpus answers
	// costs a user more than a doubtful answer with its citation.
	var ansProbs []float64
	for _, p := range pts {
		if !p.answerable {
			continue
		}
		x := append([]float64(nil), p.x...)
		x[n], x[n+1] = x[n]*10, x[n+1]*10
		ansProbs = append(ansProbs, sigmoid(dotF(a, x)))
	}
	sort.Float64s(ansProbs)
	cut := 0.0
	if k := int(math.Floor(maxFalseAbstention * float64(len(ansProbs)))); k > 0 && k < len(ansProbs) {
		cut = (ansProbs[k-1] + ansProbs[k]) / 2
	}
	m.Threshold = math.Round(cut*1e6) / 1e6
	return m
}

// maxFalseAbstention is the share of answerable training questions the
// fitted threshold may abstain on.
const maxFalseAbstention = 0.04

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// candidateFeatures computes the features of every candidate sentence.
func candidateFeatures(q *Question, passages []Passage, read passageReading, cands []candidate) {
	wv := q.wv
	var totalW, keyW, unknownKeyW, restW float64
	for _, t := range q.Terms {
		totalW += t.Weight
		if !t.Name {
			restW += t.Weight
		}
		if t.Key {
			keyW += t.Weight
			if !t.Known {
				unknownKeyW += t.Weight
			}
		}
	}
	bestScore := 0.0
	for _, p := range passages {
		bestScore = math.Max(bestScore, p.Score)
	}
	passageWords, passageStems := read.words, read.stems
	rare, rareW := "", 0.0
	for _, t := range q.Terms {
		if t.Known && t.Weight > rareW {
			rare, rareW = t.Stem, t.Weight
		}
	}
	qvec := sentenceVector(wv, q.core())
	sims := make([][]float64, len(cands)) // per candidate, per term: the best similarity
	for i := range cands {
		sims[i] = termSims(q, cands[i].matchWords)
	}
	keyCov := make([]float64, len(passages))
	for i := range passages {
		keyCov[i] = keyCoverage(q, passageWords[i], passageStems[i], keyW)
	}
	for i := range cands {
		c := &cands[i]
		f := make([]float64, len(FeatureNames))
		f[0] = weightedShare(q, func(j int, t QueryTerm) float64 { return b2f(c.holds(t.Stem) || c.holds(t.Own)) }, totalW)
		f[1] = weightedShare(q, func(j int, _ QueryTerm) float64 { return sims[i][j] }, totalW)
		ctx := func(j int, _ QueryTerm) float64 {
			s := sims[i][j]
			if c.prev >= 0 {
				s = math.Max(s, sims[c.prev][j])
			}
			if c.next >= 0 {
				s = math.Max(s, sims[c.next][j])
			}
			return s
		}
		// Context coverage, of the whole question and of what it asks
		// of its names (the words other than names: "born" in "when was
		// X born"), in one pass.
		var ctxGot, relationGot float64
		for j, t := range q.Terms {
			s := t.Weight * ctx(j, t)
			ctxGot += s
			if !t.Name {
				relationGot += s
			}
		}
		if totalW > 0 {
			f[2] = ctxGot / totalW
		}
		f[23] = 1
		if restW > 0 {
			f[23] = relationGot / restW
		}
		f[3] = weightedShare(q, func(j int, t QueryTerm) float64 {
			return b2f(passageStems[c.passage][t.Stem] || passageStems[c.passage][t.Own])
		}, totalW)
		f[4] = keyCov[c.passage]
		found, near := typeEvidence(q, c, sims[i])
		f[5], f[6] = found, near
		if q.Kind.spanKind() && found == 0 {
			f[7] = 1
		}
		if c.prev >= 0 {
			f[8] = weightedShare(q, func(j int, _ QueryTerm) float64 { return sims[c.prev][j] }, totalW)
		}
		f[9] = novelty(q, c)
		f[10] = 1 / float64(1+c.passage)
		if bestScore > 0 {
			f[11] = math.Max(0, passages[c.passage].Score/bestScore)
		}
		f[12] = math.Min(40, float64(len(c.words))) / 40
		if keyW > 0 {
			f[13] = unknownKeyW / keyW
		}
		if q.Kind.explainKind() {
			f[14] = explainCue(q.Kind, c.words)
		}
		if q.Focus != "" && wv != nil {
			for _, w := range c.matchWords {
				if w.Lower == q.Focus || w.Stem == stem(q.Focus) {
					f[15] = 1
					break
				}
				f[15] = math.Max(f[15], clamp01(wv.Similarity(q.Focus, w.Lower)))
			}
		}
		f[16] = pairShare(q, c.words)
		f[21] = definesTerm(q, c.text, c.words)
		if q.Kind == KindNumber {
			f[22] = countedNumber(q, c)
		}
		if rare != "" && c.holds(rare) {
			f[17] = 1
		}
		if qvec != nil {
			if sv := sentenceVector(wv, c.text); sv != nil {
				f[18] = clamp01(dot32(qvec, sv))
			}
		}
		c.features = f
	}
	// A sentence whose passage names fewer of the things the question
	// names than another passage does is about something else, however well
	// it matches the rest ("the club's players kept doubting …, and Russia's
	// federation …" for "why is Iran doubting Russia?"): it is no candidate.
	// On the training sets this costs 1–2 points of recall (a sentence may
	// name its subject by a pronoun in a chunk of its own); as a feature of
	// the model instead it changed nothing and let such sentences win.
	// Only words the passages write as names count: a technical term
	// WordNet lacks ("hashmap", "webhook") is written in lower case and
	// names no one thing.
	names := make([]int, len(passages))
	bestNames := 0
	for i := range passages {
		for j, t := range q.Terms {
			if t.Name && read.proper[j] && (passageStems[i][t.Stem] || passageStems[i][t.Own]) {
				names[i]++
			}
		}
		bestNames = max(bestNames, names[i])
	}
	for i := range cands {
		cands[i].offTopic = names[cands[i].passage] < bestNames
	}
	var bestLex, bestSem float64
	for i := range cands {
		bestLex = math.Max(bestLex, cands[i].features[0])
		bestSem = math.Max(bestSem, cands[i].features[1])
	}
	for i := range cands {
		if bestLex > 0 {
			cands[i].features[19] = cands[i].features[0] / bestLex
		}
		if bestSem > 0 {
			cands[i].features[20] = cands[i].features[1] / bestSem
		}
	}
}

// passageReading is each retrieved passage (its title and text) as words,
// and as the stems of its content words and its initialisms: read once per
// question for the features and the judgement of answerability.
type passageReading struct {
	texts []string
	words [][]Word
	stems []map[string]bool
	// proper marks the question's terms the passages write as names (see
	// [properTerms]); set by [readPassagesFor].
	proper []bool
}

// readPassagesFor reads the passages for q: as [readPassages], with the
// question's terms the passages write as names.
func readPassagesFor(q *Question, passages []Passage) passageReading {
	r := readPassages(passages)
	r.proper = properTerms(q, r)
	return r
}

func readPassages(passages []Passage) passageReading {
	r := passageReading{texts: make([]string, len(passages)), words: make([][]Word, len(passages)), stems: make([]map[string]bool, len(passages))}
	for i, p := range passages {
		text := p.Title + "\n" + p.Text
		ws := words(text)
		r.texts[i], r.words[i], r.stems[i] = text, ws, map[string]bool{}
		for _, w := range ws {
			if !w.Stop {
				r.stems[i][w.Stem] = true
			}
		}
		for _, a := range initialisms(text, ws) {
			r.stems[i][a] = true
		}
	}
	return r
}

// properTerms marks the question's known name terms that the passages
// write capitalised at least as often as not (or never write at all), and
// the key words typed in lower case that they write only as names:
// capitalised after a lower-case word of the same line, never in lower
// case ("the Oskarby site" for "oskarby"; not a heading's words). The
// passage filter counts the former only: a technical term written in
// lower case names no one thing.
func properTerms(q *Question, read passageReading) []bool {
	out := make([]bool, len(q.Terms))
	for j, t := range q.Terms {
		if !t.Known || !t.Name && !(t.Key && t.Sim == 1) {
			continue
		}
		capital, lower := 0, 0
		for i, ws := range read.words {
			for k, w := range ws {
				switch {
				case w.Stem != t.Stem && w.Stem != t.Own:
				case !w.Cap:
					lower++
				case t.Name || k > 0 && !ws[k-1].Cap && !strings.ContainsAny(read.texts[i][ws[k-1].End:w.Start], ".!?:\n"):
					capital++
				}
			}
		}
		if t.Name {
			out[j] = capital >= lower
		} else {
			out[j] = capital > 0 && lower == 0
		}
	}
	return out
}

// ofAnother reports a best sentence (cands[best]) that answers of
// something else than the question asks of: its document never names what
// the question names, though another passage does, or the year it asks of;
// or the sentence and its neighbours give a sibling of the model asked of.
func (q *Question) ofAnother(read passageReading, passages []Passage, cands []candidate, best int) bool {
	doc := cands[best].docID
	return namesElsewhere(q, read, passages, doc) || timeElsewhere(q, read, passages, doc) ||
		siblingCode(q, cands[best].contextText(cands))
}

// holding reports whether a retrieved passage of doc holds any of the
// stems, and whether a passage of another document does.
func (r passageReading) holding(passages []Passage, doc string, stems ...string) (inDoc, elsewhere bool) {
	for i, p := range passages {
		has := slices.ContainsFunc(stems, func(s string) bool { return r.stems[i][s] })
		if p.DocID == doc {
			inDoc = inDoc || has
		} else {
			elsewhere = elsewhere || has
		}
	}
	return inDoc, elsewhere
}

// modelCode matches a code of letters joined to digits, or by a hyphen
// ("KX-210", "R600"): a model, a part, a version of something. Words
// before a number ("aged 12", "page 3") are no code.
var modelCode = regexp.MustCompile(`(?i)\b([a-z]{1,4})-?(\d{1,5})\b`)

// siblingCode reports a sentence that gives a code of the same letters as
// one the question asks of, but not that one: "the KX-220 adds …" says
// nothing of the KX-210.
func siblingCode(q *Question, sentence string) bool {
	asked := modelCode.FindAllStringSubmatch(q.core(), -1)
	for _, m := range asked {
		prefix, number := strings.ToLower(m[1]), m[2]
		if isStopWord(prefix) || len(prefix)+len(number) < 3 {
			continue // "in 2019", "at 5", "Q3"
		}
		if slices.ContainsFunc(asked, func(o []string) bool { return strings.ToLower(o[1]) == prefix && o[2] != number }) {
			continue // two of them compared
		}
		same, other := false, false
		for _, n := range modelCode.FindAllStringSubmatch(sentence, -1) {
			if strings.ToLower(n[1]) != prefix {
				continue
			}
			if n[2] == number {
				same = true
			} else {
				other = true
			}
		}
		if other && !same {
			return true
		}
	}
	return false
}

// demonym reports a word WordNet knows as an adjective and as a person:
// a people's name ("American", "Peruvian").
func demonym(in WordInfo) bool { return in.POS&PosAdj != 0 && in.Class == ClassPerson }

// namesElsewhere reports a name of the question that the retrieved
// passages of the chosen sentence's document never write, though another
// passage does:
// the answer is about something else ("the mayor of Varnholm" for "the
// mayor of Oskarby").
func namesElsewhere(q *Question, read passageReading, passages []Passage, doc string) bool {
	for j, t := range q.Terms {
		if !read.proper[j] || q.wv != nil && demonym(lemmaInfo(q.wv, t.Surface)) {
			continue // "American" where the document says "U.S."
		}
		if inDoc, elsewhere := read.holding(passages, doc, t.Stem, t.Own); !inDoc && elsewhere {
			return true
		}
	}
	return false
}

// timeElsewhere reports a year the question asks of that no retrieved
// passage of the chosen sentence's document writes: the answer is of
// another time ("inflation in 2021" answered with 2025's figure).
func timeElsewhere(q *Question, read passageReading, passages []Passage, doc string) bool {
	for _, y := range q.years {
		if inDoc, _ := read.holding(passages, doc, y); !inDoc {
			return true
		}
	}
	return false
}

// askedYears returns the stems of the years a question asks of: four
// digits not followed by a unit ("1200 watts" is a quantity).
func askedYears(wv *WordVectors, core string) []string {
	var years []string
	ws := words(core)
	for k, w := range ws {
		if isBareYear(w.Lower) && !(k+1 < len(ws) && wv != nil && unitWord(wv, ws[k+1].Lower)) {
			years = append(years, w.Stem)
		}
	}
	return years
}

// unitWord reports a unit of measure, or its plural ("watts", which
// WordNet also knows as a name).
func unitWord(wv *WordVectors, w string) bool { return ofClass(wv, w, ClassQuantity) }

// ofClass reports a word of the WordNet class, or whose lemma is of it
// ("minutes", which WordNet also knows as a meeting's record).
func ofClass(wv *WordVectors, w string, class uint8) bool {
	if wv.Info(w).Class == class {
		return true
	}
	b := lemma(wv, w)
	return b != "" && wv.Info(b).Class == class
}

// countedNumber is 1 when a number of the sentence comes right before the
// thing a "how many X" question counts (or a word of close meaning: "100,000
// vehicles" for "how many cars"), or, with no X, before a unit of measure
// or time ("12.4 hours", "3,000 kilograms"), or is a price when the
// question asks for a sum ("£10,000" for how much cash).
func countedNumber(q *Question, c *candidate) float64 {
	best := 0.0
	for _, s := range c.answerSpans(q) {
		w, ok := countedWord(c, s)
		switch {
		case q.asksSum && priceSpan(q.wv, c, s):
			return 1 // "£10,000" for how much cash
		case !ok:
		case countsFocus(q, w):
			return 1
		case q.Focus == "" && q.wv != nil:
			if cl := lemmaInfo(q.wv, w.Lower).Class; cl == ClassQuantity || cl == ClassTime {
				best = 1
			}
		}
	}
	return best
}

// countsFocus reports the word after a number naming what a "how many X"
// question counts: X, or a word near it in meaning ("guns" for cannons).
func countsFocus(q *Question, w Word) bool {
	return q.Focus != "" && (w.Stem == stem(q.Focus) || q.wv != nil && q.wv.Similarity(q.Focus, w.Lower) >= 0.55)
}

var numberWord = wordSet("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion dozen about around roughly some nearly almost over more than")

// definitionVerbs follow the term a sentence defines.
var definitionVerbs = wordSet("is are was were means mean denotes denote refers represents consists describes called known defined")

// definesTerm is 1 when a question term is followed, within two words, by
// a verb of definition ("A rune is an alias for int32"), or when the
// sentence is a field whose label is question words ("Opening hours: 9am
// to 5pm" for when the bakery opens).
func definesTerm(q *Question, text string, ws []Word) float64 {
	if labelledBy(q, text) {
		return 1
	}
	for i, w := range ws {
		if w.Stop && !definitionVerbs[w.Lower] {
			continue
		}
		matched := false
		for _, t := range q.Terms {
			if t.Known && (w.Stem == t.Stem || w.Stem == t.Own) {
				matched = true
				break
			}
		}
		if !matched {
			continue
		}
		for j := i + 1; j < len(ws) && j <= i+2; j++ {
			if definitionVerbs[ws[j].Lower] {
				return 1
			}
		}
	}
	return 0
}

// labelledBy reports a line "label: value" whose label is one to three
// words, each a known question term or a stop word, one at least a term.
func labelledBy(q *Question, text string) bool {
	colon := strings.IndexByte(text, ':')
	if colon <= 0 || colon > maxLabelLength || strings.TrimSpace(text[colon+1:]) == "" {
		return false
	}
	label := words(text[:colon])
	if len(label) == 0 || len(label) > 3 {
		return false
	}
	terms := 0
	for _, w := range label {
		if w.Stop {
			continue
		}
		if !slices.ContainsFunc(q.Terms, func(t QueryTerm) bool { return t.Known && (w.Stem == t.Stem || w.Stem == t.Own) }) {
			return false
		}
		terms++
	}
	return terms > 0
}

// maxLabelLength bounds a field's label, in bytes.
const maxLabelLength = 40

// sentenceVector is the SIF word-vector average of text, or nil.
func sentenceVector(wv *WordVectors, text string) []float32 {
	if wv == nil {
		return nil
	}
	v := make([]float32, wv.Dim())
	if !semanticEmbed(v, wv, text) {
		return nil
	}
	return v
}

func dot32(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// pairShare is the share of the question's adjacent term pairs that the
// sentence has side by side.
func pairShare(q *Question, ws []Word) float64 {
	if len(q.Terms) < 2 {
		return 0
	}
	have := map[[2]string]bool{}
	prev := ""
	for _, w := range ws {
		if w.Stop {
			continue
		}
		if prev != "" {
			have[[2]string{prev, w.Stem}] = true
		}
		prev = w.Stem
	}
	n := 0
	for i := 1; i < len(q.Terms); i++ {
		if have[[2]string{q.Terms[i-1].Stem, q.Terms[i].Stem}] {
			n++
		}
	}
	return float64(n) / float64(len(q.Terms)-1)
}

// termSims returns, for each question term, how well the sentence's words
// match it: 1 for the term itself, else the best word-vector similarity.
func termSims(q *Question, ws []Word) []float64 {
	out := make([]float64, len(q.Terms))
	for j, t := range q.Terms {
		for _, w := range ws {
			if w.Stop {
				continue
			}
			if w.Stem == t.Stem || w.Stem == t.Own {
				out[j] = 1
				break
			}
			if q.wv != nil {
				out[j] = math.Max(out[j], clamp01(q.wv.Similarity(t.Surface, w.Lower)))
			}
		}
	}
	return out
}

func weightedShare(q *Question, match func(int, QueryTerm) float64, total float64) float64 {
	if total == 0 {
		return 0
	}
	var got float64
	for j, t := range q.Terms {
		got += t.Weight * match(j, t)
	}
	return got / total
}

// keyCoverage is the weighted share of the key terms a passage holds,
// each as itself, a form of it, or a word of close meaning.
func keyCoverage(q *Question, ws []Word, stems map[string]bool, keyW float64) float64 {
	if keyW == 0 {
		return 1
	}
	var got float64
	for _, t := range q.Terms {
		if !t.Key {
			continue
		}
		if stems[t.Stem] || stems[t.Own] {
			got += t.Weight
			continue
		}
		// Key words count only as themselves or a form of them (see
		// [Index.resolve]).
	}
	return got / keyW
}

// typeEvidence reports whether the sentence holds the kind of answer asked
// for outside the question's own words, and how near the closest such
// span lies to the words that match the question (1 when adjacent).
func typeEvidence(q *Question, c *candidate, sims []float64) (found, near float64) {
	if !q.Kind.spanKind() && q.Kind != KindThing {
		return 0, 0
	}
	spans := c.answerSpans(q)
	if len(spans) == 0 {
		return 0, 0
	}
	matched := matchedPositions(q, c)
	best := math.Inf(1)
	for _, s := range spans {
		for _, m := range matched {
			d := float64(wordGap(c.words, s, m))
			best = math.Min(best, d)
		}
	}
	if math.IsInf(best, 1) {
		return 1, 0
	}
	return 1, 1 / (1 + best/4)
}

// matchedPositions are the byte offsets of the sentence's words that
// match a question term.
func matchedPositions(q *Question, c *candidate) []int {
	var out []int
	for _, w := range c.words {
		if w.Stop {
			continue
		}
		for _, t := range q.Terms {
			if w.Stem == t.Stem || w.Stem == t.Own {
				out = append(out, w.Start)
				break
			}
		}
	}
	return out
}

// wordGap counts the words between a span and a word offset; the span's
// own words are not between.
func wordGap(ws []Word, s typedSpan, at int) int {
	if at >= s.start && at < s.end {
		return 0
	}
	n := 0
	for _, w := range ws {
		if at < s.start && w.Start > at && w.Start < s.start || at >= s.end && w.Start >= s.end && w.Start < at {
			n++
		}
	}
	return n
}

// answerSpans are the sentence's typed spans of the asked kind that do
// not repeat the question's words, computed once per candidate.
func (c *candidate) answerSpans(q *Question) []typedSpan {
	if c.spansDone {
		return c.spans
	}
	c.spansDone = true
	spans := typedSpans(q.wv, c.text, q.Kind)
	if q.TimeOfDay {
		// "what time does it start": a date ("14 July") is no answer.
		spans = slices.DeleteFunc(spans, func(s typedSpan) bool {
			return !timeOfDaySpan.MatchString(c.text[s.start:s.end])
		})
	}
	if q.Kind == KindDate && q.Focus != "" {
		// A noun of time asked of may be a span of it ("the daily
		// rate", "the shortest interval"): a number answers it too.
		spans = append(spans, typedSpans(q.wv, c.text, KindNumber)...)
	}
	c.spans = c.ownSpans(q, spans)
	return c.spans
}

// ownSpans returns the spans that answer with words of their own: "Caspian
// Sea" is no name for "the drill in the Caspian". A number's unit is no
// such word, and a person's name begins after the title the question asks
// of.
func (c *candidate) ownSpans(q *Question, spans []typedSpan) []typedSpan {
	kind := q.Kind
	repeats := func(w Word) bool {
		if q.stems[w.Stem] {
			return true
		}
		for _, t := range q.Terms {
			if t.Stem == w.Stem {
				return true
			}
		}
		return false
	}
	var out []typedSpan
	for _, s := range spans {
		ws := words(c.text[s.start:s.end])
		// A person's name begins after the title the question asks of
		// ("Governor Marta Sollberg" for "who is the governor").
		title := 0
		for kind == KindPerson && title < len(ws) && !ws[title].Stop && repeats(ws[title]) && q.wv != nil && lemmaInfo(q.wv, ws[title].Lower).Class == ClassPerson {
			title++
		}
		if title > 0 && title < len(ws) {
			s.start += ws[title].Start
		}
		ws = ws[title:]
		fresh, repeated := false, false
		for _, w := range ws {
			switch {
			case kind == KindNumber && !hasDigit(w.Lower) && !numberWord[w.Lower]:
				// The unit or the thing counted may be the question's own
				// word ("about 40 lanes" for "how many lanes"): only the
				// number itself must be new.
				fresh = true
			case !w.Stop && repeats(w):
				repeated = true
			case !w.Stop || kind == KindNumber:
				fresh = true
			}
		}
		if fresh && !repeated {
			out = append(out, s)
		}
	}
	return out
}

// novelty is the share of the sentence's content words that are not the
// question's: an answer says something the question does not.
func novelty(q *Question, c *candidate) float64 {
	qs := map[string]bool{}
	for _, t := range q.Terms {
		qs[t.Stem], qs[t.Own] = true, true
	}
	n, fresh := 0, 0
	for _, w := range c.words {
		if w.Stop {
			continue
		}
		n++
		if !qs[w.Stem] {
			fresh++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(fresh) / float64(n)
}

// causalWords and mannerWords are the English connectives that introduce
// a reason or a means.
var (
	causalWords = wordSet("because since due owing reason reasons cause caused causes so therefore thus hence result consequently order aim aimed aims purpose intended response amid after following led lead leads prompted motivated fear fears concern concerns")
	mannerWords = wordSet("by through using via means method way process step steps first then when which allows allowing enables works uses")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func explainCue(kind AnswerKind, ws []Word) float64 {
	set := causalWords
	if kind == KindManner {
		set = mannerWords
	}
	for _, w := range ws {
		if set[w.Lower] {
			return 1
		}
	}
	return 0
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

// SentenceFeatures is a candidate sentence of retrieved passages with the
// selector's features: what [FitSelector] is trained on.
type SentenceFeatures struct {
	Quote    string
	Features []float64
}

// CandidateSentences returns the candidate sentences of passages for the
// analysed question q, with their features.
func CandidateSentences(q *Question, passages []Passage) []SentenceFeatures {
	cands := sentenceCandidates(passages)
	q = q.inContext(cands)
	candidateFeatures(q, passages, readPassagesFor(q, passages), cands)
	out := make([]SentenceFeatures, 0, len(cands))
	for _, c := range cands {
		if !c.offTopic {
			out = append(out, SentenceFeatures{Quote: c.text, Features: c.features})
		}
	}
	return out
}
