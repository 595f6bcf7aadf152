package rag

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEmbeddedWordVectors(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	if wv.Dim() != 100 || wv.Len() < 100000 {
		t.Fatalf("dim %d, %d words", wv.Dim(), wv.Len())
	}
	if near, far := wv.Similarity("atomic", "nuclear"), wv.Similarity("atomic", "banana"); near < 0.6 || far > near-0.3 {
		t.Errorf("similarity atomic~nuclear %.2f, atomic~banana %.2f", near, far)
	}
	if wv.Rank("the") != 0 || wv.Rank("no-such-word-here") != -1 {
		t.Errorf("ranks: the %d, unknown %d", wv.Rank("the"), wv.Rank("no-such-word-here"))
	}
	if in := wv.Info("minister"); in.Class != ClassPerson || in.POS&PosMainNoun == 0 {
		t.Errorf("minister: %+v", in)
	}
	if in := wv.Info("summarize"); in.POS != PosVerb {
		t.Errorf("summarize: %+v", in)
	}
	if wv.Base("sought") != "seek" {
		t.Errorf("sought: %q", wv.Base("sought"))
	}
	if !slices.Contains(wv.Related("dad"), "father") {
		t.Errorf("dad: %q", wv.Related("dad"))
	}
}

func TestTextWordVectorsRoundTrip(t *testing.T) {
	t.Parallel()
	text := "4 3\nthe 0.1 0.2 0.3\nship 1.5 -0.5 0.25\nShip 9 9 9\nboat 1.4 -0.4 0.3\nx-ray 1 1 1\ncargo -0.2 0.9 0.1\n"
	wv, err := BuildWordVectors("tiny", TextVectors(strings.NewReader(text)), 0, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// "Ship" repeats "ship" once lower-cased, and "x-ray" is no single word.
	if wv.Len() != 4 || wv.Dim() != 3 || wv.Rank("boat") != 2 || wv.Rank("x-ray") != -1 {
		t.Fatalf("%d words, dim %d, boat at %d", wv.Len(), wv.Dim(), wv.Rank("boat"))
	}
	want := cosine([]float64{1.5, -0.5, 0.25}, []float64{1.4, -0.4, 0.3})
	if got := wv.Similarity("ship", "boat"); math.Abs(got-want) > 0.01 {
		t.Errorf("quantised similarity %.4f, exact %.4f", got, want)
	}
	var buf bytes.Buffer
	if _, err := wv.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.bin")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := LoadWordVectorsFile(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if back.Len() != wv.Len() || back.Similarity("ship", "boat") != wv.Similarity("ship", "boat") {
		t.Errorf("read back %d words, similarity %v", back.Len(), back.Similarity("ship", "boat"))
	}
	// The text file itself loads too, with a word limit.
	txt := filepath.Join(t.TempDir(), "tiny.txt")
	if err := os.WriteFile(txt, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if small, err := LoadWordVectorsFile(txt, 2); err != nil || small.Len() != 2 {
		t.Errorf("limit 2: %v, %v", small, err)
	}
	// Damage is refused with a clear error.
	bad := append([]byte(nil), buf.Bytes()...)
	bad[len(bad)/2] ^= 0xff
	if _, err := ReadWordVectors("bad", bad); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("damaged file: %v", err)
	}
	if _, err := BuildWordVectors("nan", TextVectors(strings.NewReader("a 1 NaN 2\n")), 0, nil, nil, nil); err == nil {
		t.Error("NaN accepted")
	}
}

func cosine(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return ab / math.Sqrt(aa*bb)
}

// A lemma is the base WordNet knows in the part of speech its rule forms,
// though a rule tried earlier leaves another word the vectors hold ("di"
// of "died"); a plural's rules make no verb of a name ("angeles" is no
// form of "angel") and double no consonant ("haas" is no form of "ha").
func TestLemma(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	for w, want := range map[string]string{
		"died": "die", "having": "have", "named": "name", "cases": "case",
		"planned": "plan", "biggest": "big", "horses": "horse", "cities": "city",
	} {
		if got := lemma(wv, w); got != want {
			t.Errorf("lemma(%q) = %q, want %q", w, got, want)
		}
	}
	// No base: "-er" forms adjectives, and "be", "ste" are none.
	for w, not := range map[string]string{"angeles": "angel", "haas": "ha", "beer": "be", "steer": "ste"} {
		if got := lemma(wv, w); got == not {
			t.Errorf("lemma(%q) = %q", w, got)
		}
	}
	if in := lemmaInfo(wv, "died"); in.POS&PosVerb == 0 {
		t.Errorf("died: %+v", in)
	}
}
