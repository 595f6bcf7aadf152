package rag

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var marker = regexp.MustCompile(`\[(\d+)\]`)

// checkAnswer asserts the answer invariants: every marker refers to a
// listed citation, every citation is used, numbered 1..n, and each quote
// is exactly its document's text at [start,end).
func checkAnswer(t *testing.T, ix *Index, a *Answer) {
	t.Helper()
	used := map[int]bool{}
	for _, m := range marker.FindAllStringSubmatch(a.Answer, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(a.Citations) {
			t.Errorf("marker [%d] has no citation (%d listed)", n, len(a.Citations))
		}
		used[n] = true
	}
	for i, c := range a.Citations {
		if c.N != i+1 {
			t.Errorf("citation %d numbered %d", i, c.N)
		}
		if !used[c.N] {
			t.Errorf("citation [%d] is never used in %q", c.N, a.Answer)
		}
		d, err := ix.Document(c.DocID)
		if err != nil {
			t.Fatalf("citation of unknown doc %s", c.DocID)
		}
		if c.Start < 0 || c.End > len(d.Text) || d.Text[c.Start:c.End] != c.Quote {
			t.Errorf("quote [%d] is not %s[%d:%d]: %q", c.N, c.DocID, c.Start, c.End, c.Quote)
		}
		if c.Title != d.Title || !strings.HasPrefix(c.ChunkID, c.DocID+"#") {
			t.Errorf("citation [%d] title %q chunk %q", c.N, c.Title, c.ChunkID)
		}
	}
	if a.Answered != (len(a.Citations) > 0) {
		t.Errorf("answered=%v with %d citations", a.Answered, len(a.Citations))
	}
}

func TestExtractiveAnswers(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	e := NewEngine(ix)
	tests := []struct {
		question string
		want     string // in the answer; "" for an abstention
	}{
		{"What was the joint naval drill in the Caspian called?", "CASAREX 2025"},
		{"Which fighter jets has Iran sought from Russia?", "Su-35"},
		{"When did Russia and Iran sign their wide-ranging new treaty?", "January 17"},
		{"Who is Iran's ambassador to Russia?", "Kazem Jalali"},
		// Typed the way people type: padding, lower case, a typo, a word
		// the corpus does not use.
		{"hey, can you tell me who irans ambasador to russia is?", "Kazem Jalali"},
		{"what did russia promise about iran's atomic program", "nuclear"},
		{"What will the weather be in Baku tomorrow?", ""},
		{"How do I bake sourdough bread?", ""},
		{"What is the population of Moscow?", ""},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			a, err := e.Ask(context.Background(), Query{Question: tt.question})
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, ix, a)
			if a.Answerer != ExtractiveName || a.Fallback != "" {
				t.Errorf("answerer %q fallback %q", a.Answerer, a.Fallback)
			}
			if tt.want == "" {
				if a.Answered || !strings.HasPrefix(a.Answer, "The corpus does not say") {
					t.Errorf("want an abstention, got %q", a.Answer)
				}
				return
			}
			if !a.Answered || !strings.Contains(a.Answer, tt.want) {
				t.Errorf("answer %q lacks %q", a.Answer, tt.want)
			}
			if a.TimingsMS["total"] < a.TimingsMS["retrieve"] {
				t.Errorf("timings %v", a.TimingsMS)
			}
		})
	}
}

func TestAbstentionNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	a, err := NewEngine(mustSeedIndex(t)).Ask(context.Background(), Query{Question: "What will the weather be in Baku tomorrow?"})
	if err != nil {
		t.Fatal(err)
	}
	// "Baku" is the name the corpus lacks; "weather" and "tomorrow" are no
	// names of anything, and the message names only what is missing.
	if !strings.Contains(a.Answer, "“baku”") || strings.Contains(a.Answer, "“tomorrow”") || a.Answered {
		t.Errorf("abstention %q does not name the missing name alone", a.Answer)
	}
}

// New text to write is declined, however well the corpus knows its topic,
// and talk with the answerer gets no quoted passage; the decline says why.
func TestOffTaskRequestsAreDeclined(t *testing.T) {
	t.Parallel()
	e := NewEngine(mustSeedIndex(t))
	for q, want := range map[string]string{
		"write me a limerick about the drones Iran sent to Russia": "does not write",
		"translate what the ambassador said into german":           "does not translate",
		"how have you been this week?":                             "ask me what they say",
	} {
		a, err := e.Ask(context.Background(), Query{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Answered || len(a.Citations) > 0 || !strings.Contains(a.Answer, want) {
			t.Errorf("%q: answered %v, %d citations, %q; want a decline saying %q", q, a.Answered, len(a.Citations), a.Answer, want)
		}
	}
}

// A follow-up is refused for what its user typed, not for a word the
// rewrite carried from the question before it: that question was refused
// for it already.
// A name in what the user tells of themselves refuses nothing: the
// question after it is asked of the documents all the same. Asked of, the
// name refuses.
func TestToldNamesRefuseNothing(t *testing.T) {
	t.Parallel()
	e := NewEngine(wordIndex(t, "Overseas students who accept a place pay a deposit of £900.", "The college library opens at 9am."))
	if a := mustAsk(t, e, "i'm from Zarvonia and got a place, how much is the deposit"); !a.Answered || !strings.Contains(a.Answer, "£900") {
		t.Errorf("refused for a name the user told of themselves: %q", a.Answer)
	}
	if a := mustAsk(t, e, "how much is the deposit for students from Zarvonia"); a.Answered {
		t.Errorf("a name asked of, which the corpus lacks, answered: %q", a.Answer)
	}
}

func TestCarriedWordsRefuseNoFollowUp(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	e := NewEngine(ix)
	history := []Turn{{"user", "how many drones did Iran send to Venezuela?"}, {"assistant", "The corpus does not say."}}
	a, err := e.Ask(context.Background(), Query{Question: "and to russia?", History: history})
	if err != nil {
		t.Fatal(err)
	}
	if a.Standalone == "" || !strings.Contains(a.Standalone, "venezuela") {
		t.Fatalf("standalone %q: the rewrite carries no earlier word", a.Standalone)
	}
	if !a.Answered || strings.Contains(a.Answer, "venezuela") {
		t.Errorf("follow-up refused for a carried word: %q", a.Answer)
	}
	// The question as rewritten, read again, carries nothing: the mark is
	// the follow-up's, not the cached question's.
	if slices.ContainsFunc(ix.AnalyzeQuestion(a.Standalone).Terms, func(t QueryTerm) bool { return t.Carried }) {
		t.Errorf("the cached analysis of %q was marked", a.Standalone)
	}
	// A follow-up naming nothing of its own asks of what was asked before,
	// and is refused for it as that was.
	a, err = e.Ask(context.Background(), Query{Question: "and how much did they cost?", History: history})
	if err != nil {
		t.Fatal(err)
	}
	if a.Answered {
		t.Errorf("a follow-up on a refused question answered: %q", a.Answer)
	}
	// Small talk is read from what was typed, not from the words carried.
	a, err = e.Ask(context.Background(), Query{Question: "how have you been this week?", History: history})
	if err != nil {
		t.Fatal(err)
	}
	if a.Answered || !strings.Contains(a.Answer, "ask me what they say") {
		t.Errorf("small talk after a question answered: %q", a.Answer)
	}
}

// Carried words stay as judged when they were asked: after an answer they
// refuse nothing; after a refusal, only a follow-up naming a thing of its
// own is judged without them.
func TestTypedAsMarksCarriedWords(t *testing.T) {
	t.Parallel()
	q := &Question{Terms: []QueryTerm{
		{Stem: "kiosk", Own: "kiosk", Key: true},
		{Stem: "harbour", Own: "harbour", Key: true},
		{Stem: "oslo", Own: "oslo", Key: true, Name: true},
	}}
	asked := Turn{"user", "when does the kiosk by the harbour open"}
	for _, tt := range []struct {
		typed, answer string
		carried       []bool
	}{
		{"and in oslo?", "The kiosk opens at 8am. [1]", []bool{true, true, false}},
		{"and in oslo?", "The corpus does not say: no passage speaks of “kiosk”.", []bool{true, true, false}},
		{"and on sundays?", "The kiosk opens at 8am. [1]", []bool{true, true, false}},
		{"and on sundays?", "The corpus does not say: no passage speaks of “kiosk”.", []bool{false, false, false}},
	} {
		got := q.typedAs(tt.typed, []Turn{asked, {"assistant", tt.answer}})
		for i, want := range tt.carried {
			if got.Terms[i].Carried != want {
				t.Errorf("%q after %q: %s carried %v, want %v", tt.typed, tt.answer, got.Terms[i].Stem, got.Terms[i].Carried, want)
			}
		}
		if slices.ContainsFunc(q.Terms, func(t QueryTerm) bool { return t.Carried }) {
			t.Fatal("typedAs changed the question it was given")
		}
	}
}

func TestEngineValidates(t *testing.T) {
	t.Parallel()
	e := NewEngine(mustSeedIndex(t))
	e.MaxQuestion = 20
	for _, tt := range []struct {
		q    Query
		code string
	}{
		{Query{Question: ""}, EINVALID},
		{Query{Question: "  \n\t "}, EINVALID},
		{Query{Question: strings.Repeat("long ", 10)}, ETOOLARGE},
		{Query{Question: "ok question", TopK: -1}, EINVALID},
		{Query{Question: "ok question", TopK: MaxTopK + 1}, EINVALID},
		{Query{Question: "caf\xe9"}, EINVALID},
	} {
		if _, err := e.Ask(context.Background(), tt.q); ErrorCode(err) != tt.code {
			t.Errorf("%q: err %v, want %s", tt.q.Question, err, tt.code)
		}
	}
}

func TestShortAnswerIsASpanOfACitedQuote(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	e := NewEngine(ix)
	for _, q := range []string{
		"Who is Iran's ambassador to Russia?",
		"When did Russia and Iran sign their wide-ranging new treaty?",
		"What was the joint naval drill in the Caspian called?",
		"Which senior Iranian adviser met Vladimir Putin?",
	} {
		a := mustAsk(t, e, q)
		checkAnswer(t, ix, a)
		if a.ShortAnswer == "" {
			t.Errorf("%q: no short answer in %q", q, a.Answer)
			continue
		}
		if !strings.HasPrefix(a.Answer, a.ShortAnswer+" — ") {
			t.Errorf("%q: answer %q does not lead with %q", q, a.Answer, a.ShortAnswer)
		}
		inQuote := false
		for _, c := range a.Citations {
			inQuote = inQuote || strings.Contains(c.Quote, a.ShortAnswer)
		}
		if !inQuote {
			t.Errorf("%q: short answer %q is in no cited quote", q, a.ShortAnswer)
		}
		if a.Confidence <= 0 || a.Confidence > 1 {
			t.Errorf("%q: confidence %v", q, a.Confidence)
		}
	}
}

func TestExplanationsCiteSeveralSentencesOfOneStory(t *testing.T) {
	t.Parallel()
	// The seeds, and two documents of another story that share the
	// question's words.
	ix := NewIndex(IndexOptions{})
	if _, err := ix.Sync(context.Background(), "../seeds", nil); err != nil {
		t.Fatal(err)
	}
	others := []*Document{
		NewDocument("garden.txt", "Frost Notes\n\nGardeners doubting the frost forecast covered their beds anyway. Why they doubted it is simple: the forecast had been wrong three times."),
		NewDocument("chess.txt", "Chess Club\n\nThe club's players kept doubting the new rating system, and Russia's federation sent an adviser to explain it."),
	}
	if _, err := ix.Upsert(context.Background(), others, nil); err != nil {
		t.Fatal(err)
	}
	a := mustAsk(t, NewEngine(ix), "Why is Iran doubting Russia?")
	checkAnswer(t, ix, a)
	if !a.Answered || len(a.Citations) < 2 || len(a.Citations) > 4 || a.ShortAnswer != "" {
		t.Fatalf("want 2-4 cited sentences and no short answer, got %d: %q", len(a.Citations), a.Answer)
	}
	for i, c := range a.Citations {
		if c.DocID == "garden.txt" || c.DocID == "chess.txt" {
			t.Errorf("a sentence of an unrelated document: %q in %q", c.Quote, a.Answer)
		}
		for _, d := range a.Citations[:i] {
			if c.Start == d.Start && c.DocID == d.DocID {
				t.Errorf("sentence cited twice: %q", c.Quote)
			}
		}
	}
}

// mustAsk asks e a question and fails the test on an error.
func mustAsk(t *testing.T, e *Engine, question string) *Answer {
	t.Helper()
	a, err := e.Ask(context.Background(), Query{Question: question})
	if err != nil {
		t.Fatalf("%q: %v", question, err)
	}
	return a
}

func TestChatWordsRefuseOnlyInTechnicalText(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	prose := readPassages([]Passage{{Title: "talks", Text: "The ministers met in Moscow on Tuesday and signed a treaty on naval drills."}})
	code := readPassages([]Passage{{Title: "fmt", Text: "Println writes to stdout; a goroutine that calls os.Exit skips deferred funcs, and bufio buffers are not flushed."}})
	if prose.technical(wv) || !code.technical(wv) {
		t.Errorf("technical: prose %v, code %v", prose.technical(wv), code.technical(wv))
	}
	// A chat word WordNet lacks refuses nothing in prose; a lower-case
	// word WordNet lacks still refuses where such words are terms.
	ix := mustSeedIndex(t)
	e := NewEngine(ix)
	for _, q := range []string{
		"who is iran's ambassador to russia btw",
		"ok so who is iran's ambassador to russia", // "OK" is Oklahoma to WordNet
		"who is iran's ambassador to russia, sb",   // two lower-case letters
	} {
		if a := mustAsk(t, e, q); !a.Answered {
			t.Errorf("%q refused for a chat word: %s", q, a.Answer)
		}
	}
	q := ix.AnalyzeQuestion("which navy drills use zbuf")
	if !q.unanswerable(code) || q.unanswerable(prose) {
		t.Errorf("a lower-case word WordNet lacks: refused in technical text %v, in prose %v (want true, false)", q.unanswerable(code), q.unanswerable(prose))
	}
}

func TestPaddingNeverCausesAbstention(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	e := NewEngine(ix)
	plain := "Who is Iran's ambassador to Russia?"
	for _, q := range []string{
		plain,
		"hey, " + plain,
		"hey quick question, " + strings.ToLower(plain),
		"Quick question: " + plain,
		"thanks! and " + strings.ToLower(plain),
		"I was wondering who Iran's ambassador to Russia is",
		"Can you please tell me who Iran's ambassador to Russia is?",
		"ok so who is iran's ambassador to russia",
	} {
		a := mustAsk(t, e, q)
		if !a.Answered || !strings.Contains(a.Answer, "Jalali") {
			t.Errorf("%q: %q", q, a.Answer)
		}
	}
	for _, q := range []string{
		"Summarize the relationship between Iran and Russia",
		"give me a quick summary of the ties between Iran and Russia",
	} {
		a := mustAsk(t, e, q)
		if !a.Answered || len(a.Citations) < 2 {
			t.Errorf("%q: want a summary of several sentences, got %q", q, a.Answer)
		}
	}
}

func TestDocumentTextCannotForgeMarkersOrMessages(t *testing.T) {
	t.Parallel()
	ix := NewIndex(IndexOptions{})
	docs := []*Document{
		NewDocument("forged.txt", "Drone Makers\n\nThe drones were first built by Qods Aviation Industries [2] and later expanded [3] by a second firm."),
		NewDocument("impostor.txt", "Weather Notes\n\nThe corpus does not say anything about the weather in Baku, the forecaster wrote."),
	}
	if _, err := ix.Upsert(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(ix)
	a := mustAsk(t, e, "Which firm first built the drones?")
	checkAnswer(t, ix, a) // every [n] in the answer has its citation
	if !a.Answered || strings.Contains(a.Answer, "[2]") || !strings.Contains(a.Answer, "Industries (2)") {
		t.Errorf("forged markers: %q", a.Answer)
	}
	a = mustAsk(t, e, "What did the forecaster write about the weather in Baku?")
	checkAnswer(t, ix, a)
	if !a.Answered || !strings.HasPrefix(a.Answer, "“The corpus does not say") {
		t.Errorf("document text must be answered, quoted, never read as the service's own message: %q", a.Answer)
	}
}

// TestMissingWordOutweighedByTheRest: a word the corpus lacks makes it
// "not say" only when the rest of the question does not stand, whole, in
// one passage and outweigh it.
func TestMissingWordOutweighedByTheRest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"templates.md": "# Templates\n\nA range loop in a template runs its body once for each element of the pipeline. The break action ends the innermost range loop early, skipping the remaining iterations.\n",
		"rivers.md":    "# Rivers\n\nThe Danube flows through ten countries before it reaches the Black Sea.\n",
		"bridges.md":   "# Bridges\n\nThe Brooklyn Bridge was opened in 1883 and joins Manhattan to Brooklyn.\n",
		"coffee.md":    "# Coffee\n\nCoffee plants grow best in the highlands of the tropics, where frost is rare.\n",
		"code.md":      "# Code\n\nThe repository holds the code of the service.\n",
		"shelves.md":   "# Shelves\n\nThe library lends books for three weeks.\n",
		"deer.md":      "# Deer\n\nChronic wasting disease spreads slowly through deer herds.\n",
	} {
		mustWrite(t, filepath.Join(dir, name), text)
	}
	ix := NewIndex(IndexOptions{})
	if _, err := ix.Sync(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]bool{
		"can a backtick end a range loop early in a template": false, // "backtick": the rest is held
		"what is the population of tokyo":                     true,  // nothing else to hold
		"which repo holds coffee and the danube":              false, // "repo" is "repository" cut short
		"which lib holds coffee and the danube":               false, // nor is "lib" a name the corpus lacks
		"how fast does CWD spread through herds":              false, // initials of words a passage has
		"how fast does XQZ spread through herds":              true,  // a name no passage spells out
	} {
		passages, err := ix.Search(context.Background(), q, 10) // every document
		if err != nil {
			t.Fatal(err)
		}
		a := ix.AnalyzeQuestion(q)
		got := a.Unanswerable(passages)
		if got != want {
			t.Errorf("%q: unanswerable %v, want %v", q, got, want)
		}
		// Were the answerer to abstain, it names the missing word only
		// when that word is why.
		if msg := a.abstention(passages, got); strings.Contains(msg, "no passage speaks of") != want {
			t.Errorf("%q: abstention %q", q, msg)
		}
	}
}

func TestRunnersUpJoinWhileTheModelWavers(t *testing.T) {
	t.Parallel()
	type c struct {
		doc   string
		score float64
		text  string
	}
	tests := []struct {
		name  string
		cands []c
		limit int
		want  int // sentences chosen, the best first
	}{
		{"a sure best sentence stands alone", []c{{"a", 10, "one"}, {"a", 5, "two"}, {"a", 4, "three"}}, 4, 1},
		{"sure enough: 0.88 of the belief", []c{{"a", 10, "one"}, {"a", 8, "two"}}, 4, 1},
		{"wavering within a document", []c{{"a", 3, "one"}, {"a", 2.8, "two"}, {"a", 2.5, "three"}, {"a", -5, "four"}}, 4, 3},
		{"bounded by the limit", []c{{"a", 3, "one"}, {"a", 2.8, "two"}, {"a", 2.5, "three"}}, 2, 2},
		{"wavering between documents", []c{{"a", 3, "one"}, {"b", 2.9, "two"}, {"a", 2.8, "three"}}, 4, 1},
		{"a near duplicate is skipped", []c{{"a", 3, "red fox jumps"}, {"a", 2.9, "red fox jumps high"}, {"a", 2.8, "blue whale"}, {"a", -1, "far behind"}}, 4, 2},
	}
	for _, tt := range tests {
		cands := make([]candidate, len(tt.cands))
		order := make([]int, len(tt.cands))
		for i, x := range tt.cands {
			cands[i] = candidate{docID: x.doc, score: x.score, text: x.text, stems: allStems(words(x.text))}
			order[i] = i
		}
		got := runnersUp(cands, order, tt.limit)
		if len(got) != tt.want || got[0].text != tt.cands[0].text {
			var texts []string
			for _, g := range got {
				texts = append(texts, g.text)
			}
			t.Errorf("%s: chose %q, want %d sentences from the best", tt.name, texts, tt.want)
		}
	}
}

// TestRelationCoverage: of two sentences that name whom the question asks
// about, the one that says what is asked of them covers the relation;
// the other, naming them only, hardly does.
func TestRelationCoverage(t *testing.T) {
	t.Parallel()
	const born, wrote = "Ada Quill was born in Leeds in 1815.", "Ada Quill wrote her notes in 1843."
	ix := wordIndex(t, born, wrote)
	q := ix.AnalyzeQuestion("when was Ada Quill born")
	rel := slices.Index(FeatureNames, "relation_coverage")
	got := map[string]float64{}
	// Apart, so that neither is the other's context.
	passages := []Passage{{DocID: "d0.txt", Text: born, End: len(born)}, {DocID: "d1.txt", Text: wrote, End: len(wrote)}}
	for _, c := range CandidateSentences(q, passages) {
		got[c.Quote] = c.Features[rel]
	}
	if got[born] != 1 || got[wrote] > 0.5 {
		t.Errorf("relation coverage: %q %.2f, %q %.2f", born, got[born], wrote, got[wrote])
	}
}

// A price counts what a question for a sum of money counts, as a number
// before the thing counted does for how many.
func TestAPriceCountsASum(t *testing.T) {
	t.Parallel()
	const price, count = "The raffle winner takes £500.", "The raffle winner takes 3 hampers."
	ix := wordIndex(t, price, count, "Raffle tickets are sold for cash.")
	counted := slices.Index(FeatureNames, "counted")
	for _, tt := range []struct {
		question, sentence string
		want               float64
	}{
		{"how much cash does the raffle winner take", price, 1},
		{"how much cash does the raffle winner take", count, 0},
		{"how many hampers does the raffle winner take", count, 1},
	} {
		passages := []Passage{{DocID: "d.txt", Text: tt.sentence, End: len(tt.sentence)}}
		cs := CandidateSentences(ix.AnalyzeQuestion(tt.question), passages)
		if len(cs) != 1 || cs[0].Features[counted] != tt.want {
			t.Errorf("%q over %q: %v, want counted %v", tt.question, tt.sentence, cs, tt.want)
		}
	}
}

func TestAPersonLeadsWithTheFullName(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"Anton Kessler trained as a surveyor in Linz and mapped the river banks for the city. "+
			"His maps were used for decades. In 1902 the surveyor Kessler founded the Danube Survey Office, which still exists.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	a := mustAsk(t, NewEngine(ix), "who founded the danube survey office?")
	if a.ShortAnswer != "Anton Kessler" {
		t.Fatalf("short answer %q, want the full name (%s)", a.ShortAnswer, a.Answer)
	}
	cited := false
	for _, c := range a.Citations {
		cited = cited || strings.Contains(c.Quote, a.ShortAnswer)
	}
	if !cited {
		t.Errorf("the full name is in no cited quote: %+v", a.Citations)
	}
	// A name alone is a surname before it is a given name.
	ix = wordIndex(t,
		"Any complaint about the regatta must be made to Milton on the day. The boathouse is kept by Milton Hollis, the quay by Anna Milton.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	if a := mustAsk(t, NewEngine(ix), "who must a complaint about the regatta be made to"); a.ShortAnswer != "Anna Milton" {
		t.Errorf("short answer %q, want the surname's full name (%s)", a.ShortAnswer, a.Answer)
	}
	// So does a surname after an honorific.
	ix = wordIndex(t,
		"The harbour pump must be serviced by Dr Varga every spring. The pump log is kept by Ilse Varga.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	if a := mustAsk(t, NewEngine(ix), "who must service the harbour pump"); a.ShortAnswer != "Ilse Varga" {
		t.Errorf("short answer %q, want the full name (%s)", a.ShortAnswer, a.Answer)
	}
	// A given name alone leads with the full name too.
	ix = wordIndex(t,
		"Any complaint about the regatta must be made to Milton on the day. The boathouse is kept by Milton Hollis.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	if a := mustAsk(t, NewEngine(ix), "who must a complaint about the regatta be made to"); a.ShortAnswer != "Milton Hollis" {
		t.Errorf("short answer %q, want the full name (%s)", a.ShortAnswer, a.Answer)
	}
}

// A sentence from a document that never names what the question names,
// when another passage does, answers of something else: refused. A name
// typed in lower case counts when the corpus writes it only as a name,
// and a demonym ("American") does not, since a document may say "U.S.".
func TestAnswerOfAnotherNamedThingIsRefused(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"Dock workers in Varnholm walked out on Monday against an American shipping line. Tomas Brandt, the mayor of Varnholm, opened the new ferry terminal in May.",
		"Archaeologists digging near the Oskarby site found coins from the fourteenth century. The team from the Oskarby museum plans to return in January.",
		"Officials from the U.S. and Russia met in Riyadh in February to discuss the war.")
	checkAnswered(t, ix, map[string]bool{
		"who is the mayor of varnholm":                         true,
		"who is the mayor of oskarby":                          false,
		"who was the mayor of Oskarby?":                        false,
		"where did American and Russian officials hold talks?": true,
	})
}

// A key word typed in lower case is a name where the passages write it
// only capitalised after a lower-case word: not where they also write it
// in lower case, nor where only a heading's capitals show it.
func TestWordsThePassagesWriteAsNames(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t, "The kestrel hunts over open fields.", "Larks nest on the ground in spring.")
	q := ix.AnalyzeQuestion("where does the kestrel hunt")
	at := slices.IndexFunc(q.Terms, func(t QueryTerm) bool { return t.Surface == "kestrel" })
	if at < 0 {
		t.Fatalf("no kestrel term: %+v", q.Terms)
	}
	for text, want := range map[string]bool{
		"Birds of the moor\n\nThe birds of the Kestrel reserve nest in spring.":                        true,
		"Birds of the moor\n\nThe birds of the Kestrel reserve nest in spring; a kestrel hunts there.": false,
		"Kestrel Reserve Guide\n\nKestrel numbers rose. Open fields help.":                             false,
	} {
		if got := readPassagesFor(q, []Passage{{Title: "moor", Text: text}}).proper[at]; got != want {
			t.Errorf("%q: kestrel a name %v, want %v", text, got, want)
		}
	}
}

// A year the question asks of that the answer's document never writes:
// the answer is of another time, refused. A four-digit number before a
// unit is no year.
func TestAnswerOfAnotherTimeIsRefused(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"Bread prices rose 2.1 percent in June 2025, from 1.4 percent a year earlier. The bakery's new oven draws 1,200 watts.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	checkAnswered(t, ix, map[string]bool{
		"how much did bread prices rise in june?":       true,
		"how much did bread prices rise in 2025":        true,
		"how much did bread prices rise in 2021":        false,
		"does the new oven draw 1500 watts":             true, // a quantity
		"did bread prices march up 2.1 percent in june": true, // no month
	})
}

// A title the question asks of is no part of the name that answers it:
// "Governor Ilse Varga" answers "who is the governor" with the name.
func TestTheAskedTitleLeadsNoName(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"The port authority met on Friday. Governor Ilse Varga said the quay would reopen next week.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	a := mustAsk(t, NewEngine(ix), "who is the governor?")
	if a.ShortAnswer != "Ilse Varga" {
		t.Fatalf("short answer %q (%s)", a.ShortAnswer, a.Answer)
	}
}

// A lone sentence answering a question that asks for no name, place, date
// or number is continued by the next one: it often restates the question,
// and the next says what was asked.
func TestALoneSentenceIsContinued(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"Along the coast, the guild ran three depots for its salt trade. The largest stood at Brenvik, Tollby and Marsund.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	a := mustAsk(t, NewEngine(ix), "what were the guild's depots along the coast")
	if !strings.Contains(a.Answer, "Tollby") {
		t.Fatalf("the next sentence is not in the answer: %s", a.Answer)
	}
}

// A people's adjective before its noun ("a Peruvian chemist") names no
// one: it does not lead an answer about a person.
func TestADemonymLeadsNoAnswer(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"The bakery on the square was opened in 1921 by a Peruvian chemist who had moved to Lyon.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	a := mustAsk(t, NewEngine(ix), "who opened the bakery on the square?")
	if !a.Answered || a.ShortAnswer == "Peruvian" {
		t.Fatalf("answered %v, short answer %q (%s)", a.Answered, a.ShortAnswer, a.Answer)
	}
}

// A sentence that gives a sibling of the model the question asks of, and
// not that model, answers of something else: refused. A question that
// names two of them compares them; a word before a number ("aged 12") is
// no model.
func TestAnswerOfASiblingModelIsRefused(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"The GM-310 is a cordless lawnmower with a 40 cm cutting width. It has five height settings. "+
			"The GM-320 shares the same battery. The GM-320 weighs 19 kilograms.",
		"Children aged 8 to 15 may use the pool with an adult. Lessons start at 9 on Saturdays.")
	checkAnswered(t, ix, map[string]bool{
		"how many kilograms does the gm-320 weigh":            true,
		"how many kilograms does the gm-310 weigh":            false,
		"what cutting width does the gm-310 have":             true,
		"do the gm-310 and the gm-320 share the same battery": true,
		"may children aged 12 use the pool with an adult":     true,
	})
}

// The span asked for leads the answer: "what time" asks for a time of day,
// not the date beside it; "how old" for an age, which a sentence may give
// by the measure's noun though another repeats more of the question.
func TestTheKindOfSpanAskedLeads(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		texts    []string
		question string
		want     string
	}{
		{[]string{"The harbour regatta starts on 14 July. Its first race is sailed at 10.30am from the east pier.",
			"Tickets for the regatta dinner go on sale in May."},
			"what time does the regatta start", "10.30am"},
		{[]string{"Last season 40% of those who joined the cadet band were students. Anyone joining the band must be of an age of 13 or over.",
			"The band hall opens at 7am on weekdays."},
			"how old must you be to join the cadet band", "13"},
		// The measure asked for: a duration, a price, a share.
		{[]string{"The ferry carries 80 cars to the island and its crossing takes 25 minutes.",
			"The island has one hotel."},
			"how long is the ferry to the island", "25 minutes"},
		{[]string{"A museum day pass, valid for 24 hours, costs €12.",
			"The museum shop sells postcards."},
			"how much is a museum day pass", "€12"},
		{[]string{"The new chapel roof, due in 3 months, will cost the parish £40,000.",
			"The chapel has a bell."},
			"what will the new chapel roof cost", "£40,000"},
		{[]string{"The harbour crane, built in 14 months, cost 2.5 million euros.",
			"The harbour has a crane."},
			"how much did the harbour crane cost", "2.5 million euros"},
		{[]string{"The dock repairs, done in 3 months, cost US$2 million.",
			"The dock has a crane."},
			"what did the dock repairs cost", "US$2 million"},
		{[]string{"The raffle winner takes 3 hampers and £500.",
			"The raffle is drawn in May; its tickets are sold for cash."},
			"how much cash does the raffle winner take", "£500"},
		// Of two spans that fit alike, the one nearer the question's words.
		{[]string{"In 1820 the north gate opened, and the south gate opened in 1870.",
			"The gates are of oak."},
			"when did the south gate open", "1870"},
		// A duration whose unit is qualified ("working days") is a
		// duration still.
		{[]string{"We keep a repaired bike free for 14 months; a service takes 3 working days.",
			"The shop sells bikes."},
			"how long does a bike service take", "3 working days"},
		// The thing counted; the unit of a measure of size.
		{[]string{"The south pier, in 3 rows, holds 40 boats.",
			"The piers were built of oak."},
			"how many boats are at the south pier", "40 boats"},
		{[]string{"Dredged 3 times, the deep harbour now has 12 metres of water.",
			"The harbour has a lighthouse."},
			"how deep is the harbour", "12 metres"},
		// The figure the sentence names the measure of: its noun before,
		// its adjective after.
		{[]string{"The harbour, 2 kilometres from town, is dredged to a depth of 12 metres.",
			"The harbour has a lighthouse."},
			"how deep is the harbour", "12 metres"},
		{[]string{"The pier, 300 metres from the town, stands 9 metres high.",
			"The pier has a cafe."},
			"how high is the pier", "9 metres"},
		// A bare year for what year, before a fuller date of another thing.
		{[]string{"The mill opened in 1820, and its new wing on 3 June.",
			"The mill ground corn for a hundred years."},
			"what year did the mill open", "1820"},
		// A bound or an approximation is part of the number.
		{[]string{"Built in 9 months, the marina now holds more than 300 boats.",
			"The marina has a crane."},
			"how many boats does the marina hold", "more than 300 boats"},
		// A part of a year is as precise as a month.
		{[]string{"In the second half of 2031, the council says, the new ferry link planned in 1990 is due.",
			"The ferry is slow."},
			"when is the ferry link due", "the second half of 2031"},
		// A month is no place's name.
		{[]string{"In March the rowers meet at the old boathouse.",
			"The rowers race in summer."},
			"where do the rowers meet", "at the old boathouse"},
		// A share asked of a sum is a share; a sum is not asked by "how long".
		{[]string{"Of the parish budget of £80,000, 15% goes on the roof.",
			"The parish has a roof."},
			"what percentage of the parish budget goes on the roof", "15%"},
		{[]string{"Pay the parish fee of £20 within 14 days.",
			"The parish office opens on Mondays."},
			"how long do i have to pay the parish fee", "14 days"},
		// "share" as a verb asks for no share.
		{[]string{"Up to 4 campers, at £9 a night, share each hut.",
			"The huts stand by the lake."},
			"how many campers share a hut", "Up to 4 campers"},
		// A telephone number for a number to ring.
		{[]string{"Lost property is kept for 30 days; for it ring the ferry office on 01632 960 431.",
			"The ferry office opens at 8am."},
			"what number do i ring about lost property", "01632 960 431"},
		// A sum asked for and no price there: nothing leads.
		{[]string{"The chapel porch was rebuilt in 3 months and its cost was met by the parish.",
			"The chapel has a bell."},
			"what did the chapel porch cost", ""},
		{[]string{"The bell has hung for 9 days, since 2 monks of the chapel raised it.",
			"The chapel has a new roof."},
			"how old is the chapel bell", "9 days"},
		{[]string{"Of the 240 club members, 61% voted for the new crest.",
			"The crest shows a heron."},
			"what share of club members voted for the crest", "61%"},
		// From a later cited sentence when only it has the measure asked.
		{[]string{"The spa pool at the lido holds 40 swimmers. It runs sessions of 45 minutes.",
			"The lido cafe sells tea."},
			"how long does a swim in the lido spa pool last", "45 minutes"},
		// A person's name, not a role written as a title.
		{[]string{"For the dock, ask our Coordinator, Tamsin Obi, at the gate.",
			"The dock opens at dawn."},
			"who do i ask about the dock", "Tamsin Obi"},
		// A role written as a title before "of" or as the last word, not
		// a name whose first word is also a noun for a person.
		{[]string{"The harbour charter was signed by the Minister of Harbours, Ilse Varga, in May.",
			"The harbour has a crane."},
			"who signed the harbour charter", "Ilse Varga"},
		{[]string{"The first harbour flight was flown by Frank Reed of the Aero Club.",
			"The harbour has a crane."},
			"who flew the first harbour flight", "Frank Reed"},
		// A name with a number is a model's or a firm's.
		{[]string{"The ferry engine was built by Zorvan 305 for the yard of Ilse Varga.",
			"The ferry is slow."},
			"who built the ferry engine", "Ilse Varga"},
		// A people's adjective names no place.
		{[]string{"The harbour vase was made in Roman times, as its glaze shows, in Tarsh.",
			"The harbour has a crane."},
			"where was the harbour vase made", "in Tarsh"},
		// The fullest date, not the weekday the news came.
		{[]string{"The cheese fair, the council said on Tuesday, opens on 3 June 2027.",
			"The fair has 90 stalls."},
			"when does the cheese fair open", "3 June 2027"},
		// A phrase "from …" answers where a thing comes from, not where
		// it is.
		{[]string{"The old lighthouse lamp was shipped from Skellig Rock and is now kept in the Harbour Museum.",
			"The lighthouse is white."},
			"where is the old lighthouse lamp now", "in the Harbour Museum"},
		{[]string{"The old lighthouse lamp is now kept in the Harbour Museum, shipped from Skellig Rock.",
			"The lighthouse is white."},
			"where did the old lighthouse lamp come from", "from Skellig Rock"},
		// A later cited sentence leads only when its span fits clearly
		// better: a full date does not displace the best sentence's month.
		{[]string{"The harbour wall was rebuilt in October 2027. It had been rebuilt on 5 March 2019.",
			"The harbour has a crane."},
			"when was the harbour wall rebuilt", "October 2027"},
		{[]string{"The harbour crane was built in 1952. It had been first built on 3 March 1887.",
			"The harbour has a wall."},
			"when was the harbour crane first built", "3 March 1887"},
		// A time counted back is as precise as a year.
		{[]string{"The sea cave formed ten thousand years ago, a survey said in March.",
			"The cave is dry."},
			"when did the sea cave form", "ten thousand years ago"},
		// A range keeps its "between" with its bound.
		{[]string{"The dock gates, rebuilt in 4 months, are between about 2 and 3 metres wide.",
			"The dock has a crane."},
			"how wide are the dock gates", "between about 2 and 3 metres"},
		// A named place before a phrase of place.
		{[]string{"Rowing volunteers meet at the side gate in Mill Yard.",
			"Rowing starts at dawn."},
			"where do rowing volunteers meet", "Mill Yard"},
	} {
		a := mustAsk(t, NewEngine(wordIndex(t, tt.texts...)), tt.question)
		if a.ShortAnswer != tt.want {
			t.Errorf("%q: short answer %q, want %q: %s", tt.question, a.ShortAnswer, tt.want, a.Answer)
		}
	}
}

// A table's cell is what its column's header says: the count of the
// header's thing, the person of the role it names, though the name's words
// mean things elsewhere ("Berg"), and not the name the question gives.
func TestATableCellIsWhatItsColumnSays(t *testing.T) {
	t.Parallel()
	ix := NewIndex(IndexOptions{})
	if _, err := ix.Upsert(context.Background(), []*Document{
		NewDocument("piers.md", "# Harbour piers\n\nEvery pier has cranes for lifting boats.\n\n| Pier | Berths | Crane lifts |\n| --- | --- | --- |\n| North pier | 40 | 3 |\n| South pier | 25 | 1 |\n"),
		NewDocument("staff.md", "# Module staff\n\nEach module has a tutor and a deputy.\n\n| Module | Deputy | Tutor |\n| --- | --- | --- |\n| Reef Ecology | Tom Okafor | Ana Reyes |\n| Salt Marshes | Ida Berg | Lev Sorin |\n"),
		NewDocument("history.md", "# History\n\nThe harbour opened in 1931."),
	}, nil); err != nil {
		t.Fatal(err)
	}
	for question, want := range map[string]string{
		"how many crane lifts are there on the north pier": "3",
		"who is the tutor of reef ecology":                 "Ana Reyes",
		"who is the deputy for salt marshes":               "Ida Berg",
		"who does ida berg work with on salt marshes":      "Lev Sorin",
	} {
		if a := mustAsk(t, NewEngine(ix), question); a.ShortAnswer != want {
			t.Errorf("%q: short answer %q, want %q: %s", question, a.ShortAnswer, want, a.Answer)
		}
	}
}

// A number alone in a table's cell measures what its column's header
// names.
func TestATableCellsUnitIsItsHeader(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	doc := NewDocument("piers.md", "# Piers\n\n| Pier | Berths | Crane lifts |\n| --- | --- | --- |\n| North pier | 40 | 3 wide slips |\n")
	for _, c := range sentenceCandidates([]Passage{{DocID: doc.ID, Text: doc.Text}}) {
		if !strings.HasPrefix(c.text, "| North pier") {
			continue
		}
		got := map[string]string{}
		for _, s := range typedSpans(wv, c.text, KindNumber) {
			u, _ := unitOf(wv, &c, s)
			got[c.text[s.start:s.end]] = u.Lower
		}
		// The cell's own unit comes first: "3 wide slips" counts slips.
		if got["40"] != "berths" || got["3 wide slips"] != "slips" {
			t.Errorf("units %v, want 40 in berths and 3 in slips", got)
		}
		return
	}
	t.Fatal("no table row among the candidates")
}

// A line "label: value" whose label is question words is a field giving
// what is asked, as a sentence defining a question term is.
func TestALabelledFieldAnswers(t *testing.T) {
	t.Parallel()
	q := &Question{Terms: []QueryTerm{{Stem: "open", Own: "open", Known: true}, {Stem: "hour", Own: "hour", Known: true}}}
	for text, want := range map[string]bool{
		"Opening hours: 9am to 5pm":              true,
		"Hours: closed on Mondays":               true,
		"Note: the hours change in winter":       false, // the label is no question word
		"Opening hours:":                         false, // no value
		"The bakery opens for longer hours: 6am": false, // a sentence, not a label
	} {
		if got := labelledBy(q, text); got != want {
			t.Errorf("%q: labelled %v, want %v", text, got, want)
		}
	}
	c := candidate{text: "Opening hours: 9am to 5pm", words: words("Opening hours: 9am to 5pm")}
	if definesTerm(q, c.text, c.words) != 1 {
		t.Error("a labelled field defines nothing")
	}
}

// The best sentence of a document that never writes the year asked of
// gives way to a runner-up of that year, rather than the answer being
// refused; those before it are dropped.
func TestAnotherYearGivesWayToTheYearAsked(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t)
	passages := []Passage{
		{DocID: "news.md", Text: "This season the harbour choir is conducted by Ines Varro, an organist."},
		{DocID: "history.md", Text: "Past conductors of the choir:\n\n- 2019 — Piet Olsen, tenor"},
	}
	cands := sentenceCandidates(passages)
	q := ix.AnalyzeQuestion("who conducted the harbour choir in 2019")
	read := readPassagesFor(q, passages)
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i // the news sentence first
	}
	got := q.preferAskedYear(read, passages, cands, order)
	if best := cands[got[0]]; !strings.Contains(best.text, "Piet Olsen") || slices.ContainsFunc(got, func(i int) bool { return cands[i].docID == "news.md" }) {
		t.Errorf("order %v, best %q: want the 2019 conductor's line first and no sentence of this season", got, best.text)
	}
	// Through the engine: the answer is the 2019 conductor, not a refusal.
	ix = wordIndex(t, "This season the harbour choir is conducted by Ines Varro, an organist, who conducted it at the spring concert in the harbour hall.",
		"Past conductors of the choir:\n\n- 2019 — Piet Olsen, tenor\n- 2018 — Ana Ruiz, soprano")
	if a := mustAsk(t, NewEngine(ix), "who conducted the harbour choir in 2019"); !a.Answered || !strings.Contains(a.Answer, "Piet Olsen") {
		t.Errorf("answer %q, want the 2019 conductor", a.Answer)
	}
	lone := passages[1:]
	if got := q.preferAskedYear(readPassagesFor(q, lone), lone, sentenceCandidates(lone), []int{0}); len(got) != 1 {
		t.Errorf("a lone candidate reordered: %v", got)
	}
}

// A table's row answers with what its header says its cells are: "power"
// is in no row, only in the header above them.
func TestATableRowIsReadWithItsHeader(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"Oven modes\n\n| Mode | Time | Power |\n\n|---|---|---|\n\n| Defrost | 12 min | 300 W |\n\n| Grill | 8 min | 1,100 W |\n\n"+
			"Grill mode browns the top of a dish that is already cooked. It is not meant for raw meat.",
		"The harbour of Constanta was enlarged in 1909 to take larger grain ships.")
	a := mustAsk(t, NewEngine(ix), "what power does the grill mode use?")
	if len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "1,100 W") {
		t.Fatalf("the row is not the best answer: %s", a.Answer)
	}
}

// checkAnswered asks each question and checks whether it is answered.
func checkAnswered(t *testing.T, ix *Index, want map[string]bool) {
	t.Helper()
	e := NewEngine(ix)
	for q, answered := range want {
		a := mustAsk(t, e, q)
		if a.Answered != answered {
			t.Errorf("%q: answered %v, want %v: %s", q, a.Answered, answered, a.Answer)
		}
	}
}

// A noun of time asked of ("the daily rate") is answered by a number as
// well as by a date.
func TestTimeNounAnsweredByANumber(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"The quay crane was installed in 1998 beside the grain silo. Hiring the quay crane costs 310 euros for each day, with a driver. The crane lifts up to 40 tonnes.",
		"The grain silo holds wheat from the inland farms until the barges arrive.")
	q := "what's the daily rate for hiring the quay crane"
	if k := ix.AnalyzeQuestion(q).Kind; k != KindDate {
		t.Fatalf("%q: kind %q; the case needs a noun of time asked of", q, k)
	}
	a := mustAsk(t, NewEngine(ix), q)
	if !a.Answered || !strings.Contains(a.ShortAnswer, "310") {
		t.Errorf("%q: short answer %q: %s", q, a.ShortAnswer, a.Answer)
	}
}

// A sentence that refers back to the best one follows it, whether it is
// far behind the runners-up or one of them.
func TestAReferringSentenceFollowsTheBest(t *testing.T) {
	t.Parallel()
	text := "The observatory keeps three telescopes on the ridge. These are the Ashby refractor, the Moll reflector and a solar scope. The observatory also keeps a library in town."
	q := &Question{Text: "what telescopes does the observatory keep on the ridge"}
	for _, scores := range [][3]float64{{2, -5, 1.8}, {2, 1.6, 1.8}} {
		cands := sentenceCandidates([]Passage{{DocID: "d.txt", Text: text, End: len(text)}})
		if len(cands) != 3 {
			t.Fatalf("%d candidates", len(cands))
		}
		for i := range cands {
			cands[i].score = scores[i]
		}
		chosen, _ := choose(q, cands, byScore(cands), DefaultExtractiveOptions)
		var got []string
		for _, c := range chosen {
			got = append(got, c.text)
		}
		if len(got) != 3 || got[0] != cands[0].text || got[1] != cands[1].text {
			t.Errorf("scores %v: chose %q, want the best, then the sentence referring to it, then the runner-up", scores, got)
		}
	}
}
