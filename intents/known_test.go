package intents

import (
	"bufio"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite known.txt from the system word lists")

// dictionaries are Debian's word lists (packages wcanadian and wfrench,
// which `make deps` installs).
var dictionaries = []string{"/usr/share/dict/canadian-english", "/usr/share/dict/french"}

// TestKnownWords checks that known.txt lists exactly the dictionary words
// that the typo corrector would otherwise turn into a cue word. It fails
// when the cues changed and the list was not regenerated:
//
//	go test ./intents -run TestKnownWords -update
func TestKnownWords(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	bare := *c.fuzzy
	bare.known = nil
	var want []string
	seen := map[string]bool{}
	for _, path := range dictionaries {
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("%v: install the word lists with `make deps` (apt-get install wcanadian wfrench)", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			toks := tokenize(sc.Text())
			if len(toks) != 1 {
				continue // "aujourd'hui", "o'clock": not one word once tokenised
			}
			w := toks[0].fold
			if seen[w] {
				continue
			}
			seen[w] = true
			if _, ok := bare.correct(w); ok {
				want = append(want, w)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(want)
	if *update {
		if err := os.WriteFile("known.txt", []byte(strings.Join(want, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := knownWords(); !slices.Equal(got, want) {
		t.Errorf("known.txt is stale (%d words, want %d): run go test ./intents -run TestKnownWords -update", len(got), len(want))
	}
	// The point of the list.
	for _, w := range []string{"really", "contacting", "sending", "published"} {
		if _, ok := c.fuzzy.correct(w); ok {
			t.Errorf("%q, a real word, is corrected", w)
		}
	}
	for typo, fixed := range map[string]string{"consnet": "consent", "concentement": "consentement"} {
		if got, ok := c.fuzzy.correct(typo); !ok || got != fixed {
			t.Errorf("correct(%q) = %q, %v; want %q", typo, got, ok, fixed)
		}
	}
}
