package main

import (
	"bytes"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite the README's example sessions from the bot's real output")

// sessionRe finds the README's example sessions: a marker comment, then a
// code block whose "> " lines are what the user typed.
var sessionRe = regexp.MustCompile("(?s)(<!-- session: [^>]*-->\n```\n)(.*?)(```\n)")

// TestREADMEExamples: the README's French example ("et pour Mastodon?")
// did not match what the bot says. Each example session is the real
// output of `commsbot chat` for the lines typed in it; the test fails when
// the two drift apart. Rewrite them with
//
//	go test ./cmd/commsbot -run TestREADMEExamples -update-readme
func TestREADMEExamples(t *testing.T) {
	const path = "../../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	sessions := sessionRe.FindAllStringSubmatchIndex(readme, -1)
	if len(sessions) < 2 {
		t.Fatalf("the README has %d example sessions, want at least 2", len(sessions))
	}
	var out strings.Builder
	last := 0
	for _, m := range sessions {
		block := readme[m[4]:m[5]]
		var inputs []string
		for line := range strings.SplitSeq(block, "\n") {
			if q, ok := strings.CutPrefix(line, "> "); ok {
				inputs = append(inputs, q)
			}
		}
		if len(inputs) == 0 {
			t.Fatalf("an example session has no \"> \" lines:\n%s", block)
		}
		got := chatSession(t, inputs)
		if got != block && !*updateREADME {
			t.Errorf("README example session differs from the bot's output (go test ./cmd/commsbot -run TestREADMEExamples -update-readme)\n--- README\n%s\n--- bot\n%s", block, got)
		}
		out.WriteString(readme[last:m[4]])
		out.WriteString(got)
		last = m[5]
	}
	out.WriteString(readme[last:])
	if *updateREADME && out.String() != readme {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// chatSession runs `commsbot chat` (no configuration: in memory) on the
// inputs and returns the session as a terminal shows it: each prompt with
// what was typed, then the answer.
func chatSession(t *testing.T, inputs []string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := map[string]string{}
	if err := runEnv(t.Context(), []string{"chat"}, strings.NewReader(strings.Join(inputs, "\n")+"\n"), &stdout, &stderr, func(k string) string { return env[k] }); err != nil {
		t.Fatalf("chat: %v\n%s", err, stderr.String())
	}
	// The banner, a blank line, then "> " before each answer; answers end
	// with a blank line.
	_, body, ok := strings.Cut(stdout.String(), "\n\n> ")
	if !ok {
		t.Fatalf("chat printed no prompt:\n%s", stdout.String())
	}
	answers := strings.Split(body, "\n\n> ")
	if len(answers) != len(inputs)+1 || answers[len(answers)-1] != "" {
		t.Fatalf("chat printed %d answers for %d lines:\n%s", len(answers)-1, len(inputs), stdout.String())
	}
	var s strings.Builder
	for i, q := range inputs {
		if i > 0 {
			s.WriteString("\n")
		}
		s.WriteString("> " + q + "\n")
		s.WriteString(answers[i] + "\n")
	}
	return s.String()
}
