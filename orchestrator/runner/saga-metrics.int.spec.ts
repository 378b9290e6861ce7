/**
 * The saga metrics count what committed, once: against a real PostgreSQL, a runner with its metrics
 * registry; transactions that roll back (and a redelivered reply) count nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Topics } from '../../lib/kafka/topics.ts';
import { handleOnce, type IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { createMetricsRegistry, type Registry } from '../../lib/metrics/registry.ts';
import { createSagaMetrics } from '../../lib/metrics/saga-metrics.ts';
import { Samples } from '../../test/support/prometheus-text.ts';
import { newOrderRecord, replyMessage, reservedLines, testRunner } from '../../test/support/saga-fixtures.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { readSagasInFlight } from './in-flight-counter.ts';
import { createReplyHandler } from './reply-handler.ts';
import type { SagaRunner } from './saga-runner.ts';

class RolledBack extends Error {}

let database: ThrowawayDatabase;
let registry: Registry;
let runner: SagaRunner;
before(async () => {
  database = await createThrowawayDatabase({ poolMax: 5 });
  registry = createMetricsRegistry();
  runner = testRunner({
    metrics: createSagaMetrics(registry, { readSagasInFlight: () => readSagasInFlight(database.db) }),
    deadlinePolicy: {
      stepTimeoutMs: 60_000,
      backoffMultiplier: 2,
      maxStepTimeoutMs: 600_000,
      jitterPercent: 0,
    },
  });
});
after(async () => database?.drop());

const samples = async () => new Samples(await registry.metrics());
const apply = (messages: IncomingMessage[]) =>
  handleOnce(database.units, 'orders', createReplyHandler(runner), messages);
const create = async () => {
  const order = newOrderRecord();
  await database.units.run((unit) =>
    runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
  );
  return order.orderId;
};
const stockReserved = (orderId: string, forged: { topic?: string } = {}) =>
  replyMessage(
    { type: 'StockReserved', payload: { orderId, reservationId: randomUUID(), lines: reservedLines } },
    forged,
  );
const paymentFailed = (orderId: string) =>
  replyMessage({
    type: 'PaymentFailed',
    payload: { orderId, reason: 'declined', message: 'declined by the issuer' },
  });
const stockReleased = (orderId: string) =>
  replyMessage({ type: 'StockReleased', payload: { orderId, released: true } });

describe('saga metrics (PostgreSQL)', () => {
  test('a creation that rolls back is not counted; one that commits is', async () => {
    const order = newOrderRecord();
    await assert.rejects(
      database.units.run(async (unit) => {
        await runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]);
        throw new RolledBack('after the work, before the commit');
      }),
      RolledBack,
    );
    assert.equal((await samples()).value('saga_started_total'), 0);
    await create();
    const after = await samples();
    assert.equal(after.value('saga_started_total'), 1);
    assert.equal(after.value('sagas_in_flight'), 1, 'read from the database when scraped');
  });

  test('a reply counts its step latency once, not when its transaction rolls back or it is redelivered', async () => {
    const orderId = await create();
    const reply = stockReserved(orderId);
    await assert.rejects(
      database.units.run(async (unit) => {
        await runner.applyEvents(unit, [
          {
            orderId,
            event: { type: 'StockReserved', lines: reservedLines },
            cause: { kind: 'reply', type: 'StockReserved', messageId: reply.meta.messageId },
            reply: { topic: reply.topic, causationId: reply.meta.causationId },
          },
        ]);
        throw new RolledBack('rolled back');
      }),
      RolledBack,
    );
    const latency = { command: 'ReserveStock' };
    assert.equal((await samples()).value('saga_step_latency_seconds_count', latency), 0);
    await apply([reply]);
    await apply([reply]); // redelivered: the inbox drops it
    const after = await samples();
    assert.equal(after.value('saga_step_latency_seconds_count', latency), 1);
    assert.ok(after.value('saga_step_latency_seconds_sum', latency) < 60, 'seconds, from the command send');
  });

  test('a declined payment: cancelled with its reason, its duration, each step once', async () => {
    const orderId = await create();
    await apply([stockReserved(orderId)]);
    await apply([paymentFailed(orderId)]);
    await apply([stockReleased(orderId)]);
    const after = await samples();
    assert.equal(after.value('saga_finished_total', { outcome: 'cancelled', reason: 'payment_declined' }), 1);
    assert.equal(after.value('saga_duration_seconds_count', { outcome: 'cancelled' }), 1);
    assert.equal(after.value('saga_step_latency_seconds_count', { command: 'ProcessPayment' }), 1);
    assert.equal(after.value('saga_step_latency_seconds_count', { command: 'ReleaseStock' }), 1);
  });

  test('a forged reply is counted as rejected with its reason; a passed deadline as a timeout and a re-send', async () => {
    const orderId = await create();
    await apply([stockReserved(orderId, { topic: Topics.paymentEvents })]);
    await database.units.run((unit) =>
      runner.applyEvents(unit, [
        {
          orderId,
          event: { type: 'DEADLINE_PASSED' },
          cause: { kind: 'deadline', type: 'DEADLINE_PASSED', messageId: null },
        },
      ]),
    );
    const after = await samples();
    assert.equal(after.value('saga_replies_rejected_total', { reason: 'wrong_topic' }), 1);
    assert.equal(after.value('saga_step_timeouts_total', { command: 'ReserveStock' }), 1);
    assert.equal(after.value('saga_command_resends_total', { command: 'ReserveStock' }), 1);
  });
});
