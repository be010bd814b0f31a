#!/usr/bin/env bash
# scripts/demo.sh — what `npm run demo` runs on a fresh machine: install npm dependencies if needed, build, and
# start the embedded demo (generated SIEM traffic, the article's views, psql on 127.0.0.1:4566). No Kafka needed.
# Extra arguments go to `sluice demo` (e.g. --port 5566 --data-dir ./demo-data).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
exec node bin/sluice.js demo "$@"
