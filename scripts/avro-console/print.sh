# shellcheck shell=bash
# Sourced by scripts/avro-console.sh: step 4, one block per message.

# CreateTime:1795329176004 -> CreateTime 2026-11-22T06:32:56.004Z (as is when date cannot)
format_ts() {
  local kind="${1%%:*}" ms="${1#*:}" iso
  if [[ $ms =~ ^[0-9]+$ ]] && iso="$(date -u -d "@$((ms / 1000))" +%Y-%m-%dT%H:%M:%S 2>/dev/null)"; then
    printf '%s %s.%03dZ' "$kind" "$iso" $((ms % 1000))
  else
    printf '%s' "$1"
  fi
}

# exits 1 when a message could not be decoded (after printing every message)
print_messages() {
  local failed i key sid note name
  failed=0
  for ((i = 0; i < MESSAGE_COUNT; i++)); do
    printf '=== %s partition %s offset %s (%s)\n' "$TOPIC" "${M_PART[i]}" "${M_OFF[i]}" "$(format_ts "${M_TS[i]}")"
    key="${M_KEY[i]}"
    [[ $key == "$NULL_PRINTED" ]] && key='(null)'
    [[ -z $key ]] && key='(empty)'
    printf 'key:         %s\n' "$key"
    printf 'record-type: %s\n' "${M_TYPE[i]:-(no record-type header)}"
    printf 'headers:     %s\n' "${M_HEADERS[i]:-(none)}"
    if [[ -n ${M_SID[i]} ]]; then
      sid="${M_SID[i]}"
      note=''
      name="${SCHEMA_NAME[$sid]:-}"
      if [[ -n $name && -n ${M_TYPE[i]} && ${name##*.} != "${M_TYPE[i]}" ]]; then
        note="  (!) record-type header says ${M_TYPE[i]}"
      fi
      printf 'frame:       magic byte 0x00, schema id %s%s, Avro body %s bytes%s\n' \
        "$sid" "${name:+ = $name}" "${M_LEN[i]}" "$note"
    fi
    if [[ -n ${M_JSON[i]} ]]; then
      printf 'value:       %s\n' "${M_JSON[i]}"
    else
      printf 'error:       %s\n' "${M_STATUS[i]}"
      failed=$((failed + 1))
    fi
  done

  if ((failed > 0)); then
    say "$failed of $MESSAGE_COUNT message(s) could not be decoded"
    exit 1
  fi
}
