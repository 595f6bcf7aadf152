package rag

import "strings"

// English word lists the analyser uses. They describe the language, not
// any corpus: irregular verb forms, spelling variants, and generic words.

// irregular maps irregular past forms to their base verb, which Porter
// stemming cannot do ("met" → "meet", "sought" → "seek").
var irregular = func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(`arise arose arisen
awake awoke awoken
bear bore borne born
beat beat beaten
become became
begin began begun
bend bent
bet bet
bid bid
bind bound
bite bit bitten
bleed bled
blow blew blown
break broke broken
breed bred
bring brought
build built
burn burnt
burst burst
buy bought
catch caught
choose chose chosen
cling clung
come came
cost cost
creep crept
cut cut
deal dealt
dig dug
do did done
draw drew drawn
dream dreamt
drink drank drunk
drive drove driven
eat ate eaten
fall fell fallen
feed fed
feel felt
fight fought
find found
flee fled
fly flew flown
forbid forbade forbidden
forget forgot forgotten
forgive forgave forgiven
freeze froze frozen
get got gotten
give gave given
go went gone
grind ground
grow grew grown
hang hung
have had
hear heard
hide hid hidden
hit hit
hold held
hurt hurt
keep kept
know knew known
lay laid
lead led
lean leant
leap leapt
learn learnt
leave left
lend lent
let let
lie lay lain
light lit
lose lost
make made
mean meant
meet met
mislead misled
overcome overcame
overtake overtook overtaken
overthrow overthrew overthrown
pay paid
prove proven
put put
quit quit
read read
rid rid
ride rode ridden
ring rang rung
rise rose risen
run ran
say said
see saw seen
seek sought
sell sold
send sent
set set
shake shook shaken
shine shone
shoot shot
show shown
shrink shrank shrunk
shut shut
sing sang sung
sink sank sunk
sit sat
sleep slept
slide slid
speak spoke spoken
speed sped
spend spent
spin spun
split split
spread spread
spring sprang sprung
stand stood
steal stole stolen
stick stuck
sting stung
strike struck stricken
strive strove striven
swear swore sworn
sweep swept
swim swam swum
swing swung
take took taken
teach taught
tear tore torn
tell told
think thought
throw threw thrown
undergo underwent undergone
understand understood
undertake undertook undertaken
uphold upheld
upset upset
wake woke woken
wear wore worn
weave wove woven
weep wept
win won
wind wound
withdraw withdrew withdrawn
withhold withheld
withstand withstood
write wrote written`, "\n") {
		f := strings.Fields(line)
		for _, form := range f[1:] {
			if _, taken := m[form]; !taken {
				m[form] = f[0]
			}
		}
	}
	// Forms that are far more often other words.
	for _, w := range []string{"found", "ground", "left", "lay", "lit", "wound", "bound", "saw", "felt", "born", "ran"} {
		delete(m, w)
	}
	return m
}()

// americanSpelling folds British spellings to American ones so that
// "defence" meets "defense" and "manoeuvre" meets "maneuver".
func americanSpelling(w string) string {
	if len(w) < 5 {
		return w
	}
	w = strings.Replace(w, "oeu", "eu", 1)
	for _, r := range [][2]string{{"ence", "ense"}, {"tre", "ter"}, {"bre", "ber"}} {
		if strings.HasSuffix(w, r[0]) && len(w) > len(r[0])+2 {
			return w[:len(w)-len(r[0])] + r[1]
		}
	}
	if i := strings.Index(w, "our"); i > 1 && i+3 >= len(w)-3 {
		return w[:i] + "or" + w[i+3:] // colour, favourite, harboured
	}
	if i := strings.Index(w, "is"); i >= 3 && (strings.HasSuffix(w, "ise") || strings.HasSuffix(w, "ised") ||
		strings.HasSuffix(w, "ising") || strings.HasSuffix(w, "isation")) {
		j := strings.LastIndex(w, "is")
		return w[:j] + "iz" + w[j+2:]
	}
	return w
}

// lightWords are generic verbs, adjectives and adverbs: they shape a
// question but rarely name its subject, so they weigh less in it.
var lightWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
go get make take give hold set put turn keep come see look want use find ask work seem feel try
leave call need become show mean begin start run move live believe bring happen write provide stand
lose include continue learn change lead understand follow stop create speak read allow add spend grow
open walk offer remember consider appear wait serve send expect build stay fall cut reach remain
suggest raise pass require decide pull hope worry think help play happen involve involved describe
mention note plan intend aim seek try want like love hate talk discuss claim state argue report
reported announce announced name named call called refer known
big small large great good bad new old high low long short many much few little more most less least
main major key important certain several various different same other another whole entire real
closer close near far recent recently current currently latest early late earlier later first last next
really actually also still even just only mostly mainly largely generally usually often sometimes
way thing things part kind sort type lot lots something anything everything nothing someone anyone
time times year day week month today date number amount name way place`) {
		m[w] = true
	}
	return m
}()

// demonyms maps a people's adjective to its country, so that "American"
// meets "America" and "U.S.", and "Iranian" meets "Iran".
var demonyms = func() map[string]string {
	m := map[string]string{}
	for _, pair := range strings.Fields(`american:america us:america usa:america british:britain uk:britain
english:england french:france german:germany italian:italy spanish:spain russian:russia
ukrainian:ukraine iranian:iran iraqi:iraq israeli:israel syrian:syria turkish:turkey
türkiye:turkey chinese:china japanese:japan korean:korea indian:india pakistani:pakistan
afghan:afghanistan saudi:arabia egyptian:egypt lebanese:lebanon yemeni:yemen armenian:armenia
azerbaijani:azerbaijan azeri:azerbaijan kazakh:kazakhstan georgian:georgia european:europe
african:africa asian:asia canadian:canada mexican:mexico brazilian:brazil australian:australia
palestinian:palestine jordanian:jordan qatari:qatar emirati:emirates omani:oman kuwaiti:kuwait
polish:poland belarusian:belarus dutch:netherlands swedish:sweden norwegian:norway finnish:finland
greek:greece venezuelan:venezuela cuban:cuba nigerian:nigeria ethiopian:ethiopia libyan:libya
sudanese:sudan somali:somalia serbian:serbia hungarian:hungary romanian:romania bulgarian:bulgaria
uzbek:uzbekistan turkmen:turkmenistan tajik:tajikistan kyrgyz:kyrgyzstan mongolian:mongolia
vietnamese:vietnam thai:thailand indonesian:indonesia filipino:philippines iranians:iran
russians:russia americans:america israelis:israel ukrainians:ukraine`) {
		adj, country, _ := strings.Cut(pair, ":")
		m[adj] = country
	}
	return m
}()
