package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/commsbot/commsbot/adapters/discord"
	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/intents"
)

// discordConfig is the Discord adapter's configuration (DISCORD_*,
// ATIP_DISCORD_CHANNEL). Discord is off unless DISCORD_BOT_TOKEN or
// DISCORD_PUBLIC_KEY is set.
type discordConfig struct {
	Token, AppID, GuildID string
	PublicKey             ed25519.PublicKey
	Gateway               bool
	ShardID, ShardCount   int
	APIURL                string
	Channel, Role         string
	PublicAnswers         bool
}

func (c discordConfig) enabled() bool { return c.Token != "" || c.PublicKey != nil }

// loadDiscordConfig reads the Discord variables, with envVars' defaults,
// and reports every problem.
func loadDiscordConfig(getenv func(string) string) (discordConfig, []error) {
	set, get := env(getenv).set, env(getenv).get
	var errs []error
	snowflake := func(name string) string {
		v := set(name)
		if v != "" {
			if _, err := strconv.ParseUint(v, 10, 64); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: want a Discord id, a number such as 112233445566778899 (Developer Mode → right-click → Copy ID)", name, v))
			}
		}
		return v
	}
	c := discordConfig{
		Token:   strings.TrimPrefix(set("DISCORD_BOT_TOKEN"), "Bot "),
		AppID:   snowflake("DISCORD_APP_ID"),
		GuildID: snowflake("DISCORD_GUILD_ID"),
		Channel: snowflake("ATIP_DISCORD_CHANNEL"),
		Role:    snowflake("DISCORD_COORDINATOR_ROLE"),
	}
	if strings.ContainsAny(c.Token, " \t\r\n") {
		errs = append(errs, errors.New("DISCORD_BOT_TOKEN contains spaces: paste the token alone (developer portal → Bot → Reset Token)"))
	}
	if k := set("DISCORD_PUBLIC_KEY"); k != "" {
		b, err := hex.DecodeString(k)
		if err != nil || len(b) != ed25519.PublicKeySize {
			errs = append(errs, errors.New("DISCORD_PUBLIC_KEY: want the 64 hexadecimal characters of the application's public key (developer portal → General Information)"))
		} else {
			c.PublicKey = b
		}
	}
	switch strings.ToLower(get("DISCORD_GATEWAY")) {
	case "on", "true", "1", "yes":
		c.Gateway = c.Token != ""
		if set("DISCORD_GATEWAY") != "" && c.Token == "" {
			errs = append(errs, errors.New("DISCORD_GATEWAY is on but DISCORD_BOT_TOKEN is not set: the gateway needs the bot token"))
		}
	case "off", "false", "0", "no":
	default:
		errs = append(errs, fmt.Errorf("DISCORD_GATEWAY=%q: want on or off", get("DISCORD_GATEWAY")))
	}
	switch strings.ToLower(get("DISCORD_PUBLIC_ANSWERS")) {
	case "on", "true", "1", "yes":
		c.PublicAnswers = true
	case "off", "false", "0", "no", "":
	default:
		errs = append(errs, fmt.Errorf("DISCORD_PUBLIC_ANSWERS=%q: want on or off", get("DISCORD_PUBLIC_ANSWERS")))
	}
	id, err1 := strconv.Atoi(get("DISCORD_SHARD_ID"))
	count, err2 := strconv.Atoi(get("DISCORD_SHARD_COUNT"))
	switch {
	case err1 != nil || id < 0:
		errs = append(errs, fmt.Errorf("DISCORD_SHARD_ID=%q: want a whole number from 0", get("DISCORD_SHARD_ID")))
	case err2 != nil || count < 1:
		errs = append(errs, fmt.Errorf("DISCORD_SHARD_COUNT=%q: want a whole number from 1", get("DISCORD_SHARD_COUNT")))
	case id >= count:
		errs = append(errs, fmt.Errorf("DISCORD_SHARD_ID=%d must be less than DISCORD_SHARD_COUNT=%d (shards are numbered from 0)", id, count))
	default:
		c.ShardID, c.ShardCount = id, count
	}
	if v := set("DISCORD_API_URL"); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("DISCORD_API_URL=%q: want an http:// or https:// base URL such as https://discord.com/api", v))
		} else if v != "https://discord.com/api" {
			c.APIURL = strings.TrimSuffix(v, "/")
		}
	}
	anySet := env(getenv).anySet("DISCORD_", "ATIP_DISCORD_CHANNEL")
	switch {
	case !c.enabled() && anySet && set("DISCORD_PUBLIC_KEY") == "":
		errs = append(errs, errors.New("the Discord variables are set but neither DISCORD_BOT_TOKEN (gateway) nor DISCORD_PUBLIC_KEY (HTTP interactions endpoint) is"))
	case c.Token != "" && c.AppID == "" && set("DISCORD_APP_ID") == "":
		errs = append(errs, errors.New("DISCORD_APP_ID is needed with DISCORD_BOT_TOKEN, to register the /privacy command"))
	}
	if c.Channel != "" && c.Token == "" {
		errs = append(errs, errors.New("ATIP_DISCORD_CHANNEL needs DISCORD_BOT_TOKEN: posting tickets takes the bot's token"))
	}
	if c.ShardCount > 1 && !c.Gateway {
		errs = append(errs, errors.New("DISCORD_SHARD_COUNT applies to the gateway, which is off"))
	}
	return c, errs
}

// discordAdapter plugs the Discord adapter into serve.
type discordAdapter struct {
	a *discord.Adapter
	c discordConfig
}

func init() { adapterFactories = append(adapterFactories, newDiscordAdapter) }

// newDiscordAdapter builds the adapter from the configuration loadConfig
// validated.
func newDiscordAdapter(_ context.Context, _ func(string) string, rt *runtime) (adapter, bool, error) {
	c := rt.cfg.Discord
	if !c.enabled() {
		return nil, false, nil
	}
	if c.Role != "" {
		rt.reviews.Coordinators = discord.RoleCoordinators{Next: rt.reviews.Coordinators, Role: c.Role}
	}
	platforms := make([]string, 0, len(intents.Platforms))
	for _, p := range intents.Platforms {
		platforms = append(platforms, p.Name)
	}
	a, err := discord.New(discord.Config{
		Token: c.Token, AppID: c.AppID, GuildID: c.GuildID, PublicKey: c.PublicKey,
		Gateway: c.Gateway, PublicAnswers: c.PublicAnswers, ShardID: c.ShardID, ShardCount: c.ShardCount, APIURL: c.APIURL,
		CoordinatorChannel: c.Channel, Platforms: platforms,
		Handler: rt.engine, Reviews: rt.reviews, Dedupe: rt.stores, Metrics: rt.metrics, Logger: rt.log,
	})
	if err != nil {
		return nil, false, err
	}
	mode := "http"
	if c.Gateway {
		mode = "gateway"
		if c.PublicKey != nil {
			mode = "gateway+http"
		}
	}
	rt.log.Info("discord configured", "mode", mode, "guild_scoped", c.GuildID != "", "coordinators_channel", c.Channel != "",
		"shard", c.ShardID, "shards", c.ShardCount)
	return &discordAdapter{a: a, c: c}, true, nil
}

func (d *discordAdapter) Name() string { return discord.Platform }

func (d *discordAdapter) Routes(mux *http.ServeMux) {
	if d.c.PublicKey != nil {
		mux.Handle("POST "+discord.InteractionsPath, d.a)
	}
}

func (d *discordAdapter) Run(ctx context.Context) error { return d.a.Run(ctx) }
func (d *discordAdapter) Ready() error                  { return d.a.Ready() }
func (d *discordAdapter) Notifier() bot.Notifier        { return d.a.Notifier() }
