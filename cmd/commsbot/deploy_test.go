package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Docker and a cluster are not available here, so this test parses the
// deployment files and checks the essentials against the code: probe paths
// answer on a real `serve`, ports and environment variable names match.

func readYAML(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, d)
	}
	return docs
}

// dig walks nested maps and lists: dig(x, "spec", "template", 0).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func knownEnv(name string) bool {
	return slices.ContainsFunc(envVars, func(e struct{ Name, Default, Help string }) bool { return e.Name == name })
}

func TestKubernetesManifests(t *testing.T) {
	kinds := map[string]map[string]any{}
	files, _ := filepath.Glob("../../deploy/k8s/*.yaml")
	for _, f := range files {
		for _, d := range readYAML(t, f) {
			kinds[fmt.Sprint(d["kind"])] = d
		}
	}
	for _, k := range []string{"Deployment", "Service", "Secret", "PodDisruptionBudget"} {
		if kinds[k] == nil {
			t.Fatalf("no %s in deploy/k8s", k)
		}
	}
	dep := kinds["Deployment"]
	if r := dig(dep, "spec", "replicas"); r != 3 {
		t.Errorf("replicas = %v, want 3", r)
	}
	c := dig(dep, "spec", "template", "spec", "containers", 0)
	if dig(c, "securityContext", "readOnlyRootFilesystem") != true || dig(c, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("container must have a read-only root filesystem and no privilege escalation")
	}
	if dig(dep, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true {
		t.Error("pod must run as non-root")
	}
	if dig(c, "resources", "limits", "memory") == nil || dig(c, "resources", "requests", "cpu") == nil {
		t.Error("container needs resource requests and limits")
	}
	port := dig(c, "ports", 0, "containerPort")
	var addr string
	for _, e := range dig(c, "env").([]any) {
		name := fmt.Sprint(dig(e, "name"))
		if !knownEnv(name) {
			t.Errorf("deployment sets %s, which commsbot does not read", name)
		}
		if name == "COMMSBOT_ADDR" {
			addr = fmt.Sprint(dig(e, "value"))
		}
	}
	if addr != fmt.Sprintf(":%v", port) {
		t.Errorf("COMMSBOT_ADDR %q does not match containerPort %v", addr, port)
	}
	secretKeys := dig(kinds["Secret"], "stringData").(map[string]any)
	for k := range secretKeys {
		if !knownEnv(k) {
			t.Errorf("secret example has %s, which commsbot does not read", k)
		}
	}

	// The probes' paths answer on a real server.
	paths := []string{fmt.Sprint(dig(c, "livenessProbe", "httpGet", "path")), fmt.Sprint(dig(c, "readinessProbe", "httpGet", "path"))}
	base := startServe(t, map[string]string{})
	for _, p := range paths {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("probe %s: status %d", p, resp.StatusCode)
		}
	}
	if sel, tmpl := dig(kinds["PodDisruptionBudget"], "spec", "selector", "matchLabels"), dig(dep, "spec", "template", "metadata", "labels"); fmt.Sprint(sel) != fmt.Sprint(tmpl) {
		t.Errorf("PodDisruptionBudget selects %v, pods are labelled %v", sel, tmpl)
	}
}

func TestComposeAndDockerfile(t *testing.T) {
	docs := readYAML(t, "../../deploy/compose.yaml")
	svc := dig(docs[0], "services", "commsbot")
	for name := range dig(svc, "environment").(map[string]any) {
		if !knownEnv(name) {
			t.Errorf("compose sets %s, which commsbot does not read", name)
		}
	}
	if dig(svc, "read_only") != true {
		t.Error("compose: commsbot must run with a read-only filesystem")
	}
	redisCmd := fmt.Sprint(dig(docs[0], "services", "redis", "command"))
	if !strings.Contains(redisCmd, "--appendonly yes") {
		t.Errorf("compose: Redis must persist with AOF, command is %s", redisCmd)
	}
	b, err := os.ReadFile("../../deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`CGO_ENABLED=0 go build .* \./cmd/commsbot`),
		regexp.MustCompile(`(?m)^USER 65532`),
		regexp.MustCompile(`(?m)^FROM .* AS build`),
	} {
		if !want.MatchString(df) {
			t.Errorf("Dockerfile does not match %s", want)
		}
	}
}

// startServe runs `commsbot serve` in-process on a free loopback port and
// returns its base URL; it is stopped when the test ends.
func startServe(t *testing.T, env map[string]string) string {
	t.Helper()
	env["COMMSBOT_ADDR"] = "127.0.0.1:0"
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var stderr strings.Builder
	go func() { done <- serveCmd(ctx, nil, &lockedWriter{w: &stderr}, getenv, ready) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Error("serve did not shut down")
			}
		})
		return "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	return ""
}

// lockedWriter serialises writes from the server's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestREADMEListsEveryVariable keeps the README's environment tables in
// step with the variables commsbot reads.
func TestREADMEListsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range envVars {
		if !strings.Contains(string(b), "`"+e.Name+"`") {
			t.Errorf("README does not document %s", e.Name)
		}
	}
}
