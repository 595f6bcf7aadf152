package rag

import (
	"reflect"
	"testing"
)

func TestTerms(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"The drills were named CASAREX 2025":    {"drill", "name", "casarex", "2025"},
		"Iran's defence minister met in Moscow": {"iran", "defenc", "minist", "meet", "moscow"},
		"The U.S. and the US agree":             {"us", "us", "agre"},
		"Allies sought arms":                    {"alli", "seek", "arm"},
		"Shahed-136 drones":                     {"shahe", "136", "drone"},
		"what did they say to us":               {},
		"im sure it doesnt and we cant":         {"sure"},
		"youre right, ive seen the shell shed":  {"right", "see", "shell", "shed"},
		"their ire":                             {"ire"},
		"use %#v, not %v; %-8.2f pads":          {"use", "%#v", "%v", "%-8.2f", "pad"},
		"50% done, %% and 100%":                 {"50", "100"},
		`\d matches digits, [^\D] too, \pN`:     {`\d`, "match", "digit", `\D`, `\pN`},
		`logs in %appdata%\acme\sync\logs`:      {"log", "appdata", "acm", "sync", "log"},
		`saved to d:\logs`:                      {"save", "d", "log"},
		`open \docs\guide`:                      {"open", "doc", "guid"},
	}
	for in, want := range cases {
		got := terms(in)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("terms(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInitialisms(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"The Shanghai Cooperation Organization met in June.": {"sco"},
		"A loan from the Bank of England and Wales":          {"bew"},
		"In Moscow, Putin spoke.":                            nil, // a comma parts them
		"Caspian Policy Center\nAuthor Nicholas Castillo":    {"cpc", "anc"},
		"the new treaty": nil,
	}
	for in, want := range cases {
		if got := initialisms(in, words(in)); !reflect.DeepEqual(got, want) {
			t.Errorf("initialisms(%q) = %q, want %q", in, got, want)
		}
	}
}
