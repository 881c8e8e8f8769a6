#!/usr/bin/env bash
# Runs the Playwright suite against release servers that Playwright starts and
# stops itself, on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
# Distinct free ports, all held at once while they are picked.
read -r E2E_PORT E2E_CANARY_PORT E2E_DEMO_PORT E2E_SLOW_PORT E2E_MOUNT_PORT E2E_NGINX_PORT E2E_CADDY_PORT < <(python3 -c '
import socket
held = [socket.socket() for _ in range(7)]
for s in held: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in held))')
export E2E_PORT E2E_CANARY_PORT E2E_DEMO_PORT E2E_SLOW_PORT E2E_MOUNT_PORT E2E_NGINX_PORT E2E_CADDY_PORT
cd end2end
exec npx playwright test "$@"
