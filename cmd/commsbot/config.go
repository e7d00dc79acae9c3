package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/llm"
	"github.com/commsbot/commsbot/storage/redis"
)

// config is commsbot's runtime configuration, read from the environment.
// The README's table lists every variable.
type config struct {
	Addr         string
	AdminAddr    string
	Redis        redis.Options
	StateTTL     time.Duration
	EventLease   time.Duration
	RateLimit    int
	Coordinators bot.CoordinatorList
	RemindAfter  time.Duration
	RemindBreach time.Duration
	LogLevel     slog.Level
	Replica      string
	// RequireRedis refuses to start without REDIS_URL (serve).
	RequireRedis bool
	// NoPlatform lets serve start with no chat platform configured
	// (COMMSBOT_NO_PLATFORM=on): a notifier-only or console-only
	// deployment on purpose. Without it serve refuses to start.
	NoPlatform bool
	// LLM is the optional paraphrasing (llm.go).
	LLM llmConfig
	// Discord is the Discord adapter's configuration (discord.go).
	Discord discordConfig
	// Slack is the Slack adapter's configuration (slack.go).
	Slack slackConfig
}

// envVars documents every variable: name, default, meaning. The README
// table is checked against it.
var envVars = []struct{ Name, Default, Help string }{
	{"COMMSBOT_ADDR", ":8080", "HTTP listen address for the platform webhooks (and /healthz, /readyz, /metrics unless COMMSBOT_ADMIN_ADDR is set)"},
	{"COMMSBOT_ADMIN_ADDR", "", "separate listen address for /healthz, /readyz and /metrics, off the public port (e.g. 127.0.0.1:9090 or :9090 for the cluster only)"},
	{"REDIS_URL", "", "redis://, rediss:// or unix:// URL of the Redis server; unset: in-memory state (one process only)"},
	{"REDIS_SENTINEL_MASTER", "", "Sentinel master name; with REDIS_SENTINEL_ADDRS, instead of REDIS_URL"},
	{"REDIS_SENTINEL_ADDRS", "", "comma-separated host:port of the Sentinels"},
	{"REDIS_CLUSTER_ADDRS", "", "comma-separated host:port of Redis Cluster nodes, instead of REDIS_URL"},
	{"REDIS_PASSWORD", "", "password for Sentinel or Cluster nodes (a URL carries its own)"},
	{"STATE_TTL", "24h", "how long conversation state is kept after the last message"},
	{"COMMSBOT_EVENT_LEASE", "30s", "how long a message being answered is leased to its replica; a retry after that (the replica died) is answered by another"},
	{"RATE_LIMIT", "20", "questions per user per minute, across replicas"},
	{"ATIP_COORDINATORS", "", "platform-qualified ids of ATIP coordinators, e.g. slack:U123,discord:456"},
	{"REVIEW_REMIND_AFTER", "4h", "remind coordinators of a ticket unclaimed for this long"},
	{"REVIEW_REMIND_BREACH_AFTER", "1h", "the same for breach tickets"},
	{"LOG_LEVEL", "info", "debug, info, warn or error; logs never contain message text"},
	{"COMMSBOT_REPLICA", "hostname", "this replica's name for the notification consumer group and the reminders lock"},
	{"COMMSBOT_NO_PLATFORM", "off", "on: serve starts with neither Slack nor Discord configured (a notifier-only or console-only deployment on purpose); off: serve refuses to start without one"},
	{"SLACK_BOT_TOKEN", "", "Bot User OAuth Token (xoxb-…, app settings → OAuth & Permissions); enables Slack"},
	{"SLACK_SIGNING_SECRET", "", "signing secret (app settings → Basic Information); enables the HTTP request URLs /slack/commands, /slack/events, /slack/interactions"},
	{"SLACK_APP_TOKEN", "", "app-level token (xapp-…, scope connections:write); enables Socket Mode, no public URL needed"},
	{"SLACK_API_URL", "https://slack.com/api/", "Slack Web API base URL: proxies, tests"},
	{"ATIP_SLACK_CHANNEL", "", "channel id where Slack review tickets and reminders are posted, with Claim and Resolve buttons"},
	{"SLACK_COORDINATOR_GROUP", "", "user group id whose members are ATIP coordinators on Slack, besides ATIP_COORDINATORS"},
	{"OPENAI_BASE_URL", "", "OpenAI-compatible API base URL (vLLM, Ollama, llama.cpp, Azure); with OPENAI_API_KEY, either one enables LLM paraphrasing"},
	{"OPENAI_API_KEY", "", "API key for the model server; unset with OPENAI_BASE_URL for a local server"},
	{"OPENAI_MODEL", llm.DefaultModel, "model name (Azure: deployment name) used to paraphrase curated answers"},
	{"OPENAI_API_TYPE", "openai", "openai (any OpenAI-compatible server) or azure"},
	{"OPENAI_API_VERSION", "", "Azure OpenAI api-version; unset: the client's default"},
	{"LLM_TIMEOUT", "4s", "deadline for one paraphrase; when it passes, the curated answer is sent"},
	{"LLM_CACHE_TTL", "24h", "how long accepted paraphrases are cached in the store"},
	{"DISCORD_BOT_TOKEN", "", "bot token (developer portal → Bot); enables the gateway, command registration and the coordinators' channel"},
	{"DISCORD_APP_ID", "", "application id (developer portal → General Information); needed with DISCORD_BOT_TOKEN to register /privacy"},
	{"DISCORD_PUBLIC_KEY", "", "application public key (hex); enables the HTTP interactions endpoint POST /discord/interactions"},
	{"DISCORD_GUILD_ID", "", "register /privacy in this server only (visible at once) instead of globally"},
	{"DISCORD_GATEWAY", "on", "off: do not connect the gateway (no mentions or direct messages; interactions come by HTTP)"},
	{"DISCORD_PUBLIC_ANSWERS", "off", "on: /privacy ask and /privacy platform answers are visible to the channel (by default only the asker sees them, as on Slack)"},
	{"DISCORD_SHARD_ID", "0", "this process's gateway shard, from 0"},
	{"DISCORD_SHARD_COUNT", "1", "number of gateway shards across all processes"},
	{"DISCORD_API_URL", "https://discord.com/api", "base URL replacing https://discord.com/api for REST (and the gateway URL it returns): proxies, tests"},
	{"DISCORD_COORDINATOR_ROLE", "", "role id whose holders are ATIP coordinators on Discord, besides ATIP_COORDINATORS"},
	{"ATIP_DISCORD_CHANNEL", "", "channel id where Discord review tickets are posted, with Claim and Resolve buttons"},
}

// env reads variables through getenv, trimmed.
type env func(string) string

// set is the variable's value, or "" when it is unset.
func (getenv env) set(name string) string { return strings.TrimSpace(getenv(name)) }

// get is the variable's value, or its default from envVars. ("hostname" is
// a description, not a value: the caller fills it in.)
func (getenv env) get(name string) string {
	if v := getenv.set(name); v != "" {
		return v
	}
	for _, e := range envVars {
		if e.Name == name && e.Default != "hostname" {
			return e.Default
		}
	}
	return ""
}

// anySet reports whether a variable whose name has one of prefixes (or is
// one of them) is set.
func (getenv env) anySet(prefixes ...string) bool {
	for _, e := range envVars {
		for _, p := range prefixes {
			if strings.HasPrefix(e.Name, p) && getenv.set(e.Name) != "" {
				return true
			}
		}
	}
	return false
}

// loadConfig reads the environment and reports every problem at once, one
// line each.
func loadConfig(getenv func(string) string) (config, error) {
	get := env(getenv).get
	var errs []error
	dur := func(name string) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive duration such as 30m or 4h", name, get(name)))
		}
		return d
	}
	c := config{Addr: get("COMMSBOT_ADDR"), AdminAddr: get("COMMSBOT_ADMIN_ADDR")}
	c.StateTTL = dur("STATE_TTL")
	c.EventLease = dur("COMMSBOT_EVENT_LEASE")
	c.RemindAfter = dur("REVIEW_REMIND_AFTER")
	c.RemindBreach = dur("REVIEW_REMIND_BREACH_AFTER")
	if n, err := strconv.Atoi(get("RATE_LIMIT")); err != nil || n <= 0 {
		errs = append(errs, fmt.Errorf("RATE_LIMIT=%q: want a positive whole number of questions per minute", get("RATE_LIMIT")))
	} else {
		c.RateLimit = n
	}
	coords, err := bot.ParseCoordinators(get("ATIP_COORDINATORS"))
	if err != nil {
		errs = append(errs, fmt.Errorf("ATIP_COORDINATORS: %w", err))
	}
	c.Coordinators = coords
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL=%q: want debug, info, warn or error", get("LOG_LEVEL")))
	}
	llmCfg, llmErrs := loadLLMConfig(getenv)
	c.LLM, errs = llmCfg, append(errs, llmErrs...)
	discordCfg, discordErrs := loadDiscordConfig(getenv)
	c.Discord, errs = discordCfg, append(errs, discordErrs...)
	slackCfg, slackErrs := loadSlackConfig(getenv)
	c.Slack, errs = slackCfg, append(errs, slackErrs...)
	switch strings.ToLower(get("COMMSBOT_NO_PLATFORM")) {
	case "on", "true", "1", "yes":
		c.NoPlatform = true
	case "off", "false", "0", "no":
	default:
		errs = append(errs, fmt.Errorf("COMMSBOT_NO_PLATFORM=%q: want on or off", get("COMMSBOT_NO_PLATFORM")))
	}
	c.Replica = get("COMMSBOT_REPLICA")
	if c.Replica == "" {
		c.Replica, _ = os.Hostname()
	}
	if c.Replica == "" {
		c.Replica = "commsbot"
	}

	list := func(name string) []string {
		var out []string
		for _, f := range strings.Split(get(name), ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
		return out
	}
	c.Redis = redis.Options{
		URL:           get("REDIS_URL"),
		MasterName:    get("REDIS_SENTINEL_MASTER"),
		SentinelAddrs: list("REDIS_SENTINEL_ADDRS"),
		ClusterAddrs:  list("REDIS_CLUSTER_ADDRS"),
		Password:      get("REDIS_PASSWORD"),
		ClientName:    "commsbot-" + c.Replica,
	}
	modes := 0
	for _, set := range []bool{c.Redis.URL != "", c.Redis.MasterName != "" || len(c.Redis.SentinelAddrs) > 0, len(c.Redis.ClusterAddrs) > 0} {
		if set {
			modes++
		}
	}
	switch {
	case modes > 1:
		errs = append(errs, errors.New("set only one of REDIS_URL, REDIS_SENTINEL_MASTER/REDIS_SENTINEL_ADDRS and REDIS_CLUSTER_ADDRS"))
	case (c.Redis.MasterName == "") != (len(c.Redis.SentinelAddrs) == 0):
		errs = append(errs, errors.New("REDIS_SENTINEL_MASTER and REDIS_SENTINEL_ADDRS go together"))
	}
	if c.Redis.URL != "" && !strings.HasPrefix(c.Redis.URL, "redis://") && !strings.HasPrefix(c.Redis.URL, "rediss://") && !strings.HasPrefix(c.Redis.URL, "unix://") {
		errs = append(errs, errors.New("REDIS_URL must start with redis://, rediss:// or unix://"))
	}
	return c, errors.Join(errs...)
}

// hasPlatform reports whether a chat platform adapter (Slack or Discord) is
// configured.
func (c config) hasPlatform() bool { return c.Slack.enabled() || c.Discord.enabled() }

// errNoPlatform is serve's refusal to start connected to nothing: a
// deployment that answers no one must not report ready by accident.
var errNoPlatform = errors.New("no chat platform is configured: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP request URLs) or SLACK_APP_TOKEN (Socket Mode) for Slack, or DISCORD_BOT_TOKEN and DISCORD_APP_ID (gateway) or DISCORD_PUBLIC_KEY (HTTP interactions) for Discord; to run without a platform on purpose (notifier-only or console-only), set COMMSBOT_NO_PLATFORM=on")

// serveProblems adds to loadConfig's problems those only serve has: no
// platform configured without COMMSBOT_NO_PLATFORM=on. When platform
// variables are set but incomplete, their own problems say what is missing.
func serveProblems(c config, err error, getenv func(string) string) error {
	if !c.NoPlatform && !c.hasPlatform() && !env(getenv).anySet("SLACK_", "DISCORD_", "ATIP_SLACK_CHANNEL", "ATIP_DISCORD_CHANNEL") {
		var errs []error
		if err != nil {
			errs = splitJoined(err)
		}
		return errors.Join(append(errs, errNoPlatform)...)
	}
	return err
}

// hasRedis reports whether a Redis server is configured.
func (c config) hasRedis() bool {
	return c.Redis.URL != "" || c.Redis.MasterName != "" || len(c.Redis.ClusterAddrs) > 0
}
