/** Fixtures for the runner's integration tests: orders, runners with a JSON outbox, two "instances". */
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import type { TypedRecord } from '../../lib/contracts/generated.ts';
import { createUnitOfWorkRunner, type UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { createLogger } from '../../lib/logger.ts';
import type { IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import type { SagaCache } from '../../orchestrator/runner/saga-cache.ts';
import { SagaRunner, type SagaRunnerDeps } from '../../orchestrator/runner/saga-runner.ts';
import { commandMessageId } from '../../orchestrator/saga/command-ids.ts';
import type { OrderRecord } from '../../orchestrator/saga/order-record.ts';
import { commandAnswered, type ReplyType } from '../../orchestrator/saga/reply-check.ts';
import type { SagaEvent } from '../../orchestrator/saga/saga-types.ts';
import type { DeadlinePolicy } from '../../orchestrator/saga/step-decision.ts';
import { jsonOutbox } from './json-outbox.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from './throwaway-database.ts';

/** Ids as the services make them (lib/service/run-service.ts). */
const newId = timeOrderedIds();

export const newOrderRecord = (): OrderRecord => ({
  orderId: newId(),
  customerId: 'c-it',
  items: [{ sku: 'SKU-001', quantity: 1, unitPrice: null }],
  total: null,
  currency: 'EUR',
  paymentToken: 'tok_visa',
  shippingAddress: { name: 'A', line1: 'l', line2: null, city: 'c', postalCode: 'p', country: 'DE' },
  contact: null,
  correlationId: newId(),
});

/** The catalog lines StockReserved carries for newOrderRecord(): 500 a unit. */
export const reservedLines = [{ sku: 'SKU-001', quantity: 1, unitPrice: 500, currency: 'EUR' }];

export const fixturePickedUpAt = '2026-12-07T10:00:00.000Z';
export const fixtureDeliveredAt = '2026-12-07T10:00:30.000Z';

/** A machine event of one type with the data it carries (StockReserved: reservedLines; the carrier's: DHL's times). */
export function eventOfType(type: SagaEvent['type']): SagaEvent {
  switch (type) {
    case 'StockReserved':
      return { type, lines: reservedLines };
    case 'ShipmentPickedUp':
      return { type, carrier: 'DHL', pickedUpAt: fixturePickedUpAt };
    case 'ShipmentDelivered':
      return { type, carrier: 'DHL', pickedUpAt: fixturePickedUpAt, deliveredAt: fixtureDeliveredAt };
    case 'ShippingCancelled':
      return { type, cancelled: true, parcel: null };
    default:
      return { type } as SagaEvent;
  }
}

/**
 * A participant's reply as the consumer hands it over: by default a genuine one — on its
 * participant's events topic, with the message id of the command it answers (round 0) as
 * causation id; `overrides` forge it.
 */
export function replyMessage(
  record: TypedRecord & { type: ReplyType; payload: { orderId: string } },
  overrides: { topic?: string; causationId?: string | null; round?: number } = {},
): IncomingMessage {
  const { orderId } = record.payload;
  const answered = commandAnswered(record.type);
  return {
    topic: overrides.topic ?? Topics[answered.topic],
    partition: 0,
    offset: '0',
    meta: {
      messageId: randomUUID(),
      orderId,
      correlationId: orderId,
      causationId:
        overrides.causationId === undefined
          ? commandMessageId(orderId, answered.command, overrides.round ?? 0)
          : overrides.causationId,
      recordType: record.type,
      occurredAt: new Date().toISOString(),
    },
    record,
  };
}

export const testRunner = ({
  clock = () => new Date(),
  deadlinePolicy,
  cache,
  logger,
  metrics,
}: {
  clock?: () => Date;
  deadlinePolicy: DeadlinePolicy;
  cache?: SagaCache;
  logger?: SagaRunnerDeps['logger'];
  metrics?: SagaRunnerDeps['metrics'];
}) =>
  new SagaRunner({
    outbox: jsonOutbox('orders'),
    ...(cache ? { cache } : {}),
    ...(logger ? { logger } : {}),
    ...(metrics ? { metrics } : {}),
    clock,
    newId,
    random: () => 0,
    retryPolicy: { forwardAttempts: 3, compensationAttempts: 3 },
    deadlinePolicy,
  });

/** A runner whose step deadlines (a minute, no jitter) never pass during a test. */
export const runnerWithLongDeadlines = (cache?: SagaCache) =>
  testRunner({
    ...(cache ? { cache } : {}),
    deadlinePolicy: {
      stepTimeoutMs: 60_000,
      backoffMultiplier: 2,
      maxStepTimeoutMs: 600_000,
      jitterPercent: 0,
    },
  });

/**
 * Applies one event of a type to a saga in a transaction of its own, as the deadline sweeper (for
 * DEADLINE_PASSED) or the reply consumer would, without the reply check (no topic, no causation).
 */
export const applyEventOfType = (
  units: UnitOfWorkRunner,
  runner: SagaRunner,
  orderId: string,
  type: SagaEvent['type'],
) =>
  units.run((unit) =>
    runner.applyEvents(unit, [
      {
        orderId,
        event: eventOfType(type),
        cause:
          type === 'DEADLINE_PASSED'
            ? { kind: 'deadline', type, messageId: null }
            : { kind: 'reply', type, messageId: randomUUID(), detail: {} },
      },
    ]),
  );

/**
 * A throwaway migrated database and a second connection pool on it (a second orchestrator instance),
 * created before the suite's tests and removed after them.
 */
export function twoInstancesOnOneDatabase(): {
  readonly database: ThrowawayDatabase;
  readonly secondPool: UnitOfWorkRunner;
} {
  const handles = {} as { database: ThrowawayDatabase; secondPool: UnitOfWorkRunner };
  before(async () => {
    handles.database = await createThrowawayDatabase();
    handles.secondPool = createUnitOfWorkRunner({
      databaseUrl: handles.database.url,
      maxConnections: 5,
      logger: createLogger('second-instance', 'warn'),
    });
  });
  after(async () => {
    await handles.secondPool.close();
    await handles.database.drop();
  });
  return handles;
}
