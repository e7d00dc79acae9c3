// Package redistest starts throwaway redis-server processes for tests of
// storage/redis. It is imported only by tests.
//
// URL returns $REDIS_URL when it is set, else the URL of a server started for
// the test. Start always starts a server (tests that stop and restart it
// need one of their own). When redis-server is not on PATH, tests are
// skipped, except in CI (CI set) or with COMMSBOT_REQUIRE_REDIS=1, where
// they fail: a CI run must never pass by skipping the Redis tests.
package redistest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Required reports whether missing Redis must fail tests rather than skip
// them.
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("COMMSBOT_REQUIRE_REDIS") == "1"
}

// Binary returns the path of redis-server, or skips or fails t when it is
// not on PATH.
func Binary(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		msg := "redis-server is not on PATH (install Redis, e.g. apt-get install redis-server, or set REDIS_URL)"
		if Required() {
			t.Fatalf("%s; CI or COMMSBOT_REQUIRE_REDIS=1 requires the Redis tests to run", msg)
		}
		t.Skipf("skipping Redis tests: %s", msg)
	}
	return bin
}

// URL returns $REDIS_URL if set, else the URL of a fresh server started for
// t and stopped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return Start(t).URL()
}

// Server is a redis-server process on a loopback port, without persistence.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int

	// args returns the command line; nil means a standalone server.
	args func(s *Server) []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	out  *syncBuffer
}

// Start starts redis-server on a free loopback port, waits until it answers
// PING, and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, nil)
}

// StartPersistent is Start with an append-only file written on every
// command (appendfsync always): Restart brings the data back, as a
// production Redis with persistence would.
func StartPersistent(t testing.TB) *Server {
	t.Helper()
	return start(t, func(s *Server) []string {
		args := s.standaloneArgs()
		for i, a := range args {
			if a == "--appendonly" {
				args[i+1] = "yes"
			}
		}
		return append(args, "--appendfsync", "always")
	})
}

func start(t testing.TB, args func(s *Server) []string) *Server {
	t.Helper()
	bin := Binary(t)
	// A short directory: it also holds the Unix socket, whose path is
	// limited to about 100 bytes.
	dir, err := os.MkdirTemp("", "redistest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &Server{t: t, bin: bin, dir: dir}
	s.args = args
	t.Cleanup(s.Stop)
	var lastErr error
	// Another process can take the free port before redis-server binds it;
	// try a few.
	for range 5 {
		s.port, err = freePort()
		if err != nil {
			t.Fatal(err)
		}
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	t.Fatalf("redistest: %v", lastErr)
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr() }

// SocketURL is the server's unix:// URL.
func (s *Server) SocketURL() string { return "unix://" + s.socket() }

func (s *Server) socket() string { return filepath.Join(s.dir, "redis.sock") }

// Port is the server's TCP port.
func (s *Server) Port() int { return s.port }

func (s *Server) standaloneArgs() []string {
	return append([]string{
		"--unixsocket", s.socket(),
		"--unixsocketperm", "700",
	}, commonArgs(s.port, s.dir)...)
}

// commonArgs are the options of every server: loopback only, no
// persistence, quiet.
func commonArgs(port int, dir string) []string {
	return []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--daemonize", "no",
		"--loglevel", "warning",
	}
}

func (s *Server) start() error {
	args := s.standaloneArgs()
	if s.args != nil {
		args = s.args(s)
	}
	cmd := exec.Command(s.bin, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	setPdeathsig(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done, s.out = cmd, done, out
	s.mu.Unlock()

	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			return fmt.Errorf("redis-server on port %d exited: %s", s.port, strings.TrimSpace(out.String()))
		default:
		}
		if err := ping(s.Addr()); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("redis-server on port %d does not answer PING: %v; output: %s", s.port, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Stop kills the server and waits for it to exit. Stopping a stopped server
// does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// Restart starts the server again on the same port after Stop, with empty
// data (or, for StartPersistent, the data it had).
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("redistest: restart: %v", err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
