package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ragteam/rag/api"
	"github.com/ragteam/rag/rag"
	"github.com/ragteam/rag/rag/provider"
)

func (m *Main) ask(ctx context.Context, args []string) error {
	var cfg Config
	fs := m.flags("ask", &cfg)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	stream := fs.Bool("stream", false, "print the answer as the model writes it")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	question := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(question) == "" {
		return &exitError{code: 2, err: errors.New(`give a question: rag ask "What was the drill called?"`)}
	}
	ix, _, err := m.openIndex(ctx, &cfg)
	if err != nil {
		return err
	}
	e, err := m.engine(ix, &cfg)
	if err != nil {
		return err
	}
	q := rag.Query{Question: question}
	if *stream && !*asJSON {
		q.OnToken = func(s string) { fmt.Fprint(m.Stdout, s) }
	}
	ans, err := e.Ask(ctx, q)
	if err != nil {
		return err
	}
	if q.OnToken != nil {
		// The streamed text was the model's raw reply; below is the checked answer.
		fmt.Fprint(m.Stdout, "\n\n")
	}
	if *asJSON {
		return writeJSON(m.Stdout, ans)
	}
	printAnswer(m.Stdout, ans)
	return nil
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printAnswer writes an answer for a person: the text, then the sources.
func printAnswer(w interface{ Write([]byte) (int, error) }, ans *rag.Answer) {
	fmt.Fprintln(w, ans.Answer)
	if len(ans.Citations) > 0 {
		fmt.Fprintln(w, "\nSources:")
		for _, c := range ans.Citations {
			fmt.Fprintf(w, "  [%d] %s — %s\n      “%s”\n", c.N, c.Title, c.DocID, c.Quote)
		}
	} else if len(ans.Passages) > 0 {
		fmt.Fprintln(w, "\nClosest passages:")
		for i, p := range ans.Passages {
			fmt.Fprintf(w, "  %d. %s — %s (score %.3f)\n", i+1, p.Title, p.DocID, p.Score)
		}
	}
	note := "answered by " + ans.Answerer
	if ans.Fallback != "" {
		note += " (fallback: " + ans.Fallback + ")"
	}
	fmt.Fprintf(w, "\n(%s in %.0f ms)\n", note, ans.TimingsMS["total"])
}

func (m *Main) search(ctx context.Context, args []string) error {
	var cfg Config
	fs := m.flags("search", &cfg)
	asJSON := fs.Bool("json", false, "print the passages as JSON")
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	query := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(query) == "" {
		return &exitError{code: 2, err: errors.New(`give a query: rag search "Caspian drills"`)}
	}
	ix, _, err := m.openIndex(ctx, &cfg)
	if err != nil {
		return err
	}
	e, err := m.engine(ix, &cfg)
	if err != nil {
		return err
	}
	ps, err := e.Search(ctx, query, 0)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(m.Stdout, ps)
	}
	for i, p := range ps {
		fmt.Fprintf(m.Stdout, "%d. %.4f  %s  [%d,%d)  %s\n   %s\n\n", i+1, p.Score, p.ChunkID, p.Start, p.End, p.Title,
			strings.ReplaceAll(p.Text, "\n\n", "\n   "))
	}
	if len(ps) == 0 {
		fmt.Fprintln(m.Stdout, "no passage matches")
	}
	return nil
}

func (m *Main) ingest(ctx context.Context, args []string) error {
	var cfg Config
	fs := m.flags("ingest", &cfg)
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return &exitError{code: 2, err: errors.New("give one directory to ingest")}
	}
	if fs.NArg() == 1 {
		cfg.CorpusDir, cfg.corpusSet = fs.Arg(0), true
	}
	start := time.Now()
	ix, rep, err := m.openIndex(ctx, &cfg)
	if err != nil {
		return err
	}
	st := ix.Stats()
	fmt.Fprintf(m.Stdout, "%s: %d added, %d updated, %d removed, %d unchanged, %d skipped; index holds %d documents, %d chunks (%s, %s embeddings) in %.1fs\n",
		ix.CorpusDir(), len(rep.Added), len(rep.Updated), len(rep.Removed), rep.Unchanged, len(rep.Skipped),
		st.Documents, st.Chunks, indexPath(&cfg), st.Embedder, time.Since(start).Seconds())
	return nil
}

// serve listens at once, so /healthz answers and /readyz says 503 while
// the index loads, then serves until SIGINT or SIGTERM: in-flight requests
// finish and open streams end within the shutdown deadline.
func (m *Main) serve(ctx context.Context, args []string) error {
	var cfg Config
	fs := m.flags("serve", &cfg)
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	log := m.logger()
	proxies, _ := cfg.trustedProxies() // checked in finish
	rag.SetServingGC()
	// The data directory is this process's before anything in it (Slack's
	// event ids and votes, the index) is read.
	if err := m.lockData(cfg.DataDir); err != nil {
		return err
	}
	cfg.slack.EventsPath = filepath.Join(cfg.DataDir, "slack-events.log")
	srv := api.New(api.Config{
		Log: log, FeedbackPath: filepath.Join(cfg.DataDir, "feedback.jsonl"),
		AdminToken: cfg.AdminToken, RequestTimeout: cfg.Timeout, RateLimit: cfg.RateLimit, Burst: cfg.RateBurst,
		TrustedProxies: proxies, CORSOrigins: cfg.corsOrigins(), UploadLimit: cfg.MaxUpload, Slack: cfg.slack, PublicURL: cfg.PublicURL, APIKeys: cfg.apiKeys,
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// The request deadline bounds reading a request (headers and body: a
	// body trickled a byte at a time ends there) and how long an idle
	// keep-alive connection stays open; writing gets a little longer, so a
	// stream cut at the deadline can still send its error event.
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: min(10*time.Second, cfg.Timeout),
		ReadTimeout: cfg.Timeout, WriteTimeout: cfg.Timeout + 10*time.Second, IdleTimeout: cfg.Timeout}
	hs.RegisterOnShutdown(srv.Closing)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	stopServer := func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		hs.Shutdown(shutdownCtx)
		srv.Drain(shutdownCtx) // answers already promised to Slack
	}
	if cfg.slack.AppToken != "" {
		go func() {
			if err := srv.RunSlackSocketMode(ctx); err != nil {
				log.Error("slack socket mode stopped", "err", err)
			}
		}()
	}

	ix, _, err := m.openIndex(ctx, &cfg)
	if err == nil {
		// Loading decodes the snapshot and reads the corpus: the garbage it
		// leaves goes back to the system before serving, not minutes later
		// when the runtime's scavenger gets to it.
		debug.FreeOSMemory()
		var e *rag.Engine
		if e, err = m.engine(ix, &cfg); err == nil {
			srv.SetEngine(e)
		}
	}
	if err != nil {
		stopServer()
		return err
	}
	url := "http://" + displayAddr(ln.Addr())
	st := ix.Stats()
	fmt.Fprintf(m.Stdout, "rag: %d documents, %d chunks, %s embeddings; answers by %s\n",
		st.Documents, st.Chunks, st.Embedder, answererName(&cfg))
	fmt.Fprintf(m.Stdout, "rag: listening on %s (chat page: %s/)\n", url, url)
	if hint := tryQuestion(ix); hint != "" {
		fmt.Fprintf(m.Stdout, "try:  curl -s %s/v1/ask -H 'Content-Type: application/json' -d '%s'\n", url, hint)
	}
	if m.Ready != nil {
		m.Ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	stopServer()
	return nil
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// answererName says which path answers, for the start-up line.
func answererName(cfg *Config) string {
	if cfg.LLM == "" || cfg.LLM == provider.Extractive {
		return rag.ExtractiveName
	}
	return cfg.LLM + " (extractive when it fails)"
}

// tryQuestion is the body of an example request about the corpus itself —
// a summary of its first document, by title — quoted for a shell, or ""
// for an empty corpus.
func tryQuestion(ix *rag.Index) string {
	docs := ix.Documents()
	if len(docs) == 0 {
		return ""
	}
	body, _ := json.Marshal(map[string]string{"question": "Summarize " + docs[0].Title})
	return strings.ReplaceAll(string(body), "'", `'\''`)
}

// repair rebuilds a damaged index from every snapshot section and
// change-log record that verifies, keeping the damaged files beside it.
func (m *Main) repair(ctx context.Context, args []string) error {
	var cfg Config
	fs := m.flags("repair", &cfg)
	if err := m.parse(fs, &cfg, args); err != nil {
		return err
	}
	opts, err := cfg.indexOptions()
	if err != nil {
		return err
	}
	if err := m.lockData(cfg.DataDir); err != nil {
		return err
	}
	rep, err := rag.Repair(ctx, indexPath(&cfg), opts)
	if err != nil {
		return err
	}
	if len(rep.MovedAside) == 0 {
		fmt.Fprintf(m.Stdout, "%s verifies whole: %d documents; nothing to repair\n", indexPath(&cfg), rep.Documents)
		return nil
	}
	fmt.Fprintf(m.Stdout, "repaired %s: kept %d documents from the snapshot (%d damaged batches lost) and %d change-log records (%d damaged bytes skipped); the index holds %d documents\n",
		indexPath(&cfg), rep.SnapshotDocs, rep.LostBatches, rep.Records, rep.SkippedBytes, rep.Documents)
	for _, f := range rep.MovedAside {
		fmt.Fprintf(m.Stdout, "damaged file kept as %s\n", f)
	}
	return nil
}
