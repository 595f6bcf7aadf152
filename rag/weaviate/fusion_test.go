package weaviate

import (
	"regexp"
	"testing"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
)

func TestParseFusion(t *testing.T) {
	for _, tc := range []struct {
		spec   string
		alpha  float32
		fusion graphql.FusionType
		bad    bool
	}{
		{"weighted", 0.3, graphql.RelativeScore, false},
		{"weighted:0.7", 0.7, graphql.RelativeScore, false},
		{"rrf", 0.5, graphql.Ranked, false},
		{"rrf:30", 0.5, graphql.Ranked, false},
		{"dense", 1, graphql.RelativeScore, false},
		{"lexical", 0, graphql.RelativeScore, false},
		{"weighted:2", 0, "", true},
		{"cosine", 0, "", true},
	} {
		alpha, fusion, err := ParseFusion(tc.spec)
		if (err != nil) != tc.bad {
			t.Errorf("%s: error %v", tc.spec, err)
			continue
		}
		if !tc.bad && (alpha != tc.alpha || fusion != tc.fusion) {
			t.Errorf("%s: alpha %v fusion %s, want %v %s", tc.spec, alpha, fusion, tc.alpha, tc.fusion)
		}
	}
}

func TestObjectIDIsAStableNameBasedUUID(t *testing.T) {
	a, b := objectID("doc.txt#0\x00abc\x00Title"), objectID("doc.txt#0\x00abd\x00Title")
	if a != objectID("doc.txt#0\x00abc\x00Title") || a == b {
		t.Fatalf("ids %s %s", a, b)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(a) {
		t.Fatalf("%s is not a version-5 UUID", a)
	}
}
