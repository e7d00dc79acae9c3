package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/commsbot/commsbot/storage/redis/redistest"
)

// TestKBInbox: on Redis, a clarification choice and an abstention are
// recorded (redacted) and `kb inbox --jsonl` exports them in the
// question-set format, the choice labelled with its section.
func TestKBInbox(t *testing.T) {
	srv := redistest.Start(t)
	env := map[string]string{"REDIS_URL": srv.URL(), "ATIP_COORDINATORS": "cli:admin"}
	getenv := func(k string) string { return env[k] }
	in := `{"id":"a","q":"which activities are pre-cleared for our accounts? write to me at jane.doe@example.com","conversation":"c"}
{"id":"b","q":"2","conversation":"c"}
{"id":"c","q":"what's good for lunch near Place du Portage?"}
`
	if _, stderr, err := runCLIEnv(t, getenv, in, "ask", "--jsonl"); err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	out, stderr, err := runCLIEnv(t, getenv, "", "kb", "inbox", "--jsonl")
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	kinds := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		kinds[m["kind"].(string)] = m
	}
	choice, ok := kinds["choice"]
	if !ok {
		t.Fatalf("no choice recorded:\n%s", out)
	}
	if q := choice["q"].(string); !strings.Contains(q, "pre-cleared") || strings.Contains(q, "jane.doe") {
		t.Errorf("choice question %q: want the question, redacted", q)
	}
	if exp := choice["expect"].([]any); len(exp) != 1 || !strings.Contains(exp[0].(string), "#") {
		t.Errorf("choice not labelled with a section: %v", choice)
	}
	if ab, ok := kinds["abstained"]; !ok || !strings.Contains(ab["q"].(string), "lunch") {
		t.Errorf("abstention not recorded:\n%s", out)
	}
	// The table lists them too.
	table, _, err := runCLIEnv(t, getenv, "", "kb", "inbox")
	if err != nil || !strings.Contains(table, "choice") || !strings.Contains(table, "abstained") {
		t.Errorf("kb inbox table (%v):\n%s", err, table)
	}
}

func TestKBInboxNeedsRedis(t *testing.T) {
	_, _, err := runCLIEnv(t, func(string) string { return "" }, "", "kb", "inbox")
	if err == nil || !strings.Contains(err.Error(), "REDIS_URL") {
		t.Errorf("kb inbox without Redis: %v", err)
	}
}

// TestAskIsStatelessUnlessNamed: with a shared store, separate ask runs do
// not share a conversation unless --conversation names one.
func TestAskIsStatelessUnlessNamed(t *testing.T) {
	srv := redistest.Start(t)
	env := map[string]string{"REDIS_URL": srv.URL(), "ATIP_COORDINATORS": "cli:admin"}
	getenv := func(k string) string { return env[k] }
	ask := func(args ...string) string {
		t.Helper()
		out, stderr, err := runCLIEnv(t, getenv, "", append([]string{"ask"}, args...)...)
		if err != nil {
			t.Fatalf("%v: %s", err, stderr)
		}
		return out
	}
	ask("can we use Threads?")
	if out := ask("in French please"); strings.Contains(out, "Threads") {
		t.Errorf("a second, separate ask continued the first:\n%s", out)
	}
	ask("--conversation", "c1", "can we use Threads?")
	if out := ask("--conversation", "c1", "in French please"); !strings.Contains(out, "Threads") || !strings.Contains(out, "ÉFVP") {
		t.Errorf("a named conversation did not continue:\n%s", out)
	}
}
