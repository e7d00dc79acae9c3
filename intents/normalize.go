package intents

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"golang.org/x/text/unicode/norm"
)

// token is one word of a message.
type token struct {
	// orig is the word as typed (case kept), for case-sensitive aliases
	// such as "X".
	orig string
	// lower is lower-cased with accents kept; fold has accents removed.
	lower, fold string
	// typed is the folded word before slang expansion: "com" in "x.com",
	// which slang reads as "communications".
	typed string
	// en and fr are the word's Snowball stems, accent-folded.
	en, fr string
	// ids are fold, en and fr as numbered by the cue model (0: a string
	// no cue has), set by model.number: cues compare numbers, not
	// strings.
	ids [3]int32
	// focus marks the words of the message's last sentence: the question
	// itself, after any context ("We blocked a troll. How long must we keep
	// their comments?").
	focus bool
	// lx is the word's lexeme, which holds what the fields above say and
	// what the classifier looks up by them, for tokens made by
	// Classifier.tokens; nil for tokenize's, whose readers look up.
	lx *lexeme
}

// slang expands chat abbreviations and common misspellings, keyed by the
// folded word. Typos beyond these are corrected against the cue vocabulary
// (see fuzzy).
var slang = map[string]string{
	"r": "are", "u": "you", "ur": "your", "ppl": "people", "pls": "please", "plz": "please",
	"govt": "government", "gov": "government", "dept": "department", "depts": "departments",
	"b4": "before", "abt": "about", "acct": "account", "accts": "accounts", "msg": "message",
	"pic": "photo", "pics": "photos", "stats": "statistics", "thru": "through", "tho": "though",
	"info": "information", "infos": "informations", "w": "with", "wrt": "about", "k": "ok",
	"pourquoi": "pourquoi", "qqn": "quelqu", "qqch": "quelque", "pcq": "parce", "ds": "dans",
	"bcp": "beaucoup", "tjs": "toujours", "stp": "svp", "insta": "instagram", "fb": "facebook",
	"ig": "instagram", "yt": "youtube", "ln": "linkedin", "dm": "message", "dms": "messages", "mins": "minutes",
	"rgpd": "gdpr", "e-mail": "email", "emails": "email", "mail": "email",
	"efvp": "pia", "coordo": "coordonnateur", "comms": "communications", "com": "communications", "frp": "pib", "pou": "psu", "aiprp": "atip", "cci": "bcc",
}

// isNFC reports whether s is in Unicode normalization form C. ASCII text
// always is, and most messages are ASCII: the check is left for the
// others. Of those, nearly all pass the quick check (QuickSpanString, which
// does not allocate, says the whole text is composed); the full check,
// which allocates, decides only the few it is unsure of.
func isNFC(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return norm.NFC.QuickSpanString(s) == len(s) || norm.NFC.IsNormalString(s)
		}
	}
	return true
}

// fold removes accents: "évaluation" → "evaluation".
func fold(s string) string {
	ascii := true
	for i := range len(s) {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	// Letters of Latin-1 and Latin Extended-A (French accents) fold one
	// by one from a table: none of them is a combining mark, so the
	// decomposition of a text made of them and ASCII is that of each
	// letter in turn, and the table holds what foldSlow makes of each.
	// Anything else takes foldSlow.
	var arr [64]byte
	out := arr[:0]
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			out = append(out, byte(r))
		case r >= latinFrom && r < latinTo:
			out = append(out, latinFold[r-latinFrom]...)
		default:
			return foldSlow(s)
		}
	}
	return string(out)
}

// latinFold[r-latinFrom] is foldSlow(string(r)) for the letters of
// Latin-1 Supplement and Latin Extended-A.
const (
	latinFrom = 0xC0
	latinTo   = 0x180
)

var latinFold = func() (t [latinTo - latinFrom]string) {
	for r := rune(latinFrom); r < latinTo; r++ {
		t[r-latinFrom] = foldSlow(string(r))
	}
	return t
}()

// foldSlow decomposes s, then drops the combining marks. (A
// transform.Chain would do the same but is not safe for concurrent use.)
func foldSlow(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tokenize splits a message into words. Apostrophes split elisions ("l'avis"
// → "l", "avis"); everything that is not a letter or digit separates words.
// Text is composed first (NFC), so that an accent typed as a combining mark
// ("e\u0301") stays inside its word.
func tokenize(text string) []token {
	if !isNFC(text) {
		text = norm.NFC.String(text)
	}
	// About one word in six bytes of chat: room for most messages at
	// once, instead of growing the slice of large tokens step by step.
	toks := make([]token, 0, len(text)/6+4)
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		start = -1
		lower := strings.ToLower(w)
		f := fold(lower)
		typed := f
		if s, ok := slang[f]; ok {
			f = s
			lower = s
		}
		toks = append(toks, token{orig: w, lower: lower, fold: f, typed: typed})
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) && start >= 0 {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	fontSense(toks)
	anywaySense(toks)
	for i := range toks {
		toks[i].en, toks[i].fr = stems(toks[i].lower)
	}
	return toks
}

// fontSense reads French "police(s) de caractères" and "police(s)
// d'écriture" as the typeface they are, not as the police: a question
// about fonts is not about law enforcement using an account.
func fontSense(toks []token) {
	for i := 0; i+2 < len(toks); i++ {
		if f := toks[i].fold; f != "police" && f != "polices" {
			continue
		}
		next := toks[i+1].fold + " " + toks[i+2].fold
		if next == "de caractere" || next == "de caracteres" || next == "d ecriture" {
			toks[i].fold, toks[i].lower = "typographie", "typographie"
		}
	}
}

// anywaySense reads French "quand même" ("anyway", "still") as the one
// word it is: "faut quand même les aviser?" asks whether to notify at all,
// not when.
func anywaySense(toks []token) {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].fold == "quand" && toks[i+1].fold == "meme" {
			toks[i].fold, toks[i].lower = "neanmoins", "neanmoins"
		}
	}
}

// countWords is len(tokenize(text)), without building the tokens.
func countWords(text string) int {
	if !isNFC(text) {
		text = norm.NFC.String(text)
	}
	n, in := 0, false
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) && in {
			if !in {
				n++
			}
			in = true
			continue
		}
		in = false
	}
	return n
}

// stems returns the English and French stems of a lower-case word, with
// accents folded so that "évaluer" and "evaluer" stem alike.
func stems(lower string) (en, fr string) {
	if len(lower) <= 2 {
		f := fold(lower)
		return f, f
	}
	if fr := frozenStems.Load(); fr != nil {
		if p, ok := (*fr)[lower]; ok {
			return p[0], p[1]
		}
	}
	if v, ok := stemCache.Load(lower); ok {
		p := v.(*[2]string)
		return p[0], p[1]
	}
	en, fr = fold(english.Stem(lower, true)), fold(french.Stem(lower, true))
	// The cache holds the cue vocabulary and the words users type most;
	// it stops growing at stemCacheMax so that odd input cannot fill
	// memory.
	if stemCacheLen.Load() < stemCacheMax {
		if _, loaded := stemCache.LoadOrStore(lower, &[2]string{en, fr}); !loaded {
			stemCacheLen.Add(1)
		}
	}
	return en, fr
}

const stemCacheMax = 50_000

var (
	stemCache    sync.Map // lower-case word → *[2]string{en, fr}
	stemCacheLen atomic.Int64
	// frozenStems is a copy of stemCache made once the cue file and the
	// examples are read (freezeStems): the words of nearly every message
	// are in it, and a plain map read without locks costs a fraction of
	// a sync.Map's lookup. stemCache still takes the rest.
	frozenStems atomic.Pointer[map[string][2]string]
)

// freezeStems copies the stem cache into frozenStems.
func freezeStems() {
	m := make(map[string][2]string, stemCacheLen.Load())
	stemCache.Range(func(k, v any) bool {
		m[k.(string)] = *v.(*[2]string)
		return true
	})
	frozenStems.Store(&m)
}

// stopwords are dropped before cues are matched, in both languages (folded).
var stopwords = set(`a an the and or of to in on at by for from with as is are be been was were am
it its this that these those there here i me my we us our you your they them their he she his her
do does did doing have has had having can could would will shall may might must should
what which whom whose how when where why just so too very also then than some any all each
into about over under up down out off again further once if but because until while
le la les l un une des du de d et ou est sont etre a au aux ce cet cette ces c ca cela
je j tu il elle on nous vous ils elles me m te t se s lui leur leurs mon ma mes ton ta tes son sa ses
notre nos votre vos y en ne n pas plus que qu qui quoi dont par sur sous dans avec sans pour
si mais donc car ni ai as avons avez ont suis es sommes etes fait faire peut peux pouvons pouvez
doit doivent dois devons devez aussi tres bien deja encore alors comme quand
please svp ok okay hi hello bonjour merci thanks thank`)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// countContent counts the words that are not stopwords.
func countContent(toks []token) int {
	n := 0
	for _, t := range toks {
		if t.lx != nil && !t.lx.stop || t.lx == nil && !stopwords[t.fold] {
			n++
		}
	}
	return n
}

// foldText lower-cases and folds a whole message, keeping single spaces
// between words, for phrase patterns.
func foldText(toks []token) string {
	// One allocation: the length is known before the first byte.
	n := 1
	for _, t := range toks {
		n += len(t.fold) + 1
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte(' ')
	for _, t := range toks {
		b.WriteString(t.fold)
		b.WriteByte(' ')
	}
	return b.String()
}
