package rag

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// SyncReport says what [Index.Sync] changed.
type SyncReport struct {
	Added     []string `json:"added"`
	Updated   []string `json:"updated"`
	Removed   []string `json:"removed"`
	Unchanged int      `json:"unchanged"`
	Moved     bool     `json:"moved"` // the index now mirrors another directory
	// Restamped counts files touched but not changed: their text was
	// read again and found the same; their new size and time are kept.
	Restamped int           `json:"restamped"`
	Skipped   []SkippedFile `json:"skipped"`
}

// Changed reports whether the sync altered the index.
func (r SyncReport) Changed() bool {
	return r.Moved || len(r.Added)+len(r.Updated)+len(r.Removed)+r.Restamped > 0
}

// SkippedFile is a file of the corpus that could not be read.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// ReadCorpus loads every supported file under dir, at any depth. A
// document's id is its path relative to dir, with forward slashes. Hidden
// files and directories are skipped; unreadable files are reported, not
// fatal.
func ReadCorpus(dir string) ([]*Document, []SkippedFile, error) {
	docs, _, skipped, err := readCorpus(dir, nil)
	return docs, skipped, err
}

// readCorpus is ReadCorpus; a file for which unchanged reports true (by
// its size and modification time, as build tools decide) is not read,
// and its id is listed in kept instead.
func readCorpus(dir string, unchanged func(id string, info fs.FileInfo) bool) (docs []*Document, kept []string, skipped []SkippedFile, err error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, nil, Errorf(EINVALID, "corpus directory %s: %v", dir, unwrapPathError(err))
	}
	if !info.IsDir() {
		return nil, nil, nil, Errorf(EINVALID, "corpus %s is not a directory", dir)
	}
	err = filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			skipped = append(skipped, SkippedFile{Path: path, Reason: unwrapPathError(err).Error()})
			if e != nil && e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if path != dir && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.IsDir() || !e.Type().IsRegular() {
			return nil
		}
		if _, ok := LoaderFor(path); !ok {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		id := NormalizeDocID(filepath.ToSlash(rel))
		fi, err := e.Info()
		if err != nil {
			skipped = append(skipped, SkippedFile{Path: path, Reason: unwrapPathError(err).Error()})
			return nil
		}
		if unchanged != nil && unchanged(id, fi) {
			kept = append(kept, id)
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			skipped = append(skipped, SkippedFile{Path: path, Reason: unwrapPathError(err).Error()})
			return nil
		}
		d, err := LoadDocument(id, path, data)
		if err != nil {
			skipped = append(skipped, SkippedFile{Path: path, Reason: ErrorMessage(err)})
			return nil
		}
		if strings.TrimSpace(d.Text) == "" {
			skipped = append(skipped, SkippedFile{Path: path, Reason: "no text"})
			return nil
		}
		d.FileSize, d.FileMod = fi.Size(), fi.ModTime().UnixNano()
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("walk corpus: %w", err)
	}
	return docs, kept, skipped, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// Sync makes the index hold exactly the corpus directory's documents (and
// any uploaded ones): new and changed files are embedded, unchanged ones
// cost nothing, and files no longer there are removed. A bound index (see
// [OpenIndex]) is saved when anything changed, before Sync returns.
func (ix *Index) Sync(ctx context.Context, dir string, progress Progress) (SyncReport, error) {
	var rep SyncReport
	// A file whose size and modification time are those the index took
	// it with is not read again: a restart checks a large corpus in the
	// time it takes to list it.
	abs, _ := filepath.Abs(dir)
	ix.mu.RLock()
	sameDir := ix.corpusDir == abs
	ix.mu.RUnlock()
	unchanged := func(id string, fi fs.FileInfo) bool {
		ix.mu.RLock()
		defer ix.mu.RUnlock()
		d, ok := ix.docs[id]
		return sameDir && ok && d.Origin == OriginCorpus && d.FileMod != 0 && d.FileSize == fi.Size() && d.FileMod == fi.ModTime().UnixNano()
	}
	docs, kept, skipped, err := readCorpus(dir, unchanged)
	if err != nil {
		return rep, err
	}
	rep.Skipped = skipped
	present := map[string]bool{}
	for _, id := range kept {
		present[id] = true
	}
	rep.Unchanged = len(kept)
	var restamp []*Document
	ix.mu.RLock()
	for _, d := range docs {
		present[d.ID] = true
		old, ok := ix.docs[d.ID]
		switch {
		case !ok:
			rep.Added = append(rep.Added, d.ID)
		case old.Hash != d.Hash || old.Title != d.Title:
			rep.Updated = append(rep.Updated, d.ID)
		default:
			rep.Unchanged++
			if old.FileSize != d.FileSize || old.FileMod != d.FileMod {
				restamp = append(restamp, d)
			}
		}
	}
	for id, d := range ix.docs {
		if d.Origin == OriginCorpus && !present[id] {
			rep.Removed = append(rep.Removed, id)
		}
	}
	ix.mu.RUnlock()
	sort.Strings(rep.Removed)
	// A whole corpus goes into a snapshot at the end, not through the
	// change log record by record.
	if _, err := ix.upsert(ctx, "", docs, progress); err != nil {
		return rep, err
	}
	if len(restamp) > 0 {
		ix.mu.Lock()
		for _, d := range restamp {
			if old, ok := ix.docs[d.ID]; ok && old.Hash == d.Hash {
				old.FileSize, old.FileMod = d.FileSize, d.FileMod
				rep.Restamped++
			}
		}
		ix.mu.Unlock()
	}
	if _, err := ix.remove(ctx, "", rep.Removed...); err != nil {
		return rep, err
	}
	if abs, err := filepath.Abs(dir); err == nil {
		ix.mu.Lock()
		if ix.corpusDir != abs {
			ix.corpusDir = abs
			rep.Moved = true
		}
		ix.mu.Unlock()
	}
	if ix.path != "" && rep.Changed() {
		if err := ix.Save(ix.path); err != nil {
			return rep, err
		}
	}
	return rep, nil
}
