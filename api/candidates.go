package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/ragteam/rag/eval"
	"gopkg.in/yaml.v3"
)

// Candidates are eval items from 👎 feedback that says what the answer
// should have been (or that the corpus cannot answer), newest first, one
// per question, none whose question an eval set holds already.
func Candidates(fb []Feedback, known map[string]bool) []eval.Item {
	var items []eval.Item
	seen := map[string]bool{}
	for i := len(fb) - 1; i >= 0; i-- {
		f := fb[i]
		q := eval.Normalize(f.Question)
		if f.Rating != "down" || q == "" || seen[q] || known[q] || (eval.Normalize(f.Expected) == "" && !f.Unanswerable) {
			continue
		}
		seen[q] = true
		sum := sha256.Sum256([]byte(q))
		it := eval.Item{ID: "feedback-" + hex.EncodeToString(sum[:5]), Question: f.Question}
		if f.Unanswerable {
			it.Unanswerable = true
		} else {
			it.Answers = []string{f.Expected}
			it.Sources = unique(f.DocIDs)
		}
		items = append(items, it)
	}
	return items
}

func unique(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// WriteCandidates writes candidate items as an eval set, with a note on
// what to do with them.
func WriteCandidates(w io.Writer, items []eval.Item) error {
	fmt.Fprintln(w, "# Eval candidates from 👎 feedback (rag feedback candidates): review each, then append it to an eval set.")
	fmt.Fprintln(w, "# sources are the documents of the passages the answer showed; keep those that hold the answer.")
	if len(items) == 0 {
		_, err := fmt.Fprintln(w, "[]")
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(items); err != nil {
		return err
	}
	return enc.Close()
}

// feedbackCandidates answers GET /v1/feedback/candidates for the admin:
// the eval candidates of the feedback so far, as an eval YAML file to
// review (the command `rag feedback candidates` also leaves out questions
// the eval sets hold already).
func (s *Server) feedbackCandidates(c echo.Context) error {
	s.feedbackMu.Lock()
	fb, err := ReadFeedback(s.cfg.FeedbackPath)
	s.feedbackMu.Unlock()
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/yaml; charset=utf-8")
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="eval-candidates.yaml"`)
	c.Response().WriteHeader(http.StatusOK)
	return WriteCandidates(c.Response(), Candidates(fb, nil))
}
