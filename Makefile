# The two commands a new user needs: `make run` and `make test`.
SHELL   := /bin/bash
.SHELLFLAGS := -o pipefail -c
GO      ?= go
BIN     := bin/rag
OUT     := out
ADDR    ?= :8080

.PHONY: weaviate-test run build test unit browser promtool npm-tools eval eval-fresh eval-baseline lint lint-openapi bench clean

## run: build and serve the seeds corpus offline (http://localhost:8080)
run: build
	./$(BIN) serve --addr $(ADDR)

## build: compile the rag binary into bin/
build:
	$(GO) build -o $(BIN) ./cmd/rag

## test: lint, the eval gate, every package's tests with the race detector, then the Weaviate backend's
test: lint lint-openapi eval unit weaviate-test

unit: browser promtool npm-tools
	@mkdir -p $(OUT)/test-artifacts
	$(GO) test -race -count=1 -timeout 20m -artifacts -outputdir $(CURDIR)/$(OUT)/test-artifacts ./...

## weaviate-test: the Weaviate backend's tests against the real server, built from the Go module
## proxy when missing (4–9 minutes once, then kept in GOPATH/bin), started on loopback ports with a
## temporary data directory and stopped afterwards
WEAVIATE_VERSION := v1.35.2
WEAVIATE_SERVER  := $(shell $(GO) env GOPATH)/bin/weaviate-server
$(WEAVIATE_SERVER):
	@echo "building weaviate-server $(WEAVIATE_VERSION) (once; several minutes)"
	$(GO) install github.com/weaviate/weaviate/cmd/weaviate-server@$(WEAVIATE_VERSION)
weaviate-test: $(WEAVIATE_SERVER)
	scripts/weaviate-test.sh $(WEAVIATE_SERVER)

## browser: install Debian's Chromium for the browser tests when it is missing
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
		echo "installing chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## promtool: install Debian's prometheus package (for promtool) when promtool is missing
promtool:
	@command -v promtool >/dev/null 2>&1 || { \
		echo "installing prometheus for promtool"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

## eval: the eval gates through the binary on fresh indexes — the seeds (qa.yaml, users.yaml) and
## the Go specification and memory model read from GOROOT (gospec.yaml) — then the held-out sets
## (printed, never tuned on) and the replayed model path. Each gate fails below its thresholds.
GOSPEC := $(OUT)/gospec-corpus
GODOC := $(OUT)/godoc-corpus
GOTEXT := $(OUT)/gotext-corpus
eval: build
	@mkdir -p $(OUT) $(GOSPEC)
	@rm -rf $(OUT)/eval-data $(OUT)/eval-gospec $(OUT)/eval-wiki $(OUT)/eval-godoc $(OUT)/eval-typed $(OUT)/eval-gotext $(OUT)/eval-messy $(OUT)/eval-devhome $(OUT)/eval-devorg $(OUT)/eval-devfest
	@mkdir -p $(GODOC) $(GOTEXT)
	@cp "$$($(GO) env GOROOT)/doc/go_spec.html" "$$($(GO) env GOROOT)/doc/go_mem.html" $(GOSPEC)/
	@cp "$$($(GO) env GOROOT)/doc/asm.html" "$$($(GO) env GOROOT)/doc/godebug.md" $(GODOC)/
	@cp "$$($(GO) env GOROOT)/src/fmt/doc.go" $(GOTEXT)/fmt.txt
	@cp "$$($(GO) env GOROOT)/src/text/template/doc.go" $(GOTEXT)/template.txt
	./$(BIN) eval --corpus seeds --data $(OUT)/eval-data --set eval/qa.yaml --set eval/users.yaml \
		--baseline eval/baseline.seeds.json --markdown $(OUT)/eval-seeds.md --junit $(OUT)/eval-junit.xml | tail -4
	./$(BIN) eval --corpus $(GOSPEC) --data $(OUT)/eval-gospec --set eval/gospec.yaml --thresholds eval/thresholds.gospec.yaml \
		--baseline eval/baseline.gospec.json --markdown $(OUT)/eval-gospec.md --junit $(OUT)/eval-gospec-junit.xml | tail -4
	@echo "held out (never tuned on):"
	./$(BIN) eval --corpus seeds --data $(OUT)/eval-data --set eval/holdout.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/wiki/corpus --data $(OUT)/eval-wiki --set eval/wiki/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/train/corpus --data $(OUT)/eval-typed --set eval/train/typed.yaml --thresholds "" | tail -4
	@echo "Go documents and package docs (changes were judged on them):"
	./$(BIN) eval --corpus $(GODOC) --data $(OUT)/eval-godoc --set eval/godoc/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus $(GOTEXT) --data $(OUT)/eval-gotext --set eval/gotext/questions.yaml --thresholds "" | tail -4
	@echo "development probes (read while building):"
	./$(BIN) eval --corpus eval/newstrain/corpus --data $(OUT)/eval-messy --set eval/newstrain/messy.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/train/corpus --data $(OUT)/eval-typed --set eval/train/messy.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/devhome/corpus --data $(OUT)/eval-devhome --set eval/devhome/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/devorg/corpus --data $(OUT)/eval-devorg --set eval/devorg/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/devfest/corpus --data $(OUT)/eval-devfest --set eval/devfest/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus seeds --data $(OUT)/eval-data --set eval/qa.yaml --replay eval/qa.replay.json \
		--thresholds eval/thresholds.replay.yaml --junit $(OUT)/eval-replay-junit.xml | tail -4

## eval-fresh: the fresh sets (eval/fresh, eval/fresh2 … eval/fresh6), never fitted on and read only to close a round of changes
eval-fresh: build
	@rm -rf $(OUT)/eval-fresh $(OUT)/eval-fresh2 $(OUT)/eval-fresh3 $(OUT)/eval-fresh4 $(OUT)/eval-fresh5 $(OUT)/eval-fresh6
	./$(BIN) eval --corpus eval/fresh/corpus --data $(OUT)/eval-fresh --set eval/fresh/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/fresh2/corpus --data $(OUT)/eval-fresh2 --set eval/fresh2/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/fresh3/corpus --data $(OUT)/eval-fresh3 --set eval/fresh3/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/fresh4/corpus --data $(OUT)/eval-fresh4 --set eval/fresh4/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/fresh5/corpus --data $(OUT)/eval-fresh5 --set eval/fresh5/questions.yaml --thresholds "" | tail -4
	./$(BIN) eval --corpus eval/fresh6/corpus --data $(OUT)/eval-fresh6 --set eval/fresh6/questions.yaml --thresholds "" | tail -4

## npm-tools: Redocly's CLI, the official openai SDK and axe-core, installed through npm into out/tools
## once (both in one install: npm removes what a later install does not name)
NPM_TOOLS := $(OUT)/tools/.installed-redocly-2.77.0-openai-7.57.0-axe-4.14.1
REDOCLY   := $(OUT)/tools/node_modules/.bin/redocly
$(NPM_TOOLS):
	@mkdir -p $(OUT)/tools
	cd $(OUT)/tools && npm install --silent --no-audit --no-fund --no-save @redocly/cli@2.77.0 openai@7.57.0 axe-core@4.14.1 >/dev/null
	@touch $@
npm-tools: $(NPM_TOOLS)

## lint-openapi: Redocly's recommended rules over the API description
lint-openapi: $(NPM_TOOLS)
	$(REDOCLY) lint --extends recommended --format stylish api/openapi.json 2>&1 | grep -v -e '^ *[║╔╚]' -e '^$$'

## eval-baseline: rewrite the committed baselines the gates compare with (after a change that
## is meant to move items; review the diff of eval/baseline.*.json)
eval-baseline: build
	@mkdir -p $(OUT) $(GOSPEC)
	@rm -rf $(OUT)/eval-data $(OUT)/eval-gospec
	@cp "$$($(GO) env GOROOT)/doc/go_spec.html" "$$($(GO) env GOROOT)/doc/go_mem.html" $(GOSPEC)/
	./$(BIN) eval --corpus seeds --data $(OUT)/eval-data --set eval/qa.yaml --set eval/users.yaml --thresholds "" --json > eval/baseline.seeds.json
	./$(BIN) eval --corpus $(GOSPEC) --data $(OUT)/eval-gospec --set eval/gospec.yaml --thresholds "" --json > eval/baseline.gospec.json

## lint: gofmt check and go vet
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

## bench: Go benchmarks, then the full suite (seeds, 1k, 10k, 100k and 1M chunks; Weaviate at 100k):
## BENCHMARKS.md, bench/results.json, bench/latency.png
bench: $(WEAVIATE_SERVER)
	$(GO) test -run '^$$' -bench . -benchtime 2s ./rag
	$(GO) run ./bench -weaviate $(WEAVIATE_SERVER)

clean:
	rm -rf bin $(OUT)
