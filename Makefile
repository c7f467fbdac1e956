# q2c — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     ?= bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

# Tests create one database per test on this server (trust auth, see README).
Q2C_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export Q2C_TEST_DATABASE_URL

.PHONY: run test build build-dev vet fmt-check generate generated-check bench histories clean help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

run: build-dev ## the whole stack in one process: embedded Temporal, worker, API, SQLite in ./data
	$(BIN)/q2c-dev dev

test: fmt-check generated-check vet ## every test: unit, workflow (testsuite), Postgres and embedded-Temporal integration
	$(GO) test -count=1 -p 2 -timeout 30m ./...

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
