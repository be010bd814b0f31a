# scripts/lib.sh — shell helpers sourced by scripts/setup.sh, scripts/kafka.sh and scripts/test.sh.
# Stateless: defines functions and SLUICE_ROOT only. Every function is idempotent and quiet unless it acts.

SLUICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# sluice_say MSG... — one line on stderr, prefixed with the calling script's name.
sluice_say() {
  printf '[%s] %s\n' "$(basename "$0")" "$*" >&2
}

# sluice_hosts_alias — make the article's `kafka` host name resolve to 127.0.0.1 (adds one /etc/hosts line
# when no line maps `kafka`). Needs root to write; without root it only warns.
sluice_hosts_alias() {
  if grep -qE '^[[:space:]]*[0-9.]+[[:space:]]+(.*[[:space:]])?kafka([[:space:]]|$)' /etc/hosts 2>/dev/null; then
    return 0
  fi
  if [ -w /etc/hosts ]; then
    printf '127.0.0.1 kafka\n' >> /etc/hosts
    sluice_say "added '127.0.0.1 kafka' to /etc/hosts"
  else
    sluice_say "warning: /etc/hosts has no 'kafka' alias and is not writable (run as root)"
    return 1
  fi
}

# sluice_tcp_open HOST PORT — exit 0 when a TCP connection to HOST:PORT succeeds within ~1 s.
sluice_tcp_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}
