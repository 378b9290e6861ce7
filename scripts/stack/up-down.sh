# shellcheck shell=bash
# Sourced by scripts/stack.sh: up and down, the whole stack.

wipe_data() { # reason
  local d
  rm -rf "$KAFKA_DATA" "$REGISTRY_DATA" "$BROKERS_FILE"
  for d in "$STATE"/kafka-[0-9]*; do [[ -d $d ]] && rm -rf "$d"; done
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
      --brokers)
        [[ ${2:-} == 1 || ${2:-} == 3 ]] || die "--brokers takes 1 or 3"
        KAFKA_BROKER_COUNT="$2"
        shift
        ;;
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
    stop_kafka_nodes
    wipe_data --fresh
    resolve_broker_count fresh
  else
    resolve_broker_count
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
  ensure_added_kafka_users
  kafka_bootstrap >"$RUN/kafka.brokers"
  provision_db_roles
  say "${G}stack up${N} in $(elapsed "$t0")s"
  cat <<EOF
  KAFKA_BROKERS=$(kafka_bootstrap)   ($KAFKA_BROKER_COUNT broker(s); topics replicated $( ((KAFKA_BROKER_COUNT >= 3)) && echo '3 times, min.insync.replicas=2' || echo once))
  KAFKA_USERNAME=admin KAFKA_PASSWORD="\$(cat $SECRETS/kafka-admin)"   (SASL/SCRAM-SHA-512; services: kafka-<name>; npm run dlt: kafka-operator)
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
  stop_kafka_nodes
  rm -f "$RUN/kafka.brokers"
  if ((purge)); then
    wipe_data --purge
  fi
  say "postgres: left alone (the machine's server)"
}

# every node with a pid file (also those of a cluster size used before), node 1 last
stop_kafka_nodes() {
  local f comp
  for f in "$RUN"/kafka-[0-9]*.pid; do
    [[ -f $f ]] || continue
    comp="$(basename "$f" .pid)"
    stop_component "$comp" "$comp"
  done
  stop_component kafka kafka
}
