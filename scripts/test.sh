#!/usr/bin/env bash
# scripts/test.sh — what `npm test` runs: set-up, static checks (tsc, eslint, depcruise), build to dist/, the
# services (Kafka via scripts/kafka.sh ensure, PostgreSQL), then every test/**/*.test.ts with node:test.
# Usage: bash scripts/test.sh [test files or folders…]   (default: all of test/; SLUICE_SKIP_CHECKS=1 skips
# tsc/eslint/depcruise). Exit status is non-zero when any step or test fails; node:test's summary is printed
# last. Stops the Kafka broker at the end only if this run started it.
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SLUICE_ROOT"

failed_steps=()
step() {
  local name="$1"
  shift
  local t0=$SECONDS
  printf '\n== %s\n' "$name"
  if "$@"; then
    printf '== %s: ok (%ss)\n' "$name" "$((SECONDS - t0))"
  else
    printf '== %s: FAILED (%ss)\n' "$name" "$((SECONDS - t0))"
    failed_steps+=("$name")
  fi
}

step setup bash scripts/setup.sh
if [ "${SLUICE_SKIP_CHECKS:-0}" != "1" ]; then
  step typecheck npx tsc -p . --noEmit
  step lint npx eslint --no-error-on-unmatched-pattern src test bench
  step layers npx depcruise src --config .dependency-cruiser.cjs
fi
step build npm run --silent build

# Services ------------------------------------------------------------------------------------------------
kafka_started_here=0
start_kafka() {
  local out
  out="$(bash scripts/kafka.sh ensure)" || return 1
  if [ "$out" = "started" ]; then kafka_started_here=1; fi
  echo "kafka: $out"
}
stop_kafka() {
  if [ "$kafka_started_here" = "1" ]; then
    bash scripts/kafka.sh stop > /dev/null 2>&1 || true
  fi
}
trap stop_kafka EXIT
trap 'exit 130' INT TERM
step kafka start_kafka

start_postgres() {
  if pg_isready -q -h 127.0.0.1; then echo "postgres: running"; return 0; fi
  local v
  for v in $(ls /etc/postgresql 2> /dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  local i
  for i in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1; then echo "postgres: started"; return 0; fi
    sleep 0.5
  done
  echo "postgres: not reachable at 127.0.0.1:5432" >&2
  return 1
}
step postgres start_postgres

# Tests -----------------------------------------------------------------------------------------------------
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(test); fi
mapfile -t files < <(
  for t in "${targets[@]}"; do
    if [ -d "$t" ]; then find "$t" -type f -name '*.test.ts' -not -path '*/node_modules/*'; else echo "$t"; fi
  done | sort -u
)

if [ ${#failed_steps[@]} -gt 0 ]; then
  printf '\n== steps that failed before the tests: %s\n' "${failed_steps[*]}"
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "no test files found under: ${targets[*]}" >&2
  exit 1
fi
printf '\n== tests: %s files\n' "${#files[@]}"
export KAFKAJS_NO_PARTITIONER_WARNING=1
node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 --test-force-exit "${files[@]}"
tests_rc=$?

if [ $tests_rc -ne 0 ] || [ ${#failed_steps[@]} -gt 0 ]; then
  exit 1
fi
exit 0
