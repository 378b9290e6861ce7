# shellcheck shell=bash
# Sourced by scripts/avro-console.sh: the Java tools it runs, fetched from Maven Central once.

require_cmd() { # command what-it-is-needed-for
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: needed to $2" "install it, e.g. apt-get install -y $1"
}

# Kafka's tools jar (and what it needs) and avro-tools, from Maven Central, once.
fetch_tools() {
  [[ -f $KAFKA_TOOLS/.complete && -f $AVRO_TOOLS/.complete ]] && return 0
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: it fetches Kafka's tools ($KAFKA_VERSION) and avro-tools ($AVRO_VERSION) from Maven Central on the first run" \
      "install it (apt-get install -y maven), or fill $KAFKA_TOOLS and $AVRO_TOOLS from another machine"
  local tmp="$CACHE/.avro-console-fetch.$$" log="$CACHE/avro-console-fetch.log" start=$SECONDS
  say "fetching org.apache.kafka:kafka-tools:$KAFKA_VERSION and org.apache.avro:avro-tools:$AVRO_VERSION from Maven Central into $CACHE"
  mkdir -p "$CACHE"
  rm -rf "$tmp"
  if ! mvn -B -q -U -Dstyle.color=never -f "$ROOT/infra/tools/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" -Davro.version="$AVRO_VERSION" \
    -Dtools.kafkaDirectory="$tmp/kafka" -Dtools.avroDirectory="$tmp/avro" \
    dependency:copy-dependencies@kafka-tools dependency:copy-dependencies@avro-tools >"$log" 2>&1; then
    rm -rf "$tmp"
    printf '[avro-console] error: download from Maven Central failed (full output: %s)\n' "$log" >&2
    show_tail "$log"
    exit 1
  fi
  [[ -f $tmp/kafka/kafka-tools-$KAFKA_VERSION.jar && -f $tmp/avro/avro-tools-$AVRO_VERSION.jar ]] ||
    die "kafka-tools or avro-tools jar missing after the download (see $log)"
  touch "$tmp/kafka/.complete" "$tmp/avro/.complete"
  # mv -T refuses to replace a non-empty directory: a concurrent run that finished first wins
  local pair src dest
  for pair in "kafka:$KAFKA_TOOLS" "avro:$AVRO_TOOLS"; do
    src="$tmp/${pair%%:*}" dest="${pair#*:}"
    [[ -f $dest/.complete ]] || { rm -rf "$dest" && mv -T "$src" "$dest" 2>/dev/null; } || true
  done
  rm -rf "$tmp"
  [[ -f $KAFKA_TOOLS/.complete && -f $AVRO_TOOLS/.complete ]] || die "could not install the tools into $CACHE"
  say "tools ready in $CACHE ($((SECONDS - start))s)"
}

# java with Kafka's tools on the classpath (an array, so that `"${KAFKA_JAVA[@]}" … &` makes $! the JVM)
KAFKA_JAVA=(java "${JAVA_OPTS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$KAFKA_TOOLS/*")
