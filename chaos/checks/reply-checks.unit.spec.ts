import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplySeen } from '../reply-scan.ts';
import { commandsAnsweredCheck, deadLetterCheck, indexReplies, repliesAppliedCheck } from './reply-checks.ts';

const reply = (messageId: string, causationId: string | null): ReplySeen => ({
  messageId,
  causationId,
  orderId: 'order-1',
  type: 'StockReserved',
  topic: 'inventory-events',
});

describe('chaos checks 5b–5d: messages (pure)', () => {
  test('the reply index counts a message published twice once', () => {
    const index = indexReplies({
      records: [reply('r1', 'c1'), reply('r1', 'c1'), reply('r2', 'c2'), reply('r3', null)],
      topics: [],
    });
    assert.deepEqual([...index.distinct.keys()], ['r1', 'r2', 'r3']);
    assert.deepEqual(
      [...index.idsByCause].map(([cause, ids]) => [cause, [...ids]]),
      [
        ['c1', ['r1']],
        ['c2', ['r2']],
      ],
    );
    assert.equal(index.published, 4);
  });

  test("a carrier event is a reply to check (5c) but answers no command (5b), though it carries ScheduleShipping's id", () => {
    const carrierEvent = (messageId: string, type: string): ReplySeen => ({
      ...reply(messageId, 'schedule-1'),
      type,
      topic: 'shipping-events',
    });
    const index = indexReplies({
      records: [
        { ...reply('r1', 'schedule-1'), type: 'ShippingScheduled' },
        carrierEvent('r2', 'ShipmentPickedUp'),
        carrierEvent('r3', 'ShipmentDelivered'),
      ],
      topics: [],
    });
    assert.deepEqual([...index.distinct.keys()], ['r1', 'r2', 'r3']);
    assert.deepEqual(
      [...index.idsByCause].map(([cause, ids]) => [cause, [...ids]]),
      [['schedule-1', ['r1']]],
    );
  });

  test('5b: each processed command answered exactly once, no reply to a command nobody processed', () => {
    const replies = indexReplies({
      records: [
        reply('r1', 'c1'),
        reply('r1', 'c1'),
        reply('r2a', 'c2'),
        reply('r2b', 'c2'),
        reply('r9', 'c9'),
      ],
      topics: [],
    });
    const result = commandsAnsweredCheck(
      [
        { schema: 'inventory', message_id: 'c1', record_type: 'ReserveStock' },
        { schema: 'payment', message_id: 'c2', record_type: 'ProcessPayment' },
        { schema: 'shipping', message_id: 'c3', record_type: 'ScheduleShipping' },
      ],
      replies,
    );
    assert.equal(result.checked, 3);
    assert.deepEqual(result.violations, [
      'payment answered ProcessPayment c2 2 times (applied more than once)',
      'shipping processed ScheduleShipping c3 but no reply is on Kafka',
      '1 reply(ies) caused by c9, a command no participant inbox holds',
    ]);
    assert.deepEqual(result.notes, ['4 distinct replies on Kafka, 1 duplicate publishes (same message id)']);
  });

  test('5c: each reply in the inbox with one history row; only an earlier_step rejection is genuine', () => {
    const replies = indexReplies({
      records: ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((id) => reply(id, `c-${id}`)),
      topics: [],
    });
    const result = repliesAppliedCheck(replies, {
      inbox: new Set(['r1', 'r2', 'r3', 'r4', 'r6']),
      history: [
        { message_id: 'r1', n: 1, kinds: 'reply_received:StockReserved' },
        { message_id: 'r2', n: 1, kinds: 'reply_rejected:StockReserved:earlier_step' },
        { message_id: 'r3', n: 1, kinds: 'reply_ignored:StockReserved' },
        { message_id: 'r4', n: 1, kinds: 'reply_rejected:StockReserved:unknown_saga' },
        { message_id: 'r5', n: 2, kinds: 'reply_received:StockReserved,reply_received:StockReserved' },
      ],
    });
    assert.equal(result.checked, 6);
    assert.deepEqual(result.violations, [
      'genuine reply StockReserved r4 for order order-1 was rejected: reply_rejected:StockReserved:unknown_saga',
      'reply StockReserved r5 for order order-1 is on Kafka but the orchestrator never processed it',
      'reply r5 applied 2 times: reply_received:StockReserved,reply_received:StockReserved',
      'reply StockReserved r6 for order order-1 has no saga_history row',
    ]);
    assert.deepEqual(result.notes, [
      '2 replies answered a step the saga had left (reply_rejected, earlier_step), 1 arrived when it expected no such reply (reply_ignored)',
    ]);
  });

  test('5d: any dead letter is a violation', () => {
    assert.deepEqual(deadLetterCheck({}).violations, []);
    const result = deadLetterCheck({ 'chaos-1.payment-commands-dlt': 2 });
    assert.deepEqual(
      [result.checked, result.violations],
      [7, ['chaos-1.payment-commands-dlt: 2 dead letters']],
    );
  });

  test("5d: the compensation faults' own dead letters pass, copies included; any other is a violation", () => {
    const expected = [
      { topic: 'payment-commands-dlt', recordType: 'RefundPayment', orderIds: ['order-1', 'order-2'] },
    ];
    const letter = (
      orderId: string,
      recordType = 'RefundPayment',
      topic = 'chaos-1.payment-commands-dlt',
    ) => ({
      topic,
      recordType,
      orderId,
      reason: 'handler_failed',
    });
    const own = [letter('order-1'), letter('order-1'), letter('order-2')];
    const within = deadLetterCheck({ 'chaos-1.payment-commands-dlt': 3 }, own, expected);
    assert.deepEqual(within.violations, []);
    assert.deepEqual(within.notes, [
      "chaos-1.payment-commands-dlt: 3 dead letters of the compensation faults' own orders (at-least-once: copies included)",
    ]);
    const others = deadLetterCheck(
      { 'chaos-1.payment-commands-dlt': 5, 'chaos-1.inventory-commands-dlt': 1 },
      [
        ...own,
        letter('order-7'),
        letter('order-1', 'ProcessPayment'),
        letter('order-1', 'ReleaseStock', 'chaos-1.inventory-commands-dlt'),
      ],
      expected,
    );
    assert.deepEqual(others.violations, [
      'chaos-1.payment-commands-dlt: 2 dead letters, e.g. RefundPayment of order order-7 (handler_failed); ProcessPayment of order order-1 (handler_failed)',
      'chaos-1.inventory-commands-dlt: 1 dead letters, e.g. ReleaseStock of order order-1 (handler_failed)',
    ]);
  });
});
