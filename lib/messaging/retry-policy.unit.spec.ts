import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import type { TypedRecord } from '../contracts/generated.ts';
import type { DeadLetter } from './dead-letter.ts';
import type { IncomingMessage } from './incoming-message.ts';
import {
  BatchAbandoned,
  createRetryPolicy,
  handlerFailureOutcome,
  handlerRetryDelayMs,
  outageBackoffMs,
} from './retry-policy.ts';

const outage = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });
const log = pino({ level: 'silent' });

const incoming = (offset: number): IncomingMessage => ({
  topic: 'payment-commands',
  partition: 1,
  offset: String(offset),
  meta: {
    messageId: `00000000-0000-4000-8000-00000000000${offset}`,
    orderId: '00000000-0000-4000-8000-0000000000aa',
    correlationId: '00000000-0000-4000-8000-0000000000bb',
    causationId: null,
    recordType: 'ProcessPayment',
    occurredAt: '2026-12-03T04:00:00.000Z',
  },
  record: { type: 'ProcessPayment', payload: {} } as unknown as TypedRecord,
});

const rawOf = (messages: readonly IncomingMessage[]) =>
  new Map<string, KafkaMessage>(
    messages.map((m) => [
      m.offset,
      {
        key: null,
        value: Buffer.from(m.offset),
        timestamp: '0',
        attributes: 0,
        offset: m.offset,
        headers: {},
      },
    ]),
  );

/** A policy whose shared transaction fails as `shared` says and whose message `poison` always fails. */
function policyWith(options: { shared: () => Error | null; poison?: string; maxHandlerAttempts: number }) {
  const alone: string[] = [];
  const policy = createRetryPolicy({
    log,
    fetchTransactions: {
      async submit() {
        const error = options.shared();
        if (error) throw error;
      },
    },
    applyInTransaction: async ([message]) => {
      alone.push(message?.offset ?? 'none');
      if (message?.offset === options.poison) throw new Error('handler bug');
    },
    maxHandlerAttempts: options.maxHandlerAttempts,
  });
  return { policy, alone };
}

describe('retry and dead-letter policy', () => {
  test('a handler failure: an outage is waited out at any attempt, anything else retried until the last', () => {
    assert.equal(handlerFailureOutcome(outage(), 1, 3), 'wait-out');
    assert.equal(handlerFailureOutcome(outage(), 3, 3), 'wait-out');
    assert.equal(handlerFailureOutcome(new Error('bug'), 1, 3), 'retry');
    assert.equal(handlerFailureOutcome(new Error('bug'), 2, 3), 'retry');
    assert.equal(handlerFailureOutcome(new Error('bug'), 3, 3), 'dead-letter');
    assert.equal(handlerFailureOutcome(new Error('bug'), 1, 1), 'dead-letter');
  });

  test('backoffs: outages 100 ms doubling up to 5 s; a failing message alone 100, 200, 400 ms', () => {
    assert.deepEqual(
      [0, 1, 2, 5, 6, 7, 40].map(outageBackoffMs),
      [100, 200, 400, 3_200, 5_000, 5_000, 5_000],
    );
    assert.deepEqual([1, 2, 3].map(handlerRetryDelayMs), [100, 200, 400]);
  });

  test('a batch whose shared transaction commits is not applied again', async () => {
    const { policy, alone } = policyWith({ shared: () => null, maxHandlerAttempts: 3 });
    const messages = [incoming(1), incoming(2)];
    const letters: DeadLetter[] = [];
    await policy.applyOrDeadLetter(messages, rawOf(messages), letters);
    assert.deepEqual(alone, []);
    assert.deepEqual(letters, []);
  });

  test('a failing batch goes message by message; the poison, after its attempts, becomes a dead letter', async () => {
    const { policy, alone } = policyWith({
      shared: () => new Error('handler bug'),
      poison: '2',
      maxHandlerAttempts: 2,
    });
    const messages = [incoming(1), incoming(2), incoming(3)];
    const raw = rawOf(messages);
    const letters: DeadLetter[] = [];
    await policy.applyOrDeadLetter(messages, raw, letters);
    assert.deepEqual(alone, ['1', '2', '2', '3']);
    assert.equal(letters.length, 1);
    assert.deepEqual(
      letters.map((l) => [l.topic, l.partition, l.reason, String(l.error)]),
      [['payment-commands', 1, 'handler_failed', 'Error: handler bug']],
    );
    assert.equal(letters[0]?.message, raw.get('2'), 'the original Kafka message');
  });

  test('an outage is thrown, from the shared transaction or from a message alone, and dead-letters nothing', async () => {
    const letters: DeadLetter[] = [];
    const messages = [incoming(1), incoming(2)];
    const shared = policyWith({ shared: outage, maxHandlerAttempts: 3 });
    await assert.rejects(shared.policy.applyOrDeadLetter(messages, rawOf(messages), letters), /terminated/);
    assert.deepEqual(shared.alone, [], 'no message alone: the outage is waited out for the whole batch');

    let aloneCalls = 0;
    const aloneOutage = createRetryPolicy({
      log,
      fetchTransactions: {
        async submit() {
          throw new Error('handler bug');
        },
      },
      applyInTransaction: async () => {
        aloneCalls++;
        throw outage();
      },
      maxHandlerAttempts: 1,
    });
    await assert.rejects(aloneOutage.applyOrDeadLetter(messages, rawOf(messages), letters), /terminated/);
    assert.equal(aloneCalls, 1);
    assert.deepEqual(letters, []);
  });

  test('work failing on an outage runs again (heartbeating) until it succeeds; other errors are thrown', async () => {
    const { policy } = policyWith({ shared: () => null, maxHandlerAttempts: 3 });
    let runs = 0;
    let heartbeats = 0;
    const heartbeat = async () => {
      heartbeats++;
    };
    await policy.retryWhileTransient(
      async () => {
        runs++;
        if (runs === 1) throw outage();
      },
      () => true,
      heartbeat,
      'test work',
    );
    assert.deepEqual([runs, heartbeats], [2, 1]);

    const bug = new Error('bug');
    await assert.rejects(
      policy.retryWhileTransient(
        async () => {
          throw bug;
        },
        () => true,
        heartbeat,
        'test work',
      ),
      (error: unknown) => error === bug,
    );
  });

  test('an outage once the batch is no longer ours abandons it at once', async () => {
    const { policy } = policyWith({ shared: () => null, maxHandlerAttempts: 3 });
    let runs = 0;
    await assert.rejects(
      policy.retryWhileTransient(
        async () => {
          runs++;
          throw outage();
        },
        () => false,
        async () => assert.fail('no heartbeat for a batch that is not ours'),
        'test work',
      ),
      BatchAbandoned,
    );
    assert.equal(runs, 1);
  });
});
