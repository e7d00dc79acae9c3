// Command commsbot answers communications staff's privacy questions from
// curated, cited guidance.
//
//	commsbot chat                  talk to the bot in the terminal
//	commsbot ask "question"        one answer (--json, --jsonl for JSON)
//	commsbot kb check              validate the knowledge base, show coverage
//
// Run "commsbot help" for flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

const usage = `commsbot — privacy answers for government communications teams

Usage:
  commsbot chat [--lang en|fr]                 interactive console
  commsbot ask [--lang en|fr] [--json] "question"
  commsbot ask --jsonl < questions.jsonl       one JSON answer per input line
  commsbot kb check                            validate the knowledge base and print coverage
  commsbot explain "question"                  show how a question is classified
  commsbot serve                               run the service (configuration from the environment)
  commsbot reviews list [--status open] [--json] | show ID | claim ID --as USER | resolve ID --as USER --note TEXT
  commsbot reviews export > tickets.jsonl | import < tickets.jsonl    back up and restore tickets
  commsbot kb inbox [--jsonl] [--limit N]      what users chose, disliked or were refused (Redis)
  commsbot version                             the build's version

`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "commsbot:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runEnv(ctx, args, stdin, stdout, stderr, os.Getenv)
}

// runEnv is run with the environment read through getenv.
func runEnv(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	switch args[0] {
	case "chat":
		return chatCmd(ctx, args[1:], stdin, stdout, stderr, logger, getenv)
	case "ask":
		return askCmd(ctx, args[1:], stdin, stdout, stderr, logger, getenv)
	case "kb":
		if len(args) > 1 && args[1] == "inbox" {
			return inboxCmd(ctx, args[2:], stdout, getenv)
		}
		return kbCmd(args[1:], stdout, stderr)
	case "explain":
		return explainCmd(args[1:], stdout)
	case "serve":
		return serveCmd(ctx, args[1:], stderr, getenv, nil)
	case "reviews":
		return reviewsCmd(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "commsbot", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// version is the module version and VCS revision the binary was built
// from, as the Go toolchain recorded them.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (" + rev + dirty + ")"
	}
	return v
}
