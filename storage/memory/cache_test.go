package memory_test

import (
	"context"
	"testing"
	"time"
)

func TestCacheExpires(t *testing.T) {
	ctx := context.Background()
	s, clk := newConvStore()
	if _, ok, err := s.GetCache(ctx, "k"); ok || err != nil {
		t.Fatalf("empty cache: ok %v err %v", ok, err)
	}
	if err := s.SetCache(ctx, "k", "v", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCache(ctx, "k", "v", 0); err == nil {
		t.Error("zero ttl accepted")
	}
	clk.advance(59 * time.Minute)
	if v, ok, err := s.GetCache(ctx, "k"); !ok || err != nil || v != "v" {
		t.Errorf("before the TTL: %q ok %v err %v", v, ok, err)
	}
	clk.advance(2 * time.Minute)
	if v, ok, err := s.GetCache(ctx, "k"); ok || err != nil {
		t.Errorf("after the TTL: %q ok %v err %v", v, ok, err)
	}
}
