/**
 * Stops kafkajs 2.2.4's idle timer loop (tulios/kafkajs#1556, #1604, #1704; fix proposed in the
 * unmerged PR #1667).
 *
 * Every broker connection has a `RequestQueue`. After each response, `checkPendingRequests()` calls
 * `scheduleCheckPendingRequests()`, which arms a timer even when nothing is pending, with a delay
 * of `throttledUntil - Date.now()`: negative when the broker never throttled, so Node runs it after
 * 1 ms, and the timer calls `checkPendingRequests()` again. Each connection thus wakes its process
 * about 700 times a second for nothing, forever (measured: ~1,900 timers/s in an idle participant,
 * 5 % of a core each; Node 24 also prints a `TimeoutNegativeWarning` for it).
 *
 * The replacement arms a timer only while requests are waiting: at the end of a broker-requested
 * throttle, or after 10 ms (kafkajs's own interval) when they wait for an in-flight slot — a
 * response checks the queue at once anyway; the timer is the fallback. An empty queue needs no
 * timer: `push()` schedules again when it enqueues.
 */
import { createRequire } from 'node:module';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's retry interval for requests that wait for an in-flight slot. */
export const PENDING_REQUESTS_CHECK_INTERVAL_MS = 10;

const require = createRequire(import.meta.url);

/** kafkajs's RequestQueue class (not exported by its public entry point). */
export const KafkajsRequestQueue: {
  prototype: RequestQueueInternals;
} = require('kafkajs/src/network/requestQueue/index.js');

function scheduleCheckOnlyWhilePending(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  const delayMs = untilUnthrottled > 0 ? untilUnthrottled : PENDING_REQUESTS_CHECK_INTERVAL_MS;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delayMs);
}

let applied = false;

/** Idempotent; called when the modules that create kafkajs clients are loaded. */
export function applyRequestQueueTimerFix(): void {
  if (applied) return;
  const prototype = KafkajsRequestQueue.prototype;
  if (
    typeof prototype.scheduleCheckPendingRequests !== 'function' ||
    typeof prototype.checkPendingRequests !== 'function'
  ) {
    throw new Error(
      'kafkajs RequestQueue has no scheduleCheckPendingRequests/checkPendingRequests: the installed kafkajs ' +
        'differs from 2.2.x; review lib/kafka/kafkajs-patches/request-queue-timer-fix.ts',
    );
  }
  prototype.scheduleCheckPendingRequests = scheduleCheckOnlyWhilePending;
  applied = true;
}
