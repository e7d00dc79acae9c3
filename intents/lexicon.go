package intents

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/commsbot/commsbot/bot"
)

// The words of a message go through many string-keyed lookups: lower-case,
// fold, slang, stems, typo correction, the cue model's numbers, the cues a
// word can anchor, the function-word lists, the learned model's word
// cache. All of them depend on the word alone (the few context-dependent
// readings, fontSense and anywaySense, aside), so for the words the
// classifier knows they are worked out once, when it is built, into a
// lexeme; a message then costs one map lookup per word.

// lexeme is what the classifier makes of one lower-case word, as typed.
type lexeme struct {
	// typed is the folded word before slang expansion; fold0 the folded
	// word after it, before typo correction (what fontSense and
	// anywaySense read); lower0 likewise.
	typed, fold0, lower0 string
	// The word as the analysis reads it: typo corrected, stemmed and
	// numbered (the token fields of the same names).
	lower, fold, en, fr string
	ids                 [3]int32
	// stop, frWord, enWord and nbStop tell whether fold is in stopwords,
	// frWords, enWords and nbStop.
	stop, frWord, enWord, nbStop bool
	// cands are the ids of the cues whose anchor the word can be: from
	// the cue model's index by each of its numbers, and by the prefixes
	// of fold (see model.candidates).
	cands []int32
	// grams is the learned model nb's cached n-gram scores for fold (nil
	// when not cached, or without a learned model).
	grams *wordGrams
	nb    *learned
	// feats is what the word gives nb's predict besides (see
	// learned.lexemeFeats); nil for a word made for one message.
	feats *lexFeats
	// aliases are the platform aliases whose first word is fold, and
	// typedAliases those whose first word is typed (see firstPlatform).
	aliases, typedAliases []aliasRef
}

// lexicon is the classifier's lexemes: words keyed by the lower-case word
// as typed; after, keyed by the word a context-dependent reading puts in
// place ("typographie"), the lexemes of such words.
type lexicon struct {
	words map[string]*lexeme
	after map[string]*lexeme
}

// senseWords are the words fontSense and anywaySense put in place.
var senseWords = []string{"typographie", "neanmoins"}

// newLexicon builds c's lexemes for every word it has a reason to know:
// the words of the cue file and of the examples, the slang, the function
// words, the words never corrected, the platforms' names, and whatever
// else was stemmed before. It runs once c's cue model, typo corrector and
// learned model are set.
func newLexicon(c *Classifier, examples []bot.Example) *lexicon {
	var keys []string
	addWords := func(text string) {
		for i := 0; i < len(text); {
			start, end := nextWord(text, i)
			if start < 0 {
				break
			}
			keys = append(keys, strings.ToLower(text[start:end]))
			i = end
		}
	}
	for _, cu := range c.m.byID {
		addWords(cu.src)
	}
	for _, ex := range examples {
		addWords(ex.Text)
	}
	// The stem cache holds the words of the messages seen so far too (up
	// to its bound), and is otherwise the same words.
	if fr := frozenStems.Load(); fr != nil {
		for w := range *fr {
			keys = append(keys, w)
		}
	}
	for w, s := range slang {
		keys = append(keys, w, s)
	}
	for _, m := range []map[string]bool{stopwords, frWords, enWords, nbStop, c.m.vocab} {
		for w := range m {
			keys = append(keys, w)
		}
	}
	for w := range c.fuzzy.known {
		keys = append(keys, w)
	}
	for _, words := range aliasWords {
		for _, ws := range words {
			keys = append(keys, ws...)
		}
	}
	lx := &lexicon{words: make(map[string]*lexeme, len(keys)), after: map[string]*lexeme{}}
	for _, k := range keys {
		// Keys are lower-case words as tokenize would cut them: a key
		// that is not is no word a message can have.
		if _, ok := lx.words[k]; ok || k == "" || strings.ToLower(k) != k || !isOneWord(k) {
			continue
		}
		lx.words[k] = c.newLexeme(k)
	}
	for _, w := range senseWords {
		lx.after[w] = c.afterLexeme("", w, w)
	}
	// The learned model's features of the lexicon's words (a word made
	// for one message has its features hashed then).
	if c.nb != nil {
		for _, m := range []map[string]*lexeme{lx.words, lx.after} {
			for _, l := range m {
				l.feats = c.nb.lexemeFeats(l)
			}
		}
	}
	return lx
}

// isOneWord reports whether tokenize reads s as one word, unchanged.
func isOneWord(s string) bool {
	if !isNFC(s) {
		return false
	}
	start, end := nextWord(s, 0)
	return start == 0 && end == len(s)
}

// newLexeme works out a lower-case word's lexeme as tokenize and the
// analysis read it (outside any context-dependent reading).
func (c *Classifier) newLexeme(lower string) *lexeme {
	f := fold(lower)
	typed := f
	if s, ok := slang[f]; ok {
		f, lower = s, s
	}
	return c.afterLexeme(typed, f, lower)
}

// afterLexeme is the lexeme of a word whose folded and lower-case forms,
// after slang or a context-dependent reading, are fold and lower.
func (c *Classifier) afterLexeme(typed, fold, lower string) *lexeme {
	lx := &lexeme{typed: typed, fold0: fold, lower0: lower}
	t := token{lower: lower, fold: fold}
	t.en, t.fr = stems(lower)
	if fixed, ok := c.fuzzy.correct(t.fold); ok {
		t.fold, t.lower = fixed, fixed
		t.en, t.fr = stems(fixed)
	}
	one := []token{t}
	c.m.number(one)
	t = one[0]
	lx.lower, lx.fold, lx.en, lx.fr, lx.ids = t.lower, t.fold, t.en, t.fr, t.ids
	lx.stop, lx.frWord, lx.enWord, lx.nbStop = stopwords[t.fold], frWords[t.fold], enWords[t.fold], nbStop[t.fold]
	lx.cands = c.m.anchored(&t)
	if c.nb != nil {
		lx.grams, lx.nb = c.nb.words[t.fold], c.nb
	}
	lx.aliases, lx.typedAliases = aliasByFirst[t.fold], aliasByFirst[typed]
	return lx
}

// anchored returns the sorted ids of the cues t can be the anchor of: the
// cues model.candidates adds for t (m.always aside).
func (m *model) anchored(t *token) []int32 {
	var out []int32
	for k, n := range t.ids {
		if n > 0 && int(n) < len(m.index[k]) {
			for _, id := range m.index[k][n] {
				out = append(out, int32(id))
			}
		}
	}
	f := t.fold
	for l := 1; l <= min(len(f), prefixKey); l++ {
		for _, id := range m.byPrefix[f[:l]] {
			out = append(out, int32(id))
		}
	}
	slices.Sort(out)
	return slices.Clip(slices.Compact(out))
}

// isWordRune reports whether r belongs to a word (see tokenize): a letter
// or a digit, or a combining mark inside a word.
func isWordRune(r rune, inWord bool) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || inWord && unicode.Is(unicode.Mn, r)
}

// nextWord returns the bounds of the first word of text at or after byte
// i, as tokenize cuts words; start is -1 when there is none.
func nextWord(text string, i int) (start, end int) {
	start = -1
	for i < len(text) {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if isWordRune(r, start >= 0) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			return start, i
		}
		i += size
	}
	return start, len(text)
}

// maxKeyLen bounds the words looked up through a buffer on the stack.
const maxKeyLen = 64

// lexemeOf returns the lexeme of the word w as typed. A word the lexicon
// lacks gets one made for this message alone (not kept: odd input must not
// fill memory).
func (c *Classifier) lexemeOf(w string) *lexeme {
	// Lower-case (as strings.ToLower, which maps each rune with
	// unicode.ToLower), into a buffer on the stack when it changes
	// anything: the lookup of string(buf) does not copy it. ASCII words,
	// most of them, are lowered byte by byte.
	var buf [maxKeyLen]byte
	key := buf[:0]
	ascii, upper := true, false
	for i := 0; i < len(w); i++ {
		b := w[i]
		if b >= utf8.RuneSelf {
			ascii = false
			break
		}
		upper = upper || 'A' <= b && b <= 'Z'
	}
	switch {
	case ascii && !upper:
		return c.lookup(w)
	case len(w) > maxKeyLen-utf8.UTFMax:
		return c.lookup(strings.ToLower(w))
	case ascii:
		for i := 0; i < len(w); i++ {
			key = append(key, lowerASCII(w[i]))
		}
	default:
		for _, r := range w {
			key = utf8.AppendRune(key, unicode.ToLower(r))
		}
		// A lower-case rune takes at most one more byte than its
		// capital (İ, two bytes, lowers to i, one; Ⱥ, two, to ⱥ,
		// three): the buffer may still be too short.
		if len(key) > maxKeyLen {
			return c.lookup(strings.ToLower(w))
		}
	}
	if lx, ok := c.lex.words[string(key)]; ok {
		return lx
	}
	return c.newLexeme(string(key))
}

// lookup returns the lexeme of the lower-case word lower.
func (c *Classifier) lookup(lower string) *lexeme {
	if lx, ok := c.lex.words[lower]; ok {
		return lx
	}
	return c.newLexeme(lower)
}

// tokens is tokenize, then the analysis's typo correction and numbering
// (model.number), through the lexicon: the tokens are those, field for
// field (TestTokensAsBefore), with their lexemes.
func (c *Classifier) tokens(text string, sc *scratch) []token {
	if !isNFC(text) {
		text = norm.NFC.String(text)
	}
	toks := sc.tokenBuf(len(text)/6 + 4)
	for i := 0; i < len(text); {
		start, end := nextWord(text, i)
		if start < 0 {
			break
		}
		w := text[start:end]
		lx := c.lexemeOf(w)
		toks = append(toks, token{orig: w, lower: lx.lower0, fold: lx.fold0, typed: lx.typed, lx: lx})
		i = end
	}
	fontSense(toks)
	anywaySense(toks)
	for i := range toks {
		t := &toks[i]
		lx := t.lx
		if t.fold != lx.fold0 || t.lower != lx.lower0 {
			// A context-dependent reading put another word in place.
			if a, ok := c.lex.after[t.fold]; ok && a.lower0 == t.lower {
				lx = a
			} else {
				lx = c.afterLexeme(t.typed, t.fold, t.lower)
			}
		}
		// The typed form is the token's own: a word put in place by a
		// context-dependent reading keeps it. Its platform aliases are
		// the lexeme's only when the two agree (firstPlatform checks).
		t.lx = lx
		t.lower, t.fold, t.en, t.fr, t.ids = lx.lower, lx.fold, lx.en, lx.fr, lx.ids
	}
	if sc != nil && cap(toks) > cap(sc.toks) {
		sc.toks = toks
	}
	return toks
}
