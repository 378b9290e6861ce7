/**
 * Database ceiling: the saga's whole Postgres write pattern, without Kafka, HTTP, Avro or XState,
 * on a fresh database migrated with the project's migrations (same tables, indexes, constraints;
 * the caller creates it with freshDatabase).
 *
 * The statements are the ones the services send (the same SQL and row counts per saga), batched as
 * the real code batches them:
 * - order creation: by group commit as orchestrator/orders/order-service.ts does
 *   (creationCommitsInFlight transactions at a time, up to 100 orders each: orders, sagas, 3 history
 *   rows and 2 outbox rows per order, no NOTIFY: one instance per service, whose relay is woken
 *   in-process), or with createBatch 1 one transaction per order, 10 at a time (the pool);
 * - each participant, per fetch (the pending messages of every partition it owns, in one transaction
 *   as lib/messaging/message-consumer.ts groups them; 2 transactions at a time): inbox insert,
 *   row lock of the batch's orders (inventory also the stock rows), its rows (payment: + ledger;
 *   inventory: + one stock update), outbox rows — every write of the transaction in one
 *   statement of data-modifying CTEs (lib/db/write-batch.ts), run by the services' own unit of work
 *   (lib/db/unit-of-work.ts: BEGIN pipelined with the first read, COMMIT with the write statement);
 * - the orchestrator, per fetch of replies (all partitions, 2 transactions at a time): inbox insert, one locking
 *   join of sagas and orders, one set-based saga update (+ the order status on the last step),
 *   2 history rows (one unnest insert) and 2 outbox rows per reply, and the in-flight counter
 *   (creation and the last step, as orchestrator/runner/saga-runner.ts; the writes, again, as one
 *   statement);
 * - one outbox relay per schema as lib/outbox/outbox-relay.ts runs while it publishes from memory:
 *   the outbox inserts return their rows' seqs (as the services' do), and the relay deletes them in
 *   one statement every 100 ms, or as soon as a relay batch (DEFAULT_OUTBOX_RELAY_BATCH_SIZE)
 *   waits; a vacuum of the outbox every 5,000 deleted
 *   rows on a connection of its own, as lib/outbox/outbox-vacuum.ts. (The relay's read of the
 *   table, once a second on its poll when nothing else asks for it, is left out.)
 *
 * A batch takes everything pending in its partition (up to 500), which is what a kafkajs fetch
 * returns under saturation. Sagas are kept flowing by an in-flight window; completed sagas/s is the
 * ceiling the database sets for this pattern.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { binaryArray } from '../../lib/db/pg-binary-array.ts';
import { createUnitOfWorkRunner, type UnitOfWork, type UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import type { WriteBatch } from '../../lib/db/write-batch.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import { recordAllAsNew } from '../../lib/inbox/inbox.ts';
import { createLogger } from '../../lib/logger.ts';
import { fetchTransactionsInFlight } from '../../lib/messaging/message-consumer.ts';
import { outboxInsert } from '../../lib/outbox/outbox.ts';
import { createOutboxPool, OutboxBatchStatements } from '../../lib/outbox/outbox-batch.ts';
import {
  DEFAULT_OUTBOX_DELETE_EVERY_MS,
  DEFAULT_OUTBOX_RELAY_BATCH_SIZE,
} from '../../lib/outbox/outbox-relay.ts';
import { createOutboxVacuum, DEFAULT_OUTBOX_VACUUM_EVERY_ROWS } from '../../lib/outbox/outbox-vacuum.ts';
import { creationCommitsInFlight } from '../../orchestrator/orders/order-service.ts';
import {
  countSagasInFlight,
  historyInsert,
  insertOrders,
  insertSagas,
  saveSagas,
} from '../../orchestrator/runner/saga-store.ts';
import { sagasInFlightSlots } from '../../orchestrator/runner/sagas-in-flight-slots.ts';
import type { PersistedSaga, SagaStateName } from '../../orchestrator/saga/saga-types.ts';
import { reservationsTable } from '../../participants/inventory/inventory-store.ts';
import { insertLedger, paymentsTable } from '../../participants/payment/payment-store.ts';
import { shipmentsTable } from '../../participants/shipping/shipping-store.ts';
import { type KernelWorkReport, kernelWorkPerSaga } from './kernel-work.ts';
import { type CpuReport, cpuBetween, cpuSnapshot, type ProcessGroups } from './process-stats.ts';
import { readWalCounters, type WalPerSaga, walPerSaga } from './wal-stats.ts';

/** Ids as the services make them (lib/service/run-service.ts). */
const newId = timeOrderedIds();

export interface DbCeiling {
  sagasPerS: number;
  transactionsPerS: number;
  transactionsPerSaga: number;
  /** Transactions by kind in the measured window. */
  transactions: Record<string, number>;
  meanBatch: { create: number; participant: number; orchestrator: number; relay: number };
  pools: { perService: number; creators: number; consumerConcurrency: number; inflightWindow: number };
  /** Orders per creation transaction (1 = one transaction per HTTP request). */
  createBatch: number;
  cpu: CpuReport;
  /** Context switches and read/write system calls per saga (support/kernel-work.ts); null for none completed. */
  kernelPerSaga: KernelWorkReport | null;
  /** The server's write-ahead log per saga and checkpoints in the window (support/wal-stats.ts); absent in older results. */
  wal?: WalPerSaga | null;
}

const maxBatch = 500;
const randomSlot = () => Math.floor(Math.random() * sagasInFlightSlots);

interface Saga {
  orderId: string;
  partition: number;
  sku: string;
}

type Step = 'inventory' | 'payment' | 'shipping';
const steps: readonly Step[] = ['inventory', 'payment', 'shipping'];
const commandOf: Record<Step, string> = {
  inventory: 'ReserveStock',
  payment: 'ProcessPayment',
  shipping: 'ScheduleShipping',
};
const replyOf: Record<Step, string> = {
  inventory: 'StockReserved',
  payment: 'PaymentSucceeded',
  shipping: 'ShippingScheduled',
};
const nextStateOf: Record<Step, SagaStateName> = {
  inventory: 'processingPayment',
  payment: 'schedulingShipping',
  shipping: 'completed',
};

/** Wakes waiters when work arrives. */
class Signal {
  #waiters: Array<() => void> = [];
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  fire(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

const payload = randomBytes(180);
const headersOf = (messageId: string, orderId: string, type: string) =>
  JSON.stringify({
    'message-id': messageId,
    'order-id': orderId,
    'correlation-id': orderId,
    'causation-id': messageId,
    'record-type': type,
    'occurred-at': new Date().toISOString(),
  });
const persistedOf = (orderId: string, state: SagaStateName): PersistedSaga => ({
  value: state,
  context: {
    orderId,
    retryPolicy: { forwardAttempts: 3, compensationAttempts: 5 },
    attempt: 1,
    round: 0,
    cancelReason: null,
    failure: null,
    pricing: { currency: 'EUR', lines: [{ sku: 'SKU-001', quantity: 1, expectedUnitPrice: null }] },
    catalog: state === 'reservingStock' ? null : { total: 1999, unitPrices: { 'SKU-001': 1999 } },
  },
});

const outboxInserts = new Map<string, ReturnType<typeof outboxInsert>>();

type Schema = 'orders' | 'inventory' | 'payment' | 'shipping';
/** Seqs of committed outbox rows per schema: what each relay has published and must delete. */
type Published = Record<Schema, number[]>;

/**
 * The services' outbox insert (lib/outbox/outbox.ts), with a fixed payload and this project's
 * headers; the rows' seqs go to `published` once the transaction committed, as they go to the relay.
 */
function insertOutbox(
  writes: WriteBatch,
  schema: Schema,
  published: Published,
  rows: Array<{ orderId: string; type: string; topic: string }>,
): void {
  const insert = outboxInserts.get(schema) ?? outboxInsert(schema);
  outboxInserts.set(schema, insert);
  writes.addReturning(
    insert.sql,
    insert.bind(
      rows.map((r) => {
        const messageId = newId();
        return {
          message_id: messageId,
          topic: r.topic,
          message_key: r.orderId,
          record_type: r.type,
          payload,
          headers: headersOf(messageId, r.orderId, r.type),
        };
      }),
    ),
    'seq',
    (seqs) => {
      for (const seq of seqs) published[schema].push(Number(seq));
    },
  );
}

/** The orchestrator's history insert (orchestrator/runner/saga-store.ts). */
function insertHistory(
  writes: WriteBatch,
  rows: Array<{
    orderId: string;
    kind: string;
    type: string;
    from: string | null;
    to: string | null;
    detail: string;
  }>,
): void {
  const at = new Date();
  writes.add(
    historyInsert.sql,
    historyInsert.bind(
      rows.map((r) => ({
        order_id: r.orderId,
        kind: r.kind,
        type: r.type,
        message_id: newId(),
        from_state: r.from,
        to_state: r.to,
        detail: r.detail,
        at,
      })),
    ),
  );
}

/**
 * The consumers' fast path (lib/inbox/inbox.ts): the batch's message ids, every one expected new.
 * Time-ordered like the services' (replies and events from timeOrderedIds, commands derived from
 * their order's id: orchestrator/runner/saga-effects.ts).
 */
const recordInbox = (
  unit: UnitOfWork,
  schema: string,
  entries: Array<{ topic: string; recordType: string }>,
) =>
  recordAllAsNew(
    unit,
    schema,
    entries.map((e) => ({ messageId: newId(), ...e })),
  );

/** Order creation: order, saga, 3 history rows and 2 outbox rows per order, one transaction for all. */
async function createOrders(
  units: UnitOfWorkRunner,
  published: Published,
  sagas: readonly Saga[],
): Promise<void> {
  await units.run(async (unit) => {
    const { writes } = unit;
    const now = new Date();
    const address = JSON.stringify({
      name: 'Ada Lovelace',
      line1: '1 Main St',
      line2: null,
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    });
    const items = (saga: Saga) => JSON.stringify([{ sku: saga.sku, quantity: 1, unitPrice: null }]);
    writes.add(
      insertOrders.sql,
      insertOrders.bind(
        sagas.map((saga) => ({
          order_id: saga.orderId,
          customer_id: 'bench-customer',
          items: items(saga),
          total: null,
          currency: 'EUR',
          payment_token: 'tok_visa',
          shipping_address: address,
          status: 'PENDING',
          idempotency_key: null,
          request_fingerprint: randomBytes(32).toString('hex'),
          correlation_id: newId(),
          created_at: now,
          updated_at: now,
        })),
      ),
    );
    writes.add(
      insertSagas.sql,
      insertSagas.bind(
        sagas.map((saga) => ({
          order_id: saga.orderId,
          state: 'reservingStock',
          snapshot: JSON.stringify(persistedOf(saga.orderId, 'reservingStock')),
          version: 1,
          deadline_at: new Date(now.getTime() + 600_000),
          updated_at: now,
        })),
      ),
    );
    insertHistory(
      writes,
      sagas.flatMap((saga) => [
        {
          orderId: saga.orderId,
          kind: 'saga_started',
          type: 'OrderPlaced',
          from: null,
          to: 'reservingStock',
          detail: 'null',
        },
        {
          orderId: saga.orderId,
          kind: 'order_event',
          type: 'OrderPlaced',
          from: null,
          to: null,
          detail: '{}',
        },
        {
          orderId: saga.orderId,
          kind: 'command_sent',
          type: 'ReserveStock',
          from: null,
          to: null,
          detail: '{"attempt":1,"round":0}',
        },
      ]),
    );
    insertOutbox(
      writes,
      'orders',
      published,
      sagas.flatMap((saga) => [
        { orderId: saga.orderId, type: 'OrderPlaced', topic: 'order-events' },
        { orderId: saga.orderId, type: 'ReserveStock', topic: 'inventory-commands' },
      ]),
    );
    countSagasInFlight(unit, sagas.length, randomSlot());
  });
}

async function participantBatch(
  units: UnitOfWorkRunner,
  published: Published,
  step: Step,
  sagas: readonly Saga[],
): Promise<void> {
  await units.run(async (unit: UnitOfWork) => {
    const { writes } = unit;
    recordInbox(
      unit,
      step,
      sagas.map(() => ({ topic: `${step}-topic`, recordType: commandOf[step] })),
    );
    if (step === 'inventory') {
      // New orders' forward commands are decided without reading the orders' rows (newOrders in
      // participants/common/command-batch.ts): payment and shipping read nothing, inventory the stock.
      const skus = [...new Set(sagas.map((s) => s.sku))].sort();
      await unit.read({
        text: `select "sku", "available", "unit_price", "currency" from "inventory"."stock" where sku = any($1::text[]) order by sku collate "C" for update`,
        values: [binaryArray('text', skus)],
      });
      reservationsTable.insert(
        writes,
        sagas.map((s) => ({
          order_id: s.orderId,
          reservation_id: newId(),
          status: 'RESERVED',
          items: JSON.stringify([{ sku: s.sku, quantity: 1, unitPrice: 1999, currency: 'EUR' }]),
          rejection_reason: null,
          shortages: null,
        })),
      );
      const deltas = new Map<string, number>();
      for (const s of sagas) deltas.set(s.sku, (deltas.get(s.sku) ?? 0) - 1);
      writes.add(
        `update inventory.stock as s set available = s.available + d.delta, updated_at = now() from jsonb_to_recordset(?::jsonb) as d(sku text, delta integer) where s.sku = d.sku`,
        [JSON.stringify([...deltas].map(([sku, delta]) => ({ sku, delta })))],
      );
    } else if (step === 'payment') {
      const charges = sagas.map((s) => ({ orderId: s.orderId, paymentId: newId() }));
      paymentsTable.insert(
        writes,
        charges.map((c) => ({
          order_id: c.orderId,
          payment_id: c.paymentId,
          status: 'CHARGED',
          amount: 1999,
          currency: 'EUR',
          customer_id: 'bench-customer',
          failure_reason: null,
          failure_message: null,
        })),
      );
      writes.add(
        insertLedger.sql,
        insertLedger.bind(
          charges.map((c) => ({
            order_id: c.orderId,
            payment_id: c.paymentId,
            kind: 'charge',
            amount: 1999,
            currency: 'EUR',
          })),
        ),
      );
    } else {
      shipmentsTable.insert(
        writes,
        sagas.map((s) => ({
          order_id: s.orderId,
          shipment_id: newId(),
          status: 'SCHEDULED',
          carrier: 'DHL',
          country: 'DE',
          address: JSON.stringify({
            name: 'Ada Lovelace',
            line1: '1 Main St',
            city: 'Berlin',
            postalCode: '10115',
            country: 'DE',
          }),
          items: JSON.stringify([{ sku: s.sku, quantity: 1 }]),
          failure_reason: null,
          failure_message: null,
        })),
      );
    }
    insertOutbox(
      writes,
      step,
      published,
      sagas.map((s) => ({ orderId: s.orderId, type: replyOf[step], topic: `${step}-events` })),
    );
  });
}

/** The orchestrator's transaction for one fetch: replies of every step, in one set of statements. */
async function orchestratorBatch(
  units: UnitOfWorkRunner,
  published: Published,
  byStep: ReadonlyArray<readonly Saga[]>,
): Promise<void> {
  const replies = byStep.flatMap((sagas, s) => sagas.map((saga) => ({ saga, step: steps[s] ?? 'shipping' })));
  if (replies.length === 0) return;
  const fromOf: Record<Step, string> = {
    inventory: 'reservingStock',
    payment: 'processingPayment',
    shipping: 'schedulingShipping',
  };
  const nextCommandOf = (step: Step) => commandOf[steps[steps.indexOf(step) + 1] ?? 'shipping'];
  await units.run(async (unit: UnitOfWork) => {
    const { writes } = unit;
    recordInbox(
      unit,
      'orders',
      replies.map(({ step }) => ({ topic: `${step}-events`, recordType: replyOf[step] })),
    );
    // The orchestrator's saga/order updates (orchestrator/runner/saga-store.ts), without a read: the
    // sagas it wrote last are in its cache (orchestrator/runner/saga-cache.ts).
    saveSagas(
      unit,
      replies.map(({ saga, step }) => ({
        orderId: saga.orderId,
        persisted: persistedOf(saga.orderId, nextStateOf[step]),
        expectedVersion: steps.indexOf(step) + 1,
        deadlineAt: step === 'shipping' ? null : new Date(Date.now() + 600_000),
        status: step === 'shipping' ? 'COMPLETED' : 'PENDING',
        cancelReason: null,
        statusChanged: step === 'shipping',
        // The reservation's reply makes the catalog total known: written to orders.total.
        total: step === 'inventory' ? 1999 : null,
      })),
    );
    const completedIds = replies.filter(({ step }) => step === 'shipping').map(({ saga }) => saga.orderId);
    const detail = JSON.stringify({
      orderId: '00000000-0000-0000-0000-000000000000',
      reservationId: newId(),
      items: [{ sku: 'SKU-001', quantity: 1 }],
    });
    insertHistory(
      writes,
      replies.flatMap(({ saga, step }) => [
        {
          orderId: saga.orderId,
          kind: 'reply_received',
          type: replyOf[step],
          from: fromOf[step],
          to: nextStateOf[step],
          detail,
        },
        step === 'shipping'
          ? {
              orderId: saga.orderId,
              kind: 'order_event',
              type: 'OrderCompleted',
              from: null,
              to: null,
              detail: '{}',
            }
          : {
              orderId: saga.orderId,
              kind: 'command_sent',
              type: nextCommandOf(step),
              from: null,
              to: null,
              detail: '{"attempt":1,"round":0}',
            },
      ]),
    );
    insertOutbox(
      writes,
      'orders',
      published,
      replies.flatMap(({ saga, step }) => [
        step === 'shipping'
          ? { orderId: saga.orderId, type: 'OrderCompleted', topic: 'order-events' }
          : { orderId: saga.orderId, type: nextCommandOf(step), topic: 'x-commands' },
        { orderId: saga.orderId, type: 'OrderStatusChanged', topic: 'order-events' },
      ]),
    );
    countSagasInFlight(unit, -completedIds.length, randomSlot());
  });
}

/** A relay's delete of rows it published (lib/outbox/outbox-relay.ts while it publishes from memory). */
async function deletePublished(
  pool: pg.Pool,
  statements: OutboxBatchStatements,
  seqs: readonly number[],
): Promise<void> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await statements.deletePublished(client, seqs);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(failure);
  }
}

export async function measureDbCeiling({
  databaseUrl,
  seconds,
  partitions,
  groups,
  poolPerService = 10,
  inflightWindow = 1_000,
  createBatch = 100,
}: {
  databaseUrl: string;
  seconds: number;
  partitions: number;
  groups: ProcessGroups;
  poolPerService?: number;
  inflightWindow?: number;
  createBatch?: number;
}): Promise<DbCeiling> {
  const failures: unknown[] = [];
  const pool = (name: string) => {
    const created = createOutboxPool(databaseUrl, {
      max: poolPerService,
      application_name: `bench-db-ceiling-${name}`,
    });
    created.on('error', (error) => failures.push(error)); // an idle connection was terminated
    return created;
  };
  // The relays' connections and statements (lib/outbox/outbox-batch.ts, as the relays use them),
  // and each service's transactions run by the services' own unit-of-work runner (pipelined
  // BEGIN/COMMIT, one write statement).
  const relayStatements = {
    orders: new OutboxBatchStatements('orders', DEFAULT_OUTBOX_RELAY_BATCH_SIZE),
    inventory: new OutboxBatchStatements('inventory', DEFAULT_OUTBOX_RELAY_BATCH_SIZE),
    payment: new OutboxBatchStatements('payment', DEFAULT_OUTBOX_RELAY_BATCH_SIZE),
    shipping: new OutboxBatchStatements('shipping', DEFAULT_OUTBOX_RELAY_BATCH_SIZE),
  };
  const pools = {
    orders: pool('orders'),
    inventory: pool('inventory'),
    payment: pool('payment'),
    shipping: pool('shipping'),
  };
  const logger = createLogger('bench-db-ceiling', 'warn');
  const unitsOf = () => createUnitOfWorkRunner({ databaseUrl, maxConnections: poolPerService, logger });
  const units = { orders: unitsOf(), inventory: unitsOf(), payment: unitsOf(), shipping: unitsOf() };
  // The relays vacuum their outbox as the services' relays do (lib/outbox/outbox-vacuum.ts).
  const vacuumOf = (schema: string) =>
    createOutboxVacuum({
      databaseUrl,
      table: `${schema}.outbox`,
      everyRows: DEFAULT_OUTBOX_VACUUM_EVERY_ROWS,
      logger,
    });
  const vacuums = {
    orders: vacuumOf('orders'),
    inventory: vacuumOf('inventory'),
    payment: vacuumOf('payment'),
    shipping: vacuumOf('shipping'),
  };
  let running = true;
  let counting = false;
  let completed = 0;
  let inflight = 0;
  const tx: Record<string, number> = { create: 0, participant: 0, orchestrator: 0, relay: 0 };
  const published: Published = { orders: [], inventory: [], payment: [], shipping: [] };
  const batched = { create: 0, participant: 0, orchestrator: 0, relay: 0 };
  const count = (kind: keyof typeof tx, messages = 1) => {
    if (!counting) return;
    tx[kind] = (tx[kind] ?? 0) + 1;
    batched[kind as keyof typeof batched] += messages;
  };
  const partitionOf = (id: string) => Number.parseInt(id.slice(0, 8), 16) % partitions;

  // queues[step][partition]: commands waiting for a participant; replies[step][partition]: replies for the orchestrator
  const commands = steps.map(() => Array.from({ length: partitions }, () => [] as Saga[]));
  const replies = steps.map(() => Array.from({ length: partitions }, () => [] as Saga[]));
  const participantSignal = steps.map(() => new Signal());
  const orchestratorSignal = new Signal();
  const creatorSignal = new Signal();
  const relaySignal: Record<string, Signal> = {
    orders: new Signal(),
    inventory: new Signal(),
    payment: new Signal(),
    shipping: new Signal(),
  };

  /**
   * A consumer: `fetchTransactionsInFlight` workers, as lib/messaging/message-consumer.ts commits;
   * each takes the pending messages of every partition no other worker holds (one fetch) and
   * handles them in one transaction.
   */
  const consumer = (
    queues: Saga[][],
    signal: Signal,
    handle: (batches: ReadonlyArray<readonly [number, Saga[]]>) => Promise<void>,
  ): Promise<void>[] => {
    const busy = new Set<number>();
    const worker = async () => {
      while (running) {
        const picked: number[] = [];
        for (let index = 0; index < queues.length; index++)
          if (!busy.has(index) && (queues[index]?.length ?? 0) > 0) picked.push(index);
        if (picked.length === 0) {
          await signal.wait(50);
          continue;
        }
        for (const index of picked) busy.add(index);
        const batches = picked.map((index) => [index, (queues[index] ?? []).splice(0, maxBatch)] as const);
        try {
          await handle(batches);
        } catch (error) {
          failures.push(error);
          for (const [index, batch] of batches) queues[index]?.unshift(...batch);
        } finally {
          for (const index of picked) busy.delete(index);
        }
      }
    };
    return Array.from({ length: fetchTransactionsInFlight }, () => worker());
  };

  const loops: Promise<void>[] = [];
  // participants
  steps.forEach((step, s) => {
    const queues = commands[s] ?? [];
    loops.push(
      ...consumer(queues, participantSignal[s] ?? new Signal(), async (batches) => {
        const batch = batches.flatMap(([, sagas]) => sagas);
        await participantBatch(units[step], published, step, batch);
        count('participant', batch.length);
        relaySignal[step]?.fire();
        for (const [partition, sagas] of batches) replies[s]?.[partition]?.push(...sagas);
        orchestratorSignal.fire();
      }),
    );
  });
  // orchestrator: one queue per (reply topic, partition)
  const replyQueues = replies.flat();
  loops.push(
    ...consumer(replyQueues, orchestratorSignal, async (batches) => {
      const byStep = steps.map((_, s) =>
        batches.filter(([index]) => Math.floor(index / partitions) === s).flatMap(([, sagas]) => sagas),
      );
      await orchestratorBatch(units.orders, published, byStep);
      const handled = byStep.reduce((n, sagas) => n + sagas.length, 0);
      count('orchestrator', handled);
      relaySignal.orders?.fire();
      byStep.forEach((sagas, s) => {
        if (sagas.length === 0) return;
        if (steps[s] === 'shipping') {
          if (counting) completed += sagas.length;
          inflight -= sagas.length;
          creatorSignal.fire();
        } else {
          for (const saga of sagas) commands[s + 1]?.[saga.partition]?.push(saga);
          participantSignal[s + 1]?.fire();
        }
      });
    }),
  );
  // HTTP order creation. createBatch 1: one transaction per order, as many at a time as the
  // orchestrator's pool allows (10). createBatch > 1: group commit, as many transactions at a time as
  // the orchestrator commits creations, each taking up to createBatch orders.
  let orderCount = 0;
  const creators = createBatch === 1 ? poolPerService : creationCommitsInFlight;
  for (let c = 0; c < creators; c++) {
    loops.push(
      (async () => {
        while (running) {
          const room = Math.min(createBatch, inflightWindow - inflight);
          if (room <= 0) {
            await creatorSignal.wait(50);
            continue;
          }
          inflight += room;
          const sagas: Saga[] = Array.from({ length: room }, () => {
            const orderId = newId();
            return { orderId, partition: partitionOf(orderId), sku: `SKU-00${(orderCount++ % 8) + 1}` };
          });
          try {
            await createOrders(units.orders, published, sagas);
            count('create', room);
            relaySignal.orders?.fire();
            for (const saga of sagas) commands[0]?.[saga.partition]?.push(saga);
            participantSignal[0]?.fire();
          } catch (error) {
            failures.push(error);
            inflight -= room;
          }
        }
      })(),
    );
  }
  // relays: delete what they published every DEFAULT_OUTBOX_DELETE_EVERY_MS, or a full batch at once
  for (const schema of ['orders', 'inventory', 'payment', 'shipping'] as const) {
    loops.push(
      (async () => {
        let lastDelete = Date.now();
        while (running) {
          const pending = published[schema];
          const due = Date.now() - lastDelete >= DEFAULT_OUTBOX_DELETE_EVERY_MS;
          if (pending.length === 0 || (pending.length < DEFAULT_OUTBOX_RELAY_BATCH_SIZE && !due)) {
            await relaySignal[schema]?.wait(DEFAULT_OUTBOX_DELETE_EVERY_MS);
            continue;
          }
          // Everything published so far, as the relay deletes (CommittedRows.toDelete).
          const seqs = pending.splice(0);
          try {
            await deletePublished(pools[schema], relayStatements[schema], seqs);
            lastDelete = Date.now();
            count('relay', seqs.length);
            vacuums[schema].deleted(seqs.length);
          } catch (error) {
            failures.push(error);
            pending.unshift(...seqs);
          }
        }
      })(),
    );
  }

  try {
    await new Promise((resolve) => setTimeout(resolve, Math.min(3_000, seconds * 300)));
    const walBefore = await readWalCounters(pools.orders).catch(() => null);
    const before = cpuSnapshot(groups);
    counting = true;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    counting = false;
    const after = cpuSnapshot(groups);
    const walAfter = await readWalCounters(pools.orders).catch(() => null);
    const cpu = cpuBetween(before, after);
    const wall = (after.at - before.at) / 1000;
    if (failures.length > 0 && completed === 0) throw failures[0];
    const total = Object.values(tx).reduce((a, b) => a + b, 0);
    return {
      sagasPerS: Math.round(completed / wall),
      transactionsPerS: Math.round(total / wall),
      transactionsPerSaga: completed === 0 ? 0 : Math.round((10 * total) / completed) / 10,
      transactions: tx,
      meanBatch: {
        create: Math.round((10 * batched.create) / Math.max(1, tx.create ?? 0)) / 10,
        participant: Math.round((10 * batched.participant) / Math.max(1, tx.participant ?? 0)) / 10,
        orchestrator: Math.round((10 * batched.orchestrator) / Math.max(1, tx.orchestrator ?? 0)) / 10,
        relay: Math.round((10 * batched.relay) / Math.max(1, tx.relay ?? 0)) / 10,
      },
      createBatch,
      pools: {
        perService: poolPerService,
        creators,
        consumerConcurrency: fetchTransactionsInFlight,
        inflightWindow,
      },
      cpu,
      kernelPerSaga: kernelWorkPerSaga(cpu.kernel, completed),
      wal: walPerSaga(walBefore, walAfter, completed),
    };
  } finally {
    running = false;
    creatorSignal.fire();
    orchestratorSignal.fire();
    for (const signal of [...participantSignal, ...Object.values(relaySignal)]) signal.fire();
    await Promise.allSettled(loops);
    await Promise.all([
      ...Object.values(vacuums).map((v) => v.stop()),
      ...Object.values(pools).map((p) => p.end()),
      ...Object.values(units).map((u) => u.close()),
    ]);
  }
}
