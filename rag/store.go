package rag

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// snapshotVersion changes whenever the snapshot's layout does.
const snapshotVersion = 1

// snapshot is the index as stored on disk: documents with their chunks and
// chunk vectors, and the settings that produced them.
type snapshot struct {
	Version  int
	Embedder string
	Chunk    ChunkOptions
	Corpus   string // the directory the corpus documents came from
	Docs     []snapshotDoc
}

type snapshotDoc struct {
	Doc     Document
	Vectors [][]float32
}

// Save writes the index to path atomically: a temporary file in the same
// directory, synced, then renamed over the old snapshot. A crash at any
// point leaves either the old snapshot or the new one, never a mix.
func (ix *Index) Save(path string) error {
	// Saves run one at a time, each writing the state it read, so a slow
	// older save can never replace a newer one.
	ix.saveMu.Lock()
	defer ix.saveMu.Unlock()
	ix.mu.RLock()
	snap := snapshot{Version: snapshotVersion, Embedder: ix.opts.Embedder.Name, Chunk: ix.opts.Chunk, Corpus: ix.corpusDir}
	for _, d := range ix.docs {
		sd := snapshotDoc{Doc: *d, Vectors: make([][]float32, len(d.Chunks))}
		for j, c := range d.Chunks {
			sd.Vectors[j] = ix.slots[ix.slotOf[c.ID]].vector
		}
		snap.Docs = append(snap.Docs, sd)
	}
	ix.mu.RUnlock()
	return writeAtomic(path, func(w *bufio.Writer) error { return gob.NewEncoder(w).Encode(&snap) })
}

func writeAtomic(path string, write func(*bufio.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(w); err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("install snapshot: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename itself durable
		d.Close()
	}
	return nil
}

// LoadIndex reads the snapshot at path into a new index. A missing file
// gives an empty index. Vectors are reused when the snapshot was built with
// the same embedder and chunking; otherwise its documents are re-chunked
// and re-embedded from their stored text, so switching embedders never
// mixes vectors of two models and loses no document.
func LoadIndex(ctx context.Context, path string, opts IndexOptions) (ix *Index, reembedded bool, err error) {
	ix = NewIndex(opts)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ix, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("open index: %w", err)
	}
	defer f.Close()
	var snap snapshot
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&snap); err != nil {
		return nil, false, fmt.Errorf("read index %s (delete it to rebuild from the corpus): %w", path, err)
	}
	ix.corpusDir = snap.Corpus
	if snap.Version != snapshotVersion || snap.Embedder != ix.opts.Embedder.Name || snap.Chunk != ix.opts.Chunk {
		docs := make([]*Document, len(snap.Docs))
		for i := range snap.Docs {
			d := snap.Docs[i].Doc
			d.Chunks = nil
			docs[i] = &d
		}
		if _, err := ix.Upsert(ctx, docs, nil); err != nil {
			return nil, false, fmt.Errorf("re-embed index: %w", err)
		}
		return ix, true, nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for i := range snap.Docs {
		sd := &snap.Docs[i]
		if len(sd.Vectors) != len(sd.Doc.Chunks) {
			return nil, false, fmt.Errorf("read index: document %s has %d chunks and %d vectors", sd.Doc.ID, len(sd.Doc.Chunks), len(sd.Vectors))
		}
		d := sd.Doc
		if err := ix.put(ctx, &d, sd.Vectors); err != nil {
			return nil, false, err
		}
	}
	return ix, false, nil
}
