# faultline's front door. `make test` is what CI runs (.ci/run).
GO        ?= go
BIN       ?= bin/faultline
# A count, not a duration: with -fuzztime=5s Go's fuzzing coordinator can
# fail a healthy target with a bare "context deadline exceeded" when its
# deadline fires while a worker is mid-call on a loaded machine (a race in
# internal/fuzz, seen in our CI); a count has no deadline to race.
FUZZTIME  ?= 10000x
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: build test test-short fuzz bench bench-load bench-proxy bench-cluster lint demo image clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/faultline

# Unit and end-to-end tests with the race detector, then a short fuzz run
# of every fuzz target.
test:
	$(GO) test -race -timeout 30m ./...
	$(MAKE) fuzz

# Unit tests only: end-to-end tests skip themselves under -short.
test-short:
	$(GO) test -race -short ./...

# Runs each Fuzz* target for FUZZTIME executions. Go fuzzes one target per package
# per invocation, so the targets are listed from the sources.
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
		pkg=$$(dirname $$f); \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/^func //'); do \
			echo "fuzz $$pkg $$t ($(FUZZTIME))"; \
			$(GO) test -short -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done

bench: bench-load bench-proxy bench-cluster

bench-load:
	bash agents/load/bench/bench-load.sh

bench-proxy:
	bash faults/proxy/bench/bench-proxy.sh

# Command fan-out to 3 and 50 agents over real loopback, then convergence
# and failure detection of CLUSTER_NODES simulated agents in memory.
CLUSTER_NODES ?= 1000
bench-cluster:
	$(GO) test -run='^$$' -bench=Fanout -benchtime=1x ./agents/cluster/
	FAULTLINE_BENCH_NODES=$(CLUSTER_NODES) $(GO) test -run='^$$' -bench=Converge -benchtime=1x -timeout 20m -v ./agents/cluster/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The main job on the embedded default: the whitepaper claims game day
# against the reference topology, which faultline starts by itself.
demo: build
	./$(BIN) run whitepaper --quick

clean:
	rm -rf bin runs
