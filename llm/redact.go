package llm

import (
	"regexp"
	"strings"

	"github.com/commsbot/commsbot/bot"
)

// A person's name as typed: one to four capitalised words ("Jane",
// "Jean-Pierre O'Neil").
const nameWords = `\p{Lu}[\p{L}\p{N}'’\-]*(?:[ \t]+\p{Lu}[\p{L}\p{N}'’\-]*){0,3}`

// namedRE finds names introduced for others ("named …", "nommée …").
// Group 1 is kept, group 2 is the name. The user's own name and names
// after a title are bot.Redact's.
var namedRE = regexp.MustCompile(`(?i:\b(named|called|whose name is|nommée?|appelée?|prénommée?|s'appelle|s’appelle|dont le nom est|his name is|her name is|their name is|son nom est))\s+(` + nameWords + `)`)

// NamePlaceholder replaces names.
const NamePlaceholder = bot.NamePlaceholder

// Redact removes personal information from a question before it is sent
// to the model: everything bot.Redact removes (the one redaction tickets,
// channels and the inbox use too), and names introduced for others
// ("named …", "nommée …"). A "name" that is one of keep (platform names:
// "an app called Threads") is left alone. Names given any other way are not
// found: the system prompt and the checks, not redaction, keep them out of
// answers.
func Redact(s string, keep ...string) string {
	s = bot.Redact(s)
	return namedRE.ReplaceAllStringFunc(s, func(m string) string {
		name := namedRE.FindStringSubmatch(m)[2]
		for _, k := range keep {
			if strings.EqualFold(name, k) || strings.HasPrefix(strings.ToLower(name), strings.ToLower(k)+" ") {
				return m
			}
		}
		return m[:len(m)-len(name)] + NamePlaceholder
	})
}
