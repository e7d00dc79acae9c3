package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/llm"
)

// llmConfig configures the optional paraphrasing of curated answers by an
// LLM behind an OpenAI-compatible API. It is off unless OPENAI_BASE_URL or
// OPENAI_API_KEY is set.
type llmConfig struct {
	BaseURL, APIKey, Model string
	APIType, APIVersion    string
	Timeout, CacheTTL      time.Duration
}

func (c llmConfig) enabled() bool { return c.BaseURL != "" || c.APIKey != "" }

// loadLLMConfig reads the OPENAI_* and LLM_* variables, with envVars'
// defaults, and reports every problem.
func loadLLMConfig(getenv func(string) string) (llmConfig, []error) {
	get := env(getenv).get
	var errs []error
	dur := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive duration such as 4s", name, get(name)))
		}
		return d
	}
	c := llmConfig{
		BaseURL: get("OPENAI_BASE_URL"), APIKey: get("OPENAI_API_KEY"), Model: get("OPENAI_MODEL"),
		APIType: strings.ToLower(get("OPENAI_API_TYPE")), APIVersion: get("OPENAI_API_VERSION"),
		Timeout: dur("LLM_TIMEOUT"), CacheTTL: dur("LLM_CACHE_TTL"),
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("OPENAI_BASE_URL must be an http:// or https:// URL, e.g. http://localhost:11434/v1"))
		}
	}
	switch c.APIType {
	case "openai":
	case "azure":
		if c.BaseURL == "" && c.APIKey != "" {
			errs = append(errs, errors.New("OPENAI_API_TYPE=azure needs OPENAI_BASE_URL (https://RESOURCE.openai.azure.com)"))
		}
	default:
		errs = append(errs, fmt.Errorf("OPENAI_API_TYPE=%q: want openai or azure", c.APIType))
	}
	return c, errs
}

// platformNames are the platforms the classifier knows, for the paraphrase
// check (the llm package does not import intents).
func platformNames() []string {
	names := make([]string, len(intents.Platforms))
	for i, p := range intents.Platforms {
		names[i] = p.Name
	}
	return names
}

// enableLLM gives eng a paraphraser when c enables one. cache may be nil;
// obs may be nil.
func enableLLM(eng *bot.Engine, c llmConfig, cache bot.Cache, obs llm.Observer, log *slog.Logger) error {
	if !c.enabled() {
		return nil
	}
	p, err := llm.New(llm.Config{
		BaseURL: c.BaseURL, APIKey: c.APIKey, Model: c.Model, APIType: c.APIType, APIVersion: c.APIVersion,
		Timeout: c.Timeout, Cache: cache, CacheTTL: c.CacheTTL,
		Platforms: platformNames(), Observer: obs, Logger: log,
	})
	if err != nil {
		return err
	}
	eng.Paraphraser, eng.ParaphraseTimeout = p, c.Timeout
	log.Info("LLM paraphrasing enabled", "server", serverName(c.BaseURL), "model", p.Model(), "timeout", c.Timeout.String())
	return nil
}

// serverName is the host of the API's base URL, without credentials.
func serverName(base string) string {
	if base == "" {
		return "api.openai.com"
	}
	u, err := url.Parse(base)
	if err != nil {
		return "?"
	}
	return u.Host
}

// enableLLM wires the runtime's paraphraser: cached in the runtime's
// store, observed by its metrics.
func (rt *runtime) enableLLM() error {
	return enableLLM(rt.engine, rt.cfg.LLM, rt.stores, rt.metrics, rt.log)
}
