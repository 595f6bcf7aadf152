// Package synth generates a deterministic English-like corpus for
// benchmarks: words drawn from a Zipf distribution over an invented
// vocabulary, in sentences and paragraphs, so that BM25 and the embedder
// do real work.
package synth

import (
	"fmt"
	"math/rand"
	"strings"
)

var (
	onsets = strings.Fields("b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr st sp sl ch sh th pl cl")
	nuclei = strings.Fields("a e i o u ai ea ou io ee oa")
	codas  = strings.Fields("_ n r s t l m nd st rk ng sh ck")
	// function words keep the text English-like and exercise stop lists.
	function = strings.Fields("the of and to in a is that for on with as by at from it was be are this which or an")
)

// Corpus makes documents.
type Corpus struct {
	rng   *rand.Rand
	vocab []string
	zipf  *rand.Zipf
}

// New returns a generator with vocabSize content words; the same seed
// gives the same corpus.
func New(seed int64, vocabSize int) *Corpus {
	rng := rand.New(rand.NewSource(seed))
	seen := map[string]bool{}
	var vocab []string
	for len(vocab) < vocabSize {
		var b strings.Builder
		for s := 0; s < 1+rng.Intn(3); s++ {
			b.WriteString(onsets[rng.Intn(len(onsets))])
			b.WriteString(nuclei[rng.Intn(len(nuclei))])
			if c := codas[rng.Intn(len(codas))]; c != "_" {
				b.WriteString(c)
			}
		}
		if w := b.String(); len(w) > 2 && !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return &Corpus{rng: rng, vocab: vocab, zipf: rand.NewZipf(rng, 1.1, 2, uint64(vocabSize-1))}
}

// Word returns a content word by Zipf rank.
func (c *Corpus) Word() string { return c.vocab[c.zipf.Uint64()] }

// Sentence returns one sentence of 8 to 24 words.
func (c *Corpus) Sentence() string {
	n := 8 + c.rng.Intn(17)
	words := make([]string, n)
	for i := range words {
		if c.rng.Intn(3) == 0 {
			words[i] = function[c.rng.Intn(len(function))]
		} else {
			words[i] = c.Word()
		}
	}
	words[0] = capitalize(words[0])
	return strings.Join(words, " ") + "."
}

// Document returns a titled document of paragraphs of about chars characters.
func (c *Corpus) Document(chars int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s Report\n\n", capitalize(c.Word()), capitalize(c.Word()), capitalize(c.Word()))
	for b.Len() < chars {
		for s := 0; s < 3+c.rng.Intn(4); s++ {
			b.WriteString(c.Sentence())
			b.WriteByte(' ')
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// Query returns a query of 2 to 5 content words taken from a sentence of
// the corpus's distribution, as a user would type.
func (c *Corpus) Query() string {
	n := 2 + c.rng.Intn(4)
	words := make([]string, n)
	for i := range words {
		words[i] = c.Word()
	}
	return strings.Join(words, " ")
}

// questionForms are the shapes users' questions take, around two to four
// content words.
var questionForms = []string{
	"what did the %s say about %s?",
	"how does %s affect the %s?",
	"why is the %s %s",
	"who is responsible for %s and %s in the %s",
	"when was the %s of %s announced?",
	"can you tell me about %s %s",
	"what happened to %s after the %s %s?",
	"is there anything on %s and %s",
}

// Question returns a question as users type one: a form of question words
// around content words of the corpus's distribution.
func (c *Corpus) Question() string {
	form := questionForms[c.rng.Intn(len(questionForms))]
	args := make([]any, strings.Count(form, "%s"))
	for i := range args {
		args[i] = c.Word()
	}
	return fmt.Sprintf(form, args...)
}

// capitalize upper-cases the first letter of an ASCII word.
func capitalize(w string) string { return strings.ToUpper(w[:1]) + w[1:] }
