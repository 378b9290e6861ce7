# shellcheck shell=bash
# Sourced by scripts/stack.sh and scripts/avro-console.sh: the Java both need, checked one way.

MIN_JAVA=17

# require_java <what needs it>: returns when Java $MIN_JAVA+ is on PATH; otherwise exits through
# the calling script's `die` with how to install it.
require_java() {
  command -v java >/dev/null 2>&1 ||
    die "java not found: $1 need Java $MIN_JAVA+" \
      "install it, e.g. apt-get install -y openjdk-17-jre-headless"
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
  [[ -n $v && $v -ge $MIN_JAVA ]] ||
    die "java $MIN_JAVA+ required, found: $(java -version 2>&1 | head -1)" \
      "install it, e.g. apt-get install -y openjdk-17-jre-headless"
}
