/**
 * Session timeouts on a real PostgreSQL (and Kafka for the consumer): every kind of connection starts
 * with the statement and lock timeouts, and a query stuck behind a row lock fails with the lock
 * timeout, which the consumer treats as an outage: it retries and handles the message once the
 * lock is gone, never dead-lettering it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createDatabase } from '../../../lib/db/database.ts';
import {
  defaultSessionTimeouts,
  type SessionTimeouts,
  withoutStatementTimeout,
} from '../../../lib/db/session-timeouts.ts';
import { createUnitOfWorkRunner } from '../../../lib/db/unit-of-work.ts';
import { FaultSwitch } from '../../../lib/faults/fault-switch.ts';
import { timeOrderedIds } from '../../../lib/ids.ts';
import { createLogger } from '../../../lib/logger.ts';
import { createMessageConsumer } from '../../../lib/messaging/message-consumer.ts';
import { isTransientError } from '../../../lib/messaging/transient-errors.ts';
import { createOutboxPool } from '../../../lib/outbox/outbox-batch.ts';
import { createVacuumPool } from '../../../lib/outbox/outbox-vacuum.ts';
import { listenForOutboxCommits } from '../../../lib/outbox/relay-listener.ts';
import { RelayState } from '../../../lib/outbox/relay-state.ts';
import { createInventoryHandler } from '../../../participants/inventory/inventory-handler.ts';
import { capturedLogger } from '../../support/captured-logger.ts';
import { jsonOutbox } from '../../support/json-outbox.ts';
import {
  createTopicWithDeadLetters,
  deleteTopicWithDeadLetters,
  firstMessageHeaders,
  type KafkaHarness,
  openKafkaHarness,
} from '../../support/kafka-harness.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { waitFor } from '../../support/wait-for.ts';

const silent = createLogger('session-timeouts-it', 'silent');
const show = 'select current_setting($1) as statement, current_setting($2) as lock';
const showValues = ['statement_timeout', 'lock_timeout'];
type Shown = { statement: string; lock: string };

/** A unit-of-work runner on the database with these timeouts (undefined: the defaults). */
const unitsOn = (databaseUrl: string, timeouts?: SessionTimeouts) =>
  createUnitOfWorkRunner({
    databaseUrl,
    maxConnections: 2,
    logger: silent,
    ...(timeouts ? { timeouts } : {}),
  });

describe('session timeouts (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 3 });
  });
  after(async () => database?.drop());

  /** What each kind of connection starts with, given these timeouts (undefined: the defaults). */
  async function settingsOfEveryConnection(timeouts?: SessionTimeouts): Promise<Record<string, Shown>> {
    const knex = createDatabase(database.url, { poolMax: 1, ...(timeouts ? { timeouts } : {}) });
    const units = unitsOn(database.url, timeouts);
    const relay = createOutboxPool(database.url, {}, timeouts);
    const vacuum = createVacuumPool(database.url, timeouts);
    const state = new RelayState();
    listenForOutboxCommits({
      databaseUrl: database.url,
      schema: 'inventory',
      state,
      onNotification: () => {},
      logger: silent,
      ...(timeouts ? { timeouts } : {}),
    });
    try {
      const listener = await waitFor('the LISTEN connection', () => state.listener ?? undefined);
      const first = <T>(rows: T[]): T => {
        const [row] = rows;
        assert.ok(row);
        return row;
      };
      return {
        knex: first((await knex.raw<{ rows: Shown[] }>(show.replaceAll(/\$\d/g, '?'), showValues)).rows),
        unitOfWork: first(await units.run((unit) => unit.read<Shown>({ text: show, values: showValues }))),
        relay: first((await relay.query<Shown>(show, showValues)).rows),
        vacuum: first((await vacuum.query<Shown>(show, showValues)).rows),
        listener: first((await listener.query<Shown>(show, showValues)).rows),
      };
    } finally {
      state.stopped = true;
      await state.listener?.end();
      await Promise.all([knex.destroy(), units.close(), relay.end(), vacuum.end()]);
    }
  }

  test('every connection starts with the timeouts: the defaults, or the ones given', async () => {
    assert.equal(process.env.DB_STATEMENT_TIMEOUT_MS, undefined, 'the test runs with the defaults');
    assert.equal(process.env.DB_LOCK_TIMEOUT_MS, undefined, 'the test runs with the defaults');
    const seconds = (ms: number) => `${ms / 1000}s`;
    const defaults = {
      statement: seconds(defaultSessionTimeouts.statementTimeoutMs),
      lock: seconds(defaultSessionTimeouts.lockTimeoutMs),
    };
    assert.deepEqual(await settingsOfEveryConnection(), {
      knex: defaults,
      unitOfWork: defaults,
      relay: defaults,
      listener: defaults,
      vacuum: { statement: '0', lock: defaults.lock },
    });
    const given = { statement: '4321ms', lock: '1234ms' };
    assert.deepEqual(await settingsOfEveryConnection({ statementTimeoutMs: 4321, lockTimeoutMs: 1234 }), {
      knex: given,
      unitOfWork: given,
      relay: given,
      listener: given,
      vacuum: { statement: '0', lock: given.lock },
    });
    // Migrations: no statement timeout.
    const migrations = createDatabase(database.url, { poolMax: 1, timeouts: withoutStatementTimeout() });
    try {
      const { rows } = await migrations.raw<{ rows: Shown[] }>(show.replaceAll(/\$\d/g, '?'), showValues);
      assert.deepEqual(rows[0], { statement: '0', lock: defaults.lock });
    } finally {
      await migrations.destroy();
    }
  });

  test('a runaway statement fails with the statement timeout (57014), an error the consumer retries', async () => {
    const units = unitsOn(database.url, { statementTimeoutMs: 100, lockTimeoutMs: 100 });
    try {
      const error = await units
        .run((unit) => unit.read({ text: 'select pg_sleep(5)', values: [] }))
        .then(
          () => assert.fail('the statement ran to its end'),
          (e: unknown) => e,
        );
      assert.equal((error as { code?: string }).code, '57014');
      assert.ok(isTransientError(error));
      // The connection is still good.
      const [row] = await units.run((unit) =>
        unit.read<{ one: number }>({ text: 'select 1 as one', values: [] }),
      );
      assert.equal(row?.one, 1);
    } finally {
      await units.close();
    }
  });
});

describe('a consumer behind a row lock (Kafka + PostgreSQL)', () => {
  let harness: KafkaHarness;
  let database: ThrowawayDatabase;
  const runId = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const topic = `test-lock-timeout-${runId}.inventory-commands`;
  const sku = 'LOCKED-1';

  before(async () => {
    harness = await openKafkaHarness('session-timeouts-it');
    database = await createThrowawayDatabase({ poolMax: 3 });
    await database.db('inventory.stock').insert({
      sku,
      name: 'locked',
      available: 5,
      seeded: 5,
      unit_price: 100,
      currency: 'EUR',
    });
    await createTopicWithDeadLetters(harness.admin, topic);
  });
  after(async () => {
    if (harness) await deleteTopicWithDeadLetters(harness.admin, topic);
    await harness?.close();
    await database?.drop();
  });

  test("inventory's query waits at most the lock timeout (55P03), is retried, and succeeds once the lock is released", async () => {
    const units = unitsOn(database.url, { statementTimeoutMs: 10_000, lockTimeoutMs: 200 });
    const { logger, lines } = capturedLogger('warn');
    const consumer = createMessageConsumer({
      kafka: harness.kafka,
      groupId: `test-lock-timeout-${runId}`,
      topics: [topic],
      decoder: harness.codec,
      units,
      inboxSchema: 'inventory',
      producer: harness.producer,
      logger,
      handle: createInventoryHandler(
        { outbox: jsonOutbox('inventory'), newId: timeOrderedIds(), logger: silent },
        new FaultSwitch(),
      ),
    });
    // Another session holds the stock row (an operator's long transaction, a stuck migration…).
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    let holding = false;
    try {
      await holder.query('begin');
      await holder.query('select * from inventory.stock where sku = $1 for update', [sku]);
      holding = true;
      await consumer.start();
      const orderId = randomUUID();
      const messageId = randomUUID();
      const value = await harness.codec.encode('ReserveStock', { orderId, items: [{ sku, quantity: 1 }] });
      await harness.producer.send({
        topic,
        messages: [{ key: orderId, value, headers: firstMessageHeaders('ReserveStock', orderId, messageId) }],
      });

      const lockTimeouts = () =>
        lines.filter((line) => (line.err as { code?: string } | undefined)?.code === '55P03').length;
      await waitFor('two lock timeouts, each retried', () => (lockTimeouts() >= 2 ? true : undefined), {
        timeoutMs: 30_000,
      });
      const replies = () =>
        database.db('inventory.outbox').where({ message_key: orderId }).select('record_type');
      assert.deepEqual(await replies(), [], 'nothing handled while the row is locked');

      await holder.query('commit');
      holding = false;
      const handled = await waitFor(
        'the reply once the lock is released',
        async () => {
          const rows = await replies();
          return rows.length > 0 ? rows : undefined;
        },
        { timeoutMs: 30_000 },
      );
      assert.deepEqual(
        handled.map((r) => r.record_type),
        ['StockReserved'],
      );
      const stock = await database.db('inventory.stock').where({ sku }).first('available');
      assert.equal(stock.available, 4, 'reserved once');
      assert.ok(
        !lines.some((line) => /dead-letter/i.test(String(line.msg))),
        'the message was never dead-lettered',
      );
    } finally {
      if (holding) await holder.query('rollback').catch(() => undefined);
      await holder.end();
      await consumer.stop();
      await units.close();
    }
  });
});
