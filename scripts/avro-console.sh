#!/usr/bin/env bash
# Reads a topic with tools that know nothing of this project's TypeScript: Kafka's own Java console
# consumer (org.apache.kafka.tools.consumer.ConsoleConsumer) and Apache Avro's avro-tools, both
# fetched from Maven Central (infra/tools/pom.xml) on the first run and cached.
#
#   bash scripts/avro-console.sh <topic> [max-messages, default 5]
#
# For every message, read from the beginning of the topic (partition by partition): the key, the
# record-type header (and the others), the Confluent frame (magic byte 0 + 4-byte big-endian schema
# id), the writer schema fetched from the registry by that id (GET /schemas/ids/<id>), and the Avro
# body decoded to JSON by `avro-tools fragtojson` with that schema. One block per message:
#
#   === <topic> partition <p> offset <o> (CreateTime <ISO time>)
#   key:         <key>
#   record-type: <record-type header>
#   headers:     <name>=<value>, …
#   frame:       magic byte 0x00, schema id <id> = <writer schema full name>, Avro body <n> bytes
#   value:       <the Avro body as JSON, one line>        (or  error: <why it could not be decoded>)
#
# Bytes outside printable ASCII in keys and headers show as \xHH (Kafka's Bytes.toString()).
# Exits 1 when a message cannot be decoded (after printing every message), 2 on usage errors.
#
# Environment: KAFKA_BROKERS (127.0.0.1:9092), the Kafka client security of the services
# (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_USERNAME, KAFKA_PASSWORD, KAFKA_SSL,
# KAFKA_SSL_CA_FILE; default: the local stack's admin, password in $ORDER_SAGA_STATE/secrets), SCHEMA_REGISTRY_URL
# (http://127.0.0.1:8081/apis/ccompat/v7), ORDER_SAGA_CACHE (downloaded tools, ~/.cache/order-saga),
# AVRO_CONSOLE_TIMEOUT_MS (5000: the consumer stops when no message came for that long; a topic
# with fewer than max-messages messages always takes that long), AVRO_CONSOLE_JAVA_OPTS
# (JVM options for both tools; default tuned for short runs).
# Needs java 17+ and curl (jq, when installed, also shows each schema's full name); mvn only for
# the first run. Progress and errors go to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=support/require-java.sh
source "$ROOT/scripts/support/require-java.sh"

KAFKA_VERSION=4.1.0
AVRO_VERSION=1.12.2

BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
REGISTRY="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}"
REGISTRY="${REGISTRY%/}"
CACHE="${ORDER_SAGA_CACHE:-$HOME/.cache/order-saga}"
TIMEOUT_MS="${AVRO_CONSOLE_TIMEOUT_MS:-5000}"
# short-lived JVMs: C1 only and the serial collector start noticeably faster
read -r -a JAVA_OPTS <<<"${AVRO_CONSOLE_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto}"

KAFKA_TOOLS="$CACHE/kafka-tools-$KAFKA_VERSION"
AVRO_TOOLS="$CACHE/avro-tools-$AVRO_VERSION"
AVRO_JAR="$AVRO_TOOLS/avro-tools-$AVRO_VERSION.jar"

say() { printf '[avro-console] %s\n' "$*" >&2; }
die() {
  printf '[avro-console] error: %s\n' "$1" >&2
  shift || true
  local line
  for line in "$@"; do printf '        %s\n' "$line" >&2; done
  exit 1
}
usage() { # the comment block at the top of this file
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}
# last lines of a file, indented, to stderr
show_tail() { # file [lines]
  [[ -s $1 ]] && tail -n "${2:-15}" "$1" | sed 's/^/        | /' >&2
  return 0
}

# the parts, one concern each (scripts/avro-console/)
# shellcheck source=avro-console/tools.sh
source "$ROOT/scripts/avro-console/tools.sh"
# shellcheck source=avro-console/kafka-client.sh
source "$ROOT/scripts/avro-console/kafka-client.sh"
# shellcheck source=avro-console/read-topic.sh
source "$ROOT/scripts/avro-console/read-topic.sh"
# shellcheck source=avro-console/frames.sh
source "$ROOT/scripts/avro-console/frames.sh"
# shellcheck source=avro-console/decode.sh
source "$ROOT/scripts/avro-console/decode.sh"
# shellcheck source=avro-console/print.sh
source "$ROOT/scripts/avro-console/print.sh"

# ---------------------------------------------------------------------------------------------
# arguments and prerequisites

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
if (($# < 1 || $# > 2)); then
  usage >&2
  exit 2
fi
TOPIC="$1"
MAX="${2:-5}"
[[ $TOPIC =~ ^[A-Za-z0-9._-]{1,249}$ ]] ||
  { say "invalid topic name: '$TOPIC' (letters, digits, '.', '_', '-')"; exit 2; }
[[ $MAX =~ ^[1-9][0-9]{0,6}$ ]] || { say "max-messages must be a positive integer, got '$MAX'"; exit 2; }
[[ $TIMEOUT_MS =~ ^[1-9][0-9]*$ ]] || { say "AVRO_CONSOLE_TIMEOUT_MS must be a positive integer"; exit 2; }

require_java "Kafka's console consumer and avro-tools"
require_cmd curl "fetch writer schemas from the schema registry"
fetch_tools
brokers_reachable ||
  die "Kafka does not answer at $BROKERS (KAFKA_BROKERS)" "start the local stack: npm run stack -- up"
# any HTTP answer will do here; what the registry says about each schema id is checked later
curl -sS -m 5 -o /dev/null "$REGISTRY/config" 2>/dev/null ||
  die "schema registry not reachable at $REGISTRY (SCHEMA_REGISTRY_URL)" "start the local stack: npm run stack -- up"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/avro-console.XXXXXX")"
# on the way out: stop this script's own background jobs still running (jobs -p lists no reaped
# pid) and their children (a job that is a function runs its JVM in a subshell)
cleanup() {
  local pid kids
  for pid in $(jobs -p); do
    read -r -d '' -a kids < <(ps -o pid= --ppid "$pid" 2>/dev/null) || true
    kill "$pid" "${kids[@]}" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

write_client_config

# 1. read the topic, 2. split its messages, 3. decode their values, 4. print them
read_topic
split_records
decode_values
print_messages
