package intents

import (
	"slices"
	"testing"
)

func TestPlatformAliases(t *testing.T) {
	cases := []struct {
		text string
		want string // "" for no platform
	}{
		{"Can we post on X?", "Twitter"},
		{"X is where our minister posts", "Twitter"},
		{"we want to publish on x too", "Twitter"},
		{"is a sub account on x ok", "Twitter"},
		{"the platform formerly twitter", "Twitter"},
		{"X (formerly Twitter)", "Twitter"},
		{"Twitter", "Twitter"},
		{"our IG account", "Instagram"},
		{"can we go live on insta", "Instagram"},
		{"instagram reels", "Instagram"},
		{"our FB page", "Facebook"},
		{"Facebook Live", "Facebook"},
		{"YT channel", "YouTube"},
		{"you tube", "YouTube"},
		{"Linked In", "LinkedIn"},
		{"Pinterest boards", "Pinterest"},
		{"flickr albums", "Flickr"},
		{"Threads", "Threads"},
		{"Meta Threads", "Threads"},
		{"TikTok", "TikTok"},
		{"tik tok", "TikTok"},
		{"Bluesky", "Bluesky"},
		{"blue sky", "Bluesky"},
		{"Mastodon", "Mastodon"},
		{"sur Mastodon", "Mastodon"},
		{"a subreddit", "Reddit"},
		{"Reddit", "Reddit"},
		{"Snapchat", "Snapchat"},
		{"WhatsApp", "WhatsApp"},
		{"Whats App", "WhatsApp"},
		{"Telegram", "Telegram"},
		{"Twitch", "Twitch"},
		{"WeChat", "WeChat"},
		{"Tumblr", "Tumblr"},
		{"Discord", "Discord"},
		{"Vimeo", "Vimeo"},
		{"L'équipe veut publier sur TikTok", "TikTok"},
		// "x" in other senses is not a platform.
		{"17 x 23", ""},
		{"what is 17 x 23?", ""},
		{"x marks the spot", ""},
		{"a 2 x 4 plank", ""},
		{"the x axis", ""},
		{"can we publish the notice?", ""},
		{"", ""},
	}
	for _, c := range cases {
		p, _, ok := findPlatform(tokenize(c.text))
		got := ""
		if ok {
			got = p.Name
		}
		if got != c.want {
			t.Errorf("findPlatform(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestReviewedPlatformsAreTheSevenOfA2(t *testing.T) {
	want := []string{"Facebook", "Flickr", "Instagram", "LinkedIn", "Pinterest", "Twitter", "YouTube"}
	var got []string
	seen := map[string]bool{}
	for _, p := range Platforms {
		if p.Reviewed {
			got = append(got, p.Name)
		}
		if seen[p.Name] {
			t.Errorf("platform %s listed twice", p.Name)
		}
		seen[p.Name] = true
		// Every alias finds its own platform.
		for _, a := range p.Aliases {
			text := a
			if a == "x" {
				text = "on x"
			}
			q, _, ok := findPlatform(tokenize(text))
			if !ok || q.Name != p.Name {
				t.Errorf("alias %q of %s finds %q", a, p.Name, q.Name)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("reviewed platforms = %v, want %v", got, want)
	}
	for _, name := range []string{"Threads", "TikTok", "Bluesky", "Mastodon", "Reddit", "Snapchat", "WhatsApp",
		"Telegram", "Twitch", "WeChat", "Tumblr", "Discord", "Vimeo"} {
		p, ok := LookupPlatform(name)
		if !ok || p.Name != name || p.Reviewed {
			t.Errorf("LookupPlatform(%q) = %+v, %v; want the unreviewed %s", name, p, ok, name)
		}
	}
}

func TestSlotFinders(t *testing.T) {
	uses := func(s string) []string { return findUses(scan(foldText(tokenize(s)))) }
	pi := func(s string) []string { return findPI(scan(foldText(tokenize(s)))) }
	inc := func(s string) bool { return findIncident(scan(foldText(tokenize(s)))) }

	if u := uses("we want to use it to investigate fraud"); !slices.Contains(u, UseInvestigations) || !slices.Contains(u, UseFraud) {
		t.Errorf("uses = %v, want investigations and fraud detection", u)
	}
	if u := uses("we only broadcast announcements"); !slices.Equal(u, []string{UseBroadcasting}) {
		t.Errorf("uses = %v, want broadcasting", u)
	}
	for _, u := range []string{UseBroadcasting, UseEngaging, UseManagement, UseAnalytics} {
		if !Covered(u) {
			t.Errorf("%s not covered", u)
		}
	}
	if u := uses("on veut utiliser les renseignements des abonnés à d'autres fins administratives"); !slices.Equal(u, []string{UseOtherAdmin}) {
		t.Errorf("uses = %v, want other administrative purposes", u)
	}
	for _, u := range []string{UseInvestigations, UseFraud, UseLifestyle, UseMonitoring, UseOtherAdmin, "other"} {
		if Covered(u) {
			t.Errorf("%s covered", u)
		}
	}
	if k := pi("we would store their health and disability information"); !slices.Contains(k, "health") || !beyondStandardPI(k) {
		t.Errorf("PI = %v, want health beyond the standard PIBs", k)
	}
	for _, q := range []string{"un compte Pinterest pour nos recettes santé", "a Health Canada campaign on Instagram"} {
		if k := pi(q); slices.Contains(k, "health") {
			t.Errorf("%q: PI = %v; a topic is not health information", q, k)
		}
	}
	if k := pi("des renseignements sur leur état de santé"); !slices.Contains(k, "health") {
		t.Errorf("PI = %v, want health", k)
	}
	if k := pi("names and comments of commenters"); beyondStandardPI(k) || !slices.Contains(k, "name") {
		t.Errorf("PI = %v, want standard kinds only", k)
	}
	if !inc("a laptop with client files was stolen yesterday") || !inc("on a envoyé le fichier par erreur") ||
		!inc("notre portable s'est fait voler dans une auto") {
		t.Error("described breaches not recognised as incidents")
	}
	if inc("how fast must we notify after a breach?") {
		t.Error("a general question about breaches read as an incident")
	}
}

// LookupPlatform finds (for tests) a platform by one of its names.
func LookupPlatform(name string) (Platform, bool) {
	toks := tokenize(name)
	if p, _, ok := findPlatform(toks); ok {
		return p, true
	}
	return Platform{}, false
}
