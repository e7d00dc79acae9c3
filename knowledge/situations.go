package knowledge

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/commsbot/commsbot/bot"
)

// The two labels of situations.yaml: the situation a question describes
// needs an ATIP coordinator, or it does not.
const (
	SituationReview   = "review"
	SituationNoReview = "no-review"
)

// situationsYAML is the shape of situations.yaml: label → language →
// questions.
type situationsYAML map[string]map[string][]string

// loadSituations reads situations.yaml, if there is one: questions
// labelled by whether a coordinator must look at the situation, for the
// learned review detector. A knowledge base without it has no such
// detector.
func (kb *KB) loadSituations(fsys fs.FS) []error {
	b, err := fs.ReadFile(fsys, "situations.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []error{err}
	}
	var f situationsYAML
	if err := yaml.NewDecoder(strings.NewReader(string(b))).Decode(&f); err != nil {
		return []error{fmt.Errorf("situations.yaml: %w", err)}
	}
	var errs []error
	for _, label := range slices.Sorted(maps.Keys(f)) {
		if label != SituationReview && label != SituationNoReview {
			errs = append(errs, fmt.Errorf("situations.yaml: label %q is not %s or %s", label, SituationReview, SituationNoReview))
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(f[label])) {
			l := bot.ParseLang(k)
			if l == "" || string(l) != k {
				errs = append(errs, fmt.Errorf("situations.yaml: %s: language %q is not en or fr", label, k))
				continue
			}
			for _, q := range f[label][k] {
				if q = strings.TrimSpace(q); q != "" {
					kb.situations = append(kb.situations, bot.Example{Entry: label, Lang: l, Text: q})
				}
			}
		}
	}
	for _, label := range []string{SituationReview, SituationNoReview} {
		if !slices.ContainsFunc(kb.situations, func(e bot.Example) bool { return e.Entry == label }) {
			errs = append(errs, fmt.Errorf("situations.yaml: no %s questions", label))
		}
	}
	return errs
}

// Situations returns the questions labelled by whether their situation
// needs a coordinator (Entry is SituationReview or SituationNoReview).
func (kb *KB) Situations() []bot.Example { return slices.Clone(kb.situations) }
