package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ragteam/rag/internal/synth"
	"github.com/ragteam/rag/rag"
	"github.com/ragteam/rag/rag/weaviate"
)

// serveMeasures come from the real binary serving a measured data
// directory.
type serveMeasures struct {
	// ReadyS is from starting the process to /readyz answering 200: the
	// snapshot loaded and the corpus directory checked.
	ReadyS float64 `json:"ready_s"`
	// SearchRPS is POST /v1/search from 32 clients on loopback, a
	// different question each time: the median of throughputRounds.
	SearchRPS float64 `json:"search_rps"`
	SearchP50 float64 `json:"search_p50_ms"`
	// InprocRPS is searches per second from 32 goroutines calling Search
	// in another process that loaded the same index, on the same
	// questions: the ceiling for HTTP. Median of throughputRounds, each
	// run just before the HTTP round it is compared with.
	InprocRPS float64 `json:"inprocess_search_rps"`
	// HTTPShare is the median over the rounds of HTTP ÷ in-process.
	HTTPShare float64   `json:"http_share"`
	Rounds    []float64 `json:"http_share_rounds"`
	Errors    int64     `json:"errors"`
	// LiveRSSMB is the most the process held while it served the load
	// (sampled every 20 ms from /proc, no collection forced).
	LiveRSSMB       float64 `json:"live_rss_mb"`
	LiveRSSOverData float64 `json:"live_rss_over_data"`
}

// weaviateMeasures are the same index and questions in a real Weaviate.
type weaviateMeasures struct {
	ImportS          float64 `json:"import_s"`
	ImportChunksPerS float64 `json:"import_chunks_per_s"`
	// Hybrid is the service's search with Weaviate as the store: the
	// engine's hybrid query and the candidates' rescoring.
	Hybrid latency `json:"hybrid_ms"`
	// HybridAgreement is the share of the in-process search's top 5 the
	// search through Weaviate returns.
	HybridAgreement float64 `json:"hybrid_agreement_at_5"`
	NearVector      latency `json:"near_vector_ms"`
	// NearVectorRecall10 is the share of the exact scan's top 10 that
	// Weaviate's nearVector (HNSW) returns for the same vectors.
	NearVectorRecall10 float64 `json:"near_vector_recall_at_10"`
}

// loadRequests is how many searches each HTTP load and the in-process
// throughput run make, every one a different question.
const loadRequests = 2000

func goPath() string {
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// buildServer builds the rag binary the serve measurements start.
func buildServer() (string, func(), error) {
	dir, err := os.MkdirTemp("", "ragbench-bin-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "rag")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/rag").CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("build rag: %v\n%s", err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// questions are n distinct questions from their own seed.
func questions(seed int64, n int) []string {
	c := synth.New(seed, 50000)
	seen := map[string]bool{}
	var qs []string
	for len(qs) < n {
		if q := c.Question(); !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	return qs
}

// throughputRounds is how many times HTTP and in-process throughput are
// each measured, alternating, so that a busy moment on a shared machine
// lands in one round rather than on one side of the comparison.
const throughputRounds = 3

// measureServe starts `rag serve` on the data directory and corpus, times
// it to /readyz, then alternates loading /v1/search with the same
// questions searched in process by a child (self -throughput), sampling
// the server's RSS meanwhile.
func measureServe(self, bin, data, corpus string, dataMB float64) (serveMeasures, error) {
	var m serveMeasures
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--corpus", corpus)
	cmd.Env = append(os.Environ(), "RAG_RATE_LIMIT=1000000000", "RAG_RATE_BURST=1000000000")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return m, err
	}
	cmd.Stderr = io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	base := ""
	urlRe := regexp.MustCompile(`listening on (http://[^\s(]+)`)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if mm := urlRe.FindStringSubmatch(lines.Text()); mm != nil {
			base = mm[1]
			break
		}
	}
	if base == "" {
		return m, fmt.Errorf("rag serve printed no URL")
	}
	go io.Copy(io.Discard, stdout)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(start) > 5*time.Minute {
			return m, fmt.Errorf("rag serve not ready in 5 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	m.ReadyS = round(time.Since(start).Seconds())

	var peak atomic.Int64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if r := processRSS(cmd.Process.Pid); r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	stopSampling := sync.OnceFunc(func() { close(stop); <-sampled })
	defer stopSampling()
	inproc, err := startThroughputChild(self, data)
	if err != nil {
		return m, err
	}
	defer inproc.stop()
	var httpRPS, inprocRPS, p50s []float64
	for r := range throughputRounds {
		qs := questions(roundSeed(r), loadRequests)
		bodies := make([][]byte, len(qs))
		for i, q := range qs {
			bodies[i], _ = json.Marshal(map[string]any{"query": q, "top_k": 5})
		}
		var rps, in float64
		var lat latency
		var errs int64
		inTurn(r, func() {
			in, err = inproc.round(r)
		}, func() {
			rps, lat, errs = load(base+"/v1/search", func(i int) []byte { return bodies[i] }, len(qs))
		})
		if err != nil {
			return m, err
		}
		m.Errors += errs
		httpRPS, inprocRPS, p50s = append(httpRPS, rps), append(inprocRPS, in), append(p50s, lat.P50)
		m.Rounds = append(m.Rounds, ratio(rps, in))
	}
	stopSampling()
	m.SearchRPS, m.InprocRPS, m.SearchP50 = median(httpRPS), median(inprocRPS), median(p50s)
	m.HTTPShare = median(m.Rounds)
	m.LiveRSSMB = round(float64(peak.Load()) / 1e6)
	m.LiveRSSOverData = round(m.LiveRSSMB / dataMB)
	return m, nil
}

// load posts n bodies from 32 workers, each on its own keep-alive
// connection, and returns requests per second, latency and errors. The
// client writes each request whole and parses the response with
// net/http's reader; it shares the machine's two cores with the server,
// and Go's full client would spend about twice the CPU doing the same.
func load(target string, body func(i int) []byte, n int) (float64, latency, int64) {
	u, err := url.Parse(target)
	if err != nil {
		return 0, latency{}, int64(n)
	}
	var errs atomic.Int64
	durations := make([]time.Duration, n)
	conns := make([]*loadConn, concurrency) // each worker's own
	rps := parallelWorkers(n, func(worker, i int) {
		t0 := time.Now()
		var ok bool
		conns[worker], ok = conns[worker].post(u, body(i))
		if !ok {
			errs.Add(1)
		}
		durations[i] = time.Since(t0)
	})
	for _, c := range conns {
		c.close()
	}
	return rps, percentiles(durations), errs.Load()
}

// loadConn is one keep-alive HTTP/1.1 connection of the load generator.
type loadConn struct {
	conn net.Conn
	r    *bufio.Reader
	req  []byte
}

// post sends body to u on c (dialling when c is nil or broken) and reports
// whether the answer was 200. It returns the connection to use next.
func (c *loadConn) post(u *url.URL, body []byte) (*loadConn, bool) {
	if c == nil {
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			return nil, false
		}
		c = &loadConn{conn: conn, r: bufio.NewReader(conn)}
	}
	c.req = append(c.req[:0], "POST "...)
	c.req = append(c.req, u.RequestURI()...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, u.Host...)
	c.req = append(c.req, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	c.req = strconv.AppendInt(c.req, int64(len(body)), 10)
	c.req = append(c.req, "\r\n\r\n"...)
	c.req = append(c.req, body...)
	c.conn.SetDeadline(time.Now().Add(time.Minute)) // as the old client's timeout: a stuck request fails, the run goes on
	if _, err := c.conn.Write(c.req); err != nil {
		c.close()
		return nil, false
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.close()
		return nil, false
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		c.close()
		return nil, err == nil && resp.StatusCode == http.StatusOK
	}
	return c, resp.StatusCode == http.StatusOK
}

func (c *loadConn) close() {
	if c != nil {
		c.conn.Close()
	}
}

// parallel calls f for 0..n-1 from 32 workers and returns calls per second.
func parallel(n int, f func(i int)) float64 {
	return parallelWorkers(n, func(_, i int) { f(i) })
}

// parallelWorkers is parallel, telling f which worker runs it.
func parallelWorkers(n int, f func(worker, i int)) float64 {
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(w, i)
			}
		}()
	}
	wg.Wait()
	return round(float64(n) / time.Since(start).Seconds())
}

// roundSeed seeds a throughput round's questions: each round asks new
// ones, the same on both sides.
func roundSeed(r int) int64 { return 77 + int64(r) }

// throughputChild is a process holding the index, searching in process
// when told to.
type throughputChild struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines *bufio.Scanner
}

func startThroughputChild(self, data string) (*throughputChild, error) {
	cmd := exec.Command(self, "-throughput", data)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &throughputChild{cmd: cmd, in: in, lines: bufio.NewScanner(out)}
	if !c.lines.Scan() || c.lines.Text() != "ready" {
		c.stop()
		return nil, fmt.Errorf("throughput child did not load the index")
	}
	return c, nil
}

// round has the child search round r's questions and returns its
// searches per second.
func (c *throughputChild) round(r int) (float64, error) {
	if _, err := fmt.Fprintln(c.in, r); err != nil {
		return 0, err
	}
	if !c.lines.Scan() {
		return 0, fmt.Errorf("throughput child stopped")
	}
	return strconv.ParseFloat(c.lines.Text(), 64)
}

func (c *throughputChild) stop() {
	c.in.Close()
	c.cmd.Wait()
}

// throughputMain is the child: it loads the index as rag serve does
// (serving GC, loading garbage returned), says ready, then for each
// round number read from stdin prints the searches per second of 32
// goroutines calling Search with that round's questions.
func throughputMain(dir string) {
	rag.SetServingGC()
	ix, _, err := rag.LoadIndex(context.Background(), filepath.Join(dir, "index.gob"), rag.IndexOptions{})
	check(err)
	debug.FreeOSMemory()
	fmt.Println("ready")
	rounds := bufio.NewScanner(os.Stdin)
	for rounds.Scan() {
		r, err := strconv.Atoi(rounds.Text())
		check(err)
		qs := questions(roundSeed(r), loadRequests)
		var failed atomic.Int64
		rps := parallel(len(qs), func(i int) {
			if _, err := ix.Search(context.Background(), qs[i], 5); err != nil {
				failed.Add(1)
			}
		})
		if n := failed.Load(); n > 0 {
			check(fmt.Errorf("%d in-process searches failed", n))
		}
		fmt.Println(rps)
	}
}

// denseRecall is the mean share of the exact scan's top k that the dense
// part returns.
func denseRecall(ix *rag.Index, qvecs [][]float32, k int) float64 {
	hits, total := 0, 0
	for _, v := range qvecs {
		got := map[string]bool{}
		for _, id := range ix.ChunkIDs(ix.DenseScan(v, k)) {
			got[id] = true
		}
		for _, id := range ix.ChunkIDs(ix.ExactScan(v, k)) {
			total++
			if got[id] {
				hits++
			}
		}
	}
	if total == 0 {
		return 0
	}
	return round(float64(hits) / float64(total))
}

// processRSS is a process's resident set size in bytes, from /proc.
func processRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// startWeaviate runs the Weaviate server through scripts/weaviate.sh, as
// `make weaviate-test` does (free loopback ports, a temporary data
// directory), and returns its URL once it is ready; stop closes the
// script's stdin, which stops the server and removes its data.
func startWeaviate(server string) (string, func(), error) {
	cmd := exec.Command(filepath.Join("scripts", "weaviate.sh"), server)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start scripts/weaviate.sh (run from the repository root): %w", err)
	}
	stop := func() { in.Close(); cmd.Wait() }
	url, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("weaviate did not start: %w", err)
	}
	return strings.TrimSpace(url), stop, nil
}

// measureWeaviate puts the loaded index's chunks and vectors into a fresh
// collection and asks it the same questions: the service's search through
// it, and nearVector alone against the exact scan.
func measureWeaviate(ctx context.Context, url, path string, local *rag.Index, qs []string, qvecs [][]float32) (weaviateMeasures, error) {
	var m weaviateMeasures
	store, err := weaviate.New(ctx, weaviate.Config{URL: url, Collection: "BenchChunks", Fusion: "weighted", Timeout: 5 * time.Minute})
	if err != nil {
		return m, err
	}
	ix, _, err := rag.LoadIndex(ctx, path, rag.IndexOptions{Remote: store})
	if err != nil {
		return m, err
	}
	start := time.Now()
	rep, err := ix.Reconcile(ctx)
	if err != nil {
		return m, err
	}
	m.ImportS = round(time.Since(start).Seconds())
	m.ImportChunksPerS = round(float64(rep.Added) / m.ImportS)
	fmt.Fprintf(os.Stderr, "weaviate: imported %d chunks in %.0f s\n", rep.Added, m.ImportS)
	for _, q := range qs[:min(20, len(qs))] { // warm up
		ix.Search(ctx, q, 5)
	}
	m.Hybrid = timeEach(qs, func(q string) { ix.Search(ctx, q, 5) })
	agree, total := 0, 0
	for _, q := range qs {
		in, _ := local.Search(ctx, q, 5)
		out, _ := ix.Search(ctx, q, 5)
		got := map[string]bool{}
		for _, p := range out {
			got[p.ChunkID] = true
		}
		for _, p := range in {
			total++
			if got[p.ChunkID] {
				agree++
			}
		}
	}
	m.HybridAgreement = round(float64(agree) / float64(max(1, total)))
	var hits []rag.RemoteHit
	recalled, wanted := 0, 0
	for _, v := range qvecs {
		u := append([]float32(nil), v...)
		hits, err = store.Search(ctx, rag.RemoteQuery{Vector: u, Limit: 10})
		if err != nil {
			return m, err
		}
		got := map[string]bool{}
		for _, h := range hits {
			got[h.ChunkID] = true
		}
		for _, id := range local.ChunkIDs(local.ExactScan(v, 10)) {
			wanted++
			if got[id] {
				recalled++
			}
		}
	}
	m.NearVectorRecall10 = round(float64(recalled) / float64(max(1, wanted)))
	m.NearVector = timeEach(qvecs, func(v []float32) { store.Search(ctx, rag.RemoteQuery{Vector: v, Limit: 10}) })
	return m, nil
}
