/**
 * Database ceiling: how many sagas/s the database completes when the services' own transactions are
 * all it has to do. Their real code runs in this process, each service as its Postgres role, on a
 * fresh database migrated like the bench's: order creation (OrderService's group commit), the
 * participants' batch handlers and the orchestrator's reply handler behind the consumers' inbox
 * (handleOnce; a fetch's partitions in one transaction, fetchTransactionsInFlight at a time), the
 * outboxes, and the outbox relays, which publish from memory, delete and vacuum as in the services.
 *
 * Only Kafka and HTTP are left out: the relays' producer writes to in-memory topics (partitioned by
 * key) that the consumers drain, everything pending in a partition up to 500 messages, as a fetch
 * returns under saturation; payloads are the real Avro. `inflight` clients each place an order and
 * place the next once the relay published the saga's OrderCompleted. So the ceiling follows whatever
 * the services' code writes. Its process runs that code too, on one thread: about as much CPU per
 * saga as Postgres spends (docs/performance.md, "Method").
 */
import type { Producer } from 'kafkajs';
import { AuditTrail } from '../../lib/audit/audit-trail.ts';
import type { AvroCodec } from '../../lib/avro/codec.ts';
import { createDatabase } from '../../lib/db/database.ts';
import { type DatabaseService, serviceDatabaseUrl, serviceSchemas } from '../../lib/db/service-roles.ts';
import { createUnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { systemClock, timeOrderedIds } from '../../lib/ids.ts';
import { murmur2 } from '../../lib/kafka/key-partitioner.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { createLogger } from '../../lib/logger.ts';
import { readMeta } from '../../lib/messaging/headers.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { fetchTransactionsInFlight, handleOnce } from '../../lib/messaging/message-consumer.ts';
import { Outbox } from '../../lib/outbox/outbox.ts';
import { startOutboxRelay } from '../../lib/outbox/outbox-relay.ts';
import { OrderService } from '../../orchestrator/orders/order-service.ts';
import { createReplyHandler } from '../../orchestrator/runner/reply-handler.ts';
import { SagaCache } from '../../orchestrator/runner/saga-cache.ts';
import { SagaRunner } from '../../orchestrator/runner/saga-runner.ts';
import { createInventoryHandler } from '../../participants/inventory/inventory-handler.ts';
import { createPaymentHandler } from '../../participants/payment/payment-handler.ts';
import { createShippingHandler } from '../../participants/shipping/shipping-handler.ts';
import { serviceRolePassword } from '../../scripts/support/local-service-roles.ts';
import { benchSagaPolicies } from './environment.ts';
import { orderRequest } from './load.ts';
import { type PostgresWatcher, walPerSaga } from './postgres-stats.ts';
import type { ProcessGroups } from './proc-stats.ts';
import { perSaga, snapshot, usageBetween } from './proc-stats.ts';

export type DbCeiling = Awaited<ReturnType<typeof measureDbCeiling>>;

type Message = { key: string; value: Buffer; headers: Record<string, string> };
type Queue = { topic: string; partition: number; messages: Message[] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureDbCeiling(options: {
  databaseUrl: string;
  codec: AvroCodec;
  watcher: PostgresWatcher;
  seconds: number;
  partitions: number;
  groups: ProcessGroups;
  inflight?: number;
}) {
  const { codec, partitions, watcher, inflight = 1_000 } = options;
  const logger = createLogger('bench-db-ceiling', 'warn');
  const newId = timeOrderedIds();
  const closers: Array<() => Promise<void>> = [];
  let running = true;
  let completed = 0;
  let handled = { transactions: 0, messages: 0 };
  const failures: unknown[] = [];

  // Kafka: a queue per topic and partition, fed by the relays (which publish with sendBatch only).
  const queues = new Map(
    Object.values(Topics).map((topic) => [
      topic,
      Array.from({ length: partitions }, (_, partition): Queue => ({ topic, partition, messages: [] })),
    ]),
  );
  const wake: Array<() => void> = [];
  const wakeAll = () => {
    for (const resolve of wake.splice(0)) resolve();
  };
  const completions = new Map<string, () => void>();
  const producer = {
    sendBatch: async ({ topicMessages = [] }: Parameters<Producer['sendBatch']>[0]) => {
      for (const { topic, messages } of topicMessages)
        for (const m of messages as Message[]) {
          if (topic === Topics.orderEvents && m.headers['record-type'] === 'OrderCompleted') {
            completed += 1;
            completions.get(m.key)?.();
          }
          queues.get(topic)?.[(murmur2(Buffer.from(m.key)) & 0x7fffffff) % partitions]?.messages.push(m);
        }
      wakeAll();
      return [];
    },
  } as unknown as Producer;
  queues.delete(Topics.orderEvents); // nothing consumes it here

  /** A service wired as lib/service/run-service.ts wires it: units of work, relay, outbox. */
  const clock = systemClock;
  const serviceOf = (service: DatabaseService) => {
    const password = serviceRolePassword(service, process.env);
    const databaseUrl = serviceDatabaseUrl(options.databaseUrl, service, password);
    const schema = serviceSchemas[service];
    const units = createUnitOfWorkRunner({ databaseUrl, maxConnections: 10, logger });
    const relay = startOutboxRelay({ databaseUrl, schema, producer, logger });
    closers.push(async () => {
      await relay.stop();
      await units.close();
    });
    return { databaseUrl, units, schema, outbox: new Outbox(schema, codec, clock, relay), newId, logger };
  };
  const orchestrator = serviceOf('orchestrator');
  const { units, outbox } = orchestrator;
  const cache = new SagaCache();
  const runner = new SagaRunner({ outbox, cache, clock, newId, random: Math.random, ...benchSagaPolicies });
  const db = createDatabase(orchestrator.databaseUrl); // OrderService's reads of idempotency keys (none here)
  closers.push(() => db.destroy());
  const audit = new AuditTrail({ service: 'orchestrator', schema: 'orders', units, outbox, clock, newId });
  const orders = new OrderService({ db, units, runner, audit, newId, clock });
  const faults = new FaultSwitch();
  const [inventory, payment, shipping] = (['inventory', 'payment', 'shipping'] as const).map(serviceOf);
  if (!inventory || !payment || !shipping) throw new Error('unreachable: three participants');
  const consumers: Array<[ReturnType<typeof serviceOf>, string[], BatchHandler]> = [
    [
      orchestrator,
      [Topics.inventoryEvents, Topics.paymentEvents, Topics.shippingEvents],
      createReplyHandler(runner),
    ],
    [inventory, [Topics.inventoryCommands], createInventoryHandler(inventory, faults)],
    [payment, [Topics.paymentCommands], createPaymentHandler(payment, faults)],
    [shipping, [Topics.shippingCommands], createShippingHandler(shipping, faults, { unservedCountries: [] })],
  ];

  /** One transaction in flight of a consumer: the pending messages of every partition no other one holds. */
  const consume = async ([service, topics, handle]: (typeof consumers)[number], busy: Set<Queue>) => {
    while (running) {
      const picked = topics
        .flatMap((t) => queues.get(t) ?? [])
        .filter((q) => q.messages.length > 0 && !busy.has(q));
      if (picked.length === 0) {
        await new Promise<void>((resolve) => wake.push(resolve));
        continue;
      }
      for (const queue of picked) busy.add(queue);
      try {
        const messages: IncomingMessage[] = [];
        for (const { topic, partition, messages: pending } of picked)
          for (const m of pending.splice(0, 500)) {
            const record = await codec.decode(m.value);
            messages.push({ topic, partition, offset: '0', meta: readMeta(m.headers), record });
          }
        await handleOnce(service.units, service.schema, handle, messages);
        handled = { transactions: handled.transactions + 1, messages: handled.messages + messages.length };
      } finally {
        for (const queue of picked) busy.delete(queue);
      }
    }
  };
  /** A client: places an order (as OrderService does for POST /orders), waits for its saga to complete. */
  let orderNumber = 0;
  const client = async () => {
    while (running) {
      const placed = await orders.place(orderRequest(orderNumber++, false, 'ceiling').request, {
        idempotencyKey: null,
      });
      if (placed.kind !== 'created') throw new Error(`order not created: ${JSON.stringify(placed)}`);
      if (running) await new Promise<void>((resolve) => completions.set(placed.orderId, resolve));
      completions.delete(placed.orderId);
    }
  };
  const stop = (error?: unknown) => {
    if (error !== undefined) failures.push(error);
    running = false;
    wakeAll();
    for (const complete of completions.values()) complete();
  };
  const loops = [
    ...consumers.flatMap((c) => {
      const busy = new Set<Queue>();
      return Array.from({ length: fetchTransactionsInFlight }, () => consume(c, busy).catch(stop));
    }),
    ...Array.from({ length: inflight }, () => client().catch(stop)),
  ];

  try {
    await sleep(Math.min(3_000, options.seconds * 300)); // warm-up
    await watcher.refresh(); // the backends of the services' pools, by now all connected
    const [walBefore, commitsBefore, before] = [
      await watcher.wal(),
      await watcher.commits(),
      snapshot(options.groups),
    ];
    const [completedBefore, handledBefore] = [completed, handled];
    await sleep(options.seconds * 1000);
    const sagas = completed - completedBefore;
    const { transactions, messages } = handled;
    await watcher.refresh();
    const cpu = usageBetween(before, snapshot(options.groups));
    const [walAfter, commits] = [await watcher.wal(), (await watcher.commits()) - commitsBefore];
    if (failures.length > 0) throw failures[0];
    const batches = transactions - handledBefore.transactions;
    return {
      sagasPerS: Math.round(sagas / cpu.wallSeconds),
      /** Transactions the database committed (pg_stat_database), per second and per saga. */
      transactionsPerS: Math.round(commits / cpu.wallSeconds),
      transactionsPerSaga: sagas === 0 ? 0 : Math.round((10 * commits) / sagas) / 10,
      /** Orders in flight, and messages per consumer transaction (mean). */
      inflight,
      meanBatch: Math.round((10 * (messages - handledBefore.messages)) / Math.max(1, batches)) / 10,
      cpu,
      perSaga: perSaga(cpu, sagas),
      wal: walPerSaga(walBefore, walAfter, sagas),
    };
  } finally {
    stop();
    await Promise.all(loops);
    for (const close of closers) await close();
  }
}
