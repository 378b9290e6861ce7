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

# The console consumer prints every column through Kafka's BytesDeserializer, whose toString()
# keeps printable ASCII but writes backslash and every other byte as \xHH: no column holds a raw
# newline, 0x1e or 0x1f (the separators of columns and of headers), and `printf %b` turns a column
# back into the exact bytes. (Tab is not used: bash's read would merge the tabs around an empty key.)
BYTES_DESERIALIZER=org.apache.kafka.common.serialization.BytesDeserializer
COLUMN_SEP=$'\x1e'
HEADER_SEP=$'\x1f'
# what a null key/value/header prints as (after escaping: \x01null\x01)
NULL_LITERAL=$'\x01null\x01'
NULL_PRINTED='\x01null\x01'

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

require_cmd() { # command what-it-is-needed-for
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: needed to $2" "install it, e.g. apt-get install -y $1"
}

# Kafka's tools jar (and what it needs) and avro-tools, from Maven Central, once.
fetch_tools() {
  [[ -f $KAFKA_TOOLS/.complete && -f $AVRO_TOOLS/.complete ]] && return 0
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: it fetches Kafka's tools ($KAFKA_VERSION) and avro-tools ($AVRO_VERSION) from Maven Central on the first run" \
      "install it (apt-get install -y maven), or fill $KAFKA_TOOLS and $AVRO_TOOLS from another machine"
  local tmp="$CACHE/.avro-console-fetch.$$" log="$CACHE/avro-console-fetch.log" start=$SECONDS
  say "fetching org.apache.kafka:kafka-tools:$KAFKA_VERSION and org.apache.avro:avro-tools:$AVRO_VERSION from Maven Central into $CACHE"
  mkdir -p "$CACHE"
  rm -rf "$tmp"
  if ! mvn -B -q -U -Dstyle.color=never -f "$ROOT/infra/tools/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" -Davro.version="$AVRO_VERSION" \
    -Dtools.kafkaDirectory="$tmp/kafka" -Dtools.avroDirectory="$tmp/avro" \
    dependency:copy-dependencies@kafka-tools dependency:copy-dependencies@avro-tools >"$log" 2>&1; then
    rm -rf "$tmp"
    printf '[avro-console] error: download from Maven Central failed (full output: %s)\n' "$log" >&2
    show_tail "$log"
    exit 1
  fi
  [[ -f $tmp/kafka/kafka-tools-$KAFKA_VERSION.jar && -f $tmp/avro/avro-tools-$AVRO_VERSION.jar ]] ||
    die "kafka-tools or avro-tools jar missing after the download (see $log)"
  touch "$tmp/kafka/.complete" "$tmp/avro/.complete"
  # mv -T refuses to replace a non-empty directory: a concurrent run that finished first wins
  local pair src dest
  for pair in "kafka:$KAFKA_TOOLS" "avro:$AVRO_TOOLS"; do
    src="$tmp/${pair%%:*}" dest="${pair#*:}"
    [[ -f $dest/.complete ]] || { rm -rf "$dest" && mv -T "$src" "$dest" 2>/dev/null; } || true
  done
  rm -rf "$tmp"
  [[ -f $KAFKA_TOOLS/.complete && -f $AVRO_TOOLS/.complete ]] || die "could not install the tools into $CACHE"
  say "tools ready in $CACHE ($((SECONDS - start))s)"
}

# java with Kafka's tools on the classpath (an array, so that `"${KAFKA_JAVA[@]}" … &` makes $! the JVM)
KAFKA_JAVA=(java "${JAVA_OPTS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$KAFKA_TOOLS/*")

# fails unless one of the bootstrap brokers accepts a TCP connection
brokers_reachable() {
  local b host port list
  IFS=',' read -r -a list <<<"$BROKERS"
  for b in "${list[@]}"; do
    b="${b// /}" host="${b%:*}" port="${b##*:}"
    [[ -n $host && $port =~ ^[0-9]+$ ]] || continue
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
  done
  return 1
}

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

# the Java tools' client settings, from the same variables as the services (docs/kafka-security.md)
write_client_config() {
  local protocol="${KAFKA_SECURITY_PROTOCOL:-}" user="${KAFKA_USERNAME:-}" password="${KAFKA_PASSWORD:-}"
  local mechanism="${KAFKA_SASL_MECHANISM:-scram-sha-512}" module secrets
  [[ -n $protocol ]] || protocol="$([[ ${KAFKA_SSL:-false} == true ]] && echo SASL_SSL || echo SASL_PLAINTEXT)"
  {
    printf 'security.protocol=%s\n' "$protocol"
    if [[ $protocol == SASL_* ]]; then
      if [[ -z $user ]]; then
        secrets="${ORDER_SAGA_STATE:-$ROOT/.stack}/secrets"
        [[ -f $secrets/kafka-admin ]] ||
          die "no Kafka credentials: set KAFKA_USERNAME/KAFKA_PASSWORD (or KAFKA_SECURITY_PROTOCOL=PLAINTEXT)" \
            "the local stack's admin password ($secrets/kafka-admin) is created by: npm run stack -- up"
        user=admin password="$(tr -d '\n' <"$secrets/kafka-admin")"
      fi
      case "$mechanism" in
        plain) module=org.apache.kafka.common.security.plain.PlainLoginModule ;;
        scram-sha-256 | scram-sha-512) module=org.apache.kafka.common.security.scram.ScramLoginModule ;;
        *) die "KAFKA_SASL_MECHANISM=$mechanism must be one of scram-sha-512, scram-sha-256, plain" ;;
      esac
      printf 'sasl.mechanism=%s\n' "${mechanism^^}"
      printf 'sasl.jaas.config=%s required username="%s" password="%s";\n' "$module" "$user" "$password"
    fi
    if [[ $protocol == *SSL && -n ${KAFKA_SSL_CA_FILE:-} ]]; then
      printf 'ssl.truststore.type=PEM\nssl.truststore.location=%s\n' "$KAFKA_SSL_CA_FILE"
    fi
  } >"$WORK/client.properties"
}
write_client_config

# ---------------------------------------------------------------------------------------------
# 1. read the topic: Kafka's console consumer; in parallel, kafka-topics --describe, so a missing
#    topic is reported at once instead of after the consumer's timeout

t0=$SECONDS
"${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" --command-config "$WORK/client.properties" --describe --topic "$TOPIC" \
  >"$WORK/describe.out" 2>"$WORK/describe.err" &
describe_pid=$!
"${KAFKA_JAVA[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BROKERS" --topic "$TOPIC" \
  --consumer.config "$WORK/client.properties" \
  --from-beginning --max-messages "$MAX" --timeout-ms "$TIMEOUT_MS" \
  --property print.timestamp=true --property print.partition=true --property print.offset=true \
  --property print.headers=true --property print.key=true --property print.value=true \
  --property key.deserializer="$BYTES_DESERIALIZER" \
  --property value.deserializer="$BYTES_DESERIALIZER" \
  --property headers.deserializer="$BYTES_DESERIALIZER" \
  --property key.separator="$COLUMN_SEP" --property headers.separator="$HEADER_SEP" \
  --property null.literal="$NULL_LITERAL" \
  >"$WORK/records.txt" 2>"$WORK/consumer.err" &
consumer_pid=$!

if ! wait "$describe_pid"; then
  if grep -q 'does not exist' "$WORK/describe.err" "$WORK/describe.out"; then
    kill "$consumer_pid" 2>/dev/null || true
    wait "$consumer_pid" 2>/dev/null || true
    # some of the topics there are, those without a run prefix ('.') first
    "${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" --command-config "$WORK/client.properties" --list --exclude-internal \
      2>/dev/null | awk '{ print (index($0, ".") ? 1 : 0) "\t" $0 }' | sort | cut -f2 >"$WORK/topics.txt" || true
    n="$(grep -c '' "$WORK/topics.txt" || true)"
    die "topic '$TOPIC' does not exist on $BROKERS" \
      "$n topic(s) there: $(head -n 20 "$WORK/topics.txt" | paste -sd ' ' -)$( ((n > 20)) && printf ' …')"
  fi
  say "warning: kafka-topics --describe failed (continuing with the consumer):"
  show_tail "$WORK/describe.err" 5
fi
partitions="$(sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' "$WORK/describe.out" | head -1)"
consumer_rc=0
wait "$consumer_pid" || consumer_rc=$?
# the consumer ends with a TimeoutException (logged, exit 0) when fewer than max messages came
if ((consumer_rc != 0)); then
  printf '[avro-console] error: the console consumer failed (exit %s)\n' "$consumer_rc" >&2
  show_tail "$WORK/consumer.err"
  exit 1
fi
count="$(grep -c '' "$WORK/records.txt" || true)"
say "topic $TOPIC${partitions:+ ($partitions partition(s))}: $count message(s) read in $((SECONDS - t0))s by Kafka's ConsoleConsumer $KAFKA_VERSION"
if ((count == 0)); then
  say "no messages within ${TIMEOUT_MS} ms: the topic is empty"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# 2. split the columns, write each value's bytes to a file, read its Confluent frame

declare -a M_TS M_PART M_OFF M_KEY M_HEADERS M_TYPE M_STATUS M_SID M_LEN M_JSON
declare -A IDS_MSGS=() # schema id -> message indexes (space separated)
i=0
while IFS="$COLUMN_SEP" read -r ts part off headers key value; do
  M_TS[i]="$ts" M_PART[i]="${part#Partition:}" M_OFF[i]="${off#Offset:}" M_KEY[i]="$key" M_JSON[i]=''
  M_TYPE[i]='' M_SID[i]='' M_LEN[i]=''
  M_HEADERS[i]=''
  if [[ $headers != NO_HEADERS ]]; then
    IFS="$HEADER_SEP" read -r -a hs <<<"$headers"
    for h in "${hs[@]}"; do
      [[ ${h%%:*} == record-type ]] && M_TYPE[i]="${h#*:}"
      M_HEADERS[i]+="${M_HEADERS[i]:+, }${h%%:*}=${h#*:}"
    done
  fi
  if [[ $value == "$NULL_PRINTED" ]]; then
    M_STATUS[i]=null M_JSON[i]='null (tombstone: nothing to decode)'
  else
    printf '%b' "$value" >"$WORK/$i.value"
    size="$(wc -c <"$WORK/$i.value")"
    read -r -a b < <(od -An -tu1 -N5 -v "$WORK/$i.value") || true
    if ((size < 5)); then
      M_STATUS[i]="not Confluent-framed: $size bytes, shorter than the 5-byte header"
    elif ((b[0] != 0)); then
      M_STATUS[i]="$(printf 'not Confluent-framed: magic byte 0x%02x, expected 0x00' "${b[0]}")"
    else
      sid=$(((b[1] << 24) | (b[2] << 16) | (b[3] << 8) | b[4]))
      M_SID[i]="$sid" M_LEN[i]=$((size - 5)) M_STATUS[i]=ok
      tail -c +6 "$WORK/$i.value" >"$WORK/$i.body"
      IDS_MSGS[$sid]+="${IDS_MSGS[$sid]:+ }$i"
    fi
  fi
  i=$((i + 1))
done <"$WORK/records.txt"

# ---------------------------------------------------------------------------------------------
# 3. per schema id: the writer schema from the registry (fetched once per run: ids belong to one
#    registry, and `stack up --fresh` starts a new one, so they are not cached across runs), then
#    one avro-tools call for all the bodies written with it

declare -A SCHEMA_NAME=() SCHEMA_ERR=()
HAVE_JQ=0
command -v jq >/dev/null 2>&1 && HAVE_JQ=1

registry_get() { # path outfile -> prints the HTTP status; dies when the registry does not answer
  local code
  if ! code="$(curl -sS -m 10 -o "$2" -w '%{http_code}' "$REGISTRY$1" 2>"$WORK/curl.err")"; then
    die "schema registry not reachable at $REGISTRY (SCHEMA_REGISTRY_URL): $(head -1 "$WORK/curl.err")" \
      "start the local stack: npm run stack -- up"
  fi
  printf '%s' "$code"
}

# schema id -> $WORK/schema-<id>.avsc and SCHEMA_NAME[id], or SCHEMA_ERR[id]
fetch_schema() {
  local id="$1" code type
  local out="$WORK/schema-$id.json" avsc="$WORK/schema-$id.avsc"
  if ((HAVE_JQ)); then
    # GET /schemas/ids/<id> -> {"schema": "<schema text>", "schemaType": absent for Avro}
    code="$(registry_get "/schemas/ids/$id" "$out")"
  else
    # without jq: the same API's raw form, GET /schemas/ids/<id>/schema -> the schema text itself
    code="$(registry_get "/schemas/ids/$id/schema" "$avsc")"
    out="$avsc"
  fi
  if [[ $code == 404 ]]; then
    SCHEMA_ERR[$id]="schema id $id is unknown to the registry at $REGISTRY (a registry wiped since the message was written?)"
    return
  fi
  [[ $code == 200 ]] || die "GET $REGISTRY/schemas/ids/$id answered HTTP $code: $(head -c 300 "$out")"
  ((HAVE_JQ)) || return 0
  jq -e '.schema | type == "string"' "$out" >/dev/null 2>&1 ||
    die "GET $REGISTRY/schemas/ids/$id: no schema in the answer: $(head -c 300 "$out")"
  type="$(jq -r '.schemaType // "AVRO"' "$out")"
  if [[ $type != AVRO ]]; then
    SCHEMA_ERR[$id]="schema id $id is a $type schema, not Avro"
    return
  fi
  jq -r '.schema' "$out" >"$avsc"
  SCHEMA_NAME[$id]="$(jq -r '.schema | fromjson | if type == "object" and .name then
      (if (.name | contains(".")) or (.namespace // "") == "" then .name else .namespace + "." + .name end)
    else (.type? // . | tostring) end' "$out" 2>/dev/null || true)"
}

# fragtojson: the Avro binary datums on stdin, one JSON line each, with the given writer schema
fragtojson() { # schema-id errfile  (stdin -> stdout)
  java "${JAVA_OPTS[@]}" -jar "$AVRO_JAR" fragtojson --no-pretty --schema-file "$WORK/schema-$1.avsc" - 2>"$2"
}

# the bodies of the messages (indexes) written with one schema id, through one avro-tools call:
# $WORK/<i>.json for each; fails when avro-tools fails or the number of JSON lines is not theirs
decode_batch() { # schema-id indexes...
  local id="$1" i n=0 lines
  shift
  for i in "$@"; do cat "$WORK/$i.body"; done | fragtojson "$id" "$WORK/batch-$id.err" >"$WORK/batch-$id.json" ||
    return 1
  lines="$(grep -c '' "$WORK/batch-$id.json" || true)"
  ((lines == $#)) || return 1
  for i in "$@"; do
    n=$((n + 1))
    sed -n "${n}p" "$WORK/batch-$id.json" >"$WORK/$i.json"
  done
}

t1=$SECONDS
calls=0
declare -A BATCH_PID=()
for id in "${!IDS_MSGS[@]}"; do
  fetch_schema "$id"
  if [[ -n ${SCHEMA_ERR[$id]:-} ]]; then
    read -r -a idx <<<"${IDS_MSGS[$id]}"
    for i in "${idx[@]}"; do M_STATUS[i]="${SCHEMA_ERR[$id]}"; done
    continue
  fi
  # one JVM per schema id, all at once
  # shellcheck disable=SC2086 # the index list is split on purpose
  decode_batch "$id" ${IDS_MSGS[$id]} &
  BATCH_PID[$id]=$!
  calls=$((calls + 1))
done
for id in "${!BATCH_PID[@]}"; do
  read -r -a idx <<<"${IDS_MSGS[$id]}"
  if wait "${BATCH_PID[$id]}"; then
    for i in "${idx[@]}"; do M_JSON[i]="$(<"$WORK/$i.json")"; done
    continue
  fi
  # a body that does not decode spoils its batch: decode them one by one to tell which
  for i in "${idx[@]}"; do
    calls=$((calls + 1))
    if fragtojson "$id" "$WORK/$i.err" <"$WORK/$i.body" >"$WORK/$i.json" &&
      [[ $(grep -c '' "$WORK/$i.json") == 1 ]]; then
      M_JSON[i]="$(<"$WORK/$i.json")"
    elif [[ -s $WORK/$i.json ]]; then
      M_STATUS[i]="the Avro body has bytes left after one datum of schema id $id"
    else
      err="$(grep -m1 -E 'Exception|Error' "$WORK/$i.err" || tail -1 "$WORK/$i.err")"
      err="${err#Exception in thread \"main\" }"
      [[ $err == *EOFException* ]] && err+=" (the body ends before the datum does)"
      M_STATUS[i]="avro-tools could not decode the body with schema id $id: $err"
    fi
  done
done
((calls > 0)) && say "decoded with avro-tools $AVRO_VERSION fragtojson: $calls call(s) for ${#BATCH_PID[@]} schema id(s) in $((SECONDS - t1))s"

# ---------------------------------------------------------------------------------------------
# 4. print

# CreateTime:1795329176004 -> CreateTime 2026-11-22T06:32:56.004Z (as is when date cannot)
format_ts() {
  local kind="${1%%:*}" ms="${1#*:}" iso
  if [[ $ms =~ ^[0-9]+$ ]] && iso="$(date -u -d "@$((ms / 1000))" +%Y-%m-%dT%H:%M:%S 2>/dev/null)"; then
    printf '%s %s.%03dZ' "$kind" "$iso" $((ms % 1000))
  else
    printf '%s' "$1"
  fi
}

failed=0
for ((i = 0; i < count; i++)); do
  printf '=== %s partition %s offset %s (%s)\n' "$TOPIC" "${M_PART[i]}" "${M_OFF[i]}" "$(format_ts "${M_TS[i]}")"
  key="${M_KEY[i]}"
  [[ $key == "$NULL_PRINTED" ]] && key='(null)'
  [[ -z $key ]] && key='(empty)'
  printf 'key:         %s\n' "$key"
  printf 'record-type: %s\n' "${M_TYPE[i]:-(no record-type header)}"
  printf 'headers:     %s\n' "${M_HEADERS[i]:-(none)}"
  if [[ -n ${M_SID[i]} ]]; then
    sid="${M_SID[i]}"
    note=''
    name="${SCHEMA_NAME[$sid]:-}"
    if [[ -n $name && -n ${M_TYPE[i]} && ${name##*.} != "${M_TYPE[i]}" ]]; then
      note="  (!) record-type header says ${M_TYPE[i]}"
    fi
    printf 'frame:       magic byte 0x00, schema id %s%s, Avro body %s bytes%s\n' \
      "$sid" "${name:+ = $name}" "${M_LEN[i]}" "$note"
  fi
  if [[ -n ${M_JSON[i]} ]]; then
    printf 'value:       %s\n' "${M_JSON[i]}"
  else
    printf 'error:       %s\n' "${M_STATUS[i]}"
    failed=$((failed + 1))
  fi
done

if ((failed > 0)); then
  say "$failed of $count message(s) could not be decoded"
  exit 1
fi
