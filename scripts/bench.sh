#!/usr/bin/env bash
# scripts/bench.sh — what `npm run bench` runs: the engine benchmark (SIEM events from memory through the seed
# article's five views, plus the PostgreSQL peer), the dataflow per-operator micro benchmark, and sluice beside
# Apache Flink on the local Kafka broker (bench/compare.bench.ts; builds bench/flink once, starts Kafka if needed).
# Prints numbers, asserts nothing.
# Usage: bash scripts/bench.sh [--quick|--full] [--profile] [--no-compare] [extra args for bench/engine.bench.ts]
#   --quick (default) engine 200k events + compare --quick: under 5 minutes once Flink is built (the first build
#   downloads ~140 MB from Maven Central, not counted);
#   --full engine 1M events with a per-view breakdown, compare --full (results in bench/results/compare-<date>.json,
#   charts in docs/bench/), bench/serving.bench.ts --full and bench/recovery.bench.ts (1k, 100k, 1M groups; both
#   need `npm run build`): about 30–40 minutes;
#   --profile writes CPU profiles of the timed parts to bench/results/ and prints their top functions;
#   --no-compare skips the Kafka/Flink part (no broker or JVM needed).
set -uo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SLUICE_ROOT"

mode=--quick
profile=0
compare=1
extra=()
for a in "$@"; do
  case "$a" in
    --quick | --full) mode="$a" ;;
    --profile) profile=1 ;;
    --no-compare) compare=0 ;;
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

if [ "$compare" = 1 ]; then
  printf '\n== sluice beside Flink (bench/compare.bench.ts %s)\n' "$mode"
  fstart=$(date +%s)
  if ! bash bench/flink/build.sh; then
    sluice_say "could not build the Flink peer (bench/flink/build.sh); skipping the comparison"
    status=1
  elif ! bash scripts/kafka.sh ensure; then
    sluice_say "no Kafka broker (scripts/kafka.sh ensure failed); skipping the comparison"
    status=1
  else
    printf 'flink peer ready in %s s (build on first use, Kafka ensure)\n' "$(( $(date +%s) - fstart ))"
    compare_args=("$mode")
    if [ "$profile" = 1 ]; then compare_args+=(--profile bench/results); fi
    node --expose-gc --max-old-space-size=6144 --import tsx bench/compare.bench.ts "${compare_args[@]}" || status=1
    if [ "$profile" = 1 ] && [ -e bench/results/compare-article-sluice.cpuprofile ]; then
      printf '\n== top functions: bench/results/compare-article-sluice.cpuprofile\n'
      node --import tsx bench/lib/cpuprofile-top.ts bench/results/compare-article-sluice.cpuprofile 25 --under / || status=1
    fi
  fi
fi

if [ "$mode" = --full ]; then
  printf '\n== serving benchmark (bench/serving.bench.ts --full)\n'
  if npm run -s build; then
    node --import tsx bench/serving.bench.ts --full || status=1
    printf '\n== recovery and memory (bench/recovery.bench.ts --groups 1000,100000,1000000)\n'
    node --import tsx bench/recovery.bench.ts --groups 1000,100000,1000000 || status=1
  else
    sluice_say "npm run build failed; skipping the serving benchmark"
    status=1
  fi
fi
exit "$status"
