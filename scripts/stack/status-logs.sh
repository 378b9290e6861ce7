# shellcheck shell=bash
# Sourced by scripts/stack.sh: status and logs.

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
