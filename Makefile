# q2c — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

# Tests create one database per test on this server (trust auth, see README).
Q2C_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export Q2C_TEST_DATABASE_URL

.PHONY: run test build build-dev vet fmt-check generate generated-check bench fuzz histories clean help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

run: build-dev ## the whole stack in one process: embedded Temporal, worker, API, SQLite in ./data
	$(BIN)/q2c-dev dev

test: fmt-check generated-check vet ## every test: unit, workflow (testsuite), Postgres and embedded-Temporal integration, and a short fuzz of each target
	$(GO) test -count=1 -p 2 -timeout 30m ./...
	$(MAKE) fuzz FUZZTIME=3000x

# Native Go fuzz targets: request bodies, CSV cells, pricing and the checked
# arithmetic under it. `make test` runs each for FUZZTIME=3000x (3,000
# inputs: a count, not a duration, since a duration ending while a worker
# is mid-input fails with "context deadline exceeded", as CI saw once);
# run longer with `make fuzz FUZZTIME=10m`. A failing input is saved under the package's
# testdata/fuzz and then runs in every `go test`.
FUZZTIME ?= 1m
FUZZ_TARGETS = FuzzRequestBodies:./api FuzzCSVCell:./api FuzzPriceNeverWraps:./pricing FuzzMulDivRound:./models

fuzz: ## run every fuzz target for FUZZTIME (1m by default)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $${t%%:*} ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) $${t#*:}; done

build: ## production binary (api, worker, migrate, seed): no embedded Temporal
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/q2c ./cmd/q2c

build-dev: ## dev binary: adds `q2c dev` with the embedded Temporal server
	$(GO) build -tags dev -ldflags "$(LDFLAGS)" -o $(BIN)/q2c-dev ./cmd/q2c

vet: ## go vet, with and without the dev build tag
	$(GO) vet ./...
	$(GO) vet -tags dev ./cmd/q2c

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

generate: ## regenerate the web app's templ files (committed, so `go build` needs no generator)
	$(GO) tool templ generate -path web

generated-check: ## fail when a .templ file and its _templ.go disagree (regenerates a copy and compares)
	@tmp=$$(mktemp -d) && cp -r web $$tmp/ && $(GO) tool templ generate -path $$tmp/web >/dev/null 2>&1 && \
	  for f in web/*_templ.go $$tmp/web/*_templ.go; do b=$$(basename $$f); \
	    cmp -s web/$$b $$tmp/web/$$b || { echo "web/$$b is stale: run make generate"; rm -rf $$tmp; exit 1; }; done; rm -rf $$tmp

bench: ## benchmarks (speed and memory targets live here, never in timed tests); needs Postgres
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $$($(GO) list ./... | grep -v -e /itest -e /devstack)
	$(GO) test -run '^$$' -bench 'DevStack(Pages|Restart|CarriedLoad)' -count=1 ./devstack/
	$(GO) test -run '^$$' -bench DevStackQuote -benchtime 200x -count=1 ./devstack/
	Q2C_ITEST_TEMPORAL_LOW_LATENCY=1 $(GO) test -run '^$$' -bench SaleAgainstCeiling -benchtime 64x -count=1 ./itest/
	Q2C_ITEST_TEMPORAL=postgres Q2C_ITEST_TEMPORAL_LOW_LATENCY=1 $(GO) test -run '^$$' -bench SaleAgainstCeiling -benchtime 64x -count=1 ./itest/
	$(GO) test -run '^$$' -bench SaleInProcesses -benchtime 128x -count=1 ./itest/

histories: ## re-record workflow histories for the replay test from real runs
	Q2C_RECORD_HISTORIES=1 $(GO) test -count=1 -run . ./itest/

clean: ## remove binaries (./data is kept: it is your dev database)
	rm -rf $(BIN)
