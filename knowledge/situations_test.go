package knowledge

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestSituations: the embedded situations carry both labels in both
// languages; a file with an unknown label or language is rejected, naming
// it; a knowledge base without the file has none.
func TestSituations(t *testing.T) {
	kb, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, s := range kb.Situations() {
		n[s.Entry+"/"+string(s.Lang)]++
	}
	for _, k := range []string{"review/en", "review/fr", "no-review/en", "no-review/fr"} {
		if n[k] < 100 {
			t.Errorf("%s: %d situations, want at least 100", k, n[k])
		}
	}
	for name, c := range map[string]struct{ file, want string }{
		"unknown label":    {"review:\n  en: [a]\nno-review:\n  en: [b]\nmaybe:\n  en: [c]\n", `label "maybe"`},
		"unknown language": {"review:\n  en: [a]\n  de: [x]\nno-review:\n  en: [b]\n", `language "de"`},
		"one label only":   {"review:\n  en: [a]\n", "no no-review questions"},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := embeddedMapFS(t)
			fsys["situations.yaml"] = &fstest.MapFile{Data: []byte(c.file)}
			_, err := LoadFS(fsys)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("want %q in the error, got %v", c.want, err)
			}
		})
	}
	fsys := embeddedMapFS(t)
	delete(fsys, "situations.yaml")
	kb, err = LoadFS(fsys)
	if err != nil || len(kb.Situations()) != 0 {
		t.Errorf("without situations.yaml: %v, %d situations", err, len(kb.Situations()))
	}
}
