# shellcheck shell=bash
# Sourced by scripts/stack.sh.

# One Kafka node alone (stop | start | restart | kill, then kafka, kafka-2 or kafka-3), on the data
# and the configuration it already has; the other nodes, the registry and PostgreSQL are left alone.
# The chaos run uses it for broker outages under load (kill: kill -9, as a crash).
kafka_alone() { # action node
  local action="$1" node="$2" comp t0 port pid
  comp="$(kafka_comp "$node")"
  t0="$(now)"
  resolve_broker_count
  ((node <= KAFKA_BROKER_COUNT)) ||
    die "$comp: the cluster has $KAFKA_BROKER_COUNT broker(s) (npm run stack -- up --brokers 3)"
  if [[ $action == start || $action == restart ]]; then
    require_java "Kafka $KAFKA_VERSION and Apicurio Registry"
    [[ -f $(kafka_node_dir "$node")/data/meta.properties && -f $(kafka_node_dir "$node")/server.properties ]] ||
      die "$comp has no data in $(kafka_node_dir "$node")/data yet" "start the whole stack first: npm run stack -- up"
    [[ -f $KAFKA_LIBS/.complete ]] || die "Kafka jars missing in $KAFKA_LIBS" "run: npm run stack -- up"
  fi
  # the ports the cluster was configured with (node 1's file), whatever this shell's environment says
  if [[ -f $KAFKA_DIR/server.properties ]]; then
    port="$(sed -n 's#^listeners=SASL://[^:]*:\([0-9]*\),.*#\1#p' "$KAFKA_DIR/server.properties")"
    [[ -n $port ]] ||
      die "$KAFKA_DIR/server.properties has no SASL listener (written before SASL/SCRAM)" \
        "start afresh with: npm run stack -- up --fresh"
    KAFKA_PORT="$port"
    port="$(sed -n 's#^listeners=.*CONTROLLER://[^:]*:\([0-9]*\).*#\1#p' "$KAFKA_DIR/server.properties")"
    [[ -n $port ]] && KAFKA_CONTROLLER_PORT="$port"
  fi
  case "$action" in
    kill)
      if pid="$(running_pid "$comp")"; then
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
        rm -f "$(pidfile "$comp")" "$RUN/$comp.port"
        say "$comp: killed (kill -9, pid $pid)"
      else
        say "$comp: not running"
      fi
      return 0
      ;;
    stop | restart) stop_component "$comp" "$comp" ;;
    start) ;;
    *) die "unknown action $action" ;;
  esac
  if [[ $action != stop ]]; then
    KAFKA_STARTED=0
    start_kafka_node "$node" keep-config
    wait_kafka "$node"
    wait_kafka_answers "$node"
    say "$comp: ${action}ed in $(elapsed "$t0")s"
  fi
}

cmd_component() { # stop | start | restart | kill, then the component
  local action="$1" comp="${2:-}"
  (($# <= 2)) || die "$action takes one component: npm run stack -- $action kafka"
  case "$comp" in
    kafka) kafka_alone "$action" 1 ;;
    kafka-[1-9]) kafka_alone "$action" "${comp#kafka-}" ;;
    registry | schema-registry) registry_alone "$action" ;;
    "") die "$action what? only a Kafka node or the registry can be handled alone: npm run stack -- $action kafka (or kafka-2, kafka-3, registry)" ;;
    *) die "$action $comp: only kafka, kafka-2, kafka-3 and registry can be handled alone (use up/down for the whole stack)" ;;
  esac
}
