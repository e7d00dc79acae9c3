package redis

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestCeilMs(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{
		time.Nanosecond:                         time.Millisecond,
		1500 * time.Microsecond:                 2 * time.Millisecond,
		time.Second:                             time.Second,
		time.Second + time.Nanosecond:           time.Second + time.Millisecond,
		24*time.Hour - time.Microsecond:         24 * time.Hour,
		2*time.Millisecond + 1*time.Microsecond: 3 * time.Millisecond,
	} {
		if got := ceilMs(in); got != want {
			t.Errorf("ceilMs(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"redis://user:pw@host:6379/0": "redis://REDACTED@host:6379/0",
		"rediss://:p@ss@host":         "rediss://REDACTED@host",
		"redis://host:6379":           "redis://host:6379",
		"unix:///run/redis.sock":      "unix:///run/redis.sock",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSetLogger(t *testing.T) {
	var buf2 bytes.Buffer
	lg := slogLogger{slog.New(slog.NewTextHandler(&buf2, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	lg.Printf(context.Background(), "redis: connection pool: %s", "dial failed")
	if got := buf2.String(); !strings.Contains(got, "level=DEBUG") || !strings.Contains(got, `msg="connection pool: dial failed"`) ||
		!strings.Contains(got, "component=go-redis") {
		t.Errorf("log line %q", got)
	}

	// Above debug, and with no logger, the lines are dropped.
	buf2.Reset()
	slogLogger{slog.New(slog.NewTextHandler(&buf2, nil))}.Printf(context.Background(), "dropped")
	slogLogger{}.Printf(context.Background(), "dropped")
	//lint:ignore SA1012 go-redis may pass a nil context: the logger must cope
	slogLogger{slog.New(slog.NewTextHandler(&buf2, nil))}.Printf(nil, "dropped")
	if buf2.Len() != 0 {
		t.Errorf("logged %q", buf2.String())
	}
}

func TestRedisMajor(t *testing.T) {
	for in, want := range map[string]int{
		"# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n": 7,
		"# Server\r\nredis_version:6.2.14\r\n":                            6,
		"redis_version:10.0.0\r\n":                                        10,
		"redis_version:7\r\n":                                             7,
		"# Server\r\nredis_mode:standalone\r\n":                           0,
		"redis_version:unknown\r\n":                                       0,
		"":                                                                0,
	} {
		if got := redisMajor(in); got != want {
			t.Errorf("redisMajor(%q) = %d, want %d", in, got, want)
		}
	}
}
