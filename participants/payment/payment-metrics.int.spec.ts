/**
 * A participant's metrics count what committed, once: payment's handler with a metrics registry
 * on a real PostgreSQL. A batch that rolls back (after the handler, or by a failing command)
 * counts nothing; a repeated command is a duplicate.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { FaultInjectedError, FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { createMetricsRegistry, type Registry } from '../../lib/metrics/registry.ts';
import {
  commandMessage,
  createThrowawayDatabase,
  jsonOutbox,
  silentLogger,
  type ThrowawayDatabase,
} from '../../test/support/participant-fixtures.ts';
import { Samples } from '../../test/support/prometheus-text.ts';
import { createPaymentHandler } from './payment-handler.ts';

class RolledBack extends Error {}

let database: ThrowawayDatabase;
let registry: Registry;
let handle: BatchHandler;
const faults = new FaultSwitch();

before(async () => {
  database = await createThrowawayDatabase({ poolMax: 5 });
  registry = createMetricsRegistry();
  handle = createPaymentHandler(
    { outbox: jsonOutbox('payment'), newId: timeOrderedIds(), logger: silentLogger, metrics: registry },
    faults,
  );
});
after(async () => database?.drop());

const charge = (orderId: string, amount = 3998, paymentToken = 'tok_visa') =>
  commandMessage('payment-commands', {
    type: 'ProcessPayment',
    payload: { orderId, customerId: 'c-42', amount, currency: 'EUR', paymentToken },
  });
const refund = (orderId: string) =>
  commandMessage('payment-commands', { type: 'RefundPayment', payload: { orderId, reason: 'test' } });
const run = (messages: IncomingMessage[]) => database.units.run((unit) => handle(unit, messages));
const samples = async () => new Samples(await registry.metrics());
const commands = (s: Samples, command: string, outcome: string) =>
  s.value('participant_commands_total', { command, outcome });

describe('participant metrics (PostgreSQL)', () => {
  test('charges, declines, repeats and refunds are counted once each, with the amounts', async () => {
    const [paid, declined] = [randomUUID(), randomUUID()];
    await run([charge(paid), charge(declined, 100, 'tok_decline')]);
    await run([charge(paid)]); // a re-sent command: answered as before, nothing changes
    await run([refund(paid)]);
    const s = await samples();
    assert.equal(commands(s, 'ProcessPayment', 'succeeded'), 1);
    assert.equal(commands(s, 'ProcessPayment', 'declined'), 1);
    assert.equal(commands(s, 'ProcessPayment', 'duplicate'), 1);
    assert.equal(commands(s, 'RefundPayment', 'refunded'), 1);
    assert.equal(s.value('payments_total', { kind: 'charge' }), 1);
    assert.equal(s.value('payments_total', { kind: 'refund' }), 1);
    assert.equal(s.value('payment_amount_minor_total', { kind: 'charge', currency: 'EUR' }), 3998);
    assert.equal(s.value('payment_amount_minor_total', { kind: 'refund', currency: 'EUR' }), 3998);
  });

  test('a batch that rolls back counts nothing: after the handler, or failed by one of its commands', async () => {
    const before = await samples();
    await assert.rejects(
      database.units.run(async (unit) => {
        await handle(unit, [charge(randomUUID())]);
        throw new RolledBack('after the handler, before the commit');
      }),
      RolledBack,
    );
    faults.activate({ mode: 'fail', commands: ['RefundPayment'] });
    try {
      await assert.rejects(run([charge(randomUUID()), refund(randomUUID())]), FaultInjectedError);
    } finally {
      faults.reset();
    }
    const after = await samples();
    assert.equal(
      commands(after, 'ProcessPayment', 'succeeded'),
      commands(before, 'ProcessPayment', 'succeeded'),
    );
    assert.equal(
      after.value('payments_total', { kind: 'charge' }),
      before.value('payments_total', { kind: 'charge' }),
    );
    assert.equal(
      after.value('payment_amount_minor_total', { kind: 'charge', currency: 'EUR' }),
      before.value('payment_amount_minor_total', { kind: 'charge', currency: 'EUR' }),
    );
    // The same commands committing afterwards are counted.
    await run([charge(randomUUID(), 10)]);
    assert.equal(
      commands(await samples(), 'ProcessPayment', 'succeeded'),
      commands(before, 'ProcessPayment', 'succeeded') + 1,
    );
  });
});
