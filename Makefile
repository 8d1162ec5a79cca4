# orderhub — the two commands are `make run` and `make test`.

GO        ?= go
BIN       := bin/orderhub
DATA      ?= ./data
FUZZTIME  ?= 30s
# cgo is needed for SQLite (mattn/go-sqlite3).
export CGO_ENABLED := 1

.PHONY: all build run demo serve test test-servers deps vet fmt fmt-check bench fuzz clean

all: build

build: deps
	$(GO) build -o $(BIN) ./cmd/orderhub

# Builds orderhub and starts the demo on the embedded default (no services).
run: build
	./$(BIN) demo --data $(DATA)

demo: run

serve: build
	./$(BIN) serve --data $(DATA)

# Installs what the tests need (a C compiler for cgo; Go modules; the FTP and SSH
# servers the transport tests start on 127.0.0.1) and runs them all, then the
# concurrent parts again under the race detector. ORDERHUB_REQUIRE_SERVERS makes a
# test whose server is missing fail instead of skipping.
test: deps test-servers fmt-check vet
	ORDERHUB_REQUIRE_SERVERS=1 $(GO) test -count=1 -timeout 15m ./...
	ORDERHUB_REQUIRE_SERVERS=1 $(GO) test -race -count=1 -timeout 15m ./internal/sqlitedb/ ./adapters/sqlitebus/ ./pipeline/ ./intake/ ./app/ ./adapters/x12/ ./adapters/edifact/ ./cli/ ./adapters/drop/...

# pure-ftpd (FTP and FTPS) and OpenSSH's sshd (SFTP), from Debian, for the
# transport tests; the tests start and stop them themselves. A policy-rc.d keeps
# apt from starting them as system services (on port 21 and 22) while they install.
test-servers:
	@missing=""; \
	command -v pure-ftpd >/dev/null || [ -x /usr/sbin/pure-ftpd ] || missing="$$missing pure-ftpd"; \
	[ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing for the transport tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		policy=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
			policy=1; printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null; $$SUDO chmod 755 /usr/sbin/policy-rc.d; \
		fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; rc=$$?; \
		if [ -n "$$policy" ]; then $$SUDO rm -f /usr/sbin/policy-rc.d; fi; \
		exit $$rc; \
	fi

# What building and testing need that a fresh machine may lack.
deps:
	@command -v $(GO) >/dev/null || { echo "Go is required (https://go.dev/dl/)"; exit 1; }
	@command -v gcc >/dev/null || { \
		echo "installing gcc for cgo (SQLite)"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gcc libc6-dev >/dev/null; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq gcc libc6-dev >/dev/null; fi; }
	@$(GO) mod download

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# Prints every figure the issues ask for.
bench: deps test-servers
	@echo "== embedded bus (adapters/sqlitebus) =="
	$(GO) test -run '^$$' -bench . -benchtime 2s ./adapters/sqlitebus/
	@echo "== canonical order JSON (order) =="
	$(GO) test -run '^$$' -bench . -benchmem ./order/
	@echo "== end to end: canonical JSON orders of 10 lines through the whole embedded pipeline, business rules on, then off =="
	$(GO) run ./internal/bench/pipeline -orders 20000 -lines 10 -rules=true
	$(GO) run ./internal/bench/pipeline -orders 20000 -lines 10 -rules=false
	@echo "== X12: 100 MB of 850s, bytes to canonical orders and orderhub translate (internal/bench/x12) =="
	$(GO) run ./internal/bench/x12 -mb 100
	@echo "== EDIFACT: 100 MB of EANCOM ORDERS D96A, the reader alone, bytes to canonical orders and orderhub translate (internal/bench/edifact) =="
	$(GO) run ./internal/bench/edifact -mb 100
	@echo "== Sheets: a 100,000-row xlsx to canonical orders (internal/bench/sheet) =="
	$(GO) run ./internal/bench/sheet
	@echo "== Remote drops: 1,000 files of 2 KB and 10 of 50 MB pulled from a local sshd and pure-ftpd (claim, download, fsync, SHA-256, ledger, intake, delete): files/s and MB/s =="
	$(GO) test -run '^$$' -bench Pull -benchtime 1x ./adapters/drop/

# Runs every fuzz target for FUZZTIME each.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
		done; \
	done

clean:
	rm -rf bin
