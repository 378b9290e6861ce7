#!/usr/bin/env bash
# Local infrastructure without Docker: Apache Kafka (KRaft, one broker+controller) and Apicurio
# Registry from Maven Central artifacts, on loopback, plus the machine's PostgreSQL.
#
#   npm run stack -- up [--fresh] [--plaintext-port <port>]
#                                         start what is not running (idempotent); --fresh wipes the data;
#                                         --plaintext-port (bench only, never by default): an extra
#                                         unauthenticated PLAINTEXT listener for builds before SASL
#   npm run stack -- down [--purge]       stop what this script started; --purge also wipes the data
#   npm run stack -- status               one line per component; exit 0 only when all are up
#   npm run stack -- logs [kafka|registry] [-f]   last lines of the logs (-f follows)
#   npm run stack -- restart kafka        stop the Kafka broker alone and start it again on the same data
#                                         and configuration; returns once it answers metadata requests
#   npm run stack -- stop kafka | start kafka     the same in two steps (chaos tests: broker outages)
#
# Kafka's log and the registry's schemas (H2 file) both live in the state dir and are wiped together:
# messages never outlive the schema ids they carry. PostgreSQL's databases are never touched.
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), SCHEMA_REGISTRY_PORT (8081),
# DATABASE_URL (postgres://postgres@127.0.0.1:5432/order_saga), TOPIC_PARTITIONS (6),
# TOPIC_REPLICATION_FACTOR (1), ORDER_SAGA_CACHE (downloaded artifacts, default ~/.cache/order-saga),
# ORDER_SAGA_STATE (logs, pids, Kafka and registry data, generated configs, default <repo>/.stack),
# KAFKA_HEAP_OPTS (-Xms256m -Xmx1g), REGISTRY_HEAP_OPTS (-Xms128m -Xmx512m),
# STACK_START_TIMEOUT (seconds to wait for each component, 90).
#
# Kafka security (docs/kafka-security.md): clients authenticate with SASL/SCRAM-SHA-512 on KAFKA_PORT
# and the StandardAuthorizer denies what no ACL allows. Principals: admin (super user: topics, ACLs,
# the tests' harness), orchestrator, inventory, payment, shipping (least privilege, lib/kafka/acls.ts),
# plus broker and controller among themselves. Passwords: <state dir>/secrets/kafka-<principal>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=support/require-java.sh
source "$ROOT/scripts/support/require-java.sh"

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

# ---------------------------------------------------------------------------------------------
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

usage() { # the comment block at the top of this file
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}

# ---------------------------------------------------------------------------------------------
# processes: a component is "ours" when its pid file names a live process whose command line
# carries the marker -Dorder.saga.stack=<state dir>/<component> (guards against pid reuse).

marker() { printf -- '-Dorder.saga.stack=%s/%s' "$STATE" "$1"; }
pidfile() { printf '%s/%s.pid' "$RUN" "$1"; }

# prints the pid of a running component started by this script, or fails
running_pid() {
  local f pid
  f="$(pidfile "$1")"
  [[ -f $f ]] || return 1
  pid="$(<"$f")"
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ $cmdline == *"$(marker "$1") "* ]] || return 1
  printf '%s' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# who listens on a port (best effort, for error messages)
port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\))).*/\1/p' | head -1 || true
  fi
}

ensure_port_free() { # component port what
  if port_open "$2"; then
    local owner
    owner="$(port_owner "$2")"
    die "port $2 ($3) is already taken by a process this script did not start${owner:+: $owner}" \
      "stop it, or choose other ports, e.g. KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 SCHEMA_REGISTRY_PORT=18081"
  fi
}

# start a detached process in its own session; output appended to a log file
spawn() { # component logfile cmd...
  local comp="$1" log="$2"
  shift 2
  mkdir -p "$RUN" "$LOGS"
  printf '\n===== %s start %s =====\n' "$comp" "$(date -Is)" >>"$log"
  setsid "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$comp")"
}

stop_component() { # component label
  local comp="$1" label="$2" pid deadline
  if ! pid="$(running_pid "$comp")"; then
    rm -f "$(pidfile "$comp")"
    say "$label: not running (nothing started by this script)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$label (pid $pid) did not stop within ${STOP_TIMEOUT}s: kill -9"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(pidfile "$comp")" "$RUN/$comp.port"
  say "$label: stopped (pid $pid)"
}

# a running component keeps its port: asking for another one needs a restart
running_port_matches() { # component wanted-port env-name
  local running
  running="$(cat "$RUN/$1.port" 2>/dev/null || true)"
  [[ -z $running || $running == "$2" ]] ||
    die "$1 is already running on port $running, not $3=$2" "stop it first: npm run stack -- down"
}

log_tail() { # file [lines]
  if [[ -f $1 ]]; then
    tail -n "${2:-30}" "$1" | sed -e $'s/\e\\[[0-9;]*m//g' -e 's/^/        | /' >&2 || true
  fi
}

# ---------------------------------------------------------------------------------------------
# prerequisites and artifacts

require_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: it fetches Kafka and Apicurio Registry from Maven Central on the first run" \
      "install it (apt-get install -y maven), or fill $CACHE from another machine"
}

fetch_kafka() {
  [[ -f $KAFKA_LIBS/.complete ]] && return 0
  require_mvn
  local t0 tmp log
  t0="$(now)"
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  mkdir -p "$CACHE" "$LOGS"
  tmp="$KAFKA_LIBS.tmp.$$"
  log="$LOGS/fetch-kafka.log"
  rm -rf "$tmp"
  if ! mvn -B -q -U -Dstyle.color=never -f "$ROOT/infra/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$tmp" >"$log" 2>&1; then
    rm -rf "$tmp"
    die_log "download of Kafka $KAFKA_VERSION from Maven Central failed (full output: $log)" "$log" 15
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "Kafka jars missing after download (see $log)"
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  say "Kafka jars ready ($(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars, $(elapsed "$t0")s)"
}

fetch_apicurio() {
  [[ -f $APICURIO_HOME/.complete ]] && return 0
  require_mvn
  local t0 tmp log
  t0="$(now)"
  say "fetching Apicurio Registry $APICURIO_VERSION (io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all) into $APICURIO_HOME"
  mkdir -p "$CACHE" "$LOGS"
  tmp="$APICURIO_HOME.tmp.$$"
  log="$LOGS/fetch-apicurio.log"
  rm -rf "$tmp"
  if ! mvn -B -q -U -Dstyle.color=never -f "$ROOT/infra/pom.xml" -Papicurio -Dapicurio.version="$APICURIO_VERSION" \
    dependency:unpack@apicurio -Dapicurio.outputDirectory="$tmp" >"$log" 2>&1; then
    rm -rf "$tmp"
    die_log "download of Apicurio Registry $APICURIO_VERSION from Maven Central failed (full output: $log)" "$log" 15
  fi
  apicurio_launcher "$tmp" >/dev/null || die "no runnable jar in the Apicurio archive (see $tmp)"
  rm -rf "$tmp/.markers"
  touch "$tmp/.complete"
  rm -rf "$APICURIO_HOME"
  mv "$tmp" "$APICURIO_HOME"
  say "Apicurio Registry ready ($(elapsed "$t0")s)"
}

# 3.0.x ships a legacy-jar layout (<name>-runner.jar + lib/), later 3.x the fast-jar layout
# (quarkus-app/quarkus-run.jar, or quarkus-run.jar at the top of the archive): support both.
apicurio_launcher() {
  local home="$1" f
  for f in "$home/quarkus-app/quarkus-run.jar" "$home/quarkus-run.jar" "$home"/*-runner.jar; do
    [[ -f $f ]] && {
      printf '%s' "$f"
      return 0
    }
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL (the machine's; never started or stopped here)

pg_parts() { # sets PG_DB and PG_ADMIN_URL (same server, maintenance database "postgres")
  local url="${DATABASE_URL%%\?*}" query=""
  [[ $DATABASE_URL == *\?* ]] && query="?${DATABASE_URL#*\?}"
  PG_DB="${url##*/}"
  PG_ADMIN_URL="${url%/*}/postgres$query"
  [[ -n $PG_DB && $PG_DB != "$url" ]] || die "DATABASE_URL has no database name: $DATABASE_URL"
}

pg_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -t 3 -d "$PG_ADMIN_URL" >/dev/null 2>&1
  else
    psql "$PG_ADMIN_URL" -Atqc 'select 1' >/dev/null 2>&1
  fi
}

ensure_postgres() {
  command -v psql >/dev/null 2>&1 ||
    die "psql not found: needed to check PostgreSQL and create the database" \
      "install it: apt-get install -y postgresql-client"
  pg_parts
  if ! pg_up; then
    die "PostgreSQL does not answer at ${PG_ADMIN_URL%/*} (DATABASE_URL=$DATABASE_URL)" \
      "this script does not start or stop the machine's PostgreSQL; start it with:" \
      "  pg_ctlcluster --skip-systemctl-redirect 15 main start"
  fi
  local exists out
  if ! exists="$(psql "$PG_ADMIN_URL" -Atqc "select 1 from pg_database where datname = '${PG_DB//\'/\'\'}'" 2>&1)"; then
    die "cannot query PostgreSQL with DATABASE_URL=$DATABASE_URL" "$exists"
  fi
  if [[ $exists != 1 ]]; then
    out="$(psql "$PG_ADMIN_URL" -qc "create database \"${PG_DB//\"/\"\"}\"" 2>&1)" ||
      die "cannot create database $PG_DB" "$out"
    say "postgres: created database $PG_DB"
  fi
  say "postgres: up (${PG_ADMIN_URL%/*}/$PG_DB)"
  # Not ours to change, but worth knowing: the relays vacuum their outboxes themselves
  # (OUTBOX_VACUUM_EVERY_ROWS); every other table keeps its dead rows until a manual VACUUM.
  if [[ "$(psql "$PG_ADMIN_URL" -Atqc 'show autovacuum' 2>/dev/null)" == off ]]; then
    warn "postgres: autovacuum is off on this server: dead rows stay until a manual VACUUM, except in the outboxes (their relays vacuum them); turn it on in postgresql.conf for long runs"
  fi
}

# The services log in as their own roles (order_saga_<service>, lib/db/service-roles.ts): LOGIN and
# the passwords of $STATE/secrets/postgres-<service> (roles are cluster-wide; the migrations grant
# them their rights in each database).
provision_db_roles() {
  (cd "$ROOT" && DATABASE_URL="$DATABASE_URL" ORDER_SAGA_STATE="$STATE" node --import tsx scripts/provision-db-roles.ts) ||
    die "provisioning the services' PostgreSQL roles failed (DATABASE_URL=$DATABASE_URL)"
  say "postgres: service roles order_saga_{orchestrator,inventory,payment,shipping} can log in"
}

# ---------------------------------------------------------------------------------------------
# secrets (same layout as scripts/support/local-secrets.ts: 32 random bytes base64url, mode 0600,
# never overwritten)

SECRETS="$STATE/secrets"
KAFKA_CLIENT_PRINCIPALS=(admin orchestrator inventory payment shipping)

local_secret() { # name: prints the secret, creating it the first time
  local file="$SECRETS/$1" value
  [[ $1 =~ ^[a-z0-9-]+$ ]] || die "local secret name '$1': use a-z, 0-9 and '-'"
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
  if [[ ! -e $file ]]; then
    # noclobber: a concurrent creator wins, both read its value below
    (
      umask 077
      set -o noclobber
      printf '%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" >"$file"
    ) 2>/dev/null || true
  fi
  value="$(tr -d '\n' <"$file")"
  [[ -n $value ]] || die "local secret $file is empty: delete it to have it generated again"
  printf '%s' "$value"
}

# fingerprint of the SCRAM passwords the storage was formatted with: a secret deleted (and so
# regenerated) since then no longer matches the broker's credentials
kafka_credentials_fingerprint() {
  local p
  for p in broker "${KAFKA_CLIENT_PRINCIPALS[@]}"; do printf '%s=%s\n' "$p" "$(local_secret "kafka-$p")"; done |
    sha256sum | cut -c1-16
}

# ---------------------------------------------------------------------------------------------
# Kafka

write_kafka_config() {
  mkdir -p "$KAFKA_DIR" "$KAFKA_DATA"
  local broker_password controller_password bench_listener='' bench_advertised=''
  broker_password="$(local_secret kafka-broker)"
  controller_password="$(local_secret kafka-controller)"
  if [[ -n $PLAINTEXT_PORT ]]; then
    bench_listener=",BENCH://$HOST:$PLAINTEXT_PORT"
    bench_advertised=",BENCH://$HOST:$PLAINTEXT_PORT"
  fi
  # the file holds the broker's and the controller's passwords
  (umask 077 && : >"$KAFKA_DIR/server.properties")
  cat >"$KAFKA_DIR/server.properties" <<EOF
# generated by scripts/stack.sh on $(date -Is); edits are overwritten by the next 'up'
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=SASL://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT$bench_listener
advertised.listeners=SASL://$HOST:$KAFKA_PORT$bench_advertised
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL:SASL_PLAINTEXT,BENCH:PLAINTEXT
# clients (and the broker to itself): SCRAM-SHA-512, credentials in the cluster metadata (format --add-scram)
listener.name.sasl.sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$broker_password";
# the controller listener: KRaft cannot use SCRAM there (the credentials live in the metadata it
# serves), so SASL PLAIN with one static user, the controller, whose password is generated
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$controller_password" user_controller="$controller_password";
# least privilege: what no ACL allows is denied (ACLs: lib/kafka/acls.ts, applied by create-topics)
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:broker;User:controller
log.dirs=$KAFKA_DATA
# topics are created by scripts/create-topics.ts, never by the broker
auto.create.topics.enable=false
num.partitions=${TOPIC_PARTITIONS:-6}
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=67108864
num.network.threads=2
num.io.threads=4
EOF
}

kafka_java_args() {
  # shellcheck disable=SC2206
  local heap=($KAFKA_HEAP_OPTS)
  printf '%s\n' "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    "$(marker kafka)" \
    -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.yaml" -Dkafka.logs.dir="$LOGS" \
    -cp "$KAFKA_LIBS/*"
}

# the storage holds the SCRAM credentials (format --add-scram): one formatted before SASL, or with
# passwords that have changed since, would only give confusing authentication failures later
check_kafka_credentials() {
  local marker="$KAFKA_DIR/scram-credentials"
  if [[ ! -f $marker ]]; then
    die "Kafka's data in $KAFKA_DATA was formatted before SASL/SCRAM: it has no users; start afresh with: npm run stack -- up --fresh"
  fi
  if [[ "$(<"$marker")" != "$(kafka_credentials_fingerprint)" ]]; then
    die "Kafka's SCRAM users were formatted with other passwords than $SECRETS/kafka-* now hold (a secret was deleted or changed); start afresh with: npm run stack -- up --fresh"
  fi
}

format_kafka_storage() {
  if [[ -f $KAFKA_DATA/meta.properties ]]; then
    check_kafka_credentials
    return 0
  fi
  local id log="$LOGS/kafka-format.log" p scram=()
  # a cluster id is a base64url UUID without padding (22 chars); one that starts with '-' would be
  # read as an option by the storage tool ("--cluster-id: expected one argument", 1 run in 64), so
  # draw again as Kafka's own Uuid.randomUuid() does
  id=-
  while [[ $id == -* ]]; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
  done
  for p in broker "${KAFKA_CLIENT_PRINCIPALS[@]}"; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(local_secret "kafka-$p")]")
  done
  mapfile -t args < <(kafka_java_args)
  if ! java "${args[@]}" kafka.tools.StorageTool format -t "$id" \
    -c "$KAFKA_DIR/server.properties" "${scram[@]}" >"$log" 2>&1; then
    die_log "formatting Kafka storage in $KAFKA_DATA failed (see $log)" "$log" 20
  fi
  echo "$id" >"$KAFKA_DIR/cluster-id"
  kafka_credentials_fingerprint >"$KAFKA_DIR/scram-credentials"
  say "kafka: formatted storage (cluster id $id; SCRAM users: broker ${KAFKA_CLIENT_PRINCIPALS[*]})"
}

start_kafka() { # [keep-config]: reuse the generated server.properties (restart on the same configuration)
  if KAFKA_PID="$(running_pid kafka)"; then
    running_port_matches kafka "$KAFKA_PORT" KAFKA_PORT
    grep -q '^listeners=SASL://' "$KAFKA_DIR/server.properties" 2>/dev/null ||
      die "Kafka (pid $KAFKA_PID) runs with a configuration from before SASL/SCRAM" \
        "restart it afresh: npm run stack -- down, then npm run stack -- up --fresh"
    say "kafka: already running (pid $KAFKA_PID, port $KAFKA_PORT)"
    KAFKA_STARTED=0
    return 0
  fi
  ensure_port_free kafka "$KAFKA_PORT" "Kafka broker, KAFKA_PORT"
  ensure_port_free kafka "$KAFKA_CONTROLLER_PORT" "Kafka controller, KAFKA_CONTROLLER_PORT"
  [[ -z $PLAINTEXT_PORT ]] || ensure_port_free kafka "$PLAINTEXT_PORT" "Kafka bench-only plaintext listener, --plaintext-port"
  [[ ${1:-} == keep-config && -f $KAFKA_DIR/server.properties ]] || write_kafka_config
  format_kafka_storage
  mapfile -t args < <(kafka_java_args)
  spawn kafka "$LOGS/kafka.out" java "${args[@]}" kafka.Kafka "$KAFKA_DIR/server.properties"
  KAFKA_PID="$(<"$(pidfile kafka)")"
  echo "$KAFKA_PORT" >"$RUN/kafka.port"
  KAFKA_STARTED=1
  UP_STARTED+=(kafka)
  say "kafka: starting (pid $KAFKA_PID, $HOST:$KAFKA_PORT, controller $HOST:$KAFKA_CONTROLLER_PORT)"
}

wait_kafka() {
  local deadline=$((SECONDS + START_TIMEOUT)) t0
  t0="$(now)"
  while ! port_open "$KAFKA_PORT"; do
    if ! kill -0 "$KAFKA_PID" 2>/dev/null; then
      rm -f "$(pidfile kafka)" "$RUN/kafka.port"
      # kafka.out holds the JVM's stderr and every WARN/ERROR line of the broker
      die_log "Kafka exited during startup (logs: $LOGS/kafka.out, $LOGS/kafka-server.log)" "$LOGS/kafka.out" 25
    fi
    if ((SECONDS >= deadline)); then
      die_log "Kafka did not open $HOST:$KAFKA_PORT within ${START_TIMEOUT}s (pid $KAFKA_PID still running; log: $LOGS/kafka-server.log)" "$LOGS/kafka-server.log"
    fi
    sleep 0.2
  done
  ((KAFKA_STARTED)) && say "kafka: listening on $HOST:$KAFKA_PORT ($(elapsed "$t0")s)"
  return 0
}

# the environment of the tools that talk to the local broker as its admin (scripts/create-topics.ts,
# the readiness probe below): whatever this shell's KAFKA_* say
kafka_admin_env() {
  KAFKA_ADMIN_ENV=(KAFKA_BROKERS="$HOST:$KAFKA_PORT" KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT
    KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_USERNAME=admin KAFKA_PASSWORD="$(local_secret kafka-admin)"
    KAFKA_SSL=false KAFKA_SSL_CA_FILE=)
}

create_topics() {
  local t0
  t0="$(now)"
  kafka_admin_env
  (cd "$ROOT" && env "${KAFKA_ADMIN_ENV[@]}" KAFKA_BENCH_ANONYMOUS_ACLS="$([[ -n $PLAINTEXT_PORT ]] && echo 1 || echo 0)" \
    node --import tsx scripts/create-topics.ts) ||
    die "creating topics failed (Kafka at $HOST:$KAFKA_PORT; broker log: $LOGS/kafka-server.log)"
  say "kafka: topics ready ($(elapsed "$t0")s)"
}

# --plaintext-port: the running broker must have been started with the listener asked for (or none)
check_plaintext_listener() {
  local running
  running="$(sed -n 's#^listeners=.*BENCH://[^:]*:\([0-9]*\).*#\1#p' "$KAFKA_DIR/server.properties")"
  if [[ -n $PLAINTEXT_PORT && $running != "$PLAINTEXT_PORT" ]]; then
    die "kafka is running with plaintext port '${running:-none}', not '$PLAINTEXT_PORT' as asked" \
      "restart it: npm run stack -- down, then up --plaintext-port $PLAINTEXT_PORT"
  fi
  # an 'up' without the option (e.g. by npm test) leaves a running bench listener and its ACLs alone
  PLAINTEXT_PORT="$running"
  if [[ -n $PLAINTEXT_PORT ]]; then
    warn "BENCH ONLY: unauthenticated PLAINTEXT listener on $HOST:$PLAINTEXT_PORT; its ANONYMOUS principal may create, read and write every topic and group. Never use it for anything but benchmarking a build from before SASL; to remove it: npm run stack -- down, then up"
  fi
}

# Waits until the broker answers a metadata request listing itself (in KRaft a fenced broker is
# left out): an open port alone does not mean that clients can produce and join groups yet.
wait_kafka_answers() {
  local t0 out
  t0="$(now)"
  # shellcheck disable=SC2016
  kafka_admin_env
  if ! out="$(cd "$ROOT" && env "${KAFKA_ADMIN_ENV[@]}" WAIT_MS="$((START_TIMEOUT * 1000))" node --input-type=module -e '
import { Kafka, logLevel } from "kafkajs";
const deadline = Date.now() + Number(process.env.WAIT_MS);
const kafka = new Kafka({ clientId: "stack-wait", brokers: [process.env.KAFKA_BROKERS],
  sasl: { mechanism: "scram-sha-512", username: process.env.KAFKA_USERNAME, password: process.env.KAFKA_PASSWORD },
  logLevel: logLevel.NOTHING, connectionTimeout: 2000, retry: { retries: 0 } });
let last = "no answer";
for (;;) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length > 0) { await admin.disconnect(); process.exit(0); }
    last = "no unfenced broker in the metadata yet";
  } catch (error) { last = String(error?.message ?? error); }
  await admin.disconnect().catch(() => {});
  if (Date.now() > deadline) { console.error(last); process.exit(1); }
  await new Promise((resolve) => setTimeout(resolve, 250));
}' 2>&1)"; then
    die_log "Kafka listens on $HOST:$KAFKA_PORT but did not answer metadata requests within ${START_TIMEOUT}s ($out)" "$LOGS/kafka-server.log"
  fi
  say "kafka: answering metadata requests ($(elapsed "$t0")s)"
}

# The broker alone (stop | start | restart kafka), on the data and the configuration it already has;
# the registry and PostgreSQL are left alone. The chaos run uses it for broker outages under load.
kafka_alone() { # stop | start | restart
  local t0 port
  t0="$(now)"
  if [[ $1 != stop ]]; then
    require_java "Kafka $KAFKA_VERSION and Apicurio Registry"
    [[ -f $KAFKA_DATA/meta.properties && -f $KAFKA_DIR/server.properties ]] ||
      die "kafka has no data in $KAFKA_DATA yet" "start the whole stack first: npm run stack -- up"
    [[ -f $KAFKA_LIBS/.complete ]] || die "Kafka jars missing in $KAFKA_LIBS" "run: npm run stack -- up"
    # the ports the broker was configured with, whatever this shell's environment says
    port="$(sed -n 's#^listeners=SASL://[^:]*:\([0-9]*\),.*#\1#p' "$KAFKA_DIR/server.properties")"
    [[ -n $port ]] ||
      die "$KAFKA_DIR/server.properties has no SASL listener (written before SASL/SCRAM)" \
        "start afresh with: npm run stack -- up --fresh"
    [[ -n $port ]] && KAFKA_PORT="$port"
    port="$(sed -n 's#^listeners=.*CONTROLLER://[^:]*:\([0-9]*\).*#\1#p' "$KAFKA_DIR/server.properties")"
    [[ -n $port ]] && KAFKA_CONTROLLER_PORT="$port"
  fi
  if [[ $1 != start ]]; then
    stop_component kafka kafka
  fi
  if [[ $1 != stop ]]; then
    start_kafka keep-config
    wait_kafka
    wait_kafka_answers
    say "kafka: ${1}ed in $(elapsed "$t0")s"
  fi
}

cmd_component() { # stop | start | restart, then the component
  local action="$1" comp="${2:-}"
  (($# <= 2)) || die "$action takes one component: npm run stack -- $action kafka"
  case "$comp" in
    kafka) kafka_alone "$action" ;;
    "") die "$action what? only the broker can be handled alone: npm run stack -- $action kafka" ;;
    *) die "$action $comp: only 'kafka' can be handled alone (use up/down for the whole stack)" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Apicurio Registry

start_registry() {
  if REGISTRY_PID="$(running_pid registry)"; then
    running_port_matches registry "$SCHEMA_REGISTRY_PORT" SCHEMA_REGISTRY_PORT
    say "schema-registry: already running (pid $REGISTRY_PID, port $SCHEMA_REGISTRY_PORT)"
    REGISTRY_STARTED=0
    return 0
  fi
  ensure_port_free registry "$SCHEMA_REGISTRY_PORT" "schema registry, SCHEMA_REGISTRY_PORT"
  local jar
  jar="$(apicurio_launcher "$APICURIO_HOME")" || die "no Apicurio launcher jar in $APICURIO_HOME (delete it to re-download)"
  # shellcheck disable=SC2206
  local heap=($REGISTRY_HEAP_OPTS)
  # Storage: Apicurio's default SQL storage on H2, but in a file next to Kafka's data instead of in
  # memory, so a restart keeps the schema ids that messages already in Kafka refer to.
  # APICURIO_RULES_GLOBAL_COMPATIBILITY: default global rule, enforced from the first request.
  mkdir -p "$REGISTRY_DATA"
  (cd "$APICURIO_HOME" && spawn registry "$LOGS/registry.log" env \
    QUARKUS_HTTP_HOST="$HOST" QUARKUS_HTTP_PORT="$SCHEMA_REGISTRY_PORT" \
    APICURIO_DATASOURCE_URL="jdbc:h2:file:$REGISTRY_DATA/registry" \
    APICURIO_RULES_GLOBAL_COMPATIBILITY=BACKWARD \
    java "${heap[@]}" -Djava.awt.headless=true "$(marker registry)" -jar "$jar")
  REGISTRY_PID="$(<"$(pidfile registry)")"
  echo "$SCHEMA_REGISTRY_PORT" >"$RUN/registry.port"
  REGISTRY_STARTED=1
  UP_STARTED+=(registry)
  say "schema-registry: starting Apicurio Registry $APICURIO_VERSION (pid $REGISTRY_PID, $HOST:$SCHEMA_REGISTRY_PORT)"
}

registry_compat() {
  local body
  body="$(curl -fsS -m 5 "$CCOMPAT/config" 2>/dev/null)" || return 0
  sed -n 's/.*"compatibilityLevel" *: *"\([A-Z_]*\)".*/\1/p' <<<"$body"
}

wait_registry() {
  local deadline=$((SECONDS + START_TIMEOUT)) t0 level
  t0="$(now)"
  until curl -fsS -m 2 -o /dev/null "$CCOMPAT/config" 2>/dev/null; do
    if ! kill -0 "$REGISTRY_PID" 2>/dev/null; then
      rm -f "$(pidfile registry)" "$RUN/registry.port"
      die_log "Apicurio Registry exited during startup (log: $LOGS/registry.log)" "$LOGS/registry.log" 40
    fi
    if ((SECONDS >= deadline)); then
      die_log "Apicurio Registry did not answer $CCOMPAT/config within ${START_TIMEOUT}s (pid $REGISTRY_PID still running; log: $LOGS/registry.log)" "$LOGS/registry.log"
    fi
    sleep 0.2
  done
  ((REGISTRY_STARTED)) && say "schema-registry: answering on $CCOMPAT ($(elapsed "$t0")s)"
  # Global rule BACKWARD. The env default (APICURIO_RULES_GLOBAL_COMPATIBILITY) is enforced but not
  # reported by GET /config, so store it explicitly through the Confluent API as well.
  level="$(registry_compat)"
  if [[ $level != BACKWARD ]]; then
    curl -fsS -m 5 -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      -d '{"compatibility":"BACKWARD"}' "$CCOMPAT/config" >/dev/null ||
      die "could not set the global compatibility rule (PUT $CCOMPAT/config)"
    level="$(registry_compat)"
  fi
  [[ $level == BACKWARD ]] || die "global compatibility is '${level:-?}', expected BACKWARD (GET $CCOMPAT/config)"
  say "schema-registry: global compatibility BACKWARD"
}

# ---------------------------------------------------------------------------------------------
# commands

wipe_data() { # reason
  rm -rf "$KAFKA_DATA" "$REGISTRY_DATA"
  say "kafka and schema-registry: data wiped ($1)"
}

# a failed 'up' stops what it started itself, so it leaves no half-started stack behind
UP_STARTED=()
on_up_exit() {
  local rc=$? c
  if ((rc != 0 && ${#UP_STARTED[@]} > 0)); then
    warn "up failed: stopping what this run started (${UP_STARTED[*]})"
    for c in "${UP_STARTED[@]}"; do stop_component "$c" "$c" >/dev/null 2>&1 || true; done
  fi
}

cmd_up() {
  local fresh=0 t0
  while (($# > 0)); do
    case "$1" in
      --fresh) fresh=1 ;;
      --plaintext-port)
        [[ ${2:-} =~ ^[0-9]+$ ]] || die "--plaintext-port needs a port number"
        PLAINTEXT_PORT="$2"
        shift
        ;;
      *) die "unknown option for up: $1" ;;
    esac
    shift
  done
  t0="$(now)"
  # Topic creation runs the project's TypeScript: fail before starting anything without it.
  [[ -d "$ROOT/node_modules/tsx" && -d "$ROOT/node_modules/kafkajs" ]] ||
    die "the project's npm packages are not installed ($ROOT/node_modules): run npm ci first"
  trap on_up_exit EXIT
  mkdir -p "$STATE" "$LOGS" "$RUN"
  require_java "Kafka $KAFKA_VERSION and Apicurio Registry"
  ensure_postgres
  if ((fresh)); then
    stop_component registry schema-registry
    stop_component kafka kafka
    wipe_data --fresh
  fi
  fetch_kafka
  fetch_apicurio
  # both JVMs start in parallel; each is waited for afterwards
  start_kafka
  start_registry
  wait_kafka
  check_plaintext_listener
  wait_registry
  create_topics
  provision_db_roles
  say "${G}stack up${N} in $(elapsed "$t0")s"
  cat <<EOF
  KAFKA_BROKERS=$HOST:$KAFKA_PORT
  KAFKA_USERNAME=admin KAFKA_PASSWORD="\$(cat $SECRETS/kafka-admin)"   (SASL/SCRAM-SHA-512; services: kafka-<name>)
  SCHEMA_REGISTRY_URL=$CCOMPAT
  DATABASE_URL=$DATABASE_URL
EOF
}

cmd_down() {
  local purge=0 arg
  for arg in "$@"; do
    case "$arg" in
      --purge) purge=1 ;;
      *) die "unknown option for down: $arg" ;;
    esac
  done
  stop_component registry schema-registry
  stop_component kafka kafka
  if ((purge)); then
    wipe_data --purge
  fi
  say "postgres: left alone (the machine's server)"
}

cmd_status() {
  local ok=0 pid port level
  if pid="$(running_pid kafka)"; then
    port="$(cat "$RUN/kafka.port" 2>/dev/null || echo "$KAFKA_PORT")"
    if port_open "$port"; then
      printf '%-16s %sup%s     pid %-8s %s:%s\n' kafka "$G" "$N" "$pid" "$HOST" "$port"
    else
      printf '%-16s %sstarting%s pid %-8s %s:%s (not listening yet)\n' kafka "$Y" "$N" "$pid" "$HOST" "$port"
      ok=1
    fi
  else
    printf '%-16s %sdown%s   %s\n' kafka "$R" "$N" "$(port_open "$KAFKA_PORT" && echo "(port $KAFKA_PORT taken by another process)")"
    ok=1
  fi
  if pid="$(running_pid registry)"; then
    port="$(cat "$RUN/registry.port" 2>/dev/null || echo "$SCHEMA_REGISTRY_PORT")"
    level="$(CCOMPAT="http://$HOST:$port/apis/ccompat/v7" registry_compat)"
    if [[ -n $level ]]; then
      printf '%-16s %sup%s     pid %-8s http://%s:%s/apis/ccompat/v7 (compatibility %s)\n' schema-registry "$G" "$N" "$pid" "$HOST" "$port" "$level"
    else
      printf '%-16s %sstarting%s pid %-8s %s:%s (not answering yet)\n' schema-registry "$Y" "$N" "$pid" "$HOST" "$port"
      ok=1
    fi
  else
    printf '%-16s %sdown%s   %s\n' schema-registry "$R" "$N" "$(port_open "$SCHEMA_REGISTRY_PORT" && echo "(port $SCHEMA_REGISTRY_PORT taken by another process)")"
    ok=1
  fi
  pg_parts
  if command -v psql >/dev/null 2>&1 && pg_up; then
    if [[ "$(psql "$PG_ADMIN_URL" -Atqc "select 1 from pg_database where datname = '${PG_DB//\'/\'\'}'" 2>/dev/null)" == 1 ]]; then
      printf '%-16s %sup%s     %-12s %s/%s\n' postgres "$G" "$N" "(machine)" "${PG_ADMIN_URL%/*}" "$PG_DB"
    else
      printf '%-16s %sup%s     %-12s %s (database %s missing: run up)\n' postgres "$Y" "$N" "(machine)" "${PG_ADMIN_URL%/*}" "$PG_DB"
      ok=1
    fi
  else
    printf '%-16s %sdown%s   %s (start: pg_ctlcluster --skip-systemctl-redirect 15 main start)\n' postgres "$R" "$N" "${PG_ADMIN_URL%/*}"
    ok=1
  fi
  return "$ok"
}

cmd_logs() {
  local follow=0 comps=() files=() c
  for c in "$@"; do
    case "$c" in
      -f | --follow) follow=1 ;;
      kafka) comps+=(kafka) ;;
      registry | schema-registry | apicurio) comps+=(registry) ;;
      *) die "unknown log: $c (kafka | registry)" ;;
    esac
  done
  ((${#comps[@]})) || comps=(kafka registry)
  for c in "${comps[@]}"; do
    case "$c" in
      kafka) files+=("$LOGS/kafka-server.log" "$LOGS/kafka.out") ;;
      registry) files+=("$LOGS/registry.log") ;;
    esac
  done
  local existing=()
  for c in "${files[@]}"; do [[ -f $c ]] && existing+=("$c"); done
  ((${#existing[@]})) || die "no logs yet in $LOGS (run: npm run stack -- up)"
  if ((follow)); then
    exec tail -n 50 -F "${existing[@]}"
  else
    tail -n "${LOG_LINES:-50}" "${existing[@]}"
  fi
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    logs) cmd_logs "$@" ;;
    stop | start | restart) cmd_component "$cmd" "$@" ;;
    -h | --help | help | "") usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
