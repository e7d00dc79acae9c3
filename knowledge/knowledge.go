// Package knowledge holds commsbot's curated answers and the source texts
// they cite.
//
// The four source texts are embedded verbatim (sources/) and cut into the
// sections listed in ../shared/citations.md. Curated answers are YAML files
// (answers/), one per source document, that a policy analyst can edit: each
// entry has an id, chat-ready answer text in English and French, and the
// sections it cites with verbatim quotes per language. Load validates every
// entry against the source texts and fails naming the file and entry.
package knowledge

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/commsbot/commsbot/bot"
)

//go:embed sources/*.txt answers/*.yaml examples/*.yaml situations.yaml
var embedded embed.FS

// Doc is a source document.
type Doc struct {
	ID string
	// Titles by language; an English-only document has only an English
	// source text but a French title to name it in French answers.
	Titles      map[bot.Lang]string
	EnglishOnly bool
	// Jurisdiction is "federal" or "bc".
	Jurisdiction string
}

var docs = map[string]Doc{
	"pin-2021-01": {
		ID: "pin-2021-01",
		Titles: map[bot.Lang]string{
			bot.English: "Privacy Implementation Notice 2021-01",
			bot.French:  "Avis de mise en œuvre de la protection des renseignements personnels 2021-01",
		},
		Jurisdiction: "federal",
	},
	"psc-political-sm": {
		ID: "psc-political-sm",
		Titles: map[bot.Lang]string{
			bot.English: "Public servants, political activities and social media (Public Service Commission)",
			bot.French:  "Public servants, political activities and social media (Commission de la fonction publique)",
		},
		EnglishOnly:  true,
		Jurisdiction: "federal",
	},
	"bc-breach-notify": {
		ID: "bc-breach-notify",
		Titles: map[bot.Lang]string{
			bot.English: "Guidance on Mandatory Privacy Breach Notifications (British Columbia)",
			bot.French:  "Guidance on Mandatory Privacy Breach Notifications (Colombie-Britannique)",
		},
		EnglishOnly:  true,
		Jurisdiction: "bc",
	},
}

// Entry is one curated answer.
type Entry struct {
	ID  string
	Doc string
	// Answer text by language. It may contain {platform}, filled from the
	// question's platform slot.
	Answer map[bot.Lang]string
	Cites  []Cite
	// Review is true when the answer tells the user that people must assess
	// something the sources did not pre-analyse; Category names what.
	Review   bool
	Category string
	// Terms are the key terms a paraphrase must keep, by language.
	Terms map[bot.Lang][]string
	// Label says, in a few words per language, what a user asking for this
	// entry means: the option offered when the bot asks which one they mean.
	Label map[bot.Lang]string
	// File is the data file the entry was loaded from.
	File string
}

// Cite is one section an entry cites, with a verbatim quote per language.
type Cite struct {
	Doc     string
	Section string
	Quotes  map[bot.Lang]string
}

// KB is the loaded, validated knowledge base.
type KB struct {
	sections map[string]*Section // "doc#id#lang"
	order    []string            // "doc#id", in source order
	entries  map[string]*Entry
	ids      []string
	examples []bot.Example
	// situations are questions labelled review or no-review.
	situations []bot.Example
	norm       map[string]string // normalised section texts, filled while loading
	// cites holds each entry's citations rendered in English and in
	// French (labels, titles, quotes), made once when the knowledge base
	// is loaded: Answer, on every message, then copies them instead of
	// building each label ("Annex A, Q" + q) and looking up each section
	// again.
	cites map[string]map[bot.Lang][]bot.Citation
}

// yaml shapes of the answer files.
type fileYAML struct {
	Doc     string      `yaml:"doc"`
	Entries []entryYAML `yaml:"entries"`
}

type entryYAML struct {
	ID       string              `yaml:"id"`
	Review   bool                `yaml:"review"`
	Category string              `yaml:"category"`
	Answer   map[string]string   `yaml:"answer"`
	Cite     []citeYAML          `yaml:"cite"`
	Terms    map[string][]string `yaml:"terms"`
	Label    map[string]string   `yaml:"label"`
}

type citeYAML struct {
	Doc     string `yaml:"doc"` // defaults to the file's doc
	Section string `yaml:"section"`
	EN      string `yaml:"en"`
	FR      string `yaml:"fr"`
}

// Load reads and validates the embedded knowledge base.
func Load() (*KB, error) { return LoadFS(embedded) }

// LoadFS reads a knowledge base laid out like the embedded one: sources/*.txt
// and answers/*.yaml. Every problem found is reported, each naming its file
// and entry.
func LoadFS(fsys fs.FS) (*KB, error) {
	kb := &KB{sections: map[string]*Section{}, entries: map[string]*Entry{}, norm: map[string]string{}}
	docIDs := make([]string, 0, len(specs))
	for d := range specs {
		docIDs = append(docIDs, d)
	}
	sort.Strings(docIDs)
	for _, d := range docIDs {
		for _, lang := range []bot.Lang{bot.English, bot.French} {
			spec, ok := specs[d][lang]
			if !ok {
				continue
			}
			name := fmt.Sprintf("sources/%s.%s.txt", d, lang)
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("knowledge: %w", err)
			}
			secs, err := parseSections(d, lang, string(b), spec)
			if err != nil {
				return nil, fmt.Errorf("knowledge: %w", err)
			}
			for i := range secs {
				s := secs[i]
				kb.sections[d+"#"+s.ID+"#"+string(lang)] = &s
				if lang == bot.English {
					kb.order = append(kb.order, d+"#"+s.ID)
				}
			}
		}
	}

	files, err := fs.Glob(fsys, "answers/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("knowledge: %w", err)
	}
	var errs []error
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("knowledge: %w", err)
		}
		var f fileYAML
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if _, ok := docs[f.Doc]; !ok {
			errs = append(errs, fmt.Errorf("%s: unknown doc %q", name, f.Doc))
			continue
		}
		for _, ey := range f.Entries {
			e, problems := kb.entry(path.Base(name), f.Doc, ey)
			for _, p := range problems {
				errs = append(errs, fmt.Errorf("%s: entry %q: %s", name, ey.ID, p))
			}
			if len(problems) == 0 {
				kb.entries[e.ID] = e
				kb.ids = append(kb.ids, e.ID)
			}
		}
	}
	errs = append(errs, kb.loadExamples(fsys)...)
	errs = append(errs, kb.loadSituations(fsys)...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("knowledge: %w", errors.Join(errs...))
	}
	kb.cites = make(map[string]map[bot.Lang][]bot.Citation, len(kb.entries))
	for id, e := range kb.entries {
		kb.cites[id] = map[bot.Lang][]bot.Citation{
			bot.English: kb.citations(e, bot.English),
			bot.French:  kb.citations(e, bot.French),
		}
	}
	return kb, nil
}

func (kb *KB) entry(file, doc string, y entryYAML) (*Entry, []string) {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if y.ID == "" {
		bad("missing id")
	}
	if _, dup := kb.entries[y.ID]; dup {
		bad("duplicate id")
	}
	e := &Entry{ID: y.ID, Doc: doc, Review: y.Review, Category: y.Category, File: file,
		Answer: byLang("answer", y.Answer, bad, strings.TrimSpace),
		Terms:  byLang("terms", y.Terms, bad, func(v []string) []string { return v }),
		Label:  byLang("label", y.Label, bad, strings.TrimSpace)}
	if y.Review && y.Category == "" {
		bad("review: true needs a category")
	}
	for _, l := range []bot.Lang{bot.English, bot.French} {
		if e.Answer[l] == "" {
			bad("no %s answer", l)
		}
		if e.Label[l] == "" {
			bad("no %s label", l)
		}
	}
	if docs[doc].Jurisdiction == "bc" {
		if !strings.Contains(e.Answer[bot.English], "B.C.") {
			bad("en answer must say it is B.C. guidance (mention \"B.C.\")")
		}
		if !strings.Contains(e.Answer[bot.French], "C.-B.") {
			bad("fr answer must say it is B.C. guidance (mention \"C.-B.\")")
		}
	}
	if len(y.Cite) == 0 {
		bad("cites no section")
	}
	for _, c := range y.Cite {
		cd := c.Doc
		if cd == "" {
			cd = doc
		}
		d, ok := docs[cd]
		if !ok {
			bad("cites unknown doc %q", cd)
			continue
		}
		if _, ok := kb.sections[cd+"#"+c.Section+"#en"]; !ok {
			bad("cites unknown section %s#%s", cd, c.Section)
			continue
		}
		cite := Cite{Doc: cd, Section: c.Section, Quotes: map[bot.Lang]string{}}
		check := func(lang bot.Lang, q string) {
			if len(Normalize(q)) < 20 {
				bad("%s quote for %s#%s is shorter than 20 characters", lang, cd, c.Section)
				return
			}
			if !kb.inSection(cd, c.Section, lang, q) {
				bad("%s quote not found in %s#%s: %q", lang, cd, c.Section, q)
				return
			}
			cite.Quotes[lang] = strings.TrimSpace(q)
		}
		check(bot.English, c.EN)
		switch {
		case d.EnglishOnly && c.FR != "":
			bad("%s is English only: give no fr quote (French answers quote the English text)", cd)
		case !d.EnglishOnly:
			check(bot.French, c.FR)
		}
		e.Cites = append(e.Cites, cite)
	}
	return e, problems
}

// byLang keys a YAML map by language, reporting keys that are not "en" or
// "fr".
func byLang[V any](what string, in map[string]V, bad func(string, ...any), clean func(V) V) map[bot.Lang]V {
	out := make(map[bot.Lang]V, len(in))
	for k, v := range in {
		l := bot.ParseLang(k)
		if l == "" || string(l) != k {
			bad("%s language %q is not en or fr", what, k)
			continue
		}
		out[l] = clean(v)
	}
	return out
}

// inSection reports whether quote appears, normalised, in the section or one
// of its sub-sections.
func (kb *KB) inSection(doc, id string, lang bot.Lang, quote string) bool {
	q := Normalize(quote)
	for _, s := range kb.sections {
		if s.Doc == doc && s.Lang == lang && (s.ID == id || strings.HasPrefix(s.ID, id+".") && !strings.HasPrefix(id, "A.")) {
			if strings.Contains(kb.normalized(s), q) {
				return true
			}
		}
	}
	return false
}

// normalized returns a section's text normalised for quote checks,
// computing it once.
func (kb *KB) normalized(s *Section) string {
	k := s.Doc + "#" + s.ID + "#" + string(s.Lang)
	n, ok := kb.norm[k]
	if !ok {
		n = Normalize(s.Text)
		kb.norm[k] = n
	}
	return n
}

// Section returns a parsed section.
func (kb *KB) Section(doc, id string, lang bot.Lang) (Section, bool) {
	s, ok := kb.sections[doc+"#"+id+"#"+string(lang)]
	if !ok {
		return Section{}, false
	}
	return *s, true
}

// Sections lists every section as "doc#id", in source order.
func (kb *KB) Sections() []string { return slices.Clone(kb.order) }

// Entry returns an entry by id.
func (kb *KB) Entry(id string) (*Entry, bool) {
	e, ok := kb.entries[id]
	return e, ok
}

// Terms returns an entry's key terms in lang: the words any rephrasing of
// its answer must keep. It returns nil for an unknown entry.
func (kb *KB) Terms(id string, lang bot.Lang) []string {
	e, ok := kb.entries[id]
	if !ok {
		return nil
	}
	return slices.Clone(e.Terms[lang])
}

// Entries lists entry ids in file order.
func (kb *KB) Entries() []string { return slices.Clone(kb.ids) }

// Answer renders an entry in a language: the answer text with its
// variables filled in, and its citations. French answers from English-only
// sources quote the English text and say so.
func (kb *KB) Answer(id string, lang bot.Lang, vars map[string]string) (bot.Answer, error) {
	e, ok := kb.entries[id]
	if !ok {
		return bot.Answer{}, fmt.Errorf("knowledge: no entry %q", id)
	}
	text := e.Answer[lang]
	for k, v := range vars {
		text = strings.ReplaceAll(text, "{"+k+"}", v)
	}
	if strings.Contains(text, "{") {
		// A variable the question did not fill: fall back to a neutral word.
		text = fillDefaults(text, lang)
	}
	d := docs[e.Doc]
	var note string
	if lang == bot.French && d.EnglishOnly {
		note = "(Source disponible en anglais seulement.)"
		text += " " + note
	}
	a := bot.Answer{Entry: e.ID, Text: text, Review: e.Review, Category: e.Category,
		Terms: slices.Clone(e.Terms[lang]), Note: note, Label: e.Label[lang]}
	if pre, ok := kb.cites[id][lang]; ok {
		// The caller gets its own copy, as from citations.
		if len(pre) > 0 {
			a.Citations = append(make([]bot.Citation, 0, len(pre)), pre...)
		}
	} else {
		a.Citations = kb.citations(e, lang)
	}
	return a, nil
}

// citations renders e's citations in lang; nil when it has none.
func (kb *KB) citations(e *Entry, lang bot.Lang) []bot.Citation {
	if len(e.Cites) == 0 {
		return nil
	}
	// Room for every citation at once (appending grew it twice for most
	// answers).
	out := make([]bot.Citation, 0, len(e.Cites))
	for _, c := range e.Cites {
		ql := lang
		if _, ok := c.Quotes[ql]; !ok {
			ql = bot.English
		}
		out = append(out, bot.Citation{
			Doc: c.Doc, Section: c.Section, Lang: ql,
			Title: docs[c.Doc].Titles[lang],
			Label: Label(c.Doc, c.Section, lang, kb),
			Quote: c.Quotes[ql],
		})
	}
	return out
}

func fillDefaults(text string, lang bot.Lang) string {
	platform := "this platform"
	if lang == bot.French {
		platform = "cette plateforme"
	}
	return strings.ReplaceAll(text, "{platform}", platform)
}

// Label is a human-readable name for a section: "Annex A, Q8", "section 3",
// or the section's heading.
func Label(doc, id string, lang bot.Lang, kb *KB) string {
	if doc == "pin-2021-01" {
		if q, ok := strings.CutPrefix(id, "A."); ok {
			if lang == bot.French {
				return "annexe A, Q" + q
			}
			return "Annex A, Q" + q
		}
		return "section " + id
	}
	if s, ok := kb.Section(doc, id, bot.English); ok {
		return s.Heading
	}
	return id
}
