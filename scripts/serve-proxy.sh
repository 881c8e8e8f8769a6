#!/usr/bin/env bash
# Runs deploy/nginx.conf or deploy/Caddyfile as they are, but for their ports:
# listening on 127.0.0.1:PORT, with fluxplay at 127.0.0.1:UPSTREAM and the example
# docs page (deploy/docs-example) at the root. For the end-to-end tests; stops with
# its parent (Playwright sends SIGTERM).
#   scripts/serve-proxy.sh nginx|caddy PORT UPSTREAM
set -euo pipefail
kind=$1 port=$2 upstream=$3
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/fluxplay-$kind-XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/tmp"
# nginx started as root serves as `nobody`: the folder must be readable by others.
chmod 755 "$dir"
cp -r "$here/deploy/docs-example" "$dir/docs"
ports() { sed -e "s/127\.0\.0\.1:8080/127.0.0.1:$port/" -e "s/127\.0\.0\.1:3000/127.0.0.1:$upstream/" "$1"; }
case "$kind" in
  nginx)
    ports "$here/deploy/nginx.conf" >"$dir/nginx.conf"
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
    "$nginx" -p "$dir" -c "$dir/nginx.conf" &
    ;;
  caddy)
    ports "$here/deploy/Caddyfile" >"$dir/Caddyfile"
    cd "$dir"
    HOME=$dir XDG_DATA_HOME=$dir/tmp XDG_CONFIG_HOME=$dir/tmp caddy run --adapter caddyfile --config "$dir/Caddyfile" &
    ;;
  *) echo "usage: $0 nginx|caddy PORT UPSTREAM" >&2; exit 2 ;;
esac
child=$!
trap 'kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
wait "$child"
