// Command rag answers questions over a document corpus with cited
// passages. Subcommands: serve, ask, search, ingest, eval.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/ragteam/rag/prompts"
	"github.com/ragteam/rag/rag"
	"github.com/ragteam/rag/rag/provider"
)

func main() {
	// langchaingo's splitter warns about chunk sizes through the standard
	// logger, once per chunk; the service logs through slog.
	log.SetOutput(io.Discard)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(m.Run(ctx, os.Args[1:]))
}

// Main is the program, with its outside world as fields so tests can run
// it in process.
type Main struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, is called with the server's address once it listens.
	Ready func(addr string)

	// wrapModel, when set, replaces the configured model (eval's record
	// and replay modes).
	wrapModel func(m rag.Model, ok bool) (rag.Model, bool)

	// locks are the data directories this command holds (see lockData).
	locks []*os.File
}

// exitError carries a process exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

const usage = `usage: rag <command> [flags] [args]

commands:
  serve            serve the HTTP API and chat page
  ask QUESTION     answer a question with cited passages
  search QUERY     list the passages that best match a query
  ingest [DIR]     index a directory of documents (default: the corpus)
  eval             run the eval set and check its thresholds
  vectors          convert pretrained word vectors into the built-in format
  repair           rebuild a damaged index from everything in it that verifies
  feedback candidates  eval items from 👎 feedback with an expected answer

Run 'rag <command> -h' for a command's flags.
`

// Run runs one subcommand and returns the process exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if m.Getenv == nil {
		m.Getenv = os.Getenv
	}
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return 2
	}
	commands := map[string]func(context.Context, []string) error{
		"serve":    m.serve,
		"ask":      m.ask,
		"search":   m.search,
		"ingest":   m.ingest,
		"eval":     m.eval,
		"vectors":  m.vectors,
		"repair":   m.repair,
		"feedback": m.feedback,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			fmt.Fprint(m.Stdout, usage)
			return 0
		}
		fmt.Fprintf(m.Stderr, "rag: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	err := cmd(ctx, args[1:])
	for _, f := range m.locks {
		f.Close() // releases the lock
	}
	m.locks = nil
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		if ee.err != nil {
			fmt.Fprintf(m.Stderr, "rag %s: %v\n", args[0], ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(m.Stderr, "rag %s: %v\n", args[0], err)
	return 1
}

// flags returns a flag set with every setting bound to cfg.
func (m *Main) flags(name string, cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("rag "+name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg.bind(fs, m.Getenv)
	return fs
}

// parse parses args and checks the settings; a usage error exits 2.
func (m *Main) parse(fs *flag.FlagSet, cfg *Config, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: 2}
	}
	if err := cfg.finish(fs); err != nil {
		return &exitError{code: 2, err: err}
	}
	return nil
}

func (m *Main) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(m.Stderr, nil))
}

// indexPath is where the index snapshot lives in the data directory.
func indexPath(cfg *Config) string { return filepath.Join(cfg.DataDir, "index.gob") }

// openIndex opens the index of the data directory, bound there (changes
// are durable when made), and brings it up to date with the corpus
// directory: the one named by flag or environment, else the one the index
// last mirrored, else ./seeds.
func (m *Main) openIndex(ctx context.Context, cfg *Config) (*rag.Index, rag.SyncReport, error) {
	if err := m.lockData(cfg.DataDir); err != nil {
		return nil, rag.SyncReport{}, err
	}
	opts, err := cfg.indexOptions()
	if err != nil {
		return nil, rag.SyncReport{}, err
	}
	if opts.Remote, err = cfg.remote(ctx); err != nil {
		return nil, rag.SyncReport{}, err
	}
	ix, err := rag.OpenIndex(ctx, indexPath(cfg), opts)
	if err != nil {
		return nil, rag.SyncReport{}, err
	}
	log := m.logger()
	if n := ix.TornTail(); n > 0 {
		log.Warn("dropped a torn final change-log record (a write cut off before it was acknowledged)", "bytes", n)
	}
	ix.OnFold(func(err error) {
		if err != nil {
			log.Error("folding the change log into a new snapshot failed; retried after the next change", "err", err)
		}
	})
	dir := cfg.CorpusDir
	if !cfg.corpusSet && ix.CorpusDir() != "" {
		dir = ix.CorpusDir()
	}
	rep, err := ix.Sync(ctx, dir, m.progress("indexing"))
	if err != nil {
		return nil, rep, err
	}
	m.reportSkipped(rep)
	if opts.Remote != nil {
		r, err := ix.Reconcile(ctx)
		if err != nil {
			return nil, rep, err
		}
		log.Info("search engine in line with the index", "engine", opts.Remote.Name(), "held", r.Held, "added", r.Added, "other_versions", r.Foreign)
	}
	return ix, rep, nil
}

func (m *Main) reportSkipped(rep rag.SyncReport) {
	for _, s := range rep.Skipped {
		fmt.Fprintf(m.Stderr, "skipped %s: %s\n", s.Path, s.Reason)
	}
}

// engine wires the answerer: the extractive one, or a model with the
// extractive one as its fallback. Prompts are loaded and checked here, at
// start-up, whichever answerer runs.
func (m *Main) engine(ix *rag.Index, cfg *Config) (*rag.Engine, error) {
	p, err := prompts.Load(cfg.PromptsDir)
	if err != nil {
		return nil, err
	}
	e := rag.NewEngine(ix)
	e.TopK = cfg.TopK
	e.MaxQuestion = cfg.MaxQuestion
	model, ok, err := provider.NewModel(cfg.providers)
	if err != nil {
		return nil, err
	}
	if m.wrapModel != nil {
		model, ok = m.wrapModel(model, ok)
	}
	if ok {
		e.Answer = rag.LLM(rag.LLMOptions{Model: model, Prompts: p, Timeout: cfg.LLMTimeout, Fallback: e.Answer})
		e.Streaming = true
		e.Chat = func(ctx context.Context, msgs []rag.Message) (string, error) {
			ctx, cancel := context.WithTimeout(ctx, cfg.LLMTimeout)
			defer cancel()
			return model.Generate(ctx, msgs, nil)
		}
		e.Rewrite = rag.LLMRewrite(model, p, cfg.LLMTimeout)
	}
	return e, nil
}

// lockData takes the data directory for this command. One rag process at
// a time may use it: a second one would replay and cut the change log the
// first is appending to, or clear it with a snapshot of its own, and
// acknowledged uploads would be lost. The lock goes when the command ends.
func (m *Main) lockData(dir string) error {
	if len(m.locks) > 0 {
		return nil // taken already by this command
	}
	if err := checkWritable(dir); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("data directory %s: %w", dir, unwrapPath(err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return fmt.Errorf("data directory %s is in use by another rag process (a serve, ingest or repair); stop it, or give this command another --data", dir)
	}
	m.locks = append(m.locks, f)
	return nil
}

// checkWritable makes sure the data directory exists and takes files, so
// that a bad one stops the start with a clear message rather than failing
// at the first save.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("data directory %s cannot be created: %w", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %w", dir, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
