package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
	"github.com/commsbot/commsbot/knowledge"
	"github.com/commsbot/commsbot/storage/memory"
)

// newEngine wires the embedded knowledge base, the classifier and a store.
func newEngine(store bot.ConversationStore, logger *slog.Logger) (*bot.Engine, error) {
	kb, err := knowledge.Load()
	if err != nil {
		return nil, err
	}
	nlu, err := intents.NewWith(kb.Examples(), kb.PrimarySections(), kb.Situations())
	if err != nil {
		return nil, err
	}
	if err := checkEntries(kb); err != nil {
		return nil, err
	}
	if store == nil {
		store = memory.New()
	}
	return &bot.Engine{NLU: nlu, KB: kb, Store: store, Logger: logger}, nil
}

// checkEntries fails when the decision logic can choose an entry the
// knowledge base lacks.
func checkEntries(kb *knowledge.KB) error {
	for _, id := range intents.Entries() {
		if _, ok := kb.Entry(id); !ok {
			return fmt.Errorf("knowledge base has no entry %q, which the intents package can choose", id)
		}
	}
	return nil
}

// cliEngine is the engine for chat and ask: on embedded defaults, or on
// Redis (with review tickets) when REDIS_URL or another Redis variable is
// set. close releases the stores.
func cliEngine(ctx context.Context, getenv func(string) string, logger *slog.Logger) (eng *bot.Engine, close func(), err error) {
	if getenv("REDIS_URL") == "" && getenv("REDIS_SENTINEL_MASTER") == "" && getenv("REDIS_CLUSTER_ADDRS") == "" {
		llmCfg, errs := loadLLMConfig(getenv)
		if err := errors.Join(errs...); err != nil {
			return nil, nil, err
		}
		store := memory.New()
		eng, err := newEngine(store, logger)
		if err != nil {
			return nil, nil, err
		}
		eng.Inbox = store
		if err := enableLLM(eng, llmCfg, store, nil, logger); err != nil {
			return nil, nil, err
		}
		return eng, func() {}, nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, nil, err
	}
	rt, err := newRuntime(ctx, cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	rt.enableReviews()
	return rt.engine, func() { rt.Close() }, nil
}
