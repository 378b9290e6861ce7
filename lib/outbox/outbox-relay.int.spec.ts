import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { systemClock } from '../../lib/ids.ts';
import { createLogger } from '../../lib/logger.ts';
import { type KafkaHarness, openKafkaHarness, recordTopic } from '../../test/support/kafka-harness.ts';
import { recordWire } from '../../test/support/pg-wire.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { baseTopics, deployedTopic } from '../kafka/topics.ts';
import { Outbox, type OutgoingMessage, outboxChannelOf } from './outbox.ts';
import { type OutboxRelay, startOutboxRelay } from './outbox-relay.ts';

const logger = createLogger('outbox-relay-it', 'warn');
const topic = deployedTopic(baseTopics.orderEvents);

const statusChanged = (orderId: string, sagaState: string): OutgoingMessage => ({
  record: {
    type: 'OrderStatusChanged',
    payload: { orderId, status: 'pending', sagaState, previousSagaState: null },
  },
  messageId: randomUUID(),
  orderId,
  correlationId: orderId,
  causationId: null,
});

/**
 * The relay of a real service process (real Postgres, Kafka and registry) with its slow poll pushed
 * out of reach (60 s): what is published within the test's deadline was woken by a commit of this
 * process or by a NOTIFY, never by the poll.
 */
describe('outbox relay wake-ups (PostgreSQL, Kafka)', () => {
  let database: ThrowawayDatabase;
  let harness: KafkaHarness;
  let published: Awaited<ReturnType<typeof recordTopic>>;
  let relay: OutboxRelay;
  let listener: pg.Client;
  const notifications: string[] = [];

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 4 });
    harness = await openKafkaHarness('outbox-relay-it');
    published = await recordTopic(harness.kafka, topic);
    listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    listener.on('notification', (n) => notifications.push(n.channel));
    await listener.query(`listen ${outboxChannelOf('orders')}`);
    relay = startOutboxRelay({
      databaseUrl: database.url,
      schema: 'orders',
      producer: harness.producer,
      logger,
      pollIntervalMs: 60_000,
    });
    // Its first attempt (at start) finds the outbox empty and takes the lock: it is the publisher.
    await relay.drain();
    await waitFor('the relay to hold the relay lock', () => (relay.holdsLock ? true : undefined));
  });
  after(async () => {
    await relay.stop();
    await listener.end();
    await published.stop();
    await harness.close();
    await database.drop();
  });

  test('a commit of this process wakes its relay directly: published in order, no NOTIFY sent', async () => {
    const outbox = new Outbox('orders', harness.codec, systemClock, relay);
    const orderId = randomUUID();
    const states = ['reservingStock', 'processingPayment', 'schedulingShipping'];
    for (const state of states) {
      await database.units.run((unit) => outbox.append(unit, [statusChanged(orderId, state)]));
    }
    const messages = await waitFor('the three messages on the topic', () => {
      const mine = published.messages.filter((m) => m.key === orderId);
      return mine.length === states.length ? mine : undefined;
    });
    const decoded = await Promise.all(messages.map((m) => harness.codec.decode(m.value ?? Buffer.alloc(0))));
    assert.deepEqual(
      decoded.map((r) => (r.type === 'OrderStatusChanged' ? r.payload.sagaState : r.type)),
      states,
    );
    // A NOTIFY is delivered at commit, long before the relay has published: none came.
    assert.deepEqual(notifications, []);
  });

  test('one round trip per batch: the rows of a batch are deleted by the read of the next one', async () => {
    const outbox = new Outbox('orders', harness.codec, systemClock, relay);
    const outboxRows = async () => Number((await database.db('orders.outbox').count({ n: '*' }))[0]?.n);
    await relay.drain();
    const wire = recordWire();
    const first = randomUUID();
    const second = randomUUID();
    try {
      await database.units.run((unit) => outbox.append(unit, [statusChanged(first, 'reservingStock')]));
      await waitFor('the first message on the topic', () =>
        published.messages.some((m) => m.key === first) ? true : undefined,
      );
      assert.equal(await outboxRows(), 1, 'published, not yet deleted: no round trip of its own');
      await database.units.run((unit) => outbox.append(unit, [statusChanged(second, 'reservingStock')]));
      await waitFor('the second message on the topic', () =>
        published.messages.some((m) => m.key === second) ? true : undefined,
      );
    } finally {
      wire.stop();
    }
    const relayStatements = wire.sent.filter(
      (sql) => /orders\.outbox/.test(sql) && !/^insert|^with/i.test(sql),
    );
    assert.equal(relayStatements.length, 2, `one query per batch, got:\n${relayStatements.join('\n')}`);
    assert.match(relayStatements[0] ?? '', /^select seq/, 'nothing published before: a plain read');
    assert.match(
      relayStatements[1] ?? '',
      /^delete from orders\.outbox where seq = any\('\{\d+\}'\); select seq/,
    );
    assert.equal(await outboxRows(), 1, 'the first row is gone, the second waits for the next read');
    await relay.drain();
    assert.equal(await outboxRows(), 0, 'a drain reads until empty, deleting the last batch');
  });

  test('another instance is not the publisher: its commits NOTIFY, and it takes over when the publisher goes', async () => {
    const second = startOutboxRelay({
      databaseUrl: database.url,
      schema: 'orders',
      producer: harness.producer,
      logger,
      pollIntervalMs: 200,
    });
    try {
      await second.drain(); // its first attempt finds the lock taken
      assert.equal(second.holdsLock, false);
      const outbox = new Outbox('orders', harness.codec, systemClock, second);
      const orderId = randomUUID();
      notifications.length = 0;
      await database.units.run((unit) => outbox.append(unit, [statusChanged(orderId, 'reservingStock')]));
      await waitFor('the NOTIFY', () => (notifications.length > 0 ? true : undefined));
      await waitFor('the publisher to publish it', () =>
        published.messages.some((m) => m.key === orderId) ? true : undefined,
      );

      await relay.stop(); // the publisher goes: its session, and with it the relay lock, ends
      await waitFor('the other instance to take over', () => (second.holdsLock ? true : undefined), {
        timeoutMs: 10_000,
      });
      const next = randomUUID();
      await database.units.run((unit) => outbox.append(unit, [statusChanged(next, 'processingPayment')]));
      await waitFor('the new publisher to publish', () =>
        published.messages.some((m) => m.key === next) ? true : undefined,
      );
    } finally {
      await second.stop();
    }
  });
});
