package redis

import (
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
