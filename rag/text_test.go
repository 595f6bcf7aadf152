package rag

import (
	"reflect"
	"testing"
)

func TestTerms(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"The drills were named CASAREX 2025":    {"drill", "name", "casarex", "2025"},
		"Iran's defence minister met in Moscow": {"iran", "defens", "minist", "meet", "moscow"},
		"The U.S. and the US agree":             {"america", "america", "agre"},
		"American officials":                    {"america", "offici"},
		"Shahed-136 drones":                     {"shahe", "136", "drone"},
		"what did they say to us":               {},
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

func TestAmericanSpelling(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{{"defence", "defense"}, {"manoeuvres", "maneuvres"}, {"centre", "center"}, {"organised", "organized"}, {"colour", "color"}} {
		if stem(pair[0]) != stem(pair[1]) && stem(pair[0]) != stem(americanSpelling(pair[1])) {
			t.Errorf("%s and %s stem apart: %s, %s", pair[0], pair[1], stem(pair[0]), stem(pair[1]))
		}
	}
}
