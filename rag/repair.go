package rag

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"time"
)

// RepairReport says what [Repair] kept and what it moved aside.
type RepairReport struct {
	// SnapshotDocs are the documents kept from the snapshot; LostBatches
	// the batches of up to 1,000 documents that failed their checks.
	SnapshotDocs, LostBatches int
	// Records are the change-log records kept; SkippedBytes the damaged
	// bytes between them.
	Records      int
	SkippedBytes int
	// Documents is how many documents the repaired index holds.
	Documents int
	// MovedAside are the damaged files, kept under new names.
	MovedAside []string
}

// Repair rebuilds the index stored at path from everything in it that
// verifies: every snapshot section whose checksum holds (documents are
// re-embedded when the arrays after them are damaged) and every change-log
// record whose checksum holds, in order. Damaged files are kept beside
// under a ".damaged-TIME" name, and the repaired index is saved in their
// place. Files that verify whole are left as they are.
func Repair(ctx context.Context, path string, opts IndexOptions) (RepairReport, error) {
	var rep RepairReport
	stamp := time.Now().UTC().Format("20060102T150405")
	ix := NewIndex(opts)
	_, err := ix.loadSnapshot(ctx, path)
	var damage *DamageError
	snapshotDamaged := errors.As(err, &damage)
	switch {
	case snapshotDamaged:
		ix = NewIndex(opts)
		docs, lost, err := salvageSnapshot(path)
		if err != nil {
			return rep, err
		}
		rep.SnapshotDocs, rep.LostBatches = len(docs), lost
		for _, d := range docs {
			d.Chunks = nil
		}
		if _, err := ix.Upsert(ctx, docs, nil); err != nil {
			return rep, fmt.Errorf("re-embed the kept documents: %w", err)
		}
	case err != nil:
		return rep, err
	default:
		rep.SnapshotDocs = ix.Stats().Documents
	}
	logDamaged, err := ix.salvageLog(ctx, path, &rep)
	if err != nil {
		return rep, err
	}
	rep.Documents = ix.Stats().Documents
	if !snapshotDamaged && !logDamaged {
		return rep, nil
	}
	// Keep the damaged files under new names (hard links, so nothing is
	// lost if this stops half-way), then save the repaired index over them.
	for _, f := range []struct {
		name    string
		damaged bool
	}{{path, snapshotDamaged}, {logPath(path), logDamaged}} {
		if !f.damaged {
			continue
		}
		aside := f.name + ".damaged-" + stamp
		if err := os.Link(f.name, aside); err != nil {
			return rep, fmt.Errorf("keep the damaged file: %w", err)
		}
		rep.MovedAside = append(rep.MovedAside, aside)
	}
	// The log's records are in the repaired index; saving clears the log.
	if err := ix.Save(path); err != nil {
		return rep, err
	}
	return rep, nil
}

// salvageSnapshot returns the documents of every batch of the snapshot at
// path that verifies, and how many batches did not.
func salvageSnapshot(path string) ([]*Document, int, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var docs []*Document
	lost := 0
	at := len(snapshotMagic)
	for at+12 <= len(data) {
		size := binary.LittleEndian.Uint64(data[at : at+8])
		if size > uint64(len(data)-at-12) {
			lost++ // a damaged length: nothing after it can be framed
			break
		}
		payload := data[at+12 : at+12+int(size)]
		at += 12 + int(size)
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(data[at-int(size)-4:at-int(size)]) {
			lost++
			continue
		}
		var batch []Document
		if gob.NewDecoder(bytes.NewReader(payload)).Decode(&batch) != nil {
			continue // the header or an array, not documents
		}
		for i := range batch {
			docs = append(docs, &batch[i])
		}
	}
	return docs, lost, nil
}

// salvageLog applies every change-log record that verifies, skipping
// damaged bytes, and reports whether any were skipped.
func (ix *Index) salvageLog(ctx context.Context, path string, rep *RepairReport) (bool, error) {
	data, err := os.ReadFile(logPath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	at := 0
	for at < len(data) {
		rec, n, ok := readRecord(data[at:])
		if !ok {
			next := nextRecord(data, at+1)
			if next < 0 {
				next = len(data)
			}
			rep.SkippedBytes += next - at
			at = next
			continue
		}
		if err := ix.applyRecord(ctx, rec); err != nil {
			rep.SkippedBytes += n
		} else {
			rep.Records++
		}
		at += n
	}
	return rep.SkippedBytes > 0, nil
}
