# shellcheck shell=bash
# Sourced by scripts/stack.sh: Kafka and Apicurio Registry from Maven Central, fetched once into the
# cache.

require_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: it fetches Kafka and Apicurio Registry from Maven Central on the first run" \
      "install it (apt-get install -y maven), or fill $CACHE from another machine"
}

fetch_kafka() {
  [[ -f $KAFKA_LIBS/.complete ]] && return 0
  require_mvn
  local t0 tmp log
  t0="$(now)"
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  mkdir -p "$CACHE" "$LOGS"
  tmp="$KAFKA_LIBS.tmp.$$"
  log="$LOGS/fetch-kafka.log"
  rm -rf "$tmp"
  if ! mvn -B -q -U -Dstyle.color=never -f "$ROOT/infra/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DoutputDirectory="$tmp" >"$log" 2>&1; then
    rm -rf "$tmp"
    die_log "download of Kafka $KAFKA_VERSION from Maven Central failed (full output: $log)" "$log" 15
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "Kafka jars missing after download (see $log)"
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  say "Kafka jars ready ($(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars, $(elapsed "$t0")s)"
}

fetch_apicurio() {
  [[ -f $APICURIO_HOME/.complete ]] && return 0
  require_mvn
  local t0 tmp log
  t0="$(now)"
  say "fetching Apicurio Registry $APICURIO_VERSION (io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all) into $APICURIO_HOME"
  mkdir -p "$CACHE" "$LOGS"
  tmp="$APICURIO_HOME.tmp.$$"
  log="$LOGS/fetch-apicurio.log"
  rm -rf "$tmp"
  if ! mvn -B -q -U -Dstyle.color=never -f "$ROOT/infra/pom.xml" -Papicurio -Dapicurio.version="$APICURIO_VERSION" \
    dependency:unpack@apicurio -Dapicurio.outputDirectory="$tmp" >"$log" 2>&1; then
    rm -rf "$tmp"
    die_log "download of Apicurio Registry $APICURIO_VERSION from Maven Central failed (full output: $log)" "$log" 15
  fi
  apicurio_launcher "$tmp" >/dev/null || die "no runnable jar in the Apicurio archive (see $tmp)"
  rm -rf "$tmp/.markers"
  touch "$tmp/.complete"
  rm -rf "$APICURIO_HOME"
  mv "$tmp" "$APICURIO_HOME"
  say "Apicurio Registry ready ($(elapsed "$t0")s)"
}

# 3.0.x ships a legacy-jar layout (<name>-runner.jar + lib/), later 3.x the fast-jar layout
# (quarkus-app/quarkus-run.jar, or quarkus-run.jar at the top of the archive): support both.
apicurio_launcher() {
  local home="$1" f
  for f in "$home/quarkus-app/quarkus-run.jar" "$home/quarkus-run.jar" "$home"/*-runner.jar; do
    [[ -f $f ]] && {
      printf '%s' "$f"
      return 0
    }
  done
  return 1
}
