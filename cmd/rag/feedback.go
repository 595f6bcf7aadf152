package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ragteam/rag/api"
	"github.com/ragteam/rag/eval"
	"gopkg.in/yaml.v3"
)

// feedback turns feedback into eval cases: `rag feedback candidates`.
func (m *Main) feedback(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "candidates" {
		return &exitError{code: 2, err: errors.New("usage: rag feedback candidates [--out FILE] [--against SET]…")}
	}
	var cfg Config
	fs := m.flags("feedback candidates", &cfg)
	out := fs.String("out", "", "write the candidates here (default: standard output)")
	var against stringList
	fs.Var(&against, "against", "eval set whose questions are not proposed again (repeatable; default eval/*.yaml)")
	if err := m.parse(fs, &cfg, args[1:]); err != nil {
		return err
	}
	if len(against) == 0 {
		against, _ = filepath.Glob("eval/*.yaml")
	}
	known := map[string]bool{}
	for _, path := range against {
		items, err := eval.LoadSet(path)
		if err != nil {
			continue // thresholds files and the like are no sets
		}
		for _, it := range items {
			known[eval.Normalize(it.Question)] = true
		}
	}
	fb, err := api.ReadFeedback(filepath.Join(cfg.DataDir, "feedback.jsonl"))
	if err != nil {
		return err
	}
	items := candidates(fb, known)
	w := m.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := writeCandidates(w, items); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d candidate eval items from %d feedback lines (%d questions already in the eval sets)\n", len(items), len(fb), len(known))
	return nil
}

// candidates are eval items from 👎 feedback that says what the answer
// should have been (or that the corpus cannot answer), newest first, one
// per question, none whose question an eval set holds already.
func candidates(fb []api.Feedback, known map[string]bool) []eval.Item {
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

func writeCandidates(w io.Writer, items []eval.Item) error {
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
