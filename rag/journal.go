package rag

import (
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
	"sync"
	"syscall"
)

// The change log beside a snapshot makes each document change durable
// before it takes effect: a record (length, CRC-32, gob payload) is
// appended and synced, and only then is the index changed. A failed append
// is cut back off, so the log always ends with a whole record; a change
// whose append failed never happened.

// logPath is the change log beside a snapshot.
func logPath(snapshotPath string) string { return snapshotPath + ".log" }

// logRecord is one change: a document put (with its vectors) or deleted.
type logRecord struct {
	Put     *Document
	Vectors []byte // the put document's chunk vectors
	// Embedder and Chunk say how the vectors were made: a record made
	// otherwise than the index now works is re-chunked and re-embedded
	// from its text, never mixed in.
	Embedder string
	Chunk    ChunkOptions
	Delete   string
}

// maxLogBytes is the log size past which it is folded into a new snapshot
// in the background.
const maxLogBytes = 16 << 20

// journal is the index's change-log state.
type journal struct {
	// broken is set when a failed append could not be cut back off: no
	// write is taken until a restart reads the log again.
	broken error
	// folding is held while a background fold runs.
	folding sync.Mutex
	// OnFold reports each background fold's outcome.
	onFold func(error)
	// foldAt is the log size that starts a fold (maxLogBytes).
	foldAt int64
}

// OpenIndex loads the index stored at path (see [LoadIndex]) and binds it
// there: from then on [Index.Upsert] and [Index.Remove] are durable when
// they return — each change appended to the change log and synced before
// the index changes — and [Index.Sync] saves a snapshot when it changed
// anything. An index loaded by re-embedding is saved at once.
func OpenIndex(ctx context.Context, path string, opts IndexOptions) (*Index, error) {
	ix, reembedded, err := LoadIndex(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	ix.path = path
	if reembedded {
		if err := ix.Save(path); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// remove is Remove, logged to the change log of the snapshot at path
// first when path is set.
func (ix *Index) remove(ctx context.Context, path string, ids ...string) (int, error) {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.RLock()
	var present []string
	for _, id := range ids {
		if _, ok := ix.docs[id]; ok {
			present = append(present, id)
		}
	}
	ix.mu.RUnlock()
	if len(present) == 0 {
		return 0, nil
	}
	if path != "" {
		ix.saveMu.Lock()
		defer ix.saveMu.Unlock()
		var buf bytes.Buffer
		for _, id := range present {
			if err := writeRecord(&buf, &logRecord{Delete: id}); err != nil {
				return 0, err
			}
		}
		size, err := ix.appendLog(path, buf.Bytes())
		if err != nil {
			return 0, err
		}
		defer ix.foldIfLong(path, size)
	}
	ix.mu.Lock()
	gone := make([]*Document, 0, len(present))
	for _, id := range present {
		gone = append(gone, ix.docs[id])
	}
	n := ix.dropAll(ctx, present)
	ix.mu.Unlock()
	ix.forgetRemote(ctx, remoteKeysOf(gone))
	return n, nil
}

// logPuts appends the records of documents about to be put; the caller
// holds writeMu and saveMu.
func (ix *Index) logPuts(path string, docs []*Document, vectors [][][]float32) (int64, error) {
	var buf bytes.Buffer
	for i, d := range docs {
		var flat []float32
		for _, v := range vectors[i] {
			flat = append(flat, v...)
		}
		if err := writeRecord(&buf, &logRecord{Put: d, Vectors: float32Bytes(flat), Embedder: ix.opts.Embedder.Name, Chunk: ix.opts.Chunk}); err != nil {
			return 0, err
		}
	}
	return ix.appendLog(path, buf.Bytes())
}

func writeRecord(buf *bytes.Buffer, rec *logRecord) error {
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(rec); err != nil {
		return fmt.Errorf("encode change: %w", err)
	}
	var head [8]byte
	binary.LittleEndian.PutUint32(head[:4], uint32(payload.Len()))
	binary.LittleEndian.PutUint32(head[4:], crc32.ChecksumIEEE(payload.Bytes()))
	buf.Write(head[:])
	buf.Write(payload.Bytes())
	return nil
}

// appendLog appends data to the change log and syncs it, and returns the
// log's new size. When the write or the sync fails, the log is cut back to
// its old end, so it never holds a torn record followed by good ones.
func (ix *Index) appendLog(path string, data []byte) (int64, error) {
	if ix.journal.broken != nil {
		return 0, ix.journal.broken
	}
	lp := logPath(path)
	if err := os.MkdirAll(filepath.Dir(lp), 0o755); err != nil {
		return 0, storageError("create the data directory", err)
	}
	f, err := os.OpenFile(lp, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, storageError("open the change log", err)
	}
	defer f.Close()
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, storageError("open the change log", err)
	}
	if end == 0 {
		// A new log: its name must be durable before anything is in it.
		if err := syncDir(filepath.Dir(lp)); err != nil {
			return 0, storageError("sync the data directory", err)
		}
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		cut := f.Truncate(end)
		if cut == nil {
			cut = f.Sync()
		}
		if cut != nil {
			// The record may still be in the file: no write is taken until
			// a restart reads the log again (or a snapshot replaces it).
			ix.journal.broken = Errorf(EUNAVAILABLE, "the change log %s could not be cut back after a failed write (%v); restart the service to read it again", lp, cut)
		}
		return 0, storageError("write the change log", err)
	}
	return end + int64(len(data)), nil
}

// storageError says a write failed and nothing was stored; a full disk is
// EFULL, which callers can fix by freeing space.
func storageError(what string, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return Errorf(EFULL, "the data directory is full: the change was not stored; free space and retry")
	}
	return fmt.Errorf("%s (the change was not stored): %w", what, err)
}

// foldIfLong starts a background fold of the log into a new snapshot once
// the log passes maxLogBytes, so a restart replays little. At most one
// fold runs at a time; a failed one is retried after the next change.
func (ix *Index) foldIfLong(path string, size int64) {
	foldAt := ix.journal.foldAt
	if foldAt == 0 {
		foldAt = maxLogBytes
	}
	if size <= foldAt || !ix.journal.folding.TryLock() {
		return
	}
	go func() {
		defer ix.journal.folding.Unlock()
		err := ix.Save(path)
		if ix.journal.onFold != nil {
			ix.journal.onFold(err)
		}
	}()
}

// OnFold sets a function told of every background fold of the change log
// into a new snapshot (with nil when it succeeded).
func (ix *Index) OnFold(f func(error)) { ix.journal.onFold = f }

// replayLog applies the change log after the snapshot. A torn final record
// — a crash mid-append — is dropped and the log cut back; any other damage
// stops the load with an error naming the file and offset, since the
// records after it were acknowledged: [Repair] keeps every record that
// verifies.
func (ix *Index) replayLog(ctx context.Context, path string) (dropped int64, err error) {
	lp := logPath(path)
	data, err := os.ReadFile(lp)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read change log: %w", err)
	}
	good := 0
	for good < len(data) {
		rec, n, ok := readRecord(data[good:])
		if !ok {
			if tornTail(data[good:]) {
				break
			}
			return 0, &DamageError{File: lp, Offset: int64(good), What: "a change-log record fails its checksum and records follow it"}
		}
		if err := ix.applyRecord(ctx, rec); err != nil {
			return 0, &DamageError{File: lp, Offset: int64(good), What: err.Error()}
		}
		good += n
	}
	if good < len(data) {
		if err := os.Truncate(lp, int64(good)); err != nil {
			return 0, fmt.Errorf("cut torn change log: %w", err)
		}
	}
	return int64(len(data) - good), nil
}

// readRecord decodes the record at the start of data and its length.
func readRecord(data []byte) (*logRecord, int, bool) {
	if len(data) < 8 {
		return nil, 0, false
	}
	n := int(binary.LittleEndian.Uint32(data[:4]))
	sum := binary.LittleEndian.Uint32(data[4:8])
	if n > len(data)-8 || crc32.ChecksumIEEE(data[8:8+n]) != sum {
		return nil, 0, false
	}
	var rec logRecord
	if err := gob.NewDecoder(bytes.NewReader(data[8 : 8+n])).Decode(&rec); err != nil {
		return nil, 0, false
	}
	return &rec, 8 + n, true
}

// tornTail reports whether data, which does not start with a whole
// record, is what a crash mid-append leaves: a header cut short, a record
// that claims more bytes than the file has, or zeros (space the file
// system gave the file before the write reached it) — with no whole record
// after it. A record that fits the file and fails its checksum is damage,
// not a tear, and so is anything followed by a good record.
func tornTail(data []byte) bool {
	short := len(data) < 8 || int64(binary.LittleEndian.Uint32(data[:4])) > int64(len(data)-8)
	return (short || allZero(data)) && nextRecord(data, 1) < 0
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// nextRecord returns the offset of the first whole record in data at or
// after from, or -1.
func nextRecord(data []byte, from int) int {
	for at := from; at+8 <= len(data); at++ {
		if _, _, ok := readRecord(data[at:]); ok {
			return at
		}
	}
	return -1
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
	ix.mu.RLock()
	indexDim := ix.dim
	ix.mu.RUnlock()
	if rec.Embedder != ix.opts.Embedder.Name || rec.Chunk != ix.opts.Chunk || indexDim != 0 && dim != indexDim {
		// Made by another embedder or chunking (a record of an older
		// build says neither): its text is indexed anew.
		d.Chunks = nil
		ix.reindexedRecords++
		_, err := ix.Upsert(ctx, []*Document{d}, nil)
		return err
	}
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

// DamageError is a stored file that fails its checks where acknowledged
// data may lie beyond the damage: loading stops rather than lose it.
type DamageError struct {
	File   string
	Offset int64
	What   string
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("%s is damaged at byte %d: %s; run 'rag repair' to keep every record that verifies and move the damaged file aside", e.File, e.Offset, e.What)
}
