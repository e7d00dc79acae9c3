package main

import (
	"context"
	"net/http"

	"github.com/commsbot/commsbot/bot"
)

// adapter is a chat platform plugged into `commsbot serve`.
type adapter interface {
	Name() string
	// Routes registers the adapter's webhook handlers (none for a purely
	// outbound connection).
	Routes(mux *http.ServeMux)
	// Run keeps the adapter's outbound connections (Socket Mode, Discord
	// gateway) until ctx is done; it returns nil at once when there are
	// none.
	Run(ctx context.Context) error
	// Ready reports whether the adapter is connected, for /readyz.
	Ready() error
	// Notifier posts review notices to the platform's coordinators'
	// channel, or nil.
	Notifier() bot.Notifier
}

// adapterFactory builds an adapter from the environment; ok is false when
// the platform is not configured.
type adapterFactory func(ctx context.Context, getenv func(string) string, rt *runtime) (a adapter, ok bool, err error)

// adapterFactories are the platforms serve knows; each platform's file adds
// itself in an init function.
var adapterFactories []adapterFactory
