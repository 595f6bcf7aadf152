package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ragteam/rag/eval"
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
	ix, err := m.openIndex(ctx, &cfg)
	if err != nil {
		return err
	}
	e, err := m.engine(ix, &cfg)
	if err != nil {
		return err
	}
	rep := eval.Run(ctx, e, items, *k)
	failures := thresholds.Check(rep)
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
	if len(failures) > 0 {
		for _, f := range failures {
			fmt.Fprintln(m.Stderr, "eval gate:", f)
		}
		return &exitError{code: 1, err: fmt.Errorf("%d metric(s) outside thresholds", len(failures))}
	}
	return nil
}
