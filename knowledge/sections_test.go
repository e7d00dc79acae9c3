package knowledge

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commsbot/commsbot/bot"
)

// citationIDs are the section IDs of ../shared/citations.md, per document
// and source language, in source order.
var citationIDs = map[string]map[bot.Lang][]string{
	"pin-2021-01": {
		bot.English: {"1", "2", "3", "4", "5", "6", "7", "8",
			"A.1", "A.2", "A.3", "A.4", "A.5", "A.6", "A.7", "A.8", "A.9", "A.10", "A.11"},
		bot.French: {"1", "2", "3", "4", "5", "6", "7", "8",
			"A.1", "A.2", "A.3", "A.4", "A.5", "A.6", "A.7", "A.8", "A.9", "A.10", "A.11"},
	},
	"psc-political-sm": {
		bot.English: {"rights", "dos-donts", "consider", "other-considerations", "improper", "other-online", "support"},
	},
	"bc-breach-notify": {
		bot.English: {"intro", "harm", "harm.sensitivity", "harm.individuals", "harm.relationships", "harm.containment",
			"timing", "individuals", "individuals.verbal", "individuals.indirect", "elements", "exceptions",
			"commissioner", "help"},
	},
}

func readSource(t *testing.T, doc string, lang bot.Lang) string {
	t.Helper()
	b, err := fs.ReadFile(embedded, "sources/"+doc+"."+string(lang)+".txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParserYieldsCitationSections(t *testing.T) {
	if len(specs) != len(citationIDs) {
		t.Errorf("specs has %d docs, citations.md has %d", len(specs), len(citationIDs))
	}
	for doc, byLang := range citationIDs {
		for _, lang := range []bot.Lang{bot.English, bot.French} {
			want, has := byLang[lang]
			spec, ok := specs[doc][lang]
			if ok != has {
				t.Errorf("%s.%s: spec present %v, citations.md lists it %v", doc, lang, ok, has)
				continue
			}
			if !ok {
				continue
			}
			secs, err := parseSections(doc, lang, readSource(t, doc, lang), spec)
			if err != nil {
				t.Fatalf("%s.%s: %v", doc, lang, err)
			}
			var got []string
			for _, s := range secs {
				got = append(got, s.ID)
				if s.Doc != doc || s.Lang != lang {
					t.Errorf("%s.%s#%s: section says doc %q lang %q", doc, lang, s.ID, s.Doc, s.Lang)
				}
				// The copy of the PSC page lost the text under "Other
				// considerations": the heading is followed by the next one.
				empty := doc == "psc-political-sm" && s.ID == "other-considerations"
				if (strings.TrimSpace(s.Text) == "") != empty {
					t.Errorf("%s.%s#%s: section text %q, want empty %v", doc, lang, s.ID, s.Text, empty)
				}
				if s.Heading == "" {
					t.Errorf("%s.%s#%s: no heading", doc, lang, s.ID)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s.%s sections:\n got %v\nwant %v", doc, lang, got, want)
			}
		}
	}
}

// Sections must not swallow the next heading or page furniture.
func TestSectionBoundaries(t *testing.T) {
	kb := loadKB(t)
	cases := []struct {
		doc, id string
		lang    bot.Lang
		has     string // text the section holds
		lacks   string // text that belongs elsewhere
	}{
		{"pin-2021-01", "A.2", bot.English, "Flickr", "Are existing official"},
		{"pin-2021-01", "A.11", bot.English, "retain", "Page details"},
		{"pin-2021-01", "A.11", bot.French, "conserv", "Détails de la page"},
		{"pin-2021-01", "8", bot.English, "", "Annex A"},
		{"bc-breach-notify", "harm", bot.English, "significant harm", "The sensitivity, context, and amount"},
		{"psc-political-sm", "rights", bot.English, "", "Dos and don’ts"},
	}
	for _, c := range cases {
		s, ok := kb.Section(c.doc, c.id, c.lang)
		if !ok {
			t.Errorf("%s#%s (%s) missing", c.doc, c.id, c.lang)
			continue
		}
		if c.has != "" && !strings.Contains(s.Text, c.has) {
			t.Errorf("%s#%s (%s) lacks %q", c.doc, c.id, c.lang, c.has)
		}
		if strings.Contains(s.Text, c.lacks) {
			t.Errorf("%s#%s (%s) holds %q, which belongs to another section", c.doc, c.id, c.lang, c.lacks)
		}
	}
	if s, _ := kb.Section("bc-breach-notify", "harm.containment", bot.English); s.Parent != "harm" {
		t.Errorf("harm.containment parent = %q, want harm", s.Parent)
	}
	if s, _ := kb.Section("pin-2021-01", "A.8", bot.English); s.Parent != "" {
		t.Errorf("A.8 parent = %q, want none", s.Parent)
	}
}

func TestKBSectionsListsEverySection(t *testing.T) {
	kb := loadKB(t)
	var want []string
	for _, doc := range []string{"bc-breach-notify", "pin-2021-01", "psc-political-sm"} {
		for _, id := range citationIDs[doc][bot.English] {
			want = append(want, doc+"#"+id)
		}
	}
	if got := kb.Sections(); !slices.Equal(got, want) {
		t.Errorf("Sections():\n got %v\nwant %v", got, want)
	}
	for _, id := range citationIDs["pin-2021-01"][bot.French] {
		if _, ok := kb.Section("pin-2021-01", id, bot.French); !ok {
			t.Errorf("French section pin-2021-01#%s missing", id)
		}
	}
}

// A source whose heading changed must fail to parse rather than shift every
// later citation.
func TestParserFailsOnMissingHeading(t *testing.T) {
	src := readSource(t, "pin-2021-01", bot.English)
	broken := strings.Replace(src, "\n4. Purpose", "\n4. Aim", 1)
	if broken == src {
		t.Fatal("fixture: heading \"4. Purpose\" not found in the source")
	}
	_, err := parseSections("pin-2021-01", bot.English, broken, specs["pin-2021-01"][bot.English])
	if err == nil {
		t.Fatal("parse of a source without its Purpose heading succeeded")
	}
	if !strings.Contains(err.Error(), "pin-2021-01.en.txt") || !strings.Contains(err.Error(), "Purpose") {
		t.Errorf("error %q should name the file and the missing heading", err)
	}
}

// The embedded sources are the ones the citation IDs were written for:
// their SHA-256 sums were taken from ../shared/sources and committed
// (sources.sha256), so the check holds in any checkout; where
// ../shared/sources is present, it is compared too.
func TestEmbeddedSourcesMatchShared(t *testing.T) {
	sums, err := os.ReadFile("sources.sha256")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("sources.sha256: bad line %q", line)
		}
		want[name] = sum
	}
	names, err := fs.Glob(embedded, "sources/*.txt")
	if err != nil || len(names) == 0 || len(names) != len(want) {
		t.Fatalf("embedded sources %v (%v), sums for %d", names, err, len(want))
	}
	shared := filepath.Join("..", "..", "shared", "sources")
	_, statErr := os.Stat(shared)
	for _, name := range names {
		got, _ := fs.ReadFile(embedded, name)
		if sum := sha256.Sum256(got); hex.EncodeToString(sum[:]) != want[filepath.Base(name)] {
			t.Errorf("%s: its SHA-256 is not the one recorded from shared/sources", name)
		}
		if statErr != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(shared, filepath.Base(name)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, b) {
			t.Errorf("%s differs from shared/sources", name)
		}
	}
	if statErr != nil {
		t.Logf("../shared/sources is not here: checked against the recorded sums only")
	}
}

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"l’avis  de\u00a0mise\n en œuvre": "l'avis de mise en œuvre",
		"“quoted”":                        `"quoted"`,
		"e\u0301valuation":                "évaluation",
		"  a\u202fb\u2009c  ":             "a b c",
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
