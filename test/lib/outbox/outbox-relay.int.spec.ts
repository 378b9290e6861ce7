import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { systemClock } from '../../../lib/ids.ts';
import { baseTopics, deployedTopic } from '../../../lib/kafka/topics.ts';
import { createLogger } from '../../../lib/logger.ts';
import { HeaderNames, headerString } from '../../../lib/messaging/headers.ts';
import { Outbox, type OutgoingMessage } from '../../../lib/outbox/outbox.ts';
import { lockKeyOf } from '../../../lib/outbox/outbox-batch.ts';
import { outboxChannelOf } from '../../../lib/outbox/outbox-channel.ts';
import { type OutboxRelay, startOutboxRelay } from '../../../lib/outbox/outbox-relay.ts';
import { orderTraceparent } from '../../../lib/tracing/traceparent.ts';
import { type KafkaHarness, openKafkaHarness, recordTopic } from '../../support/kafka-harness.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { waitFor } from '../../support/wait-for.ts';

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
      vacuumEveryRows: 40,
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

  const outboxRows = async (): Promise<number> =>
    Number((await database.db('orders.outbox').count({ n: '*' }))[0]?.n);

  test('a commit of this process is published from memory, in order, with no NOTIFY; its rows are deleted after', async () => {
    const outbox = new Outbox('orders', harness.codec, systemClock, relay);
    const fromMemoryBefore = relay.publishedFromMemory;
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
    assert.equal(relay.publishedFromMemory - fromMemoryBefore, 3, 'published without reading them back');
    for (const m of messages) {
      assert.equal(
        headerString(m.headers, HeaderNames.traceparent),
        orderTraceparent(orderId),
        "the order's traceparent",
      );
    }
    // A NOTIFY is delivered at commit, long before the relay has published: none came.
    assert.deepEqual(notifications, []);
    // Deleted in a batch once published (deleteEveryMs), not by the 60 s poll.
    await waitFor('the published rows deleted from the outbox', async () =>
      (await outboxRows()) === 0 ? true : undefined,
    );
  });

  test('rows another instance commits (NOTIFY) are read from the table; memory rows are not published twice', async () => {
    const local = new Outbox('orders', harness.codec, systemClock, relay);
    const other = new Outbox('orders', harness.codec, systemClock); // no local relay: it NOTIFYs
    const orderId = randomUUID();
    await database.units.run((unit) => other.append(unit, [statusChanged(orderId, 'fromOtherInstance')]));
    // The row is stored without the order's own traceparent (it follows from the order id)…
    const [stored] = await database.db('orders.outbox').select('headers');
    assert.equal(stored?.headers[HeaderNames.orderId], orderId);
    assert.equal(stored?.headers[HeaderNames.traceparent], undefined);
    await database.units.run((unit) => local.append(unit, [statusChanged(orderId, 'fromThisProcess')]));
    await waitFor('both messages on the topic', () =>
      published.messages.filter((m) => m.key === orderId).length >= 2 ? true : undefined,
    );
    await relay.drain();
    await published.caughtUp();
    const mine = published.messages.filter((m) => m.key === orderId);
    // …and both copies, read back from the table or published from memory, carry it on Kafka.
    for (const m of mine) {
      assert.equal(headerString(m.headers, HeaderNames.traceparent), orderTraceparent(orderId));
    }
    const decoded = await Promise.all(mine.map((m) => harness.codec.decode(m.value ?? Buffer.alloc(0))));
    // Each once. Their order is not promised: the local row may go out from memory before the
    // NOTIFY of the other commit arrives. A saga never writes two messages that way: its next one
    // is written after the one before was delivered (see outbox-relay.ts on per-key order).
    assert.deepEqual(
      decoded.map((r) => (r.type === 'OrderStatusChanged' ? r.payload.sagaState : r.type)).sort(),
      ['fromOtherInstance', 'fromThisProcess'],
      'each published once',
    );
    assert.equal(await outboxRows(), 0);
  });

  test('local commits racing reads of the table (NOTIFYs of another instance) are each published once', async () => {
    const local = new Outbox('orders', harness.codec, systemClock, relay);
    const other = new Outbox('orders', harness.codec, systemClock);
    const orderId = randomUUID();
    const sent: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        for (let i = 0; i < 40; i += 1) {
          const message = statusChanged(orderId, `lane-${lane}-${i}`);
          sent.push(message.messageId);
          const outbox = (lane + i) % 2 === 0 ? local : other;
          await database.units.run((unit) => outbox.append(unit, [message]));
        }
      }),
    );
    await waitFor('every message on the topic', () =>
      published.messages.filter((m) => m.key === orderId).length >= sent.length ? true : undefined,
    );
    await relay.drain();
    await published.caughtUp();
    const ids = published.messages
      .filter((m) => m.key === orderId)
      .map((m) => headerString(m.headers, HeaderNames.messageId));
    assert.equal(ids.length, sent.length, 'no message published twice');
    assert.deepEqual(new Set(ids), new Set(sent));
  });

  /**
   * Ends the relay's connection (the only session of this database holding an advisory lock) and
   * has "another instance" take the relay lock as soon as that session has let go of it.
   */
  const loseLockToAnotherInstance = async (): Promise<pg.Client> => {
    const admin = new pg.Client({ connectionString: database.url });
    const other = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await other.connect();
    try {
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_locks where locktype = 'advisory' and granted
           and database = (select oid from pg_database where datname = current_database())`,
      );
      assert.equal(rows.length, 1, 'one session holds the relay lock');
      await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
      await other.query('select pg_advisory_lock($1)', [lockKeyOf('orders')]);
    } finally {
      await admin.end();
    }
    await waitFor('the relay to notice it lost the lock', () => (relay.holdsLock ? undefined : true));
    return other;
  };
  const publishedFor = (orderId: string) => published.messages.filter((m) => m.key === orderId).length;

  test("when the publisher's connection ends another instance takes the lock; commits NOTIFY it", async () => {
    const outbox = new Outbox('orders', harness.codec, systemClock, relay);
    const orderId = randomUUID();
    const other = await loseLockToAnotherInstance();
    try {
      notifications.length = 0;
      await database.units.run((unit) => outbox.append(unit, [statusChanged(orderId, 'reservingStock')]));
      await waitFor('a NOTIFY for the commit, now that this relay is not the publisher', () =>
        notifications.length > 0 ? true : undefined,
      );
      assert.equal(publishedFor(orderId), 0, 'nothing can be published while the lock is held elsewhere');
    } finally {
      await other.end(); // lets go of the lock without publishing, as if that instance had died
    }
    // The next read (the poll, here the drain) takes the lock over and publishes.
    await relay.drain();
    await published.caughtUp();
    assert.equal(publishedFor(orderId), 1);
    assert.equal(relay.holdsLock, true);
  });

  test('rows written without a NOTIFY while this relay held the lock, committed after it lost it, get a NOTIFY from the relay', async () => {
    const outbox = new Outbox('orders', harness.codec, systemClock, relay);
    await waitFor('the relay to hold the lock', () => (relay.holdsLock ? true : undefined));
    const orderId = randomUUID();
    notifications.length = 0;
    let other: pg.Client | undefined;
    try {
      await database.units.run(async (unit) => {
        await outbox.append(unit, [statusChanged(orderId, 'reservingStock')]); // holds the lock: no NOTIFY
        other = await loseLockToAnotherInstance();
      });
      // The publisher (the other instance) must learn of these rows: the relay NOTIFYs for them.
      await waitFor('a NOTIFY sent by the relay for the commit', () =>
        notifications.length > 0 ? true : undefined,
      );
      assert.equal(publishedFor(orderId), 0);
    } finally {
      await other?.end();
    }
    await relay.drain();
    await published.caughtUp();
    assert.equal(publishedFor(orderId), 1);
  });

  test('after every 40 published rows the relay vacuums its outbox (the server records it)', async () => {
    const outbox = new Outbox('orders', harness.codec, systemClock, relay);
    const vacuumsBefore = relay.vacuums;
    const orderId = randomUUID();
    await database.units.run((unit) =>
      outbox.append(
        unit,
        Array.from({ length: 45 }, (_, i) => statusChanged(orderId, `state-${i}`)),
      ),
    );
    await waitFor('the 45 messages on the topic', () =>
      published.messages.filter((m) => m.key === orderId).length === 45 ? true : undefined,
    );
    await waitFor('a vacuum by the relay', () => (relay.vacuums > vacuumsBefore ? true : undefined));
    const { rows } = await database.db.raw<{ rows: Array<{ vacuum_count: string }> }>(
      "select vacuum_count from pg_stat_user_tables where schemaname = 'orders' and relname = 'outbox'",
    );
    assert.ok(Number(rows[0]?.vacuum_count) >= 1, 'vacuum_count of orders.outbox');
  });
});
