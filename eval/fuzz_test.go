package eval

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseSet: any YAML is either a clean error or a set whose items
// all pass the checks.
func FuzzParseSet(f *testing.F) {
	if b, err := os.ReadFile("holdout.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("- id: a\n  question: q?\n  answers: [x]\n"))
	f.Add([]byte("- id: a\n  question: q?\n  unanswerable: true\n"))
	f.Add([]byte("{{{"))
	f.Add([]byte("- &a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := ParseSet(data)
		if err != nil {
			return
		}
		for _, it := range items {
			if strings.TrimSpace(it.ID) == "" || strings.TrimSpace(it.Question) == "" || it.Unanswerable == (len(it.Answers) > 0) {
				t.Fatalf("accepted a bad item: %+v", it)
			}
		}
	})
}
