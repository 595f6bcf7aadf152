package rag

import (
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"plain", "One two three four. Five six seven eight!", []string{"One two three four.", "Five six seven eight!"}},
		{"abbreviations", "The U.S. envoy met Dr. Smith on Monday. They talked for hours about it.", []string{"The U.S. envoy met Dr. Smith on Monday.", "They talked for hours about it."}},
		{"closing quote", "He said “we will go there now.” Then the ship left the port.", []string{"He said “we will go there now.”", "Then the ship left the port."}},
		{"lower case after stop", "Prices rose 2.5 per cent. in May, the office said today.", []string{"Prices rose 2.5 per cent. in May, the office said today."}},
		{"heading then prose", "Latest News\n\nThe river rose overnight across the plain.", []string{"Latest News", "The river rose overnight across the plain."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := sentences(tt.text, 0, len(tt.text))
			var got []string
			for _, s := range spans {
				got = append(got, tt.text[s.Start:s.End])
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("sentence %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestHeadingsAreNotQuotable(t *testing.T) {
	t.Parallel()
	text := "Expert Analysis\n\nAuthor: Jane Doe\n\nThe drills lasted three days in the sea."
	var quotable []string
	for _, s := range sentences(text, 0, len(text)) {
		if s.Quotable {
			quotable = append(quotable, text[s.Start:s.End])
		}
	}
	want := []string{"Author: Jane Doe", "The drills lasted three days in the sea."}
	if len(quotable) != len(want) || quotable[0] != want[0] || quotable[1] != want[1] {
		t.Errorf("quotable = %q, want %q", quotable, want)
	}
}

// TestListItemsAreQuotable: the lines of a list or a table look like
// headings one by one, but each states a fact; a heading standing alone
// above its prose stays unquotable.
func TestListItemsAreQuotable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       []string
	}{
		{"table under a label", "The verbs:\n\nBoolean:\n\n%t  the word true or false\n\nInteger:\n\n%b  base 2\n\n%x  base 16, with lower-case letters",
			[]string{"%t  the word true or false", "%b  base 2", "%x  base 16, with lower-case letters"}},
		{"list under its heading", "Spring cleaning checklist for the boat\n\nscrub the deck with fresh water\n\noil every hinge on the hatches\n\nThat is all there is to it.",
			[]string{"scrub the deck with fresh water", "oil every hinge on the hatches", "That is all there is to it."}},
		{"clauses ending in semicolons", "[Print] and [Println] write to standard output;\n\nSprint and Sprintln return the text as a string;\n\nThe other families append to a slice.",
			[]string{"[Print] and [Println] write to standard output;", "Sprint and Sprintln return the text as a string;", "The other families append to a slice."}},
		{"rows that begin alike", "Verbs for strings:\n\n%q  a double-quoted string safely escaped.\n\n%x  base 16, two characters per byte",
			[]string{"%q  a double-quoted string safely escaped.", "%x  base 16, two characters per byte"}},
		{"headings between prose", "Early Life and Education\n\nShe was born in a small town by the sea.\n\nLater Years Abroad\n\nShe moved to Paris in her forties.",
			[]string{"She was born in a small town by the sea.", "She moved to Paris in her forties."}},
		{"a rule under a list item", "Steps:\n\nOpen the valve and wait,\n\n---\n\nThen close it again slowly.",
			[]string{"Open the valve and wait,", "Then close it again slowly."}},
		// A Markdown table, a row per paragraph as cleaned text keeps it:
		// each row of data, not its header nor the rule under it.
		{"markdown table", "Oven modes\n\n| Mode | Time | Power |\n\n|---|---|---|\n\n| Defrost | 12 min | 300 W |\n\n| Grill | 8 min | 1,100 W |\n\n| x := a[i] | y[j] {} | z() |",
			[]string{"| Defrost | 12 min | 300 W |", "| Grill | 8 min | 1,100 W |"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range sentences(tt.text, 0, len(tt.text)) {
				if s.Quotable {
					got = append(got, tt.text[s.Start:s.End])
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("quotable = %q, want %q", got, tt.want)
			}
		})
	}
}

// A table's row is read with its header, found back over the rows above
// it; a header and a row of no table have none.
func TestTableHeader(t *testing.T) {
	t.Parallel()
	text := "Fees\n\n| Item | Fee |\n\n|---|---|\n\n| Library card | €5 |\n\n| Late return | €1 |\n\n| not a table |"
	for row, want := range map[string]string{
		"| Late return":  "| Item | Fee |",
		"| Library card": "| Item | Fee |",
		"| Item":         "",
		"Fees":           "",
	} {
		if got := tableHeader(text, strings.Index(text, row)); got != want {
			t.Errorf("%q: header %q, want %q", row, got, want)
		}
	}
	if got := tableHeader("| a | b |\n\n| c | d |", 11); got != "" {
		t.Errorf("no rule row, header %q", got)
	}
}
