package rag

import "testing"

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
