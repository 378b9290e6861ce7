import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createLogger } from '../../../lib/logger.ts';
import { type OutboxRelay, startOutboxRelay } from '../../../lib/outbox/outbox-relay.ts';
import { type KafkaHarness, openKafkaHarness, recordTopic } from '../../support/kafka-harness.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { waitFor } from '../../support/wait-for.ts';

const logger = createLogger('outbox-relay-chunks-it', 'warn');

/**
 * A topic whose brokers refuse record batches above 4 KiB, and a backlog of 60 rows of ≈ 400 bytes
 * (24 KiB) for one partition: published only if the relay splits its batch of up to 500 rows.
 */
let database: ThrowawayDatabase;
let harness: KafkaHarness;
const topic = `relay-chunks-${randomUUID()}`;
const maxMessageBytes = 4_096;

before(async () => {
  database = await createThrowawayDatabase({ poolMax: 2 });
  harness = await openKafkaHarness('outbox-relay-chunks-it');
  await harness.admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: 1,
        configEntries: [{ name: 'max.message.bytes', value: String(maxMessageBytes) }],
      },
    ],
    waitForLeaders: true,
  });
});
after(async () => {
  await harness.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await harness.close();
  await database.drop();
});

const backlog = Array.from({ length: 60 }, (_, i) => ({
  message_id: randomUUID(),
  topic,
  message_key: `order-${i % 3}`,
  record_type: 'OrderStatusChanged',
  payload: randomBytes(300),
  headers: { 'message-id': randomUUID(), 'record-type': 'OrderStatusChanged' },
}));

test('the broker refuses the backlog as one produce request (the premise)', async () => {
  const producer = harness.kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  try {
    await assert.rejects(
      producer.send({
        topic,
        acks: -1,
        messages: backlog.map((r) => ({ key: r.message_key, value: r.payload, headers: r.headers })),
      }),
      { type: 'MESSAGE_TOO_LARGE' },
    );
  } finally {
    await producer.disconnect();
  }
});

test('the relay publishes a backlog larger than a record batch may be, in several requests, in order', async () => {
  await database.db('orders.outbox').insert(backlog);
  const published = await recordTopic(harness.kafka, topic);
  let relay: OutboxRelay | null = null;
  try {
    relay = startOutboxRelay({
      databaseUrl: database.url,
      schema: 'orders',
      producer: harness.producer,
      logger,
      pollIntervalMs: 60_000,
      maxTopicBytesPerRequest: maxMessageBytes,
    });
    await waitFor('the 60 rows on the topic', () => (published.messages.length >= 60 ? true : undefined));
    await relay.drain();
    await published.caughtUp();
    assert.deepEqual(
      published.messages.map((m) => [m.offset, m.key, m.value?.toString('hex'), m.headers['message-id']]),
      backlog.map((r, i) => [String(i), r.message_key, r.payload.toString('hex'), r.headers['message-id']]),
      'every row once, in outbox order',
    );
    assert.ok(relay.healthy);
    assert.equal(Number((await database.db('orders.outbox').count({ n: '*' }))[0]?.n), 0);
  } finally {
    await relay?.stop();
    await published.stop();
  }
});
