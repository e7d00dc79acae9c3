package main

import (
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
	nlu, err := intents.New()
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
