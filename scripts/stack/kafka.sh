# shellcheck shell=bash
# Sourced by scripts/stack.sh: starting the Kafka broker, waiting for it, and its topics and ACLs.

start_kafka() { # [keep-config]: every node
  local i
  KAFKA_STARTED=0
  for ((i = 1; i <= KAFKA_BROKER_COUNT; i++)); do start_kafka_node "$i" "${1:-}"; done
}

start_kafka_node() { # node [keep-config]: reuse the generated server.properties (restart on the same configuration)
  local node="$1" comp dir port cport pid
  comp="$(kafka_comp "$node")"
  dir="$(kafka_node_dir "$node")"
  port="$(kafka_node_port "$node")"
  cport="$(kafka_node_controller_port "$node")"
  if pid="$(running_pid "$comp")"; then
    running_port_matches "$comp" "$port" KAFKA_PORT
    grep -q '^listeners=SASL://' "$dir/server.properties" 2>/dev/null ||
      die "Kafka (pid $pid) runs with a configuration from before SASL/SCRAM" \
        "restart it afresh: npm run stack -- down, then npm run stack -- up --fresh"
    say "$comp: already running (pid $pid, port $port)"
    return 0
  fi
  ensure_port_free "$comp" "$port" "Kafka broker $node, KAFKA_PORT + $((2 * (node - 1)))"
  ensure_port_free "$comp" "$cport" "Kafka controller $node, KAFKA_CONTROLLER_PORT + $((2 * (node - 1)))"
  [[ -z $PLAINTEXT_PORT || $node != 1 ]] || ensure_port_free kafka "$PLAINTEXT_PORT" "Kafka bench-only plaintext listener, --plaintext-port"
  [[ ${2:-} == keep-config && -f $dir/server.properties ]] || write_kafka_config "$node"
  format_kafka_storage "$node"
  mkdir -p "$(kafka_node_logs "$node")"
  mapfile -t args < <(kafka_java_args "$node")
  spawn "$comp" "$LOGS/$comp.out" java "${args[@]}" kafka.Kafka "$dir/server.properties"
  pid="$(<"$(pidfile "$comp")")"
  echo "$port" >"$RUN/$comp.port"
  KAFKA_STARTED=1
  UP_STARTED+=("$comp")
  say "$comp: starting (pid $pid, $HOST:$port, controller $HOST:$cport)"
}

wait_kafka() { # [node]: that node, else every node
  local deadline=$((SECONDS + START_TIMEOUT)) t0 i from=1 to="$KAFKA_BROKER_COUNT" comp port pid
  [[ -n ${1:-} ]] && from="$1" to="$1"
  t0="$(now)"
  for ((i = from; i <= to; i++)); do
    comp="$(kafka_comp "$i")"
    port="$(kafka_node_port "$i")"
    pid="$(cat "$(pidfile "$comp")" 2>/dev/null || true)"
    while ! port_open "$port"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$(pidfile "$comp")" "$RUN/$comp.port"
        # <comp>.out holds the JVM's stderr and every WARN/ERROR line of the broker
        die_log "Kafka node $i exited during startup (logs: $LOGS/$comp.out, $(kafka_node_logs "$i")/kafka-server.log)" "$LOGS/$comp.out" 25
      fi
      if ((SECONDS >= deadline)); then
        die_log "Kafka node $i did not open $HOST:$port within ${START_TIMEOUT}s (pid $pid still running; log: $(kafka_node_logs "$i")/kafka-server.log)" "$(kafka_node_logs "$i")/kafka-server.log"
      fi
      sleep 0.2
    done
  done
  ((KAFKA_STARTED)) && say "kafka: listening on $(kafka_bootstrap) ($(elapsed "$t0")s)"
  return 0
}

# the environment of the tools that talk to the local broker as its admin (scripts/create-topics.ts,
# the readiness probe below): whatever this shell's KAFKA_* say
kafka_admin_env() {
  KAFKA_ADMIN_ENV=(KAFKA_BROKERS="$(kafka_bootstrap)" KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT
    KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_USERNAME=admin KAFKA_PASSWORD="$(local_secret kafka-admin)"
    KAFKA_SSL=false KAFKA_SSL_CA_FILE=)
}

create_topics() {
  local t0
  t0="$(now)"
  kafka_admin_env
  local rf=1
  ((KAFKA_BROKER_COUNT >= 3)) && rf=3
  (cd "$ROOT" && env "${KAFKA_ADMIN_ENV[@]}" TOPIC_REPLICATION_FACTOR="${TOPIC_REPLICATION_FACTOR:-$rf}" KAFKA_BENCH_ANONYMOUS_ACLS="$([[ -n $PLAINTEXT_PORT ]] && echo 1 || echo 0)" \
    node --import tsx scripts/create-topics.ts) ||
    die "creating topics failed (Kafka at $(kafka_bootstrap); broker log: $LOGS/kafka-server.log)"
  say "kafka: topics ready ($(elapsed "$t0")s)"
}

# The SCRAM users of KAFKA_ADDED_PRINCIPALS (secrets.sh), through the running broker as admin
# (ConfigCommand: AlterUserScramCredentials): once per storage and set of passwords (a marker in the
# data directory, wiped with it). Run after the broker answers.
ensure_added_kafka_users() {
  local marker="$KAFKA_DATA/scram-added" want p config log="$LOGS/kafka-users.log" ok=1
  want="$(for p in "${KAFKA_ADDED_PRINCIPALS[@]}"; do printf '%s=%s\n' "$p" "$(local_secret "kafka-$p")"; done |
    sha256sum | cut -c1-16)"
  [[ -f $marker && "$(<"$marker")" == "$want" ]] && return 0
  config="$RUN/kafka-admin-client.properties"
  (
    umask 077
    printf '%s\n' security.protocol=SASL_PLAINTEXT sasl.mechanism=SCRAM-SHA-512 \
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$(local_secret kafka-admin)\";" >"$config"
  )
  for p in "${KAFKA_ADDED_PRINCIPALS[@]}"; do
    java -Djava.awt.headless=true -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.yaml" \
      -Dkafka.logs.dir="$LOGS" -cp "$KAFKA_LIBS/*" kafka.admin.ConfigCommand \
      --bootstrap-server "$HOST:$KAFKA_PORT" --command-config "$config" --alter --entity-type users \
      --entity-name "$p" --add-config "SCRAM-SHA-512=[iterations=4096,password=$(local_secret "kafka-$p")]" \
      >>"$log" 2>&1 || ok=0
  done
  rm -f "$config"
  ((ok)) || die_log "adding the SCRAM users ${KAFKA_ADDED_PRINCIPALS[*]} failed (see $log)" "$log" 15
  echo "$want" >"$marker"
  say "kafka: SCRAM users added through the broker: ${KAFKA_ADDED_PRINCIPALS[*]}"
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

# Waits until the cluster answers a metadata request listing every node (or, with a node number,
# that node; in KRaft a fenced broker is left out): an open port alone does not mean that clients
# can produce and join groups yet.
wait_kafka_answers() { # [node]
  local t0 out
  t0="$(now)"
  # shellcheck disable=SC2016
  kafka_admin_env
  if ! out="$(cd "$ROOT" && env "${KAFKA_ADMIN_ENV[@]}" WAIT_MS="$((START_TIMEOUT * 1000))" WAIT_NODES="${1:-all}" WAIT_COUNT="$KAFKA_BROKER_COUNT" node --input-type=module -e '
import { Kafka, logLevel } from "kafkajs";
const deadline = Date.now() + Number(process.env.WAIT_MS);
const kafka = new Kafka({ clientId: "stack-wait", brokers: process.env.KAFKA_BROKERS.split(","),
  sasl: { mechanism: "scram-sha-512", username: process.env.KAFKA_USERNAME, password: process.env.KAFKA_PASSWORD },
  logLevel: logLevel.NOTHING, connectionTimeout: 2000, retry: { retries: 0 } });
let last = "no answer";
for (;;) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const ids = cluster.brokers.map((b) => b.nodeId);
    const want = process.env.WAIT_NODES;
    if (want === "all" ? ids.length >= Number(process.env.WAIT_COUNT) : ids.includes(Number(want))) {
      await admin.disconnect(); process.exit(0);
    }
    last = `unfenced brokers in the metadata: [${ids.join(",")}], waiting for ${want === "all" ? process.env.WAIT_COUNT : "node " + want}`;
  } catch (error) { last = String(error?.message ?? error); }
  await admin.disconnect().catch(() => {});
  if (Date.now() > deadline) { console.error(last); process.exit(1); }
  await new Promise((resolve) => setTimeout(resolve, 250));
}' 2>&1)"; then
    die_log "Kafka listens on $(kafka_bootstrap) but did not answer metadata requests within ${START_TIMEOUT}s ($out)" "$LOGS/kafka-server.log"
  fi
  say "kafka: answering metadata requests ($(elapsed "$t0")s)"
}
