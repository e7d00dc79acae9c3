package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/commsbot/commsbot/adapters/console"
)

func chatCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, logger *slog.Logger, getenv func(string) string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	langS := langFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	lang, err := parseLangFlag(*langS)
	if err != nil {
		return err
	}
	eng, closeStores, err := cliEngine(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer closeStores()
	fmt.Fprintln(stdout, "commsbot — ask a privacy question in English or French (\"help\" for topics, \"quit\" to leave).")
	fmt.Fprintln(stdout, "commsbot — posez une question en français ou en anglais (« aide » pour les sujets).")
	fmt.Fprintln(stdout)
	a := &console.Adapter{Handler: eng, In: stdin, Out: stdout, Lang: lang, Prompt: "> "}
	// On a terminal: line editing and this session's history.
	if stdin == io.Reader(os.Stdin) && stdout == io.Writer(os.Stdout) {
		if t, ok := console.OpenTerminal(); ok {
			defer t.Close()
			a.Lines = t
		}
	}
	return a.Run(ctx)
}
