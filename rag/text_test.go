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
