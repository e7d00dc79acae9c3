// This file reads the question sets (the format of
// ../shared/eval/dev.jsonl) and splits them, once and for all, into a tuning
// part and a frozen test part.
//
// The split is a seeded hash of each question's conversation (or, for a lone
// question, its id), so a conversation is never cut in two and every set
// contributes about frozenPercent of its questions. Nobody reads the frozen
// part's misses while tuning: `make test` enforces the bars on it and prints
// only the figures.

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
)

// splitSeed is part of every hashed key. Changing it would move questions that
// were tuned on into the frozen part: never change it.
const splitSeed = "commsbot-frozen-2026-12"

// frozenPercent is the share of each set held out as the frozen test part.
const frozenPercent = 25

// evalItem is one question.
type evalItem struct {
	ID           string   `json:"id"`
	Q            string   `json:"q"`
	Lang         string   `json:"lang"`
	Expect       []string `json:"expect"`
	Review       *bool    `json:"review,omitempty"`
	OOS          bool     `json:"oos,omitempty"`
	Conversation string   `json:"conversation,omitempty"`
	// Set is the file the question came from (without .jsonl).
	Set string `json:"-"`
}

// heldOutSets are the sets written after the split, each scored once, blind,
// before any change made for it: the whole of each is frozen.
var heldOutSets = map[string]bool{"blind24": true, "blind25": true, "blind26": true, "blind28": true, "blind29": true, "blind32": true, "blind33": true, "blind34": true, "blind36": true, "blind38": true, "blind40": true, "blind41": true, "blind42": true, "blind45": true, "blind47": true, "blind48": true, "blind50": true}

// tuneOnlySets are the sets written after the split for tuning: their misses
// were read from the first, so none of them is frozen.
var tuneOnlySets = map[string]bool{"tune27": true, "tune30": true, "tune31": true, "tune35": true, "tune37": true, "tune39": true, "tune43": true, "tune44": true, "tune46": true, "tune49": true}

// Frozen reports whether it belongs to the frozen test part.
func (it evalItem) Frozen() bool {
	if heldOutSets[it.Set] {
		return true
	}
	if tuneOnlySets[it.Set] {
		return false
	}
	key := it.Conversation
	if key == "" {
		key = it.ID
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%s", splitSeed, it.Set, key)
	return h.Sum64()%100 < frozenPercent
}

// loadEvalSet reads one question set.
func loadEvalSet(path string) ([]evalItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	set := strings.TrimSuffix(filepath.Base(path), ".jsonl")
	var items []evalItem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var it evalItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		it.Set = set
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return items, nil
}

// splitEvalSets loads every set in paths and returns its tuning and frozen parts.
func splitEvalSets(paths ...string) (tune, frozen []evalItem, err error) {
	for _, p := range paths {
		items, err := loadEvalSet(p)
		if err != nil {
			return nil, nil, err
		}
		for _, it := range items {
			if it.Frozen() {
				frozen = append(frozen, it)
			} else {
				tune = append(tune, it)
			}
		}
	}
	return tune, frozen, nil
}
