# Tipline developer entry points. `make test` is the one command that must pass
# (CI runs it through .ci/run).

GO ?= go
STATICCHECK_VERSION := v0.7.0
# Extra flags for go test, e.g. make test GOTESTFLAGS='-v -run TestFoo'
GOTESTFLAGS ?=
export GOTESTFLAGS

.DEFAULT_GOAL := help

.PHONY: help test test-short lint bench drill run build

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: ## full test suite (-race) with throwaway PostgreSQL and MinIO; installs what is missing
	bash scripts/test.sh test

test-short: ## go test ./... without starting any service
	$(GO) test $(GOTESTFLAGS) ./...

lint: ## gofmt, go vet and staticcheck
	@out=$$(find . \( -name .git -o -name .cache -o -name node_modules -o -name vendor -o -name testdata \) -prune \
		-o -name '*.go' -type f -print | xargs -r gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt -w needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

bench: ## benchmarks (-bench . -benchmem) with the same services as test, including the million-submission scale benchmark
	TIPLINE_BENCH_SCALE=1 bash scripts/test.sh bench

drill: ## the flood drill (60 s of flood, SQLite and PostgreSQL + MinIO) and the fault drills at full scale; results in BENCHMARKS.md
	TIPLINE_DRILL_SCALE=full bash scripts/test.sh drill

run: ## run the server
	$(GO) run ./cmd/tipline serve

build: ## static binary in bin/tipline
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/tipline ./cmd/tipline

openpgpjs: ## vendor the pinned OpenPGP.js from npm into static/vendor/openpgp/ and record its SHA-256
	bash scripts/openpgpjs.sh
