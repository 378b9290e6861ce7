# shellcheck shell=bash
# Sourced by scripts/stack.sh: starting the Kafka broker, waiting for it, and its topics and ACLs.

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
