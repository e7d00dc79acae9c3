package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
	"github.com/commsbot/commsbot/storage/redis/redistest"
)

type benchQuestion struct {
	ID           string `json:"id"`
	Q            string `json:"q"`
	Conversation string `json:"conversation"`
}

func loadBenchQuestions(b *testing.B, path string) []benchQuestion {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var qs []benchQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q benchQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			b.Fatal(err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil || len(qs) == 0 {
		b.Fatalf("%s: %d questions, %v", path, len(qs), err)
	}
	return qs
}

// BenchmarkHandleLatency answers the dev set's questions through a runtime
// wired as serve wires it — dedupe, rate limit, conversation state, review
// tickets, metrics — on the memory stores and on Redis over loopback. Each
// iteration asks every question once, in fresh conversations (so needs-review
// answers open tickets), and reports the latency of one Handle call:
// p50-ns, p99-ns and max-ns over all calls.
//
//	go test -run '^$' -bench HandleLatency -benchtime 20x ./cmd/commsbot
func BenchmarkHandleLatency(b *testing.B) {
	qs := loadBenchQuestions(b, "../../testdata/dev.jsonl")
	for _, store := range []string{"memory", "redis"} {
		b.Run(store, func(b *testing.B) {
			env := map[string]string{"RATE_LIMIT": "1000000000", "ATIP_COORDINATORS": testCoordinator, "COMMSBOT_REPLICA": "bench"}
			if store == "redis" {
				env["REDIS_URL"] = redistest.Start(b).URL()
			}
			rt := openRuntime(b, env)
			defer rt.Close()
			ctx := b.Context()
			var took []time.Duration
			iter := 0
			b.ReportAllocs()
			for b.Loop() {
				iter++
				for _, q := range qs {
					thread := q.ID
					if q.Conversation != "" {
						thread = "conv-" + q.Conversation
					}
					m := bot.Message{
						Conversation: bot.ConversationKey{Platform: "bench", Channel: "dev", User: "u", Thread: fmt.Sprint(thread, "-", iter)},
						Text:         q.Q,
						EventID:      fmt.Sprint(q.ID, "-", iter),
					}
					start := time.Now()
					_, err := rt.engine.Handle(ctx, m)
					took = append(took, time.Since(start))
					if err != nil {
						b.Fatalf("%s: %v", q.ID, err)
					}
				}
			}
			slices.Sort(took)
			pct := func(p float64) float64 {
				return float64(took[min(len(took)-1, int(p*float64(len(took))))].Nanoseconds())
			}
			b.ReportMetric(pct(0.50), "p50-ns")
			b.ReportMetric(pct(0.99), "p99-ns")
			b.ReportMetric(float64(took[len(took)-1].Nanoseconds()), "max-ns")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(len(took)), "ns/question")
		})
	}
}
