# shellcheck shell=bash
# Sourced by scripts/stack.sh: status and logs.

cmd_status() {
  local ok=0 pid port level i comp
  resolve_broker_count
  for ((i = 1; i <= KAFKA_BROKER_COUNT; i++)); do
    comp="$(kafka_comp "$i")"
    if pid="$(running_pid "$comp")"; then
      port="$(cat "$RUN/$comp.port" 2>/dev/null || kafka_node_port "$i")"
      if port_open "$port"; then
        printf '%-16s %sup%s     pid %-8s %s:%s\n' "$comp" "$G" "$N" "$pid" "$HOST" "$port"
      else
        printf '%-16s %sstarting%s pid %-8s %s:%s (not listening yet)\n' "$comp" "$Y" "$N" "$pid" "$HOST" "$port"
        ok=1
      fi
    else
      port="$(kafka_node_port "$i")"
      printf '%-16s %sdown%s   %s\n' "$comp" "$R" "$N" "$(port_open "$port" && echo "(port $port taken by another process)")"
      ok=1
    fi
  done
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
  local follow=0 comps=() files=() c i
  for c in "$@"; do
    case "$c" in
      -f | --follow) follow=1 ;;
      kafka) comps+=(kafka kafka-others) ;;
      kafka-[1-9]) comps+=("$c") ;;
      registry | schema-registry | apicurio) comps+=(registry) ;;
      *) die "unknown log: $c (kafka | kafka-2 | kafka-3 | registry)" ;;
    esac
  done
  ((${#comps[@]})) || comps=(kafka kafka-others registry)
  resolve_broker_count
  for c in "${comps[@]}"; do
    case "$c" in
      kafka | kafka-1) files+=("$LOGS/kafka-server.log" "$LOGS/kafka.out") ;;
      kafka-others) for ((i = 2; i <= KAFKA_BROKER_COUNT; i++)); do files+=("$LOGS/kafka-$i/kafka-server.log" "$LOGS/kafka-$i.out"); done ;;
      kafka-[2-9]) files+=("$LOGS/$c/kafka-server.log" "$LOGS/$c.out") ;;
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
