# fluxplay: `make run` serves the playground, `make test` checks everything.
# Both install what is missing first (scripts/install-tools.sh).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
export CARGO_TERM_COLOR ?= never

.PHONY: run test tools fmt lint unit build e2e

run: tools
	cargo leptos serve --release

test: tools fmt lint unit build e2e

tools:
	scripts/install-tools.sh

fmt:
	cargo fmt --all --check

# Each feature set on its own: ssr and hydrate are never built together.
lint:
	scripts/import-cycles.py app/src server/src
	cargo clippy -p app --features ssr --all-targets -- -D warnings
	cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo test -p app --features ssr
	cargo test -p server

build:
	cargo leptos build --release

e2e:
	scripts/e2e.sh
