# commsbot build and test entry points. CI runs `make test` (see .ci/run).

GO       ?= go
FUZZTIME ?= 20000x
PKGS     := ./...

.PHONY: all test deps fmt-check vet staticcheck deadcode unit fuzz bench bench-serve bench-memory chaos build clean

all: build

# The full suite: tools, formatting, vet, race-enabled tests, a short fuzz run.
test: deps fmt-check vet staticcheck deadcode unit fuzz

# redis-server is needed by the Redis store's tests; the word lists
# wcanadian and wfrench by the typo corrector's test (intents/known_test.go).
DEBS := $(if $(shell command -v redis-server),,redis-server) \
	$(if $(wildcard /usr/share/dict/canadian-english),,wcanadian) \
	$(if $(wildcard /usr/share/dict/french),,wfrench)

deps:
	@if [ -n "$(strip $(DEBS))" ]; then \
		echo "installing $(strip $(DEBS))"; \
		SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS); \
	fi

fmt-check:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt: these files need formatting:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# staticcheck, pinned, fetched through the Go module proxy.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
staticcheck:
	$(GO) run $(STATICCHECK) $(PKGS)

# deadcode, pinned: no function unreachable from main or from the tests.
# Packages named *test (storetest, redistest, discordtest, llmtest) are test
# support, reached from tests only: the second run leaves them out.
DEADCODE ?= golang.org/x/tools/cmd/deadcode@v0.52.0
deadcode:
	@a=$$($(GO) run $(DEADCODE) -test $(PKGS)) || exit 1; \
	b=$$($(GO) run $(DEADCODE) $(PKGS)) || exit 1; \
	b=$$(printf '%s\n' "$$b" | grep -vE '^[^:]*test/[^/:]*\.go:' || true); \
	out=$$(printf '%s\n%s\n' "$$a" "$$b" | sed '/^$$/d'); \
	if [ -n "$$out" ]; then echo "deadcode: unreachable functions:"; echo "$$out"; exit 1; fi

# COMMSBOT_REQUIRE_REDIS turns a missing redis-server into a failure: make
# test never passes by skipping the Redis tests.
unit:
	COMMSBOT_REQUIRE_REDIS=1 $(GO) test -race -count=1 -timeout 30m $(PKGS)

# Fuzz Engine.Handle with the real classifier, knowledge base and store. A new
# input is minimised for at most 1 s (the default 60 s ate the whole run).
# The budget is a count of executions, not a duration: Go 1.26's fuzzing
# coordinator can report its own -fuzztime deadline as a failure, with no
# failing input (go.dev/issue/75804, fixed in Go 1.27); a count has no
# deadline to race.
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzHandle$$' -fuzztime=$(FUZZTIME) -fuzzminimizetime=1s ./bot/

bench:
	COMMSBOT_REQUIRE_REDIS=1 $(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

# Three serve replicas on one Redis, SIGKILL of a replica and a Redis
# restart under signed Slack load, three times (make test runs it once).
chaos: deps
	COMMSBOT_REQUIRE_REDIS=1 $(GO) test -run='^TestChaos$$' -count=3 -v ./cmd/commsbot/ | grep -E 'chaos:|^(--- |ok|FAIL)'

# serve against a bare signature-checking Slack handler, loaded alternately
# in one run (../shared/bench; BENCH_SECONDS, BENCH_ROUNDS).
BENCH_SECONDS ?= 8
BENCH_ROUNDS  ?= 3
bench-serve: deps
	../shared/bench/serve-vs-bare $(BENCH_SECONDS) $(BENCH_ROUNDS)

# serve's resident memory after BENCH_QUESTIONS questions from BENCH_USERS
# users on the memory store (scripts/bench-memory; GOMEMLIMIT optional).
BENCH_QUESTIONS ?= 100000
BENCH_USERS     ?= 10000
bench-memory:
	scripts/bench-memory $(BENCH_QUESTIONS) $(BENCH_USERS) $(GOMEMLIMIT)

build:
	$(GO) build -o bin/commsbot ./cmd/commsbot

clean:
	rm -rf bin
