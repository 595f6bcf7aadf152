package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ragteam/rag/api"
	"github.com/ragteam/rag/eval"
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
	items := api.Candidates(fb, known)
	w := m.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if err := api.WriteCandidates(w, items); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d candidate eval items from %d feedback lines (%d questions already in the eval sets)\n", len(items), len(fb), len(known))
	return nil
}
