#!/usr/bin/env bash
# bench/flink/build.sh — builds the Flink SQL peer once: target/sluice-flink-peer-1.jar + its runtime classpath in
# target/lib (Flink 1.20.3 + flink-connector-kafka 3.4.0-1.20 from Maven Central). Offline (`mvn -o`) when the local
# Maven cache has everything, else online. Invariant: target/.built holds the pom+sources checksum of the last
# successful build; an unchanged tree is not rebuilt. Usage: bash bench/flink/build.sh [--force]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

stamp() { cat pom.xml src/main/java/sluice/bench/*.java src/main/resources/* | sha256sum | cut -d' ' -f1; }

if [ "${1:-}" != --force ] && [ -f target/.built ] && [ "$(cat target/.built)" = "$(stamp)" ] && [ -d target/lib ]; then
  exit 0
fi
command -v mvn > /dev/null && command -v java > /dev/null || { echo "bench/flink/build.sh: need java 17 and mvn" >&2; exit 1; }
start=$(date +%s)
rm -rf target/lib
log=$(mktemp)
if mvn -B -q -o -Dstyle.color=never package > "$log" 2>&1; then
  how=offline
else
  echo "bench/flink/build.sh: offline build failed (cache incomplete?); building online from Maven Central" >&2
  if ! mvn -B -q -Dstyle.color=never package > "$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  how=online
fi
rm -f "$log"
stamp > target/.built
echo "bench/flink/build.sh: built the Flink peer ($how) in $(( $(date +%s) - start )) s: $(du -sh target/lib | cut -f1) of jars in bench/flink/target/lib" >&2
