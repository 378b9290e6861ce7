# shellcheck shell=bash
# Sourced by scripts/avro-console.sh: reaching Kafka, and the Java tools' client settings.

# fails unless one of the bootstrap brokers accepts a TCP connection
brokers_reachable() {
  local b host port list
  IFS=',' read -r -a list <<<"$BROKERS"
  for b in "${list[@]}"; do
    b="${b// /}" host="${b%:*}" port="${b##*:}"
    [[ -n $host && $port =~ ^[0-9]+$ ]] || continue
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
  done
  return 1
}

# the Java tools' client settings, from the same variables as the services (docs/kafka-security.md)
write_client_config() {
  local protocol="${KAFKA_SECURITY_PROTOCOL:-}" user="${KAFKA_USERNAME:-}" password="${KAFKA_PASSWORD:-}"
  local mechanism="${KAFKA_SASL_MECHANISM:-scram-sha-512}" module secrets
  [[ -n $protocol ]] || protocol="$([[ ${KAFKA_SSL:-false} == true ]] && echo SASL_SSL || echo SASL_PLAINTEXT)"
  {
    printf 'security.protocol=%s\n' "$protocol"
    if [[ $protocol == SASL_* ]]; then
      if [[ -z $user ]]; then
        secrets="${ORDER_SAGA_STATE:-$ROOT/.stack}/secrets"
        [[ -f $secrets/kafka-admin ]] ||
          die "no Kafka credentials: set KAFKA_USERNAME/KAFKA_PASSWORD (or KAFKA_SECURITY_PROTOCOL=PLAINTEXT)" \
            "the local stack's admin password ($secrets/kafka-admin) is created by: npm run stack -- up"
        user=admin password="$(tr -d '\n' <"$secrets/kafka-admin")"
      fi
      case "$mechanism" in
        plain) module=org.apache.kafka.common.security.plain.PlainLoginModule ;;
        scram-sha-256 | scram-sha-512) module=org.apache.kafka.common.security.scram.ScramLoginModule ;;
        *) die "KAFKA_SASL_MECHANISM=$mechanism must be one of scram-sha-512, scram-sha-256, plain" ;;
      esac
      printf 'sasl.mechanism=%s\n' "${mechanism^^}"
      printf 'sasl.jaas.config=%s required username="%s" password="%s";\n' "$module" "$user" "$password"
    fi
    if [[ $protocol == *SSL && -n ${KAFKA_SSL_CA_FILE:-} ]]; then
      printf 'ssl.truststore.type=PEM\nssl.truststore.location=%s\n' "$KAFKA_SSL_CA_FILE"
    fi
  } >"$WORK/client.properties"
}
