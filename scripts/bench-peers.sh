#!/usr/bin/env bash
# The peer harness (shared/bench/peers: Swagger UI, Scalar, Gradio) with our page added in
# the same run, then first-image times for Gradio and our page (end2end/bench/first_image.mjs).
# Needs `make build` first. Prints both tables; the harness writes its own results files
# in its copy (/tmp/fluxplay-peers/results).   RUNS=7 scripts/bench-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
RUNS=${RUNS:-5}
peers_src=${PEERS_SRC:-../shared/bench/peers}
work=/tmp/fluxplay-peers
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
data=$(mktemp -d)
# The shared folder may be read-only: the harness runs from a copy (its installs stay there).
mkdir -p "$work" && cp -r "$peers_src"/. "$work"/
LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD FLUXPLAY_DATA_DIR=$data \
  FLUXPLAY_RATE_PER_MINUTE=6000 FLUXPLAY_RATE_BURST=1000 target/release/fluxplay >/dev/null 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null || true
  for f in "$work"/run/*.pid; do [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$data"
}
trap stop EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.2; done
(cd "$work" && RUNS=$RUNS KEEP_SERVERS=1 ./run.sh --add "fluxplay|http://127.0.0.1:$port/|textarea#prompt|$server")
gradio=${GRADIO_PORT:-18083}
node end2end/bench/first_image.mjs "$RUNS" \
  "Gradio|http://127.0.0.1:$gradio/|#prompt textarea|#generate|#result img" \
  "fluxplay|http://127.0.0.1:$port/|textarea#prompt|button.generate|.result-body .grid img"
