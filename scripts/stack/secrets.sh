# shellcheck shell=bash
# Sourced by scripts/stack.sh: local secrets (same layout as scripts/support/local-secrets.ts: 32
# random bytes base64url, mode 0600, never overwritten) and the Kafka principals' passwords.

SECRETS="$STATE/secrets"
KAFKA_CLIENT_PRINCIPALS=(admin orchestrator inventory payment shipping)
# principals added since: created through the running broker (kafka.sh, ensure_added_kafka_users),
# so a storage formatted before them keeps its data and its fingerprint
KAFKA_ADDED_PRINCIPALS=(notifications operator)

local_secret() { # name: prints the secret, creating it the first time
  local file="$SECRETS/$1" value
  [[ $1 =~ ^[a-z0-9-]+$ ]] || die "local secret name '$1': use a-z, 0-9 and '-'"
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
  if [[ ! -e $file ]]; then
    # noclobber: a concurrent creator wins, both read its value below
    (
      umask 077
      set -o noclobber
      printf '%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" >"$file"
    ) 2>/dev/null || true
  fi
  value="$(tr -d '\n' <"$file")"
  [[ -n $value ]] || die "local secret $file is empty: delete it to have it generated again"
  printf '%s' "$value"
}

# fingerprint of the SCRAM passwords the storage was formatted with: a secret deleted (and so
# regenerated) since then no longer matches the broker's credentials
kafka_credentials_fingerprint() {
  local p
  for p in broker "${KAFKA_CLIENT_PRINCIPALS[@]}"; do printf '%s=%s\n' "$p" "$(local_secret "kafka-$p")"; done |
    sha256sum | cut -c1-16
}
