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
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"
	"unsafe"
)

// snapshotVersion changes whenever the snapshot's layout does.
const snapshotVersion = 4

// snapshotMagic opens every snapshot file; snapshotMagicV3 opened those
// of version 3, which had no checksums and are still read.
const (
	snapshotMagic   = "RAGSNAP4"
	snapshotMagicV3 = "RAGSNAP3"
)

// snapshot is the index as stored on disk: documents in the order of
// their chunks, every chunk's vector as raw float32s in that order, and the
// BM25 postings numbered the same way — so a restart decodes and indexes
// nothing again. On disk: the magic, then sections — a gob header, the
// documents as gob batches, then the raw arrays — each behind its byte
// length and CRC-32C, so damage is found and named, never loaded. (gob
// reads a message whole into a growing buffer, so big arrays go beside it.)
type snapshot struct {
	snapshotHeader
	Docs    []Document
	Vectors []byte // little-endian float32, one row per chunk
	Lexicon lexiconSnapshot
}

type snapshotHeader struct {
	Version  int
	Analysis int // textAnalysis of its postings; 0 in snapshots older than the field
	Embedder string
	Chunk    ChunkOptions
	Corpus   string // the directory the corpus documents came from
	Dim      int
	NumDocs  int
	Terms    []string
	Counts   []int32 // postings per term
	Total    int64
}

// stale reports a snapshot the index must build again from its documents:
// another layout, embedder, chunking or text analysis made it.
func (h snapshotHeader) stale(opts IndexOptions) bool {
	return h.Version != snapshotVersion || h.Analysis != textAnalysis || h.Embedder != opts.Embedder.Name || h.Chunk != opts.Chunk
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

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// rawSections name the arrays after the documents, in order.
var rawSections = []string{"vectors", "postings", "term frequencies", "chunk lengths"}

func (snap *snapshot) encode(w *bufio.Writer) error {
	if _, err := w.WriteString(snapshotMagic); err != nil {
		return err
	}
	h := snap.snapshotHeader
	h.NumDocs, h.Terms, h.Counts, h.Total = len(snap.Docs), snap.Lexicon.Terms, snap.Lexicon.Counts, snap.Lexicon.Total
	var buf bytes.Buffer
	gobSection := func(v any) error {
		buf.Reset()
		if err := gob.NewEncoder(&buf).Encode(v); err != nil {
			return err
		}
		return writeSection(w, buf.Bytes())
	}
	if err := gobSection(&h); err != nil {
		return err
	}
	for at := 0; at < len(snap.Docs); at += docBatch {
		if err := gobSection(snap.Docs[at:min(at+docBatch, len(snap.Docs))]); err != nil {
			return err
		}
	}
	for _, raw := range [][]byte{snap.Vectors, snap.Lexicon.Slots, snap.Lexicon.TFs, snap.Lexicon.Lengths} {
		if err := writeSection(w, raw); err != nil {
			return err
		}
	}
	return nil
}

func writeSection(w *bufio.Writer, payload []byte) error {
	var head [12]byte
	binary.LittleEndian.PutUint64(head[:8], uint64(len(payload)))
	binary.LittleEndian.PutUint32(head[8:], crc32.Checksum(payload, castagnoli))
	if _, err := w.Write(head[:]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

// sectionReader reads checksummed sections and knows where it is.
type sectionReader struct {
	r      io.Reader
	file   string
	offset int64
}

// next reads the next section, named what for the error when it is damaged.
func (sr *sectionReader) next(what string) ([]byte, error) {
	at := sr.offset
	var head [12]byte
	if _, err := io.ReadFull(sr.r, head[:]); err != nil {
		return nil, &DamageError{File: sr.file, Offset: at, What: what + " is cut short"}
	}
	size := binary.LittleEndian.Uint64(head[:8])
	if size > 1<<40 {
		return nil, &DamageError{File: sr.file, Offset: at, What: fmt.Sprintf("%s claims %d bytes", what, size)}
	}
	payload := make([]byte, size)
	if _, err := io.ReadFull(sr.r, payload); err != nil {
		return nil, &DamageError{File: sr.file, Offset: at, What: what + " is cut short"}
	}
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(head[8:]) {
		return nil, &DamageError{File: sr.file, Offset: at, What: what + " fails its checksum"}
	}
	sr.offset += int64(len(head)) + int64(size)
	return payload, nil
}

// decodeSnapshot reads a snapshot; file names it in errors.
func decodeSnapshot(r *bufio.Reader, file string) (*snapshot, error) {
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(r, magic); err != nil {
		return nil, &DamageError{File: file, Offset: 0, What: "the file is too short to be a snapshot"}
	}
	switch string(magic) {
	case snapshotMagicV3:
		return decodeSnapshotV3(r)
	case snapshotMagic:
	default:
		return nil, &DamageError{File: file, Offset: 0, What: "it does not start as a snapshot does"}
	}
	sr := &sectionReader{r: r, file: file, offset: int64(len(magic))}
	snap := &snapshot{}
	if err := sr.gob("the header", &snap.snapshotHeader); err != nil {
		return nil, err
	}
	h := &snap.snapshotHeader
	snap.Docs = make([]Document, 0, min(h.NumDocs, 1<<20))
	for len(snap.Docs) < h.NumDocs {
		var batch []Document
		if err := sr.gob(fmt.Sprintf("documents %d–%d", len(snap.Docs)+1, min(len(snap.Docs)+docBatch, h.NumDocs)), &batch); err != nil {
			return nil, err
		}
		snap.Docs = append(snap.Docs, batch...)
	}
	raws := make([][]byte, len(rawSections))
	for i, name := range rawSections {
		at := sr.offset
		raw, err := sr.next("the " + name)
		if err != nil {
			return nil, err
		}
		if len(raw)%4 != 0 {
			return nil, &DamageError{File: file, Offset: at, What: fmt.Sprintf("the %s hold %d bytes, not whole values", name, len(raw))}
		}
		raws[i] = raw
	}
	snap.Vectors = raws[0]
	for i, v := range bytesFloat32(snap.Vectors) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, &DamageError{File: file, Offset: sr.offset, What: fmt.Sprintf("vector value %d is not a number", i)}
		}
	}
	snap.Lexicon = lexiconSnapshot{Terms: h.Terms, Counts: h.Counts, Slots: raws[1], TFs: raws[2], Lengths: raws[3], Total: h.Total}
	return snap, nil
}

// gob reads the next section and decodes it into v.
func (sr *sectionReader) gob(what string, v any) error {
	at := sr.offset
	payload, err := sr.next(what)
	if err != nil {
		return err
	}
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(v); err != nil {
		return &DamageError{File: sr.file, Offset: at, What: fmt.Sprintf("%s does not decode: %v", what, err)}
	}
	return nil
}

// decodeSnapshotV3 reads a version-3 snapshot (no checksums), after its
// magic; the next save writes it anew.
func decodeSnapshotV3(r *bufio.Reader) (*snapshot, error) {
	dec := gob.NewDecoder(r) // r is a ByteReader, so gob reads no further than its messages
	snap := &snapshot{}
	if err := dec.Decode(&snap.snapshotHeader); err != nil {
		return nil, err
	}
	h := &snap.snapshotHeader
	for len(snap.Docs) < h.NumDocs {
		var batch []Document
		if err := dec.Decode(&batch); err != nil {
			return nil, err
		}
		snap.Docs = append(snap.Docs, batch...)
	}
	raws := make([][]byte, len(rawSections))
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
	ix.journal.broken = nil // the snapshot holds everything; a fresh log starts
	return nil
}

// snapshot renumbers the live chunks densely in document order; the
// caller holds ix.mu for reading.
func (ix *Index) snapshot() snapshot {
	snap := snapshot{snapshotHeader: snapshotHeader{Version: snapshotVersion, Analysis: textAnalysis, Embedder: ix.opts.Embedder.Name, Chunk: ix.opts.Chunk, Corpus: ix.corpusDir, Dim: ix.dim}}
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
	// The rename itself must be durable before the log it replaces goes.
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("sync data directory: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// LoadIndex reads the snapshot at path, and replays the change log beside
// it, into a new index. A missing snapshot gives an empty index. Vectors
// and postings are used as stored when the snapshot was built with the
// same embedder and chunking; otherwise its documents are re-chunked and
// re-embedded from their stored text, so switching embedders never mixes
// vectors of two models and loses no document.
func LoadIndex(ctx context.Context, path string, opts IndexOptions) (*Index, bool, error) {
	ix := NewIndex(opts)
	// Temporary files of saves a crash interrupted are garbage.
	if stale, _ := filepath.Glob(path + ".tmp-*"); len(stale) > 0 {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	reembedded, err := ix.loadSnapshot(ctx, path)
	if err != nil {
		return nil, false, err
	}
	if ix.tornTail, err = ix.replayLog(ctx, path); err != nil {
		return nil, false, err
	}
	// The documents last changed when the stored index was last written.
	ix.updated = time.Time{}
	for _, f := range []string{path, logPath(path)} {
		if st, err := os.Stat(f); err == nil && st.ModTime().After(ix.updated) {
			ix.updated = st.ModTime()
		}
	}
	return ix, reembedded || ix.reindexedRecords > 0, nil
}

// TornTail is how many bytes of a torn final change-log record — a crash
// mid-append, never acknowledged — loading dropped.
func (ix *Index) TornTail() int64 { return ix.tornTail }

// loadSnapshot installs the snapshot at path, if there is one.
func (ix *Index) loadSnapshot(ctx context.Context, path string) (reembedded bool, err error) {
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("open index: %w", err)
	}
	defer f.Close()
	// Loading allocates much that lives; collecting less often speeds it up.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	snap, err := decodeSnapshot(bufio.NewReaderSize(f, 1<<20), path)
	if err != nil {
		var damage *DamageError
		if errors.As(err, &damage) {
			return false, err
		}
		return false, &DamageError{File: path, What: err.Error()}
	}
	ix.corpusDir = snap.Corpus
	if snap.stale(ix.opts) {
		docs := make([]*Document, len(snap.Docs))
		for i := range snap.Docs {
			d := snap.Docs[i]
			d.Chunks = nil
			docs[i] = &d
		}
		if _, err := ix.Upsert(ctx, docs, nil); err != nil {
			return false, fmt.Errorf("re-embed index: %w", err)
		}
		return true, nil
	}
	if err := ix.install(ctx, snap); err != nil {
		return false, &DamageError{File: path, What: err.Error()}
	}
	return false, nil
}

// install puts a snapshot's documents, vectors and postings in place.
func (ix *Index) install(ctx context.Context, snap *snapshot) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.installLocked(ctx, snap)
}

// installLocked is install; the caller holds ix.mu for writing.
func (ix *Index) installLocked(ctx context.Context, snap *snapshot) error {
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
			all = append(all, chromemDoc{c.ID, d.ID, row})
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

// ServingGCPercent is the garbage collector's target for a process that
// serves an index: the index is a large live heap, mostly pointer-free, so
// collecting once garbage reaches a twentieth of it, rather than Go's
// default of the whole of it, keeps a live server near its data's size.
// At 100k chunks under 32 clients: 100 held 4.0× the vectors and text,
// 10 held 2.5×, 5 held 2.43× for the same CPU per search within noise.
const ServingGCPercent = 5

// SetServingGC applies ServingGCPercent unless GOGC says otherwise.
func SetServingGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(ServingGCPercent)
	}
}
