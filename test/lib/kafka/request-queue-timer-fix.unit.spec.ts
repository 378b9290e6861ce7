import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  applyRequestQueueTimerFix,
  KafkajsRequestQueue,
  PENDING_REQUESTS_CHECK_INTERVAL_MS,
} from '../../../lib/kafka/kafkajs-patches/request-queue-timer-fix.ts';
import { waitFor } from '../../support/wait-for.ts';

applyRequestQueueTimerFix();

/** The fields of kafkajs's RequestQueue these tests drive (real class, no socket). */
interface Queue {
  pending: FakeRequest[];
  inflight: Map<number, FakeRequest>;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}

interface FakeRequest {
  correlationId: number;
  expectResponse: boolean;
  sentAt: number | null;
  send(): void;
  completed(): void;
}

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };
const queues: Queue[] = [];

function newQueue(maxInFlightRequests = 1): Queue {
  const RequestQueue = KafkajsRequestQueue as unknown as new (options: object) => Queue;
  const queue = new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'unit',
    broker: 'unit:9092',
    logger: silentLogger,
  });
  queues.push(queue);
  return queue;
}

function request(correlationId: number): FakeRequest {
  return {
    correlationId,
    expectResponse: false,
    sentAt: null,
    send() {
      this.sentAt = Date.now();
    },
    completed() {},
  };
}

afterEach(() => {
  for (const queue of queues.splice(0)) queue.destroy();
});

describe('kafkajs request queue timer fix', () => {
  test('an idle queue arms no timer after a check (kafkajs 2.2.4 re-armed a 1 ms timer forever)', () => {
    const queue = newQueue();
    queue.checkPendingRequests();
    assert.equal(queue.throttleCheckTimeoutId, null);
    queue.scheduleCheckPendingRequests();
    assert.equal(queue.throttleCheckTimeoutId, null);
  });

  test('a request held back by a broker throttle is sent when the throttle ends, then no timer is left', async () => {
    const queue = newQueue();
    const throttleEnd = Date.now() + 40;
    queue.throttledUntil = throttleEnd;
    const held = request(1);
    queue.pending.push(held);
    queue.scheduleCheckPendingRequests();
    assert.notEqual(queue.throttleCheckTimeoutId, null, 'a check is scheduled for the end of the throttle');

    await waitFor('the throttled request to be sent', () => (held.sentAt !== null ? true : undefined), {
      timeoutMs: 2_000,
    });
    assert.ok((held.sentAt ?? 0) >= throttleEnd, 'not sent before the throttle ended');
    assert.equal(queue.pending.length, 0);
    assert.equal(queue.throttleCheckTimeoutId, null);
  });

  test('a request waiting for an in-flight slot is retried every 10 ms until the slot frees', async () => {
    const queue = newQueue(1);
    queue.inflight.set(1, request(1));
    const waiting = request(2);
    queue.pending.push(waiting);
    let checks = 0;
    const check = queue.checkPendingRequests.bind(queue);
    queue.checkPendingRequests = () => {
      checks += 1;
      check();
    };
    queue.scheduleCheckPendingRequests();

    // Each check finds the slot taken and re-arms, because a request is still pending.
    await waitFor('three checks while the slot is taken', () => (checks >= 3 ? true : undefined), {
      timeoutMs: 2_000,
      intervalMs: PENDING_REQUESTS_CHECK_INTERVAL_MS,
    });
    assert.equal(waiting.sentAt, null, 'still waiting while the slot is taken');
    assert.notEqual(queue.throttleCheckTimeoutId, null, 'still armed while a request waits');

    queue.inflight.delete(1);
    await waitFor('the waiting request to be sent', () => (waiting.sentAt !== null ? true : undefined), {
      timeoutMs: 2_000,
    });
    assert.equal(queue.throttleCheckTimeoutId, null, 'no timer once nothing is pending');
  });
});
