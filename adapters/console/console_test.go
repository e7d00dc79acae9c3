package console

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/commsbot/commsbot/bot"
)

type echo struct{}

func (echo) Handle(_ context.Context, m bot.Message) (bot.Reply, error) {
	return bot.Reply{Lang: bot.English, Answer: "you said " + m.Text}, nil
}

// TestCtrlCEndsTheConsole: cancelling the context (Ctrl-C) ends Run while
// it waits for a line that never comes.
func TestCtrlCEndsTheConsole(t *testing.T) {
	in, w := io.Pipe()
	defer w.Close()
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	a := &Adapter{Handler: echo{}, In: in, Out: &out}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	if _, err := io.WriteString(w, "hello\n"); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after Ctrl-C: %v", err)
		}
	case <-time.After(time.Until(reportBy(t))):
		t.Fatal("Run did not return after the context was cancelled")
	}
}

// TestConsoleAnswersUntilQuit: lines are answered in order until "quit".
func TestConsoleAnswersUntilQuit(t *testing.T) {
	var out bytes.Buffer
	a := &Adapter{Handler: echo{}, In: strings.NewReader("one\n\ntwo\nquit\nthree\n"), Out: &out}
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "you said one") || !strings.Contains(got, "you said two") || strings.Contains(got, "three") {
		t.Errorf("console output %q", got)
	}
}
