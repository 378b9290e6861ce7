/**
 * Payment against a real PostgreSQL (own throwaway database): handler + store + outbox (JSON encoder),
 * and the HTTP app through inject().
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { PaymentEventsRecord } from '../../lib/contracts/generated.ts';
import type { Knex } from '../../lib/db/database.ts';
import { FaultInjectedError, FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { countingReads } from '../../test/support/counting-reads.ts';
import {
  commandMessage,
  createThrowawayDatabase,
  jsonOutbox,
  participantApp,
  repliesTo,
  silentLogger,
  type ThrowawayDatabase,
} from '../../test/support/participant-fixtures.ts';
import { bearer } from '../../test/support/tokens.ts';
import { buildApp } from './app.ts';
import { createPaymentHandler } from './payment-handler.ts';

const operator = bearer('operator');

let database: ThrowawayDatabase;
let db: Knex;
let handle: BatchHandler;
let app: FastifyInstance;
const faults = new FaultSwitch();

const charge = (orderId: string, paymentToken = 'tok_visa', amount = 3998) =>
  commandMessage('payment-commands', {
    type: 'ProcessPayment',
    payload: { orderId, customerId: 'c-42', amount, currency: 'EUR', paymentToken },
  });
const refund = (orderId: string) =>
  commandMessage('payment-commands', { type: 'RefundPayment', payload: { orderId, reason: 'test' } });

async function handleBatch(messages: IncomingMessage[]): Promise<PaymentEventsRecord[]> {
  await database.units.run((unit) => handle(unit, messages));
  return (await repliesTo(db, 'payment', messages)) as PaymentEventsRecord[];
}
const handleOne = async (m: IncomingMessage) => (await handleBatch([m]))[0] as PaymentEventsRecord;
const ledgerOf = (orderId: string) =>
  db('payment.ledger').select('kind', 'amount', 'currency').where({ order_id: orderId }).orderBy('id');

before(async () => {
  database = await createThrowawayDatabase();
  db = database.db;
  handle = createPaymentHandler(
    { outbox: jsonOutbox('payment'), newId: timeOrderedIds(), logger: silentLogger },
    faults,
  );
  app = await participantApp('payment', buildApp, database, faults);
});

after(async () => {
  await app?.close();
  await database?.drop();
});

describe('payment store (PostgreSQL)', () => {
  it('charges once, refunds once, and repeats answer the same', async () => {
    const orderId = randomUUID();
    const charged = await handleOne(charge(orderId));
    assert.equal(charged.type, 'PaymentSucceeded');
    const paymentId = charged.type === 'PaymentSucceeded' ? charged.payload.paymentId : '';
    assert.deepEqual(
      await handleOne(charge(orderId)),
      charged,
      'a repeated ProcessPayment gets the same answer',
    );
    assert.deepEqual(await ledgerOf(orderId), [{ kind: 'charge', amount: 3998, currency: 'EUR' }]);
    const refundedAt = async () =>
      (await db('payment.payments').where({ order_id: orderId }).first('refunded_at'))
        .refunded_at as Date | null;
    assert.equal(await refundedAt(), null, 'a charge has no refund time');

    const refunded = await handleOne(refund(orderId));
    assert.ok(
      (await refundedAt()) instanceof Date,
      'the refund (an upsert of the locked row) sets refunded_at',
    );
    assert.deepEqual(refunded, {
      type: 'PaymentRefunded',
      payload: { orderId, paymentId, amount: 3998, refunded: true },
    });
    assert.deepEqual(await handleOne(refund(orderId)), refunded);
    assert.deepEqual(await ledgerOf(orderId), [
      { kind: 'charge', amount: 3998, currency: 'EUR' },
      { kind: 'refund', amount: 3998, currency: 'EUR' },
    ]);
    const again = await handleOne(charge(orderId));
    assert.equal(again.type, 'PaymentFailed', 'never charged again after the refund');
    assert.equal((await ledgerOf(orderId)).length, 2);
  });

  it("a new order's ProcessPayment is one write without a read; a repeat finds the row by its insert, then reads it", async () => {
    const { units, counter } = countingReads(database.units);
    const [a, b] = [randomUUID(), randomUUID()];
    const first = [charge(a), charge(b, 'tok_decline')];
    await units.run((unit) => handle(unit, first));
    assert.equal(counter.reads, 0, 'a batch of forward commands for new orders reads nothing');
    assert.deepEqual(
      (await repliesTo(db, 'payment', first)).map((r) => r.type),
      ['PaymentSucceeded', 'PaymentFailed'],
    );

    const repeat = charge(a);
    await units.run((unit) => handle(unit, [repeat]));
    assert.equal(
      counter.reads,
      1,
      'the attempt without a read failed on the existing row; the next one read it',
    );
    const [again] = await repliesTo(db, 'payment', [repeat]);
    const [original] = await repliesTo(db, 'payment', first);
    assert.deepEqual(again, original, 'the same answer as the first time');
    assert.deepEqual(await ledgerOf(a), [{ kind: 'charge', amount: 3998, currency: 'EUR' }]);
  });

  it('declines tok_decline without a ledger entry', async () => {
    const orderId = randomUUID();
    const reply = await handleOne(charge(orderId, 'tok_decline'));
    assert.equal(reply.type, 'PaymentFailed');
    assert.equal(reply.type === 'PaymentFailed' && reply.payload.reason, 'declined');
    assert.deepEqual(await ledgerOf(orderId), []);
    assert.deepEqual(await handleOne(refund(orderId)), {
      type: 'PaymentRefunded',
      payload: { orderId, paymentId: null, amount: 0, refunded: false },
    });
  });

  it('a refund before any charge voids the order: a late ProcessPayment is declined as voided', async () => {
    const orderId = randomUUID();
    assert.deepEqual(await handleOne(refund(orderId)), {
      type: 'PaymentRefunded',
      payload: { orderId, paymentId: null, amount: 0, refunded: false },
    });
    const late = await handleOne(charge(orderId));
    assert.equal(late.type, 'PaymentFailed');
    assert.match(late.type === 'PaymentFailed' ? late.payload.message : '', /already voided/);
    assert.deepEqual(await ledgerOf(orderId), []);
  });

  it('one batch: charge then refund of one order, and charges of others', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const replies = await handleBatch([charge(a), charge(b, 'tok_decline'), refund(a), charge(a)]);
    assert.deepEqual(
      replies.map((r) => r.type),
      ['PaymentSucceeded', 'PaymentFailed', 'PaymentRefunded', 'PaymentFailed'],
    );
    const row = await db('payment.payments').where({ order_id: a }).first<{ status: string }>();
    assert.equal(row.status, 'REFUNDED');
  });

  it('the fail fault throws FaultInjectedError and writes nothing; decline records fault_injected', async () => {
    const orderId = randomUUID();
    faults.activate({ mode: 'fail', commands: ['ProcessPayment'] });
    await assert.rejects(() => handleOne(charge(orderId)), FaultInjectedError);
    faults.activate({ mode: 'decline', commands: ['ProcessPayment'] });
    const declined = await handleOne(charge(orderId));
    faults.reset();
    assert.equal(declined.type === 'PaymentFailed' && declined.payload.reason, 'fault_injected');
    assert.deepEqual(
      await handleOne(charge(orderId)),
      declined,
      'the recorded decline is the answer after the fault is gone',
    );
  });
});

describe('payment HTTP', () => {
  it('GET /payments/:orderId shows the payment and its ledger; 404 unknown; 400 malformed', async () => {
    const orderId = randomUUID();
    await handleOne(charge(orderId));
    const found = await app.inject({
      method: 'GET',
      url: `/payments/${orderId.toUpperCase()}`,
      headers: operator,
    });
    assert.equal(found.statusCode, 200);
    const body = found.json();
    assert.equal(body.orderId, orderId);
    assert.equal(body.status, 'CHARGED');
    assert.equal(body.amount, 3998);
    assert.equal(body.currency, 'EUR');
    assert.deepEqual(
      body.ledger.map((e: { kind: string }) => e.kind),
      ['charge'],
    );

    const missing = await app.inject({ method: 'GET', url: `/payments/${randomUUID()}`, headers: operator });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().message, /no payment for order/);

    const malformed = await app.inject({ method: 'GET', url: '/payments/not-a-uuid', headers: operator });
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.json().message, /orderId/);
  });

  it('has the fault routes with payment commands', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/faults',
      payload: { mode: 'decline' },
      headers: operator,
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().commands, ['ProcessPayment']);
    const foreign = await app.inject({
      method: 'POST',
      url: '/faults',
      headers: operator,
      payload: { mode: 'fail', commands: ['ReserveStock'] },
    });
    assert.equal(foreign.statusCode, 400);
    assert.equal((await app.inject({ method: 'DELETE', url: '/faults', headers: operator })).statusCode, 204);
    assert.equal(faults.active, null);
  });
});
