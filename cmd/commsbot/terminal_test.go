package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/creack/pty"
)

// ptyOutput collects what the program writes to its terminal and lets the
// test wait for text to appear (bounded by go test's -timeout, not a clock).
type ptyOutput struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
	done    bool
}

func (o *ptyOutput) copyFrom(r io.Reader) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		o.mu.Lock()
		o.buf.Write(b[:n])
		if err != nil {
			o.done = true
		}
		close(o.changed)
		o.changed = make(chan struct{})
		o.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// waitCount waits until s occurs n times in the output.
func (o *ptyOutput) waitCount(t *testing.T, s string, n int) {
	t.Helper()
	for {
		o.mu.Lock()
		got, done, ch := strings.Count(o.buf.String(), s), o.done, o.changed
		out := o.buf.String()
		o.mu.Unlock()
		if got >= n {
			return
		}
		if done {
			t.Fatalf("the terminal closed with %q %d times, want %d:\n%s", s, got, n, out)
		}
		<-ch
	}
}

func (o *ptyOutput) count(s string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Count(o.buf.String(), s)
}

// TestChatOnATerminal runs `commsbot chat` on a real pseudo-terminal: keys
// are line editing (arrow keys used to be sent as questions), the up arrow
// recalls this session's questions, and Ctrl-C at the prompt ends the
// session cleanly.
func TestChatOnATerminal(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	bin := filepath.Join(t.TempDir(), "commsbot")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, bin, "chat")
	cmd.Env = []string{"TERM=xterm", "HOME=" + home, "PATH=" + os.Getenv("PATH")}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	out := &ptyOutput{changed: make(chan struct{})}
	go out.copyFrom(tty)
	send := func(keys string) {
		t.Helper()
		if _, err := io.WriteString(tty, keys); err != nil {
			t.Fatal(err)
		}
	}
	const help = "Ask me about privacy on official social media accounts"
	out.waitCount(t, "> ", 1)

	// Typed, then killed with Ctrl-U, then "help": only "help" is asked.
	send("zzzz qqqq\x15help\r")
	out.waitCount(t, help, 1)
	if n := out.count("I can't answer that"); n != 0 {
		t.Fatalf("the killed text was asked as a question:\n%s", out.buf.String())
	}
	// A left arrow and a deletion in the middle of the line: "helxp" edited
	// to "help".
	out.waitCount(t, "> ", 2)
	send("helxp\x1b[D\x7f\r")
	out.waitCount(t, help, 2)
	// The up arrow recalls the last question; Enter asks it again.
	out.waitCount(t, "> ", 3)
	send("\x1b[A\r")
	out.waitCount(t, help, 3)
	if n := out.count("I can't answer that"); n != 0 {
		t.Fatalf("an edit key was asked as a question:\n%s", out.buf.String())
	}
	// Ctrl-C at the prompt ends the session, with status 0.
	out.waitCount(t, "> ", 4)
	send("\x03")
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("chat exited with %v after Ctrl-C:\n%s", err, out.buf.String())
		}
		t.Fatal(err)
	}
}
