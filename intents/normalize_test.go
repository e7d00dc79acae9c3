package intents

import (
	"regexp"
	"slices"
	"testing"

	"github.com/commsbot/commsbot/bot"
)

func folds(toks []token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.fold
	}
	return out
}

func TestTokenizeNormalises(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		// Accents folded, case lowered.
		{"Évaluation des RÉSEAUX sociaux", []string{"evaluation", "des", "reseaux", "sociaux"}},
		{"Québec, Montréal: ça", []string{"quebec", "montreal", "ca"}},
		// Combining accents (NFD input) fold like precomposed ones.
		{"e\u0301valuer", []string{"evaluer"}},
		// A combining mark with no precomposed form stays in its word.
		{"q\u0301uestion", []string{"question"}},
		// Chat slang expanded.
		{"r ppl on insta ok w that", []string{"are", "people", "on", "instagram", "ok", "with", "that"}},
		{"pls check ur govt acct", []string{"please", "check", "your", "government", "account"}},
		{"ÉFVP et FRP", []string{"pia", "et", "pib"}},
		// Elisions split on straight and curly apostrophes.
		{"l'avis d’une personne qu'on", []string{"l", "avis", "d", "une", "personne", "qu", "on"}},
		{"aujourd’hui c'est", []string{"aujourd", "hui", "c", "est"}},
		// Punctuation and symbols separate words; digits are words.
		{"PIA?! (2021-01)", []string{"pia", "2021", "01"}},
		{"", nil},
		{"  ¿¡…  ", nil},
	}
	for _, c := range cases {
		if got := folds(tokenize(c.in)); !slices.Equal(got, c.want) {
			t.Errorf("tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTokenKeepsOriginalAndAccents(t *testing.T) {
	toks := tokenize("Post on X à l’Été")
	if toks[2].orig != "X" || toks[2].fold != "x" {
		t.Errorf("X token = %+v", toks[2])
	}
	last := toks[len(toks)-1]
	if last.lower != "été" || last.fold != "ete" {
		t.Errorf("Été token lower %q fold %q, want été / ete", last.lower, last.fold)
	}
}

func TestStemsIgnoreAccents(t *testing.T) {
	for _, pair := range [][2]string{{"évaluer", "evaluer"}, {"réviser", "reviser"}, {"consentement", "consentements"}} {
		_, fr1 := stems(pair[0])
		_, fr2 := stems(pair[1])
		if fr1 != fr2 {
			t.Errorf("French stems of %q and %q differ: %q %q", pair[0], pair[1], fr1, fr2)
		}
	}
	if en, _ := stems("consents"); en != "consent" {
		t.Errorf("English stem of consents = %q", en)
	}
}

func TestFoldText(t *testing.T) {
	if got := foldText(tokenize("Mailing-List  d'Été")); got != " mailing list d ete " {
		t.Errorf("foldText = %q", got)
	}
	if got := foldText(nil); got != " " {
		t.Errorf("foldText(nil) = %q", got)
	}
}

func TestFuzzyCorrectsOneEdit(t *testing.T) {
	f := newFuzzy([]string{"consent", "linkedin", "tuteur", "retention", "breach", "platform", "plateforme"}, nil)
	cases := []struct {
		in   string
		want string // "" for no correction
	}{
		{"consnet", "consent"},     // transposition
		{"consentt", "consent"},    // insertion
		{"consen", "consent"},      // deletion... of a 7-letter word, 6 left
		{"linkdin", "linkedin"},    // deletion
		{"linkedim", "linkedin"},   // substitution
		{"retension", "retention"}, // substitution
		{"plateform", ""},          // one edit from both platform and plateforme: ambiguous
		{"auteur", ""},             // a real word one edit from "tuteur", but the first letter differs
		{"consent", ""},            // already a vocabulary word
		{"brech", ""},              // too short to trust
		{"constitution", ""},       // far from everything
		{"cönsnet", ""},            // not ASCII
		{"plateformesxx", ""},      // three edits from the longest word
		{"consentxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", ""},
	}
	for _, c := range cases {
		got, ok := f.correct(c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("correct(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestOSA(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{
		{"abc", "abc", 0}, {"abc", "acb", 1}, {"abc", "abd", 1}, {"abc", "ab", 1}, {"ab", "abc", 1},
		{"abc", "cab", 2}, {"abcd", "ab", 2}, {"", "a", 1},
	}
	for _, c := range cases {
		if got := osa(c.a, c.b); got != c.d {
			t.Errorf("osa(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func newClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A typo classifies like the word it stands for.
func TestClassifierCorrectsTypos(t *testing.T) {
	c := newClassifier(t)
	pairs := [][2]string{
		{"do we need consnet before collecting personal information from comments?",
			"do we need consent before collecting personal information from comments?"},
		{"how long is the retension of personal information?",
			"how long is the retention of personal information?"},
	}
	for _, p := range pairs {
		typo := c.Understand(p[0], bot.State{}, "")
		right := c.Understand(p[1], bot.State{}, "")
		if right.Entry == "" {
			t.Fatalf("%q: no answer (abstain %q)", p[1], right.Abstain)
		}
		if typo.Intent != right.Intent || typo.Entry != right.Entry {
			t.Errorf("%q → %s/%s, but %q → %s/%s", p[0], typo.Intent, typo.Entry, p[1], right.Intent, right.Entry)
		}
	}
	for _, q := range []string{"can we use linkdin?", "can we post on lnikedin", "is LinkedIm ok for our department?"} {
		if u := c.Understand(q, bot.State{}, ""); u.Slots.Platform != "LinkedIn" || !u.Slots.PlatformReviewed {
			t.Errorf("%q: platform %q reviewed %v, want LinkedIn", q, u.Slots.Platform, u.Slots.PlatformReviewed)
		}
	}
	// A real word is not "corrected" into a cue word.
	if got, ok := c.fuzzy.correct("auteur"); ok {
		t.Errorf("auteur corrected to %q", got)
	}
	if got, ok := newFuzzy([]string{"tuteur"}, nil).correct("auteur"); ok {
		t.Errorf("auteur corrected to %q with tuteur in the vocabulary", got)
	}
}

func TestDetectLangShortMessages(t *testing.T) {
	cases := []struct {
		in   string
		lang bot.Lang
		sure bool
	}{
		{"et pour Mastodon?", bot.French, true},
		{"what about LinkedIn?", bot.English, true},
		{"do we need a PIA?", bot.English, true},
		{"c'est quoi un FRP?", bot.French, true},
		{"Faut-il une ÉFVP pour TikTok?", bot.French, true},
		{"l’avis s’applique?", bot.French, true},
		{"can we use it?", bot.English, true},
		{"TikTok?", bot.English, false},
		{"Mastodon", bot.English, false},
		{"?", bot.English, false},
	}
	for _, c := range cases {
		lang, sure := detectLang(tokenize(c.in), c.in)
		if sure != c.sure || (c.sure && lang != c.lang) {
			t.Errorf("detectLang(%q) = %s sure %v, want %s sure %v", c.in, lang, sure, c.lang, c.sure)
		}
	}
}

func TestUnderstandLanguageFallback(t *testing.T) {
	c := newClassifier(t)
	cases := []struct {
		in   string
		prev bot.Lang
		hint bot.Lang
		want bot.Lang
	}{
		{"et pour Mastodon?", "", "", bot.French},
		{"what about LinkedIn?", "", "", bot.English},
		// Sure detection beats the hint and the conversation.
		{"what about LinkedIn?", bot.French, bot.French, bot.English},
		{"et pour Mastodon?", bot.English, bot.English, bot.French},
		// Ambiguous text falls back to the hint, then the conversation.
		{"TikTok?", "", bot.French, bot.French},
		{"TikTok?", bot.French, "", bot.French},
		{"TikTok?", "", "", bot.English},
		{"Threads", bot.French, "", bot.French},
	}
	for _, c2 := range cases {
		u := c.Understand(c2.in, bot.State{Lang: c2.prev}, c2.hint)
		if u.Lang != c2.want {
			t.Errorf("Understand(%q, prev %q, hint %q).Lang = %q, want %q", c2.in, c2.prev, c2.hint, u.Lang, c2.want)
		}
	}
}

// TestCountWords checks countWords against tokenize on awkward text.
func TestCountWords(t *testing.T) {
	for _, s := range []string{"", " ", "l'avis", "e\u0301te\u0301 — ok?", "x.com 2024", "\u0301abc", "Québec!!  C'est   ça", "日本語 テキスト", "a-b_c"} {
		if got, want := countWords(s), len(tokenize(s)); got != want {
			t.Errorf("countWords(%q) = %d, tokenize gives %d words", s, got, want)
		}
	}
}

// TestSplitSentencesLikeTheRegexp: splitSentences splits every question of
// the sets, and texts made to test its edges, exactly as the regexp it
// follows.
func TestSplitSentencesLikeTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`[.?!;:—–]+\s+|\?`)
	texts := []string{"", "?", "??", "a.b", "a. b", "a .? b", "a?b", "a..", "a.. ", "end?", "end? ", "x—y", "x— y", "x –\ty", "wait!?!\n\nnext",
		"a:\u00a0b", "a.\u2003b", "¿qué? sí.", "é?é. é", "trailing.   ", "\t?\t", "a?.b", ". . .", "?? ?", "a;\rb", "a:\fb", "\xff?\xfe. x"}
	texts = append(texts, questionTexts(t)...)
	for _, s := range texts {
		if got, want := splitSentences(s, nil), re.Split(s, -1); !slices.Equal(got, want) {
			t.Errorf("splitSentences(%q) = %q, regexp %q", s, got, want)
		}
	}
}

// TestFontSense: "police(s) de caractères" and "police d'écriture" are
// typefaces; the police elsewhere stay the police.
func TestFontSense(t *testing.T) {
	for text, want := range map[string]string{
		"Quelles polices de caractères utiliser?": "typographie",
		"une police d'écriture lisible":           "typographie",
		"la police de caracteres Arial":           "typographie",
		"la police locale nous a appelés":         "police",
		"la police de Montréal":                   "police",
	} {
		got := ""
		for _, tok := range tokenize(text) {
			if tok.fold == "typographie" || tok.fold == "police" || tok.fold == "polices" {
				got = tok.fold
			}
		}
		if got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}
