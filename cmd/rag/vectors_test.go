package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ragteam/rag/rag"
)

// miniWordNet writes a WordNet database of a few words in the real file
// formats: index lines pointing at byte offsets of data lines.
func miniWordNet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	licence := "  1 This software and database is being provided to you, the LICENSEE ...  \n"
	// data.noun: "dad" is a "father", who is a person (class 18).
	var data strings.Builder
	data.WriteString(licence)
	father := data.Len()
	fmt.Fprintf(&data, "%08d 18 n 01 father 0 000 | a male parent  \n", father)
	dad := data.Len()
	fmt.Fprintf(&data, "%08d 18 n 02 dad 0 pa 0 001 @ %08d n 0000 | informal for father  \n", dad, father)
	nepal := data.Len()
	fmt.Fprintf(&data, "%08d 15 n 01 Nepal 0 000 | a kingdom  \n", nepal)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("data.noun", data.String())
	write("index.noun", licence+fmt.Sprintf("dad n 1 1 @ 1 1 %08d  \nfather n 1 0 1 1 %08d  \npa n 1 1 @ 1 0 %08d  \nnepal n 1 0 1 0 %08d  \n", dad, father, dad, nepal))
	write("index.verb", licence+"sail v 1 0 1 0 00000000  \n")
	// data.adj: in one synset, "paternal" pertains to "father" and
	// "fatherly" to "dad"; data.adv: "paternally" comes from "paternal".
	var adj, adv strings.Builder
	adj.WriteString(licence)
	adv.WriteString(licence)
	paternal := adj.Len()
	fmt.Fprintf(&adj, "%08d 01 a 02 paternal 0 fatherly 0 002 \\ %08d n 0101 \\ %08d n 0201 | of a father  \n", paternal, father, dad)
	paternally := adv.Len()
	fmt.Fprintf(&adv, "%08d 02 r 01 paternally 0 001 \\ %08d a 0101 | as a father  \n", paternally, paternal)
	write("index.adj", licence+fmt.Sprintf("fatherly a 1 1 \\ 1 0 %08d  \npaternal a 1 1 \\ 1 0 %08d  \n", paternal, paternal))
	write("index.adv", licence+fmt.Sprintf("paternally r 1 1 \\ 1 0 %08d  \n", paternally))
	write("data.verb", licence)
	write("data.adj", adj.String())
	write("data.adv", adv.String())
	write("verb.exc", "sailed sail\nsought seek\n")
	write("noun.exc", "children child\n")
	write("adj.exc", "")
	return dir
}

func TestVectorsConvertsWinkJSONWithWordNet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(dir, "vectors.json")
	json := `{"precision":8,"l2NormIndex":3,"wordIndex":4,"size":8,"dimensions":3,
"words":["the",",","dad","father","sail","paternal","fatherly","paternally","nepal"],
"vectors":{"the":[0.1,0.2,0.3,0.37,0],",":[1,1,1,1.7,1],"dad":[0.9,0.1,0.2,0.9,2],"father":[1,0.1,0.25,1,3],"sail":[-0.5,0.8,0.1,0.9,4],"paternal":[0.8,0.2,0.3,0.9,5],"fatherly":[0.8,0.3,0.3,0.9,6],"paternally":[0.7,0.2,0.3,0.9,7],"nepal":[0.1,0.9,0.3,0.95,8]},
"unkVector":[0,0,0]}`
	if err := os.WriteFile(src, []byte(json), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.bin")
	code, stdout, stderr := run(t, nil, "vectors", "--from", src, "--wordnet", miniWordNet(t), "--limit", "0", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "8 words, 3 dimensions") {
		t.Errorf("stdout %q", stdout) // "," is no word
	}
	wv, err := rag.LoadWordVectorsFile(out, 0)
	if err != nil {
		t.Fatal(err)
	}
	if wv.Rank(",") != -1 || wv.Rank("dad") != 1 {
		t.Errorf("ranks: comma %d, dad %d", wv.Rank(","), wv.Rank("dad"))
	}
	if in := wv.Info("dad"); in.Class != rag.ClassPerson || in.POS&rag.PosMainNoun == 0 {
		t.Errorf("dad: %+v", in)
	}
	// WordNet writes "Nepal" capitalised, "dad" not: only one is a name.
	if wv.Info("nepal").POS&rag.PosProper == 0 || wv.Info("dad").POS&rag.PosProper != 0 {
		t.Errorf("proper nouns: nepal %+v, dad %+v", wv.Info("nepal"), wv.Info("dad"))
	}
	if !slices.Contains(wv.Related("dad"), "father") {
		t.Errorf("dad related %q", wv.Related("dad"))
	}
	// A pertainym links the adjective it is from and the noun it is to,
	// both ways; an adverb's pointer to its adjective links nothing.
	if !slices.Contains(wv.Related("paternal"), "father") || !slices.Contains(wv.Related("father"), "paternal") ||
		slices.Contains(wv.Related("paternal"), "dad") || !slices.Contains(wv.Related("fatherly"), "dad") {
		t.Errorf("pertainyms: paternal %q, father %q, fatherly %q", wv.Related("paternal"), wv.Related("father"), wv.Related("fatherly"))
	}
	if slices.Contains(wv.Related("paternally"), "paternal") || slices.Contains(wv.Related("paternal"), "paternally") {
		t.Errorf("adverb linked: paternally %q, paternal %q", wv.Related("paternally"), wv.Related("paternal"))
	}
	if wv.Base("sought") != "seek" || wv.Base("children") != "child" {
		t.Errorf("irregular forms: %q %q", wv.Base("sought"), wv.Base("children"))
	}
	if s := wv.Similarity("dad", "father"); s < 0.95 {
		t.Errorf("dad~father %.3f", s)
	}
}

func TestWordVectorsSetting(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	missing := filepath.Join(t.TempDir(), "none.txt")
	code, _, stderr := run(t, map[string]string{"RAG_WORD_VECTORS": missing}, "search", "--data", data, "--corpus", seedsDir(t), "drills")
	if code == 0 || !strings.Contains(stderr, "RAG_WORD_VECTORS") {
		t.Errorf("missing file: exit %d, %q", code, stderr)
	}
	// A text file of other vectors replaces the built-in ones.
	txt := filepath.Join(t.TempDir(), "glove.txt")
	if err := os.WriteFile(txt, []byte("drills 0.1 0.2 0.3\nexercises 0.1 0.25 0.3\nnaval 0.9 0.1 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, map[string]string{"RAG_WORD_VECTORS": txt}, "ingest", "--data", data, seedsDir(t))
	if code != 0 || !strings.Contains(stdout, "glove.txt") {
		t.Errorf("ingest with other vectors: exit %d: %s %s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, map[string]string{"RAG_WORD_VECTORS": txt}, "search", "--data", data, "naval exercises")
	if code != 0 || !strings.Contains(stdout, "000_ac3e3c5aafe1f63b.txt") {
		t.Errorf("search: exit %d: %s %s", code, stdout, stderr)
	}
}

func TestProperNounsLeaveOutInitialsOfCommonNouns(t *testing.T) {
	t.Parallel()
	data := "  1 licence  \n" +
		"00000001 15 n 01 Nepal 0 000 | a kingdom  \n" +
		"00000002 18 n 02 CEO 0 chief_executive 0 000 | the head of a company  \n" +
		"00000003 14 n 01 NATO 0 000 | an alliance  \n" +
		"00000004 18 n 01 dad 0 000 | a father  \n" +
		"00000005 18 n 01 JFK 0 001 @i 00000002 n 0000 | a president  \n"
	got := properNouns([]byte(data))
	for w, want := range map[string]bool{"nepal": true, "nato": true, "jfk": true, "ceo": false, "dad": false} {
		if got[w] != want {
			t.Errorf("%s: proper %v, want %v", w, got[w], want)
		}
	}
}
