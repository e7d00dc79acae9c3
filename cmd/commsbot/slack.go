package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/commsbot/commsbot/adapters/slack"
)

// slackConfig is the Slack adapter's configuration (SLACK_*,
// ATIP_SLACK_CHANNEL). Slack is off unless SLACK_BOT_TOKEN is set.
type slackConfig struct {
	BotToken, SigningSecret, AppToken string
	APIURL                            string
	Channel, Group                    string
}

func (c slackConfig) enabled() bool { return c.BotToken != "" }

var (
	slackChannelID = regexp.MustCompile(`^[CGD][A-Z0-9]{2,}$`)
	slackGroupID   = regexp.MustCompile(`^S[A-Z0-9]{2,}$`)
)

// loadSlackConfig reads the Slack variables and reports every problem.
func loadSlackConfig(getenv func(string) string) (slackConfig, []error) {
	set := env(getenv).set
	c := slackConfig{
		BotToken:      set("SLACK_BOT_TOKEN"),
		SigningSecret: set("SLACK_SIGNING_SECRET"),
		AppToken:      set("SLACK_APP_TOKEN"),
		Channel:       set("ATIP_SLACK_CHANNEL"),
		Group:         set("SLACK_COORDINATOR_GROUP"),
	}
	var errs []error
	// Messages name the variable, never its value: these are secrets.
	if c.BotToken != "" && !strings.HasPrefix(c.BotToken, "xoxb-") {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN: want the Bot User OAuth Token, which starts with xoxb- (app settings → OAuth & Permissions)"))
	}
	if c.AppToken != "" && !strings.HasPrefix(c.AppToken, "xapp-") {
		errs = append(errs, errors.New("SLACK_APP_TOKEN: want an app-level token, which starts with xapp- (app settings → Basic Information → App-Level Tokens, scope connections:write)"))
	}
	for _, v := range []struct{ name, value string }{{"SLACK_BOT_TOKEN", c.BotToken}, {"SLACK_SIGNING_SECRET", c.SigningSecret}, {"SLACK_APP_TOKEN", c.AppToken}} {
		if strings.ContainsAny(v.value, " \t\r\n") {
			errs = append(errs, fmt.Errorf("%s contains spaces: paste the value alone", v.name))
		}
	}
	if c.Channel != "" && !slackChannelID.MatchString(c.Channel) {
		errs = append(errs, fmt.Errorf("ATIP_SLACK_CHANNEL=%q: want a channel id such as C0123ABCD (channel name → About → Channel ID), not its name", c.Channel))
	}
	if c.Group != "" && !slackGroupID.MatchString(c.Group) {
		errs = append(errs, fmt.Errorf("SLACK_COORDINATOR_GROUP=%q: want a user group id such as S0123ABCD, not its @handle", c.Group))
	}
	if v := set("SLACK_API_URL"); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("SLACK_API_URL=%q: want an http:// or https:// base URL such as https://slack.com/api/", v))
		} else {
			c.APIURL = v
		}
	}
	anySet := env(getenv).anySet("SLACK_", "ATIP_SLACK_CHANNEL")
	switch {
	case c.BotToken == "" && anySet:
		errs = append(errs, errors.New("the Slack variables are set but SLACK_BOT_TOKEN is not: the bot token is needed to answer"))
	case c.BotToken != "" && c.SigningSecret == "" && c.AppToken == "":
		errs = append(errs, errors.New("SLACK_BOT_TOKEN needs SLACK_SIGNING_SECRET (HTTP request URLs) or SLACK_APP_TOKEN (Socket Mode), or both"))
	}
	return c, errs
}

func init() { adapterFactories = append(adapterFactories, newSlackAdapter) }

// newSlackAdapter builds the adapter from the configuration loadConfig
// validated; *slack.Adapter implements serve's adapter contract itself.
func newSlackAdapter(_ context.Context, _ func(string) string, rt *runtime) (adapter, bool, error) {
	c := rt.cfg.Slack
	if !c.enabled() {
		return nil, false, nil
	}
	a, err := slack.New(slack.Config{
		BotToken: c.BotToken, SigningSecret: c.SigningSecret, AppToken: c.AppToken, APIURL: c.APIURL,
		ATIPChannel: c.Channel, CoordinatorGroup: c.Group,
		Engine: rt.engine, Dedupe: rt.stores, Shared: rt.stores, Reviews: rt.reviews, Metrics: rt.metrics, Logger: rt.log,
	})
	if err != nil {
		return nil, false, fmt.Errorf("slack: %w", err)
	}
	if c.Group != "" {
		rt.reviews.Coordinators = a.Coordinators(rt.reviews.Coordinators)
	}
	mode := "http"
	switch {
	case c.AppToken != "" && c.SigningSecret != "":
		mode = "socket+http"
	case c.AppToken != "":
		mode = "socket"
	}
	rt.log.Info("slack configured", "mode", mode, "coordinators_channel", c.Channel != "", "coordinator_group", c.Group != "")
	return a, true, nil
}
