// Command bench measures how the service's cost grows with the corpus:
// ingest throughput, search and ask latency, memory, restart time and HTTP
// throughput, each beside a baseline measured in the same run. It writes
// BENCHMARKS.md, bench/latency.png and bench/results.json.
//
//	go run ./bench              # 1k, 10k, 100k and 1M chunks and the seeds
//	go run ./bench -sizes 1000 -weaviate ""  # a quick run
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ragteam/rag/internal/synth"
	"github.com/ragteam/rag/rag"
)

func main() {
	log.SetOutput(io.Discard) // langchaingo's splitter warns on stderr about chunk sizes
	sizes := flag.String("sizes", "1000,10000,100000,1000000", "corpus sizes in chunks")
	wvServer := flag.String("weaviate", filepath.Join(goPath(), "bin", "weaviate-server"), "Weaviate server binary, measured at -weaviate-size (\"\" to leave out)")
	wvSize := flag.Int("weaviate-size", 100000, "the corpus size Weaviate is measured at")
	childWeaviate := flag.String("weaviate-url", "", "internal: measure the restarted index in this Weaviate instead")
	out := flag.String("out", ".", "repository root to write BENCHMARKS.md and bench/ into")
	queries := flag.Int("queries", 300, "queries per latency measurement")
	child := flag.String("restart", "", "internal: load the index in this directory and measure it")
	throughput := flag.String("throughput", "", "internal: load the index in this directory and search in process for each round read from stdin")
	childCorpus := flag.String("corpus", "", "internal: the corpus directory the restarted index checks")
	rerender := flag.Bool("rerender", false, "rewrite BENCHMARKS.md, bench/latency.png and bench/results.json under -out from the run recorded in its bench/results.json (after a change to the report)")
	flag.Parse()
	if *rerender {
		check(rerenderReport(*out))
		return
	}
	if *throughput != "" {
		throughputMain(*throughput)
		return
	}
	if *child != "" {
		restartChild(*child, *childCorpus, *childWeaviate, *queries)
		return
	}
	ctx := context.Background()
	bin, cleanup, err := buildServer()
	check(err)
	defer cleanup()
	bandwidth := memoryBandwidth()
	fmt.Fprintf(os.Stderr, "memory bandwidth %.1f GB/s\n", bandwidth/1e9)
	var results []sizeResult
	seeds, err := measure(ctx, "seeds", "seeds", bin, "", *queries)
	check(err)
	results = append(results, seeds)
	for _, s := range strings.Split(*sizes, ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		check(err)
		wv := ""
		if n == *wvSize {
			wv = *wvServer
		}
		r, err := measureSynthetic(ctx, n, bin, wv, *queries)
		check(err)
		results = append(results, r)
	}
	web, err := measureHTTP(ctx)
	check(err)
	// The probe reads differently from moment to moment on a shared
	// machine: the better of a reading at each end of the run.
	end := memoryBandwidth()
	rep := report{Machine: machine(), BandwidthEndsGBs: []float64{round(bandwidth / 1e9), round(end / 1e9)},
		Sizes: results, HTTP: web, Date: time.Now().UTC().Format("2006-01-02")}
	check(rep.write(*out))
	fmt.Print(rep.markdown())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// sizeResult is every figure measured at one corpus size.
type sizeResult struct {
	Name       string  `json:"name"`
	Docs       int     `json:"docs"`
	Chunks     int     `json:"chunks"`
	TextMB     float64 `json:"text_mb"`
	IngestS    float64 `json:"ingest_s"`
	ChunksPerS float64 `json:"ingest_chunks_per_s"`
	MBPerS     float64 `json:"ingest_mb_per_s"`
	SnapshotMB float64 `json:"snapshot_mb"`
	restartMeasures
	// Serve is the real binary on the same data directory.
	Serve serveMeasures `json:"serve"`
	// Weaviate is the same index and questions in a real Weaviate.
	Weaviate *weaviateMeasures `json:"weaviate,omitempty"`
}

// restartMeasures come from a fresh process that loads the saved index.
type restartMeasures struct {
	ReadyS      float64 `json:"ready_s"`
	RSSMB       float64 `json:"rss_mb"`
	HeapMB      float64 `json:"heap_mb"`
	VectorMB    float64 `json:"vector_mb"`
	RSSOverData float64 `json:"rss_over_data"`
	// LiveRSSMB is the most the process held while it searched and
	// answered (sampled every 20 ms, no collection forced).
	LiveRSSMB       float64 `json:"live_rss_mb"`
	LiveRSSOverData float64 `json:"live_rss_over_data"`
	HeapPerChunk    float64 `json:"heap_bytes_per_chunk"`
	RSSPerChunk     float64 `json:"rss_bytes_per_chunk"`
	Search          latency `json:"search_ms"`
	Dense           latency `json:"dense_ms"`
	Scan            latency `json:"scan_ms"`
	Chromem         latency `json:"chromem_ms"`
	Ask             latency `json:"ask_ms"`
	// DenseRecall10 is the share of the exact scan's top 10 the dense part
	// (int8 pass, float32 rescoring) returns, over the questions.
	DenseRecall10 float64 `json:"dense_recall_at_10"`
	// ScanBytes is what one pass of the int8 kernel reads.
	ScanBytes int64 `json:"scan_bytes"`
	// ShareRounds are the dense part's shares of the memory bandwidth,
	// each against a probe of the same bytes timed beside it (see
	// shareRounds).
	ShareRounds []shareRound `json:"scan_share_rounds"`
}

type latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

func percentiles(d []time.Duration) latency {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(p float64) float64 {
		i := int(float64(len(d))*p/100+0.5) - 1
		return float64(d[max(0, min(i, len(d)-1))]) / float64(time.Millisecond)
	}
	return latency{P50: round(at(50)), P95: round(at(95)), P99: round(at(99))}
}

func round(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// measureSynthetic writes a corpus directory of about n chunks and
// measures it.
func measureSynthetic(ctx context.Context, n int, bin, wv string, queries int) (sizeResult, error) {
	c := synth.New(int64(n), 50000)
	dir, err := os.MkdirTemp("", "ragbench-corpus-")
	if err != nil {
		return sizeResult{}, err
	}
	defer os.RemoveAll(dir)
	for chunks, i := 0, 0; chunks < n; i++ {
		text := c.Document(2600)
		chunks += rag.CountChunks(rag.NewDocument("x", text).Text)
		sub := filepath.Join(dir, fmt.Sprintf("%03d", i/1000)) // at most 1,000 files a directory
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return sizeResult{}, err
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("%07d.txt", i)), []byte(text), 0o644); err != nil {
			return sizeResult{}, err
		}
	}
	name := fmt.Sprintf("%dk", n/1000)
	if n >= 1000000 {
		name = fmt.Sprintf("%dm", n/1000000)
	}
	return measure(ctx, name, dir, bin, wv, queries)
}

// measure ingests the corpus directory into an index opened in a temporary
// data directory (reading, embedding and saving, as `rag ingest` does),
// then has a fresh process open it and check the corpus directory as a
// restarted server does, and query it (and Weaviate, when wv names its
// server); then the real binary serves it over HTTP.
func measure(ctx context.Context, name, corpus, bin, wv string, queries int) (sizeResult, error) {
	r := sizeResult{Name: name}
	dir, err := os.MkdirTemp("", "ragbench-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "index.gob")
	ix, err := rag.OpenIndex(ctx, path, rag.IndexOptions{})
	if err != nil {
		return r, err
	}
	start := time.Now()
	if _, err := ix.Sync(ctx, corpus, nil); err != nil {
		return r, err
	}
	r.IngestS = time.Since(start).Seconds()
	docs := ix.Documents()
	r.Docs = len(docs)
	for _, d := range docs {
		r.TextMB += float64(len(d.Text)) / 1e6
	}
	r.Chunks = ix.Stats().Chunks
	r.ChunksPerS = round(float64(r.Chunks) / r.IngestS)
	r.MBPerS = round(r.TextMB / r.IngestS)
	if st, err := os.Stat(path); err == nil {
		r.SnapshotMB = round(float64(st.Size()) / 1e6)
	}
	ix, docs = nil, nil
	runtime.GC()
	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	args := []string{"-restart", dir, "-corpus", corpus, "-queries", strconv.Itoa(queries)}
	cmd := exec.Command(self, args...)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return r, fmt.Errorf("restart child: %w", err)
	}
	if err := json.Unmarshal(b, &r.restartMeasures); err != nil {
		return r, err
	}
	r.TextMB = round(r.TextMB)
	r.RSSOverData = round(r.RSSMB / (r.VectorMB + r.TextMB))
	r.LiveRSSOverData = round(r.LiveRSSMB / (r.VectorMB + r.TextMB))
	if r.Serve, err = measureServe(self, bin, dir, corpus, r.VectorMB+r.TextMB); err != nil {
		return r, err
	}
	// Weaviate last, in a child of its own, so nothing else is timed
	// beside it: it goes on indexing after an import.
	if wv != "" {
		url, stop, err := startWeaviate(wv)
		if err != nil {
			return r, err
		}
		cmd := exec.Command(self, append(args, "-weaviate-url", url)...)
		cmd.Stderr = os.Stderr
		b, err := cmd.Output()
		stop()
		if err != nil {
			return r, fmt.Errorf("weaviate child: %w", err)
		}
		r.Weaviate = new(weaviateMeasures)
		if err := json.Unmarshal(b, r.Weaviate); err != nil {
			return r, err
		}
	}
	fmt.Fprintf(os.Stderr, "%s: %d chunks, ingest %.0f chunks/s, ready %.2fs (binary %.2fs), search p50 %.2f ms, dense p50 %.2f ms, recall@10 %.3f, http %.0f of %.0f req/s, live rss %.2fx\n",
		name, r.Chunks, r.ChunksPerS, r.ReadyS, r.Serve.ReadyS, r.Search.P50, r.Dense.P50, r.DenseRecall10, r.Serve.SearchRPS, r.Serve.InprocRPS, r.Serve.LiveRSSOverData)
	return r, nil
}

// restartChild loads the index from dir as a restarted server would, then
// measures memory and latency and prints them as JSON.
func restartChild(dir, corpus, weaviateURL string, queries int) {
	rag.SetServingGC() // as rag serve runs
	ctx := context.Background()
	start := time.Now()
	ix, reembedded, err := rag.LoadIndex(ctx, filepath.Join(dir, "index.gob"), rag.IndexOptions{})
	check(err)
	if reembedded {
		check(fmt.Errorf("the index was re-embedded on load"))
	}
	// A restarted server checks the corpus directory before it is ready.
	rep, err := ix.Sync(ctx, corpus, nil)
	check(err)
	if rep.Changed() {
		check(fmt.Errorf("the restart changed the index: %+v", rep))
	}
	e := rag.NewEngine(ix)
	var m restartMeasures
	m.ReadyS = round(time.Since(start).Seconds())
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := ix.Stats()
	m.HeapMB = round(float64(ms.HeapAlloc) / 1e6)
	m.RSSMB = round(float64(rss()) / 1e6)
	m.VectorMB = round(float64(st.Chunks*st.Dimensions*4) / 1e6)
	m.HeapPerChunk = round(float64(ms.HeapAlloc) / float64(st.Chunks))
	m.RSSPerChunk = round(float64(rss()) / float64(st.Chunks))

	c := synth.New(99, 50000)
	qs := make([]string, queries)
	for i := range qs {
		qs[i] = c.Question()
	}
	qvecs := make([][]float32, len(qs))
	for i, q := range qs {
		qvecs[i], _ = ix.Options().Embedder.Query(ctx, q, ix.TermWeight)
	}
	if weaviateURL != "" {
		w, err := measureWeaviate(ctx, weaviateURL, filepath.Join(dir, "index.gob"), ix, qs, qvecs)
		check(err)
		check(json.NewEncoder(os.Stdout).Encode(w))
		return
	}
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if r := rss(); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	for _, q := range qs[:min(20, len(qs))] { // warm up
		ix.Search(ctx, q, 5)
	}
	m.Search = timeEach(qs, func(q string) { ix.Search(ctx, q, 5) })
	// 20: how deep a search for five passages reads each ranking.
	m.Dense = timeEach(qvecs, func(v []float32) { ix.DenseScan(v, 20) })
	m.Scan = timeEach(qvecs, func(v []float32) { _, m.ScanBytes = ix.BareScan(v) })
	m.DenseRecall10 = denseRecall(ix, qvecs, 10)
	m.Chromem = timeEach(qvecs, func(v []float32) { ix.ChromemSearch(ctx, v, 20) })
	m.Ask = timeEach(qs, func(q string) { e.Ask(ctx, rag.Query{Question: q}) })
	close(stop)
	<-sampled
	m.LiveRSSMB = round(float64(peak.Load()) / 1e6)
	// After the RSS sampling: the probe's buffer is as large as the codes.
	m.ShareRounds = shareRounds(ix, qvecs, m.ScanBytes)
	check(json.NewEncoder(os.Stdout).Encode(m))
}

// rerenderReport writes the report of the run recorded in
// root/bench/results.json again.
func rerenderReport(root string) error {
	b, err := os.ReadFile(filepath.Join(root, "bench", "results.json"))
	if err != nil {
		return err
	}
	var recorded struct {
		Detail report `json:"detail"`
	}
	if err := json.Unmarshal(b, &recorded); err != nil {
		return err
	}
	return recorded.Detail.write(root)
}

// shareRound is one round of the scan's share of the memory bandwidth.
type shareRound struct {
	BandwidthGBs float64 `json:"bandwidth_gb_s"`
	ProbeP50     float64 `json:"probe_p50_ms"`
	DenseP50     float64 `json:"dense_p50_ms"`
	Share        float64 `json:"share"`
}

// shareRoundCount is how many paired rounds the scan's share of the
// memory bandwidth is the median of.
const shareRoundCount = 5

// shareRounds measures the dense part's read rate as a share of the
// machine's bandwidth like for like: a probe reads a buffer the size of the
// int8 codes with the widest loads, split over the cores as the scan is,
// as many times as the round has questions, and the p50 of its passes is
// set against the p50 of the dense part on the round's own questions. On
// a shared machine the bandwidth changes from minute to minute, so each
// round pairs the two back to back, which goes first alternating.
func shareRounds(ix *rag.Index, qvecs [][]float32, scanBytes int64) []shareRound {
	p := newProbe(int(scanBytes))
	per := max(1, len(qvecs)/shareRoundCount)
	rounds := make([]shareRound, shareRoundCount)
	for r := range shareRoundCount {
		lo := min(r*per, len(qvecs)-1)
		qs := qvecs[lo:min(lo+per, len(qvecs))]
		var read, l latency
		inTurn(r, func() {
			d := make([]time.Duration, len(qs))
			for i := range d {
				d[i] = p.pass()
			}
			read = percentiles(d)
		}, func() {
			l = timeEach(qs, func(v []float32) { ix.DenseScan(v, 20) })
		})
		bw := float64(p.size) / (read.P50 / 1000) / 1e9
		rounds[r] = shareRound{BandwidthGBs: round(bw), ProbeP50: read.P50, DenseP50: l.P50, Share: round(float64(scanBytes) / (l.P50 / 1000) / (bw * 1e9))}
	}
	return rounds
}

// inTurn runs a and b, a first in even rounds and b first in odd ones, so
// that neither side of a paired measurement always meets the machine a
// moment later.
func inTurn(round int, a, b func()) {
	if round%2 == 1 {
		a, b = b, a
	}
	a()
	b()
}

func timeEach[T any](items []T, f func(T)) latency {
	d := make([]time.Duration, len(items))
	for i, it := range items {
		start := time.Now()
		f(it)
		d[i] = time.Since(start)
	}
	return percentiles(d)
}

// rss is this process's resident set size in bytes.
func rss() int64 { return processRSS(os.Getpid()) }

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0]); len(f) >= 2 {
			kb, _ := strconv.ParseFloat(f[1], 64)
			mem = fmt.Sprintf(", %.0f GiB", kb/1024/1024)
		}
	}
	return fmt.Sprintf("%s, %d cores%s, %s %s/%s", cpu, runtime.NumCPU(), mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
