import type { Clock } from '../ids.ts';
import type { Logger } from '../logger.ts';

/** One kind of row a pruner deletes, a batch at a time. */
export interface PruneTask {
  /** Names the rows in logs, e.g. `inbox`. */
  name: string;
  /** Deletes at most `limit` rows that are due at `now`; returns how many it deleted. */
  pruneBatch(now: Date, limit: number): Promise<number>;
}

export interface Pruner {
  /** Runs every task until a batch comes back short; returns the rows deleted per task. */
  pruneOnce(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * Runs prune tasks in the background, off the message flow: every `intervalMs`, each task deletes
 * batches of at most `batchSize` rows (each its own short statement) until one comes back short.
 * A failed round is logged and tried again at the next interval.
 */
export function startPruner({
  tasks,
  clock,
  logger,
  intervalMs,
  batchSize,
  maxBatchesPerRound = 100,
}: {
  tasks: readonly PruneTask[];
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  batchSize: number;
  /** A round ends after this many batches of a task even if more are due (the next round goes on). */
  maxBatchesPerRound?: number;
}): Pruner {
  const log = logger.child({ component: 'pruner' });
  let stopped = false;
  let wake: (() => void) | null = null;

  const pruneOnce = async (): Promise<Record<string, number>> => {
    const deleted: Record<string, number> = {};
    for (const task of tasks) {
      let total = 0;
      for (let batch = 0; batch < maxBatchesPerRound && !stopped; batch++) {
        const n = await task.pruneBatch(clock(), batchSize);
        total += n;
        if (n < batchSize) break;
      }
      deleted[task.name] = total;
    }
    return deleted;
  };

  const loop = async () => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs).unref();
      });
      wake = null;
      if (stopped) break;
      try {
        const deleted = await pruneOnce();
        if (Object.values(deleted).some((n) => n > 0)) log.info({ deleted }, 'pruned');
      } catch (error) {
        log.warn({ err: error }, 'pruning failed; will retry');
      }
    }
  };
  const running = loop();

  return {
    pruneOnce,
    stop: async () => {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
