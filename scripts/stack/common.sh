# shellcheck shell=bash
# Sourced by scripts/stack.sh: its settings (versions, paths, ports, from the environment) and
# output helpers.

KAFKA_VERSION=4.1.0
APICURIO_VERSION=3.0.9 # newest Apicurio 3.x on Maven Central that runs on Java 17 (3.3.x needs Java 21)

CACHE="${ORDER_SAGA_CACHE:-$HOME/.cache/order-saga}"
STATE="${ORDER_SAGA_STATE:-$ROOT/.stack}"
LOGS="$STATE/logs"
RUN="$STATE/run"
KAFKA_LIBS="$CACHE/kafka-libs-$KAFKA_VERSION"
APICURIO_HOME="$CACHE/apicurio-registry-$APICURIO_VERSION"
KAFKA_DIR="$STATE/kafka"
KAFKA_DATA="$KAFKA_DIR/data"
REGISTRY_DATA="$STATE/registry"

KAFKA_PORT="${KAFKA_PORT:-9092}"
PLAINTEXT_PORT="" # up --plaintext-port (bench only)
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
SCHEMA_REGISTRY_PORT="${SCHEMA_REGISTRY_PORT:-8081}"
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/order_saga}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
REGISTRY_HEAP_OPTS="${REGISTRY_HEAP_OPTS:--Xms128m -Xmx512m}"
START_TIMEOUT="${STACK_START_TIMEOUT:-90}"
STOP_TIMEOUT=30
HOST=127.0.0.1
REGISTRY_BASE="http://$HOST:$SCHEMA_REGISTRY_PORT/apis"
CCOMPAT="$REGISTRY_BASE/ccompat/v7"

# output helpers
if [[ -t 1 ]]; then B=$'\e[1m' R=$'\e[31m' G=$'\e[32m' Y=$'\e[33m' N=$'\e[0m'; else B='' R='' G='' Y='' N=''; fi
say() { printf '%s[stack]%s %s\n' "$B" "$N" "$*"; }
warn() { printf '%s[stack] %s%s\n' "$Y" "$*" "$N" >&2; }
die() {
  printf '%s[stack] error:%s %s\n' "$R" "$N" "$1" >&2
  shift || true
  local line
  for line in "$@"; do printf '        %s\n' "$line" >&2; done
  exit 1
}
# error with the last lines of a log file
die_log() { # message logfile [lines]
  printf '%s[stack] error:%s %s\n' "$R" "$N" "$1" >&2
  log_tail "$2" "${3:-30}"
  exit 1
}
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

log_tail() { # file [lines]
  if [[ -f $1 ]]; then
    tail -n "${2:-30}" "$1" | sed -e $'s/\e\\[[0-9;]*m//g' -e 's/^/        | /' >&2 || true
  fi
}
