# shellcheck shell=bash
# Sourced by scripts/stack.sh: PostgreSQL (the machine's; never started or stopped here), its database
# and the services' roles.

pg_parts() { # sets PG_DB and PG_ADMIN_URL (same server, maintenance database "postgres")
  local url="${DATABASE_URL%%\?*}" query=""
  [[ $DATABASE_URL == *\?* ]] && query="?${DATABASE_URL#*\?}"
  PG_DB="${url##*/}"
  PG_ADMIN_URL="${url%/*}/postgres$query"
  [[ -n $PG_DB && $PG_DB != "$url" ]] || die "DATABASE_URL has no database name: $DATABASE_URL"
}

pg_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -t 3 -d "$PG_ADMIN_URL" >/dev/null 2>&1
  else
    psql "$PG_ADMIN_URL" -Atqc 'select 1' >/dev/null 2>&1
  fi
}

ensure_postgres() {
  command -v psql >/dev/null 2>&1 ||
    die "psql not found: needed to check PostgreSQL and create the database" \
      "install it: apt-get install -y postgresql-client"
  pg_parts
  if ! pg_up; then
    die "PostgreSQL does not answer at ${PG_ADMIN_URL%/*} (DATABASE_URL=$DATABASE_URL)" \
      "this script does not start or stop the machine's PostgreSQL; start it with:" \
      "  pg_ctlcluster --skip-systemctl-redirect 15 main start"
  fi
  local exists out
  if ! exists="$(psql "$PG_ADMIN_URL" -Atqc "select 1 from pg_database where datname = '${PG_DB//\'/\'\'}'" 2>&1)"; then
    die "cannot query PostgreSQL with DATABASE_URL=$DATABASE_URL" "$exists"
  fi
  if [[ $exists != 1 ]]; then
    out="$(psql "$PG_ADMIN_URL" -qc "create database \"${PG_DB//\"/\"\"}\"" 2>&1)" ||
      die "cannot create database $PG_DB" "$out"
    say "postgres: created database $PG_DB"
  fi
  say "postgres: up (${PG_ADMIN_URL%/*}/$PG_DB)"
  # Not ours to change, but worth knowing: the relays vacuum their outboxes themselves
  # (OUTBOX_VACUUM_EVERY_ROWS); every other table keeps its dead rows until a manual VACUUM.
  if [[ "$(psql "$PG_ADMIN_URL" -Atqc 'show autovacuum' 2>/dev/null)" == off ]]; then
    warn "postgres: autovacuum is off on this server: dead rows stay until a manual VACUUM, except in the outboxes (their relays vacuum them); turn it on in postgresql.conf for long runs"
  fi
}

# The services log in as their own roles (order_saga_<service>, lib/db/service-roles.ts): LOGIN and
# the passwords of $STATE/secrets/postgres-<service> (roles are cluster-wide; the migrations grant
# them their rights in each database).
provision_db_roles() {
  (cd "$ROOT" && DATABASE_URL="$DATABASE_URL" ORDER_SAGA_STATE="$STATE" node --import tsx scripts/provision-db-roles.ts) ||
    die "provisioning the services' PostgreSQL roles failed (DATABASE_URL=$DATABASE_URL)"
  say "postgres: service roles order_saga_{orchestrator,inventory,payment,shipping,notifications} can log in"
}
