#!/usr/bin/env bash
# scripts/kafka.sh fetch|start|stop|status|ensure — a single-node Apache Kafka (KRaft) broker for tests.
# Jars come from Maven Central (scripts/kafka/pom.xml) into ~/.m2/sluice-kafka/<version>/lib, fetched once.
# State lives in $SLUICE_KAFKA_STATE (default /tmp/sluice-kafka): pid, data dir path, log. Every start formats a
# fresh mktemp data dir. Invariant: this script only ever signals the pid it recorded, and only while that pid
# is a java kafka.Kafka process; it never kills by name.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION="${SLUICE_KAFKA_VERSION:-4.1.1}"
CACHE_DIR="${SLUICE_KAFKA_CACHE:-$HOME/.m2/sluice-kafka/$KAFKA_VERSION}"
LIB_DIR="$CACHE_DIR/lib"
STATE_DIR="${SLUICE_KAFKA_STATE:-/tmp/sluice-kafka}"
CONF_DIR="$SLUICE_ROOT/scripts/kafka"
PID_FILE="$STATE_DIR/broker.pid"
DATA_FILE="$STATE_DIR/datadir"
LOG_FILE="$STATE_DIR/broker.log"
HOST=127.0.0.1
PORT=9092
CLUSTER_ID="4L6g3nShT-eMCtK--X86sw" # any base64url 16-byte UUID; each start formats a fresh dir
START_TIMEOUT_S="${SLUICE_KAFKA_START_TIMEOUT:-120}"
STOP_TIMEOUT_S="${SLUICE_KAFKA_STOP_TIMEOUT:-30}"

is_kafka3() { [[ "$KAFKA_VERSION" == 3.* ]]; }

# The stamp records the pom's checksum, so an edited pom re-fetches.
fetch_stamp() { sha256sum "$CONF_DIR/pom.xml" | cut -d' ' -f1; }

cmd_fetch() {
  local stamp
  stamp="$(fetch_stamp)-$KAFKA_VERSION"
  if [ -f "$CACHE_DIR/.complete" ] && [ "$(cat "$CACHE_DIR/.complete")" = "$stamp" ]; then
    return 0
  fi
  if ! command -v mvn > /dev/null 2>&1 || ! command -v java > /dev/null 2>&1; then
    sluice_say "need java (17+) and mvn on PATH to fetch the Kafka jars"
    return 1
  fi
  sluice_say "fetching Apache Kafka $KAFKA_VERSION jars into $LIB_DIR"
  mkdir -p "$CACHE_DIR"
  rm -rf "$LIB_DIR.tmp"
  local profile=()
  if is_kafka3; then profile=(-Dkafka3); fi
  if ! mvn -B -q -Dstyle.color=never -f "$CONF_DIR/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" "${profile[@]}" \
    -DoutputDirectory="$LIB_DIR.tmp" -DincludeScope=runtime > "$CACHE_DIR/fetch.log" 2>&1; then
    sluice_say "maven could not fetch the Kafka jars; $CACHE_DIR/fetch.log:"
    tail -n 40 "$CACHE_DIR/fetch.log" >&2
    return 1
  fi
  rm -rf "$LIB_DIR"
  mv "$LIB_DIR.tmp" "$LIB_DIR"
  printf '%s' "$stamp" > "$CACHE_DIR/.complete"
}

# recorded_pid — the pid in the pid file when that process is alive and is our broker; empty otherwise.
recorded_pid() {
  [ -f "$PID_FILE" ] || return 0
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'kafka\.Kafka '; then
    printf '%s' "$pid"
  fi
}

# broker_answers — the listener accepts connections and answers a metadata request naming one broker.
broker_answers() {
  sluice_tcp_open "$HOST" "$PORT" || return 1
  if command -v kcat > /dev/null 2>&1; then
    timeout 10 kcat -b "$HOST:$PORT" -L -m 5 2>/dev/null | grep -q ' 1 brokers:'
  fi
}

# clean_state — remove the data dir and the state files of a broker that is no longer running.
clean_state() {
  if [ -f "$DATA_FILE" ]; then
    local d
    d="$(cat "$DATA_FILE")"
    case "$d" in /tmp/sluice-kafka-data.*) rm -rf "$d" ;; esac
  fi
  rm -f "$PID_FILE" "$DATA_FILE"
}

jvm_opts() {
  local data="$1"
  local opts=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true "-Dkafka.logs.dir=$data/logs")
  if is_kafka3; then
    opts+=("-Dlog4j.configuration=file:$CONF_DIR/log4j.properties")
  else
    opts+=("-Dlog4j2.configurationFile=$CONF_DIR/log4j2.properties")
  fi
  printf '%s\n' "${opts[@]}"
}

cmd_start() {
  cmd_fetch
  sluice_hosts_alias || true
  local pid
  pid="$(recorded_pid)"
  if [ -n "$pid" ]; then
    sluice_say "already running (pid $pid); use 'ensure' to start only when needed"
    return 1
  fi
  clean_state
  if sluice_tcp_open "$HOST" "$PORT"; then
    sluice_say "port $HOST:$PORT is already in use by a process kafka.sh did not start"
    return 1
  fi
  mkdir -p "$STATE_DIR"
  local data
  data="$(mktemp -d /tmp/sluice-kafka-data.XXXXXX)"
  printf '%s' "$data" > "$DATA_FILE"
  mkdir -p "$data/logs"
  # Per-start config: the checked-in file plus this start's log.dirs (later keys win in java.util.Properties).
  { cat "$CONF_DIR/server.properties"; printf '\nlog.dirs=%s/data\n' "$data"; } > "$data/server.properties"
  local opts
  mapfile -t opts < <(jvm_opts "$data")
  local t0=$SECONDS
  if ! java "${opts[@]}" -cp "$LIB_DIR/*" kafka.tools.StorageTool format -t "$CLUSTER_ID" \
    -c "$data/server.properties" > "$data/format.log" 2>&1; then
    sluice_say "storage format failed:"
    cat "$data/format.log" >&2
    clean_state
    return 1
  fi
  : > "$LOG_FILE"
  # setsid: the broker outlives the caller's process group; the inner shell records its own pid, then execs java.
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$PID_FILE" \
    java "${opts[@]}" -cp "$LIB_DIR/*" kafka.Kafka "$data/server.properties" \
    >> "$LOG_FILE" 2>&1 < /dev/null 9>&- &
  local deadline=$((SECONDS + START_TIMEOUT_S))
  while [ $SECONDS -lt $deadline ]; do
    sleep 0.5
    pid="$(recorded_pid)"
    if [ -z "$pid" ] && [ -s "$PID_FILE" ] && ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      sluice_say "broker exited during start-up; log $LOG_FILE:"
      tail -n 40 "$LOG_FILE" >&2
      clean_state
      return 1
    fi
    if [ -n "$pid" ] && broker_answers; then
      sluice_say "Kafka $KAFKA_VERSION running on $HOST:$PORT (pid $pid, data $data, $((SECONDS - t0)) s)"
      return 0
    fi
  done
  sluice_say "broker not ready after ${START_TIMEOUT_S}s; log $LOG_FILE:"
  tail -n 40 "$LOG_FILE" >&2
  cmd_stop || true
  return 1
}

cmd_stop() {
  local pid
  pid="$(recorded_pid)"
  if [ -z "$pid" ]; then
    clean_state
    sluice_say "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while [ $SECONDS -lt $deadline ] && kill -0 "$pid" 2>/dev/null; do sleep 0.3; done
  if kill -0 "$pid" 2>/dev/null; then
    sluice_say "broker (pid $pid) ignored TERM for ${STOP_TIMEOUT_S}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  clean_state
  sluice_say "stopped (pid $pid)"
}

# status: prints running/stopped; exit 0 when a broker answers on 127.0.0.1:9092, 1 otherwise.
cmd_status() {
  local pid
  pid="$(recorded_pid)"
  if [ -n "$pid" ] && broker_answers; then
    echo "running (pid $pid, $HOST:$PORT, data $(cat "$DATA_FILE" 2>/dev/null))"
    return 0
  fi
  if [ -z "$pid" ] && broker_answers; then
    echo "running (not started by kafka.sh, $HOST:$PORT)"
    return 0
  fi
  if [ -n "$pid" ]; then
    echo "stopped (pid $pid alive but not answering on $HOST:$PORT)"
  else
    echo "stopped"
  fi
  return 1
}

# ensure: start unless a broker already answers. Prints "started" or "already running" on stdout.
cmd_ensure() {
  sluice_hosts_alias || true
  if cmd_status > /dev/null; then
    echo "already running"
    return 0
  fi
  if [ -n "$(recorded_pid)" ]; then
    # Ours but unhealthy (e.g. still starting, or wedged): give it one bounded wait, then restart.
    local deadline=$((SECONDS + 30))
    while [ $SECONDS -lt $deadline ]; do
      if broker_answers; then echo "already running"; return 0; fi
      sleep 1
    done
    cmd_stop
  fi
  cmd_start
  echo "started"
}

# One kafka.sh at a time may change the broker's state (two helpers running `ensure` at once must not race).
with_lock() {
  mkdir -p "$(dirname "$STATE_DIR")"
  exec 9> "$STATE_DIR.lock"
  if ! flock -w 300 9; then
    sluice_say "could not take $STATE_DIR.lock within 300 s"
    return 1
  fi
  "$@"
}

case "${1:-}" in
  fetch) with_lock cmd_fetch ;;
  start) with_lock cmd_start ;;
  stop) with_lock cmd_stop ;;
  ensure) with_lock cmd_ensure ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 fetch|start|stop|status|ensure   (env: SLUICE_KAFKA_VERSION=$KAFKA_VERSION, SLUICE_KAFKA_STATE=$STATE_DIR)" >&2
    exit 2
    ;;
esac
