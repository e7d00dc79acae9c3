package intents

import (
	"strings"

	"github.com/commsbot/commsbot/bot"
)

// Function words that are frequent in one language and rare in the other
// (folded). Words shared by both ("a", "on", "page") are left out.
var (
	frWords = set(`le la les des du est et pour une un vous que qui dans ne pas sur au aux ce cette ces
il elle ils sont etre avez avons doit doivent faut ou si lorsque avec votre vos nous notre nos
peut peux pouvons pouvez quoi quel quelle quels quelles comment pourquoi mon ma mes leur leurs
faire fait ca cela je tu moi aussi mais tous toutes avoir chez sans deja tres oui merci bonjour
quand depuis selon entre apres avant dois faudrait devrait pourrait aviser compte comptes
renseignements personnels atteinte liste plateforme utiliser publier courriel
combien font fois demain aujourd hui quelle temps fera ici lui eux ceux celle celui voici voila parce toujours jamais rien
quelqu chose beaucoup peu trop moins mieux faut-il est-ce c'est qu'on d'un d'une l'avis`)
	enWords = set(`the and is to of for you an in not be are with your we it this that must should
can if or when do does has have what who how which my our they their about from will would could
there any need was were been by at as just what's whats ok yes no please thanks hi hello
account accounts personal information breach list platform use post email people get still`)
)

// detectLang guesses the language of a message. sure is false when the text
// gives no evidence either way (a platform name alone, "ok?"), so that the
// caller can fall back to a hint or the conversation's language.
func detectLang(toks []token, raw string) (lang bot.Lang, sure bool) {
	var fr, en float64
	for _, t := range toks {
		isFr, isEn := false, false
		if t.lx != nil {
			isFr, isEn = t.lx.frWord, t.lx.enWord
		} else {
			isFr, isEn = frWords[t.fold], enWords[t.fold]
		}
		if isFr {
			fr++
		}
		if isEn {
			en++
		}
		if t.fold != t.lower { // accented letters
			fr += 0.5
		}
	}
	// Elisions: l', d', qu', j', n', s', c'. Every one has an apostrophe,
	// which lower-casing neither makes nor removes: a message without one
	// (most) is not searched. One with an apostrophe is searched once,
	// without a lower-case copy (see countElisions).
	if strings.ContainsAny(raw, "'’") {
		// Each counts 0.5: sums of halves are exact in any order.
		fr += 0.5 * float64(countElisions(raw))
	}
	switch {
	case fr > en:
		return bot.French, true
	case en > fr:
		return bot.English, true
	}
	return bot.English, false
}

// countElisions counts the elisions l', d', qu', j', n', s' and c' (with
// either apostrophe) that begin a word of s: what counting each of them in
// strings.ToLower(s) with countWordPrefix counts, in one pass over s and
// without the copy. Every elision ends at an apostrophe, and an apostrophe
// ends at most one of them (the letter before it; "qu" for u). Of all
// runes only the ASCII capitals lower-case to those letters (the Kelvin
// sign and the dotted capital I lower-case to k and i), and the bytes an
// elision may follow (space, parenthesis, quote) are ASCII, which
// lower-casing leaves alone.
func countElisions(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
		case s[i] == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x99: // ’
		default:
			continue
		}
		start := -1
		if i >= 1 {
			switch lowerASCII(s[i-1]) {
			case 'l', 'd', 'j', 'n', 's', 'c':
				start = i - 1
			case 'u':
				if i >= 2 && lowerASCII(s[i-2]) == 'q' {
					start = i - 2
				}
			}
		}
		if start == 0 || start > 0 && (s[start-1] == ' ' || s[start-1] == '(' || s[start-1] == '"') {
			n++
		}
	}
	return n
}

// lowerASCII lowers an ASCII capital; other bytes are left alone.
func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
