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

// LocalDim is the dimension of the local embedder's vectors.
const LocalDim = 256

// LocalEmbedder returns the default embedder: pure Go, deterministic, no
// model file and no network. A text's vector is the signed feature hashing
// of its word stems, stem bigrams and character n-grams of its words,
// with sublinear term frequency, L2-normalised. Queries weight each word's
// features by the word's rarity in the index, so a rare word outweighs a
// common one. It matches shared words and word forms; it knows no
// synonyms.
func LocalEmbedder() Embedder {
	return Embedder{
		Name: fmt.Sprintf("local-hash-%d", LocalDim),
		Documents: func(ctx context.Context, texts []string) ([][]float32, error) {
			out := make([][]float32, len(texts))
			for i, t := range texts {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				out[i] = hashEmbed(t, nil)
			}
			return out, nil
		},
		Query: func(_ context.Context, text string, weight TermWeight) ([]float32, error) {
			return hashEmbed(text, weight), nil
		},
	}
}

// Relative weights of the feature kinds; a word's n-grams share theirs.
const (
	stemFeature   = 1.0
	bigramFeature = 0.5
	ngramFeature  = 0.6
)

func hashEmbed(text string, weight TermWeight) []float32 {
	vec := make([]float32, LocalDim)
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
	return vec
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
