package rag

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	chromem "github.com/philippgille/chromem-go"
)

// IndexOptions configure how an [Index] cuts and embeds documents.
type IndexOptions struct {
	Chunk    ChunkOptions
	Embedder Embedder
	Fusion   Fusion
	// Words are the word vectors questions are read with (the built-in
	// ones when nil).
	Words *WordVectors
	// EmbedBatch is how many passages go to the embedder in one call, and
	// EmbedWorkers how many calls run at once.
	EmbedBatch   int
	EmbedWorkers int
	// Remote, when set, mirrors the chunks into an external engine that
	// answers searches (see [Remote]).
	Remote Remote
}

func (o IndexOptions) withDefaults() IndexOptions {
	if o.Chunk == (ChunkOptions{}) {
		o.Chunk = DefaultChunkOptions
	}
	if o.Words == nil {
		o.Words = EmbeddedWordVectors()
	}
	if o.Embedder.Documents == nil {
		o.Embedder = LocalEmbedderWith(o.Words, DefaultSemanticShare)
	}
	if o.Fusion == nil {
		o.Fusion = DefaultFusion
	}
	if o.EmbedBatch <= 0 {
		o.EmbedBatch = o.Embedder.Batch
	}
	if o.EmbedBatch <= 0 {
		o.EmbedBatch = 64
	}
	if o.EmbedWorkers <= 0 {
		o.EmbedWorkers = o.Embedder.Workers
	}
	if o.EmbedWorkers <= 0 {
		o.EmbedWorkers = runtime.NumCPU()
	}
	return o
}

// Index holds documents, their chunks, a dense vector collection
// (chromem-go) and a BM25 lexicon over the same chunks. It is safe for
// concurrent use; writers are serialised.
type Index struct {
	opts    IndexOptions
	writeMu sync.Mutex // one writer at a time, held while embedding
	saveMu  sync.Mutex // one snapshot write at a time

	mu     sync.RWMutex
	docs   map[string]*Document
	slots  []*slot // by slot number; nil once removed
	slotOf map[string]int
	lex    *lexicon
	coll   *chromem.Collection
	// corpusDir is the directory the last Sync mirrored.
	corpusDir string
	// dim is the vectors' dimension; 0 while the index is empty.
	dim int
	// vecs holds the vectors by slot for the dense scan; chromem-go's
	// collection holds the same rows, shared, not copied.
	vecs matrix
	// gen counts changes, and queries holds prepared queries of a generation.
	gen      uint64
	queries  queryCache
	resolved resolveCache
	// rows are the word-vector rows of the corpus's words at rowsGen.
	rowsMu  sync.Mutex
	rows    []int32
	rowsGen uint64
	// suggested are the suggestedN questions SuggestQuestions made at
	// suggestedGen.
	suggestMu    sync.Mutex
	suggested    []string
	suggestedGen uint64
	suggestedN   int

	journal journal
	// path is where the index is bound (OpenIndex); changes are logged there.
	path string
	// tornTail is how many bytes of a torn final change-log record loading
	// dropped; reindexedRecords how many log records it indexed anew
	// (another embedder or chunking made them).
	tornTail         int64
	reindexedRecords int
	// updated is when the documents last changed.
	updated time.Time
}

type slot struct {
	chunk  Chunk
	doc    *Document
	vector []float32 // a row of the matrix
}

// Updated is when a document last changed (or, just after a restart,
// when the stored index was last written); zero for an index never changed.
func (ix *Index) Updated() time.Time {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.updated
}

// NewIndex returns an empty index.
func NewIndex(opts IndexOptions) *Index {
	opts = opts.withDefaults()
	ix := &Index{opts: opts}
	ix.reset()
	return ix
}

func (ix *Index) reset() {
	db := chromem.NewDB()
	// Vectors always come from the index's own embedder; the collection
	// must never embed on its own.
	coll, err := db.CreateCollection("chunks", nil, func(context.Context, string) ([]float32, error) {
		return nil, fmt.Errorf("collection embeds nothing itself")
	})
	if err != nil {
		panic(fmt.Sprintf("create collection: %v", err)) // only fails for an empty name
	}
	ix.docs = map[string]*Document{}
	ix.slots = nil
	ix.slotOf = map[string]int{}
	ix.lex = newLexicon()
	ix.coll = coll
	ix.vecs = matrix{}
}

// Options returns the options the index was built with.
func (ix *Index) Options() IndexOptions { return ix.opts }

// CorpusDir returns the directory the index last synced with, or "".
func (ix *Index) CorpusDir() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.corpusDir
}

// Stats counts what the index holds.
type Stats struct {
	Documents  int    `json:"documents"`
	Chunks     int    `json:"chunks"`
	Embedder   string `json:"embedder"`
	Dimensions int    `json:"dimensions"`
}

// Stats returns the index's document and chunk counts.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return Stats{Documents: len(ix.docs), Chunks: ix.lex.live, Embedder: ix.opts.Embedder.Name, Dimensions: ix.dim}
}

// Document returns the document with the given id, or an ENOTFOUND error.
func (ix *Index) Document(id string) (*Document, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	d, ok := ix.docs[id]
	if !ok {
		return nil, Errorf(ENOTFOUND, "no document %q", id)
	}
	return d, nil
}

// Documents returns every document, ordered by id.
func (ix *Index) Documents() []*Document {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]*Document, 0, len(ix.docs))
	for _, d := range ix.docs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Progress reports embedding work: done of total chunks.
type Progress func(done, total int)

// Upsert adds documents and replaces those whose text changed; a document
// whose hash the index already holds costs nothing. It returns how many
// documents it (re)indexed. A bound index (see [OpenIndex]) has the change
// in its change log, synced, before it returns; an error means nothing
// changed.
func (ix *Index) Upsert(ctx context.Context, docs []*Document, progress Progress) (int, error) {
	return ix.upsert(ctx, ix.path, docs, progress)
}

// upsert is Upsert, logged to the change log beside the snapshot at path
// before the index changes when path is set.
func (ix *Index) upsert(ctx context.Context, path string, docs []*Document, progress Progress) (int, error) {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	var changed []*Document
	ix.mu.RLock()
	for _, d := range docs {
		if old, ok := ix.docs[d.ID]; !ok || old.Hash != d.Hash || old.Title != d.Title {
			changed = append(changed, d)
		}
	}
	ix.mu.RUnlock()
	if len(changed) == 0 {
		return 0, nil
	}
	vectors, err := ix.embedDocuments(ctx, changed, progress)
	if err != nil {
		return 0, err
	}
	if err := ix.checkDims(changed, vectors); err != nil {
		return 0, err
	}
	var replaced []string // the engine's keys of the versions replaced
	if r := ix.opts.Remote; r != nil {
		if err := r.Put(ctx, remoteChunks(changed, vectors)); err != nil {
			return 0, Errorf(EUNAVAILABLE, "store in %s: %v", r.Name(), err)
		}
		ix.mu.RLock()
		for _, d := range changed {
			if old, ok := ix.docs[d.ID]; ok {
				replaced = append(replaced, remoteKeysOf([]*Document{old})...)
			}
		}
		ix.mu.RUnlock()
	}
	if path != "" {
		// Held until the change is in: a snapshot taken between the append
		// and the change would clear the log without it.
		ix.saveMu.Lock()
		defer ix.saveMu.Unlock()
		size, err := ix.logPuts(path, changed, vectors)
		if err != nil {
			return 0, err
		}
		defer ix.foldIfLong(path, size)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for i, d := range changed {
		if err := ix.put(ctx, d, vectors[i]); err != nil {
			return i, err
		}
	}
	// Compaction only reclaims memory; a failure leaves the index whole
	// and is tried again at the next change.
	_ = ix.compactIfSparse(ctx)
	// Only now, the change made, do the old versions leave the engine.
	ix.forgetRemote(ctx, replaced)
	return len(changed), nil
}

// compactMinDead is the fewest removed chunk slots worth a compaction.
const compactMinDead = 4096

// compactIfSparse renumbers the live chunks densely once removed slots
// outnumber live ones, so replaced and deleted documents give their
// vectors and postings back; each compaction costs one pass over the
// index, paid for by as many changes. The caller holds ix.mu for writing.
func (ix *Index) compactIfSparse(ctx context.Context) error {
	dead := len(ix.slots) - ix.lex.live
	if dead < compactMinDead || dead <= ix.lex.live {
		return nil
	}
	// Built on the side and swapped in whole: a failure leaves the index
	// as it was.
	snap := ix.snapshot()
	fresh := &Index{opts: ix.opts}
	fresh.reset()
	if err := fresh.installLocked(ctx, &snap); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	ix.docs, ix.slots, ix.slotOf, ix.lex, ix.coll, ix.vecs = fresh.docs, fresh.slots, fresh.slotOf, fresh.lex, fresh.coll, fresh.vecs
	ix.gen++
	return nil
}

// embedDocuments chunks each document and embeds its chunks in batches
// over a bounded number of workers; vectors[i][j] is chunk j of docs[i].
func (ix *Index) embedDocuments(ctx context.Context, docs []*Document, progress Progress) ([][][]float32, error) {
	type job struct{ doc, from, to int }
	var jobs []job
	total := 0
	for i, d := range docs {
		chunks, err := chunkText(d.ID, d.Text, ix.opts.Chunk)
		if err != nil {
			return nil, err
		}
		d.Chunks = chunks
		for from := 0; from < len(chunks); from += ix.opts.EmbedBatch {
			jobs = append(jobs, job{i, from, min(from+ix.opts.EmbedBatch, len(chunks))})
		}
		total += len(chunks)
	}
	vectors := make([][][]float32, len(docs))
	for i, d := range docs {
		vectors[i] = make([][]float32, len(d.Chunks))
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg       sync.WaitGroup
		progMu   sync.Mutex
		done     int
		next     = make(chan job)
		failOnce sync.Once
		failure  error
	)
	for w := 0; w < min(ix.opts.EmbedWorkers, max(1, len(jobs))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				d := docs[j.doc]
				texts := make([]string, 0, j.to-j.from)
				for _, c := range d.Chunks[j.from:j.to] {
					texts = append(texts, embeddingText(d, c))
				}
				vs, err := ix.opts.Embedder.Documents(ctx, texts)
				if err == nil && len(vs) != len(texts) {
					err = fmt.Errorf("embedder returned %d vectors for %d texts", len(vs), len(texts))
				}
				if err != nil {
					failOnce.Do(func() { failure = fmt.Errorf("embed %s: %w", d.ID, err); cancel(failure) })
					continue
				}
				copy(vectors[j.doc][j.from:j.to], vs)
				if progress != nil {
					progMu.Lock()
					done += len(vs)
					progress(done, total)
					progMu.Unlock()
				}
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if failure != nil {
		return nil, failure
	}
	return vectors, ctx.Err()
}

// embeddingText is what a chunk is embedded as: its document's title and
// labels give a passage the topic and source its own sentences may leave
// implicit.
func embeddingText(d *Document, c Chunk) string {
	if d.Labels != "" {
		return d.Title + "\n" + d.Labels + "\n" + d.Text[c.Start:c.End]
	}
	return d.Title + "\n" + d.Text[c.Start:c.End]
}

// checkDims makes sure every vector has the index's dimension, before
// anything is logged or changed.
func (ix *Index) checkDims(docs []*Document, vectors [][][]float32) error {
	ix.mu.RLock()
	dim := ix.dim
	ix.mu.RUnlock()
	for i, vs := range vectors {
		for _, v := range vs {
			if dim == 0 {
				dim = len(v)
			}
			if len(v) != dim {
				return fmt.Errorf("embedder %s returned a %d-dimensional vector for %s; the index holds %d dimensions", ix.opts.Embedder.Name, len(v), docs[i].ID, dim)
			}
		}
	}
	return nil
}

// put replaces any old version of d with d and its chunk vectors. The
// caller holds ix.mu for writing.
func (ix *Index) put(ctx context.Context, d *Document, vectors [][]float32) error {
	for _, v := range vectors {
		if ix.dim == 0 {
			ix.dim = len(v)
		}
		if len(v) != ix.dim {
			return fmt.Errorf("embedder %s returned a %d-dimensional vector for %s; the index holds %d dimensions", ix.opts.Embedder.Name, len(v), d.ID, ix.dim)
		}
	}
	ix.drop(ctx, d.ID)
	ix.gen++
	ix.updated = time.Now()
	docs := make([]chromemDoc, len(d.Chunks))
	for j, c := range d.Chunks {
		n := len(ix.slots)
		row := ix.vecs.add(vectors[j])
		ix.slots = append(ix.slots, &slot{chunk: c, doc: d, vector: row})
		ix.slotOf[c.ID] = n
		ix.lex.add(n, chunkTerms(d, c))
		docs[j] = chromemDoc{c.ID, d.ID, row}
	}
	ix.docs[d.ID] = d
	return ix.addToCollection(ctx, docs)
}

// chromemDoc is a chunk's id, its document's and its row of the matrix.
type chromemDoc struct {
	id, doc string
	vec     []float32
}

// addToCollection stores vectors in the chromem-go collection, each with
// its document's id, which filtered search asks chromem-go to match. The
// rows are unit length, so chromem-go keeps them as given: shared, not
// copied.
func (ix *Index) addToCollection(ctx context.Context, docs []chromemDoc) error {
	if len(docs) == 0 {
		return nil
	}
	cd := make([]chromem.Document, len(docs))
	for i, d := range docs {
		cd[i] = chromem.Document{ID: d.id, Embedding: d.vec, Metadata: map[string]string{"doc": d.doc}}
	}
	// chromem-go starts a goroutine for every document it is given before
	// bounding how many run; the runtime never frees a goroutine's
	// descriptor, so one call for a whole corpus would leave ~0.5 KB per
	// chunk on the heap for the life of the process. Batches bound that.
	for len(cd) > 0 {
		n := min(len(cd), collectionBatch)
		if err := ix.coll.AddDocuments(ctx, cd[:n], runtime.NumCPU()); err != nil {
			return fmt.Errorf("add to vector store: %w", err)
		}
		cd = cd[n:]
	}
	return nil
}

// collectionBatch is how many chunks go to chromem-go in one call.
const collectionBatch = 1024

// chunkTerms is what the lexicon indexes for a chunk: title and text, like
// the embedding.
func chunkTerms(d *Document, c Chunk) []string {
	return terms(embeddingText(d, c))
}

// drop removes a document's chunks; the caller holds ix.mu for writing.
func (ix *Index) drop(ctx context.Context, id string) bool {
	old, ok := ix.docs[id]
	if !ok {
		return false
	}
	ix.gen++
	ix.updated = time.Now()
	ids := make([]string, 0, len(old.Chunks))
	for _, c := range old.Chunks {
		if n, ok := ix.slotOf[c.ID]; ok {
			ix.lex.remove(n, chunkTerms(old, c))
			ix.vecs.remove(n)
			ix.slots[n] = nil
			delete(ix.slotOf, c.ID)
			ids = append(ids, c.ID)
		}
	}
	if len(ids) > 0 {
		_ = ix.coll.Delete(ctx, nil, nil, ids...) // errors only for no ids
	}
	delete(ix.docs, id)
	return true
}

// Remove deletes documents by id and reports how many existed; a bound
// index logs the deletions first, like [Index.Upsert].
func (ix *Index) Remove(ctx context.Context, ids ...string) (int, error) {
	return ix.remove(ctx, ix.path, ids...)
}

// dropAll removes the documents with the given ids and returns how many
// there were; the caller holds ix.mu for writing.
func (ix *Index) dropAll(ctx context.Context, ids []string) int {
	n := 0
	for _, id := range ids {
		if ix.drop(ctx, id) {
			n++
		}
	}
	ix.compactIfSparse(ctx) // fails only when the vector store refuses rows it held
	return n
}

// TermWeight returns a stem's inverse document frequency in the index.
func (ix *Index) TermWeight(term string) float64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.weight(term)
}

// weight is the query term weight: BM25's idf in this index. Terms the
// index has never seen weigh as much as its rarest.
func (ix *Index) weight(term string) float64 {
	return ix.lex.idf(ix.lex.df(term))
}
