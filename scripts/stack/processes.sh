# shellcheck shell=bash
# Sourced by scripts/stack.sh: processes and ports. A component is "ours" when its pid file names a
# live process whose command line carries the marker -Dorder.saga.stack=<state dir>/<component>
# (guards against pid reuse).

marker() { printf -- '-Dorder.saga.stack=%s/%s' "$STATE" "$1"; }
pidfile() { printf '%s/%s.pid' "$RUN" "$1"; }

# prints the pid of a running component started by this script, or fails
running_pid() {
  local f pid
  f="$(pidfile "$1")"
  [[ -f $f ]] || return 1
  pid="$(<"$f")"
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ $cmdline == *"$(marker "$1") "* ]] || return 1
  printf '%s' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# who listens on a port (best effort, for error messages)
port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\))).*/\1/p' | head -1 || true
  fi
}

ensure_port_free() { # component port what
  if port_open "$2"; then
    local owner
    owner="$(port_owner "$2")"
    die "port $2 ($3) is already taken by a process this script did not start${owner:+: $owner}" \
      "stop it, or choose other ports, e.g. KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 SCHEMA_REGISTRY_PORT=18081"
  fi
}

# start a detached process in its own session; output appended to a log file
spawn() { # component logfile cmd...
  local comp="$1" log="$2"
  shift 2
  mkdir -p "$RUN" "$LOGS"
  printf '\n===== %s start %s =====\n' "$comp" "$(date -Is)" >>"$log"
  setsid "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$comp")"
}

stop_component() { # component label
  local comp="$1" label="$2" pid deadline
  if ! pid="$(running_pid "$comp")"; then
    rm -f "$(pidfile "$comp")"
    say "$label: not running (nothing started by this script)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$label (pid $pid) did not stop within ${STOP_TIMEOUT}s: kill -9"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(pidfile "$comp")" "$RUN/$comp.port"
  say "$label: stopped (pid $pid)"
}

# a running component keeps its port: asking for another one needs a restart
running_port_matches() { # component wanted-port env-name
  local running
  running="$(cat "$RUN/$1.port" 2>/dev/null || true)"
  [[ -z $running || $running == "$2" ]] ||
    die "$1 is already running on port $running, not $3=$2" "stop it first: npm run stack -- down"
}
