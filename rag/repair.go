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
	// the sections that failed their checks (a batch of up to 1,000
	// documents, or an array rebuilt from them).
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
		var corpus string
		docs, lost, err := salvageSnapshot(path, &corpus)
		if err != nil {
			return rep, err
		}
		ix.corpusDir = corpus
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

// salvageSnapshot returns the documents of every section of the snapshot
// at path that verifies, and how many sections did not; it sets corpus to
// the corpus directory its header names, when the header verifies.
func salvageSnapshot(path string, corpus *string) ([]*Document, int, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var docs []*Document
	lost := 0
	for at := len(snapshotMagic); at+12 <= len(data); {
		payload, ok := sectionAt(data, at)
		if !ok {
			// A damaged section: go on from the next one that verifies.
			lost++
			next := at + 1
			for next+12 <= len(data) {
				if _, ok := sectionAt(data, next); ok {
					break
				}
				next++
			}
			at = next
			continue
		}
		at += 12 + len(payload)
		var batch []Document
		if gob.NewDecoder(bytes.NewReader(payload)).Decode(&batch) != nil {
			var h snapshotHeader
			if gob.NewDecoder(bytes.NewReader(payload)).Decode(&h) == nil && h.Corpus != "" {
				*corpus = h.Corpus
			}
			continue // the header or an array, not documents
		}
		for i := range batch {
			docs = append(docs, &batch[i])
		}
	}
	return docs, lost, nil
}

// sectionAt returns the payload of a snapshot section at offset at whose
// length fits the file and whose checksum holds.
func sectionAt(data []byte, at int) ([]byte, bool) {
	size := binary.LittleEndian.Uint64(data[at : at+8])
	if size > uint64(len(data)-at-12) {
		return nil, false
	}
	payload := data[at+12 : at+12+int(size)]
	return payload, crc32.Checksum(payload, castagnoli) == binary.LittleEndian.Uint32(data[at+8:at+12])
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
