package llm

import (
	"regexp"
	"strings"

	"github.com/commsbot/commsbot/bot"
)

// A person's name as typed: one to four capitalised words ("Jane",
// "Jean-Pierre O'Neil").
const nameWords = `\p{Lu}[\p{L}\p{N}'’\-]*(?:[ \t]+\p{Lu}[\p{L}\p{N}'’\-]*){0,3}`

// nameREs find names the user gives for themselves or others. Group 1 is
// kept, group 2 is the name.
var nameREs = []*regexp.Regexp{
	// Self-introductions.
	regexp.MustCompile(`(?i:\b(my name is|my name's|my name’s|i am|i'm|i’m|je m'appelle|je m’appelle|je me nomme|mon nom est|je suis|moi c'est|moi c’est))\s+(` + nameWords + `)`),
	// Names introduced for others.
	regexp.MustCompile(`(?i:\b(named|called|whose name is|nommée?|appelée?|prénommée?|s'appelle|s’appelle|dont le nom est|his name is|her name is|their name is|son nom est))\s+(` + nameWords + `)`),
	// Courtesy titles.
	regexp.MustCompile(`(\b(?:Mr|Mrs|Ms|Mx|Dr|Mme|Mlle)\.?|\bM\.|\b(?:Miss|Mister|Madame|Monsieur|Mademoiselle))\s+(` + nameWords + `)`),
}

// NamePlaceholder replaces names.
const NamePlaceholder = "[name]"

// Redact removes personal information from a question before it is sent
// to the model: e-mail addresses, phone numbers, SIN-like numbers and IP
// addresses (bot.Redact), and names the user gives for themselves or others
// ("my name is …", "I'm …", "je m'appelle …", "Mr./Mme …", "named …",
// "nommée …"). A "name" that is one of keep (platform names: "an app called
// Threads") is left alone. Names given any other way are not found: the
// system prompt and the checks, not redaction, keep them out of answers.
func Redact(s string, keep ...string) string {
	s = bot.Redact(s)
	for i, re := range nameREs {
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			name := sub[2]
			for _, k := range keep {
				if strings.EqualFold(name, k) || strings.HasPrefix(strings.ToLower(name), strings.ToLower(k)+" ") {
					return m
				}
			}
			if i == 2 {
				// The title goes with the name: it says something about the person.
				return NamePlaceholder
			}
			return m[:len(m)-len(name)] + NamePlaceholder
		})
	}
	return s
}
