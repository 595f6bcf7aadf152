package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/ragteam/rag/rag"
)

// vectors converts pretrained word vectors into the program's binary
// format, adding WordNet's parts of speech, noun classes and irregular
// forms when a WordNet database directory is given.
func (m *Main) vectors(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("rag vectors", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	from := fs.String("from", "", "source vectors: wink-embeddings JSON, or a GloVe/word2vec/fastText text file")
	wordnet := fs.String("wordnet", "", "WordNet database directory (index.noun, data.noun, verb.exc, …), e.g. /usr/share/wordnet")
	limit := fs.Int("limit", 150000, "keep this many words, most frequent first (0: all)")
	out := fs.String("out", "", "output file")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return &exitError{code: 2}
	}
	if *from == "" || *out == "" {
		return &exitError{code: 2, err: fmt.Errorf("give --from and --out")}
	}
	var info map[string]rag.WordInfo
	var base map[string]string
	var related map[string][]string
	if *wordnet != "" {
		var err error
		if info, base, err = readWordNet(*wordnet); err != nil {
			return err
		}
		if related, err = readRelations(*wordnet); err != nil {
			return err
		}
	}
	f, err := os.Open(*from)
	if err != nil {
		return err
	}
	defer f.Close()
	src := rag.TextVectors(f)
	if strings.HasSuffix(*from, ".json") {
		src = winkVectors(f)
	}
	wv, err := rag.BuildWordVectors(filepath.Base(*from), src, *limit, info, base, related)
	if err != nil {
		return err
	}
	tmp := *out + ".tmp"
	w, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	n, err := wv.WriteTo(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, *out); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: %d words, %d dimensions, %d irregular forms, %.1f MB\n",
		*out, wv.Len(), wv.Dim(), len(base), float64(n)/1e6)
	return nil
}

// winkVectors reads the JSON of the wink-embeddings packages: "words" in
// frequency order and "vectors" mapping each word to its components
// followed by two bookkeeping values (its norm and its index).
func winkVectors(r io.Reader) rag.VectorSource {
	return func(yield func(string, []float32) bool) error {
		var doc struct {
			Dimensions int                  `json:"dimensions"`
			Words      []string             `json:"words"`
			Vectors    map[string][]float32 `json:"vectors"`
		}
		if err := json.NewDecoder(r).Decode(&doc); err != nil {
			return fmt.Errorf("wink JSON: %w", err)
		}
		if doc.Dimensions <= 0 {
			return fmt.Errorf("wink JSON: no dimensions")
		}
		for _, w := range doc.Words {
			v := doc.Vectors[w]
			if len(v) < doc.Dimensions {
				continue
			}
			if !yield(w, v[:doc.Dimensions]) {
				return nil
			}
		}
		return nil
	}
}

// readWordNet reads WordNet's index files for each lemma's parts of speech
// and sense counts, data.noun for the class of a noun's first sense, and
// the exception lists for irregular forms.
func readWordNet(dir string) (map[string]rag.WordInfo, map[string]string, error) {
	info := map[string]rag.WordInfo{}
	senses := map[string][4]int{} // noun, verb, adjective, adverb senses
	var nounFirst = map[string]int64{}
	for _, p := range []struct {
		file  string
		bit   uint8
		index int
	}{{"noun", rag.PosNoun, 0}, {"verb", rag.PosVerb, 1}, {"adj", rag.PosAdj, 2}, {"adv", rag.PosAdv, 3}} {
		err := eachLine(filepath.Join(dir, "index."+p.file), func(f []string) {
			if len(f) < 4 || strings.Contains(f[0], "_") {
				return
			}
			in := info[f[0]]
			in.POS |= p.bit
			info[f[0]] = in
			n, _ := strconv.Atoi(f[2])
			s := senses[f[0]]
			s[p.index] = n
			if p.bit == rag.PosNoun && n > 0 {
				if off, err := strconv.ParseInt(f[len(f)-n], 10, 64); err == nil {
					nounFirst[f[0]] = off
				}
			}
			senses[f[0]] = s
		})
		if err != nil {
			return nil, nil, err
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "data.noun"))
	if err != nil {
		return nil, nil, fmt.Errorf("wordnet: %w", err)
	}
	proper := properNouns(data)
	for w, off := range nounFirst {
		in := info[w]
		if proper[w] && in.POS == rag.PosNoun {
			in.POS |= rag.PosProper
		}
		if s := senses[w]; s[0] >= max(s[1], s[2], s[3]) {
			in.POS |= rag.PosMainNoun
		}
		if off < int64(len(data)) {
			f := strings.Fields(string(data[off:min(int64(len(data)), off+40)]))
			if len(f) > 1 {
				if lex, err := strconv.Atoi(f[1]); err == nil {
					in.Class = uint8(lex + 1)
				}
			}
		}
		info[w] = in
	}
	base := map[string]string{}
	for _, pos := range []string{"verb", "noun", "adj"} {
		err := eachLine(filepath.Join(dir, pos+".exc"), func(f []string) {
			if len(f) >= 2 && !strings.Contains(f[0], "_") {
				if _, taken := base[f[0]]; !taken {
					base[f[0]] = f[1]
				}
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return info, base, nil
}

// properNouns reads data.noun for the lemmas WordNet writes capitalised in
// every synset that holds them ("Nepal", "Tuesday"): the names of one
// thing, whatever case a question types them in.
func properNouns(data []byte) map[string]bool {
	capital := map[string]bool{}
	common := map[string]bool{}
	for _, line := range bytes.Split(data, []byte("\n")) {
		f := strings.Fields(string(line))
		if len(f) < 4 || len(line) > 0 && line[0] == ' ' {
			continue
		}
		n, err := strconv.ParseInt(f[3], 16, 32)
		if err != nil {
			continue
		}
		named := f[1] == "14" || instance(f, int(n)) // a group ("NATO") or one thing ("UK", "JFK")
		for i := 0; i < int(n) && 4+2*i < len(f); i++ {
			w := f[4+2*i]
			if w == "" || strings.ContainsAny(w, "_-") {
				continue
			}
			l := strings.ToLower(w)
			switch {
			case acronym(w) && !named:
				common[l] = true // "CEO", "DNA": initials of a common noun
			case unicode.IsUpper(rune(w[0])):
				capital[l] = true
			default:
				common[l] = true
			}
		}
	}
	for w := range common {
		delete(capital, w)
	}
	return capital
}

// instance reports a data.noun line (fields f, n words) whose synset is an
// instance of another, one thing rather than a kind: its pointers, after
// the words, include "@i".
func instance(f []string, n int) bool {
	p := 4 + 2*n
	if p >= len(f) {
		return false
	}
	count, err := strconv.Atoi(f[p])
	if err != nil {
		return false
	}
	for k := 0; k < count && p+1+4*k < len(f); k++ {
		if f[p+1+4*k] == "@i" {
			return true
		}
	}
	return false
}

// acronym reports a word written in capitals only ("CEO", "NATO").
func acronym(w string) bool {
	return len(w) >= 2 && strings.ToUpper(w) == w && strings.ToLower(w) != w
}

func eachLine(path string, fn func([]string)) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("wordnet: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "  ") {
			continue // the licence header
		}
		fn(strings.Fields(line))
	}
	return sc.Err()
}

// readRelations reads, for each single-word lemma, the words WordNet
// relates to it in the first sense of its main part of speech (the one
// with most senses, nouns first): its synonyms, then the words of its
// hypernyms (a "dad" is a "father"), then, for words other than nouns,
// its derivational relatives ("atomic" and "atom"). Rarer senses and
// other parts of speech relate a word to what it seldom means ("mother",
// the verb, is "father"), and an instance is not its class ("Australia"
// is no "country" to search for). An adjective whose first sense pertains
// to a noun is linked with that noun both ways, whichever part of speech
// is main ("Chinese" and "China").
func readRelations(dir string) (map[string][]string, error) {
	// pertainym points from an adjective's word to a noun synset's word
	// (both 1-based, in all).
	type pertainym struct {
		noun     int64 // the noun synset's offset
		from, to int64
	}
	type synset struct {
		words    []string
		ptrs     []string    // "@" hypernyms and "+" derivations, as "symbol pos offset"
		all      []string    // every word, multi-word ones included, in order
		pertains []pertainym // an adjective's "\\" pointers to nouns
	}
	pertainyms := map[string][]string{}
	byPos := map[string]map[string][]string{}
	senses := map[string]map[string]int{}
	for _, pos := range []string{"noun", "verb", "adj", "adv"} {
		out := map[string][]string{}
		byPos[pos] = out
		data, err := os.ReadFile(filepath.Join(dir, "data."+pos))
		if err != nil {
			return nil, fmt.Errorf("wordnet: %w", err)
		}
		parse := func(data []byte, off int64) (synset, bool) {
			if off < 0 || off >= int64(len(data)) {
				return synset{}, false
			}
			end := off
			for end < int64(len(data)) && data[end] != '\n' {
				end++
			}
			f := strings.Fields(string(data[off:end]))
			if len(f) < 4 {
				return synset{}, false
			}
			n, err := strconv.ParseInt(f[3], 16, 32)
			if err != nil || 4+2*int(n) >= len(f) {
				return synset{}, false
			}
			var ss synset
			for i := 0; i < int(n); i++ {
				w := strings.ToLower(f[4+2*i])
				if i := strings.IndexByte(w, '('); i > 0 {
					w = w[:i] // adjective markers such as "(a)"
				}
				ss.all = append(ss.all, w)
				if !strings.ContainsAny(w, "_-") {
					ss.words = append(ss.words, w)
				}
			}
			k := 4 + 2*int(n)
			pc, _ := strconv.Atoi(f[k])
			for i := 0; i < pc && k+4+4*i <= len(f); i++ {
				sym, target, tpos := f[k+1+4*i], f[k+2+4*i], f[k+3+4*i]
				if sym == "@" || sym == "+" && pos != "noun" || sym == "&" {
					ss.ptrs = append(ss.ptrs, sym+" "+tpos+" "+target)
				}
				if sym == "\\" && pos == "adj" && tpos == "n" && len(f[k+4+4*i]) == 4 {
					st := f[k+4+4*i]
					var p pertainym
					p.noun, _ = strconv.ParseInt(target, 10, 64)
					p.from, _ = strconv.ParseInt(st[:2], 16, 32)
					p.to, _ = strconv.ParseInt(st[2:], 16, 32)
					ss.pertains = append(ss.pertains, p)
				}
			}
			return ss, true
		}
		other := map[string][]byte{pos: data}
		load := func(p string) []byte {
			names := map[string]string{"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
			name := names[p]
			if d, ok := other[name]; ok {
				return d
			}
			d, _ := os.ReadFile(filepath.Join(dir, "data."+name))
			other[name] = d
			return d
		}
		err = eachLine(filepath.Join(dir, "index."+pos), func(f []string) {
			if len(f) < 4 || strings.Contains(f[0], "_") {
				return
			}
			n, _ := strconv.Atoi(f[2])
			if senses[f[0]] == nil {
				senses[f[0]] = map[string]int{}
			}
			senses[f[0]][pos] = n
			offs := f[len(f)-n:]
			var syn, hyper, deriv []string
			for _, o := range offs[:min(1, len(offs))] {
				off, _ := strconv.ParseInt(o, 10, 64)
				ss, ok := parse(data, off)
				if !ok {
					continue
				}
				syn = append(syn, ss.words...)
				for _, p := range ss.pertains {
					if p.from < 1 || int(p.from) > len(ss.all) || ss.all[p.from-1] != f[0] {
						continue // the pointer is from another word of the synset
					}
					t, ok := parse(load("n"), p.noun)
					if !ok || p.to < 1 || int(p.to) > len(t.all) || strings.ContainsAny(t.all[p.to-1], "_-") || t.all[p.to-1] == f[0] {
						continue
					}
					noun := t.all[p.to-1]
					pertainyms[f[0]] = append(pertainyms[f[0]], noun)
					pertainyms[noun] = append(pertainyms[noun], f[0])
				}
				for _, p := range ss.ptrs {
					sym, rest, _ := strings.Cut(p, " ")
					tp, toff, _ := strings.Cut(rest, " ")
					d := load(tp)
					if d == nil {
						continue
					}
					off, _ := strconv.ParseInt(toff, 10, 64)
					t, ok := parse(d, off)
					if !ok {
						continue
					}
					if sym == "+" {
						deriv = append(deriv, t.words...)
					} else {
						hyper = append(hyper, t.words...)
					}
				}
			}
			seen := map[string]bool{f[0]: true}
			for _, list := range [][]string{out[f[0]], syn, hyper, deriv} {
				for _, w := range list {
					if !seen[w] {
						seen[w] = true
						out[f[0]] = append(out[f[0]], w)
					}
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	out := map[string][]string{}
	for w, ns := range senses {
		main, most := "", 0
		for _, pos := range []string{"noun", "verb", "adj", "adv"} {
			if ns[pos] > most {
				main, most = pos, ns[pos]
			}
		}
		rel := byPos[main][w]
		for _, p := range pertainyms[w] {
			if !slices.Contains(rel, p) {
				rel = append(rel, p)
			}
		}
		if len(rel) > 0 {
			out[w] = rel
		}
	}
	return out, nil
}
