package intents

import (
	"slices"
	"strings"
	"testing"

	"github.com/commsbot/commsbot/bot"
)

func TestDecide(t *testing.T) {
	linkedin := bot.Slots{Platform: "LinkedIn", PlatformReviewed: true}
	threads := bot.Slots{Platform: "Threads"}
	with := func(s bot.Slots, f func(*bot.Slots)) bot.Slots { f(&s); return s }

	cases := []struct {
		name     string
		intent   string
		slots    bot.Slots
		text     string
		entry    string
		review   bool
		category string
	}{
		{"reviewed platform, covered use", "pin.platform",
			with(linkedin, func(s *bot.Slots) { s.Uses = []string{UseBroadcasting, UseAnalytics} }),
			"can we open a linkedin account to broadcast news and see analytics", "platform-reviewed*", false, ""},
		{"reviewed platform, no use named", "pin.platform", linkedin, "can we open an account on linkedin", "platform-reviewed*", false, ""},
		{"reviewed platform, PIA question", "pin.pia", linkedin, "do we need a pia for linkedin", "platform-reviewed*", false, ""},
		{"unreviewed platform", "pin.platform", threads, "can we open a threads account", "platform-unreviewed", false, ""},
		{"unreviewed platform, covered use", "pin.pia",
			with(threads, func(s *bot.Slots) { s.Uses = []string{UseEngaging} }),
			"pia to reply to people on threads", "platform-unreviewed", false, ""},
		{"processes for an unreviewed platform", "pin.processes", threads, "how do we create an official threads account",
			"platform-unreviewed", false, ""},
		{"processes for a reviewed platform", "pin.processes", linkedin, "how do we create an official linkedin account",
			"prescribed-processes", false, ""},
		{"other administrative purposes on a reviewed platform", "pin.pia",
			with(linkedin, func(s *bot.Slots) { s.Uses = []string{UseOtherAdmin} }),
			"pia to use followers' information for other administrative purposes", "other-uses", false, ""},
		{"unnamed new platform", "pin.platform", bot.Slots{NewPlatform: true}, "a new platform not on the list",
			"platform-unreviewed", false, ""},
		{"other use on a reviewed platform", "pin.platform",
			with(linkedin, func(s *bot.Slots) { s.Uses = []string{UseInvestigations} }),
			"can we investigate people on linkedin", "other-uses", false, ""},
		{"other use among covered ones", "pin.uses",
			with(linkedin, func(s *bot.Slots) { s.Uses = []string{UseBroadcasting, UseFraud} }),
			"broadcast and detect fraud", "other-uses", false, ""},
		{"other-use intent", "pin.other-use", bot.Slots{}, "can we use it for anything else", "other-uses", false, ""},
		{"platform question without a platform", "pin.platform", bot.Slots{}, "which platforms are reviewed",
			"platforms-reviewed-list", false, ""},
		{"secondary use consistent", "pin.secondary", bot.Slots{},
			" can we add commenters to our mailing list ", "secondary-use-consistent", false, ""},
		{"secondary use, transferring a complaint", "pin.secondary", bot.Slots{},
			" can we forward a complaint to the program ", "secondary-use-consistent", false, ""},
		{"secondary use, other", "pin.secondary", bot.Slots{},
			" can we use their comments for research ", "secondary-use", false, ""},
		{"pib with health information", "pin.pib",
			bot.Slots{PersonalInfo: []string{"name", "health"}}, " we collect health info ", "pib-other-pi", false, ""},
		{"pib with standard information", "pin.pib",
			bot.Slots{PersonalInfo: []string{"name", "comments"}}, " names and comments ", "pib-standard", false, ""},
		{"breach that happened", "breach.timing", bot.Slots{Incident: true},
			" we lost a laptop how fast do we notify ", "breach-timing", true, "breach"},
		{"breach question in general", "breach.timing", bot.Slots{},
			" how fast must we notify ", "breach-timing", false, ""},
		{"incident slot outside the breach guidance", "pin.consent-collection", bot.Slots{Incident: true},
			" consent ", "consent-collection", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			folded := c.text
			if folded == "" || folded[0] != ' ' {
				folded = foldText(tokenize(c.text))
			}
			u := decide(bot.Understanding{Intent: c.intent, Slots: c.slots, Confidence: 0.9}, scan(folded))
			entryOK := u.Entry == c.entry
			// "platform-reviewed*": the reviewed-platform answer or one of
			// its variants (such as the PIA-focused one).
			if prefix, ok := strings.CutSuffix(c.entry, "*"); ok {
				entryOK = u.Entry == prefix || strings.HasPrefix(u.Entry, prefix+"-")
			}
			if !entryOK || u.Review != c.review || u.Category != c.category {
				t.Errorf("decide(%s, %+v) = entry %q review %v %q; want %q %v %q",
					c.intent, c.slots, u.Entry, u.Review, u.Category, c.entry, c.review, c.category)
			}
			if u.Intent != c.intent || u.Confidence != 0.9 {
				t.Errorf("decide changed intent or confidence: %+v", u)
			}
		})
	}
}

// Every entry decide can choose is one Entries lists, so start-up checks it.
func TestDecideEntriesAreListed(t *testing.T) {
	listed := Entries()
	for intent := range entryOf {
		u := decide(bot.Understanding{Intent: intent}, scan(" "))
		if !slices.Contains(listed, u.Entry) {
			t.Errorf("decide(%s) = %q, not in Entries()", intent, u.Entry)
		}
	}
}
