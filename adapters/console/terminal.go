package console

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/peterh/liner"
	"golang.org/x/term"
)

// Lines is where the console reads the user's lines from: a terminal with
// line editing, or plain input.
type Lines interface {
	// ReadLine shows prompt and returns the next line without its ending;
	// io.EOF when the user is done (end of input, Ctrl-D, Ctrl-C) or ctx is.
	ReadLine(ctx context.Context, prompt string) (string, error)
}

// Terminal reads lines from the process's terminal with line editing
// (arrows, Home/End, Ctrl-A/E/K/U/W, Alt-B/F) and a history of this session,
// recalled with the up and down arrows. The history is never written to
// disk: questions may hold personal information.
type Terminal struct {
	st    *liner.State
	close sync.Once
}

// OpenTerminal opens the line editor when standard input and output are
// both terminals; ok is false otherwise (piped input, a dumb terminal), and
// the console reads plain lines. Close restores the terminal.
func OpenTerminal() (t *Terminal, ok bool) {
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) || !liner.TerminalSupported() {
		return nil, false
	}
	st := liner.NewLiner()
	st.SetCtrlCAborts(true)
	st.SetMultiLineMode(true)
	return &Terminal{st: st}, true
}

// ReadLine implements Lines. Ctrl-C at the prompt ends the session like
// Ctrl-D; a cancelled ctx (SIGTERM) restores the terminal and ends it too.
func (t *Terminal) ReadLine(ctx context.Context, prompt string) (string, error) {
	type read struct {
		line string
		err  error
	}
	got := make(chan read, 1)
	go func() {
		line, err := t.st.Prompt(prompt)
		got <- read{line, err}
	}()
	select {
	case <-ctx.Done():
		t.Close()
		return "", io.EOF
	case r := <-got:
		if errors.Is(r.err, liner.ErrPromptAborted) {
			return "", io.EOF
		}
		if r.err != nil {
			return "", r.err
		}
		if strings.TrimSpace(r.line) != "" {
			t.st.AppendHistory(r.line)
		}
		return r.line, nil
	}
}

// Close restores the terminal's mode.
func (t *Terminal) Close() error {
	var err error
	t.close.Do(func() { err = t.st.Close() })
	return err
}

// plainLines reads lines from a reader in their own goroutine, so that
// Ctrl-C (ctx) ends the session while a read waits on the input.
type plainLines struct {
	out   io.Writer
	lines chan read
	next  chan struct{}
	once  sync.Once
	in    io.Reader
}

type read struct {
	line string
	err  error
}

func newPlainLines(in io.Reader, out io.Writer) *plainLines {
	return &plainLines{in: in, out: out, lines: make(chan read), next: make(chan struct{})}
}

func (p *plainLines) start() {
	r := bufio.NewReader(p.in)
	go func() {
		for range p.next {
			// An oversized line arrives cut, still longer than the
			// engine reads, and gets the engine's too-long reply.
			raw, _, err := ReadLine(r, maxConsoleLine)
			p.lines <- read{raw, err}
		}
	}()
}

// ReadLine implements Lines.
func (p *plainLines) ReadLine(ctx context.Context, prompt string) (string, error) {
	p.once.Do(p.start)
	if prompt != "" {
		io.WriteString(p.out, prompt)
	}
	p.next <- struct{}{}
	select {
	case <-ctx.Done():
		io.WriteString(p.out, "\n")
		return "", io.EOF
	case got := <-p.lines:
		return got.line, got.err
	}
}

// stop ends the reading goroutine once its current read returns.
func (p *plainLines) stop() { close(p.next) }
