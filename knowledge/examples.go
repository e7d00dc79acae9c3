package knowledge

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/commsbot/commsbot/bot"
)

// OutOfScope is the pseudo-entry whose examples are questions the bot must
// not answer (examples/out-of-scope.yaml).
const OutOfScope = "out-of-scope"

// MinExamples is how many example questions every entry needs in each
// language.
const MinExamples = 3

// examplesYAML is the shape of an examples file: entry id → language →
// questions.
type examplesYAML struct {
	Doc      string                         `yaml:"doc"`
	Examples map[string]map[string][]string `yaml:"examples"`
}

// loadExamples reads examples/*.yaml. Every example must name a known entry
// (or out-of-scope) and a language; every entry needs MinExamples in each
// language.
func (kb *KB) loadExamples(fsys fs.FS) []error {
	files, err := fs.Glob(fsys, "examples/*.yaml")
	if err != nil {
		return []error{err}
	}
	var errs []error
	count := map[string]map[bot.Lang]int{}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var f examplesYAML
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		ids := make([]string, 0, len(f.Examples))
		for id := range f.Examples {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			e, ok := kb.entries[id]
			switch {
			case id == OutOfScope:
			case !ok:
				errs = append(errs, fmt.Errorf("%s: examples for unknown entry %q", name, id))
				continue
			case f.Doc != "" && e.Doc != f.Doc:
				errs = append(errs, fmt.Errorf("%s: entry %q belongs to %s", name, id, e.Doc))
			}
			if count[id] == nil {
				count[id] = map[bot.Lang]int{}
			}
			for k, qs := range f.Examples[id] {
				l := bot.ParseLang(k)
				if l == "" || string(l) != k {
					errs = append(errs, fmt.Errorf("%s: entry %q: language %q is not en or fr", name, id, k))
					continue
				}
				for _, q := range qs {
					if q = strings.TrimSpace(q); q == "" {
						continue
					}
					kb.examples = append(kb.examples, bot.Example{Entry: id, Lang: l, Text: q})
					count[id][l]++
				}
			}
		}
	}
	for _, id := range kb.ids {
		for _, l := range []bot.Lang{bot.English, bot.French} {
			if n := count[id][l]; n < MinExamples {
				errs = append(errs, fmt.Errorf("entry %q has %d %s example questions, needs %d (examples/%s.yaml)",
					id, n, l, MinExamples, kb.entries[id].Doc))
			}
		}
	}
	return errs
}

// Examples returns every example question, for training the classifier.
func (kb *KB) Examples() []bot.Example { return slices.Clone(kb.examples) }

// PrimarySections maps every entry to the section its answer cites first
// ("pin-2021-01#A.8"): two entries citing the same section first give the
// same answer as far as choosing between them goes.
func (kb *KB) PrimarySections() map[string]string {
	m := make(map[string]string, len(kb.entries))
	for id, e := range kb.entries {
		if len(e.Cites) > 0 {
			m[id] = e.Cites[0].Doc + "#" + e.Cites[0].Section
		}
	}
	return m
}
