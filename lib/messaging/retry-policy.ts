import type { KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { DeadLetter } from './dead-letter.ts';
import type { ApplyInTransaction } from './inbox-transactions.ts';
import type { IncomingMessage } from './incoming-message.ts';
import { isTransientError } from './transient-errors.ts';

/** Raised inside a batch when the consumer stops or the batch went stale mid-retry. */
export class BatchAbandoned extends Error {
  constructor() {
    super('batch abandoned: consumer stopping or partition revoked');
    this.name = 'BatchAbandoned';
  }
}

/** Wait after the n-th failure (from 0) of work that failed on an outage: 100 ms doubling, at most 5 s. */
export const outageBackoffMs = (failures: number): number =>
  Math.min(5_000, 100 * 2 ** Math.min(failures, 6));

/** Wait after a message's failed attempt n (from 1) alone in its transaction: 100 ms, 200 ms, 400 ms… */
export const handlerRetryDelayMs = (attempt: number): number => 50 * 2 ** attempt;

/**
 * What a message's handler failure leads to: an outage (database, broker) is waited out by the
 * caller and never dead-letters the message; any other error is retried alone until the last
 * attempt, after which the message becomes a dead letter.
 */
export type HandlerFailureOutcome = 'wait-out' | 'retry' | 'dead-letter';

export function handlerFailureOutcome(
  error: unknown,
  attempt: number,
  maxAttempts: number,
): HandlerFailureOutcome {
  if (isTransientError(error)) return 'wait-out';
  return attempt >= maxAttempts ? 'dead-letter' : 'retry';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /**
   * Runs `work` again while it fails on an outage and the batch is still ours (backing off, and
   * heartbeating so the group keeps the member); other errors are thrown, a lost batch throws
   * BatchAbandoned. `what` names the work in the log.
   */
  retryWhileTransient(
    work: () => Promise<void>,
    stillOurs: () => boolean,
    heartbeat: () => Promise<void>,
    what: string,
  ): Promise<void>;
  /**
   * Applies a partition batch in its fetch's shared transaction. If that fails (not on an outage,
   * which is thrown), each message goes alone in its transaction, a few attempts each; the ones that
   * still fail are pushed to `letters` (their original from `raw`, by offset).
   */
  applyOrDeadLetter(
    messages: readonly IncomingMessage[],
    raw: Map<string, KafkaMessage>,
    letters: DeadLetter[],
  ): Promise<void>;
}

export interface RetryPolicyParts {
  log: Logger;
  /** The shared transactions of a fetch's batches (inbox-transactions.ts). */
  fetchTransactions: { submit(messages: readonly IncomingMessage[]): Promise<void> };
  /** One message's transaction of its own. */
  applyInTransaction: ApplyInTransaction;
  /** Attempts of a failing message, alone in its transaction, before it is dead-lettered. */
  maxHandlerAttempts: number;
}

/** The consumer's retry and dead-letter policy; created once per consumer. */
export function createRetryPolicy(parts: RetryPolicyParts): RetryPolicy {
  const { log, fetchTransactions, applyInTransaction, maxHandlerAttempts } = parts;
  const applyAlone = async (
    message: IncomingMessage,
    raw: Map<string, KafkaMessage>,
    letters: DeadLetter[],
  ): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await applyInTransaction([message]);
        return;
      } catch (error) {
        const outcome = handlerFailureOutcome(error, attempt, maxHandlerAttempts);
        switch (outcome) {
          case 'wait-out':
            throw error;
          case 'dead-letter': {
            log.error(
              {
                err: error,
                topic: message.topic,
                partition: message.partition,
                offset: message.offset,
                type: message.record.type,
              },
              'handler keeps failing; message goes to the dead-letter topic',
            );
            const original = raw.get(message.offset);
            if (original)
              letters.push({
                topic: message.topic,
                partition: message.partition,
                message: original,
                reason: 'handler_failed',
                error,
              });
            return;
          }
          case 'retry':
            await sleep(handlerRetryDelayMs(attempt));
            break;
          default: {
            const unknownOutcome: never = outcome;
            throw new Error(`unknown handler failure outcome ${String(unknownOutcome)}`);
          }
        }
      }
    }
  };

  return {
    async applyOrDeadLetter(messages, raw, letters) {
      try {
        await fetchTransactions.submit(messages);
      } catch (error) {
        if (isTransientError(error)) throw error;
        log.warn({ err: error, count: messages.length }, 'batch failed; retrying its messages one by one');
        for (const message of messages) await applyAlone(message, raw, letters);
      }
    },

    async retryWhileTransient(work, stillOurs, heartbeat, what) {
      for (let failures = 0; ; failures++) {
        try {
          await work();
          if (failures > 0) log.info(`${what}: recovered`);
          return;
        } catch (error) {
          if (!isTransientError(error)) throw error;
          if (!stillOurs()) throw new BatchAbandoned();
          const backoffMs = outageBackoffMs(failures);
          log.warn({ err: error, backoffMs }, `${what}: infrastructure unavailable, retrying`);
          await sleep(backoffMs);
          await heartbeat().catch(() => undefined);
        }
      }
    },
  };
}
