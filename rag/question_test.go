package rag

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// wordIndex indexes a few sentences, each a document.
func wordIndex(t *testing.T, texts ...string) *Index {
	t.Helper()
	ix := NewIndex(IndexOptions{})
	docs := make([]*Document, len(texts))
	for i, text := range texts {
		docs[i] = &Document{ID: "d" + itoa(i) + ".txt", Title: "Doc " + itoa(i), Text: text}
	}
	if _, err := ix.Upsert(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	return ix
}

func term(q *Question, surface string) (QueryTerm, bool) {
	for _, t := range q.Terms {
		if t.Surface == surface {
			return t, true
		}
	}
	return QueryTerm{}, false
}

func TestQuestionWordsResolveToCorpusWords(t *testing.T) {
	t.Parallel()
	ix := wordIndex(t,
		"The ambassador said the nuclear programme would go on under the new treaty.",
		"Moscow pledged help to rebuild the damaged reactors and the cryptocurrency exchanges.",
		"Her father worked as a blacksmith in the village of Lübeck.",
		"The community elected a mayor; Constantinople sent no diplomatic mission.",
		"China kept away from the talks.",
		"The first phone call lasted a minute.",
		"The ship sailed between two islands at dawn.",
		"The government's management worked long hours.",
		"Lean years followed.",
		"A rabbit ran across the yard.",
		"A bicycle leaned on the wall.",
		"The violin was made in Cremona.",
		"His fingers went numb.",
	)
	tests := []struct {
		question, word, want string
		key                  bool
	}{
		{"What happened to the atomic programme?", "atomic", stem("nuclear"), false},      // by meaning
		{"What did the ambasador say?", "ambasador", stem("ambassador"), true},            // a typo
		{"What did Moscow promise?", "promise", stem("pledged"), false},                   // by meaning
		{"What did her dad do?", "dad", stem("father"), true},                             // WordNet: a dad is a father
		{"Which crypto exchanges were rebuilt?", "crypto", stem("cryptocurrency"), false}, // clipped
		{"Where is lubeck?", "lubeck", "lubeck", true},                                    // accents folded
		{"Who ruled Istanbul?", "istanbul", stem("constantinople"), true},                 // a name by its synonym
		{"What did the envoy say?", "envoy", stem("ambassador"), true},                    // a sibling close in meaning, not the broader "diplomat"
		{"Did the Chinese attend the talks?", "chinese", stem("china"), true},             // WordNet: the noun an adjective pertains to
		{"Who made the first cellphone call?", "cellphone", stem("phone"), true},          // a compound's head
		{"how long did the govt work", "govt", stem("government"), false},                 // shorthand
		{"Which violinists played?", "violinists", stem("violin"), true},                  // derived from a corpus word
		{"did the mgmt sail", "mgmt", stem("management"), false},
		{"who saw the rabitt", "rabitt", stem("rabbit"), true}, // a letter doubled in the wrong place
		{"who rode the bike", "bike", stem("bicycle"), true},   // WordNet relates "bicycle" to "bike", not back
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			q := ix.AnalyzeQuestion(tt.question)
			got, ok := term(q, tt.word)
			if !ok {
				t.Fatalf("no term %q in %+v", tt.word, q.Terms)
			}
			if got.Stem != tt.want || !got.Known {
				t.Errorf("%q resolved to %q (known %v), want %q", tt.word, got.Stem, got.Known, tt.want)
			}
			if tt.key && !got.Key {
				t.Errorf("%q is not a key word", tt.word)
			}
		})
	}
	// What must not be resolved, or must stay what it is.
	for _, tt := range []struct {
		why, question, word string
		bad                 func(QueryTerm) bool
	}{
		{"a name the corpus lacks stays missing: no resolution by meaning turns one place into another",
			"What did the ambassador say in Australia?", "australia", func(t QueryTerm) bool { return t.Known || !t.Name }},
		{"a word that only ends like a corpus noun is no compound of it",
			"What became of their friendship?", "friendship", func(t QueryTerm) bool { return t.Known }},
		{"a participle after an auxiliary is a verb, whatever else it is",
			"What problems are hanging over the mayor?", "hanging", func(t QueryTerm) bool { return t.Key }},
		{"a place typed in lower case is still a name the corpus lacks",
			"what did the ambassador say in nepal", "nepal", func(t QueryTerm) bool { return t.Known || !t.Name }},
		{"a name stays a name", "Where is Reading?", "reading", func(t QueryTerm) bool { return !t.Key || !t.Name }},
		{"a broader word stands for no name: Hamlet is no community",
			"Who wrote Hamlet?", "hamlet", func(t QueryTerm) bool { return t.Known || !t.Name }},
		{"a word that only begins with a corpus word is not derived from it",
			"What number did he call?", "number", func(t QueryTerm) bool { return t.Stem == stem("numb") }},
		{"an inflected English word is no misspelling",
			"what colour are the leaves", "leaves", func(t QueryTerm) bool { return t.Stem == stem("lean") }},
		{"a shorthand stands only for a word ending as it ends",
			"btw did the ship sail", "btw", func(t QueryTerm) bool { return t.Stem == stem("between") }},
	} {
		got, _ := term(ix.AnalyzeQuestion(tt.question), tt.word)
		if tt.bad(got) {
			t.Errorf("%s: %q is %+v", tt.why, tt.word, got)
		}
	}
}

func TestShorthandsExpand(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	for _, tt := range []struct {
		word Word
		want string
	}{
		{Word{Lower: "mgmt"}, "management"},
		{Word{Lower: "govt"}, "government"},
		{Word{Lower: "yrs"}, "years"},
		{Word{Lower: "bldg"}, "building"},
		{Word{Lower: "cats"}, ""},            // an inflection of a common word
		{Word{Lower: "btw"}, ""},             // "between" does not end in w
		{Word{Lower: "govt", Cap: true}, ""}, // capitalised: perhaps a name
		{Word{Lower: "st"}, ""},              // too short to tell
		{Word{Lower: "management"}, ""},      // a word of its own
	} {
		if got := abbreviation(wv, tt.word); got != tt.want {
			t.Errorf("%+v: expands to %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestMisspeltWordsAreTheWordMeant(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	for word, want := range map[string]string{
		"beleived":   "believed",   // two letters swapped
		"definately": "definitely", // one replaced
		"ambasador":  "ambassador", // one dropped
		"tehran":     "",           // a name the vectors know
		"house":      "",           // a word of its own
		"teh":        "",           // too short to tell
	} {
		if got := misspelling(wv, word); got != want {
			t.Errorf("%q: read as %q, want %q", word, got, want)
		}
	}
	// A misspelt word the corpus lacks in any spelling is no name or key
	// word the corpus lacks: it does not refuse the question.
	ix := wordIndex(t, "The ambassador signed the treaty in March.")
	q := ix.AnalyzeQuestion("when was the treaty signed definately")
	if got, _ := term(q, "definately"); got.Key || got.Name {
		t.Errorf("definately: %+v", got)
	}
	if q.missingKey(passageReading{}, true) || q.Unanswerable(nil) {
		t.Errorf("refused for a misspelling: %+v", q.Terms)
	}
	// No corpus word is spelt near it: it resolves as the word meant does,
	// by meaning, at less than the meant word's similarity.
	ix = wordIndex(t, "The treaty was certainly signed in March.")
	got, _ := term(ix.AnalyzeQuestion("was the treaty definately signed"), "definately")
	if got.Stem != stem("certainly") || !got.Known || got.Sim >= typoSim {
		t.Errorf("definately resolved as %+v, want %q below %.1f", got, stem("certainly"), typoSim)
	}
	// The word meant is the corpus's, though its stem is spelt too far
	// from the typed word to match it ("carnval": "carniv").
	ix = wordIndex(t, "The carnival opens on the first Friday of June.")
	got, _ = term(ix.AnalyzeQuestion("when does the carnval open"), "carnval")
	if got.Stem != stem("carnival") || !got.Known {
		t.Errorf("carnval resolved as %+v, want %q", got, stem("carnival"))
	}
}

func TestInitialismsStandForTheirPhrase(t *testing.T) {
	t.Parallel()
	ix := NewIndex(IndexOptions{})
	docs := []*Document{
		NewDocument("sco.txt", "Security Blocs\n\nIran joined the Shanghai Cooperation Organization in 2023 as its ninth member."),
		NewDocument("cpc.txt", "Caspian Policy Center\n\nTies Across the Caspian Sea\n\nThe author argues that trade across the sea will keep growing."),
	}
	if _, err := ix.Upsert(context.Background(), docs, nil); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(ix)
	if a := mustAsk(t, e, "when did iran join the SCO?"); !a.Answered || a.ShortAnswer != "2023" {
		t.Errorf("by its initials: %q (short %q)", a.Answer, a.ShortAnswer)
	}
	// The publisher's name above the headline is searched, though never quoted.
	q := ix.AnalyzeQuestion("what does the CPC author argue about trade?")
	if got, _ := term(q, "cpc"); !got.Known {
		t.Errorf("cpc: %+v", got)
	}
	if a := mustAsk(t, e, q.Text); len(a.Passages) == 0 || a.Passages[0].DocID != "cpc.txt" || strings.Contains(a.Answer, "“cpc”") {
		t.Errorf("by its publisher: %q from %+v", a.Answer, a.Passages)
	}
}

func TestQuestionKinds(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	phones := map[string]bool{
		"what's the phone number for the embassy":  true,
		"what number do i ring to reach the envoy": true,
		"embassy contact number?":                  true,
	}
	for q, want := range map[string]AnswerKind{
		"When did the drills start?":                           KindDate,
		"In what year was the treaty signed?":                  KindDate,
		"How many drones were sent?":                           KindNumber,
		"how much did the deal cost":                           KindNumber,
		"Who met Putin?":                                       KindPerson,
		"Which minister went to Moscow?":                       KindPerson,
		"Where did the ministers meet?":                        KindPlace,
		"Which city hosted the talks?":                         KindPlace,
		"What was the exercise called?":                        KindName,
		"Why do Iran and Russia cooperate?":                    KindReason,
		"How does the drone reach its target?":                 KindManner,
		"Summarize the relationship between Iran and Russia":   KindSummary,
		"What rocket will carry the satellite?":                KindThing,
		"hey, quick q: when was the treaty signed":             KindDate,
		"When I read the report, which city hosted the talks?": KindPlace,
		// Typed without the apostrophe, or with a curly one.
		"whats the date of the summit":         KindDate,
		"whos the envoy in tehran":             KindPerson,
		"what’s the reason for the sanctions?": KindReason,
		// Talk's opening words.
		"ok so when did the summit end": KindDate,
		// What is told first, the question after it.
		"i read the envoy left early, when did he come back": KindDate,
		"my notes say two ships sailed. how many came back?": KindNumber,
		"caspian fleet how many warships":                    KindNumber,
		// A request stays one; a time noun after "per" is a rate; a naming
		// question names the thing, not a person it mentions.
		"summarize the talks, who attended and what was agreed": KindOther,
		"drone sales per year":                            KindOther,
		"what was the drone the minister unveiled called": KindName,
		// A noun phrase typed for a question ends in what it asks for; no
		// request verb opens it after a topic word or as an adjective.
		"treaty signing year?": KindDate,
		"gazprom launch year":  KindDate,
		"last summit year":     KindDate,
		// Questions typed as a noun phrase.
		"number of warships in the fleet?": KindNumber,
		"year of the first visit?":         KindDate,
		// The name of a person is a person's name; a thing's stays a name.
		"what was the envoy's name":            KindPerson,
		"what is the name of the admiral":      KindPerson,
		"what is the satellite called":         KindName,
		"What name did Tehran give the drone?": KindName,
		// A person noun asked of is a person, though a naming verb follows.
		"which minister called the meeting": KindPerson,
		// A demonym before a plural noun is no person asked for.
		"which peruvian fabrics sell best": KindThing,
		"which chilean wines age longest":  KindThing,
		// A verb right after the question word, no noun after it, asks of
		// no noun ("went" is no "go", a time or a turn); a participle
		// before a noun is the noun's adjective.
		"the talks stalled, what went wrong?":  KindOther,
		"which invited envoys came to tehran?": KindPerson,
		// An irregular verb after the head noun and before its object is
		// the verb, though a noun is spelt the same ("won", a currency);
		// before a verb it is the head ("saw", a tool, not the harbour).
		"which navy officer won the medal":      KindPerson,
		"which harbour saw was sold to moscow?": KindThing,
		// "called off" names nothing.
		"which storm warning gets the drills called off": KindThing,
		// A yes/no question is no request, and its clause after "when" a
		// condition; "can you tell me when" still asks when.
		"do the envoys meet in tehran":             KindOther,
		"can a tourist visit when the envoys meet": KindOther,
		"can you tell me when the fleet sailed":    KindDate,
		// A request put as a question, the asker its object, is a request;
		// a question of what anyone can do is none.
		"can you tell me about the drills":       KindSummary,
		"could u give us a summary of the talks": KindSummary,
		"can you park at the embassy":            KindOther,
		// Asked to summarise, or to write an account "of" the topic.
		"could you summarise the naval drills":            KindSummary,
		"can you write up a brief overview of the treaty": KindSummary,
		// A verb whose object is an amount asks for a number, unless an
		// object of its own follows it.
		"what does a frigate cost":                  KindNumber,
		"what did the satellite weigh at launch?":   KindNumber,
		"what will the new pier cost next year":     KindNumber,
		"what did the envoy call the pay agreement": KindOther,
		"what is the charge against the envoy":      KindThing,
		"what did the new charges do for trade":     KindOther,
		"what did the cost of the drills do to oil": KindOther,
		"what do the envoys pay attention to":       KindOther,
		"what did the cost to farmers look like":    KindOther,
		// A time of day asks when, a time zone where; "how soon" asks
		// for a span, as "how long" does.
		"what time does the summit open": KindDate,
		"what time zone is tehran in":    KindPlace,
		"how soon can the fleet sail":    KindNumber,
		// A telephone number is asked as a number, and told from another
		// number (Question.Phone).
		"what's the phone number for the embassy":         KindNumber,
		"what number do i ring to reach the envoy":        KindNumber,
		"embassy contact number?":                         KindNumber,
		"what number is on the side of the frigate":       KindNumber,
		"how many drones did iran send, and what number?": KindNumber,
		"can the log print the line number of the call":   KindOther,
	} {
		a := ix.AnalyzeQuestion(q)
		if a.Kind != want {
			t.Errorf("%q: kind %q, want %q", q, a.Kind, want)
		}
		if a.Phone != phones[q] {
			t.Errorf("%q: phone %v, want %v", q, a.Phone, phones[q])
		}
	}
}

// The years a question asks of are read once, with the question: a four-
// digit number before a unit is a quantity, not a year.
func TestAskedYears(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	for q, want := range map[string][]string{
		"how many 1200 watt heaters did the navy buy in 2019": {"2019"},
		"what did the envoys agree in 1999 and in 2004":       {"1999", "2004"},
		"how many drones were sent":                           nil,
	} {
		if got := ix.AnalyzeQuestion(q).years; !slices.Equal(got, want) {
			t.Errorf("%q: years %v, want %v", q, got, want)
		}
	}
}

// A request to write or translate something new is read as one, and an
// account of the documents to write is none; a question put to the
// answerer naming nothing but a time is small talk.
func TestComposeRequestsAndSmallTalk(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	for q, want := range map[string]struct {
		compose   string
		smallTalk bool
	}{
		"write me a limerick about the caspian fleet":       {compose: "write"},
		"hey, could you compose a song for the envoys?":     {compose: "compose"},
		"pls translate the treaty's preamble into spanish":  {compose: "translate"},
		"can u help me write an email to the embassy":       {compose: "write"},
		"write me a short summary of the drone sales":       {},
		"could you write a synopsis of the talks":           {},
		"write about the naval drills":                      {},
		"can i write to the embassy in tehran":              {},
		"how do the ministers write their joint statements": {},
		"how have you been this week?":                      {smallTalk: true},
		// The verb names a thing, or takes no object: no request.
		"write barriers: when are they enabled?":                 {},
		"draft minutes of the harbour board, who approved them?": {},
		"translate function in the toolkit, what does it return": {},
		"write the config file: what does it hold?":              {},
		"draft treaty text from the ministry":                    {},
		"what are you up to today":                               {smallTalk: true},
		"what did the envoy say today":                           {},
		"can you tell me what the fleet did this week":           {},
	} {
		a := ix.AnalyzeQuestion(q)
		if a.Compose != want.compose || a.SmallTalk != want.smallTalk {
			t.Errorf("%q: compose %q, small talk %v; want %q, %v", q, a.Compose, a.SmallTalk, want.compose, want.smallTalk)
		}
	}
}

func TestMisspeltQuestionWords(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	for _, tc := range []struct{ in, want string }{
		{"hwo many warships sailed?", "how many warships sailed?"}, // "who" is as near; "many" follows "how"
		{"wen was the summit held", "when was the summit held"},    // an English word, but an asking verb follows
		{"ok, waht did the fleet do", "ok, what did the fleet do"},
		{"wich port hosted the fleet", "which port hosted the fleet"},  // no common word: a noun may follow
		{"Wen Jiabao visited the port", "Wen Jiabao visited the port"}, // a common word, no asking verb
		{"the fleet wen was there", "the fleet wen was there"},         // not where a clause begins
		{"wheat was grown where?", "wheat was grown where?"},           // an English word, and the question word is there
		{"who sailed?", "who sailed?"},
	} {
		if got := ix.respellQuestionWords(tc.in); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
	if k := ix.AnalyzeQuestion("hwo many warships sailed?").Kind; k != KindNumber {
		t.Errorf("kind %q, want %q", k, KindNumber)
	}
}

func TestClosingAsidesDropped(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	for _, tc := range []struct{ in, want string }{
		{"who is the envoy? thanks", "who is the envoy"},
		{"when did the summit end, cheers", "when did the summit end"},
		{"when did the summit end?? lol", "when did the summit end"},
		{"who is the envoy thx", "who is the envoy"},                                       // filler with no mark
		{"what did the envoy say about medvedev", "what did the envoy say about medvedev"}, // an object, not filler
		{"the envoy left early, whats the gist", "the envoy left early, whats the gist"},   // it asks
		{"who met the envoy, Putin", "who met the envoy, Putin"},                           // a name
		{"who met medvedev", "who met medvedev"},                                           // a name, longer than chat
		{"why did the U.S. apologize", "why did the U.S. apologize"},                       // an abbreviation's stop
	} {
		if got := ix.dropClosingAside(tc.in); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
	// The aside never refuses the question.
	e := NewEngine(ix)
	for _, q := range []string{"who is the ambassador to Russia?? lol", "who is the ambassador to Russia thx"} {
		if a := mustAsk(t, e, q); !a.Answered {
			t.Errorf("%q refused: %s", q, a.Answer)
		}
	}
}

func TestShoutingFolded(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	for in, want := range map[string]string{
		"WHO IS THE ENVOY":               "who is the envoy",
		"When Did The Summit End?":       "when did the summit end?",
		"When Did The Talks End In 2024": "when did the talks end in 2024",
		"Kazem Jalali Tehran Visit":      "Kazem Jalali Tehran Visit",      // no function word: names, perhaps
		"Who Did Putin Meet?":            "who did Putin meet?",            // a name stays
		"Where Did Iran US Talks Happen": "where did Iran US talks happen", // initials among capitalised words
		"Who met Putin?":                 "Who met Putin?",
	} {
		if got := foldShouting(wv, in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	ix := mustSeedIndex(t)
	if q := ix.AnalyzeQuestion("WHO IS THE IRANIAN AMBASSADOR TO RUSSIA"); q.Kind != KindPerson || slices.ContainsFunc(q.Terms, func(t QueryTerm) bool { return t.Surface == "the" }) {
		t.Errorf("shouted question read as %q with terms %+v", q.Kind, q.Terms)
	}
}

func TestKeyWords(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	for w, want := range map[string]bool{
		"island": true, "warships": true, "zorblax": true, // things, and a name
		"summary": false, "relationship": false, // an act, a relation
		"sparked": false, // a participle
	} {
		if got := isKeyWord(wv, Word{Lower: w}); got != want {
			t.Errorf("%q: key %v, want %v", w, got, want)
		}
	}
}

// Indefinite words ("someone", "somewhere") stand for what is asked; they
// name no topic, so the corpus lacking them refuses nothing.
func TestIndefiniteWordsAreNoTerms(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	for _, tc := range []struct{ q, word string }{
		{"is there somewhere in Tehran the envoys meet", "somewhere"},
		{"did the fleet sail anywhere else", "anywhere"},
		{"drones turned up everywhere, who sent them", "everywhere"},
		{"did the navy go elsewhere", "elsewhere"},
		{"the envoys met nowhere, why", "nowhere"},
	} {
		if _, ok := term(ix.AnalyzeQuestion(tc.q), tc.word); ok {
			t.Errorf("%q: %q is a term", tc.q, tc.word)
		}
	}
}

func TestVerbsQuantitiesAndToldWordsAreNoKeyWords(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	for _, tc := range []struct {
		q, word string
		key     bool
	}{
		{"how did the navy head north", "head", false}, // after a do-verb and its subject
		{"what did Tehran cap", "cap", false},
		{"how did they rate the fleet", "rate", false},
		{"who was the head of the navy", "head", true}, // a noun
		{"did the head of the navy leave early", "head", true},
		{"when did the caspian fleet sail", "fleet", true}, // the verb comes later
		// A quantity between "a" and "of" says how much of the topic.
		{"did a bunch of warships sail", "bunch", false},
		{"did a handful of drones reach the fleet", "handful", false},
		{"did the bunch of warships sail", "bunch", true},
		// What the user tells before the question is the user's story.
		{"my sister is a welder, can she join the navy?", "welder", false},
		{"is the welder in the navy?", "welder", true},
		{"the navy fired x24, what does that mean?", "x24", true}, // told of no one
		{"the drones came, can the navy pay?", "drones", true},
		// So is what the user tells after it.
		{"can the navy take recruits, my sister is a welder", "welder", false},
		{"can the navy take recruits, the welder asked", "welder", true}, // told of no one
		{"the navy is big, my sister is a welder", "welder", true},       // nothing asked before it
	} {
		got, ok := term(ix.AnalyzeQuestion(tc.q), tc.word)
		if !ok || got.Key != tc.key {
			t.Errorf("%q: %q present %v, key %v, want key %v", tc.q, tc.word, ok, got.Key, tc.key)
		}
	}
}

func TestTypedSpans(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	tests := []struct {
		kind AnswerKind
		text string
		want []string
	}{
		{KindDate, "The abbey was founded in 632 and burned in the 11th century.", []string{"632", "the 11th century"}},
		{KindDate, "Rome fell in 476 AD, Carthage in 146 BC.", []string{"476 AD", "146 BC"}},
		{KindDate, "The treaty was signed on January 17, 2025.", []string{"January 17, 2025"}},
		{KindDate, "You may sign it in March.", []string{"March"}},
		{KindDate, "The ferry leaves at 7.15 am and is back by 19:40.", []string{"7.15 am", "19:40"}},
		// A weekday before a date is part of it; alone it is a date too.
		{KindDate, "The choir sings on Friday 3 March, and again on sunday.", []string{"Friday 3 March", "sunday"}},
		// A part of a year, a range of days, a time counted back.
		{KindDate, "Results come in the second quarter of 2031 or by the end of 2029; talks are on June 8 and 9.",
			[]string{"the second quarter of 2031", "the end of 2029", "June 8 and 9"}},
		{KindDate, "The doors open on May 4 to 10:30 visitors; the rock formed 60 million years ago, the cave a decade ago.",
			[]string{"May 4", "60 million years ago", "a decade ago"}},
		// A time of day counts nothing.
		{KindNumber, "The ferry leaves at 7.15 am and is back by 19:40.", nil},
		{KindNumber, "It carried about 6,000 drones and 3 tonnes of fuel.", []string{"6,000 drones", "3 tonnes"}},
		{KindNumber, "Iran wants Su-35 jets.", nil},
		{KindNumber, "They flew Apollo 11 from Gate 4.", nil}, // a name's number
		// A range is one span; a change from one figure to another is two.
		{KindNumber, "It takes 12 to 18 months, between 3 and 5 days, or 10–15 minutes; fares rose from £9 to £9.50.",
			[]string{"12 to 18 months", "3 and 5 days", "10–15 minutes", "£9", "£9.50"}},
		{KindNumber, "Piers are between about 2 and 3 metres long.", []string{"2 and 3 metres"}},
		// A telephone number is one span, not three numbers.
		{KindNumber, "Call 01632 960 431 or +45 70 20 14 87.", []string{"01632 960 431", "+45 70 20 14 87"}},
		// A hyphened word is kept whole; a year before one is a year.
		{KindNumber, "He signed a five-year lease; 40 stone-built barns went with it.", []string{"five-year", "40 stone-built barns"}},
		{KindNumber, "It was a 2019-era rule.", nil},
		// A hyphened unit ends the span: the word after it is what it
		// describes ("a 52-year-old former pilot").
		{KindNumber, "A 52-year-old former pilot chairs it.", []string{"52-year-old"}},
		// A currency's country letters belong to the sum.
		{KindNumber, "Trade was worth A$75 million, repairs NZ$4 billion.", []string{"A$75 million", "NZ$4 billion"}},
		// A word that qualifies the unit keeps the unit; a unit first
		// ends the span.
		{KindNumber, "Allow 4 working days for 7 square kilometres of survey, after 2 weeks notice.",
			[]string{"4 working days", "7 square kilometres", "2 weeks"}},
		{KindNumber, "The storm hurt 7 people last week.", []string{"7 people"}},
		// A code's and a range of years' tails count nothing; a fraction's
		// parts and a decimal do.
		{KindNumber, "The envoys met in room B2.14 in 2031/32.", nil},
		{KindNumber, "It took 2.5 hours and 3/4 of the fuel.", []string{"2.5 hours", "3", "4"}},
		{KindPerson, "He met Kazem Jalali, the ambassador, in Moscow.", []string{"Kazem Jalali"}},
		{KindPerson, "He was apprenticed to Riebau, a bookbinder.", []string{"Riebau"}},
		{KindPerson, "RALEIGH, June 3, 2024 — The agency approved it.", nil}, // a dateline's date is no person, after a name that may be one
		{KindPerson, "The minister, Theresa May, resigned.", []string{"Theresa May"}},
		// A name whose words WordNet knows as things is a person after a
		// role and "is", or before ", who".
		{KindPerson, "The keeper was Hazel Marsh; Ada Brook, who ran the mill, left.", []string{"Hazel Marsh", "Ada Brook"}},
		{KindPerson, "The harbour is Cold Heath.", nil},
		// An adjective with a person's noun sense ("a national") names no
		// person.
		{KindPerson, "The mill became a National Heritage Site.", nil},
		// Unknown words after "in" or "at" are a place.
		{KindPerson, "The crew trained in Skarn Vellow.", nil},
		// An initial's full stop ends no name, and an initial between
		// names marks a person.
		{KindPerson, "The lock was drawn by Amos T. Bridge, its gates by J. Oakes Barn.", []string{"Amos T. Bridge", "J. Oakes Barn"}},
		{KindPlace, "They met in Moscow.", []string{"Moscow", "in Moscow"}},
		// A phrase of place does not end inside a name; a number's full
		// stop is no initial's.
		{KindPlace, "The bust stands in the east wing of Carrow House Museum.", []string{"in the east wing of Carrow House Museum"}},
		{KindPlace, "The choir sings in Hall 2. Morning Prayer follows.", []string{"in Hall 2"}},
		{KindName, "The drills, named “CASAREX 2025”, ended.", []string{"CASAREX 2025"}},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range typedSpans(wv, tt.text, tt.kind) {
			got = append(got, tt.text[s.start:s.end])
		}
		for _, w := range tt.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("%s in %q: got %q, want %q among them", tt.kind, tt.text, got, w)
			}
		}
		if tt.want == nil && len(got) > 0 {
			t.Errorf("%s in %q: got %q, want none", tt.kind, tt.text, got)
		}
	}
}

// The spans of the rules for ranges of days, parts of years, times
// counted back, initials and qualified units are exactly these: no stray
// piece of a figure, a time or the next sentence.
func TestTypedSpansExactly(t *testing.T) {
	t.Parallel()
	wv := EmbeddedWordVectors()
	for _, tt := range []struct {
		kind AnswerKind
		text string
		want []string
	}{
		{KindDate, "It opened on May 4 and 12,000 people came.", []string{"May 4"}},
		{KindDate, "Doors open May 4 to 5 pm.", []string{"May 4", "5 pm"}},
		{KindDate, "It runs from May 4 to 9.", []string{"May 4 to 9"}},
		{KindDate, "The fair is on June 8 and 9 June is free.", []string{"June 8", "9 June"}},
		{KindDate, "The vault was sealed twenty-five years ago.", []string{"twenty-five years ago"}},
		{KindPerson, "Take Vitamin D. Doctors agree.", nil},
		{KindPerson, "It was signed by Amos T. Bridge.", []string{"Amos T. Bridge"}},
		{KindNumber, "She bought 3 new ten pound notes.", []string{"3 new", "ten pound"}},
	} {
		var got []string
		for _, s := range typedSpans(wv, tt.text, tt.kind) {
			got = append(got, tt.text[s.start:s.end])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s in %q: got %q, want %q", tt.kind, tt.text, got, tt.want)
		}
	}
}

// The suggested questions come from the corpus, change with it, and are
// questions the corpus answers.
func TestSuggestedQuestionsComeFromTheCorpus(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	e := NewEngine(ix)
	before := ix.SuggestQuestions(4)
	if len(before) < 3 {
		t.Fatalf("suggestions %q", before)
	}
	for _, q := range before {
		if a := mustAsk(t, e, q); !a.Answered {
			t.Errorf("suggested %q is not answered: %q", q, a.Answer)
		}
	}
	ix2 := NewIndex(IndexOptions{})
	ix2.Upsert(context.Background(), []*Document{
		NewDocument("a.txt", "Harbour Notes\n\nThe Northern Ferry Company runs twelve routes. The company was founded by Ada Lindqvist, and Lindqvist still chairs it."),
		NewDocument("b.txt", "Bridge Works\n\nThe old bridge reopened on Friday. Engineers from Vantaa said Vantaa crews would repair the second span."),
	}, nil)
	after := ix2.SuggestQuestions(4)
	if len(after) == 0 || strings.Join(after, "|") == strings.Join(before, "|") || !strings.Contains(strings.Join(after, " "), "Northern Ferry") {
		t.Errorf("suggestions of another corpus: %q", after)
	}
}

// TestTheQuestionIsNoAside: a leading phrase set off by a comma is
// dropped as an aside only when it does not hold the question itself.
func TestTheQuestionIsNoAside(t *testing.T) {
	t.Parallel()
	ix := mustSeedIndex(t)
	for text, core := range map[string]string{
		"what happened next, in short":                       "what happened next, in short",
		"hey, who is iran's ambassador to russia":            "who is iran's ambassador to russia",
		"what's up, who is iran's ambassador to russia":      "who is iran's ambassador to russia",
		"Quick question: who is iran's ambassador to russia": "who is iran's ambassador to russia",
		// A follow-up that names its topic first is no aside; "but hey" is.
		"and the naval drill, where was that":         "and the naval drill, where was that",
		"but hey, who is iran's ambassador to russia": "who is iran's ambassador to russia",
		"the casarex drill, where was it":             "the casarex drill, where was it",
		// A message that is all aside asks nothing; a word WordNet lacks
		// may be a name asked about.
		"thanks, that helps!": "",
		"hello there":         "",
		"medvedev":            "medvedev",
		// No request opens these: an adjective, or a verb after a topic word.
		"last summit year":    "last summit year",
		"gazprom launch year": "gazprom launch year",
	} {
		if got := ix.AnalyzeQuestion(text).core(); got != core {
			t.Errorf("%q: question read as %q, want %q", text, got, core)
		}
	}
}
