package rag

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// memRemote is a Remote kept in a map; search ranks by the dot product
// of the query vector, as a vector engine would, and can be made to fail.
type memRemote struct {
	mu     sync.Mutex
	chunks map[string]RemoteChunk
	fail   error
	// entered, when set, hears of each search once it has found its hits,
	// which it then returns when release is closed.
	entered, release chan struct{}
}

func (m *memRemote) Put(_ context.Context, cs []RemoteChunk) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	for _, c := range cs {
		m.chunks[c.Key] = c
	}
	return nil
}

func (m *memRemote) Delete(_ context.Context, keys []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.chunks, k)
	}
	return nil
}

func (m *memRemote) Keys(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.chunks {
		keys = append(keys, k)
	}
	return keys, nil
}

func (m *memRemote) Search(_ context.Context, q RemoteQuery) ([]RemoteHit, error) {
	hits, err := m.search(q)
	if m.entered != nil {
		m.entered <- struct{}{}
		<-m.release
	}
	return hits, err
}

func (m *memRemote) search(q RemoteQuery) ([]RemoteHit, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	var hits []RemoteHit
	for _, c := range m.chunks {
		if len(q.Docs) > 0 && !slices.Contains(q.Docs, c.DocID) {
			continue
		}
		hits = append(hits, RemoteHit{RemoteChunk: c, Score: float64(dot(q.Vector, c.Vector))})
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	return hits[:min(len(hits), q.Limit)], nil
}

func (m *memRemote) Name() string { return "test engine" }

func TestRemoteMirrorsChangesAndAnswersSearches(t *testing.T) {
	ctx := context.Background()
	remote := &memRemote{chunks: map[string]RemoteChunk{}}
	ix := NewIndex(IndexOptions{Remote: remote})
	docs := []*Document{
		NewDocument("ferry.txt", "The Caspian ferry carried 4,200 containers in October."),
		NewDocument("rail.txt", "The rail corridor opened a new freight terminal in Rasht."),
	}
	if _, err := ix.Upsert(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	if len(remote.chunks) != 2 {
		t.Fatalf("engine holds %d chunks, want 2", len(remote.chunks))
	}
	// Passages come from the engine's copy: a hit's stored text is cited.
	for k, c := range remote.chunks {
		if c.DocID == "ferry.txt" {
			c.Text = "the engine's copy"
			remote.chunks[k] = c
		}
	}
	ps, err := ix.Search(ctx, "ferry containers", 1)
	if err != nil || len(ps) != 1 || ps[0].Text != "the engine's copy" {
		t.Fatalf("search through the engine: %+v %v", ps, err)
	}

	// A replaced document's old chunks leave the engine; so do a deleted one's.
	if _, err := ix.Upsert(ctx, []*Document{NewDocument("ferry.txt", "The Caspian ferry carried 5,000 containers in November.")}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Remove(ctx, "rail.txt"); err != nil {
		t.Fatal(err)
	}
	keys, _ := remote.Keys(ctx)
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "ferry.txt") || !strings.Contains(remote.chunks[keys[0]].Text, "5,000") {
		t.Fatalf("engine after replace and delete: %q", keys)
	}

	// An engine that fails: the upload is refused and nothing changes.
	remote.fail = errors.New("connection refused")
	if _, err := ix.Upsert(ctx, []*Document{NewDocument("new.txt", "A new document.")}, nil); err == nil {
		t.Fatal("upload accepted while the engine refused it")
	}
	if _, err := ix.Document("new.txt"); err == nil {
		t.Fatal("a refused upload is in the index")
	}
	// Searches go on in process, and say so.
	ps, degraded, err := ix.search(ctx, "ferry containers", 1, nil)
	if err != nil || len(ps) != 1 || !strings.Contains(ps[0].Text, "5,000") || !strings.Contains(degraded, "in-process search") {
		t.Fatalf("search with the engine down: %+v %q %v", ps, degraded, err)
	}
}

// A search waiting on the engine holds no lock on the index: a write goes
// on meanwhile, and the search then skips the hits of the version it
// replaced.
func TestWritesGoOnWhileTheEngineSearches(t *testing.T) {
	ctx := context.Background()
	remote := &memRemote{chunks: map[string]RemoteChunk{}}
	ix := NewIndex(IndexOptions{Remote: remote})
	docs := []*Document{
		NewDocument("ferry.txt", "The Caspian ferry carried 4,200 containers in October."),
		NewDocument("barge.txt", "The Caspian barge carried 900 containers in October."),
	}
	if _, err := ix.Upsert(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	remote.entered, remote.release = make(chan struct{}), make(chan struct{})
	type result struct {
		ps  []Passage
		err error
	}
	done := make(chan result, 1)
	go func() {
		ps, err := ix.Search(ctx, "Caspian barge containers", 2)
		done <- result{ps, err}
	}()
	<-remote.entered // the engine has found both documents' chunks
	replaced := make(chan error, 1)
	go func() {
		_, err := ix.Upsert(ctx, []*Document{NewDocument("barge.txt", "The barge was sold for scrap.")}, nil)
		replaced <- err
	}()
	select {
	case err := <-replaced:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		close(remote.release)
		t.Fatal("the upload waited for the engine's search")
	}
	close(remote.release)
	r := <-done
	if r.err != nil || len(r.ps) != 1 || r.ps[0].DocID != "ferry.txt" {
		t.Fatalf("search across a replacement: %+v %v", r.ps, r.err)
	}

	// With the engine down, the search goes on in process in a search slot,
	// and gives it back.
	remote.entered = nil
	remote.fail = errors.New("connection refused")
	if ps, degraded, err := ix.search(ctx, "barge scrap", 1, nil); err != nil || len(ps) != 1 || degraded == "" {
		t.Fatalf("search with the engine down: %+v %q %v", ps, degraded, err)
	}
	if n := len(searchSlots); n != 0 {
		t.Fatalf("%d search slots still taken", n)
	}
}

func TestReconcileBringsTheEngineInLine(t *testing.T) {
	ctx := context.Background()
	remote := &memRemote{chunks: map[string]RemoteChunk{}}
	ix := NewIndex(IndexOptions{Remote: remote})
	if _, err := ix.Upsert(ctx, []*Document{NewDocument("a.txt", "Alpha text about harbours."), NewDocument("b.txt", "Beta text about trains.")}, nil); err != nil {
		t.Fatal(err)
	}
	keys, _ := remote.Keys(ctx)
	remote.Delete(ctx, keys[:1])
	// Another version of a document the index holds, and a document only
	// another replica holds: both left for the replicas that hold them.
	old, other := "a.txt#0\x00otherhash\x00\x000:10", "other.txt#0\x00h\x00\x000:8"
	remote.chunks[old] = RemoteChunk{Key: old, ChunkID: "a.txt#0", DocID: "a.txt", Text: "harbours", Vector: remote.chunks[keys[1]].Vector}
	remote.chunks[other] = RemoteChunk{Key: other, ChunkID: "other.txt#0", DocID: "other.txt"}
	rep, err := ix.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (ReconcileReport{Held: 3, Added: 1, Foreign: 2}) {
		t.Fatalf("report %+v", rep)
	}
	after, _ := remote.Keys(ctx)
	want := append(keys, old, other)
	slices.Sort(want)
	slices.Sort(after)
	if !slices.Equal(want, after) {
		t.Fatalf("engine holds %q, want %q", after, want)
	}
	// Neither is ever cited here.
	remote.chunks[other] = RemoteChunk{Key: other, ChunkID: "other.txt#0", DocID: "other.txt", Text: "harbours", Vector: remote.chunks[keys[1]].Vector}
	ps, err := ix.Search(ctx, "harbours", 5)
	for _, p := range ps {
		if err != nil || p.DocID == "other.txt" || p.Text == "harbours" {
			t.Fatalf("search cited a version the index does not hold: %+v %v", ps, err)
		}
	}
}

func TestFailedUpsertKeepsTheLiveVersionInTheEngine(t *testing.T) {
	ctx := context.Background()
	remote := &memRemote{chunks: map[string]RemoteChunk{}}
	ix, err := OpenIndex(ctx, t.TempDir()+"/index.gob", IndexOptions{Remote: remote})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Upsert(ctx, []*Document{NewDocument("a.txt", "Version one of the harbour notes.")}, nil); err != nil {
		t.Fatal(err)
	}
	live, _ := remote.Keys(ctx)
	ix.journal.broken = errors.New("disk full") // the change log refuses the next change
	if _, err := ix.Upsert(ctx, []*Document{NewDocument("a.txt", "Version two of the harbour notes.")}, nil); err == nil {
		t.Fatal("the change log accepted a change while broken")
	}
	for _, k := range live {
		if _, ok := remote.chunks[k]; !ok {
			t.Fatalf("a refused change removed the live version's chunk %q from the engine", k)
		}
	}
}
