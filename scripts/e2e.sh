#!/usr/bin/env bash
# Runs the Playwright suite against release servers that Playwright starts and
# stops itself, on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
E2E_PORT=$(free_port)
E2E_CANARY_PORT=$(free_port)
while [ "$E2E_CANARY_PORT" = "$E2E_PORT" ]; do E2E_CANARY_PORT=$(free_port); done
E2E_DEMO_PORT=$(free_port)
while [ "$E2E_DEMO_PORT" = "$E2E_PORT" ] || [ "$E2E_DEMO_PORT" = "$E2E_CANARY_PORT" ]; do E2E_DEMO_PORT=$(free_port); done
E2E_SLOW_PORT=$(free_port)
while [ "$E2E_SLOW_PORT" = "$E2E_PORT" ] || [ "$E2E_SLOW_PORT" = "$E2E_CANARY_PORT" ] \
  || [ "$E2E_SLOW_PORT" = "$E2E_DEMO_PORT" ]; do E2E_SLOW_PORT=$(free_port); done
export E2E_PORT E2E_CANARY_PORT E2E_DEMO_PORT E2E_SLOW_PORT
cd end2end
exec npx playwright test "$@"
