package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// TestDeployDockerignore: there was no .dockerignore, so `COPY . .` sent
// the history, local binaries, the question sets and any deploy/*.env with
// real secrets into the build. The rules are read as Docker reads them
// (moby/patternmatcher): everything the build needs stays, and those go.
func TestDeployDockerignore(t *testing.T) {
	f, err := os.Open("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	ignored := func(p string) bool {
		t.Helper()
		m, err := pm.MatchesOrParentMatches(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return m
	}
	for _, p := range []string{".git/HEAD", "bin/commsbot", "commsbot", "bot.test", "cmd/commsbot/commsbot.test",
		"cpu.prof", "deploy/commsbot.env", "deploy/.env", ".env", "testdata/blind24.jsonl", "knowledge/testdata/x.txt",
		"deploy/examples/secret-slack.yaml"} {
		if !ignored(p) {
			t.Errorf("%s is sent to the build", p)
		}
	}
	// Everything the build reads: non-test Go files, go.mod, go.sum and the
	// files the packages embed.
	embedded := regexp.MustCompile(`^(knowledge/(sources|answers|examples)/|intents/(intents\.yaml|known\.txt)$)`)
	kept := 0
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../..", path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		needed := rel == "go.mod" || rel == "go.sum" || embedded.MatchString(rel) ||
			strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go")
		if needed {
			kept++
			if ignored(rel) {
				t.Errorf("%s is needed by the build but ignored", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if kept < 50 {
		t.Errorf("only %d files needed by the build were found", kept)
	}
}

// TestDeployBaseImagesExact: the Dockerfile built on golang:1.26-bookworm, a
// tag that moves. The default base is an exact Go release at least as new
// as go.mod asks for, and both bases can be pinned to digests.
func TestDeployBaseImagesExact(t *testing.T) {
	b, err := os.ReadFile("../../deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	m := regexp.MustCompile(`(?m)^ARG GO_IMAGE=golang:(\d+)\.(\d+)\.(\d+)-bookworm$`).FindStringSubmatch(df)
	if m == nil {
		t.Fatal("the Go base image is not an exact release (ARG GO_IMAGE=golang:X.Y.Z-bookworm)")
	}
	mb, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	gm := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mb)
	if gm == nil {
		t.Fatal("go.mod has no go line")
	}
	if m[1]+"."+m[2] != string(gm[1]) {
		t.Errorf("Go base image %s.%s.%s, go.mod asks for Go %s", m[1], m[2], m[3], gm[1])
	}
	for _, want := range []string{"FROM ${GO_IMAGE} AS build", "FROM ${RUNTIME_IMAGE}", "ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot", "@sha256:"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
