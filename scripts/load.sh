#!/usr/bin/env bash
# Load test on loopback: `fluxplay emulate` stands in for AI/ML API, and the
# playground server calls it as a live provider (key held server-side, guards
# opened up so they do not shape the numbers). wrk (Debian) drives:
#   1. POST the provider request straight at the emulator       (the baseline)
#   2. POST /api/generate on fluxplay, which validates, submits to the emulator,
#      downloads the image and stores it                         (through the proxy)
#   3. GET / (the server-rendered page)
# and the server's peak RSS is read from /proc. Usage: scripts/load.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
SECS=${1:-15}
CONNS=${2:-16}

command -v wrk >/dev/null || { echo "installing wrk (Debian)"; apt-get install -y wrk >/dev/null || sudo apt-get install -y wrk >/dev/null; }
[ -x target/release/fluxplay ] && [ -d target/site/pkg ] || cargo leptos build --release

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
EMU=$(free_port); APP=$(free_port)
while [ "$APP" = "$EMU" ]; do APP=$(free_port); done
DATA=$(mktemp -d)
KEY=load-test-key
trap 'kill $EMU_PID $APP_PID 2>/dev/null || true; rm -rf "$DATA" /tmp/fluxplay-load-*.lua' EXIT

RUST_LOG=warn target/release/fluxplay emulate --port "$EMU" & EMU_PID=$!
RUST_LOG=warn LEPTOS_SITE_ADDR="127.0.0.1:$APP" LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD \
  FLUXPLAY_DATA_DIR="$DATA" AIMLAPI_KEY="$KEY" AIMLAPI_BASE_URL="http://127.0.0.1:$EMU/aimlapi" \
  FLUXPLAY_RATE_PER_MINUTE=0 FLUXPLAY_MAX_CONCURRENT=1024 FLUXPLAY_DAILY_IMAGES=0 \
  target/release/fluxplay & APP_PID=$!
for _ in $(seq 100); do
  if curl -s -o /dev/null "http://127.0.0.1:$APP/" && curl -s -o /dev/null "http://127.0.0.1:$EMU/"; then break; fi
  sleep 0.2
done

SIZE='"image_size":{"width":256,"height":256},"num_inference_steps":1'
cat > /tmp/fluxplay-load-direct.lua <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.body = '{"model":"flux/schnell","prompt":"a lighthouse at dusk",$SIZE}'
EOF
cat > /tmp/fluxplay-load-proxy.lua <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"aimlapi/flux/schnell","params":{"prompt":"a lighthouse at dusk",$SIZE}}'
EOF

# One request each way first: both must succeed, or the numbers mean nothing.
curl -fsS -X POST "http://127.0.0.1:$EMU/aimlapi/v1/images/generations" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d "{\"model\":\"flux/schnell\",\"prompt\":\"x\",$SIZE}" -o /dev/null
curl -fsS -X POST "http://127.0.0.1:$APP/api/generate" -H 'Content-Type: application/json' \
  -d "{\"model\":\"aimlapi/flux/schnell\",\"params\":{\"prompt\":\"x\",$SIZE}}" -o /dev/null

run() { # name url script
  local out; out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency ${3:+-s "$3"} "$2")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
  printf '%-34s %10s req/s   p50 %-9s p99 %-9s %s\n' "$1" "$rps" "$p50" "$p99" "${errors:-no errors}"
}

echo "wrk: 2 threads, $CONNS connections, ${SECS}s each, on $(nproc) cores (wrk shares them)"
run "emulator directly (baseline)" "http://127.0.0.1:$EMU/aimlapi/v1/images/generations" /tmp/fluxplay-load-direct.lua
run "through fluxplay /api/generate" "http://127.0.0.1:$APP/api/generate" /tmp/fluxplay-load-proxy.lua
run "GET / (server-rendered page)" "http://127.0.0.1:$APP/"
echo "fluxplay peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$APP_PID/status)"
echo "emulator peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$EMU_PID/status)"
echo "images stored by fluxplay: $(ls "$DATA/images" | wc -l)"
