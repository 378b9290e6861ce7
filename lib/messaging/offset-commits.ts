import type { Logger } from '../logger.ts';

/**
 * Offsets are resolved by each batch once its transaction committed and sent to the broker on a
 * timer and once more on stop, not per batch. A message handled but not yet committed when an
 * instance dies is delivered again and dropped by the inbox.
 */
export interface OffsetCommits {
  /**
   * How to commit the running kafkajs consumer's resolved, not yet committed offsets; each batch
   * hands its own, since a replaced consumer's functions say nothing about the current one.
   */
  track(flush: () => Promise<void>): void;
  /** Forgets the flush of a consumer that was replaced. */
  forget(): void;
  /** Starts committing every `intervalMs`. */
  start(): void;
  /** Stops the timer and commits what is pending. */
  stop(): Promise<void>;
}

export function createOffsetCommits(log: Logger, intervalMs: number): OffsetCommits {
  let flushOffsets: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | undefined;
  const commitPending = async (why: string) => {
    try {
      await flushOffsets?.();
    } catch (error) {
      // Not lost: the messages are delivered again after a rebalance and the inbox drops them.
      log.debug({ err: error }, `offset commit (${why}) failed; the next one covers it`);
    }
  };
  return {
    track(flush) {
      flushOffsets = flush;
    },
    forget() {
      flushOffsets = null;
    },
    start() {
      timer = setInterval(() => void commitPending('timer'), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await commitPending('stop');
    },
  };
}
