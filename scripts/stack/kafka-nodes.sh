# shellcheck shell=bash
# Sourced by scripts/stack.sh: the Kafka cluster's nodes. One node (the default) or three
# (`up --brokers 3`): each node is broker and controller at once (combined KRaft mode, a static
# quorum of every node). Node 1 is the component `kafka` in <state>/kafka (as the single broker always
# was); node i > 1 is `kafka-<i>` in <state>/kafka-<i>. Node i listens on KAFKA_PORT + 2(i-1) (SASL)
# and KAFKA_CONTROLLER_PORT + 2(i-1) (controller). The node count is fixed when the storage is
# formatted, kept in <state>/kafka/brokers.

KAFKA_BROKER_COUNT="" # up --brokers N; else what the storage was formatted with (1 when none)
BROKERS_FILE="$KAFKA_DIR/brokers"

kafka_comp() { if (($1 == 1)); then printf kafka; else printf 'kafka-%s' "$1"; fi; }
kafka_node_dir() { if (($1 == 1)); then printf '%s' "$KAFKA_DIR"; else printf '%s/kafka-%s' "$STATE" "$1"; fi; }
kafka_node_logs() { if (($1 == 1)); then printf '%s' "$LOGS"; else printf '%s/kafka-%s' "$LOGS" "$1"; fi; }
kafka_node_port() { printf '%s' "$((KAFKA_PORT + 2 * ($1 - 1)))"; }
kafka_node_controller_port() { printf '%s' "$((KAFKA_CONTROLLER_PORT + 2 * ($1 - 1)))"; }

# the node count of the formatted storage (1 when there is none, or it predates --brokers)
kafka_formatted_count() {
  if [[ -f $BROKERS_FILE ]]; then tr -d '\n' <"$BROKERS_FILE"; else printf 1; fi
}

# sets KAFKA_BROKER_COUNT: the one asked for must match the storage's (else --fresh is needed)
resolve_broker_count() { # [fresh]
  local formatted
  formatted="$(kafka_formatted_count)"
  if [[ -z $KAFKA_BROKER_COUNT ]]; then
    KAFKA_BROKER_COUNT="$formatted"
  elif [[ ${1:-} != fresh && -f $KAFKA_DATA/meta.properties && $KAFKA_BROKER_COUNT != "$formatted" ]]; then
    die "Kafka's storage in $KAFKA_DIR was formatted for $formatted broker(s), not $KAFKA_BROKER_COUNT" \
      "switching wipes the topics of everyone using this stack: npm run stack -- down, then up --brokers $KAFKA_BROKER_COUNT --fresh"
  fi
}

# the quorum: every node is a voter (combined mode)
kafka_quorum_voters() {
  local i out=()
  for ((i = 1; i <= KAFKA_BROKER_COUNT; i++)); do out+=("$i@$HOST:$(kafka_node_controller_port "$i")"); done
  local IFS=,
  printf '%s' "${out[*]}"
}

# KAFKA_BROKERS for clients: every node's SASL listener
kafka_bootstrap() {
  local i out=()
  for ((i = 1; i <= KAFKA_BROKER_COUNT; i++)); do out+=("$HOST:$(kafka_node_port "$i")"); done
  local IFS=,
  printf '%s' "${out[*]}"
}
