// Package provider connects the core to model servers through langchaingo:
// Ollama, any OpenAI-compatible server, and Anthropic. It makes outgoing
// calls only and depends on rag, never the reverse.
package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ragteam/rag/rag"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
)

// Provider names.
const (
	Extractive = "extractive"
	Local      = "local"
	Ollama     = "ollama"
	OpenAI     = "openai"
	Anthropic  = "anthropic"
)

// Default server addresses and models.
var (
	defaultBaseURL = map[string]string{
		Ollama:    "http://localhost:11434",
		OpenAI:    "https://api.openai.com/v1",
		Anthropic: "https://api.anthropic.com/v1",
	}
	defaultModel = map[string]string{
		Ollama:    "llama3.2",
		OpenAI:    "gpt-4o-mini",
		Anthropic: "claude-3-5-haiku-latest",
	}
	defaultEmbedModel = map[string]string{
		Ollama: "nomic-embed-text",
		OpenAI: "text-embedding-3-small",
	}
)

// Config selects and configures the answer model and the embedder. Field
// comments name the environment variables the command line reads.
type Config struct {
	LLM          string // RAG_LLM: extractive, ollama, openai or anthropic
	LLMModel     string // RAG_LLM_MODEL
	LLMBaseURL   string // RAG_LLM_BASE_URL
	LLMTimeout   time.Duration
	Embedder     string // RAG_EMBEDDER: local, ollama or openai
	EmbedModel   string // RAG_EMBED_MODEL
	EmbedBaseURL string // RAG_EMBED_BASE_URL
	EmbedTimeout time.Duration
	OpenAIKey    string // OPENAI_API_KEY
	AnthropicKey string // ANTHROPIC_API_KEY
	// HTTPClient makes the calls; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Validate checks the settings before any client is made, and names the
// setting at fault. (langchaingo's Ollama client ends the process on a
// URL it cannot parse, so URLs are checked here first.)
func (c Config) Validate() error {
	var errs []error
	switch c.LLM {
	case "", Extractive:
	case Ollama, OpenAI, Anthropic:
		if err := checkURL("RAG_LLM_BASE_URL", c.LLMBaseURL); err != nil {
			errs = append(errs, err)
		}
		if err := c.checkKey(c.LLM, c.LLMBaseURL); err != nil {
			errs = append(errs, err)
		}
	default:
		errs = append(errs, fmt.Errorf("RAG_LLM=%q: choose extractive, ollama, openai or anthropic", c.LLM))
	}
	switch c.Embedder {
	case "", Local:
	case Ollama, OpenAI:
		if err := checkURL("RAG_EMBED_BASE_URL", c.EmbedBaseURL); err != nil {
			errs = append(errs, err)
		}
		if err := c.checkKey(c.Embedder, c.EmbedBaseURL); err != nil {
			errs = append(errs, err)
		}
	default:
		errs = append(errs, fmt.Errorf("RAG_EMBEDDER=%q: choose local, ollama or openai", c.Embedder))
	}
	return errors.Join(errs...)
}

func checkURL(setting, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s=%q: not an http(s) URL such as http://localhost:11434", setting, raw)
	}
	return nil
}

// checkKey requires the provider's key. An OpenAI-compatible server other
// than OpenAI's own (vLLM, llama.cpp, LM Studio) may run without one.
func (c Config) checkKey(provider, baseURL string) error {
	switch provider {
	case OpenAI:
		if c.OpenAIKey == "" && (baseURL == "" || strings.Contains(baseURL, "api.openai.com")) {
			return errors.New("OPENAI_API_KEY is not set: OpenAI needs a key (a local OpenAI-compatible server given by its base URL does not)")
		}
	case Anthropic:
		if c.AnthropicKey == "" {
			return errors.New("ANTHROPIC_API_KEY is not set: Anthropic needs a key")
		}
	}
	return nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

func (c Config) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return http.DefaultClient
}

// NewModel returns the configured answer model; ok is false for the
// extractive default, which needs none.
func NewModel(c Config) (m rag.Model, ok bool, err error) {
	if c.LLM == "" || c.LLM == Extractive {
		return rag.Model{}, false, nil
	}
	if err := c.Validate(); err != nil {
		return rag.Model{}, false, err
	}
	model := or(c.LLMModel, defaultModel[c.LLM])
	base := or(c.LLMBaseURL, defaultBaseURL[c.LLM])
	var llm llms.Model
	switch c.LLM {
	case Ollama:
		llm, err = ollama.New(ollama.WithServerURL(base), ollama.WithModel(model), ollama.WithHTTPClient(c.httpClient()))
	case OpenAI:
		llm, err = openai.New(openai.WithBaseURL(base), openai.WithModel(model), openai.WithToken(or(c.OpenAIKey, "none")),
			openai.WithHTTPClient(c.httpClient()))
	case Anthropic:
		llm, err = anthropic.New(anthropic.WithBaseURL(base), anthropic.WithModel(model), anthropic.WithToken(c.AnthropicKey),
			anthropic.WithHTTPClient(c.httpClient()))
	}
	if err != nil {
		return rag.Model{}, false, fmt.Errorf("%s client: %w", c.LLM, err)
	}
	return rag.Model{Name: "llm:" + c.LLM + "/" + model, Generate: generate(llm)}, true, nil
}

// maxAnswerTokens bounds a reply; answers are a few sentences.
const maxAnswerTokens = 1024

// generate adapts a langchaingo model to the core's GenerateFunc.
func generate(llm llms.Model) rag.GenerateFunc {
	return func(ctx context.Context, msgs []rag.Message, onToken func(string)) (string, error) {
		content := make([]llms.MessageContent, 0, len(msgs))
		for _, m := range msgs {
			role := llms.ChatMessageTypeHuman
			switch m.Role {
			case "system":
				role = llms.ChatMessageTypeSystem
			case "assistant":
				role = llms.ChatMessageTypeAI
			}
			content = append(content, llms.TextParts(role, m.Content))
		}
		opts := []llms.CallOption{llms.WithMaxTokens(maxAnswerTokens), llms.WithTemperature(0)}
		if onToken != nil {
			opts = append(opts, llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
				onToken(string(chunk))
				return nil
			}))
		}
		resp, err := llm.GenerateContent(ctx, content, opts...)
		if err != nil {
			return "", err
		}
		if len(resp.Choices) == 0 {
			return "", nil
		}
		return resp.Choices[0].Content, nil
	}
}

// embedBatch is how many texts go in one embedding request where the
// provider takes a list (OpenAI); Ollama's client sends one text a call.
const embedBatch = 64

// embedWorkers bounds the embedding calls in flight to a model server.
const embedWorkers = 4

// NewEmbedder returns the configured embedder; the local one by default.
// Each call gets its own deadline (EmbedTimeout, 30 s by default).
func NewEmbedder(c Config) (rag.Embedder, error) {
	if c.Embedder == "" || c.Embedder == Local {
		return rag.LocalEmbedder(), nil
	}
	if err := c.Validate(); err != nil {
		return rag.Embedder{}, err
	}
	model := or(c.EmbedModel, defaultEmbedModel[c.Embedder])
	base := or(c.EmbedBaseURL, defaultBaseURL[c.Embedder])
	timeout := c.EmbedTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	type embedder interface {
		CreateEmbedding(ctx context.Context, texts []string) ([][]float32, error)
	}
	var client embedder
	var err error
	switch c.Embedder {
	case Ollama:
		client, err = ollama.New(ollama.WithServerURL(base), ollama.WithModel(model), ollama.WithHTTPClient(c.httpClient()))
	case OpenAI:
		client, err = openai.New(openai.WithBaseURL(base), openai.WithEmbeddingModel(model), openai.WithToken(or(c.OpenAIKey, "none")),
			openai.WithHTTPClient(c.httpClient()))
	}
	if err != nil {
		return rag.Embedder{}, fmt.Errorf("%s embedder: %w", c.Embedder, err)
	}
	embed := func(ctx context.Context, texts []string) ([][]float32, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		vs, err := client.CreateEmbedding(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("%s embeddings: %w", c.Embedder, err)
		}
		if len(vs) != len(texts) {
			return nil, fmt.Errorf("%s embeddings: %d vectors for %d texts", c.Embedder, len(vs), len(texts))
		}
		return vs, nil
	}
	return rag.Embedder{
		Name:    c.Embedder + "/" + model,
		Batch:   embedBatch,
		Workers: embedWorkers,
		Documents: func(ctx context.Context, texts []string) ([][]float32, error) {
			return embed(ctx, texts)
		},
		Query: func(ctx context.Context, text string, _ rag.TermWeight) ([]float32, error) {
			vs, err := embed(ctx, []string{text})
			if err != nil {
				return nil, err
			}
			return vs[0], nil
		},
	}, nil
}
