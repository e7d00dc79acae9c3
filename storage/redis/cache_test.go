package redis_test

import (
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/storage/redis"
	"github.com/commsbot/commsbot/storage/redis/redistest"
)

func TestCache(t *testing.T) {
	t.Parallel()
	url := redistest.URL(t)
	prefix := testPrefix()
	s := open(t, redis.Options{URL: url, Prefix: prefix})
	ctx := t.Context()
	if _, ok, err := s.GetCache(ctx, "para:k"); ok || err != nil {
		t.Fatalf("empty cache: ok %v err %v", ok, err)
	}
	if err := s.SetCache(ctx, "para:k", "a paraphrase", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCache(ctx, "para:k", "x", 0); err == nil {
		t.Error("zero ttl accepted")
	}
	if v, ok, err := s.GetCache(ctx, "para:k"); !ok || err != nil || v != "a paraphrase" {
		t.Errorf("GetCache = %q, %v, %v", v, ok, err)
	}
	// The value is under the store's prefix, with the TTL given.
	opt, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	raw := goredis.NewClient(opt)
	defer raw.Close()
	ttl, err := raw.TTL(ctx, prefix+"cache:para:k").Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("TTL of %scache:para:k = %v, %v; want about an hour", prefix, ttl, err)
	}
	if err := s.SetCache(ctx, "para:short", "v", 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(120 * time.Millisecond)
	if _, ok, err := s.GetCache(ctx, "para:short"); ok || err != nil {
		t.Errorf("expired value: ok %v err %v", ok, err)
	}
}
