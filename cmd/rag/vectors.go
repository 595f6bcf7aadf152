package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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
	if *wordnet != "" {
		var err error
		if info, base, err = readWordNet(*wordnet); err != nil {
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
	wv, err := rag.BuildWordVectors(filepath.Base(*from), src, *limit, info, base)
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
	senses := map[string][2]int{} // noun, verb senses
	var nounFirst = map[string]int64{}
	for _, p := range []struct {
		file string
		bit  uint8
	}{{"noun", rag.PosNoun}, {"verb", rag.PosVerb}, {"adj", rag.PosAdj}, {"adv", rag.PosAdv}} {
		err := eachLine(filepath.Join(dir, "index."+p.file), func(f []string) {
			if len(f) < 4 || strings.Contains(f[0], "_") {
				return
			}
			in := info[f[0]]
			in.POS |= p.bit
			info[f[0]] = in
			n, _ := strconv.Atoi(f[2])
			s := senses[f[0]]
			switch p.bit {
			case rag.PosNoun:
				s[0] = n
				if off, err := strconv.ParseInt(f[len(f)-n], 10, 64); err == nil && n > 0 {
					nounFirst[f[0]] = off
				}
			case rag.PosVerb:
				s[1] = n
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
	for w, off := range nounFirst {
		in := info[w]
		if s := senses[w]; s[0] >= s[1] {
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
