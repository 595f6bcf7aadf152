package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ragteam/rag/eval"
	"github.com/ragteam/rag/rag"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var _ flag.Value = (*stringList)(nil)

func (m *Main) eval(ctx context.Context, args []string) error {
	var cfg Config
	fs := m.flags("eval", &cfg)
	var sets stringList
	fs.Var(&sets, "set", "eval set YAML file (repeatable; default eval/qa.yaml)")
	k := fs.Int("k", 0, "passages per question (default: --top-k)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	junit := fs.String("junit", "", "write a JUnit XML report to this file")
	thresholdsPath := fs.String("thresholds", "eval/thresholds.yaml", "thresholds file; empty for none")
	record := fs.String("record", "", "write the model's replies to this file (needs --llm)")
	replay := fs.String("replay", "", "answer with the model replies recorded in this file")
	baselinePath := fs.String("baseline", "", "a previous --json report: list items that newly fail or pass, and fail when one that passed fails")
	markdown := fs.String("markdown", "", "write a Markdown summary (figures, regressions, worst items) to this file")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	if len(sets) == 0 {
		sets = stringList{"eval/qa.yaml"}
	}
	if *k == 0 {
		*k = cfg.TopK
	}
	var items []eval.Item
	for _, path := range sets {
		set, err := eval.LoadSet(path)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		items = append(items, set...)
	}
	var thresholds eval.Thresholds
	if *thresholdsPath != "" {
		t, err := eval.LoadThresholds(*thresholdsPath)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		thresholds = t
	}
	var baseline *eval.Report
	if *baselinePath != "" {
		b, err := eval.LoadReport(*baselinePath)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		baseline = &b
	}
	var recording *eval.Recording
	switch {
	case *record != "" && *replay != "":
		return &exitError{code: 2, err: fmt.Errorf("--record and --replay exclude each other")}
	case *record != "":
		if cfg.LLM == "" || cfg.LLM == "extractive" {
			return &exitError{code: 2, err: fmt.Errorf("--record needs a model: set --llm or RAG_LLM")}
		}
		recording = &eval.Recording{}
		m.wrapModel = func(model rag.Model, ok bool) (rag.Model, bool) { return eval.Record(model, recording), ok }
	case *replay != "":
		rec, err := eval.LoadRecording(*replay)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		m.wrapModel = func(rag.Model, bool) (rag.Model, bool) { return eval.Replay(rec), true }
	}
	ix, _, err := m.openIndex(ctx, &cfg)
	if err != nil {
		return err
	}
	e, err := m.engine(ix, &cfg)
	if err != nil {
		return err
	}
	rep := eval.Run(ctx, e, items, *k)
	failures := thresholds.Check(rep)
	if recording != nil {
		if err := recording.Save(*record); err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "recorded %d replies of %s to %s\n", len(recording.Replies), recording.Model, *record)
	}
	if *asJSON {
		if err := writeJSON(m.Stdout, rep); err != nil {
			return err
		}
	} else {
		eval.WriteTable(m.Stdout, rep)
	}
	if *junit != "" {
		f, err := os.Create(*junit)
		if err != nil {
			return err
		}
		if err := eval.WriteJUnit(f, "eval", rep, failures); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if *markdown != "" {
		f, err := os.Create(*markdown)
		if err != nil {
			return err
		}
		eval.WriteMarkdown(f, "Eval: "+strings.Join(sets, ", "), rep, thresholds, failures, baseline)
		if err := f.Close(); err != nil {
			return err
		}
	}
	var regressions int
	if baseline != nil {
		cmp := eval.Compare(*baseline, rep)
		eval.WriteComparison(m.Stderr, cmp) // stdout holds the table or the JSON report
		regressions = len(cmp.NewlyFailing)
	}
	if len(failures) > 0 {
		for _, f := range failures {
			fmt.Fprintln(m.Stderr, "eval gate:", f)
		}
		return &exitError{code: 1, err: fmt.Errorf("%d metric(s) outside thresholds", len(failures))}
	}
	if regressions > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d item(s) that passed in the baseline fail now", regressions)}
	}
	return nil
}
