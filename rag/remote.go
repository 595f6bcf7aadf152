package rag

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// A Remote keeps the index's chunks, with their vectors and metadata, in
// an external search engine and runs hybrid search there, for corpora
// that outgrow one process (see docs/scale-out.md). The index stays the
// source of truth: it chunks, embeds, logs and mirrors every change; the
// engine's copy is brought back in line by [Index.Reconcile].
type Remote interface {
	// Put stores chunks; a chunk whose key the engine holds is replaced.
	Put(ctx context.Context, chunks []RemoteChunk) error
	// Delete removes the chunks with the given keys.
	Delete(ctx context.Context, keys []string) error
	// Keys lists the key of every chunk the engine holds.
	Keys(ctx context.Context) ([]string, error)
	// Search ranks chunks for a query, best first.
	Search(ctx context.Context, q RemoteQuery) ([]RemoteHit, error)
	// Name says which engine answered, for logs and /readyz.
	Name() string
}

// RemoteChunk is one chunk as the engine keeps it.
type RemoteChunk struct {
	Key     string // the chunk's id with its document's version: see remoteKey
	ChunkID string
	DocID   string
	Title   string
	Start   int
	End     int
	Text    string
	// Terms are the index's own terms for the chunk (stems, as BM25 here
	// indexes them), for the engine's keyword half to match what the
	// question analysis resolves words to.
	Terms  string
	Vector []float32
}

// RemoteQuery is a search: the question's resolved terms, its vector (nil
// when the embedder failed: keywords alone), how many results, and the
// documents to search in (all when empty).
type RemoteQuery struct {
	Terms  string
	Vector []float32
	Limit  int
	Docs   []string
}

// RemoteHit is a ranked chunk as the engine returns it.
type RemoteHit struct {
	RemoteChunk
	Score float64
}

// remoteKey names a chunk of one version of a document, so a replaced
// document's new chunks never overwrite the old ones in place: a search
// racing a change sees one version or the other, and keys the index no
// longer holds are skipped.
// It is compared for every hit of every search: built by concatenation.
func remoteKey(d *Document, c Chunk) string {
	return c.ID + "\x00" + d.Hash + "\x00" + d.Title + "\x00" + strconv.Itoa(c.Start) + ":" + strconv.Itoa(c.End)
}

// remoteChunk is the engine's record of chunk c of d with its vector.
func remoteChunk(d *Document, c Chunk, vec []float32) RemoteChunk {
	return RemoteChunk{
		Key: remoteKey(d, c), ChunkID: c.ID, DocID: d.ID, Title: d.Title,
		Start: c.Start, End: c.End, Text: d.Text[c.Start:c.End],
		Terms: strings.Join(chunkTerms(d, c), " "), Vector: vec,
	}
}

// remoteChunks are the engine's records of documents and their vectors.
func remoteChunks(docs []*Document, vectors [][][]float32) []RemoteChunk {
	var out []RemoteChunk
	for i, d := range docs {
		for j, c := range d.Chunks {
			out = append(out, remoteChunk(d, c, vectors[i][j]))
		}
	}
	return out
}

// remoteKeysOf lists the keys of documents' chunks.
func remoteKeysOf(docs []*Document) []string {
	var keys []string
	for _, d := range docs {
		for _, c := range d.Chunks {
			keys = append(keys, remoteKey(d, c))
		}
	}
	return keys
}

// remoteQuery is the engine's query for pq: the corpus terms of the
// question and its vector.
func remoteQuery(pq *preparedQuery, k int, only []string) RemoteQuery {
	seen := map[string]bool{}
	var stems []string
	for _, t := range pq.question.Terms {
		if t.Known && !seen[t.Stem] {
			seen[t.Stem] = true
			stems = append(stems, t.Stem)
		}
	}
	return RemoteQuery{Terms: strings.Join(stems, " "), Vector: pq.vec, Limit: remoteDepth * candidates(k), Docs: only}
}

// remotePassages ranks the engine's hits: its hybrid search picked the
// candidates, and the index scores them as an in-process search would (the
// same fusion of the same dense and BM25 scores), so the answerer, which
// weighs passages by their scores, reads them the same whichever store
// found them. Hits of versions the index no longer holds (it may have
// changed while the engine searched) are skipped. The caller holds ix.mu
// for reading.
func (ix *Index) remotePassages(pq *preparedQuery, hits []RemoteHit, k int) []Passage {
	found := make(map[int]RemoteHit, len(hits))
	var dense Ranked
	for _, h := range hits {
		n, ok := ix.slotOf[h.ChunkID]
		if !ok || remoteKey(ix.slots[n].doc, ix.slots[n].chunk) != h.Key {
			continue
		}
		found[n] = h
		if pq.vec != nil {
			dense = append(dense, scored{slot: n, score: float64(dot(pq.vec, ix.slots[n].vector))})
		}
	}
	sortScored(dense)
	lexical := ix.lexicalWhere(pq.question.Terms, len(found), func(slot int) bool { _, ok := found[slot]; return ok })
	out := make([]Passage, 0, k)
	for _, r := range ix.fuse(dense, lexical, k) {
		h := found[r.slot]
		out = append(out, Passage{ChunkID: h.ChunkID, DocID: h.DocID, Title: h.Title, Start: h.Start, End: h.End, Text: h.Text, Score: r.score})
	}
	return out
}

// ReconcileReport says what bringing the engine in line changed.
type ReconcileReport struct {
	Held  int // chunks the engine held before
	Added int
	// Foreign counts chunks of versions this index does not hold: left
	// for the replicas that may hold them, and skipped in its searches.
	// (A version this index replaces or deletes leaves the engine with the
	// change itself.)
	Foreign int
}

// Reconcile brings the engine in line with the index: chunks it lacks are
// stored, with the index's vectors (nothing is embedded again). Serving
// calls it at start, after the corpus check, before it reports ready.
func (ix *Index) Reconcile(ctx context.Context) (ReconcileReport, error) {
	r := ix.opts.Remote
	if r == nil {
		return ReconcileReport{}, nil
	}
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	held, err := r.Keys(ctx)
	if err != nil {
		return ReconcileReport{}, fmt.Errorf("list %s: %w", r.Name(), err)
	}
	rep := ReconcileReport{Held: len(held)}
	ix.mu.RLock()
	want := make(map[string]int, len(ix.slotOf))
	for _, n := range ix.slotOf {
		want[remoteKey(ix.slots[n].doc, ix.slots[n].chunk)] = n
	}
	for _, key := range held {
		if _, ok := want[key]; ok {
			delete(want, key)
		} else {
			rep.Foreign++
		}
	}
	missing := make([]RemoteChunk, 0, len(want))
	for _, n := range want {
		s := ix.slots[n]
		missing = append(missing, remoteChunk(s.doc, s.chunk, s.vector))
	}
	ix.mu.RUnlock()
	if err := r.Put(ctx, missing); err != nil {
		return rep, fmt.Errorf("store in %s: %w", r.Name(), err)
	}
	rep.Added = len(missing)
	return rep, nil
}

// forgetRemote removes old versions' chunks from the engine after the
// index let them go. A failure leaves them there, unread (their keys are
// no longer the index's), until the next Reconcile.
func (ix *Index) forgetRemote(ctx context.Context, keys []string) {
	if ix.opts.Remote == nil || len(keys) == 0 {
		return
	}
	if err := ix.opts.Remote.Delete(ctx, keys); err != nil {
		slog.Warn("old chunks left in the search engine until the next start", "engine", ix.opts.Remote.Name(), "chunks", len(keys), "err", err)
	}
}

// remoteDepth is how many times deeper than an in-process retriever the
// engine's fused list is read: its fusion weighs the two rankings its own
// way, so the in-process ranking's best passages sit lower in it.
const remoteDepth = 4
