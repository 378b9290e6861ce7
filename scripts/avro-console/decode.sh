# shellcheck shell=bash
# Sourced by scripts/avro-console.sh: step 3, the writer schemas and avro-tools.

# 3. per schema id: the writer schema from the registry (fetched once per run: ids belong to one
#    registry, and `stack up --fresh` starts a new one, so they are not cached across runs), then
#    one avro-tools call for all the bodies written with it

declare -A SCHEMA_NAME=() SCHEMA_ERR=()
HAVE_JQ=0
if command -v jq >/dev/null 2>&1; then HAVE_JQ=1; fi

registry_get() { # path outfile -> prints the HTTP status; dies when the registry does not answer
  local code
  if ! code="$(curl -sS -m 10 -o "$2" -w '%{http_code}' "$REGISTRY$1" 2>"$WORK/curl.err")"; then
    die "schema registry not reachable at $REGISTRY (SCHEMA_REGISTRY_URL): $(head -1 "$WORK/curl.err")" \
      "start the local stack: npm run stack -- up"
  fi
  printf '%s' "$code"
}

# schema id -> $WORK/schema-<id>.avsc and SCHEMA_NAME[id], or SCHEMA_ERR[id]
fetch_schema() {
  local id="$1" code type
  local out="$WORK/schema-$id.json" avsc="$WORK/schema-$id.avsc"
  if ((HAVE_JQ)); then
    # GET /schemas/ids/<id> -> {"schema": "<schema text>", "schemaType": absent for Avro}
    code="$(registry_get "/schemas/ids/$id" "$out")"
  else
    # without jq: the same API's raw form, GET /schemas/ids/<id>/schema -> the schema text itself
    code="$(registry_get "/schemas/ids/$id/schema" "$avsc")"
    out="$avsc"
  fi
  if [[ $code == 404 ]]; then
    SCHEMA_ERR[$id]="schema id $id is unknown to the registry at $REGISTRY (a registry wiped since the message was written?)"
    return
  fi
  [[ $code == 200 ]] || die "GET $REGISTRY/schemas/ids/$id answered HTTP $code: $(head -c 300 "$out")"
  ((HAVE_JQ)) || return 0
  jq -e '.schema | type == "string"' "$out" >/dev/null 2>&1 ||
    die "GET $REGISTRY/schemas/ids/$id: no schema in the answer: $(head -c 300 "$out")"
  type="$(jq -r '.schemaType // "AVRO"' "$out")"
  if [[ $type != AVRO ]]; then
    SCHEMA_ERR[$id]="schema id $id is a $type schema, not Avro"
    return
  fi
  jq -r '.schema' "$out" >"$avsc"
  SCHEMA_NAME[$id]="$(jq -r '.schema | fromjson | if type == "object" and .name then
      (if (.name | contains(".")) or (.namespace // "") == "" then .name else .namespace + "." + .name end)
    else (.type? // . | tostring) end' "$out" 2>/dev/null || true)"
}

# fragtojson: the Avro binary datums on stdin, one JSON line each, with the given writer schema
fragtojson() { # schema-id errfile  (stdin -> stdout)
  java "${JAVA_OPTS[@]}" -jar "$AVRO_JAR" fragtojson --no-pretty --schema-file "$WORK/schema-$1.avsc" - 2>"$2"
}

# the bodies of the messages (indexes) written with one schema id, through one avro-tools call:
# $WORK/<i>.json for each; fails when avro-tools fails or the number of JSON lines is not theirs
decode_batch() { # schema-id indexes...
  local id="$1" i n=0 lines
  shift
  for i in "$@"; do cat "$WORK/$i.body"; done | fragtojson "$id" "$WORK/batch-$id.err" >"$WORK/batch-$id.json" ||
    return 1
  lines="$(grep -c '' "$WORK/batch-$id.json" || true)"
  ((lines == $#)) || return 1
  for i in "$@"; do
    n=$((n + 1))
    sed -n "${n}p" "$WORK/batch-$id.json" >"$WORK/$i.json"
  done
}

decode_values() {
  local t1 calls id idx i err
  local -A BATCH_PID=()
  t1=$SECONDS
  calls=0
  for id in "${!IDS_MSGS[@]}"; do
    fetch_schema "$id"
    if [[ -n ${SCHEMA_ERR[$id]:-} ]]; then
      read -r -a idx <<<"${IDS_MSGS[$id]}"
      for i in "${idx[@]}"; do M_STATUS[i]="${SCHEMA_ERR[$id]}"; done
      continue
    fi
    # one JVM per schema id, all at once
    # shellcheck disable=SC2086 # the index list is split on purpose
    decode_batch "$id" ${IDS_MSGS[$id]} &
    BATCH_PID[$id]=$!
    calls=$((calls + 1))
  done
  for id in "${!BATCH_PID[@]}"; do
    read -r -a idx <<<"${IDS_MSGS[$id]}"
    if wait "${BATCH_PID[$id]}"; then
      for i in "${idx[@]}"; do M_JSON[i]="$(<"$WORK/$i.json")"; done
      continue
    fi
    # a body that does not decode spoils its batch: decode them one by one to tell which
    for i in "${idx[@]}"; do
      calls=$((calls + 1))
      if fragtojson "$id" "$WORK/$i.err" <"$WORK/$i.body" >"$WORK/$i.json" &&
        [[ $(grep -c '' "$WORK/$i.json") == 1 ]]; then
        M_JSON[i]="$(<"$WORK/$i.json")"
      elif [[ -s $WORK/$i.json ]]; then
        M_STATUS[i]="the Avro body has bytes left after one datum of schema id $id"
      else
        err="$(grep -m1 -E 'Exception|Error' "$WORK/$i.err" || tail -1 "$WORK/$i.err")"
        err="${err#Exception in thread \"main\" }"
        [[ $err == *EOFException* ]] && err+=" (the body ends before the datum does)"
        M_STATUS[i]="avro-tools could not decode the body with schema id $id: $err"
      fi
    done
  done
  if ((calls > 0)); then
    say "decoded with avro-tools $AVRO_VERSION fragtojson: $calls call(s) for ${#BATCH_PID[@]} schema id(s) in $((SECONDS - t1))s"
  fi
}
