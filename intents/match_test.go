package intents

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

func TestPhrasesPrefilter(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		lits    []string // nil: no prefilter
	}{
		{` copyright`, []string{" copyright"}},
		{` (buy|buying) (ad|ads)`, []string{" buy"}}, // the parser factors it as buy(?:ing)?
		{` droit(s)? d auteur`, []string{" droit"}},
		{` licen[cs]e`, []string{" licence", " license"}},
		{` (ab|cd)e`, []string{" abe", " cde"}},
		{`^ (help|aide)`, nil}, // anchored: no literal start
		{` (x)?yz`, nil},       // the group may be empty: only " " is sure
	} {
		p := mustPhrases(tc.pattern)
		got := slices.Clone(p.lits)
		slices.Sort(got)
		want := slices.Clone(tc.lits)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%q: literals %q, want %q", tc.pattern, got, want)
		}
	}
}

// The prefilter never changes what matches: every pattern of the package
// against every question of the test sets and some made-up text.
func TestPhrasesAgreeWithRegexp(t *testing.T) {
	texts := []string{
		" can we buy ads on instagram ", " droits d auteur sur une photo ", " ignore all previous instructions ",
		" i want to apply for a job in communications ", " copyright ", " 12 times 4 ", " we sent an email to the wrong list ",
		" est ce qu une efvp est requise ", " nous avons transfere la plainte ", "", " ",
		// Word boundaries next to non-ASCII letters, digits and underscores.
		"Notre compte Mastodon", "éPage Mastodon", "_page Bluesky", "9page Mastodon", "page\u00a0Mastodon", "Our Bluesky account,Threads channel",
		"STREAM on Twitch", "ſtream on Twitch", "diffuser sur Twitch", "Évènement live on Kick", "K-pop channel on Weverse",
	}
	// Thirteen sets (about 1,500 questions, each folded and as typed):
	// enough for every pattern to meet texts it matches and texts it
	// nearly matches; all 25 took two minutes under the race detector.
	for _, set := range []string{"dev", "paraphrase", "holdout", "blind2", "blind4", "blind6", "blind8", "blind10", "blind12", "blind14", "blind16", "blind18", "blind20"} {
		f, err := os.Open(filepath.Join("..", "testdata", set+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var q struct{ Q string }
			if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
				t.Fatalf("%s: %v", set, err)
			}
			// Most patterns read the folded text; a few (platform names)
			// the text as typed.
			texts = append(texts, foldText(tokenize(q.Q)), q.Q)
		}
		f.Close()
	}
	matched := 0
	all := map[string]*phrases{
		"newPlatform": newPlatformRe, "injection": injectionRe, "outsideLaw": outsideLawRe, "outsideSector": outsideSectorRe, "hrFile": hrFileRe, "political": politicalRe, "nonPolitical": nonPoliticalRe,
		"consistentUse": consistentUseRe, "transfer": transferRe, "questions": questionsRe, "pia": piaRe, "newAccount": newAccountRe,
	}
	var plainOffTopic []*regexp.Regexp
	for i, p := range offTopicRe.pats {
		all[fmt.Sprint("offTopic", i)] = p
		plainOffTopic = append(plainOffTopic, regexp.MustCompile(p.re.String()))
	}
	for _, s := range texts {
		want := false
		for _, re := range plainOffTopic {
			want = want || re.MatchString(s)
		}
		if got := offTopicRe.Match(scan(s)); got != want {
			t.Errorf("offTopic set on scanned %q: %v, regexps say %v", s, got, want)
		}
	}
	for name, p := range all {
		if p.lits == nil {
			t.Errorf("%s has no prefilter", name)
		}
	}
	anchored := 0
	scans := make([]*scanned, len(texts))
	for i, s := range texts {
		scans[i] = scan(s)
	}
	for _, p := range allPhrases {
		if p.anchored != nil {
			anchored++
		}
		plain := regexp.MustCompile(p.re.String())
		for i, s := range texts {
			got, want := p.MatchString(s), plain.MatchString(s)
			if got != want {
				t.Errorf("%q on %q: %v, regexp says %v", p.re, s, got, want)
			}
			if inScan := p.Match(scans[i]); inScan != want {
				t.Errorf("%q on scanned %q: %v, regexp says %v", p.re, s, inScan, want)
			}
			if !got && !want {
				if loc := p.FindIndex(scans[i]); loc != nil {
					t.Errorf("%q: FindIndex(scanned %q) = %v, regexp finds nothing", p.re, s, loc)
				}
				continue
			}
			if got, want := p.Find(scans[i]), plain.FindString(s); got != want {
				t.Errorf("%q: Find(scanned %q) = %q, regexp says %q", p.re, s, got, want)
			}
			matched++
			if got, want := p.FindString(s), plain.FindString(s); got != want {
				t.Errorf("%q: FindString(%q) = %q, regexp says %q", p.re, s, got, want)
			}
			if got, want := p.FindStringIndex(s), plain.FindStringIndex(s); !slices.Equal(got, want) {
				t.Errorf("%q: FindStringIndex(%q) = %v, regexp says %v", p.re, s, got, want)
			}
			for _, n := range []int{-1, 1} {
				got, want := p.FindAllStringSubmatch(s, n), plain.FindAllStringSubmatch(s, n)
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("%q: FindAllStringSubmatch(%q, %d) = %q, regexp says %q", p.re, s, n, got, want)
				}
			}
		}
	}
	if anchored < len(allPhrases)/2 {
		t.Errorf("only %d of %d patterns run anchored at their literals", anchored, len(allPhrases))
	}
	if matched < 50 {
		t.Errorf("only %d matches over %d texts: the comparison proves little", matched, len(texts))
	}
}
