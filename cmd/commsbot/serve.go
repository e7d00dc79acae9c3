package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"time"

	"github.com/commsbot/commsbot/bot"
)

// shutdownTimeout is how long serve lets in-flight requests finish after
// SIGTERM. deploy/ gives it at least this long before killing the process
// (terminationGracePeriodSeconds, stop_grace_period; deploy_test.go).
const shutdownTimeout = 25 * time.Second

// serveCmd runs commsbot as a service: the HTTP server (health, readiness,
// metrics, platform webhooks), the configured adapters, and the review
// workflow's notification dispatcher and reminders. It stops gracefully when
// ctx is cancelled (SIGTERM): in-flight requests finish, then connections
// close.
func serveCmd(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string, ready chan<- string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err = serveProblems(cfg, err, getenv); err != nil {
		fmt.Fprintln(stderr, "commsbot: configuration problems:")
		for _, e := range splitJoined(err) {
			fmt.Fprintln(stderr, "  -", e)
		}
		return errConfig
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	rt, err := newRuntime(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer rt.Close()
	rt.enableReviews()
	// Loading the knowledge base and training the learned model leave
	// garbage several times the size of what they keep: give it back to
	// the system before serving.
	debug.FreeOSMemory()

	var adapters []adapter
	for _, f := range adapterFactories {
		a, ok, err := f(ctx, getenv, rt)
		if err != nil {
			return err
		}
		if ok {
			adapters = append(adapters, a)
			if n := a.Notifier(); n != nil {
				// Platform notifiers go first: the log is the fallback.
				rt.reviews.Notifiers = append([]bot.Notifier{n}, rt.reviews.Notifiers...)
			}
		}
	}

	// With COMMSBOT_ADMIN_ADDR the probes and metrics have a listener of
	// their own, off the public webhook port.
	mux, admin := http.NewServeMux(), http.NewServeMux()
	if cfg.AdminAddr == "" {
		admin = mux
	}
	admin.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	admin.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		// The reason says what is down, never where: addresses and
		// errors go to the log only.
		reason := ""
		if err := rt.ready(r.Context()); err != nil {
			reason = "redis unavailable"
			log.WarnContext(r.Context(), "not ready", "err", err)
		}
		for _, a := range adapters {
			if reason != "" {
				break
			}
			if err := a.Ready(); err != nil {
				reason = a.Name() + " not connected"
				log.WarnContext(r.Context(), "not ready", "adapter", a.Name(), "err", err)
			}
		}
		if reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not ready: %s\n", reason)
			return
		}
		io.WriteString(w, "ready\n")
	})
	admin.Handle("GET /metrics", rt.metrics.Handler())
	// COMMSBOT_PPROF=on adds Go's profiler to the admin listener (never to
	// the public webhook port): for measuring, not for day-to-day running.
	if cfg.AdminAddr != "" && getenv("COMMSBOT_PPROF") == "on" {
		admin.HandleFunc("GET /debug/pprof/", pprof.Index)
		admin.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		admin.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	for _, a := range adapters {
		a.Routes(mux)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	wg := rt.runBackground(bg)
	for _, a := range adapters {
		wg.Go(func() {
			if err := a.Run(bg); err != nil && bg.Err() == nil {
				log.Error("adapter stopped", "adapter", a.Name(), "err", err)
			}
		})
	}

	names := make([]string, len(adapters))
	for i, a := range adapters {
		names[i] = a.Name()
	}
	if len(adapters) == 0 {
		log.Warn("no chat platform configured (COMMSBOT_NO_PLATFORM=on): serving review notices and reminders only, to the log")
	}
	log.Info("commsbot serving", "addr", ln.Addr().String(), "redis", cfg.hasRedis(), "replica", cfg.Replica, "platforms", names)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var adminSrv *http.Server
	if cfg.AdminAddr != "" {
		aln, err := net.Listen("tcp", cfg.AdminAddr)
		if err != nil {
			_ = srv.Close()
			stopBG()
			wg.Wait()
			return fmt.Errorf("listen %s (COMMSBOT_ADMIN_ADDR): %w", cfg.AdminAddr, err)
		}
		adminSrv = &http.Server{Handler: admin, ReadHeaderTimeout: 5 * time.Second, ErrorLog: srv.ErrorLog}
		log.Info("admin listener (probes, metrics)", "addr", aln.Addr().String())
		go func() { errc <- adminSrv.Serve(aln) }()
	}
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		err = srv.Shutdown(shutdown)
	}
	if adminSrv != nil {
		_ = adminSrv.Close()
	}
	stopBG()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// splitJoined undoes errors.Join, for one line per problem.
func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
