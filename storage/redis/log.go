package redis

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// SetLogger sends go-redis's own log lines — connection pool and Sentinel
// events it handles by itself, which otherwise go to standard error — to l
// at debug level; with a nil l they are dropped. Failures that matter reach
// the store's callers as errors anyway.
//
// go-redis has one logger per process, so the last call wins for every
// Store.
func SetLogger(l *slog.Logger) { goredis.SetLogger(slogLogger{l}) }

// slogLogger implements go-redis's internal Logging interface.
type slogLogger struct{ l *slog.Logger }

// Printf implements go-redis's Logging.
func (s slogLogger) Printf(ctx context.Context, format string, v ...any) {
	if s.l == nil {
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if !s.l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	msg := strings.TrimSpace(strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "))
	s.l.DebugContext(ctx, msg, "component", "go-redis")
}
