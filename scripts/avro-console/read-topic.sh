# shellcheck shell=bash
# Sourced by scripts/avro-console.sh: step 1, reading the topic with Kafka's console consumer.

# The console consumer prints every column through Kafka's BytesDeserializer, whose toString()
# keeps printable ASCII but writes backslash and every other byte as \xHH: no column holds a raw
# newline, 0x1e or 0x1f (the separators of columns and of headers), and `printf %b` turns a column
# back into the exact bytes. (Tab is not used: bash's read would merge the tabs around an empty key.)
BYTES_DESERIALIZER=org.apache.kafka.common.serialization.BytesDeserializer
COLUMN_SEP=$'\x1e'
HEADER_SEP=$'\x1f'
# what a null key/value/header prints as (after escaping: \x01null\x01)
NULL_LITERAL=$'\x01null\x01'
NULL_PRINTED='\x01null\x01'

# 1. read the topic: Kafka's console consumer; in parallel, kafka-topics --describe, so a missing
#    topic is reported at once instead of after the consumer's timeout. Writes $WORK/records.txt and
#    sets MESSAGE_COUNT; exits when the topic is missing, the consumer fails or nothing came.
read_topic() {
  local t0 describe_pid consumer_pid n partitions consumer_rc
  t0=$SECONDS
  "${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" --command-config "$WORK/client.properties" --describe --topic "$TOPIC" \
    >"$WORK/describe.out" 2>"$WORK/describe.err" &
  describe_pid=$!
  "${KAFKA_JAVA[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BROKERS" --topic "$TOPIC" \
    --consumer.config "$WORK/client.properties" \
    --from-beginning --max-messages "$MAX" --timeout-ms "$TIMEOUT_MS" \
    --property print.timestamp=true --property print.partition=true --property print.offset=true \
    --property print.headers=true --property print.key=true --property print.value=true \
    --property key.deserializer="$BYTES_DESERIALIZER" \
    --property value.deserializer="$BYTES_DESERIALIZER" \
    --property headers.deserializer="$BYTES_DESERIALIZER" \
    --property key.separator="$COLUMN_SEP" --property headers.separator="$HEADER_SEP" \
    --property null.literal="$NULL_LITERAL" \
    >"$WORK/records.txt" 2>"$WORK/consumer.err" &
  consumer_pid=$!

  if ! wait "$describe_pid"; then
    if grep -q 'does not exist' "$WORK/describe.err" "$WORK/describe.out"; then
      kill "$consumer_pid" 2>/dev/null || true
      wait "$consumer_pid" 2>/dev/null || true
      # some of the topics there are, those without a run prefix ('.') first
      "${KAFKA_JAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" --command-config "$WORK/client.properties" --list --exclude-internal \
        2>/dev/null | awk '{ print (index($0, ".") ? 1 : 0) "\t" $0 }' | sort | cut -f2 >"$WORK/topics.txt" || true
      n="$(grep -c '' "$WORK/topics.txt" || true)"
      die "topic '$TOPIC' does not exist on $BROKERS" \
        "$n topic(s) there: $(head -n 20 "$WORK/topics.txt" | paste -sd ' ' -)$( ((n > 20)) && printf ' …')"
    fi
    say "warning: kafka-topics --describe failed (continuing with the consumer):"
    show_tail "$WORK/describe.err" 5
  fi
  partitions="$(sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' "$WORK/describe.out" | head -1)"
  consumer_rc=0
  wait "$consumer_pid" || consumer_rc=$?
  # the consumer ends with a TimeoutException (logged, exit 0) when fewer than max messages came
  if ((consumer_rc != 0)); then
    printf '[avro-console] error: the console consumer failed (exit %s)\n' "$consumer_rc" >&2
    show_tail "$WORK/consumer.err"
    exit 1
  fi
  MESSAGE_COUNT="$(grep -c '' "$WORK/records.txt" || true)"
  say "topic $TOPIC${partitions:+ ($partitions partition(s))}: $MESSAGE_COUNT message(s) read in $((SECONDS - t0))s by Kafka's ConsoleConsumer $KAFKA_VERSION"
  if ((MESSAGE_COUNT == 0)); then
    say "no messages within ${TIMEOUT_MS} ms: the topic is empty"
    exit 0
  fi
}
