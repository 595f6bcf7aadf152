package rag

import (
	"context"
	"fmt"
	"math"
	"unicode/utf8"
)

// TermWeight gives a stem's weight in a query, such as its inverse document
// frequency in the index. Embedders that cannot use it ignore it.
type TermWeight func(stem string) float64

// Embedder turns passages and queries into vectors of one dimension.
type Embedder struct {
	// Name identifies the model; the index records it and re-embeds
	// everything when it changes, so vectors of two models never mix.
	Name string
	// Documents embeds a batch of passages.
	Documents func(ctx context.Context, texts []string) ([][]float32, error)
	// Query embeds a search query.
	Query func(ctx context.Context, text string, weight TermWeight) ([]float32, error)
	// Batch is the most passages one Documents call takes, and Workers
	// how many calls may run at once; zero means the index's defaults.
	Batch, Workers int
}

// HashDim is the dimension of the local embedder's hashed features.
const HashDim = 256

// DefaultSemanticShare is the share of the word-vector part in the local
// embedder's cosine, chosen by the eval numbers (see README).
const DefaultSemanticShare = 0.5

// LocalEmbedder returns the default embedder with the built-in word
// vectors: pure Go, deterministic, no network. See [LocalEmbedderWith].
func LocalEmbedder() Embedder { return LocalEmbedderWith(EmbeddedWordVectors(), DefaultSemanticShare) }

// LocalEmbedderWith returns the offline embedder. A text's vector joins two
// unit parts: the signed feature hashing of its word stems, stem bigrams
// and character n-grams (shared words, word forms, typos and names the
// word vectors lack), and the smooth-inverse-frequency weighted average of
// its words' pretrained vectors with their common direction removed
// (paraphrases and related words). Their cosine is share × the semantic
// cosine + (1-share) × the hashed one. Queries weight each word's hashed
// features by the word's rarity in the index.
func LocalEmbedderWith(wv *WordVectors, share float64) Embedder {
	dim := HashDim
	if wv != nil {
		dim += wv.Dim()
	}
	embed := func(text string, weight TermWeight) []float32 {
		vec := make([]float32, dim)
		hashEmbed(vec[:HashDim], text, weight)
		if wv == nil {
			return vec
		}
		scaleVec(vec[:HashDim], float32(math.Sqrt(1-share)))
		sem := vec[HashDim:]
		if semanticEmbed(sem, wv, text) {
			scaleVec(sem, float32(math.Sqrt(share)))
		}
		normalize(vec)
		return vec
	}
	name := fmt.Sprintf("local-hash%d", HashDim)
	if wv != nil {
		name += fmt.Sprintf("+%s@%.2f", wv.Name, share)
	}
	return Embedder{
		Name: name,
		Documents: func(ctx context.Context, texts []string) ([][]float32, error) {
			out := make([][]float32, len(texts))
			for i, t := range texts {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				out[i] = embed(t, nil)
			}
			return out, nil
		},
		Query: func(_ context.Context, text string, weight TermWeight) ([]float32, error) {
			return embed(text, weight), nil
		},
	}
}

// semanticEmbed writes into out the SIF average of the content words'
// vectors, less its projection on the common direction, as a unit vector;
// false when no word has a vector.
func semanticEmbed(out []float32, wv *WordVectors, text string) bool {
	found := false
	n := wv.Len()
	for _, w := range words(text) {
		if w.Stop {
			continue
		}
		if wv.addTo(out, w.Lower, sifWeight(wv.Rank(w.Lower), n)) {
			found = true
		} else if b := lemma(wv, w.Lower); b != "" && wv.addTo(out, b, sifWeight(wv.Rank(b), n)) {
			found = true
		}
	}
	if !found {
		return false
	}
	var dot float32
	for d, c := range wv.common {
		dot += out[d] * c
	}
	for d, c := range wv.common {
		out[d] -= dot * c
	}
	normalize(out)
	return true
}

func scaleVec(v []float32, s float32) {
	for i := range v {
		v[i] *= s
	}
}

// Relative weights of the feature kinds; a word's n-grams share theirs.
const (
	stemFeature   = 1.0
	bigramFeature = 0.5
	ngramFeature  = 0.6
)

// hashEmbed writes the hashed features of text into vec as a unit vector.
func hashEmbed(vec []float32, text string, weight TermWeight) {
	counts := map[string]int{}
	var order []string // first-seen order keeps the sum deterministic
	var prev string
	for _, w := range words(text) {
		if w.Stop {
			prev = ""
			continue
		}
		if counts[w.Lower] == 0 {
			order = append(order, w.Lower)
		}
		counts[w.Lower]++
		if prev != "" {
			bigram := prev + " " + w.Stem
			if counts["\x00"+bigram] == 0 {
				order = append(order, "\x00"+bigram)
			}
			counts["\x00"+bigram]++
		}
		prev = w.Stem
	}
	var runes []rune
	for _, key := range order {
		tf := 1 + math.Log(float64(counts[key]))
		if key[0] == 0 { // a bigram
			bigram := key[1:]
			wt := tf * bigramFeature
			if weight != nil {
				a, b, _ := cutSpace(bigram)
				wt *= (weight(a) + weight(b)) / 2
			}
			addHash(vec, fnvString(fnvString(fnvOffset, "b:"), bigram), wt)
			continue
		}
		s := stem(key)
		wt := tf
		if weight != nil {
			wt *= weight(s)
		}
		addHash(vec, fnvString(fnvString(fnvOffset, "w:"), s), wt*stemFeature)
		runes = append(append(append(runes[:0], '<'), []rune(key)...), '>')
		grams := ngramCount(len(runes))
		for n := 3; n <= 5 && grams > 1; n++ {
			for i := 0; i+n <= len(runes); i++ {
				addHash(vec, fnvRunes(fnvString(fnvOffset, "c:"), runes[i:i+n]), wt*ngramFeature/float64(grams))
			}
		}
		if grams == 1 { // a word of under four letters is one feature, whole
			addHash(vec, fnvRunes(fnvString(fnvOffset, "c:"), runes), wt*ngramFeature)
		}
	}
	if len(order) == 0 {
		// A text of stop words only: one fixed feature keeps the vector
		// unit-length, which the vector store requires.
		addHash(vec, fnvString(fnvOffset, "empty"), 1)
	}
	normalize(vec)
}

func cutSpace(s string) (a, b string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// ngramCount is how many 3- to 5-grams a word marked at both ends (n
// runes with the marks) has; a word of under four letters counts as one.
func ngramCount(n int) int {
	if n-2 < 4 {
		return 1
	}
	c := 0
	for k := 3; k <= 5; k++ {
		if n >= k {
			c += n - k + 1
		}
	}
	return c
}

// FNV-1a, computed over strings and runes without allocating.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvRunes(h uint64, rs []rune) uint64 {
	var buf [utf8.UTFMax]byte
	for _, r := range rs {
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			h ^= uint64(c)
			h *= fnvPrime
		}
	}
	return h
}

// addHash adds weight to the dimension a feature's hash picks, with the
// sign its top bit picks.
func addHash(vec []float32, sum uint64, weight float64) {
	if sum>>63 == 1 {
		weight = -weight
	}
	vec[sum%uint64(len(vec))] += float32(weight)
}

func normalize(vec []float32) {
	var sum float64
	for _, v := range vec {
		sum += float64(v) * float64(v)
	}
	if sum == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range vec {
		vec[i] *= inv
	}
}
