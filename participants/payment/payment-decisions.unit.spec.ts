import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decidePayment,
  declineMessages,
  type Payment,
  type PaymentCommand,
  type PaymentDecision,
} from './payment-decisions.ts';

const orderId = '7f1c0f5e-7d0e-4a8e-9b7c-1f6f0c2d3e4a';
const paymentId = 'b4c3d2e1-2222-4333-8444-555566667777';
const options = { newPaymentId: paymentId, decline: false };

const processPayment = (paymentToken = 'tok_visa', amount = 3998, currency = 'EUR'): PaymentCommand => ({
  type: 'ProcessPayment',
  payload: { orderId, customerId: 'c-42', amount, currency, paymentToken },
});
const refund: PaymentCommand = { type: 'RefundPayment', payload: { orderId, reason: 'shipping failed' } };

const charged: Payment = {
  orderId,
  paymentId,
  status: 'CHARGED',
  amount: 3998,
  currency: 'EUR',
  customerId: 'c-42',
  failure: null,
};
const voided: Payment = {
  orderId,
  paymentId: null,
  status: 'VOIDED',
  amount: 0,
  currency: null,
  customerId: null,
  failure: null,
};
const declined: Payment = {
  ...charged,
  paymentId: null,
  status: 'DECLINED',
  failure: { reason: 'declined', message: declineMessages.testToken },
};

function replyOf(decision: PaymentDecision) {
  assert.equal(decision.kind, 'reply');
  return decision.kind === 'reply' ? decision : assert.fail('not a reply');
}

describe('payment decisions: ProcessPayment', () => {
  it('given no payment, when charging a normal token, then PaymentSucceeded and one ledger charge', () => {
    const decision = replyOf(decidePayment(processPayment(), { payment: null }, options));
    assert.deepEqual(decision.reply, {
      type: 'PaymentSucceeded',
      payload: { orderId, paymentId, amount: 3998, currency: 'EUR' },
    });
    assert.deepEqual(decision.change, {
      kind: 'charge',
      payment: charged,
      ledger: { orderId, paymentId, kind: 'charge', amount: 3998, currency: 'EUR' },
    });
  });

  it('given no payment, when charging tok_decline, then PaymentFailed declined is recorded and nothing is charged', () => {
    const decision = replyOf(decidePayment(processPayment('tok_decline'), { payment: null }, options));
    assert.deepEqual(decision.reply, {
      type: 'PaymentFailed',
      payload: { orderId, reason: 'declined', message: declineMessages.testToken },
    });
    assert.deepEqual(decision.change, { kind: 'decline', payment: declined });
  });

  it('given the decline fault, when charging, then PaymentFailed fault_injected is recorded', () => {
    const decision = replyOf(
      decidePayment(processPayment(), { payment: null }, { ...options, decline: true }),
    );
    assert.deepEqual(decision.reply, {
      type: 'PaymentFailed',
      payload: { orderId, reason: 'fault_injected', message: declineMessages.faultInjected },
    });
    assert.equal(decision.change.kind, 'decline');
  });

  it('given a charge, when ProcessPayment repeats, then the same PaymentSucceeded and no second charge', () => {
    const decision = replyOf(
      decidePayment(
        processPayment(),
        { payment: charged },
        { newPaymentId: 'ffffffff-ffff-4fff-8fff-ffffffffffff', decline: true },
      ),
    );
    assert.deepEqual(decision.reply, {
      type: 'PaymentSucceeded',
      payload: { orderId, paymentId, amount: 3998, currency: 'EUR' },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
    assert.equal(decision.warning, null);
  });

  it('given a charge, when ProcessPayment repeats with another amount, then the recorded charge is the answer, with a warning', () => {
    const decision = replyOf(decidePayment(processPayment('tok_visa', 1), { payment: charged }, options));
    assert.equal(decision.reply.type, 'PaymentSucceeded');
    assert.deepEqual(decision.change, { kind: 'none' });
    assert.match(decision.warning ?? '', /3998 EUR was charged/);
  });

  it('given a decline, when ProcessPayment repeats with a good token, then the first answer is repeated', () => {
    const decision = replyOf(decidePayment(processPayment('tok_visa'), { payment: declined }, options));
    assert.deepEqual(decision.reply, {
      type: 'PaymentFailed',
      payload: { orderId, reason: 'declined', message: declineMessages.testToken },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given a void tombstone, when a late ProcessPayment arrives, then PaymentFailed declined says it was voided, and no charge', () => {
    const decision = replyOf(decidePayment(processPayment(), { payment: voided }, options));
    assert.deepEqual(decision.reply, {
      type: 'PaymentFailed',
      payload: { orderId, reason: 'declined', message: declineMessages.voided },
    });
    assert.match(declineMessages.voided, /already voided/);
    assert.deepEqual(decision.change, { kind: 'none' });
    assert.notEqual(decision.warning, null);
  });

  it('given a refunded payment, when ProcessPayment arrives again, then it is declined, never charged twice', () => {
    const decision = replyOf(
      decidePayment(processPayment(), { payment: { ...charged, status: 'REFUNDED' } }, options),
    );
    assert.deepEqual(decision.reply, {
      type: 'PaymentFailed',
      payload: { orderId, reason: 'declined', message: declineMessages.refunded(paymentId) },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given a negative amount or a malformed currency, when charging, then the command is invalid', () => {
    assert.equal(decidePayment(processPayment('tok_visa', -1), { payment: null }, options).kind, 'invalid');
    assert.equal(
      decidePayment(processPayment('tok_visa', 10, 'euro'), { payment: null }, options).kind,
      'invalid',
    );
  });
});

describe('payment decisions: RefundPayment', () => {
  it('given a charge, when refunding, then a ledger refund and PaymentRefunded refunded=true with id and amount', () => {
    const decision = replyOf(decidePayment(refund, { payment: charged }, options));
    assert.deepEqual(decision.reply, {
      type: 'PaymentRefunded',
      payload: { orderId, paymentId, amount: 3998, refunded: true },
    });
    assert.deepEqual(decision.change, {
      kind: 'refund',
      payment: { ...charged, status: 'REFUNDED' },
      ledger: { orderId, paymentId, kind: 'refund', amount: 3998, currency: 'EUR' },
    });
  });

  it('given a refund, when refunding again, then the same answer and no second refund', () => {
    const decision = replyOf(decidePayment(refund, { payment: { ...charged, status: 'REFUNDED' } }, options));
    assert.deepEqual(decision.reply, {
      type: 'PaymentRefunded',
      payload: { orderId, paymentId, amount: 3998, refunded: true },
    });
    assert.deepEqual(decision.change, { kind: 'none' });
  });

  it('given nothing charged, when refunding, then refunded=false amount 0 and a VOIDED tombstone', () => {
    const decision = replyOf(decidePayment(refund, { payment: null }, options));
    assert.deepEqual(decision.reply, {
      type: 'PaymentRefunded',
      payload: { orderId, paymentId: null, amount: 0, refunded: false },
    });
    assert.deepEqual(decision.change, { kind: 'void', payment: voided });
  });

  it('given a tombstone or a decline, when refunding, then refunded=false and no change', () => {
    for (const payment of [voided, declined]) {
      const decision = replyOf(decidePayment(refund, { payment }, options));
      assert.deepEqual(decision.reply, {
        type: 'PaymentRefunded',
        payload: { orderId, paymentId: null, amount: 0, refunded: false },
      });
      assert.deepEqual(decision.change, { kind: 'none' });
    }
  });

  it('given the decline fault, when refunding, then the compensation is not affected', () => {
    const decision = replyOf(decidePayment(refund, { payment: charged }, { ...options, decline: true }));
    assert.equal(decision.change.kind, 'refund');
  });
});
