package rag

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unsafe"
)

// Parts of speech a word can take in WordNet, as bits of [WordInfo.POS].
const (
	PosNoun uint8 = 1 << iota
	PosVerb
	PosAdj
	PosAdv
	// PosMainNoun marks a word whose noun senses are at least as many as
	// its senses as any other part of speech: it names a thing more often
	// than an action or a quality.
	PosMainNoun
	// PosProper marks a noun WordNet writes capitalised in all its senses
	// and no other part of speech: the name of one place, person or thing.
	PosProper
)

// Noun classes of WordNet's lexicographer files that the answerer asks
// about ([WordInfo.Class] holds the file number + 1).
const (
	ClassAct        = 4 + 1
	ClassArtifact   = 6 + 1
	ClassCommun     = 10 + 1
	ClassGroup      = 14 + 1
	ClassLocation   = 15 + 1
	ClassPerson     = 18 + 1
	ClassPossession = 21 + 1
	ClassQuantity   = 23 + 1
	ClassTime       = 28 + 1
)

// common reports a word WordNet knows as a common word, not only as the
// name of one place, person or thing.
func (in WordInfo) common() bool { return in.POS != 0 && in.POS&PosProper == 0 }

// WordInfo is what the lexical resource says of a word.
type WordInfo struct {
	POS   uint8 // Pos* bits; 0 when the word is unknown to WordNet
	Class uint8 // the noun class of its first noun sense + 1; 0 when none
}

// WordVectors are pretrained word vectors: unit vectors quantised to int8
// with a scale per word, words in frequency order. With them come, for
// English, WordNet's parts of speech and noun classes and its irregular
// forms.
type WordVectors struct {
	Name   string
	dim    int
	words  []string
	index  map[string]int32
	vecs   []byte    // int8 components, dim per word
	scales []float32 // component scale per word
	info   []WordInfo
	common []float32 // unit: the direction all vectors share, removed from averages
	base   map[string]string
	// relWords[relStart[i]:relStart[i+1]] are the words WordNet relates
	// to word i: synonyms, hypernyms, derivations (by index).
	relStart []uint32
	relWords []int32

	stemsOnce sync.Once
	stemOf    []string // the stem of each word, for finding corpus words
}

// Dim is the vectors' dimension.
func (wv *WordVectors) Dim() int { return wv.dim }

// Len is the number of words.
func (wv *WordVectors) Len() int { return len(wv.words) }

// Rank is the word's position in frequency order (0 is the most
// frequent), or -1 when the vectors lack it.
func (wv *WordVectors) Rank(w string) int {
	if i, ok := wv.index[w]; ok {
		return int(i)
	}
	return -1
}

// Info returns what WordNet says of w.
func (wv *WordVectors) Info(w string) WordInfo {
	if i, ok := wv.index[w]; ok && int(i) < len(wv.info) {
		return wv.info[i]
	}
	if wv != englishOnce() && englishOnce() != nil {
		return englishOnce().Info(w)
	}
	return WordInfo{}
}

// Base returns the base form of an irregular form ("sought" → "seek"),
// or "".
func (wv *WordVectors) Base(w string) string {
	if b, ok := wv.base[w]; ok {
		return b
	}
	if wv != englishOnce() && englishOnce() != nil {
		return englishOnce().base[w]
	}
	return ""
}

// Related returns the words WordNet relates to w — synonyms, hypernyms,
// derivations — that the vectors hold.
func (wv *WordVectors) Related(w string) []string {
	i, ok := wv.index[w]
	if !ok || len(wv.relStart) == 0 {
		if wv != englishOnce() && englishOnce() != nil {
			return englishOnce().Related(w)
		}
		return nil
	}
	rel := wv.relatedRow(int(i))
	out := make([]string, len(rel))
	for k, j := range rel {
		out[k] = wv.words[j]
	}
	return out
}

func (wv *WordVectors) relatedRow(i int) []int32 {
	if i+1 >= len(wv.relStart) {
		return nil
	}
	return wv.relWords[wv.relStart[i]:wv.relStart[i+1]]
}

// addTo adds weight × the word's unit vector to acc and reports whether
// the word has one.
func (wv *WordVectors) addTo(acc []float32, w string, weight float32) bool {
	i, ok := wv.index[w]
	if !ok {
		return false
	}
	row := wv.vecs[int(i)*wv.dim : int(i+1)*wv.dim]
	s := weight * wv.scales[i]
	for d, c := range row {
		acc[d] += s * float32(int8(c))
	}
	return true
}

// Similarity is the cosine of two words' vectors; 0 when either lacks one.
func (wv *WordVectors) Similarity(a, b string) float64 {
	i, ok1 := wv.index[a]
	j, ok2 := wv.index[b]
	if !ok1 || !ok2 {
		return 0
	}
	return wv.simRows(i, j)
}

func (wv *WordVectors) simRows(i, j int32) float64 {
	ra := wv.vecs[int(i)*wv.dim : int(i+1)*wv.dim]
	rb := wv.vecs[int(j)*wv.dim : int(j+1)*wv.dim]
	var dot int32
	for d := range ra {
		dot += int32(int8(ra[d])) * int32(int8(rb[d]))
	}
	return float64(dot) * float64(wv.scales[i]) * float64(wv.scales[j])
}

// sifWeight is the smooth inverse frequency weight a/(a+p) of the word at
// rank r, with p estimated from Zipf's law over n words. Unseen words
// weigh as the rarest.
func sifWeight(rank, n int) float32 {
	const a = 1e-3
	if rank < 0 {
		rank = n
	}
	h := math.Log(float64(n)) + 0.5772 // harmonic number: Zipf's normaliser
	p := 1 / (float64(rank+1) * h)
	return float32(a / (a + p))
}

// vectorFileMagic opens the binary vector format that [WordVectors.WriteTo]
// writes and [ReadWordVectors] reads.
const vectorFileMagic = "RAGWV1\n\x00"

// WriteTo writes the vectors in the binary format: a header, the common
// direction, the words, their WordNet information and scales, the int8
// components, the irregular forms, and a CRC-32 of all of it.
func (wv *WordVectors) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	b.WriteString(vectorFileMagic)
	put32 := func(v uint32) { _ = binary.Write(&b, binary.LittleEndian, v) }
	put32(uint32(len(wv.words)))
	put32(uint32(wv.dim))
	put32(uint32(len(wv.base)))
	_ = binary.Write(&b, binary.LittleEndian, wv.common)
	for _, word := range wv.words {
		b.WriteByte(byte(len(word)))
		b.WriteString(word)
	}
	for i := range wv.words {
		var in WordInfo
		if i < len(wv.info) {
			in = wv.info[i]
		}
		b.WriteByte(in.POS)
		b.WriteByte(in.Class)
	}
	_ = binary.Write(&b, binary.LittleEndian, wv.scales)
	b.Write(wv.vecs)
	for _, form := range sortedKeys(wv.base) {
		b.WriteByte(byte(len(form)))
		b.WriteString(form)
		b.WriteByte(byte(len(wv.base[form])))
		b.WriteString(wv.base[form])
	}
	for i := range wv.words {
		rel := wv.relatedRow(i)
		b.WriteByte(byte(len(rel)))
		for _, j := range rel {
			put32(uint32(j))
		}
	}
	put32(crc32.ChecksumIEEE(b.Bytes()))
	n, err := w.Write(b.Bytes())
	return int64(n), err
}

// ReadWordVectors reads the binary format of [WordVectors.WriteTo]. The
// components are used in place: data must not change afterwards.
func ReadWordVectors(name string, data []byte) (*WordVectors, error) {
	bad := func(what string) error { return fmt.Errorf("word vectors %s: %s", name, what) }
	if len(data) < len(vectorFileMagic)+16 || string(data[:len(vectorFileMagic)]) != vectorFileMagic {
		return nil, bad("not a vector file of this program (convert text vectors with `rag vectors`)")
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, bad("checksum mismatch: the file is damaged")
	}
	r := &reader{b: body, off: len(vectorFileMagic)}
	n, dim, nbase := int(r.u32()), int(r.u32()), int(r.u32())
	if dim == 0 || dim > 4096 || n > 1<<24 {
		return nil, bad("implausible header")
	}
	wv := &WordVectors{Name: name, dim: dim, index: make(map[string]int32, n), base: make(map[string]string, nbase)}
	wv.common = make([]float32, dim)
	for d := range wv.common {
		wv.common[d] = math.Float32frombits(r.u32())
	}
	wv.words = make([]string, n)
	for i := range wv.words {
		// The words stay in data rather than being copied: data is the
		// program's own embedded file, or a file read for good.
		b := r.take(int(r.byte()))
		if len(b) > 0 {
			wv.words[i] = unsafe.String(&b[0], len(b))
		}
		wv.index[wv.words[i]] = int32(i)
	}
	wv.info = make([]WordInfo, n)
	for i := range wv.info {
		wv.info[i] = WordInfo{POS: r.byte(), Class: r.byte()}
	}
	wv.scales = make([]float32, n)
	for i := range wv.scales {
		wv.scales[i] = math.Float32frombits(r.u32())
	}
	wv.vecs = r.take(n * dim)
	for range nbase {
		form := r.str()
		wv.base[form] = r.str()
	}
	wv.relStart = make([]uint32, n+1)
	for i := range n {
		k := int(r.byte())
		for range k {
			j := int32(r.u32())
			if int(j) >= n {
				r.err = true
			}
			wv.relWords = append(wv.relWords, j)
		}
		wv.relStart[i+1] = uint32(len(wv.relWords))
	}
	if r.err || r.off != len(body) {
		return nil, bad("truncated or malformed")
	}
	return wv, nil
}

// reader reads the binary format, remembering the first overrun.
type reader struct {
	b   []byte
	off int
	err bool
}

func (r *reader) take(n int) []byte {
	if r.err || n < 0 || r.off+n > len(r.b) {
		r.err = true
		return nil
	}
	out := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return out
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) byte() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) str() string { return string(r.take(int(r.byte()))) }

// VectorSource is a word and its vector in the order a source lists them.
type VectorSource func(yield func(word string, vec []float32) bool) error

// BuildWordVectors quantises up to limit words of src (0: all) whose
// lower-cased form is a single token of the analyser — letters and digits
// only — keeping the first vector of each. info and base, when set, give
// WordNet's part of speech and class by word and its irregular forms.
func BuildWordVectors(name string, src VectorSource, limit int, info map[string]WordInfo, base map[string]string, related map[string][]string) (*WordVectors, error) {
	wv := &WordVectors{Name: name, index: map[string]int32{}, base: map[string]string{}}
	var floats [][]float32
	err := src(func(word string, vec []float32) bool {
		w := strings.ToLower(word)
		if !isPlainToken(w) || len(w) > 255 {
			return true
		}
		if _, dup := wv.index[w]; dup {
			return true
		}
		if wv.dim == 0 {
			wv.dim = len(vec)
		}
		if len(vec) != wv.dim {
			return true // a malformed line: skipped rather than fatal
		}
		wv.index[w] = int32(len(wv.words))
		wv.words = append(wv.words, w)
		floats = append(floats, vec)
		return limit <= 0 || len(wv.words) < limit
	})
	if err != nil {
		return nil, fmt.Errorf("word vectors %s: %w", name, err)
	}
	if len(wv.words) == 0 {
		return nil, fmt.Errorf("word vectors %s: no usable words", name)
	}
	wv.common = commonDirection(floats)
	wv.vecs = make([]byte, len(floats)*wv.dim)
	wv.scales = make([]float32, len(floats))
	wv.info = make([]WordInfo, len(floats))
	for i, v := range floats {
		wv.scales[i] = quantize(v, wv.vecs[i*wv.dim:(i+1)*wv.dim])
		wv.info[i] = info[wv.words[i]]
	}
	for form, b := range base {
		if len(form) < 256 && len(b) < 256 {
			wv.base[form] = b
		}
	}
	if len(related) > 0 {
		wv.relStart = make([]uint32, len(wv.words)+1)
		for i, w := range wv.words {
			k := 0
			for _, r := range related[w] {
				if j, ok := wv.index[r]; ok && k < 255 {
					wv.relWords = append(wv.relWords, j)
					k++
				}
			}
			wv.relStart[i+1] = uint32(len(wv.relWords))
		}
	}
	return wv, nil
}

func isPlainToken(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// quantize writes v's unit vector as int8 components into out and returns
// their scale.
func quantize(v []float32, out []byte) float32 {
	var norm, peak float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	norm = math.Sqrt(norm)
	if norm == 0 {
		return 0
	}
	for _, x := range v {
		peak = math.Max(peak, math.Abs(float64(x)/norm))
	}
	scale := peak / 127
	for d, x := range v {
		out[d] = byte(int8(math.Round(float64(x) / norm / scale)))
	}
	return float32(scale)
}

// commonDirection is the first principal direction (uncentred) of the
// unit vectors of the most frequent words: the component every word
// shares, which says nothing about a text's topic.
func commonDirection(vecs [][]float32) []float32 {
	n := min(len(vecs), 50000)
	dim := len(vecs[0])
	units := make([][]float64, n)
	dir := make([]float64, dim)
	for i := range units {
		u := make([]float64, dim)
		var s float64
		for d, x := range vecs[i] {
			u[d] = float64(x)
			s += u[d] * u[d]
		}
		if s > 0 {
			s = 1 / math.Sqrt(s)
		}
		for d := range u {
			u[d] *= s
			dir[d] += u[d]
		}
		units[i] = u
	}
	for range 30 { // power iteration on UᵀU, started from the mean
		normalizeF64(dir)
		next := make([]float64, dim)
		for _, u := range units {
			var dot float64
			for d := range u {
				dot += u[d] * dir[d]
			}
			for d := range u {
				next[d] += dot * u[d]
			}
		}
		dir = next
	}
	normalizeF64(dir)
	out := make([]float32, dim)
	for d := range dir {
		out[d] = float32(dir[d])
	}
	return out
}

func normalizeF64(v []float64) {
	var s float64
	for _, x := range v {
		s += x * x
	}
	if s == 0 {
		return
	}
	s = 1 / math.Sqrt(s)
	for i := range v {
		v[i] *= s
	}
}

// TextVectors reads vectors in the text format of GloVe, word2vec and
// fastText: one word and its components a line, separated by spaces, with
// an optional "count dimension" header line.
func TextVectors(r io.Reader) VectorSource {
	return func(yield func(string, []float32) bool) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		line := 0
		for sc.Scan() {
			line++
			f := strings.Fields(sc.Text())
			if len(f) == 2 && line == 1 {
				continue // word2vec / fastText header
			}
			if len(f) < 3 {
				continue
			}
			vec := make([]float32, len(f)-1)
			for i, s := range f[1:] {
				x, err := strconv.ParseFloat(s, 32)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return fmt.Errorf("line %d: %q is not a number", line, s)
				}
				vec[i] = float32(x)
			}
			if !yield(f[0], vec) {
				return nil
			}
		}
		return sc.Err()
	}
}

// LoadWordVectorsFile reads vectors from path: the binary format when the
// file starts with its magic, else the text format (up to limit words).
func LoadWordVectorsFile(path string, limit int) (*WordVectors, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("word vectors: %w", err)
	}
	if bytes.HasPrefix(data, []byte(vectorFileMagic)) {
		return ReadWordVectors(path, data)
	}
	return BuildWordVectors(path, TextVectors(bytes.NewReader(data)), limit, nil, nil, nil)
}

//go:embed data/glove-100d.bin
var embeddedVectors []byte

// EmbeddedVectorsName names the vectors built into the program.
const EmbeddedVectorsName = "glove-6b-100d-q8"

var (
	englishMu  sync.Mutex
	englishVec *WordVectors
)

// englishOnce returns the embedded vectors, read on first use; nil when
// they cannot be read (a build without them fails its tests).
func englishOnce() *WordVectors {
	englishMu.Lock()
	defer englishMu.Unlock()
	if englishVec == nil && len(embeddedVectors) > 0 {
		wv, err := ReadWordVectors(EmbeddedVectorsName, embeddedVectors)
		if err != nil {
			panic(errors.New("embedded " + err.Error())) // a broken build, not user input
		}
		englishVec = wv
	}
	return englishVec
}

// EmbeddedWordVectors returns the word vectors built into the program:
// GloVe 6B, 100 dimensions, quantised, with WordNet's parts of speech.
func EmbeddedWordVectors() *WordVectors { return englishOnce() }

// detachments are WordNet's suffix rules for reducing an inflected form
// to a lemma, tried in order, each with the parts of speech it forms.
var detachments = []struct {
	suffix, ending string
	pos            uint8
}{
	{"ies", "y", PosNoun | PosVerb}, {"ches", "ch", PosNoun}, {"shes", "sh", PosNoun}, {"ses", "s", PosNoun},
	{"xes", "x", PosNoun}, {"zes", "z", PosNoun}, {"men", "man", PosNoun},
	{"ing", "", PosVerb}, {"ing", "e", PosVerb}, {"ed", "", PosVerb}, {"ed", "e", PosVerb},
	{"es", "e", PosVerb}, {"es", "", PosVerb}, {"s", "", PosNoun | PosVerb},
	{"est", "", PosAdj}, {"est", "e", PosAdj}, {"er", "", PosAdj}, {"er", "e", PosAdj},
}

// lemma returns the base form of w that the vectors hold — from the
// irregular forms, else by WordNet's suffix rules, also undoing a doubled
// final consonant ("planned", "biggest") — or "" when none is found. A
// base WordNet knows in the part of speech the rule forms comes first:
// "died" is "die", not the "di" a rule tried earlier leaves.
func lemma(wv *WordVectors, w string) string {
	if b := wv.Base(w); b != "" && wv.Rank(b) >= 0 {
		return b
	}
	first := ""
	for _, d := range detachments {
		stem, ok := strings.CutSuffix(w, d.suffix)
		if !ok || len(stem) < 2 {
			continue
		}
		for _, c := range [2]string{stem + d.ending, undoubled(stem, d.ending, d.pos)} {
			if c == "" || wv.Rank(c) < 0 {
				continue
			}
			if wv.Info(c).POS&d.pos != 0 {
				return c
			}
			// A word WordNet knows has no base in another part of speech
			// than the rule forms: "beer" is no comparative of "be".
			if first == "" && wv.Info(w).POS == 0 {
				first = c
			}
		}
	}
	return first
}

// undoubled is a stem less the final consonant an inflection doubled
// ("plann" of "planned"), or "" where no rule doubles one: plurals do not.
func undoubled(stem, ending string, pos uint8) string {
	n := len(stem)
	if ending != "" || pos&PosNoun != 0 || n <= 2 || stem[n-1] != stem[n-2] {
		return ""
	}
	return stem[:n-1]
}

// lemmaInfo is what WordNet says of w or, when it says nothing, of its lemma.
func lemmaInfo(wv *WordVectors, w string) WordInfo {
	if in := wv.Info(w); in.POS != 0 {
		return in
	}
	if b := lemma(wv, w); b != "" {
		return wv.Info(b)
	}
	return WordInfo{}
}
