#!/usr/bin/env bash
# scripts/setup.sh — idempotent set-up of a fresh Debian machine (run as root) for sluice's build and tests:
# kcat and openssl (Debian), the `kafka` → 127.0.0.1 alias in /etc/hosts, npm dependencies (npm ci when node_modules is
# missing or out of date with package-lock.json), and the Kafka broker's jars (scripts/kafka.sh fetch).
# Quiet unless it changes something. Safe to run repeatedly.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SLUICE_ROOT"

# apt_install PACKAGE... : install Debian packages (as root), or say what to run (otherwise).
apt_install() {
  if [ "$(id -u)" -eq 0 ]; then
    sluice_say "installing $* (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq > /dev/null
    apt-get install -y -qq "$@" > /dev/null
  else
    sluice_say "warning: $* missing and this is not root; run: apt-get update && apt-get install -y $*"
  fi
}

# 1. kcat: a real, independent Kafka client used by e2e tests; openssl: the TLS e2e test makes a throw-away
#    self-signed certificate with it.
command -v kcat > /dev/null 2>&1 || apt_install kcat
command -v openssl > /dev/null 2>&1 || apt_install openssl

# 1b. Real client libraries for compatibility tests: psycopg2 + SQLAlchemy (Superset's path, Debian packages) and
#     pgjdbc (DBeaver/DataGrip/Metabase's path, Maven Central).
/usr/bin/python3 -c 'import psycopg2, sqlalchemy' > /dev/null 2>&1 || apt_install python3-psycopg2 python3-sqlalchemy
if [ ! -f "$HOME/.m2/repository/org/postgresql/postgresql/42.7.13/postgresql-42.7.13.jar" ]; then
  sluice_say "fetching pgjdbc 42.7.13 (Maven Central)"
  mvn -B -q dependency:get -Dartifact=org.postgresql:postgresql:42.7.13 -Dtransitive=false > /dev/null
fi

# 2. The article's kafka:9092 must resolve to the local broker.
sluice_hosts_alias || true

# 3. npm dependencies. node_modules/.package-lock.json is npm's record of what is installed; when the lockfile
#    is newer, check the tree before reinstalling (a plain `npm install x` also touches both files).
needs_ci=0
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ]; then
  needs_ci=1
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if npm ls --depth=0 > /dev/null 2>&1; then
    touch node_modules/.package-lock.json
  else
    needs_ci=1
  fi
fi
if [ "$needs_ci" -eq 1 ]; then
  sluice_say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error > /dev/null
fi

# 4. Kafka broker jars from Maven Central into ~/.m2/sluice-kafka/<version>/lib (no-op when cached).
bash "$SLUICE_ROOT/scripts/kafka.sh" fetch
