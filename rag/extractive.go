package rag

import (
	"context"
	"regexp"
	"strings"
)

// ExtractiveName is the answerer name of the offline path.
const ExtractiveName = "extractive"

// ExtractiveOptions tune the extractive answerer.
type ExtractiveOptions struct {
	// MaxSentences bounds the answer's length.
	MaxSentences int
	// MinConfidence is the least confidence to answer with: the weighted
	// share of the question's known words that the best sentence (and its
	// passage) covers, times the share of the question the index knows at
	// all. Below it the answerer abstains.
	MinConfidence float64
}

// DefaultExtractiveOptions are the values the eval gate runs with.
var DefaultExtractiveOptions = ExtractiveOptions{MaxSentences: 2, MinConfidence: 0.38}

// Extractive returns the offline answerer over ix. It scores each
// sentence of the passages by how much of the question it covers — each
// question word weighted by its rarity in the index — by the same in its
// passage, by the question's word pairs it repeats, by whether it holds
// the kind of thing asked for (a date for "when", a number for "how
// many"), and by its passage's rank. It answers with the best sentence,
// and a second when that one covers what the first leaves out, each
// quoted exactly and cited.
//
// It abstains, naming what the corpus lacks, when its confidence is low:
// the question rests on words the index has never seen, or the best
// sentence covers too little of the words it has. For "when" and "how
// many" questions only sentences with a date or a number count.
func Extractive(ix *Index, opts ExtractiveOptions) AnswerFunc {
	return func(ctx context.Context, req AnswerRequest) (*Answer, error) {
		q := newQuestion(req.Question, ix.QueryTerms(req.Question))
		cands := sentenceCandidates(req.Passages)
		passageStems := make([]map[string]bool, len(req.Passages))
		for i, p := range req.Passages {
			passageStems[i] = stemSet(p.Title + "\n" + p.Text)
		}
		for i := range cands {
			c := &cands[i]
			c.coverage = q.coverage(c.stems)
			c.context = q.coverage(passageStems[c.passage])
			c.score = 0.5*c.coverage + 0.2*c.context + 0.1*q.pairShare(c.text) +
				0.1*q.kindScore(c.text) + 0.1*q.focusScore(c.stems) + 0.1/float64(1+c.passage)
		}
		sortCandidates(cands)
		if q.kind == "date" || q.kind == "number" {
			// An answer to "when" or "how many" must hold a date or a
			// number: the best sentence that does leads.
			cands = withKind(q, cands)
		}
		ans := &Answer{Answerer: ExtractiveName, Citations: []Citation{}}
		if len(cands) == 0 || q.known == 0 || q.confidence(cands[0]) < opts.MinConfidence {
			ans.Answer = q.abstention(req.Passages, passageStems)
			return ans, nil
		}
		chosen := []candidate{cands[0]}
		covered := copySet(cands[0].stems)
		for _, c := range cands[1:] {
			if len(chosen) >= opts.MaxSentences || c.score < 0.75*cands[0].score {
				break
			}
			// A second sentence earns its place by covering what the first
			// leaves out, holding the kind of thing asked for when the first
			// does not, or being as good a match.
			gain := q.gain(c.stems, covered)
			if gain >= 0.2 || (q.kind != "" && !q.kindFound(chosen) && q.kindScore(c.text) > 0) || c.score >= 0.95*cands[0].score {
				chosen = append(chosen, c)
				for s := range c.stems {
					covered[s] = true
				}
			}
		}
		ans.Answered, ans.Grounded = true, true
		ans.Answer, ans.Citations = citeSentences(chosen, req.Passages)
		if req.OnToken != nil {
			req.OnToken(ans.Answer)
		}
		return ans, nil
	}
}

// withKind keeps only the candidates that hold the kind of thing asked for.
func withKind(q question, cands []candidate) []candidate {
	out := cands[:0:0]
	for _, c := range cands {
		if q.kindScore(c.text) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// confidence is how sure an answer from c can be: how well the sentence,
// and the passage around it, cover the words of the question that the
// index knows, discounted by the share of the question it has never seen.
func (q question) confidence(c candidate) float64 {
	return (0.7*c.coverage + 0.3*c.context) * (1 - q.unknownShare())
}

func copySet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// question holds what the answerer reads from a question.
type question struct {
	text    string
	terms   []QueryTerm
	known   float64 // total weight of the terms the index knows
	unknown float64 // total weight of the rest
	pairs   [][2]string
	kind    string // "date", "number", "name", "title" or ""
	focus   string // the stem a "which X" or "what X" question asks about
}

func newQuestion(text string, ts []QueryTerm) question {
	q := question{text: text, terms: ts, kind: answerKind(text), focus: focusStem(text, ts)}
	for _, t := range ts {
		if t.Known {
			q.known += t.Weight
		} else {
			q.unknown += t.Weight
		}
	}
	for i := 1; i < len(ts); i++ {
		q.pairs = append(q.pairs, [2]string{ts[i-1].Stem, ts[i].Stem})
	}
	return q
}

var focusQuestion = regexp.MustCompile(`(?i)^\s*(?:(?:in|on|at|from|to|for|with|by|of|under|during|since|between)\s+)?(?:which|what)\s+(?:\w+\s+)?`)

// focusStem finds the noun a "which X" / "what X" question asks about: the
// first known content word after the question word.
func focusStem(text string, ts []QueryTerm) string {
	loc := focusQuestion.FindStringIndex(text)
	if loc == nil {
		return ""
	}
	after := words(text[loc[0]:])
	for _, w := range after {
		if w.Stop {
			continue
		}
		for _, t := range ts {
			if t.Surface == w.Lower && t.Known && !lightWords[w.Lower] {
				return t.Stem
			}
		}
		return ""
	}
	return ""
}

// focusScore is 1 when the sentence names the question's focus.
func (q question) focusScore(stems map[string]bool) float64 {
	if q.focus != "" && stems[q.focus] {
		return 1
	}
	return 0
}

// unknownShare is the weighted share of the question the index has never seen.
func (q question) unknownShare() float64 {
	if q.known+q.unknown == 0 {
		return 1
	}
	return q.unknown / (q.known + q.unknown)
}

// coverage is the weighted share of the question's known terms in stems.
func (q question) coverage(stems map[string]bool) float64 {
	return q.gain(stems, nil)
}

// gain is the weighted share of known question terms in stems and not in covered.
func (q question) gain(stems, covered map[string]bool) float64 {
	if q.known == 0 {
		return 0
	}
	var got float64
	for _, t := range q.terms {
		if t.Known && stems[t.Stem] && !covered[t.Stem] {
			got += t.Weight
		}
	}
	return got / q.known
}

// pairShare is the share of the question's adjacent term pairs that the
// sentence also has side by side.
func (q question) pairShare(text string) float64 {
	if len(q.pairs) == 0 {
		return 0
	}
	have := map[[2]string]bool{}
	ts := terms(text)
	for i := 1; i < len(ts); i++ {
		have[[2]string{ts[i-1], ts[i]}] = true
	}
	n := 0
	for _, p := range q.pairs {
		if have[p] {
			n++
		}
	}
	return float64(n) / float64(len(q.pairs))
}

var (
	dateQuestion   = regexp.MustCompile(`(?i)^\s*(when\b|(in |on |by |since )?what (year|month|day|date|time)\b|(in |on )?which (year|month|day|date)\b|how long ago\b)`)
	numberQuestion = regexp.MustCompile(`(?i)\b(how (many|much|long|far|old)|what (number|percentage|share|amount)|what proportion)\b`)
	nameQuestion   = regexp.MustCompile(`(?i)^\s*(who|whom|whose)\b`)
	titleQuestion  = regexp.MustCompile(`(?i)\b(called|named|dubbed|titled|known as|name of|what name|the name)\b`)
	titlePattern   = regexp.MustCompile(`(?i)\b(called|named|dubbed|titled|known as|calls)\b|[“"«][^”"»]{2,80}[”"»]`)
	datePattern    = regexp.MustCompile(`(?i)\b(1[89]\d\ds?|20\d\ds?|spring|summer|autumn|winter|decade|century|january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|last (week|month|year)|this (week|month|year|summer|spring|autumn|fall|winter)|(early|mid|late)-\d{4})\b`)
	numberPattern  = regexp.MustCompile(`(?i)\b(\d[\d,.]*(st|nd|rd|th|s)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|dozens|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|twice|half|single|double)\b`)
	namePattern    = regexp.MustCompile(`\b\p{Lu}\p{Ll}+(\s+(al-|bin |ben |de |van )?\p{Lu}[\p{L}-]+)+`)
)

// answerKind guesses what kind of thing the question asks for.
func answerKind(text string) string {
	switch {
	case dateQuestion.MatchString(text):
		return "date"
	case numberQuestion.MatchString(text):
		return "number"
	case nameQuestion.MatchString(text):
		return "name"
	case titleQuestion.MatchString(text):
		return "title"
	}
	return ""
}

// kindScore is 1 when the sentence holds the kind of thing asked for,
// other than what the question itself says ("Su-35" answers no "how much").
func (q question) kindScore(text string) float64 {
	var re *regexp.Regexp
	switch q.kind {
	case "date":
		re = datePattern
	case "number":
		re = numberPattern
	case "name":
		re = namePattern
	case "title":
		re = titlePattern
	default:
		return 0
	}
	for _, m := range re.FindAllString(text, -1) {
		if !strings.Contains(strings.ToLower(q.text), strings.ToLower(m)) {
			return 1
		}
	}
	return 0
}

func (q question) kindFound(chosen []candidate) bool {
	for _, c := range chosen {
		if q.kindScore(c.text) > 0 {
			return true
		}
	}
	return false
}

// abstention explains why there is no answer: the question's words that
// no retrieved passage holds.
func (q question) abstention(passages []Passage, passageStems []map[string]bool) string {
	if len(q.terms) == 0 {
		return "The corpus does not say: the question has no words to search for."
	}
	var missing []string
	for _, t := range q.terms {
		found := false
		for _, s := range passageStems {
			if s[t.Stem] {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, "“"+t.Surface+"”")
		}
	}
	if len(passages) == 0 {
		return "The corpus does not say: no passage matches the question."
	}
	if len(missing) == 0 {
		return "The corpus does not say: the closest passages below touch on the question but do not answer it."
	}
	return "The corpus does not say: no passage speaks of " + joinOr(missing) + ". The closest passages are listed below."
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
