#!/usr/bin/env bash
# Builds the Dockerfile's runtime stage with podman and checks the image as an
# orchestrator would: non-root, /healthz and /readyz, the HEALTHCHECK, data in the
# volume, JSON logs, a clean stop on SIGTERM; prints the image's size. By hand, not in
# `make test` (CI machines have no container engine). Run `make build` first.
#
# Where the build stage can run (a registry with rust:1.95-bookworm), build it whole:
#   podman build --format docker -t fluxplay .
# Where it cannot (no image registry, as on our machines), this script hands the
# runtime stage the host's build as the `builder` stage, and takes the base image
# from RUNTIME_IMAGE (default: a debootstrapped Debian imported as
# localhost/debian:bookworm-slim:
#   debootstrap --variant=minbase bookworm /tmp/rootfs <mirror> &&
#   tar -C /tmp/rootfs -c . | podman import - localhost/debian:bookworm-slim).
# podman here needs runc and explicit ulimits; set PODMAN_FLAGS="" where it does not.
set -euo pipefail
cd "$(dirname "$0")/.."
runtime_image=${RUNTIME_IMAGE:-localhost/debian:bookworm-slim}
read -r -a flags <<<"${PODMAN_FLAGS---runtime runc}"
run_flags=(--ulimit nofile=1024:20000 --ulimit nproc=1000:1000)
[ -n "${PODMAN_FLAGS+x}" ] && run_flags=()
name=fluxplay-check-$$
ctx=$(mktemp -d)
volume=$name-data
cleanup() {
  podman "${flags[@]}" rm -f "$name" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  rm -rf "$ctx"
}
trap cleanup EXIT

mkdir -p "$ctx/out"
cp target/release/fluxplay "$ctx/out/fluxplay"
strip "$ctx/out/fluxplay"   # as the Dockerfile's build stage does: 38 MB -> 25 MB
cp -r target/site "$ctx/out/site"
podman "${flags[@]}" build --format docker "${run_flags[@]}" --build-context "builder=$ctx" \
  --build-arg "RUNTIME_IMAGE=$runtime_image" --target runtime -t fluxplay:check .

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
podman "${flags[@]}" run -d "${run_flags[@]}" --name "$name" -p "127.0.0.1:$port:3000" \
  -v "$volume:/data" fluxplay:check >/dev/null
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

fail() { echo "FAIL: $*" >&2; podman "${flags[@]}" logs "$name" >&2 || true; exit 1; }
user=$(podman "${flags[@]}" exec "$name" id -u)
[ "$user" = 10001 ] || fail "runs as uid $user, not 10001"
[ "$(curl -fsS "http://127.0.0.1:$port/healthz")" = ok ] || fail "/healthz"
curl -fsS "http://127.0.0.1:$port/readyz" | grep -q '"ready":true' || fail "/readyz"
podman "${flags[@]}" healthcheck run "$name" || fail "the HEALTHCHECK (fluxplay healthcheck)"
job=$(curl -fsS -H 'content-type: application/json' \
  -d '{"model": "bfl/flux-dev", "params": {"prompt": "a lighthouse", "seed": 1}}' \
  "http://127.0.0.1:$port/api/generate")
echo "$job" | grep -q '"url":"/images/' || fail "a generation: $job"
podman "${flags[@]}" exec "$name" sh -c 'ls /data/images | grep -q .' || fail "no image in the /data volume"
logs=$(podman "${flags[@]}" logs "$name" 2>&1)
python3 -c 'import json, sys; [json.loads(l) for l in sys.argv[1].splitlines() if l.strip()]' "$logs" \
  || fail "a log line is not JSON"
started=$(date +%s.%N)
podman "${flags[@]}" stop --time 20 "$name" >/dev/null
code=$(podman "${flags[@]}" inspect "$name" --format '{{.State.ExitCode}}')
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
echo "stopped cleanly in $(python3 -c "print(round($(date +%s.%N) - $started, 2))") s"
podman "${flags[@]}" image inspect fluxplay:check --format 'image size: {{.Size}} bytes; user {{.Config.User}}; healthcheck {{.Config.Healthcheck.Test}}'
echo "container check: ok"
