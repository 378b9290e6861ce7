# shellcheck shell=bash
# Sourced by scripts/stack.sh: Apicurio Registry (start, wait, global compatibility rule).

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

# The registry alone (stop | start | restart | kill registry), on its data (H2 file): the chaos run's
# registry outages. Kafka and PostgreSQL are left alone.
registry_alone() { # action
  local t0 pid
  t0="$(now)"
  case "$1" in
    kill)
      if pid="$(running_pid registry)"; then
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
        rm -f "$(pidfile registry)" "$RUN/registry.port"
        say "schema-registry: killed (kill -9, pid $pid)"
      fi
      return 0
      ;;
    stop | restart) stop_component registry schema-registry ;;
    start) ;;
    *) die "unknown action $1" ;;
  esac
  if [[ $1 != stop ]]; then
    require_java "Kafka $KAFKA_VERSION and Apicurio Registry"
    REGISTRY_STARTED=0
    start_registry
    wait_registry
    say "schema-registry: ${1}ed in $(elapsed "$t0")s"
  fi
}
