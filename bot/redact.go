package bot

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A redaction replaces one kind of personal information with its
// placeholder. Order matters: IP addresses go before SINs, whose 3-3-3
// digit groups would otherwise eat an address such as 192.168.100.200;
// identity documents and postal addresses go before phone numbers and
// SINs, whose digits they contain.
type redaction struct {
	kind string // what was removed, for the ticket's header
	re   *regexp.Regexp
	with string
}

// A person's name as typed: one to four capitalised words ("Jane",
// "Jean-Pierre O'Neil").
const nameWords = `\p{Lu}[\p{L}\p{N}'’\-]*(?:[ \t]+\p{Lu}[\p{L}\p{N}'’\-]*){0,3}`

// idNumber is a document number as typed: letters and digits, possibly in
// groups ("1234-567-890-AB", "TREM 8012 1234", "T1234-56789-01234").
const idNumber = `(?:[A-Za-z]{0,4}[ \-]?)?\d[\dA-Za-z]{2,}(?:[ \-](?:[\dA-Z]*\d[\dA-Z]*|[A-Z]{2})\b){0,4}`

var redactions = []redaction{
	{"email", regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`), "[email]"},
	{"ip", regexp.MustCompile(`\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b`), "[ip]"},
	// Health cards, driver's licences and passports, named ("my health
	// card number is …", "permis de conduire no …"), and the formats that
	// say what they are without a name: Ontario's health card and driver's
	// licence, Quebec's health card, Canada's passport.
	{"health-card", regexp.MustCompile(`(?i:(health[ \-]card|health number|ohip|ramq|carte santé|carte sante|carte soleil|carte d'assurance[ \-]maladie|carte d’assurance[ \-]maladie|assurance maladie)(?:[ \t]+(?:number|no\.?|num(?:é|e)ro|#|n°|is|est|:))*[ \t:#]*)` + idNumber), "[health-card]"},
	{"health-card", regexp.MustCompile(`\b\d{4}[ \-]?\d{3}[ \-]?\d{3}[ \-]?[A-Z]{2}\b|\b[A-Z]{4}[ ]?\d{4}[ ]?\d{4}\b`), "[health-card]"},
	{"driver-licence", regexp.MustCompile(`(?i:(driver'?s'? licen[cs]e|driver’s licen[cs]e|drivers licen[cs]e|licen[cs]e number|permis de conduire|numéro de permis|numero de permis)(?:[ \t]+(?:number|no\.?|num(?:é|e)ro|#|n°|is|est|:))*[ \t:#]*)` + idNumber), "[driver-licence]"},
	{"driver-licence", regexp.MustCompile(`\b[A-Z]\d{4}[ \-]\d{5}[ \-]\d{5}\b`), "[driver-licence]"},
	{"passport", regexp.MustCompile(`(?i:(passport|passeport)(?:[ \t]+(?:number|no\.?|num(?:é|e)ro|#|n°|is|est|:))*[ \t:#]*)` + idNumber), "[passport]"},
	{"passport", regexp.MustCompile(`\b[A-Z]{2}\d{6}\b`), "[passport]"},
	// Street addresses ("123 Main Street", "45, rue Sainte-Catherine
	// Ouest") and postal codes.
	{"address", regexp.MustCompile(`\b\d{1,5}[A-Za-z]?,?[ \t]+(?:(?i:rue|avenue|av\.|boulevard|boul\.|chemin|ch\.|route|place|rang|montée|montee|impasse|allée|allee)[ \t]+(?:\p{Lu}[\p{L}'’\-\.]*|de|du|des|la|le|l'|d')(?:[ \t]+(?:\p{Lu}[\p{L}'’\-\.]*|de|du|des|la|le))*|(?:\p{Lu}[\p{L}'’\-\.]*[ \t]+){1,3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Crescent|Cres\.?|Court|Ct\.?|Lane|Ln\.?|Way|Place|Pl\.?|Terrace|Circle|Parkway|Highway|Hwy\.?)\b)`), "[address]"},
	{"postal-code", regexp.MustCompile(`\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \-]?\d[ABCEGHJ-NPRSTV-Z]\d\b`), "[postal-code]"},
	// Social insurance numbers: nine digits, optionally grouped 3-3-3.
	{"sin", regexp.MustCompile(`\b\d{3}[ \-.]?\d{3}[ \-.]?\d{3}\b`), "[sin]"},
	// North American phone numbers, with or without country code.
	{"phone", regexp.MustCompile(`(?:\+?1[ \-.]?)?(?:\(\d{3}\)|\b\d{3})[ \-.]?\d{3}[ \-.]?\d{4}\b`), "[phone]"},
}

// nameRedactions find names: the user's own ("my name is …", "I'm …", "je
// m'appelle …", "moi c'est …") and names after a courtesy title ("Mr.
// Tremblay", "Mme Roy"), whose title goes with them. Group 1 is kept,
// group 2 is the name.
var nameRedactions = []*regexp.Regexp{
	regexp.MustCompile(`(?i:\b(my name is|my name's|my name’s|i am|i'm|i’m|im|je m'appelle|je m’appelle|je me nomme|je me présente|mon nom est|mon nom c'est|je suis|moi c'est|moi c’est))\s+(` + nameWords + `)`),
	regexp.MustCompile(`(\b(?:Mr|Mrs|Ms|Mx|Dr|Mme|Mlle|Me|Pr)\.?|\bM\.|\b(?:Miss|Mister|Madame|Monsieur|Mademoiselle|Docteur|Doctor|Professor|Professeur|Maître))[ \t]+(` + nameWords + `)`),
}

// NamePlaceholder replaces names.
const NamePlaceholder = "[name]"

// notNames are capitalised words that follow "I'm", "this is", "c'est"…
// without being a name.
var notNames = map[string]bool{"sorry": true, "not": true, "new": true, "the": true, "a": true, "an": true, "on": true, "in": true,
	"from": true, "with": true, "at": true, "désolé": true, "désolée": true, "pas": true, "nouveau": true, "nouvelle": true,
	"le": true, "la": true, "les": true, "un": true, "une": true, "it": true, "that": true, "ça": true, "ok": true, "okay": true,
	"urgent": true, "important": true, "possible": true, "vrai": true, "correct": true, "fine": true, "good": true, "bon": true, "bien": true}

// Redact replaces personal information with placeholders: e-mail and IP
// addresses, health card, driver's licence and passport numbers, street
// addresses and postal codes, SIN-like and phone numbers, and the names
// users give for themselves or after a title. One redaction serves every
// place a question is kept or sent: tickets, coordinators' channels, the
// inbox and the LLM. Names given any other way are not found.
func Redact(s string) string {
	s, _ = RedactKinds(s)
	return s
}

// RedactKinds is Redact, also listing the kinds of information it removed
// ("email", "name", "health-card"…), each once, in the order found.
func RedactKinds(s string) (string, []string) { return redactKinds(s, true) }

// redactKinds is RedactKinds; without prechecks every expression runs on
// every text (the tests compare the two).
func redactKinds(s string, prechecks bool) (string, []string) {
	var kinds []string
	found := func(k string) {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if r := redactIPv6(s); r != s {
		s = r
		found("ip")
	}
	// Every pattern but the e-mail one needs a digit, and every name
	// pattern an upper-case letter after a space: most questions have
	// neither, and these checks cost far less than the expressions. A
	// replacement only removes digits and letters, so the checks hold.
	at, digit := strings.Contains(s, "@"), strings.ContainsFunc(s, isDigit)
	for _, r := range redactions {
		if prechecks && (r.kind == "email" && !at || r.kind != "email" && !digit) {
			continue
		}
		if r.re.MatchString(s) {
			s = r.re.ReplaceAllString(s, r.with)
			found(r.kind)
		}
	}
	if prechecks && !capitalAfterSpace(s) {
		return s, kinds
	}
	for i, re := range nameRedactions {
		if prechecks && (i == 0 && !nameLead(s) || i == 1 && !titleLead(s)) {
			continue
		}
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			name := sub[2]
			first := strings.ToLower(strings.Fields(name)[0])
			if i == 0 && (notNames[first] || isPlaceholder(name)) {
				return m
			}
			found("name")
			if i == 1 {
				// The title goes with the name: it says something about the person.
				return NamePlaceholder
			}
			return m[:len(m)-len(name)] + NamePlaceholder
		})
	}
	return s, kinds
}

// Placeholders are the strings Redact puts in place of what it removes.
func Placeholders() []string {
	out := []string{NamePlaceholder}
	for _, r := range redactions {
		if !slices.Contains(out, r.with) {
			out = append(out, r.with)
		}
	}
	return out
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' || r > utf8.RuneSelf && unicode.IsDigit(r) }

// capitalAfterSpace reports whether an upper-case letter follows white
// space (regexp's \s) somewhere in s: every name the name patterns find
// does.
func capitalAfterSpace(s string) bool {
	space := false
	for _, r := range s {
		if space && unicode.IsUpper(r) {
			return true
		}
		space = r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f'
	}
	return false
}

// nameLeads are the lower-cased beginnings of the first name pattern's
// introductions; "im" counts only before white space.
var nameLeads = []string{"my name", "i am", "i'm", "i’m", "im ", "im\t", "im\n", "im\r", "im\f", "je m", "je suis", "mon nom", "moi c"}

// nameLead reports whether s may hold one of the first name pattern's
// introductions. (?i) also folds the long s (ſ) to s.
func nameLead(s string) bool {
	lower := strings.ToLower(strings.ReplaceAll(s, "ſ", "s"))
	for _, l := range nameLeads {
		if strings.Contains(lower, l) {
			return true
		}
	}
	return false
}

// titleLead reports whether s may hold a courtesy title: every title of
// the second name pattern starts with "M", "Dr" or "Pr".
func titleLead(s string) bool {
	return strings.Contains(s, "M") || strings.Contains(s, "Dr") || strings.Contains(s, "Pr")
}

func isPlaceholder(s string) bool { return strings.HasPrefix(s, "[") }

// ipv6Candidate finds what may be an IPv6 address, full or compressed
// ("2001:db8::1", "::1", "::ffff:192.0.2.1"); netip decides whether it is
// one, so that times such as 10:30:45 are left alone.
var ipv6Candidate = regexp.MustCompile(`(?i)(?:[0-9a-f]{1,4}|:)(?::[0-9a-f]{0,4}){1,8}(?:\.\d{1,3}){0,3}`)

func redactIPv6(s string) string {
	if strings.Count(s, ":") < 2 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ipv6Candidate.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if start > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s[:start]); isAddrRune(r) || r == '.' {
				continue // inside a longer word
			}
		}
		if end < len(s) {
			if r, _ := utf8.DecodeRuneInString(s[end:]); isAddrRune(r) {
				continue
			}
		}
		if a, err := netip.ParseAddr(s[start:end]); err != nil || !a.Is6() {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString("[ip]")
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isAddrRune(r rune) bool {
	return r == ':' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
