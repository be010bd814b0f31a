#!/usr/bin/env bash
# scripts/bench.sh — what `npm run bench` runs: the engine benchmark (SIEM events from memory through the seed
# article's five views, plus the PostgreSQL peer) and the dataflow per-operator micro benchmark. Prints numbers,
# asserts nothing. Usage: bash scripts/bench.sh [--quick|--full] [--profile] [extra args for bench/engine.bench.ts]
#   --quick (default) 200k events, ≤ 60 s; --full 1M events plus a per-view breakdown (about 5 minutes, most of
#   it the PostgreSQL peer);
#   --profile writes CPU profiles of the timed parts to bench/results/ and prints their top functions.
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SLUICE_ROOT"

mode=--quick
profile=0
extra=()
for a in "$@"; do
  case "$a" in
    --quick | --full) mode="$a" ;;
    --profile) profile=1 ;;
    *) extra+=("$a") ;;
  esac
done

status=0
engine_args=("$mode" --what-if)
[ "$mode" = --full ] && engine_args+=(--per-view)
if [ "$profile" = 1 ]; then
  mkdir -p bench/results
  engine_args+=(--profile bench/results)
fi
printf '== engine benchmark (%s)\n' "${mode#--}"
node --expose-gc --import tsx bench/engine.bench.ts "${engine_args[@]}" "${extra[@]}" || status=1

if [ "$profile" = 1 ]; then
  for p in bench/results/engine-*.cpuprofile; do
    [ -e "$p" ] || continue
    printf '\n== top functions: %s\n' "$p"
    node --import tsx bench/lib/cpuprofile-top.ts "$p" 25 || status=1
  done
fi

if [ -f bench/dataflow.bench.ts ]; then
  if [ "$mode" = --full ]; then df_events=300000; else df_events=100000; fi
  printf '\n== dataflow micro benchmark (bench/dataflow.bench.ts --events %s)\n' "$df_events"
  node --import tsx bench/dataflow.bench.ts --events "$df_events" || status=1
fi
exit "$status"
