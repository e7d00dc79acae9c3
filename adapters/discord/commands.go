package discord

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/bwmarrin/discordgo"
)

// CommandName is the application command commsbot registers.
const CommandName = "privacy"

// Commands is the /privacy command with its sub-commands, as registered.
// Names and descriptions are localised for French clients; Discord sends
// interactions with the canonical (English) names whatever the user's
// language, so the handlers key on those.
func Commands() []*discordgo.ApplicationCommand {
	fr := func(s string) map[discordgo.Locale]string { return map[discordgo.Locale]string{discordgo.French: s} }
	frp := func(s string) *map[discordgo.Locale]string { m := fr(s); return &m }
	dm := true
	return []*discordgo.ApplicationCommand{{
		Type:                     discordgo.ChatApplicationCommand,
		Name:                     CommandName,
		NameLocalizations:        frp(commandNameFR),
		Description:              "Privacy answers for official social media accounts, with their sources",
		DescriptionLocalizations: frp("Réponses sur la vie privée pour les comptes officiels de médias sociaux, avec leurs sources"),
		DMPermission:             &dm,
		Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM},
		Options: []*discordgo.ApplicationCommandOption{
			{
				Type: discordgo.ApplicationCommandOptionSubCommand, Name: "ask", NameLocalizations: fr(askNameFR),
				Description: "Ask a privacy question", DescriptionLocalizations: fr("Poser une question sur la vie privée"),
				Options: []*discordgo.ApplicationCommandOption{{
					Type: discordgo.ApplicationCommandOptionString, Name: "question", NameLocalizations: fr("question"), Required: true, MaxLength: 4000,
					Description: "Your question (no personal information, please)", DescriptionLocalizations: fr("Votre question (sans renseignements personnels)"),
				}},
			},
			{
				Type: discordgo.ApplicationCommandOptionSubCommand, Name: "platform", NameLocalizations: fr("plateforme"),
				Description: "Can we use this platform for an official account?", DescriptionLocalizations: fr("Peut-on utiliser cette plateforme pour un compte officiel?"),
				Options: []*discordgo.ApplicationCommandOption{{
					Type: discordgo.ApplicationCommandOptionString, Name: "name", NameLocalizations: fr("nom"), Required: true, Autocomplete: true, MaxLength: 100,
					Description: "The platform", DescriptionLocalizations: fr("La plateforme"),
				}},
			},
			{
				Type: discordgo.ApplicationCommandOptionSubCommand, Name: "review", NameLocalizations: fr("examen"),
				Description: "Ask an ATIP coordinator to review your situation", DescriptionLocalizations: fr("Demander l’examen de votre situation par un coordonnateur de l’AIPRP"),
				Options: []*discordgo.ApplicationCommandOption{{
					Type: discordgo.ApplicationCommandOptionString, Name: "details", NameLocalizations: fr("détails"), MaxLength: 1000,
					Description: "What to review (no personal information, please)", DescriptionLocalizations: fr("Ce qu’il faut examiner (sans renseignements personnels)"),
				}},
			},
			{
				Type: discordgo.ApplicationCommandOptionSubCommand, Name: "reviews", NameLocalizations: fr("billets"),
				Description: "List open review tickets (ATIP coordinators)", DescriptionLocalizations: fr("Lister les billets d’examen ouverts (coordonnateurs de l’AIPRP)"),
			},
			{
				Type: discordgo.ApplicationCommandOptionSubCommand, Name: "lang", NameLocalizations: fr("langue"),
				Description: "Answer in English or French", DescriptionLocalizations: fr("Répondre en anglais ou en français"),
				Options: []*discordgo.ApplicationCommandOption{{
					Type: discordgo.ApplicationCommandOptionString, Name: "language", NameLocalizations: fr("langue"), Required: true,
					Description: "Language", DescriptionLocalizations: fr("Langue"),
					Choices: []*discordgo.ApplicationCommandOptionChoice{
						{Name: "English", NameLocalizations: fr("Anglais (English)"), Value: "en"},
						{Name: "Français", NameLocalizations: fr("Français"), Value: "fr"},
					},
				}},
			},
			{
				Type: discordgo.ApplicationCommandOptionSubCommand, Name: "forget", NameLocalizations: fr("oublier"),
				Description: "Delete what commsbot remembers of your conversations", DescriptionLocalizations: fr("Effacer ce que commsbot garde de vos conversations"),
			},
		},
	}}
}

// French names of the command and of its ask sub-command, which the
// adapter's own texts mention.
const (
	commandNameFR = "vie-privée"
	askNameFR     = "demander"
)

// Register replaces the application's commands (in GuildID, or globally)
// with Commands in one bulk overwrite: registering again after a restart
// leaves the same single command, never a duplicate.
func (a *Adapter) Register(ctx context.Context) error {
	_, err := a.s.ApplicationCommandBulkOverwrite(a.cfg.AppID, a.cfg.GuildID, Commands(), discordgo.WithContext(ctx))
	return err
}

// registerLoop registers the commands, retrying with backoff until it
// works or ctx is done.
func (a *Adapter) registerLoop(ctx context.Context) {
	wait := time.Second
	for ctx.Err() == nil {
		err := a.Register(ctx)
		if err == nil {
			scope := "global"
			if a.cfg.GuildID != "" {
				scope = "guild"
			}
			a.log.Info("commands registered", "command", CommandName, "scope", scope)
			return
		}
		if ctx.Err() != nil {
			return
		}
		a.log.Warn("command registration failed, retrying", "err", restErr(err), "in", wait.String())
		if s := status(err); s == 401 || s == 403 {
			a.log.Error("Discord refused the command registration: check DISCORD_BOT_TOKEN and DISCORD_APP_ID, and that the bot was invited with the applications.commands scope")
		}
		sleep(ctx, jitter(wait))
		wait = min(wait*2, 5*time.Minute)
	}
}

// jitter spreads d by ±20 % so that replicas do not retry in step.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.4-0.2)*float64(d))
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
