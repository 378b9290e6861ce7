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
 * returns under saturation; payloads are the real Avro. `inflight` orders are kept going, each
 * client placing its next order once the relay published its last one's OrderCompleted. So the
 * ceiling follows whatever the services' code writes: no copy of it to keep in step.
 */
import type { Producer } from 'kafkajs';
import { AuditTrail } from '../../lib/audit/audit-trail.ts';
import type { AvroCodec } from '../../lib/avro/codec.ts';
import { createDatabase } from '../../lib/db/database.ts';
import { type DatabaseService, serviceDatabaseUrl, serviceSchemas } from '../../lib/db/service-roles.ts';
import { createUnitOfWorkRunner, type UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { systemClock, timeOrderedIds } from '../../lib/ids.ts';
import { murmur2 } from '../../lib/kafka/key-partitioner.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { createLogger } from '../../lib/logger.ts';
import { HeaderNames, readMeta } from '../../lib/messaging/headers.ts';
import {
  type BatchHandler,
  fetchTransactionsInFlight,
  handleOnce,
  type IncomingMessage,
} from '../../lib/messaging/message-consumer.ts';
import { Outbox } from '../../lib/outbox/outbox.ts';
import { type OutboxRelay, startOutboxRelay } from '../../lib/outbox/outbox-relay.ts';
import { OrderService } from '../../orchestrator/orders/order-service.ts';
import { createReplyHandler } from '../../orchestrator/runner/reply-handler.ts';
import { SagaCache } from '../../orchestrator/runner/saga-cache.ts';
import { SagaRunner } from '../../orchestrator/runner/saga-runner.ts';
import { createInventoryHandler } from '../../participants/inventory/inventory-handler.ts';
import { createPaymentHandler } from '../../participants/payment/payment-handler.ts';
import { createShippingHandler } from '../../participants/shipping/shipping-handler.ts';
import { serviceRolePassword } from '../../scripts/support/local-service-roles.ts';
import type { PostgresWatcher, WalPerSaga } from './postgres-stats.ts';
import { walPerSaga } from './postgres-stats.ts';
import {
  type CpuReport,
  type PerSaga,
  type ProcessGroups,
  perSaga,
  snapshot,
  usageBetween,
} from './proc-stats.ts';

export interface DbCeiling {
  sagasPerS: number;
  /** Transactions the database committed per second and per saga (pg_stat_database). */
  transactionsPerS: number;
  transactionsPerSaga: number;
  /** Orders in flight, and messages per consumer transaction (mean). */
  inflight: number;
  meanBatch: number;
  cpu: CpuReport;
  perSaga: PerSaga | null;
  wal: WalPerSaga | null;
}

type Message = { key: string; value: Buffer; headers: Record<string, string> };
const maxBatch = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kafka's topics as queues per partition, fed by the relays' producer; waiters wake on a send. */
class MemoryTopics {
  readonly #queues = new Map<string, Message[][]>();
  readonly #partitions: number;
  readonly #onOrderEvent: (message: Message) => void;
  #wake: Array<() => void> = [];

  constructor(partitions: number, topics: readonly string[], onOrderEvent: (message: Message) => void) {
    this.#partitions = partitions;
    this.#onOrderEvent = onOrderEvent;
    for (const topic of topics)
      this.#queues.set(
        topic,
        Array.from({ length: partitions }, () => []),
      );
  }

  /** What the relays call (OutboxRelay publishes with sendBatch only). */
  readonly producer = {
    sendBatch: async ({ topicMessages = [] }: Parameters<Producer['sendBatch']>[0]) => {
      for (const { topic, messages } of topicMessages)
        for (const message of messages as Message[]) {
          if (topic === Topics.orderEvents) this.#onOrderEvent(message);
          else
            this.#queues
              .get(topic)
              ?.[(murmur2(Buffer.from(message.key)) & 0x7fffffff) % this.#partitions]?.push(message);
        }
      for (const wake of this.#wake.splice(0)) wake();
      return [];
    },
  } as unknown as Producer;

  /** The queues of these topics, by topic and partition. */
  queuesOf(topics: readonly string[]): Array<{ topic: string; partition: number; queue: Message[] }> {
    return topics.flatMap((topic) =>
      (this.#queues.get(topic) ?? []).map((queue, partition) => ({ topic, partition, queue })),
    );
  }

  waitForMessages(): Promise<void> {
    return new Promise((resolve) => this.#wake.push(resolve));
  }

  wakeAll(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}

export async function measureDbCeiling(options: {
  databaseUrl: string;
  codec: AvroCodec;
  watcher: PostgresWatcher;
  seconds: number;
  partitions: number;
  groups: ProcessGroups;
  inflight?: number;
}): Promise<DbCeiling> {
  const { codec, partitions, inflight = 1_000 } = options;
  const logger = createLogger('bench-db-ceiling', 'warn');
  const newId = timeOrderedIds();
  const urlOf = (service: DatabaseService) =>
    serviceDatabaseUrl(options.databaseUrl, service, serviceRolePassword(service, process.env));
  let running = true;
  let counting = false;
  let completed = 0;
  let handled = { transactions: 0, messages: 0 };
  const failures: unknown[] = [];
  const completions = new Map<string, () => void>();
  const topics = new MemoryTopics(partitions, Object.values(Topics), (message) => {
    if (message.headers[HeaderNames.recordType] !== 'OrderCompleted') return;
    if (counting) completed += 1;
    completions.get(message.key)?.();
  });

  /** A service as it is wired by lib/service/run-service.ts: its units of work, relay and outbox. */
  const relays: OutboxRelay[] = [];
  const runners: UnitOfWorkRunner[] = [];
  const serviceOf = (service: DatabaseService) => {
    const databaseUrl = urlOf(service);
    const schema = serviceSchemas[service];
    const units = createUnitOfWorkRunner({ databaseUrl, maxConnections: 10, logger });
    const relay = startOutboxRelay({ databaseUrl, schema, producer: topics.producer, logger });
    relays.push(relay);
    runners.push(units);
    return { units, schema, outbox: new Outbox(schema, codec, systemClock, relay), newId, logger };
  };
  const orchestrator = serviceOf('orchestrator');
  // The bench's services' policies (environment.ts): deadlines that never fire under load.
  const runner = new SagaRunner({
    outbox: orchestrator.outbox,
    cache: new SagaCache(),
    clock: systemClock,
    newId,
    random: Math.random,
    retryPolicy: { forwardAttempts: 3, compensationAttempts: 5 },
    deadlinePolicy: {
      stepTimeoutMs: 600_000,
      backoffMultiplier: 2,
      maxStepTimeoutMs: 3_600_000,
      jitterPercent: 20,
    },
  });
  const db = createDatabase(urlOf('orchestrator')); // OrderService's reads by idempotency key (none here)
  const orders = new OrderService({
    db,
    units: orchestrator.units,
    runner,
    audit: new AuditTrail({
      service: 'orchestrator',
      schema: 'orders',
      units: orchestrator.units,
      outbox: orchestrator.outbox,
      clock: systemClock,
      newId,
    }),
    newId,
    clock: systemClock,
  });
  const faults = new FaultSwitch();
  const inventory = serviceOf('inventory');
  const payment = serviceOf('payment');
  const shipping = serviceOf('shipping');
  const consumers: Array<{ service: ReturnType<typeof serviceOf>; topics: string[]; handle: BatchHandler }> =
    [
      {
        service: orchestrator,
        topics: [Topics.inventoryEvents, Topics.paymentEvents, Topics.shippingEvents],
        handle: createReplyHandler(runner),
      },
      {
        service: inventory,
        topics: [Topics.inventoryCommands],
        handle: createInventoryHandler(inventory, faults),
      },
      { service: payment, topics: [Topics.paymentCommands], handle: createPaymentHandler(payment, faults) },
      {
        service: shipping,
        topics: [Topics.shippingCommands],
        handle: createShippingHandler(shipping, faults, { unservedCountries: [] }),
      },
    ];

  /** One of a consumer's transactions in flight: the pending messages of every partition no other one holds. */
  const consumeLoop = async (
    { service, topics: consumed, handle }: (typeof consumers)[number],
    busy: Set<Message[]>,
  ) => {
    while (running) {
      const picked = topics.queuesOf(consumed).filter(({ queue }) => queue.length > 0 && !busy.has(queue));
      if (picked.length === 0) {
        await topics.waitForMessages();
        continue;
      }
      for (const { queue } of picked) busy.add(queue);
      try {
        const messages: IncomingMessage[] = [];
        for (const { topic, partition, queue } of picked)
          for (const m of queue.splice(0, maxBatch))
            messages.push({
              topic,
              partition,
              offset: '0',
              meta: readMeta(m.headers),
              record: await codec.decode(m.value),
            });
        await handleOnce(service.units, service.schema, handle, messages);
        handled = { transactions: handled.transactions + 1, messages: handled.messages + messages.length };
      } finally {
        for (const { queue } of picked) busy.delete(queue);
      }
    }
  };
  /** A client: places an order, waits until its saga completed, places the next. */
  let orderNumber = 0;
  const clientLoop = async () => {
    while (running) {
      const n = orderNumber++;
      const placed = await orders.place(
        {
          customerId: `bench-${n % 1000}`,
          items: [{ sku: `SKU-00${(n % 8) + 1}`, quantity: 1 }],
          currency: 'EUR',
          paymentToken: 'tok_visa',
          shippingAddress: {
            name: 'Ada Lovelace',
            line1: '1 Main St',
            city: 'Berlin',
            postalCode: '10115',
            country: 'DE',
          },
        },
        { idempotencyKey: null },
      );
      if (placed.kind !== 'created') throw new Error(`order not created: ${JSON.stringify(placed)}`);
      if (!running) return;
      await new Promise<void>((resolve) => completions.set(placed.orderId, resolve));
      completions.delete(placed.orderId);
    }
  };
  const failed = (error: unknown) => {
    failures.push(error);
    running = false;
    topics.wakeAll();
    for (const complete of completions.values()) complete();
  };
  const loops = [
    ...consumers.flatMap((consumer) => {
      const busy = new Set<Message[]>();
      return Array.from({ length: fetchTransactionsInFlight }, () =>
        consumeLoop(consumer, busy).catch(failed),
      );
    }),
    ...Array.from({ length: inflight }, () => clientLoop().catch(failed)),
  ];

  try {
    await sleep(Math.min(3_000, options.seconds * 300)); // warm-up
    const [walBefore, commitsBefore] = [await options.watcher.wal(), await options.watcher.commits()];
    await options.watcher.refresh(); // the backends of the services' pools, by now all connected
    const before = snapshot(options.groups);
    handled = { transactions: 0, messages: 0 };
    counting = true;
    await sleep(options.seconds * 1000);
    counting = false;
    await options.watcher.refresh();
    const cpu = usageBetween(before, snapshot(options.groups));
    const [walAfter, commitsAfter] = [await options.watcher.wal(), await options.watcher.commits()];
    if (failures.length > 0) throw failures[0];
    const transactions = commitsAfter - commitsBefore;
    return {
      sagasPerS: Math.round(completed / cpu.wallSeconds),
      transactionsPerS: Math.round(transactions / cpu.wallSeconds),
      transactionsPerSaga: completed === 0 ? 0 : Math.round((10 * transactions) / completed) / 10,
      inflight,
      meanBatch: Math.round((10 * handled.messages) / Math.max(1, handled.transactions)) / 10,
      cpu,
      perSaga: perSaga(cpu, completed),
      wal: walPerSaga(walBefore, walAfter, completed),
    };
  } finally {
    running = false;
    topics.wakeAll();
    for (const complete of completions.values()) complete();
    await Promise.all(loops);
    await Promise.all(relays.map((relay) => relay.stop()));
    await Promise.all([...runners.map((units) => units.close()), db.destroy()]);
  }
}
