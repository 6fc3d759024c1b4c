# The two commands a newcomer needs:
#   make demo   start the chat demo on http://127.0.0.1:8080 (in-memory adapter)
#   make test   run every test (installs the npm packages the interop tests drive)

GO ?= go
NPM ?= npm

.PHONY: demo test deps vet bench fuzz suites

demo:
	$(NPM) ci --prefix examples/chat --no-audit --no-fund
	$(GO) run ./examples/chat

deps:
	$(GO) mod download
	$(NPM) ci --prefix e2e --no-audit --no-fund
	$(NPM) ci --prefix examples/chat --no-audit --no-fund
	$(NPM) ci --prefix examples/chat/e2e --no-audit --no-fund

test: deps vet
	$(GO) test -race -count=1 -timeout 20m ./...
	cd examples/routers && $(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

# Micro-benchmarks of the codecs and round trips.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./engineio/... ./parser/ .

# Run each fuzz target for 30 s.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodePayload -fuzztime 30s ./engineio/packet/
	$(GO) test -run '^$$' -fuzz FuzzDecodeText -fuzztime 30s ./engineio/packet/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 30s ./parser/
	$(GO) test -run '^$$' -fuzz FuzzDecoder -fuzztime 30s ./parser/
