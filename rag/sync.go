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
	Added     []string      `json:"added"`
	Updated   []string      `json:"updated"`
	Removed   []string      `json:"removed"`
	Unchanged int           `json:"unchanged"`
	Moved     bool          `json:"moved"` // the index now mirrors another directory
	Skipped   []SkippedFile `json:"skipped"`
}

// Changed reports whether the sync altered the index.
func (r SyncReport) Changed() bool {
	return r.Moved || len(r.Added)+len(r.Updated)+len(r.Removed) > 0
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
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, Errorf(EINVALID, "corpus directory %s: %v", dir, unwrapPathError(err))
	}
	if !info.IsDir() {
		return nil, nil, Errorf(EINVALID, "corpus %s is not a directory", dir)
	}
	var docs []*Document
	var skipped []SkippedFile
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
		data, err := os.ReadFile(path)
		if err != nil {
			skipped = append(skipped, SkippedFile{Path: path, Reason: unwrapPathError(err).Error()})
			return nil
		}
		d, err := LoadDocument(NormalizeDocID(filepath.ToSlash(rel)), path, data)
		if err != nil {
			skipped = append(skipped, SkippedFile{Path: path, Reason: ErrorMessage(err)})
			return nil
		}
		if strings.TrimSpace(d.Text) == "" {
			skipped = append(skipped, SkippedFile{Path: path, Reason: "no text"})
			return nil
		}
		docs = append(docs, d)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("walk corpus: %w", err)
	}
	return docs, skipped, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// Sync makes the index hold exactly the corpus directory's documents (and
// any uploaded ones): new and changed files are embedded, unchanged ones
// cost nothing, and files no longer there are removed.
func (ix *Index) Sync(ctx context.Context, dir string, progress Progress) (SyncReport, error) {
	var rep SyncReport
	docs, skipped, err := ReadCorpus(dir)
	if err != nil {
		return rep, err
	}
	rep.Skipped = skipped
	present := map[string]bool{}
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
		}
	}
	for id, d := range ix.docs {
		if d.Origin == OriginCorpus && !present[id] {
			rep.Removed = append(rep.Removed, id)
		}
	}
	ix.mu.RUnlock()
	sort.Strings(rep.Removed)
	if _, err := ix.Upsert(ctx, docs, progress); err != nil {
		return rep, err
	}
	ix.Remove(ctx, rep.Removed...)
	if abs, err := filepath.Abs(dir); err == nil {
		ix.mu.Lock()
		if ix.corpusDir != abs {
			ix.corpusDir = abs
			rep.Moved = true
		}
		ix.mu.Unlock()
	}
	return rep, nil
}
