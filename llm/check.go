package llm

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/commsbot/commsbot/bot"
)

// Reason says why a paraphrase was not used. Reasons are a bounded set, fit
// for metric labels.
type Reason string

// The reasons a paraphrase is not used.
const (
	// The call to the model failed.
	ReasonTimeout   Reason = "timeout"    // the deadline passed
	ReasonCanceled  Reason = "canceled"   // the caller gave up
	ReasonHTTP      Reason = "http-error" // the server answered with an error status
	ReasonNetwork   Reason = "network"    // the server could not be reached
	ReasonMalformed Reason = "malformed"  // the response was not a chat completion
	ReasonOther     Reason = "other"
	// The model answered, but the answer fails a check.
	ReasonEmpty       Reason = "empty"
	ReasonMarkup      Reason = "markup"       // tags or code fences
	ReasonLength      Reason = "length"       // too short or too long
	ReasonLanguage    Reason = "language"     // not in the answer's language
	ReasonPlaceholder Reason = "placeholder"  // a redaction placeholder such as [email]
	ReasonURL         Reason = "new-url"      // a URL or domain not in the answer or question
	ReasonEmail       Reason = "new-email"    // likewise an e-mail address
	ReasonNumber      Reason = "new-number"   // likewise a number, in digits or words
	ReasonSection     Reason = "new-section"  // likewise a section, part or annex reference
	ReasonPlatform    Reason = "new-platform" // likewise a platform name
	ReasonTerm        Reason = "missing-term" // a key term of the entry was dropped
	ReasonNegation    Reason = "negation"     // a negation was added or dropped
)

// Rejection is why a paraphrase was not used. Its message never contains
// the paraphrase or the question: only the reason and, for a missing key
// term, the term (from the knowledge base).
type Rejection struct {
	Reason Reason
	// Term is the key term a ReasonTerm rejection is about.
	Term string
	// Err is the underlying error of a failed call.
	Err error
}

func (r *Rejection) Error() string {
	switch {
	case r.Term != "":
		return fmt.Sprintf("paraphrase rejected: %s %q", r.Reason, r.Term)
	case r.Err != nil:
		return fmt.Sprintf("paraphrase rejected: %s: %v", r.Reason, r.Err)
	}
	return "paraphrase rejected: " + string(r.Reason)
}

func (r *Rejection) Unwrap() error { return r.Err }

// maxLen is the longest acceptable paraphrase of curated, in characters.
func maxLen(curated string) int { return utf8.RuneCountInString(curated)*3/2 + 200 }

// minLen is the shortest acceptable paraphrase, exclusive.
const minLen = 20

func check(text, curated, question string, lang bot.Lang, terms []string, platforms []platform) error {
	reject := func(r Reason) error { return &Rejection{Reason: r} }
	if strings.TrimSpace(text) == "" {
		return reject(ReasonEmpty)
	}
	if markupRE.MatchString(text) {
		return reject(ReasonMarkup)
	}
	if n := utf8.RuneCountInString(text); n <= minLen || n > maxLen(curated) {
		return reject(ReasonLength)
	}
	if !inLang(text, lang) {
		return reject(ReasonLanguage)
	}
	for _, ph := range placeholders {
		if strings.Contains(text, ph) {
			return reject(ReasonPlaceholder)
		}
	}

	known := curated + "\n" + question
	fknown := fold(known)
	// E-mail addresses first: their domains are not URLs.
	for _, e := range emailRE.FindAllString(text, -1) {
		if !strings.Contains(fknown, fold(e)) {
			return reject(ReasonEmail)
		}
	}
	rest := emailRE.ReplaceAllString(text, " ")
	for _, re := range []*regexp.Regexp{urlRE, domainRE} {
		for _, u := range re.FindAllString(rest, -1) {
			u = strings.TrimRight(u, ".,;:!?")
			if !strings.Contains(fknown, fold(u)) {
				return reject(ReasonURL)
			}
		}
	}
	knownNums := numbers(known, lang)
	for n := range numbers(text, lang) {
		if !knownNums[n] {
			return reject(ReasonNumber)
		}
	}
	knownRefs := sectionRefs(known)
	for r := range sectionRefs(text) {
		if !knownRefs[r] {
			return reject(ReasonSection)
		}
	}
	for _, p := range platforms {
		if p.namedIn(text) && !strings.Contains(fknown, p.folded) {
			return reject(ReasonPlatform)
		}
	}

	ftext, fcurated := fold(text), fold(curated)
	for _, t := range terms {
		ft := fold(t)
		if ft == "" || !containsWord(fcurated, ft) {
			// A term the curated text lacks cannot be kept.
			continue
		}
		if !containsWord(ftext, ft) {
			return &Rejection{Reason: ReasonTerm, Term: t}
		}
	}

	nc, nt := negations(fcurated, lang), negations(ftext, lang)
	if (nc > 0) != (nt > 0) || nt > nc {
		return reject(ReasonNegation)
	}
	return nil
}

var (
	markupRE = regexp.MustCompile("(?i)</?(?:question|answer|quotes?|system|user|assistant)\\b|```")
	emailRE  = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	urlRE    = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]]+`)
	// Bare domains with a common top-level domain: "canada.ca".
	domainRE = regexp.MustCompile(`(?i)\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|ca|org|net|gov|edu|int|io|info|biz|co|uk|us|fr|eu|app|dev|ai|me|tv|ly|gg|social|xyz|online|site|news)\b`)
	// placeholders are bot.Redact's (Redact's names use its [name]).
	placeholders = bot.Placeholders()
)

// The scorer's language test (../shared/eval/score): more French than
// English function words makes French text.
var (
	frWords = wordSet("le la les des est et pour une un vous que qui dans ne pas sur au aux du ce cette il elle sont être avez doit faut ou si lorsque avec votre vos nous")
	enWords = wordSet("the and is to of for you a an in not on be are with your we it this that must should can if or when do does has have")
	langRE  = regexp.MustCompile(`[a-zàâçéèêëîïôûùüÿœ']+`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// inLang reports whether text is clearly in lang: more of its function
// words than of the other language's.
func inLang(text string, lang bot.Lang) bool {
	fr, en := 0, 0
	for _, w := range langRE.FindAllString(strings.ToLower(text), -1) {
		if frWords[w] {
			fr++
		}
		if enWords[w] {
			en++
		}
	}
	if lang == bot.French {
		return fr > en
	}
	return en > fr
}

var (
	digitsRE = regexp.MustCompile(`\d+(?:[.,]\d+)*`)
	tokenRE  = regexp.MustCompile(`[\p{L}\p{N}']+`)
	// Number words, mapped to digits so that "four" and "4" are the same
	// number. "one", "un" and "une" are left out: they are mostly articles
	// and pronouns.
	numberWords = map[bot.Lang]map[string]string{
		bot.English: {
			"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
			"nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14",
			"fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
			"twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
			"eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000", "million": "1000000",
			"billion": "1000000000", "twice": "2", "dozen": "12",
		},
		bot.French: {
			"deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6", "sept": "7", "huit": "8",
			"neuf": "9", "dix": "10", "onze": "11", "douze": "12", "treize": "13", "quatorze": "14",
			"quinze": "15", "seize": "16", "vingt": "20", "trente": "30", "quarante": "40",
			"cinquante": "50", "soixante": "60", "cent": "100", "mille": "1000", "million": "1000000",
			"milliard": "1000000000", "douzaine": "12",
		},
	}
)

// numbers lists the numbers in s, in digits, whether written in digits or
// in words.
func numbers(s string, lang bot.Lang) map[string]bool {
	out := map[string]bool{}
	for _, n := range digitsRE.FindAllString(s, -1) {
		n = strings.ReplaceAll(n, ",", ".")
		if t := strings.TrimLeft(n, "0"); t != "" && t[0] != '.' {
			n = t
		}
		out[n] = true
	}
	words := numberWords[lang]
	for _, w := range tokenRE.FindAllString(fold(s), -1) {
		if d, ok := words[strings.TrimSuffix(w, "s")]; ok {
			out[d] = true
		} else if d, ok := words[w]; ok {
			out[d] = true
		}
	}
	return out
}

var (
	// Section references: "section 36.3", "s. 36.3", "article 36.3",
	// "Part 7", "partie 7", "Annex A", "annexe B", "Q8". Letters only for
	// annexes: "à part d'un" is French for "apart from one".
	sectionREs = []*regexp.Regexp{
		regexp.MustCompile(`\b(sections?|s\.|articles?|art\.|partie|parts?|chapters?|chapitre|paragraphe|paragraphs?|alinea|clause)\s*(\d+(?:\.\d+)*(?:\([0-9a-z]+\))*)`),
		regexp.MustCompile(`\b(annexe|annex|appendice|appendix|schedule)\s*(\d+)`),
		regexp.MustCompile(`\b(annexe|annex|appendice|appendix|schedule)\s+([a-z])\b`),
		regexp.MustCompile(`\b(q)\s?(\d+)\b`),
	}
	sectionKinds = map[string]string{
		"section": "section", "sections": "section", "s.": "section", "article": "section", "articles": "section", "art.": "section",
		"part": "part", "parts": "part", "partie": "part",
		"chapter": "chapter", "chapters": "chapter", "chapitre": "chapter",
		"paragraph": "paragraph", "paragraphs": "paragraph", "paragraphe": "paragraph", "alinea": "paragraph", "clause": "paragraph",
		"annex": "annex", "annexe": "annex", "appendix": "annex", "appendice": "annex", "schedule": "annex",
		"q": "q",
	}
)

// sectionRefs lists the section references in s as "kind ref".
func sectionRefs(s string) map[string]bool {
	out := map[string]bool{}
	f := fold(s)
	for _, re := range sectionREs {
		for _, m := range re.FindAllStringSubmatch(f, -1) {
			out[sectionKinds[m[1]]+" "+m[2]] = true
		}
	}
	return out
}

// Negation markers, on folded text.
var (
	enNeg = wordSet("not no never cannot none nothing nobody neither nor")
	frNeg = wordSet("ne pas non jamais aucun aucune ni rien")
)

// negations counts the negation markers in folded text.
func negations(ftext string, lang bot.Lang) int {
	n := 0
	for _, w := range tokenRE.FindAllString(ftext, -1) {
		switch {
		case lang == bot.French && (frNeg[w] || strings.HasPrefix(w, "n'")):
			n++
		case lang != bot.French && (enNeg[w] || strings.HasSuffix(w, "n't")):
			n++
		}
	}
	return n
}

// platform is a platform name and how to find it.
type platform struct {
	name, folded string
	re           *regexp.Regexp
}

func compilePlatforms(names []string) []platform {
	var out []platform
	seen := map[string]bool{}
	for _, n := range names {
		// "Xiaohongshu (RedNote)" is two names.
		for _, part := range strings.FieldsFunc(n, func(r rune) bool { return r == '(' || r == ')' }) {
			part = strings.TrimSpace(part)
			f := fold(part)
			if f == "" || seen[f] {
				continue
			}
			seen[f] = true
			out = append(out, platform{name: part, folded: f,
				re: regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(` + regexp.QuoteMeta(part) + `)(?:$|[^\p{L}\p{N}])`)})
		}
	}
	return out
}

// namedIn reports whether text names the platform as a proper noun: with a
// capital, so that "signal" or "medium" as ordinary words do not count.
func (p platform) namedIn(text string) bool {
	for _, m := range p.re.FindAllStringSubmatchIndex(text, -1) {
		r, _ := utf8.DecodeRuneInString(text[m[2]:])
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// containsWord reports whether folded s contains folded w starting at a
// word boundary (the end may run on: "PIA" is in "PIAs").
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		if j == 0 {
			return true
		}
		r, _ := utf8.DecodeLastRuneInString(s[:j])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return true
		}
		i = j + 1
	}
}

var foldPunct = strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'", "“", `"`, "”", `"`,
	"\u00a0", " ", "\u202f", " ", "\u2009", " ", "‑", "-", "–", "-", "—", "-", "œ", "oe", "æ", "ae")

// fold lower-cases s, removes accents, unifies apostrophes, dashes and
// spaces.
func fold(s string) string {
	// A transformer chain has state: one per call.
	foldAccents := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if f, _, err := transform.String(foldAccents, s); err == nil {
		s = f
	}
	s = foldPunct.Replace(strings.ToLower(s))
	return strings.Join(strings.Fields(s), " ")
}
