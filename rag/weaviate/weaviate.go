// Package weaviate keeps the index's chunks in a Weaviate collection and
// runs hybrid search there (BM25 over the index's own terms, fused with
// the index's vectors), as a [rag.Remote].
//
// It uses Weaviate's Go client rather than langchaingo's Weaviate store:
// that store searches by vector alone and keeps a chunk's text and a free
// metadata map, while the index needs hybrid search with a chosen fusion,
// a filter on documents, and typed offsets returned as stored, so that
// citations quote exactly what the in-process store would.
package weaviate

import (
	"context"
	"crypto/sha1"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/ragteam/rag/rag"
	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/auth"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"
)

// Config says where the collection lives and how it searches.
type Config struct {
	URL         string // http(s)://host:port
	APIKey      string // empty for anonymous access
	Collection  string // the class name, capitalised as Weaviate requires
	Replication int    // copies of each shard (1 on a single node)
	// Fusion is a RAG_FUSION setting, mapped to Weaviate's hybrid
	// arguments by ParseFusion.
	Fusion string
	// Timeout bounds one call to Weaviate.
	Timeout time.Duration
}

// Store is a Weaviate collection of chunks.
type Store struct {
	client *weaviate.Client
	class  string
	alpha  float32
	fusion graphql.FusionType
	url    string
}

// batchSize is how many objects one batch request carries.
const batchSize = 500

// ParseFusion maps a RAG_FUSION setting to Weaviate's hybrid arguments:
// weighted:a is relative-score fusion with alpha a (both normalise each
// ranking by its scores), rrf is ranked fusion (Weaviate's k is fixed at
// 60), dense is alpha 1 and lexical alpha 0.
func ParseFusion(spec string) (alpha float32, fusion graphql.FusionType, err error) {
	if _, err := rag.ParseFusion(spec); err != nil {
		return 0, "", err
	}
	name, arg, hasArg := strings.Cut(spec, ":")
	switch name {
	case "weighted":
		a := rag.DefaultDenseWeight
		if hasArg {
			a, _ = strconv.ParseFloat(arg, 64) // checked by rag.ParseFusion
		}
		return float32(a), graphql.RelativeScore, nil
	case "rrf":
		return 0.5, graphql.Ranked, nil
	case "dense":
		return 1, graphql.RelativeScore, nil
	}
	return 0, graphql.RelativeScore, nil // lexical
}

// New connects to Weaviate and makes the collection when it is missing.
func New(ctx context.Context, cfg Config) (*Store, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("weaviate url %q: not an http(s) URL", cfg.URL)
	}
	alpha, fusion, err := ParseFusion(cfg.Fusion)
	if err != nil {
		return nil, err
	}
	wc := weaviate.Config{Host: u.Host, Scheme: u.Scheme, Timeout: cfg.Timeout}
	if cfg.APIKey != "" {
		wc.AuthConfig = auth.ApiKey{Value: cfg.APIKey}
	}
	client, err := weaviate.NewClient(wc)
	if err != nil {
		return nil, fmt.Errorf("weaviate at %s: %w", cfg.URL, err)
	}
	s := &Store{client: client, class: cfg.Collection, alpha: alpha, fusion: fusion, url: cfg.URL}
	if err := s.ensureCollection(ctx, max(1, cfg.Replication)); err != nil {
		return nil, err
	}
	return s, nil
}

// Name says which engine this is, for logs and readiness.
func (s *Store) Name() string { return "weaviate at " + s.url }

// Property names of a chunk object.
const (
	propKey     = "key"
	propChunkID = "chunkId"
	propDocID   = "docId"
	propTitle   = "title"
	propStart   = "start"
	propEnd     = "end"
	propText    = "text"
	propTerms   = "terms"
)

func (s *Store) ensureCollection(ctx context.Context, replication int) error {
	exists, err := s.client.Schema().ClassExistenceChecker().WithClassName(s.class).Do(ctx)
	if err != nil {
		return fmt.Errorf("weaviate at %s: %w", s.url, err)
	}
	if exists {
		return nil
	}
	no, yes := false, true
	field := func(name string) *models.Property {
		return &models.Property{Name: name, DataType: []string{"text"}, Tokenization: models.PropertyTokenizationField,
			IndexFilterable: &yes, IndexSearchable: &no}
	}
	stored := func(name, kind string) *models.Property {
		return &models.Property{Name: name, DataType: []string{kind}, IndexFilterable: &no, IndexSearchable: &no}
	}
	class := &models.Class{
		Class:       s.class,
		Description: "chunks of the rag service's documents",
		Vectorizer:  "none", // the service embeds; Weaviate keeps its vectors
		VectorIndexConfig: map[string]any{
			"distance": "cosine",
		},
		ReplicationConfig: &models.ReplicationConfig{Factor: int64(replication)},
		// The terms are the index's own, stop words already out: Weaviate's
		// English list would drop words that matter in technical text
		// ("for", "if", "go").
		InvertedIndexConfig: &models.InvertedIndexConfig{Stopwords: &models.StopwordConfig{Preset: "none"}},
		Properties: []*models.Property{
			field(propKey), field(propChunkID), field(propDocID),
			stored(propTitle, "text"), stored(propText, "text"),
			stored(propStart, "int"), stored(propEnd, "int"),
			// The index's own terms, space-separated: BM25 here matches
			// what the question analysis resolves words to.
			{Name: propTerms, DataType: []string{"text"}, Tokenization: models.PropertyTokenizationWhitespace,
				IndexFilterable: &no, IndexSearchable: &yes},
		},
	}
	if err := s.client.Schema().ClassCreator().WithClass(class).Do(ctx); err != nil {
		return fmt.Errorf("create collection %s in weaviate: %w", s.class, err)
	}
	return nil
}

// objectID is the Weaviate id of a chunk key: a name-based UUID (SHA-1,
// version 5 layout) so the same chunk version always lands on one object.
func objectID(key string) string {
	sum := sha1.Sum([]byte(key))
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// Put stores chunks in batches; an object refused inside a batch fails
// the call.
func (s *Store) Put(ctx context.Context, chunks []rag.RemoteChunk) error {
	for from := 0; from < len(chunks); from += batchSize {
		b := s.client.Batch().ObjectsBatcher()
		for _, c := range chunks[from:min(from+batchSize, len(chunks))] {
			b.WithObjects(&models.Object{
				Class: s.class,
				ID:    strfmt.UUID(objectID(c.Key)),
				Properties: map[string]any{
					propKey: c.Key, propChunkID: c.ChunkID, propDocID: c.DocID, propTitle: c.Title,
					propStart: c.Start, propEnd: c.End, propText: c.Text, propTerms: c.Terms,
				},
				Vector: c.Vector,
			})
		}
		res, err := b.Do(ctx)
		if err != nil {
			return fmt.Errorf("batch store: %w", err)
		}
		for _, r := range res {
			if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
				return fmt.Errorf("batch store: object %s: %s", r.ID, r.Result.Errors.Error[0].Message)
			}
		}
	}
	return nil
}

// Delete removes the chunks with the given keys, in batches.
func (s *Store) Delete(ctx context.Context, keys []string) error {
	for from := 0; from < len(keys); from += batchSize {
		where := filters.Where().WithPath([]string{propKey}).WithOperator(filters.ContainsAny).
			WithValueText(keys[from:min(from+batchSize, len(keys))]...)
		res, err := s.client.Batch().ObjectsBatchDeleter().WithClassName(s.class).WithWhere(where).Do(ctx)
		if err != nil {
			return fmt.Errorf("batch delete: %w", err)
		}
		if res.Results != nil && res.Results.Failed > 0 {
			return fmt.Errorf("batch delete: %d objects not deleted", res.Results.Failed)
		}
	}
	return nil
}

// Keys lists every chunk's key, a page at a time with Weaviate's cursor.
func (s *Store) Keys(ctx context.Context) ([]string, error) {
	var keys []string
	after := ""
	for {
		get := s.client.GraphQL().Get().WithClassName(s.class).WithLimit(1000).
			WithFields(graphql.Field{Name: propKey}, graphql.Field{Name: "_additional", Fields: []graphql.Field{{Name: "id"}}})
		if after != "" {
			get = get.WithAfter(after)
		}
		rows, err := s.get(ctx, get)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			keys = append(keys, str(r[propKey]))
			if add, ok := r["_additional"].(map[string]any); ok {
				after = str(add["id"])
			}
		}
		if len(rows) < 1000 {
			return keys, nil
		}
	}
}

// Search runs a hybrid query: BM25 over the terms fused with the vector
// by the configured fusion; keywords alone when there is no vector, the
// vector alone when there are no terms.
func (s *Store) Search(ctx context.Context, q rag.RemoteQuery) ([]rag.RemoteHit, error) {
	get := s.client.GraphQL().Get().WithClassName(s.class).WithLimit(q.Limit).WithFields(
		graphql.Field{Name: propKey}, graphql.Field{Name: propChunkID}, graphql.Field{Name: propDocID},
		graphql.Field{Name: propTitle}, graphql.Field{Name: propStart}, graphql.Field{Name: propEnd},
		graphql.Field{Name: propText},
		graphql.Field{Name: "_additional", Fields: []graphql.Field{{Name: "score"}, {Name: "distance"}}})
	switch {
	case q.Vector == nil:
		get = get.WithBM25(s.client.GraphQL().Bm25ArgBuilder().WithQuery(q.Terms).WithProperties(propTerms))
	case q.Terms == "":
		get = get.WithNearVector(s.client.GraphQL().NearVectorArgBuilder().WithVector(q.Vector))
	default:
		get = get.WithHybrid(s.client.GraphQL().HybridArgumentBuilder().WithQuery(q.Terms).WithVector(q.Vector).
			WithAlpha(s.alpha).WithFusionType(s.fusion).WithProperties([]string{propTerms}))
	}
	if len(q.Docs) > 0 {
		get = get.WithWhere(filters.Where().WithPath([]string{propDocID}).WithOperator(filters.ContainsAny).WithValueText(q.Docs...))
	}
	rows, err := s.get(ctx, get)
	if err != nil {
		return nil, err
	}
	hits := make([]rag.RemoteHit, 0, len(rows))
	for _, r := range rows {
		h := rag.RemoteHit{RemoteChunk: rag.RemoteChunk{
			Key: str(r[propKey]), ChunkID: str(r[propChunkID]), DocID: str(r[propDocID]), Title: str(r[propTitle]),
			Start: num(r[propStart]), End: num(r[propEnd]), Text: str(r[propText]),
		}}
		if add, ok := r["_additional"].(map[string]any); ok {
			if sc, err := strconv.ParseFloat(str(add["score"]), 64); err == nil {
				h.Score = sc
			} else if d, ok := add["distance"].(float64); ok {
				h.Score = 1 - d
			}
		}
		hits = append(hits, h)
	}
	return hits, nil
}

// get runs a Get query and returns the class's rows.
func (s *Store) get(ctx context.Context, get *graphql.GetBuilder) ([]map[string]any, error) {
	res, err := get.Do(ctx)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if len(res.Errors) > 0 {
		return nil, fmt.Errorf("query: %s", res.Errors[0].Message)
	}
	data, _ := res.Data["Get"].(map[string]any)
	list, _ := data[s.class].([]any)
	rows := make([]map[string]any, 0, len(list))
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			rows = append(rows, m)
		}
	}
	return rows, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}
