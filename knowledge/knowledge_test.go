package knowledge

import (
	"io/fs"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/commsbot/commsbot/bot"
)

// loadKB returns the embedded knowledge base, loaded once: tests only read it.
func loadKB(t testing.TB) *KB {
	t.Helper()
	kb, err := embeddedKB()
	if err != nil {
		t.Fatal(err)
	}
	return kb
}

var embeddedKB = sync.OnceValues(Load)

// normalizedSections maps "doc#id#lang" to the section's normalised text
// and that of its sub-sections (for non-annex sections): the text a quote
// citing the section may come from.
func normalizedSections(kb *KB) map[string]string {
	out := map[string]string{}
	for _, k := range kb.Sections() {
		doc, id, _ := strings.Cut(k, "#")
		for _, lang := range []bot.Lang{bot.English, bot.French} {
			s, ok := kb.Section(doc, id, lang)
			if !ok {
				continue
			}
			text := Normalize(s.Text)
			out[k+"#"+string(lang)] += text + "\n"
			if s.Parent != "" {
				out[doc+"#"+s.Parent+"#"+string(lang)] += text + "\n"
			}
		}
	}
	return out
}

func TestEveryQuoteIsInItsSource(t *testing.T) {
	kb := loadKB(t)
	if len(kb.Entries()) == 0 {
		t.Fatal("no entries loaded")
	}
	sections := normalizedSections(kb)
	sources := map[string]string{}
	for _, id := range kb.Entries() {
		e, _ := kb.Entry(id)
		if len(e.Cites) == 0 {
			t.Errorf("%s: cites nothing", id)
		}
		d, ok := docs[e.Doc]
		if !ok {
			t.Errorf("%s: unknown doc %q", id, e.Doc)
			continue
		}
		for _, c := range e.Cites {
			wantLangs := []bot.Lang{bot.English, bot.French}
			if cd, _ := docs[c.Doc]; cd.EnglishOnly {
				wantLangs = []bot.Lang{bot.English}
			}
			if len(c.Quotes) != len(wantLangs) {
				t.Errorf("%s: %s#%s has quotes in %d languages, want %v", id, c.Doc, c.Section, len(c.Quotes), wantLangs)
			}
			for _, lang := range wantLangs {
				q := Normalize(c.Quotes[lang])
				if q == "" {
					t.Errorf("%s: %s#%s: no %s quote", id, c.Doc, c.Section, lang)
					continue
				}
				// In the whole source file, read afresh...
				name := "sources/" + c.Doc + "." + string(lang) + ".txt"
				if _, ok := sources[name]; !ok {
					src, err := fs.ReadFile(embedded, name)
					if err != nil {
						t.Fatal(err)
					}
					sources[name] = Normalize(string(src))
				}
				if !strings.Contains(sources[name], q) {
					t.Errorf("%s: %s quote not in sources/%s.%s.txt: %q", id, lang, c.Doc, lang, q)
					continue
				}
				// ...and in the cited section itself.
				if !strings.Contains(sections[c.Doc+"#"+c.Section+"#"+string(lang)], q) {
					t.Errorf("%s: %s quote not in section %s#%s: %q", id, lang, c.Doc, c.Section, q)
				}
			}
		}
		if d.Jurisdiction == "bc" && !strings.Contains(e.Answer[bot.English], "B.C.") {
			t.Errorf("%s: B.C. answer does not say B.C.", id)
		}
	}
}

// embeddedMapFS copies the embedded knowledge base into a MapFS that tests
// can add broken files to.
func embeddedMapFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(embedded, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(embedded, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// validCite returns a well-formed citation of entry id, taken from the real
// knowledge base so the fixture does not depend on answer wording.
func validCite(t *testing.T, kb *KB, id string) citeYAML {
	t.Helper()
	e, ok := kb.Entry(id)
	if !ok || len(e.Cites) == 0 {
		t.Fatalf("fixture: entry %q missing", id)
	}
	c := e.Cites[0]
	return citeYAML{Section: c.Section, EN: c.Quotes[bot.English], FR: c.Quotes[bot.French]}
}

func yamlFile(t *testing.T, doc string, entries ...entryYAML) *fstest.MapFile {
	t.Helper()
	b, err := yaml.Marshal(fileYAML{Doc: doc, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	return &fstest.MapFile{Data: b}
}

const fixtureExamples = `examples:
  fixture-ok:
    en: ["is this a fixture?", "fixture question", "another fixture question"]
    fr: ["est-ce un essai?", "question d'essai", "une autre question d'essai"]
`

func TestLoadFSRejectsBrokenEntries(t *testing.T) {
	kb := loadKB(t)
	pinCite := validCite(t, kb, "consent-mailing-list")
	bcCite := validCite(t, kb, "breach-timing")
	both := func(en, fr string) map[string]string { return map[string]string{"en": en, "fr": fr} }

	badQuote := pinCite
	badQuote.EN = "Departments may add anyone to any mailing list without asking."
	unknownSection := pinCite
	unknownSection.Section = "A.12"

	cases := []struct {
		name, file, doc string
		entry           entryYAML
		problem         string // a word the error must hold besides file and id
	}{
		{"quote not in section", "answers/zz-broken.yaml", "pin-2021-01", entryYAML{
			ID: "broken-quote", Answer: both("Yes.", "Oui."), Cite: []citeYAML{badQuote}}, "quote not found"},
		{"quote from another section", "answers/zz-broken.yaml", "pin-2021-01", entryYAML{
			ID: "wrong-section", Answer: both("Yes.", "Oui."),
			Cite: []citeYAML{{Section: "A.2", EN: pinCite.EN, FR: pinCite.FR}}}, "quote not found"},
		{"unknown section", "answers/zz-broken.yaml", "pin-2021-01", entryYAML{
			ID: "broken-section", Answer: both("Yes.", "Oui."), Cite: []citeYAML{unknownSection}}, "unknown section"},
		{"missing label", "answers/zz-broken.yaml", "pin-2021-01", entryYAML{
			ID: "broken-no-label", Answer: both("Yes.", "Oui."), Label: map[string]string{"en": "A fixture"}, Cite: []citeYAML{pinCite}}, "no fr label"},
		{"missing French answer", "answers/zz-broken.yaml", "pin-2021-01", entryYAML{
			ID: "broken-no-fr", Answer: map[string]string{"en": "Yes."}, Cite: []citeYAML{pinCite}}, "no fr answer"},
		{"bc entry without B.C.", "answers/zz-bc.yaml", "bc-breach-notify", entryYAML{
			ID: "broken-bc", Answer: both("Notify within a week.", "Avisez en C.-B. dans la semaine."),
			Cite: []citeYAML{bcCite}}, "B.C."},
		{"French quote for an English-only doc", "answers/zz-bc.yaml", "bc-breach-notify", entryYAML{
			ID: "broken-bc-fr", Answer: both("B.C. says so.", "La C.-B. le dit."),
			Cite: []citeYAML{{Section: bcCite.Section, EN: bcCite.EN, FR: "Une citation française qui n’existe pas."}}}, "English only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fsys := embeddedMapFS(t)
			fsys[c.file] = yamlFile(t, c.doc, c.entry)
			_, err := LoadFS(fsys)
			if err == nil {
				t.Fatal("LoadFS accepted a broken entry")
			}
			msg := err.Error()
			for _, want := range []string{c.file, `entry "` + c.entry.ID + `"`, c.problem} {
				if !strings.Contains(msg, want) {
					t.Errorf("error does not mention %q:\n%s", want, msg)
				}
			}
			// Only the broken file is blamed.
			for _, good := range []string{"pin-2021-01.yaml", "psc-political-sm.yaml", "bc-breach-notify.yaml"} {
				if strings.Contains(msg, good) {
					t.Errorf("error blames %s:\n%s", good, msg)
				}
			}
		})
	}

	t.Run("an entry without examples", func(t *testing.T) {
		fsys := embeddedMapFS(t)
		fsys["answers/zz-ok.yaml"] = yamlFile(t, "pin-2021-01",
			entryYAML{ID: "fixture-ok", Answer: both("Yes.", "Oui."), Label: both("A fixture", "Un essai"), Cite: []citeYAML{pinCite}})
		_, err := LoadFS(fsys)
		if err == nil || !strings.Contains(err.Error(), `entry "fixture-ok" has 0 en example questions`) {
			t.Errorf("want the entry without examples named, got %v", err)
		}
	})

	t.Run("examples for an unknown entry", func(t *testing.T) {
		fsys := embeddedMapFS(t)
		fsys["examples/zz-ok.yaml"] = &fstest.MapFile{Data: []byte(fixtureExamples)}
		_, err := LoadFS(fsys)
		if err == nil || !strings.Contains(err.Error(), `examples/zz-ok.yaml: examples for unknown entry "fixture-ok"`) {
			t.Errorf("want the unknown entry named, got %v", err)
		}
	})

	t.Run("all problems reported", func(t *testing.T) {
		fsys := embeddedMapFS(t)
		fsys["answers/zz-broken.yaml"] = yamlFile(t, "pin-2021-01",
			entryYAML{ID: "broken-quote", Answer: both("Yes.", "Oui."), Cite: []citeYAML{badQuote}},
			entryYAML{ID: "broken-no-fr", Answer: map[string]string{"en": "Yes."}, Cite: []citeYAML{pinCite}})
		_, err := LoadFS(fsys)
		if err == nil || !strings.Contains(err.Error(), "broken-quote") || !strings.Contains(err.Error(), "broken-no-fr") {
			t.Errorf("want both broken entries named, got %v", err)
		}
	})

	t.Run("hand-written YAML", func(t *testing.T) {
		fsys := embeddedMapFS(t)
		fsys["answers/zz-hand.yaml"] = &fstest.MapFile{Data: []byte(`doc: pin-2021-01
entries:
  - id: hand-broken
    answer:
      en: Consent is never needed.
      fr: Le consentement n’est jamais nécessaire.
    cite:
      - section: "A.7"
        en: "Consent is never needed for anything at all."
        fr: "Le consentement n’est jamais nécessaire pour quoi que ce soit."
`)}
		_, err := LoadFS(fsys)
		if err == nil || !strings.Contains(err.Error(), "answers/zz-hand.yaml") || !strings.Contains(err.Error(), `entry "hand-broken"`) {
			t.Errorf("want an error naming answers/zz-hand.yaml and hand-broken, got %v", err)
		}
	})

	t.Run("control: the unbroken copy loads", func(t *testing.T) {
		fsys := embeddedMapFS(t)
		fsys["answers/zz-ok.yaml"] = yamlFile(t, "pin-2021-01",
			entryYAML{ID: "fixture-ok", Answer: both("Yes.", "Oui."), Label: both("A fixture", "Un essai"), Cite: []citeYAML{pinCite}})
		fsys["examples/zz-ok.yaml"] = &fstest.MapFile{Data: []byte(fixtureExamples)}
		got, err := LoadFS(fsys)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got.Entry("fixture-ok"); !ok {
			t.Error("fixture entry not loaded")
		}
	})
}

func TestAnswerFrenchFromEnglishOnlyDoc(t *testing.T) {
	kb := loadKB(t)
	checked := 0
	for _, id := range kb.Entries() {
		e, _ := kb.Entry(id)
		if d, _ := docs[e.Doc]; !d.EnglishOnly {
			continue
		}
		checked++
		a, err := kb.Answer(id, bot.French, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(a.Text, "anglais") {
			t.Errorf("%s: French answer does not say the source is in English: %q", id, a.Text)
		}
		if a.Text == e.Answer[bot.English] {
			t.Errorf("%s: French answer is the English text", id)
		}
		if len(a.Citations) == 0 {
			t.Errorf("%s: no citations", id)
		}
		for _, c := range a.Citations {
			if c.Lang != bot.English || c.Quote == "" {
				t.Errorf("%s: citation %s has lang %q quote %q, want an English quote", id, c.Key(), c.Lang, c.Quote)
			}
			if !hasQuote(e, c.Quote) {
				t.Errorf("%s: citation quote %q is not one of the entry's", id, c.Quote)
			}
			if c.Title == "" {
				t.Errorf("%s: citation without title", id)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no entry of an English-only document")
	}

	// A bilingual document quotes French in French.
	a, err := kb.Answer("consent-mailing-list", bot.French, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.Citations {
		if c.Lang != bot.French {
			t.Errorf("consent-mailing-list in French cites %s in %s", c.Key(), c.Lang)
		}
	}
	if strings.Contains(a.Text, "anglais seulement") {
		t.Error("a bilingual document's French answer says the source is English only")
	}
	if _, err := kb.Answer("no-such-entry", bot.English, nil); err == nil {
		t.Error("Answer of an unknown entry succeeded")
	}
}

func hasQuote(e *Entry, q string) bool {
	for _, c := range e.Cites {
		for _, v := range c.Quotes {
			if v == q {
				return true
			}
		}
	}
	return false
}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

func TestPlatformSubstitution(t *testing.T) {
	kb := loadKB(t)
	withPlatform := 0
	for _, id := range kb.Entries() {
		e, _ := kb.Entry(id)
		for _, lang := range []bot.Lang{bot.English, bot.French} {
			// Every variable is filled, named or not.
			a, err := kb.Answer(id, lang, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p := placeholder.FindString(a.Text); p != "" {
				t.Errorf("%s (%s): unfilled %s in %q", id, lang, p, a.Text)
			}
			if !strings.Contains(e.Answer[lang], "{platform}") {
				continue
			}
			withPlatform++
			a, err = kb.Answer(id, lang, map[string]string{"platform": "Mastodon"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(a.Text, "Mastodon") || strings.Contains(a.Text, "{platform}") {
				t.Errorf("%s (%s): platform not substituted: %q", id, lang, a.Text)
			}
			def, _ := kb.Answer(id, lang, nil)
			neutral := map[bot.Lang]string{bot.English: "this platform", bot.French: "cette plateforme"}[lang]
			if !strings.Contains(strings.ToLower(def.Text), neutral) {
				t.Errorf("%s (%s): no platform given, want %q in %q", id, lang, neutral, def.Text)
			}
		}
	}
	if withPlatform == 0 {
		t.Fatal("no entry uses {platform}")
	}
}
