package redis_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/redis"
	"github.com/commsbot/commsbot/storage/redis/redistest"
)

// BenchmarkBeginEventLoadSave is a platform message's store work on the
// Redis path, as the engine does it: BeginEventLoad (the event's lease, the
// conversation, the user's rate window) then SaveAndFinish (the user's
// index, the conversation, the event's result), one round trip each, for
// 1,000 users in turn, on a server of its own on loopback. Besides ns/op it
// reports server-cpu-µs/msg, redis-server's CPU time per message (INFO
// cpu), which ns/op hides when the client waits on the network, and logs
// INFO commandstats.
// "parallel" runs GOMAXPROCS×4 clients at once, like a busy replica.
func BenchmarkBeginEventLoadSave(b *testing.B) {
	srv := redistest.Start(b)
	s, err := redis.Open(b.Context(), redis.Options{URL: srv.URL(), Prefix: "bench:"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	opt, err := goredis.ParseURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	opt.DisableIdentity = true
	raw := goredis.NewClient(opt)
	b.Cleanup(func() { raw.Close() })

	const users = 1000
	var seq atomic.Int64
	// message returns an error rather than failing b: RunParallel's
	// goroutines must not call b.Fatal.
	message := func(b *testing.B) error {
		n := seq.Add(1)
		user := fmt.Sprint("U", n%users)
		key := bot.ConversationKey{Platform: "slack", Workspace: "T1", Channel: "C1", User: user}
		id := fmt.Sprint("slack:T1:Ev", n)
		rate := &bot.RateCheck{Key: "user:slack:" + user, Limit: 1 << 30, Window: time.Minute}
		start, err := s.BeginEventLoad(b.Context(), id, 30*time.Second, 15*time.Minute, key, rate)
		if err != nil || start.Status != bot.EventClaimed || start.LoadErr != nil || start.Rate == nil || !start.Rate.OK {
			return fmt.Errorf("BeginEventLoad: %+v, %v", start, err)
		}
		st := bot.State{Lang: bot.English, Intent: "atip-request", Entry: "platform-reviewed", Updated: time.Now(), Question: "can we use Threads?"}
		if err := s.SaveAndFinish(b.Context(), key, st, 24*time.Hour, id, []byte(`{"text":"an answer of a few words"}`), 15*time.Minute); err != nil {
			return fmt.Errorf("SaveAndFinish: %v", err)
		}
		return nil
	}
	// cpu returns redis-server's CPU time so far (user and system, all
	// threads), in µs.
	cpu := func(b *testing.B) float64 {
		info, err := raw.Info(b.Context(), "cpu").Result()
		if err != nil {
			b.Fatal(err)
		}
		var total float64
		for line := range strings.Lines(info) {
			k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
			if k == "used_cpu_user" || k == "used_cpu_sys" {
				s, err := strconv.ParseFloat(v, 64)
				if err != nil {
					b.Fatalf("INFO cpu %q: %v", line, err)
				}
				total += s * 1e6
			}
		}
		return total
	}
	// logCommands logs each command's calls and µs per call since the last
	// CONFIG RESETSTAT. A script's or a transaction's time (EVALSHA, EXEC)
	// includes that of the commands it ran, which are also listed.
	logCommands := func(b *testing.B) {
		info, err := raw.Info(b.Context(), "commandstats").Result()
		if err != nil {
			b.Fatal(err)
		}
		var each []string
		for line := range strings.Lines(info) {
			name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
			name, isCmd := strings.CutPrefix(name, "cmdstat_")
			if !ok || !isCmd || strings.HasPrefix(name, "config") || name == "info" {
				continue
			}
			var calls, usec string
			for field := range strings.SplitSeq(stats, ",") {
				k, v, _ := strings.Cut(field, "=")
				switch k {
				case "calls":
					calls = v
				case "usec_per_call":
					usec = v
				}
			}
			each = append(each, fmt.Sprintf("%s %s×%sµs", name, calls, usec))
		}
		b.Logf("N=%d: %s", b.N, strings.Join(each, ", "))
	}
	run := func(b *testing.B, loop func(b *testing.B)) {
		for range 2 * users { // every user's keys exist
			if err := message(b); err != nil {
				b.Fatal(err)
			}
		}
		if err := raw.ConfigResetStat(b.Context()).Err(); err != nil {
			b.Fatal(err)
		}
		before := cpu(b)
		b.ResetTimer()
		loop(b)
		b.StopTimer()
		b.ReportMetric((cpu(b)-before)/float64(b.N), "server-cpu-µs/msg")
		logCommands(b)
	}
	b.Run("serial", func(b *testing.B) {
		run(b, func(b *testing.B) {
			for range b.N {
				if err := message(b); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(4)
		run(b, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := message(b); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	})
}
