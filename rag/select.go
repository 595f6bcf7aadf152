package rag

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
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
}

// SelectorModel is a logistic model of "this sentence holds the answer",
// fitted on a training set kept apart from the eval gates. Threshold is
// the least probability answered with.
type SelectorModel struct {
	Features  []string  `json:"features"`
	Weights   []float64 `json:"weights"`
	Bias      float64   `json:"bias"`
	Threshold float64   `json:"threshold"`
	// Trained says what the model was fitted on.
	Trained string `json:"trained"`
}

//go:embed selector.json
var selectorJSON []byte

// DefaultSelector returns the built-in selector model.
func DefaultSelector() SelectorModel {
	var m SelectorModel
	if err := json.Unmarshal(selectorJSON, &m); err != nil || len(m.Weights) != len(FeatureNames) {
		// Before the first fit: equal weights on coverage and type.
		m = SelectorModel{Features: FeatureNames, Weights: make([]float64, len(FeatureNames)), Bias: -3, Threshold: 0.3}
		m.Weights[0], m.Weights[1], m.Weights[2], m.Weights[4], m.Weights[5], m.Weights[7] = 2, 2, 1, 2, 1, -1
	}
	return m
}

// Prob is the model's probability for a feature vector.
func (m SelectorModel) Prob(f []float64) float64 {
	z := m.Bias
	for i, w := range m.Weights {
		z += w * f[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// TrainingQuestion is one question's candidate sentences for fitting:
// their features, which of them hold an expected answer, and whether the
// question has an answer at all.
type TrainingQuestion struct {
	Features   [][]float64
	Labels     []bool
	Answerable bool
}

// FitSelector fits the selector by L2-regularised logistic regression
// (batch gradient descent, deterministic), then picks the threshold that
// makes the most right decisions on the same questions: answerable ones
// answered with a right sentence, the rest abstained on.
func FitSelector(qs []TrainingQuestion, l2 float64, iterations int) SelectorModel {
	n := len(FeatureNames)
	var xs [][]float64
	var ys []float64
	for _, q := range qs {
		for i, f := range q.Features {
			xs = append(xs, f)
			ys = append(ys, b2f(q.Labels[i]))
		}
	}
	m := SelectorModel{Features: FeatureNames, Weights: make([]float64, n)}
	if len(xs) == 0 {
		return m
	}
	// Positive sentences are rare; weigh them up so the fit does not
	// settle on "never".
	var pos float64
	for _, y := range ys {
		pos += y
	}
	posWeight := 1.0
	if pos > 0 {
		posWeight = math.Min(10, (float64(len(ys))-pos)/pos)
	}
	rate := 0.5
	grad := make([]float64, n)
	for range iterations {
		clear(grad)
		var gb, total float64
		for i, x := range xs {
			w := 1.0
			if ys[i] == 1 {
				w = posWeight
			}
			e := w * (m.Prob(x) - ys[i])
			for j := range grad {
				grad[j] += e * x[j]
			}
			gb += e
			total += w
		}
		for j := range m.Weights {
			m.Weights[j] -= rate * (grad[j]/total + l2*m.Weights[j])
		}
		m.Bias -= rate * gb / total
	}
	m.Threshold = bestThreshold(m, qs)
	for j := range m.Weights {
		m.Weights[j] = math.Round(m.Weights[j]*1e6) / 1e6
	}
	m.Bias = math.Round(m.Bias*1e6) / 1e6
	return m
}

// bestThreshold returns the probability cut that answers right most
// often, counting a right answer and a right abstention alike.
func bestThreshold(m SelectorModel, qs []TrainingQuestion) float64 {
	type decision struct {
		p          float64
		answerable bool
		right      bool
	}
	var ds []decision
	for _, q := range qs {
		best, right := -1.0, false
		for i, f := range q.Features {
			if p := m.Prob(f); p > best {
				best, right = p, q.Labels[i]
			}
		}
		ds = append(ds, decision{best, q.Answerable, right})
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].p < ds[j].p })
	bestScore, bestCut := -1, 0.5
	for i := 0; i <= len(ds); i++ {
		cut := 0.0
		if i < len(ds) {
			cut = ds[i].p
		} else {
			cut = 1
		}
		score := 0
		for _, d := range ds {
			answered := d.p >= cut
			if (answered && d.answerable && d.right) || (!answered && !d.answerable) {
				score++
			}
		}
		if score > bestScore {
			bestScore, bestCut = score, cut
		}
	}
	// The midpoint to the decision below keeps the cut off one example.
	for i, d := range ds {
		if d.p == bestCut && i > 0 {
			return math.Round((d.p+ds[i-1].p)/2*1e6) / 1e6
		}
	}
	return math.Round(bestCut*1e6) / 1e6
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// candidateFeatures computes the features of every candidate sentence.
func candidateFeatures(q *Question, passages []Passage, cands []candidate) {
	wv := q.wv
	var totalW, keyW, unknownKeyW float64
	for _, t := range q.Terms {
		totalW += t.Weight
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
	passageStems := make([]map[string]bool, len(passages))
	passageWords := make([][]Word, len(passages))
	for i, p := range passages {
		ws := words(p.Title + "\n" + p.Text)
		passageWords[i] = ws
		passageStems[i] = map[string]bool{}
		for _, w := range ws {
			if !w.Stop {
				passageStems[i][w.Stem] = true
			}
		}
	}
	sims := make([][]float64, len(cands)) // per candidate, per term: the best similarity
	for i := range cands {
		sims[i] = termSims(q, cands[i].words)
	}
	keyCov := make([]float64, len(passages))
	for i := range passages {
		keyCov[i] = keyCoverage(q, passageWords[i], passageStems[i], keyW)
	}
	for i := range cands {
		c := &cands[i]
		f := make([]float64, len(FeatureNames))
		f[0] = weightedShare(q, func(j int, t QueryTerm) float64 { return b2f(c.stems[t.Stem] || c.stems[t.Own]) }, totalW)
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
		f[2] = weightedShare(q, ctx, totalW)
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
			for _, w := range c.words {
				if w.Lower == q.Focus || w.Stem == stem(q.Focus) {
					f[15] = 1
					break
				}
				f[15] = math.Max(f[15], clamp01(wv.Similarity(q.Focus, w.Lower)))
			}
		}
		c.features = f
	}
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
		best := 0.0
		if q.wv != nil {
			for _, w := range ws {
				if !w.Stop {
					best = math.Max(best, q.wv.Similarity(t.Surface, w.Lower))
				}
			}
		}
		if best >= resolveMinSim {
			got += t.Weight * best
		}
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

// wordGap counts the words between a span and a word offset.
func wordGap(ws []Word, s typedSpan, at int) int {
	lo, hi := min(s.start, at), max(s.end, at)
	if at >= s.start && at < s.end {
		return 0
	}
	n := 0
	for _, w := range ws {
		if w.Start > lo && w.Start < hi {
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
	kind := q.Kind
	if kind == KindThing {
		kind = KindName
	}
	qstems := map[string]bool{}
	for _, w := range words(q.Text) {
		qstems[w.Stem] = true
	}
	for _, t := range q.Terms {
		qstems[t.Stem] = true
	}
	for _, s := range typedSpans(q.wv, c.text, kind) {
		fresh := false
		for _, w := range words(c.text[s.start:s.end]) {
			if !qstems[w.Stem] && !(w.Stop && kind != KindNumber) {
				fresh = true
				break
			}
		}
		if fresh {
			c.spans = append(c.spans, s)
		}
	}
	return c.spans
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

// String shows a feature vector with names, for debugging and reports.
func featureString(f []float64) string {
	var b strings.Builder
	for i, v := range f {
		fmt.Fprintf(&b, "%s=%.2f ", FeatureNames[i], v)
	}
	return b.String()
}

// SentenceFeatures is a candidate sentence of retrieved passages with the
// selector's features: what [FitSelector] is trained on.
type SentenceFeatures struct {
	DocID    string
	Quote    string
	Features []float64
}

// CandidateSentences returns the candidate sentences of passages for the
// analysed question q, with their features.
func CandidateSentences(q *Question, passages []Passage) []SentenceFeatures {
	cands := sentenceCandidates(passages)
	candidateFeatures(q, passages, cands)
	out := make([]SentenceFeatures, len(cands))
	for i, c := range cands {
		out[i] = SentenceFeatures{DocID: c.docID, Quote: c.text, Features: c.features}
	}
	return out
}
