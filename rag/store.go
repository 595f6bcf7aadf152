package rag

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"unsafe"
)

// snapshotVersion changes whenever the snapshot's layout does.
const snapshotVersion = 3

// snapshotMagic opens every snapshot file.
const snapshotMagic = "RAGSNAP3"

// snapshot is the index as stored on disk: documents in the order of
// their chunks, every chunk's vector as raw float32s in that order, and the
// BM25 postings numbered the same way — so a restart decodes and indexes
// nothing again. On disk: the magic, a gob header, the documents as gob
// batches, then the raw arrays, each behind its byte length. (gob reads a
// message whole into a growing buffer, so big arrays go beside it.)
type snapshot struct {
	snapshotHeader
	Docs    []Document
	Vectors []byte // little-endian float32, one row per chunk
	Lexicon lexiconSnapshot
}

type snapshotHeader struct {
	Version  int
	Embedder string
	Chunk    ChunkOptions
	Corpus   string // the directory the corpus documents came from
	Dim      int
	NumDocs  int
	Terms    []string
	Counts   []int32 // postings per term
	Total    int64
}

type lexiconSnapshot struct {
	Terms   []string
	Counts  []int32
	Slots   []byte // int32 per posting
	TFs     []byte // int32 per posting
	Lengths []byte // int32 per chunk
	Total   int64
}

// docBatch is how many documents go in one gob message.
const docBatch = 1000

func (snap *snapshot) encode(w *bufio.Writer) error {
	if _, err := w.WriteString(snapshotMagic); err != nil {
		return err
	}
	h := snap.snapshotHeader
	h.NumDocs, h.Terms, h.Counts, h.Total = len(snap.Docs), snap.Lexicon.Terms, snap.Lexicon.Counts, snap.Lexicon.Total
	enc := gob.NewEncoder(w)
	if err := enc.Encode(&h); err != nil {
		return err
	}
	for at := 0; at < len(snap.Docs); at += docBatch {
		batch := snap.Docs[at:min(at+docBatch, len(snap.Docs))]
		if err := enc.Encode(batch); err != nil {
			return err
		}
	}
	for _, raw := range [][]byte{snap.Vectors, snap.Lexicon.Slots, snap.Lexicon.TFs, snap.Lexicon.Lengths} {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(raw)))
		if _, err := w.Write(n[:]); err != nil {
			return err
		}
		if _, err := w.Write(raw); err != nil {
			return err
		}
	}
	return nil
}

func decodeSnapshot(r *bufio.Reader) (*snapshot, error) {
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != snapshotMagic {
		return nil, fmt.Errorf("not a snapshot of this version")
	}
	dec := gob.NewDecoder(r) // r is a ByteReader, so gob reads no further than its messages
	snap := &snapshot{}
	if err := dec.Decode(&snap.snapshotHeader); err != nil {
		return nil, err
	}
	h := &snap.snapshotHeader
	snap.Docs = make([]Document, 0, h.NumDocs)
	for len(snap.Docs) < h.NumDocs {
		var batch []Document
		if err := dec.Decode(&batch); err != nil {
			return nil, err
		}
		snap.Docs = append(snap.Docs, batch...)
	}
	raws := make([][]byte, 4)
	for i := range raws {
		var n [8]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return nil, err
		}
		size := binary.LittleEndian.Uint64(n[:])
		if size > 1<<40 {
			return nil, fmt.Errorf("array of %d bytes", size)
		}
		raws[i] = make([]byte, size)
		if _, err := io.ReadFull(r, raws[i]); err != nil {
			return nil, err
		}
	}
	snap.Vectors = raws[0]
	snap.Lexicon = lexiconSnapshot{Terms: h.Terms, Counts: h.Counts, Slots: raws[1], TFs: raws[2], Lengths: raws[3], Total: h.Total}
	return snap, nil
}

// float32Bytes and friends view numeric slices as bytes: gob copies a byte
// slice at memory speed but encodes numbers one by one. (Little-endian
// machines only, which is every machine this runs on.)
func float32Bytes(v []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*4)
}

func int32Bytes(v []int32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*4)
}

func bytesFloat32(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	copy(float32Bytes(out), b)
	return out
}

func bytesInt32(b []byte) []int32 {
	out := make([]int32, len(b)/4)
	copy(int32Bytes(out), b)
	return out
}

// Save writes the index to path atomically — a temporary file in the same
// directory, synced, then renamed over the old snapshot — and then clears
// the change log the snapshot now includes. A crash at any point leaves
// the old snapshot (and its log) or the new one, never a mix.
func (ix *Index) Save(path string) error {
	// Saves run one at a time, each writing the state it read, so a slow
	// older save can never replace a newer one.
	ix.saveMu.Lock()
	defer ix.saveMu.Unlock()
	ix.mu.RLock()
	snap := ix.snapshot()
	ix.mu.RUnlock()
	if err := writeAtomic(path, snap.encode); err != nil {
		return err
	}
	if err := os.Remove(logPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("clear change log: %w", err)
	}
	return nil
}

// snapshot renumbers the live chunks densely in document order; the
// caller holds ix.mu for reading.
func (ix *Index) snapshot() snapshot {
	snap := snapshot{snapshotHeader: snapshotHeader{Version: snapshotVersion, Embedder: ix.opts.Embedder.Name, Chunk: ix.opts.Chunk, Corpus: ix.corpusDir, Dim: ix.dim}}
	renumber := make([]int32, len(ix.slots))
	vecs := make([]float32, 0, ix.lex.live*ix.dim)
	lengths := make([]int32, 0, ix.lex.live)
	next := int32(0)
	var last *Document
	for n, s := range ix.slots {
		renumber[n] = -1
		if s == nil {
			continue
		}
		if s.doc != last {
			snap.Docs = append(snap.Docs, *s.doc)
			last = s.doc
		}
		renumber[n] = next
		next++
		vecs = append(vecs, s.vector...)
		lengths = append(lengths, ix.lex.lengths[n])
	}
	snap.Vectors = float32Bytes(vecs)
	lex := &snap.Lexicon
	lex.Total = ix.lex.total
	lex.Lengths = int32Bytes(lengths)
	var slots, tfs []int32
	for term, ps := range ix.lex.postings {
		count := int32(0)
		for _, p := range ps {
			if r := renumber[p.slot]; r >= 0 {
				slots = append(slots, r)
				tfs = append(tfs, p.tf)
				count++
			}
		}
		if count > 0 {
			lex.Terms = append(lex.Terms, term)
			lex.Counts = append(lex.Counts, count)
		}
	}
	lex.Slots, lex.TFs = int32Bytes(slots), int32Bytes(tfs)
	return snap
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
	syncDir(dir) // make the rename itself durable
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// LoadIndex reads the snapshot at path, and replays the change log beside
// it, into a new index. A missing snapshot gives an empty index. Vectors
// and postings are used as stored when the snapshot was built with the
// same embedder and chunking; otherwise its documents are re-chunked and
// re-embedded from their stored text, so switching embedders never mixes
// vectors of two models and loses no document.
func LoadIndex(ctx context.Context, path string, opts IndexOptions) (ix *Index, reembedded bool, err error) {
	ix = NewIndex(opts)
	// Temporary files of saves a crash interrupted are garbage.
	if stale, _ := filepath.Glob(path + ".tmp-*"); len(stale) > 0 {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ix, false, ix.replayLog(ctx, path)
	case err != nil:
		return nil, false, fmt.Errorf("open index: %w", err)
	}
	defer f.Close()
	// Loading allocates much that lives; collecting less often speeds it up.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	snap, err := decodeSnapshot(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, false, fmt.Errorf("read index %s (delete it to rebuild from the corpus): %w", path, err)
	}
	ix.corpusDir = snap.Corpus
	if snap.Version != snapshotVersion || snap.Embedder != ix.opts.Embedder.Name || snap.Chunk != ix.opts.Chunk {
		docs := make([]*Document, len(snap.Docs))
		for i := range snap.Docs {
			d := snap.Docs[i]
			d.Chunks = nil
			docs[i] = &d
		}
		if _, err := ix.Upsert(ctx, docs, nil); err != nil {
			return nil, false, fmt.Errorf("re-embed index: %w", err)
		}
		return ix, true, ix.replayLog(ctx, path)
	}
	if err := ix.install(ctx, snap); err != nil {
		return nil, false, fmt.Errorf("read index %s: %w", path, err)
	}
	return ix, false, ix.replayLog(ctx, path)
}

// install puts a snapshot's documents, vectors and postings in place.
func (ix *Index) install(ctx context.Context, snap *snapshot) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	vecs := bytesFloat32(snap.Vectors)
	lengths := bytesInt32(snap.Lexicon.Lengths)
	chunks := 0
	for i := range snap.Docs {
		chunks += len(snap.Docs[i].Chunks)
	}
	if chunks*snap.Dim != len(vecs) || chunks != len(lengths) {
		return fmt.Errorf("%d chunks, %d vector values of dimension %d, %d lengths", chunks, len(vecs), snap.Dim, len(lengths))
	}
	ix.dim = snap.Dim
	all := make([]chromemDoc, 0, chunks)
	for i := range snap.Docs {
		d := &snap.Docs[i]
		for _, c := range d.Chunks {
			n := len(ix.slots)
			row := ix.vecs.add(vecs[n*snap.Dim : (n+1)*snap.Dim])
			ix.slots = append(ix.slots, &slot{chunk: c, doc: d, vector: row})
			ix.slotOf[c.ID] = n
			all = append(all, chromemDoc{c.ID, row})
		}
		ix.docs[d.ID] = d
	}
	ix.lex.install(&snap.Lexicon, lengths)
	ix.gen++
	return ix.addToCollection(ctx, all)
}

// install sets the lexicon from a snapshot's postings.
func (l *lexicon) install(s *lexiconSnapshot, lengths []int32) {
	slots, tfs := bytesInt32(s.Slots), bytesInt32(s.TFs)
	all := make([]posting, len(slots))
	for i := range all {
		all[i] = posting{slot: slots[i], tf: tfs[i]}
	}
	l.postings = make(map[string][]posting, len(s.Terms))
	l.dfs = make(map[string]int, len(s.Terms))
	at := 0
	for i, term := range s.Terms {
		n := int(s.Counts[i])
		l.postings[term] = all[at : at+n : at+n] // capped: a later append copies
		l.dfs[term] = n
		at += n
	}
	l.lengths = lengths
	l.total = s.Total
	l.live = len(lengths)
	l.sorted = nil
}

// ---- The change log ------------------------------------------------------------

// logPath is the change log beside a snapshot.
func logPath(snapshotPath string) string { return snapshotPath + ".log" }

// logRecord is one change: a document put (with its vectors) or deleted.
type logRecord struct {
	Put     *Document
	Vectors []byte // the put document's chunk vectors
	Delete  string
}

// maxLogBytes is when the change log is folded into a new snapshot.
const maxLogBytes = 64 << 20

// LogChanges makes the current state of the given documents durable: each
// is appended to the change log — its text, chunks and vectors, or its
// deletion — and synced before it returns. Each record carries its length
// and a checksum, so a crash mid-append leaves a torn tail that loading
// drops, never a half-written document. A long log is folded into a new
// snapshot.
func (ix *Index) LogChanges(path string, ids ...string) error {
	ix.saveMu.Lock()
	var buf bytes.Buffer
	ix.mu.RLock()
	for _, id := range ids {
		rec := logRecord{Delete: id}
		if d, ok := ix.docs[id]; ok {
			vecs := make([]float32, 0, len(d.Chunks)*ix.dim)
			for _, c := range d.Chunks {
				vecs = append(vecs, ix.slots[ix.slotOf[c.ID]].vector...)
			}
			rec = logRecord{Put: d, Vectors: float32Bytes(vecs)}
		}
		var payload bytes.Buffer
		if err := gob.NewEncoder(&payload).Encode(&rec); err != nil {
			ix.mu.RUnlock()
			ix.saveMu.Unlock()
			return fmt.Errorf("encode change: %w", err)
		}
		var head [8]byte
		binary.LittleEndian.PutUint32(head[:4], uint32(payload.Len()))
		binary.LittleEndian.PutUint32(head[4:], crc32.ChecksumIEEE(payload.Bytes()))
		buf.Write(head[:])
		buf.Write(payload.Bytes())
	}
	ix.mu.RUnlock()
	size, err := appendSynced(logPath(path), buf.Bytes())
	ix.saveMu.Unlock()
	if err != nil {
		return err
	}
	if size > maxLogBytes {
		return ix.Save(path)
	}
	return nil
}

func appendSynced(path string, data []byte) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, fmt.Errorf("create data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, fmt.Errorf("open change log: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return 0, fmt.Errorf("append change log: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("sync change log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	syncDir(filepath.Dir(path))
	return st.Size(), nil
}

// replayLog applies the change log after the snapshot, up to its first
// torn or corrupt record, and cuts the log there.
func (ix *Index) replayLog(ctx context.Context, path string) error {
	data, err := os.ReadFile(logPath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read change log: %w", err)
	}
	good := 0
	for good+8 <= len(data) {
		n := int(binary.LittleEndian.Uint32(data[good : good+4]))
		sum := binary.LittleEndian.Uint32(data[good+4 : good+8])
		if n > len(data)-good-8 || crc32.ChecksumIEEE(data[good+8:good+8+n]) != sum {
			break
		}
		var rec logRecord
		if err := gob.NewDecoder(bytes.NewReader(data[good+8 : good+8+n])).Decode(&rec); err != nil {
			break
		}
		if err := ix.applyRecord(ctx, &rec); err != nil {
			return fmt.Errorf("replay change log: %w", err)
		}
		good += 8 + n
	}
	if good < len(data) {
		if err := os.Truncate(logPath(path), int64(good)); err != nil {
			return fmt.Errorf("cut torn change log: %w", err)
		}
	}
	return nil
}

func (ix *Index) applyRecord(ctx context.Context, rec *logRecord) error {
	if rec.Put == nil {
		ix.Remove(ctx, rec.Delete)
		return nil
	}
	d := rec.Put
	vecs := bytesFloat32(rec.Vectors)
	if len(d.Chunks) == 0 || len(vecs)%len(d.Chunks) != 0 {
		return fmt.Errorf("document %s: %d chunks, %d vector values", d.ID, len(d.Chunks), len(vecs))
	}
	dim := len(vecs) / len(d.Chunks)
	rows := make([][]float32, len(d.Chunks))
	for j := range rows {
		rows[j] = vecs[j*dim : (j+1)*dim]
	}
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.put(ctx, d, rows)
}
