# fluxplay: `make run` serves the playground, `make test` checks everything.
# Both install what is missing first (scripts/install-tools.sh).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)
export CARGO_TERM_COLOR ?= never

.PHONY: run test tools fmt lint unit build e2e

# The release server on 127.0.0.1:3000 (LEPTOS_SITE_ADDR changes it); `build` makes the site.
run: tools build
	LEPTOS_ENV=PROD target/release/fluxplay

test: tools fmt lint unit build e2e

tools:
	scripts/install-tools.sh

fmt:
	cargo fmt --all --check

# Each feature set on its own: ssr and hydrate are never built together.
lint:
	scripts/import-cycles.py app/src server/src
	hadolint Dockerfile
	cargo clippy -p app --features ssr --all-targets -- -D warnings
	cargo clippy -p server --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p app --no-default-features --features boxes --target wasm32-unknown-unknown \
	  --target-dir target/box-editor -- -D warnings

unit:
	cargo test -p app --features ssr
	cargo test -p server

build:
	cargo leptos build --release
	scripts/finish-site.sh

e2e:
	scripts/e2e.sh
