#!/usr/bin/env bash
# Local infrastructure without Docker: Apache Kafka (KRaft: one node, or three, each broker and
# controller) and Apicurio Registry from Maven Central artifacts, on loopback, plus the machine's
# PostgreSQL.
#
#   npm run stack -- up [--fresh] [--brokers 1|3] [--plaintext-port <port>]
#                                         start what is not running (idempotent); --fresh wipes the data;
#                                         --brokers 3: three nodes on KAFKA_PORT, +2, +4 (controllers on
#                                         KAFKA_CONTROLLER_PORT, +2, +4), topics replicated 3 times,
#                                         min.insync.replicas=2; fixed when the storage is formatted
#                                         (switching needs --fresh), later 'up's keep it;
#                                         --plaintext-port (bench only, never by default): an extra
#                                         unauthenticated PLAINTEXT listener for builds before SASL
#   npm run stack -- down [--purge]       stop what this script started; --purge also wipes the data
#   npm run stack -- status               one line per component; exit 0 only when all are up
#   npm run stack -- logs [kafka|kafka-2|kafka-3|registry] [-f]   last lines of the logs (-f follows)
#   npm run stack -- restart kafka        stop the Kafka broker alone and start it again on the same data
#                                         and configuration; returns once it answers metadata requests
#                                         (kafka-2, kafka-3: that node of a three-broker cluster)
#   npm run stack -- stop kafka | start kafka     the same in two steps (chaos tests: broker outages)
#   npm run stack -- kill kafka-2         kill -9 of one node (chaos: broker crashes); start it again later
#   npm run stack -- stop registry | start registry | restart registry   the registry alone (chaos: outages)
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
# the tests' harness), orchestrator, inventory, payment, shipping, notifications (least privilege,
# lib/kafka/acls.ts), operator (npm run dlt: reads the dead-letter topics, replays to their sources),
# plus broker and controller among themselves. Passwords: <state dir>/secrets/kafka-<principal>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=support/require-java.sh
source "$ROOT/scripts/support/require-java.sh"
# the parts, one concern each (scripts/stack/)
# shellcheck source=stack/common.sh
source "$ROOT/scripts/stack/common.sh"
# shellcheck source=stack/processes.sh
source "$ROOT/scripts/stack/processes.sh"
# shellcheck source=stack/artifacts.sh
source "$ROOT/scripts/stack/artifacts.sh"
# shellcheck source=stack/postgres.sh
source "$ROOT/scripts/stack/postgres.sh"
# shellcheck source=stack/secrets.sh
source "$ROOT/scripts/stack/secrets.sh"
# shellcheck source=stack/kafka-nodes.sh
source "$ROOT/scripts/stack/kafka-nodes.sh"
# shellcheck source=stack/kafka-config.sh
source "$ROOT/scripts/stack/kafka-config.sh"
# shellcheck source=stack/kafka.sh
source "$ROOT/scripts/stack/kafka.sh"
# shellcheck source=stack/kafka-alone.sh
source "$ROOT/scripts/stack/kafka-alone.sh"
# shellcheck source=stack/registry.sh
source "$ROOT/scripts/stack/registry.sh"
# shellcheck source=stack/up-down.sh
source "$ROOT/scripts/stack/up-down.sh"
# shellcheck source=stack/status-logs.sh
source "$ROOT/scripts/stack/status-logs.sh"

usage() { # the comment block at the top of this file
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    logs) cmd_logs "$@" ;;
    stop | start | restart | kill) cmd_component "$cmd" "$@" ;;
    -h | --help | help | "") usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
