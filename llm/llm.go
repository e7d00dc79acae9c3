// Package llm rephrases commsbot's curated answers with a language model
// behind an OpenAI-compatible chat completions API — OpenAI, Azure OpenAI,
// vLLM, Ollama or a llama.cpp server — and checks in code what comes back.
//
// What the model sees: the curated answer chosen by the engine, the quotes
// it cites, the entry's key terms, the target language, and the user's
// question with personal information redacted (Redact), delimited as data.
// It sees no conversation history, user or channel ids, names of the asker,
// or anything else.
//
// What is accepted back (Check): text in the target language, of bounded
// length, with no URL, e-mail address, number, section reference or
// platform name that is not in the curated answer or the redacted question,
// every key term kept, no negation added or dropped, and no redaction
// placeholder or markup. Anything else is a Rejection with a Reason, and
// the engine uses the curated text. Citations never come from the model:
// the engine attaches the knowledge base's.
//
// Accepted paraphrases are cached (bot.Cache) under a hash of the entry,
// language, model, curated text and normalised redacted question.
package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/commsbot/commsbot/bot"
)

// Defaults for Config.
const (
	DefaultModel    = "gpt-4.1-mini"
	DefaultTimeout  = 4 * time.Second
	DefaultCacheTTL = 24 * time.Hour
)

// maxResponseBytes bounds what is read from the model server.
const maxResponseBytes = 1 << 20

// promptVersion is part of the cache key: changing the prompt or the checks
// invalidates cached paraphrases.
const promptVersion = "1"

// Config configures a Paraphraser.
type Config struct {
	// BaseURL is the API's base URL, e.g. http://localhost:11434/v1 for
	// Ollama; "" is OpenAI's.
	BaseURL string
	// APIKey is sent as a bearer token (Azure: the api-key header); it may
	// be empty for a local server.
	APIKey string
	// Model is the model name (Azure: the deployment name); default
	// DefaultModel.
	Model string
	// APIType is "openai" (default, also for every OpenAI-compatible
	// server) or "azure"; APIVersion is Azure's api-version.
	APIType    string
	APIVersion string
	// Timeout bounds every call to the model server; default
	// DefaultTimeout.
	Timeout time.Duration
	// HTTPClient, when set, makes the requests (tests); its responses are
	// still size-bounded.
	HTTPClient *http.Client
	// Cache, when set, keeps accepted paraphrases for CacheTTL (default
	// DefaultCacheTTL).
	Cache    bot.Cache
	CacheTTL time.Duration
	// Platforms are the social media platform names the bot knows; a
	// paraphrase may not name one that the answer or question does not.
	Platforms []string
	Observer  Observer
	Logger    *slog.Logger
}

// Observer is told what the Paraphraser does, for metrics. Implementations
// must be safe for concurrent use.
type Observer interface {
	// ParaphraseRequested counts one paraphrase asked for.
	ParaphraseRequested()
	// ModelCalled reports one request to the model server and its latency,
	// whatever its outcome.
	ModelCalled(took time.Duration)
	// ParaphraseFallback counts a curated answer used instead of a
	// paraphrase, by Reason.
	ParaphraseFallback(reason string)
	// ParaphraseCacheHit counts a paraphrase served from the cache.
	ParaphraseCacheHit()
}

type nopObserver struct{}

func (nopObserver) ParaphraseRequested()      {}
func (nopObserver) ModelCalled(time.Duration) {}
func (nopObserver) ParaphraseFallback(string) {}
func (nopObserver) ParaphraseCacheHit()       {}

// Paraphraser implements bot.Paraphraser. It is safe for concurrent use.
type Paraphraser struct {
	client    *openai.Client
	model     string
	timeout   time.Duration
	cache     bot.Cache
	cacheTTL  time.Duration
	platforms []platform
	obs       Observer
	log       *slog.Logger
}

var _ bot.Paraphraser = (*Paraphraser)(nil)

// New returns a Paraphraser for cfg.
func New(cfg Config) (*Paraphraser, error) {
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	var oc openai.ClientConfig
	switch strings.ToLower(cfg.APIType) {
	case "", "openai":
		oc = openai.DefaultConfig(cfg.APIKey)
		if cfg.BaseURL != "" {
			oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
		}
	case "azure":
		if cfg.BaseURL == "" {
			return nil, errors.New("llm: Azure needs a base URL (https://RESOURCE.openai.azure.com)")
		}
		oc = openai.DefaultAzureConfig(cfg.APIKey, strings.TrimRight(cfg.BaseURL, "/"))
		if cfg.APIVersion != "" {
			oc.APIVersion = cfg.APIVersion
		}
		// The model is the deployment name, used as given.
		oc.AzureModelMapperFunc = func(model string) string { return model }
	default:
		return nil, fmt.Errorf("llm: API type %q: want openai or azure", cfg.APIType)
	}
	if u, err := url.Parse(oc.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llm: base URL %q: want an http:// or https:// URL", cfg.BaseURL)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		// A backstop only: every call also runs under a context deadline.
		hc = &http.Client{Timeout: 2 * cfg.Timeout}
	}
	oc.HTTPClient = limitDoer{hc}
	p := &Paraphraser{
		client:    openai.NewClientWithConfig(oc),
		model:     cfg.Model,
		timeout:   cfg.Timeout,
		cache:     cfg.Cache,
		cacheTTL:  cfg.CacheTTL,
		platforms: compilePlatforms(cfg.Platforms),
		obs:       cfg.Observer,
		log:       cfg.Logger,
	}
	if p.obs == nil {
		p.obs = nopObserver{}
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

// Model is the model the Paraphraser asks.
func (p *Paraphraser) Model() string { return p.model }

// limitDoer bounds the size of response bodies.
type limitDoer struct{ c *http.Client }

func (d limitDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{http.MaxBytesReader(nil, resp.Body, maxResponseBytes), resp.Body}
	return resp, nil
}

// Paraphrase implements bot.Paraphraser. The error, when not nil, is a
// *Rejection.
func (p *Paraphraser) Paraphrase(ctx context.Context, req bot.ParaphraseRequest) (string, error) {
	p.obs.ParaphraseRequested()
	if req.Lang != bot.French {
		req.Lang = bot.English
	}
	text, err := p.paraphrase(ctx, req)
	if err != nil {
		var rej *Rejection
		if !errors.As(err, &rej) {
			rej = &Rejection{Reason: ReasonOther, Err: err}
		}
		p.obs.ParaphraseFallback(string(rej.Reason))
		level := slog.LevelInfo
		switch rej.Reason {
		case ReasonTimeout, ReasonHTTP, ReasonNetwork, ReasonMalformed, ReasonOther:
			level = slog.LevelWarn
		case ReasonCanceled:
			level = slog.LevelDebug
		}
		// The rejection names a reason (and a key term), never message text.
		p.log.Log(ctx, level, "paraphrase not used", "entry", req.Entry, "lang", req.Lang, "reason", rej.Reason, "err", rej)
		return "", rej
	}
	return text, nil
}

func (p *Paraphraser) paraphrase(ctx context.Context, req bot.ParaphraseRequest) (string, error) {
	question := Redact(req.Question, p.platformNames()...)
	key := p.cacheKey(req, question)
	if p.cache != nil {
		v, ok, err := p.cache.GetCache(ctx, key)
		switch {
		case err != nil:
			p.log.WarnContext(ctx, "paraphrase cache unavailable", "err", err)
		case ok:
			// Checked again: the checks may have changed since.
			if p.check(v, req, question) == nil {
				p.obs.ParaphraseCacheHit()
				return v, nil
			}
		}
	}

	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	creq := p.request(req, question)
	start := time.Now()
	resp, err := p.client.CreateChatCompletion(ctx, creq)
	p.obs.ModelCalled(time.Since(start))
	if err != nil {
		return "", &Rejection{Reason: classify(ctx, err), Err: err}
	}
	if len(resp.Choices) == 0 {
		return "", &Rejection{Reason: ReasonMalformed, Err: errors.New("no choices in the response")}
	}
	c := resp.Choices[0]
	if c.FinishReason == openai.FinishReasonLength {
		return "", &Rejection{Reason: ReasonLength, Err: errors.New("the model ran out of tokens")}
	}
	if c.FinishReason == openai.FinishReasonContentFilter {
		return "", &Rejection{Reason: ReasonEmpty, Err: errors.New("the content filter stopped the answer")}
	}
	text := clean(c.Message.Content)
	if err := p.check(text, req, question); err != nil {
		return "", err
	}
	if p.cache != nil {
		if err := p.cache.SetCache(ctx, key, text, p.cacheTTL); err != nil {
			p.log.WarnContext(ctx, "paraphrase not cached", "err", err)
		}
	}
	return text, nil
}

// request builds the chat completion request.
func (p *Paraphraser) request(req bot.ParaphraseRequest, question string) openai.ChatCompletionRequest {
	limit := maxLen(req.Answer)
	creq := openai.ChatCompletionRequest{
		Model:       p.model,
		Messages:    Messages(req, question),
		Temperature: 0.2,
		// Generous: a token is two to four characters. The length check
		// decides what is too long.
		//lint:ignore SA1019 OpenAI-compatible servers (vLLM, Ollama, llama.cpp) read max_tokens; reasoning models get max_completion_tokens below
		MaxTokens: limit/2 + 64,
	}
	if openai.NewReasoningValidator().Validate(creq) != nil {
		// Reasoning models take neither max_tokens nor a temperature.
		//lint:ignore SA1019 cleared for reasoning models, which reject it
		creq.MaxTokens, creq.Temperature = 0, 0
		creq.MaxCompletionTokens = 4 * (limit/2 + 64)
	}
	return creq
}

func (p *Paraphraser) check(text string, req bot.ParaphraseRequest, question string) error {
	return check(text, req.Answer, question, req.Lang, req.Terms, p.platforms)
}

func (p *Paraphraser) platformNames() []string {
	var out []string
	for _, pl := range p.platforms {
		out = append(out, pl.name)
	}
	return out
}

// cacheKey hashes what determines a paraphrase; the key holds no text.
func (p *Paraphraser) cacheKey(req bot.ParaphraseRequest, question string) string {
	h := sha256.New()
	for _, s := range []string{promptVersion, req.Entry, string(req.Lang), p.model, req.Answer, normalizeQuestion(question)} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return "para:" + hex.EncodeToString(h.Sum(nil))
}

// normalizeQuestion folds case, accents, spacing and final punctuation, so
// that trivially different questions share a cache entry.
func normalizeQuestion(q string) string {
	q = fold(q)
	return strings.TrimRight(q, " ?!.…")
}

// clean strips what models wrap answers in: spaces, an <answer> element,
// quotation marks.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if inner, ok := strings.CutPrefix(s, "<answer>"); ok {
		if inner, ok = strings.CutSuffix(inner, "</answer>"); ok {
			s = strings.TrimSpace(inner)
		}
	}
	for _, q := range [][2]string{{`"`, `"`}, {"“", "”"}, {"«", "»"}} {
		if len(s) > len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) &&
			!strings.Contains(s[len(q[0]):len(s)-len(q[1])], q[0]) {
			s = strings.TrimSpace(s[len(q[0]) : len(s)-len(q[1])])
		}
	}
	return s
}

// classify names the reason a call to the model failed.
func classify(ctx context.Context, err error) Reason {
	var (
		apiErr *openai.APIError
		reqErr *openai.RequestError
		synErr *json.SyntaxError
		typErr *json.UnmarshalTypeError
		maxErr *http.MaxBytesError
		netErr net.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return ReasonTimeout
	case errors.Is(err, context.Canceled):
		return ReasonCanceled
	case errors.As(err, &apiErr), errors.As(err, &reqErr):
		return ReasonHTTP
	case errors.As(err, &synErr), errors.As(err, &typErr), errors.As(err, &maxErr),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ReasonMalformed
	case errors.As(err, &netErr) && netErr.Timeout():
		return ReasonTimeout
	case errors.As(err, &netErr):
		return ReasonNetwork
	}
	return ReasonOther
}
