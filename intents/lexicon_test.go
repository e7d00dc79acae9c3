package intents

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/knowledge"
)

// referenceTokens is what analyse did before the lexicon: tokenize, then
// correct typos and number the tokens one lookup at a time.
func referenceTokens(c *Classifier, text string) []token {
	toks := tokenize(text)
	for i := range toks {
		if fixed, ok := c.fuzzy.correct(toks[i].fold); ok {
			toks[i].fold, toks[i].lower = fixed, fixed
			toks[i].en, toks[i].fr = stems(fixed)
		}
	}
	c.m.number(toks)
	return toks
}

// lexiconTexts are the question sets' texts, the examples, and texts made
// to reach the lexicon's corners: capitals and accents, slang, the
// context-dependent readings, words it lacks, long words, combining
// marks, odd runes.
func lexiconTexts(t *testing.T, kb *knowledge.KB) []string {
	texts := append(questionTexts(t), "POLICE DE CARACTÈRES?", "les polices d'écriture", "faut QUAND MÊME les aviser", "Quand meme",
		"FB and IG and Insta", "x.com", "On X", "Pls r u sure", "Évaluation ÉVALUATION évaluation", "İstanbul ǅemal Kelvin \u212a",
		strings.Repeat("a", 70)+" "+strings.Repeat("É", 40)+" "+strings.Repeat("Ⱥ", 29)+" "+strings.Repeat("É", 29)+" "+strings.Repeat("A", 61), "consentment consentmnet instagarm", "e\u0301te\u0301 \u0301x", "\xff\xfeabc d\xffe",
		"ﬁnancial ǲ ß STRASSE", "2021-01 A.8 PSU 938", "Facebook, TikTok or Bluesky?")
	for _, ex := range kb.Examples() {
		texts = append(texts, ex.Text)
	}
	// Words of the questions in random case, and pieces of them glued.
	r := rand.New(rand.NewPCG(3, 4))
	words := strings.Fields(strings.Join(texts, " "))
	n := 3000
	if raceDetector {
		n = 300
	}
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			w := words[r.IntN(len(words))]
			switch r.IntN(4) {
			case 0:
				w = strings.ToUpper(w)
			case 1:
				w = strings.ToUpper(w[:1]) + w[1:]
			case 2:
				w += words[r.IntN(len(words))]
			}
			b.WriteString(w + " ")
		}
		texts = append(texts, b.String())
	}
	return texts
}

// TestTokensAsBefore: the tokens made through the lexicon are, field for
// field, those tokenize, typo correction and numbering made, on every
// question and example and on odd texts; each token's lexeme agrees with
// its fields; and every reader of the lexemes (countContent, detectLang,
// the platforms, candidates, predict) reads what it read without them.
func TestTokensAsBefore(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	cue, err := New()
	if err != nil {
		t.Fatal(err)
	}
	full, err := NewWith(kb.Examples(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	texts := lexiconTexts(t, kb)
	questions := map[string]bool{}
	for _, q := range questionTexts(t) {
		questions[q] = true
	}
	hits, all := 0, 0
	for _, c := range []*Classifier{cue, full} {
		for _, text := range texts {
			got := c.tokens(text, nil)
			want := referenceTokens(c, text)
			bare := slices.Clone(got)
			for i := range bare {
				if bare[i].lx == nil {
					t.Fatalf("%q: token %d has no lexeme", text, i)
				}
				bare[i].lx = nil
			}
			if !reflect.DeepEqual(bare, want) {
				t.Fatalf("%q:\n got %+v\nwant %+v", text, bare, want)
			}
			for _, tok := range got {
				lx := tok.lx
				if lx.fold != tok.fold || lx.lower != tok.lower || lx.en != tok.en || lx.fr != tok.fr || lx.ids != tok.ids ||
					lx.stop != stopwords[tok.fold] || lx.frWord != frWords[tok.fold] || lx.enWord != enWords[tok.fold] || lx.nbStop != nbStop[tok.fold] {
					t.Fatalf("%q: lexeme %+v disagrees with token %+v", text, lx, tok)
				}
				if questions[text] && c == full {
					all++
					if c.lex.words[strings.ToLower(tok.orig)] == lx {
						hits++
					}
				}
			}
			if a, b := countContent(got), countContent(want); a != b {
				t.Fatalf("%q: %d content words, want %d", text, a, b)
			}
			if l1, s1 := detectLang(got, text); true {
				if l2, s2 := detectLang(want, text); l1 != l2 || s1 != s2 {
					t.Fatalf("%q: language %v %v, want %v %v", text, l1, s1, l2, s2)
				}
			}
			p1, i1, ok1 := findPlatform(got)
			p2, i2, ok2 := findPlatform(want)
			if p1.Name != p2.Name || i1 != i2 || ok1 != ok2 {
				t.Fatalf("%q: platform %v %d, want %v %d", text, p1.Name, i1, p2.Name, i2)
			}
			if a, b := allPlatforms(got, nil), allPlatforms(want, nil); !reflect.DeepEqual(a, b) {
				t.Fatalf("%q: platforms %v, want %v", text, a, b)
			}
			if a, b := c.m.candidates(got, nil), c.m.candidates(want, nil); !slices.Equal(a, b) {
				t.Fatalf("%q: candidates %v, want %v", text, a, b)
			}
			if c.nb != nil {
				// The tokens' lexemes' spans, and the hashes as before.
				if !c.nb.ownLexemes(got) {
					t.Fatalf("%q: predict would not read the lexemes", text)
				}
				if a, b := c.nb.predict(got), c.nb.predict(want); !reflect.DeepEqual(a, b) {
					t.Fatalf("%q: predict\n got %v\nwant %v", text, a, b)
				}
			}
		}
	}
	// The lexicon is worth its memory only if it holds most words of the
	// questions.
	t.Logf("%d of %d words of the questions found in the lexicon", hits, all)
	if hits < all*9/10 {
		t.Errorf("only %d of %d tokens found in the lexicon", hits, all)
	}
}

// TestScratchReuse: the analysis of a message in a scratch that served
// other messages, and the learned model's candidates in it, are those of a
// fresh analysis, on every question in turn; and messages understood on
// many goroutines at once, scratches going from one to another through
// the pool, are understood as one at a time (run with -race too).
func TestScratchReuse(t *testing.T) {
	kb, err := knowledge.Load()
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewWith(kb.Examples(), kb.PrimarySections(), kb.Situations())
	if err != nil {
		t.Fatal(err)
	}
	texts := questionTexts(t)
	fresh := func(text string) ([]token, *scanned, []Scored, []Candidate) {
		toks := referenceTokens(c, text)
		markFocus(text, toks)
		a := c.analyse(text, "")
		return toks, scan(foldText(toks)), a.scores, c.nb.predict(toks)
	}
	sc := new(scratch)
	for k, text := range texts {
		if raceDetector && k%8 != 0 {
			continue // a sample under the race detector
		}
		toks := c.tokens(text, sc)
		markFocus(text, toks)
		folded := sc.scan(foldText(toks))
		a := analysis{raw: text, toks: toks, folded: folded, sc: sc}
		// The scores themselves come from analyse; score is run on the
		// scratch's storage again to compare.
		base := c.analyse(text, "")
		a.focus, a.slots = base.focus, base.slots
		scores, _ := c.score(a, "")
		cands := c.predict(a)
		wantToks, wantScan, wantScores, wantCands := fresh(text)
		for i := range toks {
			toks[i].lx = nil
		}
		switch {
		case !reflect.DeepEqual(toks, wantToks):
			t.Fatalf("%q: tokens differ", text)
		case !reflect.DeepEqual(*folded, *wantScan):
			t.Fatalf("%q: scan differs", text)
		case !reflect.DeepEqual(scores, wantScores):
			t.Fatalf("%q: scores differ:\n got %v\nwant %v", text, scores, wantScores)
		case !reflect.DeepEqual(cands, wantCands):
			t.Fatalf("%q: candidates differ", text)
		}
	}

	prev := bot.State{Intent: "breach.incident", Lang: bot.French}
	want := make([]bot.Understanding, len(texts))
	for i, text := range texts {
		want[i] = c.Understand(text, prev, "")
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			// A quarter of the messages each, in orders of their own.
			for k := range len(texts) / 4 {
				i := (k*7 + g*31) % len(texts)
				if got := c.Understand(texts[i], prev, ""); !reflect.DeepEqual(got, want[i]) {
					errs <- fmt.Sprintf("%q:\n got %+v\nwant %+v", texts[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
