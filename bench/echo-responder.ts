/**
 * The other side of the bench's Kafka echo ceiling, in its own process like a participant: consumes
 * ECHO_REQUESTS with the project's consumer settings (eachBatch, maxWaitTimeInMs 250, 16 partitions
 * at a time, offsets committed every 500 ms) and sends every batch back to ECHO_REPLIES with the
 * project's idempotent producer (acks=all, one request in flight), one send per batch as the
 * outbox relay does. Prints `ready` once it joined its group, then runs until SIGTERM.
 */
import { createIdempotentProducer, createKafka } from '../lib/kafka/kafka-client.ts';
import { createLogger } from '../lib/logger.ts';
import { localKafkaAdminConnection } from '../scripts/support/kafka-env.ts';

const requests = process.env.ECHO_REQUESTS ?? '';
const replies = process.env.ECHO_REPLIES ?? '';
const groupId = process.env.ECHO_GROUP ?? '';
if (!requests || !replies || !groupId) {
  process.stderr.write('echo-responder needs ECHO_REQUESTS, ECHO_REPLIES and ECHO_GROUP\n');
  process.exit(2);
}

/** Consumer settings; defaults are lib/messaging/message-consumer.ts's (ECHO_* overrides are for experiments). */
const settings = {
  maxWaitTimeInMs: Number(process.env.ECHO_MAX_WAIT_MS ?? 250),
  minBytes: Number(process.env.ECHO_MIN_BYTES ?? 1),
  partitionsConsumedConcurrently: Number(process.env.ECHO_PARTITIONS_CONCURRENTLY ?? 16),
  autoCommitInterval: Number(process.env.ECHO_AUTO_COMMIT_INTERVAL_MS ?? 500),
};
const logger = createLogger('echo-responder', 'warn');
const kafka = createKafka({ ...localKafkaAdminConnection(), clientId: 'bench-echo-responder', logger });
const producer = createIdempotentProducer(kafka);
const consumer = kafka.consumer({
  groupId,
  allowAutoTopicCreation: false,
  maxWaitTimeInMs: settings.maxWaitTimeInMs,
  minBytes: settings.minBytes,
});
await producer.connect();
await consumer.connect();
await consumer.subscribe({ topics: [requests], fromBeginning: true });
consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('ready\n'));
await consumer.run({
  eachBatchAutoResolve: false,
  partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
  // Offsets on a timer, not per batch, as the services commit them.
  autoCommit: false,
  autoCommitInterval: settings.autoCommitInterval,
  eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
    if (batch.messages.length === 0) return;
    await producer.send({
      topic: replies,
      acks: -1,
      messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
    });
    const last = batch.messages[batch.messages.length - 1];
    if (last) resolveOffset(last.offset);
    await commitOffsetsIfNecessary();
    await heartbeat();
  },
});

process.once('SIGTERM', () => {
  void Promise.allSettled([consumer.disconnect(), producer.disconnect()]).then(() => process.exit(0));
});
