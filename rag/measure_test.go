package rag

import "testing"

func TestAskedMeasure(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		core, focus string
		want        measure
	}{
		{"how tall is the tower", "", measureLength},
		{"how heavy was the bell", "", measureWeight},
		{"how much did the bell weigh", "", measureWeight},
		{"how much did the repairs cost", "", measureMoney},
		{"how old was the captain", "", measureTime},
		{"how many bridges cross the river", "bridge", measureCount},
		{"how many kilometres long is it", "kilometre", measureLength},
		{"how long did the siege last", "", measureNone}, // a time or a length
		{"how much water does it hold", "", measureNone},
		{"what is the tallest tower", "", measureNone},
	} {
		if got := askedMeasure(tt.core, tt.focus); got != tt.want {
			t.Errorf("%q: measure %d, want %d", tt.core, got, tt.want)
		}
	}
}

func TestNumbersAnswerOnlyTheirMeasure(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		question, sentence string
		want               string // the span that answers; "" for none
	}{
		{"how many bridges cross the river", "The gorge is about 130 kilometres long.", ""},
		{"how many bridges cross the river", "Some 12 bridges cross it.", "12 bridges"},
		{"how heavy was the bell", "The bell hung 40 metres above the square.", ""},
		{"how heavy was the bell", "The bell weighed 13 tonnes.", "13 tonnes"},
		{"how much did the repairs cost", "The repairs took 3 years.", ""},
		{"how much did the repairs cost", "The repairs cost $4 million.", "$4 million"},
		{"how old was the captain", "The captain had sailed for 20 years.", "20 years"},
		{"how old was the captain", "The ship carried 64 guns.", ""},                // a count, no age
		{"how old was the captain", "The captain was 52 when the ship sank.", "52"}, // no unit: it may be one
	} {
		ix := wordIndex(t, tt.sentence)
		q := ix.AnalyzeQuestion(tt.question)
		cands := sentenceCandidates([]Passage{{DocID: "d", Text: tt.sentence, End: len(tt.sentence)}})
		got := ""
		if spans := cands[0].answerSpans(q); len(spans) > 0 {
			got = tt.sentence[spans[0].start:spans[0].end]
		}
		if got != tt.want {
			t.Errorf("%q in %q: span %q, want %q", tt.question, tt.sentence, got, tt.want)
		}
	}
}
