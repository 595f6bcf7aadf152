package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/ragteam/rag/rag"
	"golang.org/x/term"
)

// progress returns a progress bar on stderr when stderr is a terminal, and
// nil (no output) otherwise, so logs and pipes stay clean.
func (m *Main) progress(label string) rag.Progress {
	f, ok := m.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(done, total int) {
		fmt.Fprint(f, progressLine(label, done, total))
		if done == total {
			fmt.Fprintln(f)
		}
	}
}

// progressLine draws "\rlabel [#####.....]  50% 5/10 chunks".
func progressLine(label string, done, total int) string {
	const width = 30
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	return fmt.Sprintf("\r%s [%s%s] %3d%% %d/%d chunks", label,
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), pct, done, total)
}
