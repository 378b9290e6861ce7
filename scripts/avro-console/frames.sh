# shellcheck shell=bash
# Sourced by scripts/avro-console.sh: step 2, each message's columns and Confluent frame.

# 2. split the columns, write each value's bytes to a file, read its Confluent frame: sets the
#    M_* arrays (one entry per message) and IDS_MSGS
split_records() {
  local i ts part off headers key value hs h size b sid
  declare -ga M_TS M_PART M_OFF M_KEY M_HEADERS M_TYPE M_STATUS M_SID M_LEN M_JSON
  declare -gA IDS_MSGS=() # schema id -> message indexes (space separated)
  i=0
  while IFS="$COLUMN_SEP" read -r ts part off headers key value; do
    M_TS[i]="$ts" M_PART[i]="${part#Partition:}" M_OFF[i]="${off#Offset:}" M_KEY[i]="$key" M_JSON[i]=''
    M_TYPE[i]='' M_SID[i]='' M_LEN[i]=''
    M_HEADERS[i]=''
    if [[ $headers != NO_HEADERS ]]; then
      IFS="$HEADER_SEP" read -r -a hs <<<"$headers"
      for h in "${hs[@]}"; do
        [[ ${h%%:*} == record-type ]] && M_TYPE[i]="${h#*:}"
        M_HEADERS[i]+="${M_HEADERS[i]:+, }${h%%:*}=${h#*:}"
      done
    fi
    if [[ $value == "$NULL_PRINTED" ]]; then
      M_STATUS[i]=null M_JSON[i]='null (tombstone: nothing to decode)'
    else
      printf '%b' "$value" >"$WORK/$i.value"
      size="$(wc -c <"$WORK/$i.value")"
      read -r -a b < <(od -An -tu1 -N5 -v "$WORK/$i.value") || true
      if ((size < 5)); then
        M_STATUS[i]="not Confluent-framed: $size bytes, shorter than the 5-byte header"
      elif ((b[0] != 0)); then
        M_STATUS[i]="$(printf 'not Confluent-framed: magic byte 0x%02x, expected 0x00' "${b[0]}")"
      else
        sid=$(((b[1] << 24) | (b[2] << 16) | (b[3] << 8) | b[4]))
        M_SID[i]="$sid" M_LEN[i]=$((size - 5)) M_STATUS[i]=ok
        tail -c +6 "$WORK/$i.value" >"$WORK/$i.body"
        IDS_MSGS[$sid]+="${IDS_MSGS[$sid]:+ }$i"
      fi
    fi
    i=$((i + 1))
  done <"$WORK/records.txt"
}
