package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/adapters/discord/discordtest"
)

// frName is the French name Discord was given for a command, option or
// choice, as registered.
func frName(m map[string]any) string {
	loc, _ := m["name_localizations"].(map[string]any)
	s, _ := loc["fr"].(string)
	return s
}

// registeredOption finds a registered option by its canonical name.
func registeredOption(opts any, name string) map[string]any {
	list, _ := opts.([]any)
	for _, o := range list {
		if o, ok := o.(map[string]any); ok && o["name"] == name {
			return o
		}
	}
	return nil
}

// TestFrenchUserCommandsUseCanonicalNames: the command is registered with
// French names, which a French client shows; Discord still sends the
// canonical names in the interaction, and the adapter answers in French.
func TestFrenchUserCommandsUseCanonicalNames(t *testing.T) {
	e := setup(t)
	var cmd map[string]any
	e.fake.Wait(t, 10*time.Second, "command registration", func() bool {
		if cmds := e.fake.Commands(appCommands); len(cmds) == 1 {
			cmd = cmds[0]
		}
		return cmd != nil
	})
	if got := frName(cmd); got != "vie-privée" {
		t.Errorf("registered French command name %q", got)
	}
	platform := registeredOption(cmd["options"], "platform")
	if got := frName(platform); got != "plateforme" {
		t.Errorf("registered French name of platform: %q", got)
	}
	if got := frName(registeredOption(platform["options"], "name")); got != "nom" {
		t.Errorf("registered French name of platform's name option: %q", got)
	}
	lang := registeredOption(registeredOption(cmd["options"], "lang")["options"], "language")
	choices, _ := lang["choices"].([]any)
	if len(choices) != 2 || frName(choices[0].(map[string]any)) == "" {
		t.Errorf("language choices registered without French names: %v", choices)
	}

	// A French user types /vie-privée plateforme nom: TikTok; Discord
	// sends /privacy platform name: TikTok with the user's locale.
	r := e.mustPost(t, discordtest.Interaction(id(), typeCommand, discordtest.Ask("platform", map[string]string{"name": "TikTok"}), asker, guild, nil, "fr"))
	if len(r.Data.Embeds) == 0 || !strings.Contains(r.Data.Embeds[0].Description, "TikTok") || !strings.Contains(r.Data.Embeds[0].Description, "ne fait pas partie") {
		t.Errorf("/vie-privée plateforme: not a French answer about TikTok:\n%s", r.Data.text())
	}
	// /vie-privée langue langue: Anglais (English) arrives as lang
	// language: en.
	en := e.mustPost(t, discordtest.Interaction(id(), typeCommand, discordtest.Ask("lang", map[string]string{"language": "en"}), asker, guild, nil, "fr"))
	if len(en.Data.Embeds) == 0 || !strings.Contains(en.Data.Embeds[0].Description, "is not one of") {
		t.Errorf("/vie-privée langue anglais: answer not in English:\n%s", en.Data.text())
	}
	// /vie-privée billets, for a coordinator.
	list := e.mustPost(t, discordtest.Interaction(id(), typeCommand, discordtest.Ask("reviews", nil), coordUser, guild, nil, "fr"))
	if !strings.Contains(list.Data.text(), "Billets d’examen en attente") {
		t.Errorf("/vie-privée billets:\n%s", list.Data.text())
	}
	// A French name is not a canonical one: refused, pointing at the
	// command as the French client shows it.
	bad := e.mustPost(t, discordtest.Interaction(id(), typeCommand, discordtest.Ask("plateforme", map[string]string{"nom": "TikTok"}), asker, guild, nil, "fr"))
	if !bad.Data.ephemeral() || !strings.Contains(bad.Data.Content, "/vie-privée demander") {
		t.Errorf("unknown sub-command: %q", bad.Data.text())
	}
}
