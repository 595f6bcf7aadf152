package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ragteam/rag/api"
	"github.com/ragteam/rag/rag"
	"github.com/ragteam/rag/rag/provider"
	"github.com/ragteam/rag/rag/weaviate"
)

// Config holds every setting. Each comes from a flag, else from its
// environment variable, else from its default; the README's table lists
// them.
type Config struct {
	Addr         string
	DataDir      string
	CorpusDir    string
	ChunkSize    int
	ChunkOverlap int
	TopK         int
	Fusion       string
	MaxQuestion  int
	Timeout      time.Duration
	LLM          string
	LLMModel     string
	LLMBaseURL   string
	LLMTimeout   time.Duration
	Embedder     string
	EmbedModel   string
	EmbedBaseURL string
	EmbedTimeout time.Duration
	PromptsDir   string
	WordVectors  string
	RateLimit    float64
	RateBurst    int
	Proxies      string
	CORSOrigins  string
	MaxUpload    string
	AdminToken   string
	apiKeys      map[string]string
	apiKeysErr   error
	PublicURL    string
	Store        string
	WeaviateURL  string
	WeaviateColl string
	WeaviateRepl int
	weaviateKey  string
	slack        api.SlackConfig

	corpusSet bool // the corpus was named by flag or environment
	errs      []error
	providers provider.Config
}

// setting binds one flag to its environment variable.
type setting struct {
	flag, env, usage string
	bind             func(fs *flag.FlagSet, c *Config, env string, usage string)
}

func stringSetting(name, env, def, usage string, field func(*Config) *string) setting {
	return setting{name, env, usage, func(fs *flag.FlagSet, c *Config, v, u string) {
		val := def
		if v != "" {
			val = v
		}
		fs.StringVar(field(c), name, val, u)
	}}
}

func intSetting(name, env string, def int, usage string, field func(*Config) *int) setting {
	return setting{name, env, usage, func(fs *flag.FlagSet, c *Config, v, u string) {
		val := def
		if v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("%s=%q: not a whole number", env, v))
			} else {
				val = n
			}
		}
		fs.IntVar(field(c), name, val, u)
	}}
}

func floatSetting(name, env string, def float64, usage string, field func(*Config) *float64) setting {
	return setting{name, env, usage, func(fs *flag.FlagSet, c *Config, v, u string) {
		val := def
		if v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("%s=%q: not a number", env, v))
			} else {
				val = f
			}
		}
		fs.Float64Var(field(c), name, val, u)
	}}
}

func durationSetting(name, env string, def time.Duration, usage string, field func(*Config) *time.Duration) setting {
	return setting{name, env, usage, func(fs *flag.FlagSet, c *Config, v, u string) {
		val := def
		if v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("%s=%q: not a duration such as 30s", env, v))
			} else {
				val = d
			}
		}
		fs.DurationVar(field(c), name, val, u)
	}}
}

// settings is the table of every setting, shared by all subcommands.
var settings = []setting{
	stringSetting("addr", "RAG_ADDR", ":8080", "address to listen on", func(c *Config) *string { return &c.Addr }),
	stringSetting("data", "RAG_DATA_DIR", "./data", "directory for the index and feedback", func(c *Config) *string { return &c.DataDir }),
	stringSetting("corpus", "RAG_CORPUS_DIR", "./seeds", "directory of documents to index", func(c *Config) *string { return &c.CorpusDir }),
	intSetting("chunk-size", "RAG_CHUNK_SIZE", rag.DefaultChunkOptions.Size, "chunk size in characters", func(c *Config) *int { return &c.ChunkSize }),
	intSetting("chunk-overlap", "RAG_CHUNK_OVERLAP", rag.DefaultChunkOptions.Overlap, "chunk overlap in characters", func(c *Config) *int { return &c.ChunkOverlap }),
	intSetting("top-k", "RAG_TOP_K", rag.DefaultTopK, "passages retrieved per question", func(c *Config) *int { return &c.TopK }),
	stringSetting("fusion", "RAG_FUSION", "weighted", "how dense and lexical rankings merge: weighted[:alpha], rrf[:k], dense or lexical", func(c *Config) *string { return &c.Fusion }),
	intSetting("max-question", "RAG_MAX_QUESTION", rag.DefaultMaxQuestion, "longest question accepted, in characters", func(c *Config) *int { return &c.MaxQuestion }),
	durationSetting("timeout", "RAG_TIMEOUT", 60*time.Second, "deadline for one request", func(c *Config) *time.Duration { return &c.Timeout }),
	stringSetting("llm", "RAG_LLM", "extractive", "answerer: extractive, ollama, openai or anthropic", func(c *Config) *string { return &c.LLM }),
	stringSetting("llm-model", "RAG_LLM_MODEL", "", "model name (default per provider)", func(c *Config) *string { return &c.LLMModel }),
	stringSetting("llm-base-url", "RAG_LLM_BASE_URL", "", "model server URL (default per provider)", func(c *Config) *string { return &c.LLMBaseURL }),
	durationSetting("llm-timeout", "RAG_LLM_TIMEOUT", 29*time.Second, "deadline for one model call (two attempts and the offline fallback must fit in timeout)", func(c *Config) *time.Duration { return &c.LLMTimeout }),
	stringSetting("embedder", "RAG_EMBEDDER", "local", "embedder: local, ollama or openai", func(c *Config) *string { return &c.Embedder }),
	stringSetting("embed-model", "RAG_EMBED_MODEL", "", "embedding model name (default per provider)", func(c *Config) *string { return &c.EmbedModel }),
	stringSetting("embed-base-url", "RAG_EMBED_BASE_URL", "", "embedding server URL (default per provider)", func(c *Config) *string { return &c.EmbedBaseURL }),
	durationSetting("embed-timeout", "RAG_EMBED_TIMEOUT", 30*time.Second, "deadline for one embedding call", func(c *Config) *time.Duration { return &c.EmbedTimeout }),
	stringSetting("word-vectors", "RAG_WORD_VECTORS", "", "word vectors replacing the built-in English ones: a GloVe/word2vec/fastText text file or a file of `rag vectors`", func(c *Config) *string { return &c.WordVectors }),
	stringSetting("prompts", "RAG_PROMPTS_DIR", "", "directory of prompt templates overriding the built-in ones", func(c *Config) *string { return &c.PromptsDir }),
	floatSetting("rate-limit", "RAG_RATE_LIMIT", 10, "API requests per second per client IP", func(c *Config) *float64 { return &c.RateLimit }),
	intSetting("rate-burst", "RAG_RATE_BURST", 0, "API request burst per client IP (default 2×rate)", func(c *Config) *int { return &c.RateBurst }),
	stringSetting("trusted-proxies", "RAG_TRUSTED_PROXIES", "", "comma-separated CIDRs whose X-Forwarded-For is believed", func(c *Config) *string { return &c.Proxies }),
	stringSetting("cors-origins", "RAG_CORS_ORIGINS", "", "comma-separated origins allowed to call the API from a browser", func(c *Config) *string { return &c.CORSOrigins }),
	stringSetting("max-upload", "RAG_MAX_UPLOAD", "20M", "largest document upload", func(c *Config) *string { return &c.MaxUpload }),
	stringSetting("store", "RAG_STORE", "memory", "where chunks are searched: memory (in process) or weaviate", func(c *Config) *string { return &c.Store }),
	stringSetting("weaviate-url", "RAG_WEAVIATE_URL", "http://127.0.0.1:8079", "Weaviate's address, with RAG_STORE=weaviate", func(c *Config) *string { return &c.WeaviateURL }),
	stringSetting("weaviate-collection", "RAG_WEAVIATE_COLLECTION", "RagChunk", "the Weaviate collection (class) holding the chunks", func(c *Config) *string { return &c.WeaviateColl }),
	intSetting("weaviate-replication", "RAG_WEAVIATE_REPLICATION", 1, "copies of each shard when the collection is made", func(c *Config) *int { return &c.WeaviateRepl }),
	stringSetting("public-url", "RAG_PUBLIC_URL", "", "URL where users reach this service; Slack sources and OpenAI-compatible citations link to it", func(c *Config) *string { return &c.PublicURL }),
}

// bind registers every setting on fs with defaults from the environment.
func (c *Config) bind(fs *flag.FlagSet, getenv func(string) string) {
	for _, s := range settings {
		s.bind(fs, c, getenv(s.env), fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	c.corpusSet = getenv("RAG_CORPUS_DIR") != ""
	c.weaviateKey = getenv("RAG_WEAVIATE_API_KEY")
	c.AdminToken = getenv("RAG_ADMIN_TOKEN") // secrets: environment only, as flags show in process lists
	c.apiKeys, c.apiKeysErr = parseAPIKeys(getenv("RAG_API_KEYS"))
	c.slack = api.SlackConfig{SigningSecret: getenv("SLACK_SIGNING_SECRET"), BotToken: getenv("SLACK_BOT_TOKEN"), AppToken: getenv("SLACK_APP_TOKEN"), APIURL: getenv("SLACK_API_URL")}
	c.providers.OpenAIKey = getenv("OPENAI_API_KEY")
	c.providers.AnthropicKey = getenv("ANTHROPIC_API_KEY")
}

// finish checks the parsed settings and returns every problem at once.
func (c *Config) finish(fs *flag.FlagSet) error {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "corpus" {
			c.corpusSet = true
		}
	})
	c.providers.LLM, c.providers.LLMModel, c.providers.LLMBaseURL, c.providers.LLMTimeout = c.LLM, c.LLMModel, c.LLMBaseURL, c.LLMTimeout
	c.providers.Embedder, c.providers.EmbedModel, c.providers.EmbedBaseURL, c.providers.EmbedTimeout = c.Embedder, c.EmbedModel, c.EmbedBaseURL, c.EmbedTimeout
	if _, err := rag.ParseFusion(c.Fusion); err != nil {
		c.errs = append(c.errs, err)
	}
	switch c.Store {
	case "memory":
	case "weaviate":
		if u, err := url.Parse(c.WeaviateURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.errs = append(c.errs, fmt.Errorf("weaviate-url %q: not an http(s) URL", c.WeaviateURL))
		}
		if !weaviateClass.MatchString(c.WeaviateColl) {
			c.errs = append(c.errs, fmt.Errorf("weaviate-collection %q: a capitalised name of letters, digits and _", c.WeaviateColl))
		}
		if c.WeaviateRepl < 1 {
			c.errs = append(c.errs, fmt.Errorf("weaviate-replication must be at least 1, got %d", c.WeaviateRepl))
		}
	default:
		c.errs = append(c.errs, fmt.Errorf("store %q: choose memory or weaviate", c.Store))
	}
	if err := c.chunkOptions().Validate(); err != nil {
		c.errs = append(c.errs, err)
	}
	if c.TopK < 1 || c.TopK > rag.MaxTopK {
		c.errs = append(c.errs, fmt.Errorf("top-k must be between 1 and %d, got %d", rag.MaxTopK, c.TopK))
	}
	if c.MaxQuestion < 1 {
		c.errs = append(c.errs, fmt.Errorf("max-question must be positive, got %d", c.MaxQuestion))
	}
	for name, d := range map[string]time.Duration{"timeout": c.Timeout, "llm-timeout": c.LLMTimeout, "embed-timeout": c.EmbedTimeout} {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("%s must be positive, got %s", name, d))
		}
	}
	// Every attempt at the model, and the offline answer after them, fit
	// in the request's deadline: a hanging model falls back, not times out.
	if budget := rag.ModelAttempts*c.LLMTimeout + rag.FallbackReserve; c.LLM != "" && c.LLM != "extractive" && budget > c.Timeout {
		c.errs = append(c.errs, fmt.Errorf("llm-timeout %s: %d attempts and %s for the offline fallback need %s, more than the request timeout %s; lower llm-timeout or raise timeout",
			c.LLMTimeout, rag.ModelAttempts, rag.FallbackReserve, budget, c.Timeout))
	}
	if c.apiKeysErr != nil {
		c.errs = append(c.errs, c.apiKeysErr)
	}
	if c.RateLimit <= 0 || c.RateBurst < 0 {
		c.errs = append(c.errs, fmt.Errorf("rate-limit must be positive and rate-burst not negative"))
	}
	if _, err := c.trustedProxies(); err != nil {
		c.errs = append(c.errs, err)
	}
	if !uploadSize.MatchString(c.MaxUpload) {
		c.errs = append(c.errs, fmt.Errorf("max-upload %q: a size such as 20M or 512K", c.MaxUpload))
	}
	c.slack.PublicURL = c.PublicURL
	if err := c.slack.Validate(); err != nil {
		c.errs = append(c.errs, err)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.errs = append(c.errs, fmt.Errorf("public-url %q: not an http(s) URL", c.PublicURL))
		}
	}
	if err := c.providers.Validate(); err != nil {
		c.errs = append(c.errs, err)
	}
	if len(c.errs) == 0 {
		return nil
	}
	msg := "bad settings:"
	for _, e := range c.errs {
		msg += "\n  " + e.Error()
	}
	return fmt.Errorf("%s", msg)
}

func (c *Config) chunkOptions() rag.ChunkOptions {
	return rag.ChunkOptions{Size: c.ChunkSize, Overlap: c.ChunkOverlap}
}

// wordVectorLimit bounds the words read from a text vector file: the
// most frequent come first, and rarer ones cost memory for little.
const wordVectorLimit = 200000

func (c *Config) indexOptions() (rag.IndexOptions, error) {
	fusion, _ := rag.ParseFusion(c.Fusion) // checked in finish
	words := rag.EmbeddedWordVectors()
	if c.WordVectors != "" {
		wv, err := rag.LoadWordVectorsFile(c.WordVectors, wordVectorLimit)
		if err != nil {
			return rag.IndexOptions{}, fmt.Errorf("RAG_WORD_VECTORS: %w", err)
		}
		words = wv
	}
	embedder, err := provider.NewEmbedder(c.providers)
	if err != nil {
		return rag.IndexOptions{}, err
	}
	if c.Embedder == "" || c.Embedder == provider.Local {
		embedder = rag.LocalEmbedderWith(words, rag.DefaultSemanticShare)
	}
	return rag.IndexOptions{Chunk: c.chunkOptions(), Fusion: fusion, Embedder: embedder, Words: words}, nil
}

// remote connects to the search engine RAG_STORE names; nil for memory.
func (c *Config) remote(ctx context.Context) (rag.Remote, error) {
	if c.Store != "weaviate" {
		return nil, nil
	}
	return weaviate.New(ctx, weaviate.Config{URL: c.WeaviateURL, APIKey: c.weaviateKey, Collection: c.WeaviateColl,
		Replication: c.WeaviateRepl, Fusion: c.Fusion, Timeout: c.Timeout})
}

var weaviateClass = regexp.MustCompile(`^[A-Z][A-Za-z0-9_]*$`)

var uploadSize = regexp.MustCompile(`^[1-9][0-9]*[KMG]?$`)

// trustedProxies parses the comma-separated CIDRs of RAG_TRUSTED_PROXIES.
func (c *Config) trustedProxies() ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(c.Proxies, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if strings.Contains(part, ":") {
				part += "/128"
			} else {
				part += "/32"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("trusted-proxies: %q is not an address or CIDR", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func (c *Config) corsOrigins() []string {
	var out []string
	for _, o := range strings.Split(c.CORSOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// parseAPIKeys reads RAG_API_KEYS: comma-separated keys, each "name:key"
// or a bare key (named by its position). Names show in logs; keys never.
func parseAPIKeys(v string) (map[string]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	keys := map[string]string{}
	for i, item := range strings.Split(v, ",") {
		name, key, ok := strings.Cut(strings.TrimSpace(item), ":")
		if !ok {
			name, key = fmt.Sprintf("key%d", i+1), name
		}
		if len(key) < 16 {
			return nil, fmt.Errorf("RAG_API_KEYS: key %d (%q) is shorter than 16 characters", i+1, name)
		}
		if _, dup := keys[name]; dup {
			return nil, fmt.Errorf("RAG_API_KEYS: the name %q is used twice", name)
		}
		keys[name] = key
	}
	return keys, nil
}
