# shellcheck shell=bash
# Sourced by scripts/stack.sh.

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
