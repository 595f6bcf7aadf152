package rag

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCleanRemovesDebris(t *testing.T) {
	t.Parallel()
	raw := `Skip to main content
World news

Harbour Authority Opens New Ferry Terminal in the North

Photo: Jane Doe / Example Agency
The new terminal opened on Tuesday after three years of building. It serves twelve routes.
Image source: example.org

Officials said the terminal would cut waiting times by half.

Related Articles

Ten Unrelated Things You Should Know About Gardening
Another teaser about a different story entirely.`
	text, title := Clean(raw)
	if title != "Harbour Authority Opens New Ferry Terminal in the North" {
		t.Errorf("title = %q", title)
	}
	for _, debris := range []string{"Skip to main content", "World news", "Photo:", "Image source", "Related Articles", "Gardening", "teaser"} {
		if strings.Contains(text, debris) {
			t.Errorf("text keeps debris %q:\n%s", debris, text)
		}
	}
	for _, kept := range []string{"The new terminal opened on Tuesday", "Officials said the terminal"} {
		if !strings.Contains(text, kept) {
			t.Errorf("text lost %q", kept)
		}
	}
}

func TestCleanTitleFallsBackToFirstSentence(t *testing.T) {
	t.Parallel()
	text, title := Clean("The council met on Monday to discuss the budget. It approved a new park.\nMembers voted nine to two.")
	if title != "The council met on Monday to discuss the budget." {
		t.Errorf("title = %q", title)
	}
	if !strings.HasPrefix(text, "The council met") {
		t.Errorf("text = %q", text)
	}
}

func TestCleanDropsSlugDuplicateOfHeadline(t *testing.T) {
	t.Parallel()
	text, title, labels := clean("Site Name\n\nbridges reopen after the storm\n\nBridges Reopen After the Storm\n\nAll three bridges reopened on Friday morning after repairs.")
	if title != "Bridges Reopen After the Storm" {
		t.Errorf("title = %q", title)
	}
	if !strings.Contains(labels, "Site Name") {
		t.Errorf("labels = %q, want the site name kept for search", labels)
	}
	if strings.Contains(text, "bridges reopen after the storm") || strings.Contains(text, "Site Name") {
		t.Errorf("text keeps the slug or site name:\n%s", text)
	}
}

func TestCleanKeepsAMidPageRelatedMarkerContent(t *testing.T) {
	t.Parallel()
	// A "see also" line high on the page is dropped alone; the story after it stays.
	raw := "A Long Headline About the Annual Harvest Festival\n\nSee also\n\nThe festival drew thousands of visitors to the valley this weekend, organisers said.\n\n" +
		strings.Repeat("Farmers sold apples, pears and cider from stalls along the river all day long. ", 8)
	text, _ := Clean(raw)
	if strings.Contains(text, "See also") || !strings.Contains(text, "Farmers sold apples") {
		t.Errorf("text = %q", text)
	}
}

func TestCleanNormalisesWhitespaceOnly(t *testing.T) {
	t.Parallel()
	raw := "  First   paragraph\twith  spaces.  \r\n\r\n\r\nSecond paragraph, wrapped mid sentence and continuing\non the next line.\n"
	text, _ := Clean(raw)
	want := "First paragraph with spaces.\n\nSecond paragraph, wrapped mid sentence and continuing on the next line."
	if text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
}

// Text wrapped at a fixed width joins back into its sentences whatever a
// line begins with; a title over a byline, a heading, a list, a table or
// code keeps its lines.
func TestCleanJoinsWrappedSentences(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ raw, want string }{
		{"The sender writes values to the stream, and the reply is handed to a\n[Reader] that takes them back and stores them in\nGo variables of its own.",
			"The sender writes values to the stream, and the reply is handed to a [Reader] that takes them back and stores them in Go variables of its own."},
		{"Talks between the two delegations ended without a deal\nMonday, officials in both capitals said.",
			"Talks between the two delegations ended without a deal Monday, officials in both capitals said."},
		{"Iran and Russia Sign a Long Awaited Treaty in Moscow\nBy A Staff Writer",
			"Iran and Russia Sign a Long Awaited Treaty in Moscow\n\nBy A Staff Writer"},
		{"The steps to follow before the service starts are these\n1. Copy the files.\n2. Start it.",
			"The steps to follow before the service starts are these\n\n1. Copy the files.\n\n2. Start it."},
		{"Iran and Russia deepen their ties as the drills end at sea\nBy Jane Doe\nThe two navies met in the Caspian for three days of drills, officials in both capitals said on Friday, and the ministers signed a new accord.",
			"Iran and Russia deepen their ties as the drills end at sea\n\nBy Jane Doe\n\nThe two navies met in the Caspian for three days of drills, officials in both capitals said on Friday, and the ministers signed a new accord."},
		{"## Configuring the server for the first time today\nThe server reads its settings from the file named below when it starts.",
			"## Configuring the server for the first time today\n\nThe server reads its settings from the file named below when it starts."},
		{"Alice | 30 | London and the rest of the united kingdom\nBob | 40 | Paris and the rest of the country of france",
			"Alice | 30 | London and the rest of the united kingdom\n\nBob | 40 | Paris and the rest of the country of france"},
		{"The verbs below print the value in the form described by\n\t%x\tbase 16, with lower-case letters for a-f\n\t%X\tbase 16, with upper-case letters for A-F",
			"The verbs below print the value in the form described by\n\n%x base 16, with lower-case letters for a-f\n\n%X base 16, with upper-case letters for A-F"},
	} {
		if text, _ := Clean(tt.raw); text != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.raw, text, tt.want)
		}
	}
}

// The seeds are scraped pages: no debris may become a title, and the
// stored text keeps every word of the source's prose.
func TestCleanSeeds(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../seeds/*.txt")
	if err != nil || len(files) != 5 {
		t.Fatalf("seeds: %v %v", files, err)
	}
	debris := []string{"Skip to main content", "Related Articles", "Check Also", "Photo:", "Image source", "National security", "CPC - Caspian Policy Center"}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		d := NewDocument(filepath.Base(f), string(raw))
		for _, bad := range debris {
			if strings.Contains(d.Title, bad) || strings.Contains(d.Text, bad) {
				t.Errorf("%s keeps debris %q (title %q)", d.ID, bad, d.Title)
			}
		}
		if len(strings.Fields(d.Title)) < 5 {
			t.Errorf("%s: title %q is too short to name the page", d.ID, d.Title)
		}
		// Only whitespace and whole debris lines may differ from the source.
		src := strings.Join(strings.Fields(string(raw)), " ")
		for _, para := range strings.Split(d.Text, "\n\n") {
			if !strings.Contains(src, strings.Join(strings.Fields(para), " ")) {
				t.Errorf("%s: paragraph not in source: %q", d.ID, para)
			}
		}
	}
}
