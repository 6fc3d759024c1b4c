# The two commands a newcomer needs:
#   make demo   start the chat demo on http://127.0.0.1:8080 (in-memory adapter);
#               DEMO_FLAGS="-admin -admin-password secret -metrics -otel" turns on
#               the admin UI, /metrics and traces (examples/chat/README.md)
#   make test   run every test (installs the npm packages the interop tests drive)

GO ?= go
NPM ?= npm

.PHONY: demo test deps vet bench fuzz suites

demo:
	$(NPM) ci --prefix examples/chat --no-audit --no-fund
	cd examples/chat && $(GO) run . $(DEMO_FLAGS)

deps:
	$(GO) mod download
	$(NPM) ci --prefix e2e --no-audit --no-fund
	$(NPM) ci --prefix examples/chat --no-audit --no-fund
	$(NPM) ci --prefix examples/chat/e2e --no-audit --no-fund
	$(NPM) ci --prefix adapter/redis/testdata/node --no-audit --no-fund
	$(NPM) ci --prefix admin/testdata/browser --no-audit --no-fund

test: deps vet
	$(GO) test -race -count=1 -timeout 20m ./...
	cd examples/routers && $(GO) test -race -count=1 ./...
	# the observability modules; admin drives the official admin UI in Chromium
	cd admin && $(GO) test -race -count=1 ./...
	# two gosio nodes on a redis-server the test starts, the UI on one of them;
	# it also tests admin/redisstore (sessions shared through Redis)
	cd admin/cluster && $(GO) test -race -count=1 ./...
	cd metrics/prometheus && $(GO) test -race -count=1 ./...
	cd tracing/otel && $(GO) test -race -count=1 ./...
	cd examples/chat && $(GO) test -race -count=1 ./...
	# the Redis adapter module; its tests start redis-server on a free loopback port
	cd adapter/redis && $(GO) test -race -count=1 -timeout 10m ./...

vet:
	# go.mod files must be tidy (direct dependencies not marked indirect)
	$(GO) mod tidy -diff
	cd adapter/redis && $(GO) mod tidy -diff
	cd examples/cluster && $(GO) mod tidy -diff
	cd bench/cluster && $(GO) mod tidy -diff
	cd examples/routers && $(GO) mod tidy -diff
	cd admin && $(GO) mod tidy -diff
	cd admin/cluster && $(GO) mod tidy -diff
	cd admin/redisstore && $(GO) mod tidy -diff
	cd metrics/prometheus && $(GO) mod tidy -diff
	cd tracing/otel && $(GO) mod tidy -diff
	cd examples/chat && $(GO) mod tidy -diff
	$(GO) vet ./...
	cd adapter/redis && $(GO) vet ./...
	cd examples/cluster && $(GO) vet ./...
	cd bench/cluster && $(GO) vet ./...
	cd examples/routers && $(GO) vet ./...
	cd admin && $(GO) vet ./...
	cd admin/cluster && $(GO) vet ./...
	cd admin/redisstore && $(GO) vet ./...
	cd metrics/prometheus && $(GO) vet ./...
	cd tracing/otel && $(GO) vet ./...
	cd examples/chat && $(GO) vet ./...

# Micro-benchmarks of the codecs and round trips.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./engineio/... ./parser/ .
	cd adapter/redis && $(GO) test -run '^$$' -bench CrossNode -benchmem .

# Run each fuzz target for 30 s.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodePayload -fuzztime 30s ./engineio/packet/
	$(GO) test -run '^$$' -fuzz FuzzDecodeText -fuzztime 30s ./engineio/packet/
	$(GO) test -run '^$$' -fuzz FuzzWSReadMessage -fuzztime 30s ./engineio/
	$(GO) test -run '^$$' -fuzz FuzzParseQuery -fuzztime 30s ./engineio/
	$(GO) test -run '^$$' -fuzz FuzzReadPacket -fuzztime 30s ./engineio/client/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 30s ./parser/
	$(GO) test -run '^$$' -fuzz FuzzDecoder -fuzztime 30s ./parser/
	$(GO) test -run '^$$' -fuzz FuzzBinaryRoundTrip -fuzztime 30s ./parser/
	$(GO) test -run '^$$' -fuzz FuzzArgsDecode -fuzztime 30s ./parser/
	cd adapter/redis && $(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 30s ./internal/notepack/
	cd adapter/redis && $(GO) test -run '^$$' -fuzz FuzzFromJSON -fuzztime 30s ./internal/notepack/
	cd adapter/redis && $(GO) test -run '^$$' -fuzz FuzzWireSocket -fuzztime 30s ./internal/wire/
	cd adapter/redis && $(GO) test -run '^$$' -fuzz FuzzHandleMessage -fuzztime 30s ./internal/cluster/
	cd adapter/redis && $(GO) test -run '^$$' -fuzz FuzzEntry -fuzztime 30s ./streams/
	cd adapter/redis && $(GO) test -run '^$$' -fuzz FuzzSession -fuzztime 30s ./streams/
